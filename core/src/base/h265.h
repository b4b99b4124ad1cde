/* h265.h - just enough H.265 (HEVC) Annex B parsing for passthrough, as
 * h264.h offers for H.264: read NAL unit headers, tell keyframes (IRAP
 * pictures) and parameter sets, and make the WebCodecs codec string and the
 * picture size from a sequence parameter set. The start codes are H.264's:
 * walk the NAL units of an access unit with h264_next_nal(). */
#ifndef PANTAU_H265_H
#define PANTAU_H265_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum h265_nal_type {
    H265_NAL_BLA_W_LP = 16, /* the first IRAP type */
    H265_NAL_IDR_W_RADL = 19,
    H265_NAL_IDR_N_LP = 20,
    H265_NAL_CRA = 21,
    H265_NAL_IRAP_LAST = 23, /* 22 and 23 are reserved IRAP types */
    H265_NAL_VPS = 32,
    H265_NAL_SPS = 33,
    H265_NAL_PPS = 34,
    H265_NAL_AUD = 35,
    H265_NAL_PREFIX_SEI = 39,
    H265_NAL_AP = 48, /* RFC 7798 aggregation packet (never in a byte stream) */
    H265_NAL_FU = 49, /* RFC 7798 fragmentation unit (never in a byte stream) */
};

/* The longest codec string h265_codec_string() writes, with its NUL. */
#define H265_CODEC_STRING_MAX 48

/* The two-byte NAL unit header. */
typedef struct h265_nal_header {
    unsigned type;     /* nal_unit_type, 0..63 */
    unsigned layer_id; /* nuh_layer_id, 0..63 */
    unsigned tid;      /* TemporalId: nuh_temporal_id_plus1 - 1 */
} h265_nal_header;

/* Reads the header of the NAL unit nal (len bytes, no start code). Returns
 * false when it is shorter than 2 bytes, its forbidden_zero_bit is set or
 * its nuh_temporal_id_plus1 is 0 (h is then untouched). */
bool h265_nal_header_parse(const uint8_t *nal, size_t len, h265_nal_header *h);

/* Whether a NAL unit of this type is a slice (types 0..31). */
bool h265_type_is_vcl(unsigned type);

/* Whether it is a slice of an IRAP picture (BLA, IDR, CRA: types 16..23),
 * where a decoder can start. */
bool h265_type_is_irap(unsigned type);

/* Whether it is a VPS, SPS or PPS (types 32..34). */
bool h265_type_is_parameter_set(unsigned type);

/* True when the first slice of the access unit is an IRAP slice. Reads only
 * the NAL headers up to that slice. */
bool h265_au_is_keyframe(const uint8_t *au, size_t len);

/* True when a VPS, an SPS and a PPS come before the first slice. */
bool h265_au_has_parameter_sets(const uint8_t *au, size_t len);

/* Writes the codec string "hvc1.P.C.Tl.B..." (ISO/IEC 14496-15 Annex E:
 * profile space and idc, compatibility flags in reverse bit order, tier and
 * level, constraint bytes without the trailing zero ones) of the SPS sps
 * (n bytes from its NAL header, no start code; e.g. an SDP's sprop-sps)
 * into out. Returns false when it is not an SPS or is cut short, or out
 * (out_size bytes; H265_CODEC_STRING_MAX always fits) is too small. */
bool h265_sps_codec_string(const uint8_t *sps, size_t n, char *out, size_t out_size);

/* As h265_sps_codec_string() for the first SPS of the access unit. */
bool h265_codec_string(const uint8_t *au, size_t len, char *out, size_t out_size);

/* Reads the picture size (after the conformance window) from the first SPS
 * of the access unit. Returns false when there is none or it cannot be
 * parsed. */
bool h265_picture_size(const uint8_t *au, size_t len, int *width, int *height);

#endif
