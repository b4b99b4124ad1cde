/* Unit tests of the RTP H.265 depacketiser (rtp_h265_depay.c, RFC 7798):
 * single NAL unit packets, aggregation packets, fragmentation units, the
 * parameter sets put in front of every IRAP access unit, loss, and hostile
 * input. The VPS, SPS and PPS are the ones pantau-test-rtsp's test265:
 * mount (x265) announces in its SDP; the slices are short made-up ones
 * (only their NAL headers matter to the depacketiser). */
#include "pt_check.h"
#include "rtp_test_util.h"
#include "rtsp_client.h"

#include <glib.h>
#include <string.h>

/* ---- test data ---- */

static const uint8_t VPS[] = {0x40, 0x01, 0x0c, 0x01, 0xff, 0xff, 0x01, 0x60,
                              0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03,
                              0x00, 0x00, 0x03, 0x00, 0x3c, 0xba, 0x02, 0x40};
static const uint8_t SPS[] = {
    0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03,
    0x00, 0x3c, 0xa0, 0x0a, 0x08, 0x0c, 0x1f, 0x3e, 0x5b, 0xa4, 0xa4, 0xc2, 0xff, 0xf0, 0x00, 0x10,
    0x00, 0x16, 0xa0, 0xc0, 0xc0, 0xc0, 0x80, 0x00, 0x00, 0x03, 0x00, 0x80, 0x00, 0x00, 0x05, 0x04};
static const uint8_t PPS[] = {0x44, 0x01, 0xc0, 0x71, 0x83, 0x12};
/* Other parameter sets, as an SDP might announce them. */
static const uint8_t SDP_VPS[] = {0x40, 0x01, 0x0c, 0x11};
static const uint8_t SDP_SPS[] = {0x42, 0x01, 0x01, 0x22};
static const uint8_t SDP_PPS[] = {0x44, 0x01, 0xc1};
static const uint8_t IDR[] = {0x26, 0x01, 0xaf, 0x06, 0x38, 0x5b}; /* IDR_W_RADL (19) */
static const uint8_t CRA[] = {0x2a, 0x01, 0xaf, 0x0c, 0x11};       /* CRA_NUT (21) */
static const uint8_t TRAIL[] = {0x02, 0x01, 0xd0, 0x09, 0x78};     /* TRAIL_R (1) */
static const uint8_t SEI[] = {0x4e, 0x01, 0x05, 0x01, 0x80};       /* prefix SEI (39) */
static const uint8_t AUD[] = {0x46, 0x01, 0x50};                   /* AUD (35) */

/* An aggregation packet (type 48) of the NAL units given (NULL-ended
 * pairs of pointer and size); returns its length. */
static size_t ap(uint8_t *out, const uint8_t *nal, size_t n, ...)
{
    size_t o = 0;
    out[o++] = 48 << 1;
    out[o++] = 0x01; /* layer 0, TID 0 */
    va_list args;
    va_start(args, n);
    while (nal) {
        out[o++] = (uint8_t)(n >> 8);
        out[o++] = (uint8_t)n;
        memcpy(out + o, nal, n);
        o += n;
        nal = va_arg(args, const uint8_t *);
        n = nal ? va_arg(args, size_t) : 0;
    }
    va_end(args);
    return o;
}

/* One fragmentation unit (type 49) of nal: bytes [from, to) of its payload
 * (after its two header bytes). */
static size_t fu(uint8_t *out, const uint8_t *nal, size_t from, size_t to, int start, int end)
{
    out[0] = (uint8_t)((nal[0] & 0x81) | 49 << 1);
    out[1] = nal[1];
    out[2] = (uint8_t)((start ? 0x80 : 0) | (end ? 0x40 : 0) | ((nal[0] >> 1) & 0x3f));
    memcpy(out + 3, nal + 2 + from, to - from);
    return 3 + to - from;
}

static rtp_depay *with_sdp_sets(void)
{
    return rtp_h265_depay_new(N(SDP_VPS), N(SDP_SPS), N(SDP_PPS));
}

static rtp_depay *without_sdp_sets(void)
{
    return rtp_h265_depay_new(NULL, 0, NULL, 0, NULL, 0);
}

/* ---- depay ---- */

START_TEST(single_nal_units)
{
    got g = {0};
    rtp_depay *d = without_sdp_sets();
    push(d, &g, 1, 1000, 0, N(VPS));
    push(d, &g, 2, 1000, 0, N(SPS));
    push(d, &g, 3, 1000, 0, N(PPS));
    push(d, &g, 4, 1000, 0, N(SEI));
    push(d, &g, 5, 1000, 1, N(IDR));
    ck_assert_uint_eq(g.n, 1);
    ck_assert_int_eq(g.keyframe, 1);
    ck_assert_int_eq(g.pts[0], 0);
    assert_au(&g, N(VPS), N(SPS), N(PPS), N(SEI), N(IDR), NULL);
    push(d, &g, 6, 10000, 1, N(TRAIL));
    ck_assert_uint_eq(g.n, 2);
    ck_assert_int_eq(g.keyframe, 0);
    ck_assert_int_eq(g.pts[1], 100000);
    assert_au(&g, N(TRAIL), NULL);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

START_TEST(aggregation_and_fragmentation)
{
    got g = {0};
    uint8_t big[3000], pl[3100];
    big[0] = 0x26; /* IDR_W_RADL */
    big[1] = 0x01;
    for (size_t i = 2; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7);
    rtp_depay *d = without_sdp_sets();
    push(d, &g, 10, 90000, 0, pl, ap(pl, N(VPS), N(SPS), N(PPS), NULL));
    push(d, &g, 11, 90000, 0, pl, fu(pl, big, 0, 1000, 1, 0));
    push(d, &g, 12, 90000, 0, pl, fu(pl, big, 1000, 2000, 0, 0));
    ck_assert_uint_eq(g.n, 0);
    push(d, &g, 13, 90000, 1, pl, fu(pl, big, 2000, sizeof big - 2, 0, 1));
    ck_assert_uint_eq(g.n, 1);
    ck_assert_int_eq(g.keyframe, 1);
    assert_au(&g, N(VPS), N(SPS), N(PPS), N(big), NULL);
    /* A trailing picture in one FU start-and-end packet. */
    push(d, &g, 14, 93000, 1, pl, fu(pl, TRAIL, 0, sizeof TRAIL - 2, 1, 1));
    ck_assert_uint_eq(g.n, 2);
    ck_assert_int_eq(g.keyframe, 0);
    assert_au(&g, N(TRAIL), NULL);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

START_TEST(fragment_header_rebuilt)
{
    /* nuh_layer_id 33 (its top bit in the first byte) and TemporalId 2:
     * the rebuilt NAL header keeps them; the FU's own type goes. */
    static const uint8_t layered[] = {0x03, 0x0b, 0x11, 0x22, 0x33}; /* TRAIL_R */
    got g = {0};
    uint8_t pl[64];
    rtp_depay *d = with_sdp_sets();
    push(d, &g, 1, 0, 1, N(IDR));
    push(d, &g, 2, 3000, 0, pl, fu(pl, layered, 0, 1, 1, 0));
    ck_assert_uint_eq(pl[0], 0x63);
    push(d, &g, 3, 3000, 1, pl, fu(pl, layered, 1, 3, 0, 1));
    ck_assert_uint_eq(g.n, 2);
    assert_au(&g, N(layered), NULL);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

START_TEST(waits_for_the_first_irap)
{
    got g = {0};
    uint8_t pl[256];
    rtp_depay *d = without_sdp_sets();
    push(d, &g, 1, 0, 1, N(TRAIL));
    push(d, &g, 2, 3000, 1, N(TRAIL));
    ck_assert_uint_eq(g.n, 0);
    /* An IRAP with no parameter sets known anywhere cannot be decoded;
     * nor one that lacks the VPS. */
    push(d, &g, 3, 6000, 1, N(IDR));
    push(d, &g, 4, 9000, 0, pl, ap(pl, N(SPS), N(PPS), NULL));
    push(d, &g, 5, 9000, 1, N(IDR));
    ck_assert_uint_eq(g.n, 0);
    /* A CRA picture is a keyframe too. */
    push(d, &g, 6, 12000, 0, pl, ap(pl, N(VPS), N(SPS), N(PPS), NULL));
    push(d, &g, 7, 12000, 1, N(CRA));
    ck_assert_uint_eq(g.n, 1);
    ck_assert_int_eq(g.keyframe, 1);
    ck_assert_int_eq(g.pts[0], 12000 * 100 / 9);
    assert_au(&g, N(VPS), N(SPS), N(PPS), N(CRA), NULL);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

START_TEST(inserts_parameter_sets)
{
    got g = {0};
    uint8_t pl[256];
    rtp_depay *d = with_sdp_sets();
    /* The SDP's sets go in front of an IRAP that has none... */
    push(d, &g, 1, 0, 0, N(AUD));
    push(d, &g, 2, 0, 1, N(IDR));
    ck_assert_uint_eq(g.n, 1);
    assert_au(&g, N(SDP_VPS), N(SDP_SPS), N(SDP_PPS), N(IDR), NULL);
    /* ...in-band ones are kept as they come... */
    push(d, &g, 3, 3000, 0, pl, ap(pl, N(VPS), N(SPS), N(PPS), NULL));
    push(d, &g, 4, 3000, 1, N(IDR));
    assert_au(&g, N(VPS), N(SPS), N(PPS), N(IDR), NULL);
    /* ...and then preferred over the SDP's, before every IRAP. */
    push(d, &g, 5, 6000, 1, N(TRAIL));
    push(d, &g, 6, 9000, 1, N(CRA));
    ck_assert_uint_eq(g.n, 4);
    assert_au(&g, N(VPS), N(SPS), N(PPS), N(CRA), NULL);
    /* An IRAP with only its SPS in band gets all three in front (the new
     * SPS among them, more than the headroom kept: the AU moves). */
    uint8_t big_sps[300];
    big_sps[0] = 0x42;
    big_sps[1] = 0x01;
    memset(big_sps + 2, 0x5a, sizeof big_sps - 2);
    push(d, &g, 7, 12000, 0, N(big_sps));
    push(d, &g, 8, 12000, 1, N(IDR));
    ck_assert_uint_eq(g.n, 5);
    assert_au(&g, N(VPS), N(big_sps), N(PPS), N(big_sps), N(IDR), NULL);
    /* Parameter sets alone are not an access unit. */
    push(d, &g, 9, 15000, 1, pl, ap(pl, N(VPS), N(SPS), N(PPS), NULL));
    ck_assert_uint_eq(g.n, 5);
    /* Sets after the IRAP slice come too late for its decoder: the
     * remembered ones go in front as well. */
    push(d, &g, 10, 18000, 0, N(IDR));
    push(d, &g, 11, 18000, 1, pl, ap(pl, N(VPS), N(SPS), N(PPS), NULL));
    ck_assert_uint_eq(g.n, 6);
    assert_au(&g, N(VPS), N(SPS), N(PPS), N(IDR), N(VPS), N(SPS), N(PPS), NULL);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

START_TEST(drops_nal_types_without_meaning)
{
    /* Inside an AP: an AUD, a nested AP header (48), an FU header (49),
     * PACI (50), type 63, a unit with the forbidden bit, one with
     * TemporalId -1 and a one-byte unit, around the IRAP; only the IRAP
     * (after the parameter sets) comes out. */
    static const uint8_t nested_ap[] = {0x60, 0x01, 0x00, 0x02, 0x26, 0x01};
    static const uint8_t fu_hdr[] = {0x62, 0x01, 0x93, 0x44};
    static const uint8_t paci[] = {0x64, 0x01, 0x11, 0x22};
    static const uint8_t type63[] = {0x7e, 0x01, 0x42};
    static const uint8_t forbidden[] = {0xa6, 0x01, 0x42};
    static const uint8_t tid_zero[] = {0x26, 0x00, 0x42};
    static const uint8_t one_byte[] = {0x26};
    got g = {0};
    uint8_t pl[256];
    rtp_depay *d = with_sdp_sets();
    push(d, &g, 1, 1000, 0, pl, ap(pl, N(AUD), N(nested_ap), N(fu_hdr), N(paci), NULL));
    push(d, &g, 2, 1000, 0, pl, ap(pl, N(type63), N(forbidden), N(tid_zero), N(one_byte), NULL));
    push(d, &g, 3, 1000, 1, pl, ap(pl, N(IDR), N(type63), NULL));
    ck_assert_uint_eq(g.n, 1);
    ck_assert_int_eq(g.keyframe, 1);
    assert_au(&g, N(SDP_VPS), N(SDP_SPS), N(SDP_PPS), N(IDR), NULL);
    /* A PACI packet is ignored whole; so is a single-NAL packet of a
     * type that has no meaning. */
    push(d, &g, 4, 2000, 0, N(paci));
    push(d, &g, 5, 2000, 0, N(type63));
    push(d, &g, 6, 2000, 1, N(TRAIL));
    ck_assert_uint_eq(g.n, 2);
    assert_au(&g, N(TRAIL), NULL);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

START_TEST(gap_drops_until_irap)
{
    got g = {0};
    uint8_t big[2000], pl[2100];
    big[0] = 0x28; /* IDR_N_LP */
    big[1] = 0x01;
    memset(big + 2, 0xab, sizeof big - 2);
    rtp_depay *d = with_sdp_sets();
    push(d, &g, 1, 0, 1, N(IDR));
    ck_assert_uint_eq(g.n, 1);
    /* seq 3 lost (the first half of a picture at 3000 was seq 2). */
    push(d, &g, 2, 3000, 0, N(TRAIL));
    push(d, &g, 4, 3000, 1, N(TRAIL));
    push(d, &g, 5, 6000, 1, N(TRAIL));
    ck_assert_uint_eq(g.n, 1);
    /* A loss inside an IRAP: its remaining fragments make no AU. */
    push(d, &g, 6, 9000, 0, pl, fu(pl, big, 0, 600, 1, 0));
    push(d, &g, 8, 9000, 1, pl, fu(pl, big, 1200, sizeof big - 2, 0, 1));
    push(d, &g, 9, 12000, 1, N(TRAIL));
    ck_assert_uint_eq(g.n, 1);
    push(d, &g, 10, 15000, 0, pl, fu(pl, big, 0, 600, 1, 0));
    push(d, &g, 11, 15000, 1, pl, fu(pl, big, 600, sizeof big - 2, 0, 1));
    ck_assert_uint_eq(g.n, 2);
    ck_assert_int_eq(g.keyframe, 1);
    assert_au(&g, N(SDP_VPS), N(SDP_SPS), N(SDP_PPS), N(big), NULL);
    push(d, &g, 12, 18000, 1, N(TRAIL));
    ck_assert_uint_eq(g.n, 3);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

START_TEST(keyframe_right_after_a_gap_is_kept)
{
    got g = {0};
    uint8_t pl[256];
    rtp_depay *d = with_sdp_sets();
    push(d, &g, 1, 0, 1, N(IDR));
    push(d, &g, 2, 3000, 1, N(TRAIL));
    ck_assert_uint_eq(g.n, 2);
    /* seq 3 and 4 lost; seq 5 begins an IRAP AU with an AP of VPS, SPS
     * and PPS. */
    push(d, &g, 5, 9000, 0, pl, ap(pl, N(VPS), N(SPS), N(PPS), NULL));
    push(d, &g, 6, 9000, 1, N(CRA));
    ck_assert_uint_eq(g.n, 3);
    ck_assert_int_eq(g.keyframe, 1);
    assert_au(&g, N(VPS), N(SPS), N(PPS), N(CRA), NULL);
    /* The same after a gap into a lone VPS; but a trailing picture after a
     * gap, or an AP that begins with an SPS, still waits for a keyframe. */
    push(d, &g, 9, 12000, 1, N(TRAIL));
    push(d, &g, 11, 13000, 0, pl, ap(pl, N(SPS), N(PPS), NULL));
    push(d, &g, 12, 13000, 1, N(IDR));
    ck_assert_uint_eq(g.n, 3);
    push(d, &g, 14, 15000, 0, N(VPS));
    push(d, &g, 15, 15000, 0, N(SPS));
    push(d, &g, 16, 15000, 0, N(PPS));
    push(d, &g, 17, 15000, 1, N(IDR));
    ck_assert_uint_eq(g.n, 4);
    assert_au(&g, N(VPS), N(SPS), N(PPS), N(IDR), NULL);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

START_TEST(timestamp_change_ends_an_au)
{
    got g = {0};
    rtp_depay *d = with_sdp_sets();
    push(d, &g, 1, 0, 0, N(IDR));
    ck_assert_uint_eq(g.n, 0);
    push(d, &g, 2, 3000, 0, N(TRAIL));
    ck_assert_uint_eq(g.n, 1);
    ck_assert_int_eq(g.keyframe, 1);
    push(d, &g, 3, 6000, 0, N(TRAIL));
    ck_assert_uint_eq(g.n, 2);
    ck_assert_int_eq(g.keyframe, 0);
    ck_assert_int_eq(g.pts[1], 33333);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

/* ---- hostile input ---- */

START_TEST(hostile_payloads)
{
    got g = {0};
    uint8_t pl[64];
    rtp_depay *d = with_sdp_sets();
    push(d, &g, 1, 0, 1, N(IDR));
    ck_assert_uint_eq(g.n, 1);
    /* An FU middle without a start. */
    push(d, &g, 2, 3000, 1, pl, fu(pl, TRAIL, 1, 3, 0, 1));
    /* An AP whose second size runs past the end. */
    size_t n = ap(pl, N(TRAIL), N(TRAIL), NULL);
    pl[2 + 2 + sizeof TRAIL + 1] = 200;
    push(d, &g, 3, 6000, 1, pl, n);
    /* Payloads too short for their header: one byte, a two-byte FU, an
     * AP with half a size. */
    static const uint8_t one[] = {0x02};
    static const uint8_t fu_short[] = {0x62, 0x01};
    static const uint8_t ap_short[] = {0x60, 0x01, 0x00};
    push(d, &g, 4, 9000, 0, N(one));
    push(d, &g, 5, 9000, 0, N(fu_short));
    push(d, &g, 6, 9000, 1, N(ap_short));
    ck_assert_uint_eq(g.n, 1);
    /* An FU start inside an open one; an FU of type 48 (unusable). */
    push(d, &g, 7, 12000, 0, pl, fu(pl, IDR, 0, 2, 1, 0));
    push(d, &g, 8, 12000, 1, pl, fu(pl, IDR, 2, 4, 1, 1));
    static const uint8_t fu_of_ap[] = {0x62, 0x01, 0xf0, 0x11};
    push(d, &g, 9, 15000, 1, N(fu_of_ap));
    ck_assert_uint_eq(g.n, 1);
    /* A single NAL unit while an FU is open loses the picture. */
    push(d, &g, 10, 18000, 0, pl, fu(pl, IDR, 0, 2, 1, 0));
    push(d, &g, 11, 18000, 1, N(TRAIL));
    ck_assert_uint_eq(g.n, 1);
    /* A picture whose last FU never ended is dropped at the next one. */
    push(d, &g, 12, 21000, 0, pl, fu(pl, IDR, 0, 2, 1, 0));
    push(d, &g, 13, 24000, 1, N(IDR));
    ck_assert_uint_eq(g.n, 2);
    assert_au(&g, N(SDP_VPS), N(SDP_SPS), N(SDP_PPS), N(IDR), NULL);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

START_TEST(hostile_huge_access_unit)
{
    got g = {0};
    enum { FRAG = 1400 };
    uint8_t nal[FRAG + 2], pl[FRAG + 3];
    nal[0] = 0x26;
    nal[1] = 0x01;
    memset(nal + 2, 0x5a, FRAG);
    rtp_depay *d = with_sdp_sets();
    uint16_t seq = 1;
    /* 9 MiB in one FU NAL unit: dropped at 8 MiB. */
    push(d, &g, seq++, 0, 0, pl, fu(pl, nal, 0, FRAG, 1, 0));
    for (int i = 0; i < 9 * 1024 * 1024 / FRAG; i++)
        push(d, &g, seq++, 0, 0, pl, fu(pl, nal, 0, FRAG, 0, 0));
    push(d, &g, seq++, 0, 1, pl, fu(pl, nal, 0, FRAG, 0, 1));
    ck_assert_uint_eq(g.n, 0);
    push(d, &g, seq++, 3000, 1, N(IDR));
    ck_assert_uint_eq(g.n, 1);
    assert_au(&g, N(SDP_VPS), N(SDP_SPS), N(SDP_PPS), N(IDR), NULL);
    rtp_depay_free(d);
    got_clear(&g);
}
END_TEST

/* Every AU of random input is Annex B: a start code, no NAL unit shorter
 * than its header, and a keyframe begins with VPS, SPS and PPS. */
static void check_fuzz_au(void *user, const uint8_t *au, size_t len, int keyframe, int64_t pts)
{
    (void)pts;
    unsigned *count = user;
    ck_assert_uint_ge(len, 6);
    ck_assert_mem_eq(au, "\0\0\0\1", 4);
    if (keyframe)
        ck_assert_uint_eq((au[4] >> 1) & 0x3f, 32);
    for (size_t i = 4; i + 4 <= len; i++)
        if (!memcmp(au + i, "\0\0\0\1", 4))
            ck_assert_uint_ge(len - i, 6);
    (*count)++;
}

/* Random packets: mostly valid headers and every payload type, with
 * random sizes, fragment bits and sequence gaps. */
static size_t fuzz_packet(GRand *r, uint8_t *pkt, size_t cap, int i)
{
    static const uint8_t types[] = {1, 19, 21, 32, 33, 34, 35, 39, 48, 49, 49, 49, 50, 63};
    static const uint8_t fu_types[] = {1, 19, 21, 33, 48};
    size_t len = (size_t)g_rand_int_range(r, 0, (gint32)cap);
    for (size_t k = 0; k < len; k++)
        pkt[k] = (uint8_t)g_rand_int(r);
    if (len < 15 || i % 10 == 0)
        return len; /* sometimes garbage headers too */
    uint16_t seq = (uint16_t)(i % 50 ? (guint32)i : g_rand_int(r));
    rtp_header(pkt, seq, (uint32_t)(i / 4) * 3000, pkt[1] >> 7);
    pkt[12] = (uint8_t)(types[g_rand_int_range(r, 0, G_N_ELEMENTS(types))] << 1);
    pkt[13] = 0x01;
    pkt[14] =
        (uint8_t)((pkt[14] & 0xc0) | fu_types[g_rand_int_range(r, 0, G_N_ELEMENTS(fu_types))]);
    return len;
}

START_TEST(hostile_random_packets)
{
    GRand *r = g_rand_new_with_seed(7798);
    unsigned count = 0;
    uint8_t pkt[1600];
    for (int round = 0; round < 200; round++) {
        rtp_depay *d = with_sdp_sets();
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

static Suite *h265_depay_suite(void)
{
    Suite *s = suite_create("rtp_h265");
    TCase *depay = tcase_create("depay");
    tcase_add_test(depay, single_nal_units);
    tcase_add_test(depay, aggregation_and_fragmentation);
    tcase_add_test(depay, fragment_header_rebuilt);
    tcase_add_test(depay, waits_for_the_first_irap);
    tcase_add_test(depay, inserts_parameter_sets);
    tcase_add_test(depay, drops_nal_types_without_meaning);
    tcase_add_test(depay, gap_drops_until_irap);
    tcase_add_test(depay, keyframe_right_after_a_gap_is_kept);
    tcase_add_test(depay, timestamp_change_ends_an_au);
    suite_add_tcase(s, depay);
    TCase *hostile = tcase_create("hostile");
    tcase_set_timeout(hostile, 30);
    tcase_add_test(hostile, hostile_payloads);
    tcase_add_test(hostile, hostile_huge_access_unit);
    tcase_add_test(hostile, hostile_random_packets);
    suite_add_tcase(s, hostile);
    return s;
}

int main(int argc, char **argv)
{
    return pt_check_run(h265_depay_suite(), argc, argv);
}
