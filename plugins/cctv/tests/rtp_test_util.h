/* rtp_test_util.h - what the depacketiser tests (test_rtsp.c for H.264,
 * test_rtp_h265.c) share: building RTP packets, pushing them, and
 * collecting and comparing the access units that come out. */
#ifndef CCTV_RTP_TEST_UTIL_H
#define CCTV_RTP_TEST_UTIL_H

#include "rtsp_client.h"

#include <check.h>
#include <glib.h>
#include <stddef.h>
#include <stdint.h>

/* An array and its size, as two arguments. */
#define N(a) (a), sizeof(a)

/* What the depacketiser emitted. */
typedef struct got {
    unsigned n;
    GByteArray *last; /* the last AU */
    int keyframe;
    int64_t pts[64];
} got;

/* The emit callback of rtp_depay_push(): notes the AU in user (a got). */
void collect(void *user, const uint8_t *au, size_t len, int keyframe, int64_t pts_us);

/* Frees what g holds and zeroes it. */
void got_clear(got *g);

/* Writes an RTP header (version 2, PT 96, 12 bytes) into buf. */
void rtp_header(uint8_t *buf, uint16_t seq, uint32_t ts, int marker);

/* Writes an RTP packet (that header and the payload) into buf (12 + n
 * bytes); returns its length. */
size_t rtp(uint8_t *buf, uint16_t seq, uint32_t ts, int marker, const uint8_t *payload, size_t n);

/* Pushes one packet and asserts that it was accepted. */
void push(rtp_depay *d, got *g, uint16_t seq, uint32_t ts, int marker, const uint8_t *payload,
          size_t n);

/* Asserts that the last AU is exactly the NAL units given, each after a
 * 4-byte start code (NULL-ended pairs of pointer and size). */
void assert_au(const got *g, const uint8_t *nal, size_t n, ...);

#endif
