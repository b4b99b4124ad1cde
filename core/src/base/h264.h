/* h264.h - just enough H.264 Annex B parsing for passthrough: walk the NAL
 * units of an access unit, tell keyframes, and make the WebCodecs codec
 * string from a sequence parameter set. */
#ifndef PANTAU_H264_H
#define PANTAU_H264_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum h264_nal_type {
    H264_NAL_SLICE = 1,
    H264_NAL_IDR = 5,
    H264_NAL_SEI = 6,
    H264_NAL_SPS = 7,
    H264_NAL_PPS = 8,
    H264_NAL_AUD = 9,
};

/* Finds the next NAL unit in buf[*pos..len) after a 3- or 4-byte start code.
 * Sets *nal and *nal_len (without the start code) and advances *pos.
 * Returns false when there is none left. */
bool h264_next_nal(const uint8_t *buf, size_t len, size_t *pos, const uint8_t **nal,
                   size_t *nal_len);

/* Offset of the first byte after the next start code (00 00 01) at or after
 * pos, or len when there is none. Annex B start codes are the same in H.265
 * (h265.c walks with this too). */
size_t h264_after_start_code(const uint8_t *buf, size_t len, size_t pos);

/* True when the access unit holds an IDR slice. */
bool h264_au_is_keyframe(const uint8_t *au, size_t len);

/* True when the access unit carries both an SPS and a PPS. */
bool h264_au_has_parameter_sets(const uint8_t *au, size_t len);

/* Writes "avc1.PPCCLL" (profile, constraint flags, level, hex) for the first
 * SPS in the access unit into out (at least 12 bytes). Returns false when the
 * access unit has no SPS. */
bool h264_codec_string(const uint8_t *au, size_t len, char *out, size_t out_size);

/* Reads the coded picture size from the first SPS of the access unit.
 * Returns false when there is none or it cannot be parsed. */
bool h264_picture_size(const uint8_t *au, size_t len, int *width, int *height);

#endif
