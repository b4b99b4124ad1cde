/* rtp_depay.h - what the RTP video depacketisers of the lean RTSP client
 * share (rtp_depay.c): the RTP header, sequence and timestamp tracking, and
 * one growable Annex B access-unit buffer with headroom in front of the AU
 * for the parameter sets a keyframe needs. A codec (rtp_h264_depay.c,
 * rtp_h265_depay.c) brings a rtp_depay_codec: how to read its NAL unit
 * headers and its payload formats, which it writes through the helpers
 * below. Internal to the cctv plugin; the public face is in rtsp_client.h. */
#ifndef CCTV_RTP_DEPAY_H
#define CCTV_RTP_DEPAY_H

#include "rtsp_client.h"

#include <stddef.h>
#include <stdint.h>

/* Most parameter sets a codec needs in front of a keyframe (H.265: VPS, SPS
 * and PPS). */
#define RTP_DEPAY_MAX_PARAMS 3

/* What a NAL unit is to the depacketiser. */
typedef enum rtp_nal_kind {
    RTP_NAL_DROP,  /* not written: a delimiter, or a type with no meaning in a byte stream */
    RTP_NAL_OTHER, /* written as it is (SEI and the like) */
    RTP_NAL_VCL,   /* a slice */
    RTP_NAL_KEY,   /* a slice of a keyframe (IDR, IRAP) */
    RTP_NAL_PARAM, /* a parameter set, remembered in its slot */
} rtp_nal_kind;

typedef struct rtp_depay_codec {
    /* How many parameter sets a keyframe needs in front, in slot order. */
    unsigned nparams;
    /* What the NAL unit nal (n >= 1 bytes) is; for RTP_NAL_PARAM its slot
     * (< nparams) in *slot. */
    rtp_nal_kind (*classify)(const uint8_t *nal, size_t n, unsigned *slot);
    /* Whether a packet's payload (n >= 1 bytes) begins with the first
     * parameter set of a keyframe's access unit. */
    int (*begins_keyframe)(const uint8_t *p, size_t n);
    /* Depacketises one payload (n >= 1 bytes) of the packet with timestamp
     * ts into the access unit, through the helpers below. */
    void (*payload)(rtp_depay *d, const uint8_t *p, size_t n, uint32_t ts);
} rtp_depay_codec;

/* A depacketiser of codec (static, borrowed), with the SDP's parameter
 * sets (params[i] of lens[i] bytes for each slot; NULL/0 when the SDP has
 * none), which in-band ones replace once seen. */
rtp_depay *rtp_depay_new(const rtp_depay_codec *codec, const uint8_t *const *params,
                         const size_t *lens);

/* Appends one whole NAL unit with a start code, unless the codec drops it.
 * Returns -1 when the AU grew too large (it is lost), else 0. */
int rtp_depay_put_nal(rtp_depay *d, const uint8_t *nal, size_t n);

/* Appends the NAL units of an aggregation packet's body p (n bytes), each a
 * 16-bit size and that many bytes; a size past the end loses the AU. */
void rtp_depay_put_aggregate(rtp_depay *d, const uint8_t *p, size_t n, uint32_t ts);

/* One fragment of a NAL unit: header (hlen bytes, the NAL header rebuilt
 * from the packet) is written only at the start; data (n bytes) follows.
 * type tells the fragments of one NAL unit apart; a start that is not
 * usable (usable 0) is ignored. A start inside an open NAL unit, or a
 * middle or end without its start, loses the AU. */
void rtp_depay_put_fragment(rtp_depay *d, const uint8_t *header, size_t hlen, int type, int start,
                            int end, int usable, const uint8_t *data, size_t n, uint32_t ts);

/* Whether a fragmented NAL unit is open (a packet of another kind then
 * loses the AU). */
int rtp_depay_in_fragment(const rtp_depay *d);

/* Drops the AU being built and everything up to the next keyframe; the
 * rest of the packets with timestamp ts belong to the lost AU and are
 * skipped. */
void rtp_depay_lose(rtp_depay *d, uint32_t ts);

#endif
