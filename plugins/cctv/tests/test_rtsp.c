/* Unit tests of the lean RTSP client's pure parts: the RTP H.264
 * depacketiser (incl. hostile input; H.265's is in test_rtp_h265.c), URL
 * parsing, RTSP replies, SDP and authentication (incl. the RFC 2617 Digest
 * example). */
#include "pt_check.h"
#include "rtp_test_util.h"
#include "rtsp_client.h"
#include "rtsp_proto.h"

#include <glib.h>
#include <string.h>

/* ---- depay helpers ---- */

static const uint8_t SPS[] = {0x67, 0x42, 0xc0, 0x1e, 0xda, 0x02, 0x80};
static const uint8_t PPS[] = {0x68, 0xce, 0x3c, 0x80};
static const uint8_t SDP_SPS[] = {0x67, 0x42, 0xc0, 0x0d, 0x01};
static const uint8_t SDP_PPS[] = {0x68, 0xce, 0x01};
static const uint8_t IDR[] = {0x65, 0x88, 0x84, 0x00, 0x33, 0xff};
static const uint8_t PFRAME[] = {0x41, 0x9a, 0x02, 0x04};
static const uint8_t AUD[] = {0x09, 0xf0};

/* A STAP-A payload holding the NAL units a and b. */
static size_t stap_a(uint8_t *out, const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    size_t o = 0;
    out[o++] = 0x78; /* NRI 3, type 24 */
    out[o++] = (uint8_t)(an >> 8);
    out[o++] = (uint8_t)an;
    memcpy(out + o, a, an);
    o += an;
    out[o++] = (uint8_t)(bn >> 8);
    out[o++] = (uint8_t)bn;
    memcpy(out + o, b, bn);
    return o + bn;
}

/* One FU-A fragment of nal: bytes [from, to) of its payload (after the
 * header byte). */
static size_t fu_a(uint8_t *out, const uint8_t *nal, size_t from, size_t to, int start, int end)
{
    out[0] = (uint8_t)((nal[0] & 0xe0) | 28);
    out[1] = (uint8_t)((start ? 0x80 : 0) | (end ? 0x40 : 0) | (nal[0] & 0x1f));
    memcpy(out + 2, nal + 1 + from, to - from);
    return 2 + to - from;
}

/* ---- depay ---- */

START_TEST(depay_single_nal_units)
{
    got g = {0};
    rtp_depay *d = rtp_h264_depay_new(NULL, 0, NULL, 0);
    push(d, &g, 1, 1000, 0, N(SPS));
    push(d, &g, 2, 1000, 0, N(PPS));
    push(d, &g, 3, 1000, 1, N(IDR));
    ck_assert_uint_eq(g.n, 1);
    ck_assert_int_eq(g.keyframe, 1);
    ck_assert_int_eq(g.pts[0], 0);
    assert_au(&g, N(SPS), N(PPS), N(IDR), NULL);
    push(d, &g, 4, 4000, 1, N(PFRAME));
    ck_assert_uint_eq(g.n, 2);
    ck_assert_int_eq(g.keyframe, 0);
    ck_assert_int_eq(g.pts[1], 33333);
    assert_au(&g, N(PFRAME), NULL);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

START_TEST(depay_stap_a_and_fu_a)
{
    got g = {0};
    uint8_t big[3000], pl[3100];
    big[0] = 0x65;
    for (size_t i = 1; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7);
    rtp_depay *d = rtp_h264_depay_new(NULL, 0, NULL, 0);
    push(d, &g, 10, 90000, 0, pl, stap_a(pl, N(SPS), N(PPS)));
    push(d, &g, 11, 90000, 0, pl, fu_a(pl, big, 0, 1000, 1, 0));
    push(d, &g, 12, 90000, 0, pl, fu_a(pl, big, 1000, 2000, 0, 0));
    ck_assert_uint_eq(g.n, 0);
    push(d, &g, 13, 90000, 1, pl, fu_a(pl, big, 2000, sizeof big - 1, 0, 1));
    ck_assert_uint_eq(g.n, 1);
    ck_assert_int_eq(g.keyframe, 1);
    assert_au(&g, N(SPS), N(PPS), N(big), NULL);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

START_TEST(depay_drops_nal_types_without_meaning)
{
    /* Inside a STAP-A: type 0, a nested STAP-A header (24) and type 31,
     * around the IDR; only the IDR (after SPS and PPS) comes out. */
    static const uint8_t type0[] = {0x00, 0x11, 0x22};
    static const uint8_t type24[] = {0x78, 0x00, 0x01, 0x05};
    static const uint8_t type31[] = {0x7f, 0x42};
    got g = {0};
    uint8_t pl[256];
    rtp_depay *d = rtp_h264_depay_new(NULL, 0, NULL, 0);
    push(d, &g, 1, 1000, 0, pl, stap_a(pl, N(SPS), N(PPS)));
    push(d, &g, 2, 1000, 0, pl, stap_a(pl, N(type0), N(type24)));
    push(d, &g, 3, 1000, 1, pl, stap_a(pl, N(IDR), N(type31)));
    ck_assert_uint_eq(g.n, 1);
    ck_assert_int_eq(g.keyframe, 1);
    assert_au(&g, N(SPS), N(PPS), N(IDR), NULL);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

START_TEST(depay_waits_for_the_first_idr)
{
    got g = {0};
    rtp_depay *d = rtp_h264_depay_new(NULL, 0, NULL, 0);
    push(d, &g, 1, 0, 1, N(PFRAME));
    push(d, &g, 2, 3000, 1, N(PFRAME));
    ck_assert_uint_eq(g.n, 0);
    /* An IDR with no parameter sets known anywhere cannot be decoded. */
    push(d, &g, 3, 6000, 1, N(IDR));
    ck_assert_uint_eq(g.n, 0);
    push(d, &g, 4, 9000, 0, N(SPS));
    push(d, &g, 5, 9000, 0, N(PPS));
    push(d, &g, 6, 9000, 1, N(IDR));
    ck_assert_uint_eq(g.n, 1);
    ck_assert_int_eq(g.pts[0], 100000);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

START_TEST(depay_inserts_parameter_sets)
{
    got g = {0};
    rtp_depay *d = rtp_h264_depay_new(N(SDP_SPS), N(SDP_PPS));
    /* The SDP's sets go in front of an IDR that has none... */
    push(d, &g, 1, 0, 0, N(AUD));
    push(d, &g, 2, 0, 1, N(IDR));
    ck_assert_uint_eq(g.n, 1);
    assert_au(&g, N(SDP_SPS), N(SDP_PPS), N(IDR), NULL);
    /* ...in-band ones are kept as they come... */
    push(d, &g, 3, 3000, 0, N(SPS));
    push(d, &g, 4, 3000, 0, N(PPS));
    push(d, &g, 5, 3000, 1, N(IDR));
    assert_au(&g, N(SPS), N(PPS), N(IDR), NULL);
    /* ...and then preferred over the SDP's. */
    push(d, &g, 6, 6000, 1, N(PFRAME));
    push(d, &g, 7, 9000, 1, N(IDR));
    ck_assert_uint_eq(g.n, 4);
    assert_au(&g, N(SPS), N(PPS), N(IDR), NULL);
    /* Parameter sets alone are not an access unit. */
    push(d, &g, 8, 12000, 1, N(SPS));
    ck_assert_uint_eq(g.n, 4);
    /* Sets after the IDR slice come too late for its decoder: the
     * remembered ones go in front as well. */
    push(d, &g, 9, 15000, 0, N(IDR));
    push(d, &g, 10, 15000, 0, N(SPS));
    push(d, &g, 11, 15000, 1, N(PPS));
    ck_assert_uint_eq(g.n, 5);
    assert_au(&g, N(SPS), N(PPS), N(IDR), N(SPS), N(PPS), NULL);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

START_TEST(depay_completes_partial_in_band_sets)
{
    got g = {0};
    uint8_t big_sps[200];
    big_sps[0] = 0x67;
    memset(big_sps + 1, 0x42, sizeof big_sps - 1);
    rtp_depay *d = rtp_h264_depay_new(N(SDP_SPS), N(SDP_PPS));
    /* A larger SPS in band but no PPS: the AU needs more headroom than it
     * reserved, and gets the new SPS and the SDP's PPS in front. */
    push(d, &g, 1, 0, 0, N(big_sps));
    push(d, &g, 2, 0, 1, N(IDR));
    ck_assert_uint_eq(g.n, 1);
    assert_au(&g, N(big_sps), N(SDP_PPS), N(big_sps), N(IDR), NULL);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

START_TEST(depay_timestamp_change_ends_an_au)
{
    got g = {0};
    rtp_depay *d = rtp_h264_depay_new(N(SDP_SPS), N(SDP_PPS));
    push(d, &g, 1, 0, 0, N(IDR));
    ck_assert_uint_eq(g.n, 0);
    push(d, &g, 2, 3000, 0, N(PFRAME));
    ck_assert_uint_eq(g.n, 1);
    ck_assert_int_eq(g.keyframe, 1);
    push(d, &g, 3, 6000, 0, N(PFRAME));
    ck_assert_uint_eq(g.n, 2);
    ck_assert_int_eq(g.keyframe, 0);
    ck_assert_int_eq(g.pts[1], 33333);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

/* gst-rtsp-server sends a shared stream's keyframe again, with new
 * sequence numbers but its old timestamp, when another client joins: the
 * picture is shown once and the times stay in order. Pictures whose
 * timestamps come out of order (B-frames) are kept. */
START_TEST(depay_drops_a_repeated_picture)
{
    got g = {0};
    rtp_depay *d = rtp_h264_depay_new(N(SDP_SPS), N(SDP_PPS));
    push(d, &g, 1, 0, 1, N(IDR));
    push(d, &g, 2, 3000, 1, N(PFRAME));
    push(d, &g, 3, 0, 1, N(IDR));
    ck_assert_uint_eq(g.n, 2);
    push(d, &g, 4, 9000, 1, N(PFRAME));
    push(d, &g, 5, 6000, 1, N(PFRAME));
    ck_assert_uint_eq(g.n, 4);
    ck_assert_int_eq(g.pts[2], 100000);
    ck_assert_int_eq(g.pts[3], 66666);
    push(d, &g, 6, 9000, 1, N(PFRAME));
    ck_assert_uint_eq(g.n, 4);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

START_TEST(depay_gap_drops_until_idr)
{
    got g = {0};
    uint8_t big[2000], pl[2100];
    big[0] = 0x65;
    memset(big + 1, 0xab, sizeof big - 1);
    rtp_depay *d = rtp_h264_depay_new(N(SDP_SPS), N(SDP_PPS));
    push(d, &g, 1, 0, 1, N(IDR));
    ck_assert_uint_eq(g.n, 1);
    /* seq 3 lost (the first half of a P frame at 3000 was seq 2). */
    push(d, &g, 2, 3000, 0, N(PFRAME));
    push(d, &g, 4, 3000, 1, N(PFRAME));
    push(d, &g, 5, 6000, 1, N(PFRAME));
    ck_assert_uint_eq(g.n, 1);
    /* A loss inside an IDR: its remaining fragments must not make an AU. */
    push(d, &g, 6, 9000, 0, pl, fu_a(pl, big, 0, 600, 1, 0));
    push(d, &g, 8, 9000, 1, pl, fu_a(pl, big, 1200, sizeof big - 1, 0, 1));
    push(d, &g, 9, 12000, 1, N(PFRAME));
    ck_assert_uint_eq(g.n, 1);
    push(d, &g, 10, 15000, 0, pl, fu_a(pl, big, 0, 600, 1, 0));
    push(d, &g, 11, 15000, 1, pl, fu_a(pl, big, 600, sizeof big - 1, 0, 1));
    ck_assert_uint_eq(g.n, 2);
    ck_assert_int_eq(g.keyframe, 1);
    assert_au(&g, N(SDP_SPS), N(SDP_PPS), N(big), NULL);
    push(d, &g, 12, 18000, 1, N(PFRAME));
    ck_assert_uint_eq(g.n, 3);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

START_TEST(depay_keyframe_right_after_a_gap_is_kept)
{
    got g = {0};
    uint8_t pl[64];
    rtp_depay *d = rtp_h264_depay_new(N(SDP_SPS), N(SDP_PPS));
    push(d, &g, 1, 0, 1, N(IDR));
    push(d, &g, 2, 3000, 1, N(PFRAME));
    ck_assert_uint_eq(g.n, 2);
    /* seq 3 and 4 lost; seq 5 begins a keyframe with SPS and PPS. */
    push(d, &g, 5, 9000, 0, pl, stap_a(pl, N(SPS), N(PPS)));
    push(d, &g, 6, 9000, 1, N(IDR));
    ck_assert_uint_eq(g.n, 3);
    ck_assert_int_eq(g.keyframe, 1);
    assert_au(&g, N(SPS), N(PPS), N(IDR), NULL);
    /* The same after a gap into a lone SPS; but a P frame after a gap
     * still waits for a keyframe. */
    push(d, &g, 9, 12000, 1, N(PFRAME));
    ck_assert_uint_eq(g.n, 3);
    push(d, &g, 12, 15000, 0, N(SPS));
    push(d, &g, 13, 15000, 0, N(PPS));
    push(d, &g, 14, 15000, 1, N(IDR));
    ck_assert_uint_eq(g.n, 4);
    assert_au(&g, N(SPS), N(PPS), N(IDR), NULL);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

START_TEST(depay_sequence_and_timestamp_wrap)
{
    got g = {0};
    rtp_depay *d = rtp_h264_depay_new(N(SDP_SPS), N(SDP_PPS));
    uint32_t ts = 0xffffffffu - 4000;
    uint16_t seq = 65534;
    push(d, &g, seq++, ts, 1, N(IDR));
    for (int i = 1; i < 5; i++)
        push(d, &g, seq++, ts + (uint32_t)(3000 * i), 1, N(PFRAME));
    ck_assert_uint_eq(g.n, 5);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(g.pts[i], (int64_t)i * 3000 * 100 / 9);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

START_TEST(depay_rejects_bad_packets)
{
    got g = {0};
    rtp_depay *d = rtp_h264_depay_new(N(SDP_SPS), N(SDP_PPS));
    uint8_t buf[64];
    size_t len = rtp(buf, 1, 0, 1, N(IDR));
    ck_assert_int_eq(rtp_depay_push(d, buf, 11, collect, &g), -1);
    buf[0] = 0x40; /* version 1 */
    ck_assert_int_eq(rtp_depay_push(d, buf, len, collect, &g), -1);
    buf[0] = 0x8f; /* 15 CSRCs: past the end */
    ck_assert_int_eq(rtp_depay_push(d, buf, len, collect, &g), -1);
    buf[0] = 0x90; /* an extension header longer than the packet */
    buf[14] = 0xff;
    ck_assert_int_eq(rtp_depay_push(d, buf, len, collect, &g), -1);
    len = rtp(buf, 1, 0, 1, N(IDR));
    buf[0] = 0xa0; /* padding larger than the payload */
    buf[len - 1] = 200;
    ck_assert_int_eq(rtp_depay_push(d, buf, len, collect, &g), -1);
    /* Padding and an extension, both valid. */
    static const uint8_t ext[] = {0xbe, 0xde, 0x00, 0x01, 1, 2, 3, 4};
    len = rtp(buf, 1, 0, 1, ext, sizeof ext);
    memcpy(buf + len, IDR, sizeof IDR);
    len += sizeof IDR;
    buf[len++] = 0;
    buf[len++] = 2;
    buf[0] = 0xb0;
    ck_assert_int_eq(rtp_depay_push(d, buf, len, collect, &g), 0);
    ck_assert_uint_eq(g.n, 1);
    assert_au(&g, N(SDP_SPS), N(SDP_PPS), N(IDR), NULL);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

START_TEST(depay_survives_hostile_payloads)
{
    got g = {0};
    uint8_t pl[64];
    rtp_depay *d = rtp_h264_depay_new(N(SDP_SPS), N(SDP_PPS));
    push(d, &g, 1, 0, 1, N(IDR));
    ck_assert_uint_eq(g.n, 1);
    /* FU-A middle without a start. */
    push(d, &g, 2, 3000, 1, pl, fu_a(pl, PFRAME, 1, 3, 0, 1));
    /* STAP-A whose second size runs past the end. */
    size_t n = stap_a(pl, N(PFRAME), N(PFRAME));
    pl[1 + 2 + sizeof PFRAME + 1] = 200;
    push(d, &g, 3, 6000, 1, pl, n);
    /* Ignored types and a lone FU header byte. */
    static const uint8_t stap_b[] = {0x19, 0, 1, 0x41};
    static const uint8_t fu_short[] = {0x7c};
    push(d, &g, 4, 9000, 0, N(stap_b));
    push(d, &g, 5, 9000, 1, N(fu_short));
    ck_assert_uint_eq(g.n, 1);
    /* An FU-A start inside an open one. */
    push(d, &g, 6, 12000, 0, pl, fu_a(pl, IDR, 0, 2, 1, 0));
    push(d, &g, 7, 12000, 1, pl, fu_a(pl, IDR, 2, 5, 1, 1));
    ck_assert_uint_eq(g.n, 1);
    /* Recovers on the next whole IDR. */
    push(d, &g, 8, 15000, 1, N(IDR));
    ck_assert_uint_eq(g.n, 2);
    assert_au(&g, N(SDP_SPS), N(SDP_PPS), N(IDR), NULL);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

START_TEST(depay_caps_huge_access_units)
{
    got g = {0};
    enum { FRAG = 1400 };
    uint8_t nal[FRAG + 1], pl[FRAG + 2];
    nal[0] = 0x65;
    memset(nal + 1, 0x5a, FRAG);
    rtp_depay *d = rtp_h264_depay_new(N(SDP_SPS), N(SDP_PPS));
    uint16_t seq = 1;
    /* 9 MiB in one FU-A NAL unit: dropped at 8 MiB. */
    push(d, &g, seq++, 0, 0, pl, fu_a(pl, nal, 0, FRAG, 1, 0));
    for (int i = 0; i < 9 * 1024 * 1024 / FRAG; i++)
        push(d, &g, seq++, 0, 0, pl, fu_a(pl, nal, 0, FRAG, 0, 0));
    push(d, &g, seq++, 0, 1, pl, fu_a(pl, nal, 0, FRAG, 0, 1));
    ck_assert_uint_eq(g.n, 0);
    push(d, &g, seq++, 3000, 1, N(IDR));
    ck_assert_uint_eq(g.n, 1);
    assert_au(&g, N(SDP_SPS), N(SDP_PPS), N(IDR), NULL);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

/* A camera that jumps its timestamp by 2^31 - 1 ticks every packet: the
 * unwrapped timestamp must not overflow int64 microseconds (ticks * 100 / 9
 * did after 43 million packets: undefined behaviour, a negative pts). */
START_TEST(depay_huge_timestamp_jumps)
{
    got g = {0};
    rtp_depay *d = rtp_h264_depay_new(N(SDP_SPS), N(SDP_PPS));
    uint8_t pkt[12 + sizeof IDR];
    size_t len = rtp(pkt, 0, 0, 1, IDR, 0); /* no payload */
    uint32_t ts = 0;
    uint16_t seq = 0;
    for (unsigned i = 0; i < 43u * 1000 * 1000; i++) {
        pkt[2] = (uint8_t)(seq >> 8);
        pkt[3] = (uint8_t)seq;
        pkt[4] = (uint8_t)(ts >> 24);
        pkt[5] = (uint8_t)(ts >> 16);
        pkt[6] = (uint8_t)(ts >> 8);
        pkt[7] = (uint8_t)ts;
        rtp_depay_push(d, pkt, len, collect, &g);
        seq++;
        ts += 0x7fffffffu;
    }
    ck_assert_uint_eq(g.n, 0);
    push(d, &g, seq, ts, 1, N(IDR));
    ck_assert_uint_eq(g.n, 1);
    ck_assert_int_gt(g.pts[0], 0);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

/* Every AU of random input is Annex B with a start code and no empty NAL. */
static void check_fuzz_au(void *user, const uint8_t *au, size_t len, int keyframe, int64_t pts)
{
    (void)pts;
    (void)keyframe;
    unsigned *count = user;
    ck_assert_uint_ge(len, 5);
    ck_assert_mem_eq(au, "\0\0\0\1", 4);
    (*count)++;
}

/* Random packets: mostly valid headers and every payload type, with
 * random sizes, fragment bits and sequence gaps. */
static size_t fuzz_packet(GRand *r, uint8_t *pkt, size_t cap, int i)
{
    static const uint8_t types[] = {1, 5, 7, 8, 9, 24, 28, 28, 28, 0, 25, 31};
    size_t len = (size_t)g_rand_int_range(r, 0, (gint32)cap);
    for (size_t k = 0; k < len; k++)
        pkt[k] = (uint8_t)g_rand_int(r);
    if (len < 14 || i % 10 == 0)
        return len; /* sometimes garbage headers too */
    uint16_t seq = (uint16_t)(i % 50 ? (guint32)i : g_rand_int(r));
    rtp_header(pkt, seq, (uint32_t)(i / 4) * 3000, pkt[1] >> 7);
    pkt[12] = (uint8_t)(0x60 | types[g_rand_int_range(r, 0, G_N_ELEMENTS(types))]);
    pkt[13] = (uint8_t)((pkt[13] & 0xc0) | (i % 2 ? 5 : 1));
    return len;
}

START_TEST(depay_fuzz)
{
    GRand *r = g_rand_new_with_seed(6184);
    unsigned count = 0;
    uint8_t pkt[1600];
    for (int round = 0; round < 200; round++) {
        rtp_depay *d = rtp_h264_depay_new(N(SDP_SPS), N(SDP_PPS));
        for (int i = 0; i < 500; i++) {
            size_t len = fuzz_packet(r, pkt, sizeof pkt, i);
            rtp_depay_push(d, pkt, len, check_fuzz_au, &count);
        }
        rtp_depay_free(d);
    }
    ck_assert_uint_gt(count, 0);
    g_rand_free(r);
}
END_TEST

/* ---- url ---- */

START_TEST(url_full)
{
    rtsp_url u;
    ck_assert_int_eq(rtsp_url_parse("rtsp://admin:p%40ss:w@10.0.0.5:8554/Streaming/101?x=1#f", &u),
                     0);
    ck_assert_str_eq(u.user, "admin");
    ck_assert_str_eq(u.password, "p@ss:w");
    ck_assert_str_eq(u.host, "10.0.0.5");
    ck_assert_uint_eq(u.port, 8554);
    ck_assert_int_eq(u.tls, 0);
    ck_assert_str_eq(u.request, "rtsp://10.0.0.5:8554/Streaming/101?x=1");
    ck_assert_str_eq(u.display, "10.0.0.5:8554");
    rtsp_url_clear(&u);
    ck_assert_ptr_null(u.host);
}
END_TEST

START_TEST(url_defaults_and_ipv6)
{
    rtsp_url u;
    ck_assert_int_eq(rtsp_url_parse("RTSP://cam.local/live", &u), 0);
    ck_assert_ptr_null(u.user);
    ck_assert_ptr_null(u.password);
    ck_assert_str_eq(u.host, "cam.local");
    ck_assert_uint_eq(u.port, 554);
    ck_assert_str_eq(u.request, "rtsp://cam.local/live");
    rtsp_url_clear(&u);
    ck_assert_int_eq(rtsp_url_parse("rtsp://u@[::1]:9000/a", &u), 0);
    ck_assert_str_eq(u.user, "u");
    ck_assert_ptr_null(u.password);
    ck_assert_str_eq(u.host, "::1");
    ck_assert_uint_eq(u.port, 9000);
    ck_assert_str_eq(u.request, "rtsp://[::1]:9000/a");
    ck_assert_str_eq(u.display, "[::1]:9000");
    rtsp_url_clear(&u);
    ck_assert_int_eq(rtsp_url_parse("rtsp://[fe80::2]", &u), 0);
    ck_assert_uint_eq(u.port, 554);
    ck_assert_str_eq(u.display, "[fe80::2]:554");
    rtsp_url_clear(&u);
    ck_assert_int_eq(rtsp_url_parse("rtsps://cam:/x", &u), 0);
    ck_assert_int_eq(u.tls, 1);
    ck_assert_uint_eq(u.port, 554);
    rtsp_url_clear(&u);
}
END_TEST

START_TEST(url_rejects_bad_ones)
{
    static const char *const bad[] = {
        NULL,
        "",
        "http://cam/x",
        "rtsp://",
        "rtsp:///x",
        "rtsp://u:p@/x",
        "rtsp://:554/x",
        "rtsp://cam:0/x",
        "rtsp://cam:65536/x",
        "rtsp://cam:12a/x",
        "rtsp://[::1/x",
        "rtsp://[]/x",
        "rtsp://[::1]x/y",
        "rtsp://cam/a b",
        "rtsp://cam/a\r\nX: y",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        rtsp_url u;
        ck_assert_msg(rtsp_url_parse(bad[i], &u) == -1, "accepted '%s'", bad[i] ? bad[i] : "NULL");
        ck_assert_ptr_null(u.host);
    }
}
END_TEST

START_TEST(url_resolve)
{
    static const char *const cases[][3] = {
        {"rtsp://cam/live", "trackID=1", "rtsp://cam/live/trackID=1"},
        {"rtsp://cam/live/", "trackID=1", "rtsp://cam/live/trackID=1"},
        {"rtsp://cam/live", "*", "rtsp://cam/live"},
        {"rtsp://cam/live", "", "rtsp://cam/live"},
        {"rtsp://cam/live", NULL, "rtsp://cam/live"},
        {"rtsp://cam/live", "rtsp://other:1/x", "rtsp://other:1/x"},
        {"rtsp://cam:554/a/b", "/c/d", "rtsp://cam:554/c/d"},
        {"rtsp://cam/cam/realmonitor?channel=1&subtype=0", "trackID=0",
         "rtsp://cam/cam/realmonitor?channel=1&subtype=0/trackID=0"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *resolved = rtsp_url_resolve(cases[i][0], cases[i][1]);
        ck_assert_str_eq(resolved, cases[i][2]);
        g_free(resolved);
    }
}
END_TEST

/* ---- response ---- */

START_TEST(response_parse)
{
    static const char reply[] = "RTSP/1.0 200 OK\r\n"
                                "CSeq: 3\r\n"
                                "Content-Base: rtsp://cam/live/\r\n"
                                "Session: 1234ABCD;timeout=30\r\n"
                                "Content-Length: 5\r\n"
                                "\r\n"
                                "v=0\r\n"
                                "$\x00\x00\x04";
    rtsp_message m;
    long used = rtsp_message_parse(reply, sizeof reply - 1, &m);
    ck_assert_int_eq(used, (long)(sizeof reply - 1 - 4));
    ck_assert_int_eq(m.status, 200);
    ck_assert_str_eq(m.phrase, "OK");
    ck_assert_int_eq(m.cseq, 3);
    ck_assert_str_eq(rtsp_message_header(&m, "content-base", 0), "rtsp://cam/live/");
    ck_assert_ptr_null(rtsp_message_header(&m, "content-base", 1));
    ck_assert_uint_eq(m.body_len, 5);
    ck_assert_str_eq(m.body, "v=0\r\n");
    char *id;
    unsigned timeout;
    ck_assert_int_eq(rtsp_parse_session(rtsp_message_header(&m, "Session", 0), &id, &timeout), 0);
    ck_assert_str_eq(id, "1234ABCD");
    ck_assert_uint_eq(timeout, 30);
    g_free(id);
    rtsp_message_clear(&m);
}
END_TEST

START_TEST(response_incomplete_and_bare_lf)
{
    static const char reply[] = "RTSP/1.0 401 Unauthorized\n"
                                "CSeq: 1\n"
                                "WWW-Authenticate: Digest realm=\"r\", nonce=\"n\"\n"
                                "WWW-Authenticate: Basic realm=\"r\"\n"
                                "Content-Length: 2\n"
                                "\n"
                                "ok";
    rtsp_message m;
    for (size_t n = 0; n < sizeof reply - 1; n++)
        ck_assert_int_eq(rtsp_message_parse(reply, n, &m), 0);
    ck_assert_int_eq(rtsp_message_parse(reply, sizeof reply - 1, &m), (long)(sizeof reply - 1));
    ck_assert_int_eq(m.status, 401);
    ck_assert_str_eq(rtsp_message_header(&m, "WWW-Authenticate", 1), "Basic realm=\"r\"");
    rtsp_message_clear(&m);
}
END_TEST

START_TEST(response_requests_and_malformed)
{
    rtsp_message m;
    static const char req[] = "OPTIONS * RTSP/1.0\r\nCSeq: 7\r\n\r\n";
    ck_assert_int_eq(rtsp_message_parse(req, sizeof req - 1, &m), (long)(sizeof req - 1));
    ck_assert_int_eq(m.status, 0);
    ck_assert_int_eq(m.cseq, 7);
    rtsp_message_clear(&m);
    static const char *const bad[] = {
        "RTSP/1.0 2x0 OK\r\n\r\n",
        "RTSP/1.0 099 Low\r\n\r\n",
        "RTSP/1.0\r\n\r\n",
        "rtsp/1.0 200 OK\r\n\r\n",
        "RTSP/1.0 200 OK\r\nContent-Length: 12x\r\n\r\n",
        "RTSP/1.0 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "RTSP/1.0 200 OK\r\nContent-Length: 1048577\r\n\r\n",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        ck_assert_msg(rtsp_message_parse(bad[i], strlen(bad[i]), &m) == -1, "accepted %s", bad[i]);
    /* A head that never ends is refused once it exceeds the bound. */
    char *huge = g_malloc(RTSP_MAX_HEAD + 10);
    memcpy(huge, "RTSP/1.0 200 OK\r\nX: ", 20);
    memset(huge + 20, 'a', RTSP_MAX_HEAD - 10);
    ck_assert_int_eq(rtsp_message_parse(huge, 100, &m), 0);
    ck_assert_int_eq(rtsp_message_parse(huge, RTSP_MAX_HEAD + 10, &m), -1);
    g_free(huge);
    /* A NUL in the head. */
    static const char nul[] = "RTSP/1.0 200 OK\r\nA: b\0c\r\n\r\n";
    ck_assert_int_eq(rtsp_message_parse(nul, sizeof nul - 1, &m), -1);
}
END_TEST

/* A reply with n "X-i: v" headers and then Content-Length: 2 and a body. */
static char *reply_with_headers(int n)
{
    GString *r = g_string_new("RTSP/1.0 200 OK\r\nCSeq: 1\r\n");
    for (int i = 0; i < n; i++)
        g_string_append_printf(r, "X-%d: v\r\n", i);
    g_string_append(r, "Content-Length: 2\r\n\r\nab");
    return g_string_free(r, FALSE);
}

START_TEST(response_too_many_headers)
{
    /* CSeq + 62 + Content-Length: 64 headers, the most a reply may have. */
    char *fits = reply_with_headers(RTSP_MAX_HEADERS - 2);
    rtsp_message m;
    ck_assert_int_eq(rtsp_message_parse(fits, strlen(fits), &m), (long)strlen(fits));
    ck_assert_str_eq(rtsp_message_header(&m, "Content-Length", 0), "2");
    rtsp_message_clear(&m);
    g_free(fits);
    /* One more: refused, not cut (the cut would lose Content-Length). */
    char *over = reply_with_headers(RTSP_MAX_HEADERS - 1);
    ck_assert_int_eq(rtsp_message_parse(over, strlen(over), &m), -1);
    g_free(over);
}
END_TEST

START_TEST(response_phrase_is_kept_whole)
{
    /* Whole and as sent, so that the client can redact a password in it
     * before it makes the reason printable and bounds its length. */
    static const char reply[] = "RTSP/1.0 404 Not\x01 Found\xff at rtsp://admin:"
                                "0123456789012345678901234567890123456789@10.0.0.9/\r\n"
                                "CSeq: x\r\n\r\n";
    rtsp_message m;
    ck_assert_int_gt(rtsp_message_parse(reply, sizeof reply - 1, &m), 0);
    ck_assert_str_eq(m.phrase, "Not\x01 Found\xff at rtsp://admin:"
                               "0123456789012345678901234567890123456789@10.0.0.9/");
    ck_assert_int_eq(m.cseq, -1);
    rtsp_message_clear(&m);
}
END_TEST

START_TEST(response_session_and_transport)
{
    char *id;
    unsigned t;
    ck_assert_int_eq(rtsp_parse_session(" 47112344 ", &id, &t), 0);
    ck_assert_str_eq(id, "47112344");
    ck_assert_uint_eq(t, 0);
    g_free(id);
    ck_assert_int_eq(rtsp_parse_session("abc; Timeout=65", &id, &t), 0);
    ck_assert_str_eq(id, "abc");
    ck_assert_uint_eq(t, 65);
    g_free(id);
    ck_assert_int_eq(rtsp_parse_session(";timeout=5", &id, &t), -1);
    ck_assert_ptr_null(id);
    ck_assert_int_eq(rtsp_parse_interleaved("RTP/AVP/TCP;unicast;interleaved=2-3;ssrc=1"), 2);
    ck_assert_int_eq(rtsp_parse_interleaved("RTP/AVP/TCP;unicast"), -1);
    ck_assert_int_eq(rtsp_parse_interleaved("RTP/AVP/TCP;interleaved=300-301"), -1);
}
END_TEST

/* ---- sdp ---- */

static const char GST_SDP[] = "v=0\r\n"
                              "o=- 1188340656180883 1 IN IP4 127.0.0.1\r\n"
                              "s=Session streamed with GStreamer\r\n"
                              "t=0 0\r\n"
                              "a=tool:GStreamer\r\n"
                              "a=type:broadcast\r\n"
                              "a=control:*\r\n"
                              "a=range:npt=now-\r\n"
                              "m=audio 0 RTP/AVP 0\r\n"
                              "a=control:stream=9\r\n"
                              "m=video 0 RTP/AVP 96\r\n"
                              "c=IN IP4 0.0.0.0\r\n"
                              "b=AS:1000\r\n"
                              "a=rtpmap:96 H264/90000\r\n"
                              "a=fmtp:96 packetization-mode=1;profile-level-id=42c01e;"
                              "sprop-parameter-sets=Z0LAHtoCgA==,aM48gA==\r\n"
                              "a=control:stream=0\r\n"
                              "m=video 0 RTP/AVP 97\r\n"
                              "a=rtpmap:97 H265/90000\r\n"
                              "a=control:stream=1\r\n";

START_TEST(sdp_h264)
{
    rtsp_sdp s;
    ck_assert_int_eq(rtsp_sdp_parse(GST_SDP, sizeof GST_SDP - 1, "rtsp://127.0.0.1:8554/main/", &s),
                     0);
    ck_assert_str_eq(s.encoding, "H264");
    ck_assert_str_eq(s.profile, "RTP/AVP");
    ck_assert_int_eq(s.packetization_mode, 1);
    ck_assert_str_eq(s.control, "rtsp://127.0.0.1:8554/main/stream=0");
    ck_assert_str_eq(s.aggregate, "rtsp://127.0.0.1:8554/main/");
    ck_assert_uint_eq(s.sps_len, 7);
    ck_assert_mem_eq(s.sps, SPS, sizeof SPS);
    ck_assert_uint_eq(s.pps_len, 4);
    ck_assert_mem_eq(s.pps, PPS, sizeof PPS);
    rtsp_sdp_clear(&s);
}
END_TEST

START_TEST(sdp_unpadded_parameter_sets)
{
    /* The same SPS and PPS as GST_SDP's, without the '=' padding. */
    static const char sdp[] = "v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
                              "a=fmtp:96 sprop-parameter-sets=Z0LAHtoCgA,aM48gA\r\n";
    rtsp_sdp s;
    ck_assert_int_eq(rtsp_sdp_parse(sdp, sizeof sdp - 1, "rtsp://cam/main", &s), 0);
    ck_assert_uint_eq(s.sps_len, 7);
    ck_assert_mem_eq(s.sps, SPS, sizeof SPS);
    ck_assert_uint_eq(s.pps_len, 4);
    ck_assert_mem_eq(s.pps, PPS, sizeof PPS);
    rtsp_sdp_clear(&s);
}
END_TEST

/* What pantau-test-rtsp (x265enc ! rtph265pay, gst-rtsp-server 1.22)
 * answers to DESCRIBE of a test265:320x180@10 mount. */
static const char GST_SDP_H265[] =
    "v=0\r\no=- 3295297370455740769 1 IN IP4 127.0.0.1\r\ns=Session streamed with GStreamer\r\n"
    "i=rtsp-server\r\nt=0 0\r\na=tool:GStreamer\r\na=type:broadcast\r\na=control:*\r\n"
    "a=range:npt=now-\r\nm=video 0 RTP/AVP 96\r\nc=IN IP4 0.0.0.0\r\n"
    "a=rtpmap:96 H265/90000\r\na=framerate:10\r\n"
    "a=fmtp:96 sprop-vps=QAEMAf//AWAAAAMAkAAAAwAAAwA8ugJA;"
    "sprop-sps=QgEBAWAAAAMAkAAAAwAAAwA8oAoIDB8+W6Skwv/wABAAFqDAwMCAAAADAIAAAAUE;"
    "sprop-pps=RAHAcYMS\r\na=control:stream=0\r\na=ts-refclk:local\r\n"
    "a=mediaclk:sender\r\na=ssrc:1924431570 cname:user1201564024@host-48b5865\r\n";

START_TEST(sdp_h265)
{
    static const uint8_t vps_head[] = {0x40, 0x01, 0x0c, 0x01};
    static const uint8_t sps_head[] = {0x42, 0x01, 0x01, 0x01};
    static const uint8_t pps[] = {0x44, 0x01, 0xc0, 0x71, 0x83, 0x12};
    rtsp_sdp s;
    ck_assert_int_eq(
        rtsp_sdp_parse(GST_SDP_H265, sizeof GST_SDP_H265 - 1, "rtsp://127.0.0.1:8554/h265/", &s),
        0);
    ck_assert_str_eq(s.encoding, "H265");
    ck_assert_str_eq(s.control, "rtsp://127.0.0.1:8554/h265/stream=0");
    ck_assert_uint_eq(s.vps_len, 24);
    ck_assert_mem_eq(s.vps, vps_head, sizeof vps_head);
    ck_assert_uint_eq(s.sps_len, 48);
    ck_assert_mem_eq(s.sps, sps_head, sizeof sps_head);
    ck_assert_uint_eq(s.pps_len, sizeof pps);
    ck_assert_mem_eq(s.pps, pps, sizeof pps);
    ck_assert_uint_eq(s.max_don_diff, 0);
    ck_assert_uint_eq(s.depack_buf_nalus, 0);
    rtsp_sdp_clear(&s);
}
END_TEST

START_TEST(sdp_h265_parameters)
{
    /* Decoding order numbers announced; sprop-sps lists a PPS (refused)
     * before the SPS, unpadded; sprop-pps holds a VPS (refused);
     * H.264's sprop-parameter-sets means nothing here. */
    static const char sdp[] =
        "v=0\r\nm=video 0 RTP/AVP 97\r\na=rtpmap:97 H265/90000\r\n"
        "a=fmtp:97 sprop-max-don-diff=2; sprop-depack-buf-nalus=1;"
        "sprop-sps=RAHAcYMS,QgEBAWAAAAMAkAAAAwAAAwA8oAoIDB8+W6Skwv/wABAAFqDAwMCAAAADAIAAAAUE;"
        "sprop-pps=QAEMAf//AWAAAAMAkAAAAwAAAwA8ugJA;sprop-parameter-sets=Z0LAHtoCgA,aM48gA;"
        "sprop-vps\r\n";
    rtsp_sdp s;
    ck_assert_int_eq(rtsp_sdp_parse(sdp, sizeof sdp - 1, "rtsp://cam/main", &s), 0);
    ck_assert_uint_eq(s.max_don_diff, 2);
    ck_assert_uint_eq(s.depack_buf_nalus, 1);
    ck_assert_uint_eq(s.sps_len, 48);
    ck_assert_uint_eq(s.sps[0], 0x42);
    ck_assert_ptr_null(s.pps);
    ck_assert_ptr_null(s.vps);
    rtsp_sdp_clear(&s);
    /* H.265's parameters in an H.264 fmtp mean nothing either. */
    static const char h264[] = "v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
                               "a=fmtp:96 sprop-vps=QAEMAf//AWAAAAMAkAAAAwAAAwA8ugJA;"
                               "sprop-max-don-diff=3\r\n";
    ck_assert_int_eq(rtsp_sdp_parse(h264, sizeof h264 - 1, "rtsp://cam/main", &s), 0);
    ck_assert_ptr_null(s.vps);
    ck_assert_uint_eq(s.max_don_diff, 0);
    rtsp_sdp_clear(&s);
}
END_TEST

START_TEST(sdp_h265_choice)
{
    /* H.264 wins over H.265 in one m= line; H.265 over anything else. */
    static const char both[] = "v=0\r\nm=video 0 RTP/AVP 97 96\r\na=rtpmap:97 H265/90000\r\n"
                               "a=rtpmap:96 H264/90000\r\n";
    static const char vp8[] = "v=0\r\nm=video 0 RTP/AVP 98 97\r\na=rtpmap:98 VP8/90000\r\n"
                              "a=rtpmap:97 H265/90000\r\na=fmtp:97 sprop-pps=RAHAcYMS\r\n";
    rtsp_sdp s;
    ck_assert_int_eq(rtsp_sdp_parse(both, sizeof both - 1, "rtsp://cam/x", &s), 0);
    ck_assert_str_eq(s.encoding, "H264");
    rtsp_sdp_clear(&s);
    ck_assert_int_eq(rtsp_sdp_parse(vp8, sizeof vp8 - 1, "rtsp://cam/x", &s), 0);
    ck_assert_str_eq(s.encoding, "H265");
    ck_assert_uint_eq(s.pps_len, 6);
    rtsp_sdp_clear(&s);
}
END_TEST

START_TEST(sdp_other_codecs)
{
    static const char h265[] = "v=0\nm=video 0 RTP/AVP 96\na=rtpmap:96 H265/90000\n"
                               "a=control:rtsp://cam/h265/track1\n";
    rtsp_sdp s;
    ck_assert_int_eq(rtsp_sdp_parse(h265, sizeof h265 - 1, "rtsp://cam/h265", &s), 0);
    ck_assert_str_eq(s.encoding, "H265");
    ck_assert_str_eq(s.control, "rtsp://cam/h265/track1");
    ck_assert_ptr_null(s.sps);
    rtsp_sdp_clear(&s);
    static const char jpeg[] = "v=0\r\nm=video 0 RTP/AVP 26\r\n";
    ck_assert_int_eq(rtsp_sdp_parse(jpeg, sizeof jpeg - 1, "rtsp://cam/x", &s), 0);
    ck_assert_str_eq(s.encoding, "JPEG");
    rtsp_sdp_clear(&s);
    /* The H264 one of several payload types is chosen. */
    static const char two[] = "v=0\r\nm=video 0 RTP/SAVP 98 96\r\na=rtpmap:98 VP8/90000\r\n"
                              "a=rtpmap:96 h264/90000\r\na=fmtp:96 packetization-mode=0\r\n";
    ck_assert_int_eq(rtsp_sdp_parse(two, sizeof two - 1, "rtsp://cam/x", &s), 0);
    ck_assert_str_eq(s.encoding, "h264");
    ck_assert_str_eq(s.profile, "RTP/SAVP");
    rtsp_sdp_clear(&s);
}
END_TEST

START_TEST(sdp_without_video)
{
    static const char audio[] = "v=0\r\nm=audio 0 RTP/AVP 0\r\na=control:trackID=1\r\n";
    static const char empty_m[] = "v=0\r\nm=video 0 RTP/AVP\r\n";
    rtsp_sdp s;
    ck_assert_int_eq(rtsp_sdp_parse(audio, sizeof audio - 1, "rtsp://cam/x", &s), -1);
    ck_assert_int_eq(s.have_video, 0);
    rtsp_sdp_clear(&s);
    ck_assert_int_eq(rtsp_sdp_parse(empty_m, sizeof empty_m - 1, "rtsp://cam/x", &s), -1);
    rtsp_sdp_clear(&s);
    ck_assert_int_eq(rtsp_sdp_parse("", 0, "rtsp://cam/x", &s), -1);
    rtsp_sdp_clear(&s);
}
END_TEST

START_TEST(sdp_hostile_values)
{
    static const char sdp[] = "m=video 0 RTP/AVP 96 96 96 96 96 96 96 96 96 96 96 96 96 96 96 96 "
                              "96 96 999 x\r\n"
                              "a=rtpmap:96 H264\x01/90000\r\n"
                              "a=rtpmap:\r\n"
                              "a=fmtp:96 sprop-parameter-sets=!!!,,=;packetization-mode\r\n"
                              "a=fmtp:96\r\n"
                              "a=control:\r\n";
    rtsp_sdp s;
    ck_assert_int_eq(rtsp_sdp_parse(sdp, sizeof sdp - 1, "rtsp://cam/x", &s), 0);
    ck_assert_str_eq(s.encoding, "H264?");
    ck_assert_str_eq(s.control, "rtsp://cam/x");
    ck_assert_ptr_null(s.sps);
    rtsp_sdp_clear(&s);
}
END_TEST

/* ---- auth ---- */

/* RFC 2617 §3.5. */
START_TEST(auth_rfc2617_example)
{
    rtsp_auth a;
    ck_assert_int_eq(rtsp_auth_parse("Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
                                     "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
                                     "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
                                     &a),
                     0);
    ck_assert_int_eq(a.scheme, RTSP_AUTH_DIGEST);
    ck_assert_str_eq(a.realm, "testrealm@host.com");
    ck_assert_int_eq(a.qop_auth, 1);
    char *h =
        rtsp_auth_header(&a, "Mufasa", "Circle Of Life", "GET", "/dir/index.html", "0a4f113b");
    ck_assert_str_eq(h, "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
                        "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
                        "response=\"6629fae49393a05397450978507c4ef1\", "
                        "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", qop=auth, nc=00000001, "
                        "cnonce=\"0a4f113b\"");
    g_free(h);
    /* The nonce count advances. */
    h = rtsp_auth_header(&a, "Mufasa", "Circle Of Life", "GET", "/dir/index.html", "0a4f113b");
    ck_assert_ptr_nonnull(strstr(h, "nc=00000002"));
    g_free(h);
    rtsp_auth_clear(&a);
}
END_TEST

START_TEST(auth_digest_without_qop)
{
    /* RFC 2069 style, as most cameras send it; the expected response is
     * MD5(MD5(u:r:p):n:MD5(DESCRIBE:rtsp://cam/x)). */
    rtsp_auth a;
    ck_assert_int_eq(
        rtsp_auth_parse("Digest realm=\"r\", nonce=\"n\", algorithm=MD5, stale=TRUE", &a), 0);
    ck_assert_int_eq(a.stale, 1);
    char *ha1 = g_compute_checksum_for_string(G_CHECKSUM_MD5, "u:r:p", -1);
    char *ha2 = g_compute_checksum_for_string(G_CHECKSUM_MD5, "DESCRIBE:rtsp://cam/x", -1);
    char *kd = g_strjoin(":", ha1, "n", ha2, NULL);
    char *resp = g_compute_checksum_for_string(G_CHECKSUM_MD5, kd, -1);
    char *want = g_strdup_printf("Digest username=\"u\", realm=\"r\", nonce=\"n\", "
                                 "uri=\"rtsp://cam/x\", response=\"%s\", algorithm=MD5",
                                 resp);
    char *h = rtsp_auth_header(&a, "u", "p", "DESCRIBE", "rtsp://cam/x", NULL);
    ck_assert_str_eq(h, want);
    g_free(h);
    g_free(want);
    g_free(resp);
    g_free(kd);
    g_free(ha2);
    g_free(ha1);
    rtsp_auth_clear(&a);
}
END_TEST

START_TEST(auth_basic_and_quoting)
{
    rtsp_auth a;
    ck_assert_int_eq(rtsp_auth_parse("Basic realm=\"cam\"", &a), 0);
    ck_assert_int_eq(a.scheme, RTSP_AUTH_BASIC);
    char *h = rtsp_auth_header(&a, "Aladdin", "open sesame", "DESCRIBE", "rtsp://x/", NULL);
    ck_assert_str_eq(h, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    g_free(h);
    rtsp_auth_clear(&a);
    /* Quotes are escaped and control characters dropped. */
    ck_assert_int_eq(rtsp_auth_parse("Digest realm=\"a\\\"b\", nonce=\"x\r\ny\"", &a), 0);
    ck_assert_str_eq(a.realm, "a\"b");
    h = rtsp_auth_header(&a, "evil\"\r\nX: 1", "p", "PLAY", "rtsp://x/", NULL);
    ck_assert_ptr_null(strchr(h, '\r'));
    ck_assert_ptr_null(strchr(h, '\n'));
    ck_assert_ptr_nonnull(strstr(h, "username=\"evil\\\"X: 1\", realm=\"a\\\"b\", nonce=\"xy\""));
    g_free(h);
    rtsp_auth_clear(&a);
}
END_TEST

START_TEST(auth_choose)
{
    rtsp_message m;
    static const char reply[] = "RTSP/1.0 401 Unauthorized\r\nCSeq: 2\r\n"
                                "WWW-Authenticate: Basic realm=\"b\"\r\n"
                                "WWW-Authenticate: Digest realm=\"d\", nonce=\"1\", "
                                "algorithm=MD5-sess\r\n"
                                "WWW-Authenticate: Digest realm=\"d\", nonce=\"2\", "
                                "algorithm=SHA-256\r\n\r\n";
    ck_assert_int_gt(rtsp_message_parse(reply, sizeof reply - 1, &m), 0);
    rtsp_auth a;
    ck_assert_int_eq(rtsp_auth_choose(&m, &a), 0);
    ck_assert_int_eq(a.scheme, RTSP_AUTH_DIGEST);
    ck_assert_int_eq(a.sha256, 1);
    ck_assert_str_eq(a.nonce, "2");
    char *h = rtsp_auth_header(&a, "u", "p", "DESCRIBE", "rtsp://x/", NULL);
    ck_assert_ptr_nonnull(strstr(h, "algorithm=SHA-256"));
    /* 64 hex digits: SHA-256. */
    const char *r = strstr(h, "response=\"") + 10;
    ck_assert_uint_eq(strcspn(r, "\""), 64);
    g_free(h);
    rtsp_auth_clear(&a);
    rtsp_message_clear(&m);
    static const char unknown[] = "RTSP/1.0 401 Unauthorized\r\n"
                                  "WWW-Authenticate: Negotiate abc\r\n"
                                  "WWW-Authenticate: Digest realm=\"d\"\r\n\r\n";
    ck_assert_int_gt(rtsp_message_parse(unknown, sizeof unknown - 1, &m), 0);
    ck_assert_int_eq(rtsp_auth_choose(&m, &a), -1);
    ck_assert_int_eq(a.scheme, RTSP_AUTH_NONE);
    rtsp_message_clear(&m);
}
END_TEST

static Suite *rtsp_suite(void)
{
    Suite *s = suite_create("rtsp");
    TCase *depay = tcase_create("depay");
    tcase_set_timeout(depay, 30);
    tcase_add_test(depay, depay_single_nal_units);
    tcase_add_test(depay, depay_stap_a_and_fu_a);
    tcase_add_test(depay, depay_drops_nal_types_without_meaning);
    tcase_add_test(depay, depay_waits_for_the_first_idr);
    tcase_add_test(depay, depay_inserts_parameter_sets);
    tcase_add_test(depay, depay_completes_partial_in_band_sets);
    tcase_add_test(depay, depay_timestamp_change_ends_an_au);
    tcase_add_test(depay, depay_drops_a_repeated_picture);
    tcase_add_test(depay, depay_gap_drops_until_idr);
    tcase_add_test(depay, depay_keyframe_right_after_a_gap_is_kept);
    tcase_add_test(depay, depay_sequence_and_timestamp_wrap);
    tcase_add_test(depay, depay_rejects_bad_packets);
    tcase_add_test(depay, depay_survives_hostile_payloads);
    tcase_add_test(depay, depay_caps_huge_access_units);
    tcase_add_test(depay, depay_huge_timestamp_jumps);
    tcase_add_test(depay, depay_fuzz);
    suite_add_tcase(s, depay);
    TCase *url = tcase_create("url");
    tcase_add_test(url, url_full);
    tcase_add_test(url, url_defaults_and_ipv6);
    tcase_add_test(url, url_rejects_bad_ones);
    tcase_add_test(url, url_resolve);
    suite_add_tcase(s, url);
    TCase *response = tcase_create("response");
    tcase_add_test(response, response_parse);
    tcase_add_test(response, response_incomplete_and_bare_lf);
    tcase_add_test(response, response_requests_and_malformed);
    tcase_add_test(response, response_phrase_is_kept_whole);
    tcase_add_test(response, response_too_many_headers);
    tcase_add_test(response, response_session_and_transport);
    suite_add_tcase(s, response);
    TCase *sdp = tcase_create("sdp");
    tcase_add_test(sdp, sdp_h264);
    tcase_add_test(sdp, sdp_unpadded_parameter_sets);
    tcase_add_test(sdp, sdp_h265);
    tcase_add_test(sdp, sdp_h265_parameters);
    tcase_add_test(sdp, sdp_h265_choice);
    tcase_add_test(sdp, sdp_other_codecs);
    tcase_add_test(sdp, sdp_without_video);
    tcase_add_test(sdp, sdp_hostile_values);
    suite_add_tcase(s, sdp);
    TCase *auth = tcase_create("auth");
    tcase_add_test(auth, auth_rfc2617_example);
    tcase_add_test(auth, auth_digest_without_qop);
    tcase_add_test(auth, auth_basic_and_quoting);
    tcase_add_test(auth, auth_choose);
    suite_add_tcase(s, auth);
    return s;
}

int main(int argc, char **argv)
{
    return pt_check_run(rtsp_suite(), argc, argv);
}
