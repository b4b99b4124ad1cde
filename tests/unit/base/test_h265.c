/* test_h265.c - the H.265 Annex B helpers (core/src/base/h265.c): NAL unit
 * headers, keyframes (IRAP) and parameter sets, the WebCodecs codec string
 * and the picture size.
 *
 * The real parameter sets are x265's (GStreamer 1.22 x265enc, byte-stream,
 * one access unit per buffer; the slices cut short, only their headers
 * matter here) and the sprop-sps that pantau-test-rtsp's test265: mount
 * puts in its SDP. The expected codec strings were checked against the
 * hvcC record GStreamer's h265parse writes for the same streams (profile
 * space, tier, idc, compatibility flags, constraint bytes, level), and the
 * sizes against its caps. Hand-made SPS are written field by field with a
 * bit writer (emulation prevention added), for what x265 never writes and
 * for hostile input, which must be refused without a crash. */
#include "h264.h"
#include "h265.h"
#include "test_util.h"

#include <glib.h>
#include <string.h>

/* ---- test data ---- */

/* x265 main 1280x720: VPS, SPS, PPS, prefix SEI and IDR_N_LP slice (both cut short) */
static const uint8_t main_idr[] = {
    0x00, 0x00, 0x00, 0x01, 0x40, 0x01, 0x0c, 0x01, 0xff, 0xff, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00,
    0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x5d, 0xba, 0x02, 0x40, 0x00, 0x00, 0x00, 0x01,
    0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03,
    0x00, 0x5d, 0xa0, 0x02, 0x80, 0x80, 0x2d, 0x16, 0x5b, 0xa4, 0xa4, 0xc2, 0xff, 0xf0, 0x00, 0x10,
    0x00, 0x16, 0xa0, 0x20, 0x20, 0x20, 0x80, 0x00, 0x00, 0x03, 0x00, 0x80, 0x00, 0x00, 0x07, 0x84,
    0x00, 0x00, 0x00, 0x01, 0x44, 0x01, 0xc0, 0x71, 0x83, 0x12, 0x00, 0x00, 0x01, 0x4e, 0x01, 0x05,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x13, 0x2c, 0xa2, 0xde, 0x00, 0x00, 0x00,
    0x01, 0x28, 0x01, 0xac, 0x3b, 0x0b, 0x8a, 0x09, 0xc2, 0x10, 0x80, 0x1f, 0x07, 0xc1, 0xe0, 0x78,
    0x1d, 0x07, 0x41, 0xc6, 0xce, 0x90, 0x08, 0x81, 0x90,
};

/* the next access unit: TRAIL_R slice (cut short) */
static const uint8_t main_p[] = {
    0x00, 0x00, 0x00, 0x01, 0x02, 0x01, 0xd0, 0x09, 0x78, 0x81, 0xf8, 0x5c, 0x48, 0x1c,
    0x0a, 0x06, 0x02, 0x81, 0x40, 0xa0, 0x40, 0x18, 0x0c, 0x06, 0x09, 0xd6, 0xb4, 0x80,
};

/* x265 main 10 1280x720 (I420_10LE input): VPS, SPS, PPS */
static const uint8_t main10_ps[] = {
    0x00, 0x00, 0x00, 0x01, 0x40, 0x01, 0x0c, 0x01, 0xff, 0xff, 0x02, 0x20, 0x00, 0x00, 0x03, 0x00,
    0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x5d, 0xba, 0x02, 0x40, 0x00, 0x00, 0x00, 0x01,
    0x42, 0x01, 0x01, 0x02, 0x20, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03,
    0x00, 0x5d, 0xa0, 0x02, 0x80, 0x80, 0x2d, 0x13, 0x65, 0xba, 0x4a, 0x4c, 0x2f, 0xff, 0x00, 0x01,
    0x00, 0x01, 0x6a, 0x02, 0x02, 0x02, 0x08, 0x00, 0x00, 0x03, 0x00, 0x08, 0x00, 0x00, 0x03, 0x00,
    0x78, 0x40, 0x00, 0x00, 0x00, 0x01, 0x44, 0x01, 0xc0, 0x71, 0x83, 0x12,
};

/* x265 main 4:4:4 1920x1080 (Y444 input; coded 1088 rows, conformance window): VPS, SPS, PPS */
static const uint8_t rext444_ps[] = {
    0x00, 0x00, 0x00, 0x01, 0x40, 0x01, 0x0c, 0x01, 0xff, 0xff, 0x04, 0x08, 0x00, 0x00, 0x03, 0x00,
    0x9e, 0x08, 0x00, 0x00, 0x03, 0x00, 0x00, 0x78, 0xba, 0x02, 0x40, 0x00, 0x00, 0x00, 0x01, 0x42,
    0x01, 0x01, 0x04, 0x08, 0x00, 0x00, 0x03, 0x00, 0x9e, 0x08, 0x00, 0x00, 0x03, 0x00, 0x00, 0x78,
    0x90, 0x00, 0x78, 0x10, 0x02, 0x20, 0xf8, 0x9c, 0xb7, 0x49, 0x49, 0x85, 0xff, 0xe0, 0x00, 0x20,
    0x00, 0x2d, 0x40, 0x40, 0x40, 0x41, 0x00, 0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x03, 0x00, 0x0f,
    0x08, 0x00, 0x00, 0x00, 0x01, 0x44, 0x01, 0xc0, 0x70, 0x30, 0x60, 0x31, 0x20,
};

/* x265 main 640x360, temporal-layers=1 (sps_max_sub_layers_minus1 1): VPS, SPS, PPS */
static const uint8_t sublayer_ps[] = {
    0x00, 0x00, 0x00, 0x01, 0x40, 0x01, 0x0c, 0x02, 0xff, 0xff, 0x01, 0x60, 0x00, 0x00, 0x03,
    0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x3f, 0x00, 0x00, 0x95, 0x94, 0xac,
    0xa0, 0x48, 0x00, 0x00, 0x00, 0x01, 0x42, 0x01, 0x02, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00,
    0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x3f, 0x00, 0x00, 0xa0, 0x05, 0x02, 0x01,
    0x71, 0xf2, 0xe5, 0x95, 0x94, 0xac, 0xa9, 0x49, 0x85, 0xff, 0xe0, 0x00, 0x20, 0x00, 0x2d,
    0x41, 0x81, 0x81, 0x81, 0x00, 0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x03, 0x00, 0x0f, 0x08,
    0x00, 0x00, 0x00, 0x01, 0x44, 0x01, 0xc0, 0x73, 0xc1, 0x89,
};

/* sprop-sps of pantau-test-rtsp test265:320x180@10 (x265 via rtph265pay): an SPS NAL unit */
static const uint8_t sdp_sps[] = {
    0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03,
    0x00, 0x3c, 0xa0, 0x0a, 0x08, 0x0c, 0x1f, 0x3e, 0x5b, 0xa4, 0xa4, 0xc2, 0xff, 0xf0, 0x00, 0x10,
    0x00, 0x16, 0xa0, 0xc0, 0xc0, 0xc0, 0x80, 0x00, 0x00, 0x03, 0x00, 0x80, 0x00, 0x00, 0x05, 0x04,
};

/* ---- hand-made SPS ---- */

/* A bit writer over a byte array (the RBSP, before emulation prevention). */
typedef struct bits {
    uint8_t buf[256];
    size_t bit;
} bits;

static void put(bits *b, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--, b->bit++) {
        ck_assert_uint_lt(b->bit / 8, sizeof b->buf);
        if ((v >> i) & 1)
            b->buf[b->bit / 8] |= (uint8_t)(0x80 >> (b->bit % 8));
    }
}

static void put_ue(bits *b, uint64_t v)
{
    int len = 0;
    while ((v + 1) >> (len + 1))
        len++;
    put(b, 0, len);
    put(b, v + 1, len + 1);
}

/* What the SPS says, for make_sps(). */
typedef struct sps_fields {
    unsigned sub_layers; /* sps_max_sub_layers_minus1 */
    unsigned space, tier, idc, level;
    uint32_t compat;
    uint64_t constraint; /* 48 bits */
    unsigned chroma;
    uint64_t width, height;
    int window;
    uint64_t left, right, top, bottom;
} sps_fields;

/* Writes 00 00 00 01, the SPS NAL header and the RBSP of f with emulation
 * prevention into out; returns the length. */
static size_t make_sps(uint8_t *out, const sps_fields *f)
{
    bits b = {{0}, 0};
    put(&b, 0, 4); /* sps_video_parameter_set_id */
    put(&b, f->sub_layers, 3);
    put(&b, 1, 1);
    put(&b, f->space, 2);
    put(&b, f->tier, 1);
    put(&b, f->idc, 5);
    put(&b, f->compat, 32);
    put(&b, f->constraint, 48);
    put(&b, f->level, 8);
    for (unsigned i = 0; i < f->sub_layers; i++)
        put(&b, 3, 2); /* sub-layer profile and level present */
    for (unsigned i = f->sub_layers; f->sub_layers && i < 8; i++)
        put(&b, 0, 2);
    for (unsigned i = 0; i < f->sub_layers; i++)
        put(&b, 0x5a5a5a5a5a5aull, 48), put(&b, 0xa5a5a5a5a5ull, 40), put(&b, 90, 8);
    put_ue(&b, 0); /* sps_seq_parameter_set_id */
    put_ue(&b, f->chroma);
    if (f->chroma == 3)
        put(&b, 0, 1);
    put_ue(&b, f->width);
    put_ue(&b, f->height);
    put(&b, f->window != 0, 1);
    if (f->window) {
        put_ue(&b, f->left);
        put_ue(&b, f->right);
        put_ue(&b, f->top);
        put_ue(&b, f->bottom);
    }
    put(&b, 1, 1); /* what follows does not matter: a stop bit */
    static const uint8_t head[] = {0x00, 0x00, 0x00, 0x01, 0x42, 0x01};
    size_t o = sizeof head;
    memcpy(out, head, o);
    int zeros = 0;
    for (size_t i = 0; i < (b.bit + 7) / 8; i++) {
        if (zeros >= 2 && b.buf[i] <= 3) {
            out[o++] = 3;
            zeros = 0;
        }
        out[o++] = b.buf[i];
        zeros = b.buf[i] ? 0 : zeros + 1;
    }
    return o;
}

static const sps_fields main_fields = {
    .idc = 1,
    .level = 93,
    .compat = 0x60000000,
    .constraint = 0x900000000000ull,
    .chroma = 1,
    .width = 1280,
    .height = 720,
};

/* ---- assertions ---- */

static void assert_codec(const uint8_t *au, size_t len, const char *want)
{
    char out[H265_CODEC_STRING_MAX];
    ck_assert_msg(h265_codec_string(au, len, out, sizeof out), "no codec string, want %s", want);
    ck_assert_str_eq(out, want);
}

static void assert_no_codec(const uint8_t *au, size_t len)
{
    char out[H265_CODEC_STRING_MAX] = "unchanged";
    ck_assert(!h265_codec_string(au, len, out, sizeof out) || !"a codec string");
}

static void assert_size(const uint8_t *au, size_t len, int want_w, int want_h)
{
    int w = 0, h = 0;
    ck_assert_msg(h265_picture_size(au, len, &w, &h), "no size, want %dx%d", want_w, want_h);
    ck_assert_int_eq(w, want_w);
    ck_assert_int_eq(h, want_h);
}

static void assert_no_size(const uint8_t *au, size_t len)
{
    int w = -1, h = -1;
    ck_assert_msg(!h265_picture_size(au, len, &w, &h), "a size: %dx%d", w, h);
    ck_assert_int_eq(w, -1);
}

/* ---- NAL unit headers ---- */

START_TEST(header_real_units)
{
    h265_nal_header h;
    ck_assert(h265_nal_header_parse(main_idr + 4, 2, &h)); /* 40 01 */
    ck_assert_uint_eq(h.type, H265_NAL_VPS);
    ck_assert_uint_eq(h.layer_id, 0);
    ck_assert_uint_eq(h.tid, 0);
    ck_assert(h265_nal_header_parse(main_p + 4, 2, &h)); /* 02 01 */
    ck_assert_uint_eq(h.type, 1);
}
END_TEST

START_TEST(header_every_field)
{
    /* F 0, type 63, nuh_layer_id 1 (its top bit in the first byte, 0),
     * nuh_temporal_id_plus1 3. */
    static const uint8_t a[] = {0x7e, 0x0b};
    /* type 49 (an RTP fragmentation unit header), layer 63, tid 6 */
    static const uint8_t b[] = {0x63, 0xff};
    h265_nal_header h;
    ck_assert(h265_nal_header_parse(a, 2, &h));
    ck_assert_uint_eq(h.type, 63);
    ck_assert_uint_eq(h.layer_id, 1);
    ck_assert_uint_eq(h.tid, 2);
    ck_assert(h265_nal_header_parse(b, 2, &h));
    ck_assert_uint_eq(h.type, H265_NAL_FU);
    ck_assert_uint_eq(h.layer_id, 63);
    ck_assert_uint_eq(h.tid, 6);
}
END_TEST

START_TEST(header_refused)
{
    static const uint8_t forbidden[] = {0xc0, 0x01};
    static const uint8_t tid_zero[] = {0x40, 0x00};
    h265_nal_header h = {77, 77, 77};
    ck_assert(!h265_nal_header_parse(main_idr + 4, 1, &h));
    ck_assert(!h265_nal_header_parse(main_idr + 4, 0, &h));
    ck_assert(!h265_nal_header_parse(forbidden, 2, &h));
    ck_assert(!h265_nal_header_parse(tid_zero, 2, &h));
    ck_assert_uint_eq(h.type, 77);
}
END_TEST

START_TEST(header_type_classes)
{
    for (unsigned t = 0; t < 64; t++) {
        ck_assert_int_eq(h265_type_is_vcl(t), t < 32);
        ck_assert_int_eq(h265_type_is_irap(t), t >= 16 && t <= 23);
        ck_assert_int_eq(h265_type_is_parameter_set(t), t >= 32 && t <= 34);
    }
}
END_TEST

/* ---- keyframes ---- */

START_TEST(keyframe_idr_vs_trailing)
{
    ck_assert(h265_au_is_keyframe(main_idr, sizeof main_idr));
    ck_assert(!h265_au_is_keyframe(main_p, sizeof main_p));
    ck_assert(!h265_au_is_keyframe(main10_ps, sizeof main10_ps)); /* no slice */
    ck_assert(!h265_au_is_keyframe(main_idr, 0));
}
END_TEST

START_TEST(keyframe_every_irap_type)
{
    /* AUD, prefix SEI, then the slice; 3- and 4-byte start codes. */
    static uint8_t au[] = {0x00, 0x00, 0x00, 0x01, 0x46, 0x01, 0x10, 0x00, 0x00, 0x01, 0x4e,
                           0x01, 0x05, 0x01, 0x80, 0x00, 0x00, 0x01, 0x00, 0x01, 0xaf};
    for (unsigned t = 0; t < 32; t++) {
        au[18] = (uint8_t)(t << 1);
        ck_assert_int_eq(h265_au_is_keyframe(au, sizeof au), t >= 16 && t <= 23);
    }
    /* Only the first slice counts: a RASL picture's later slices do not
     * make it a keyframe, nor the bytes of an IDR inside a NAL unit. */
    static const uint8_t rasl_then_cra[] = {0x00, 0x00, 0x01, 0x10, 0x01, 0xaa,
                                            0x00, 0x00, 0x01, 0x2a, 0x01, 0xbb};
    static const uint8_t inside[] = {0x00, 0x00, 0x01, 0x02, 0x01, 0x28, 0x01, 0x26, 0x01};
    ck_assert(!h265_au_is_keyframe(rasl_then_cra, sizeof rasl_then_cra));
    ck_assert(!h265_au_is_keyframe(inside, sizeof inside));
}
END_TEST

/* ---- parameter sets ---- */

START_TEST(parameter_sets)
{
    static const uint8_t pps_only[] = {0x00, 0x00, 0x00, 0x01, 0x44, 0x01, 0xc0, 0x71};
    /* VPS, SPS and PPS after the slice belong to the next picture. */
    static const uint8_t late[] = {0x00, 0x00, 0x01, 0x28, 0x01, 0xac, 0x00, 0x00,
                                   0x01, 0x40, 0x01, 0x0c, 0x00, 0x00, 0x01, 0x42,
                                   0x01, 0x01, 0x00, 0x00, 0x01, 0x44, 0x01, 0xc0};
    ck_assert(h265_au_has_parameter_sets(main_idr, sizeof main_idr));
    ck_assert(h265_au_has_parameter_sets(main10_ps, sizeof main10_ps));
    ck_assert(h265_au_has_parameter_sets(rext444_ps, sizeof rext444_ps));
    ck_assert(!h265_au_has_parameter_sets(main_p, sizeof main_p));
    ck_assert(!h265_au_has_parameter_sets(pps_only, sizeof pps_only));
    ck_assert(!h265_au_has_parameter_sets(late, sizeof late));
    ck_assert(!h265_au_has_parameter_sets(main_idr, 0));
    /* Cut before the PPS: VPS and SPS alone are not enough. */
    ck_assert(!h265_au_has_parameter_sets(main_idr, 4 + 24 + 4 + 48));
}
END_TEST

/* ---- codec string ---- */

START_TEST(codec_string_real_sps)
{
    assert_codec(main_idr, sizeof main_idr, "hvc1.1.6.L93.90");
    assert_codec(main10_ps, sizeof main10_ps, "hvc1.2.4.L93.90");
    /* Range extensions: constraint bytes 9E 08 (the four trailing zero
     * ones left out). */
    assert_codec(rext444_ps, sizeof rext444_ps, "hvc1.4.10.L120.9E.8");
    assert_codec(sublayer_ps, sizeof sublayer_ps, "hvc1.1.6.L63.90");
    char out[H265_CODEC_STRING_MAX];
    ck_assert(h265_sps_codec_string(sdp_sps, sizeof sdp_sps, out, sizeof out));
    ck_assert_str_eq(out, "hvc1.1.6.L60.90");
}
END_TEST

START_TEST(codec_string_emulation_prevention)
{
    /* The SPS holds 00 00 03 inside the compatibility and constraint
     * flags: read raw, they would give other flags. */
    static const uint8_t ep[] = {0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03};
    ck_assert_ptr_nonnull(memmem(main_idr, sizeof main_idr, ep, sizeof ep));
    assert_codec(main_idr, sizeof main_idr, "hvc1.1.6.L93.90");
}
END_TEST

START_TEST(codec_string_hand_made)
{
    uint8_t au[300];
    sps_fields f = main_fields;
    /* Profile space 1 (A), high tier (H), no constraint flags. */
    f.space = 1;
    f.tier = 1;
    f.constraint = 0;
    assert_codec(au, make_sps(au, &f), "hvc1.A1.6.H93");
    /* Every field at its largest: the longest string there is. */
    f = (sps_fields){.space = 3,
                     .tier = 1,
                     .idc = 31,
                     .level = 255,
                     .compat = 0xffffffffu,
                     .constraint = 0xffffffffffffull,
                     .chroma = 1,
                     .width = 64,
                     .height = 64};
    static const char longest[] = "hvc1.C31.FFFFFFFF.H255.FF.FF.FF.FF.FF.FF";
    size_t n = make_sps(au, &f);
    assert_codec(au, n, longest);
    ck_assert_uint_le(sizeof longest, H265_CODEC_STRING_MAX);
    /* Compatibility flag j is bit j of the reversed word; a zero byte
     * inside the constraint flags stays. */
    f = main_fields;
    f.compat = 0x80000001u;
    f.constraint = 0x000100000000ull;
    assert_codec(au, make_sps(au, &f), "hvc1.1.80000001.L93.0.1");
    f.compat = 0x40000000u;
    assert_codec(au, make_sps(au, &f), "hvc1.1.2.L93.0.1");
    /* The first SPS counts; and the SPS alone, without VPS or slices. */
    size_t a = make_sps(au, &main_fields);
    f.idc = 2;
    size_t b = make_sps(au + a, &f);
    assert_codec(au, a + b, "hvc1.1.6.L93.90");
}
END_TEST

START_TEST(codec_string_refused)
{
    char out[H265_CODEC_STRING_MAX] = "unchanged";
    assert_no_codec(main_p, sizeof main_p);
    assert_no_codec(main_idr, 0);
    /* The SPS cut inside the profile, tier and level. */
    assert_no_codec(main_idr, 4 + 24 + 4 + 14);
    /* A PPS given as an SPS; an SPS with the forbidden bit. */
    ck_assert(!h265_sps_codec_string(main_idr + 4 + 24 + 4 + 48 + 4, 6, out, sizeof out));
    uint8_t bad[64];
    memcpy(bad, sdp_sps, sizeof sdp_sps);
    bad[0] |= 0x80;
    ck_assert(!h265_sps_codec_string(bad, sizeof sdp_sps, out, sizeof out));
    /* sps_max_sub_layers_minus1 7 is not allowed. */
    memcpy(bad, sdp_sps, sizeof sdp_sps);
    bad[2] = 0x0f;
    ck_assert(!h265_sps_codec_string(bad, sizeof sdp_sps, out, sizeof out));
    ck_assert_str_eq(out, "unchanged");
    /* "hvc1.1.6.L60.90" needs 16 bytes with its terminator. */
    ck_assert(!h265_sps_codec_string(sdp_sps, sizeof sdp_sps, out, 15));
    ck_assert(!h265_sps_codec_string(sdp_sps, sizeof sdp_sps, out, 13));
    ck_assert(!h265_sps_codec_string(sdp_sps, sizeof sdp_sps, out, 0));
    ck_assert(h265_sps_codec_string(sdp_sps, sizeof sdp_sps, out, 16));
    ck_assert_str_eq(out, "hvc1.1.6.L60.90");
}
END_TEST

/* ---- picture size ---- */

START_TEST(picture_size_real_sps)
{
    assert_size(main_idr, sizeof main_idr, 1280, 720);
    assert_size(main10_ps, sizeof main10_ps, 1280, 720);
    assert_size(rext444_ps, sizeof rext444_ps, 1920, 1080); /* 1088 coded, 4:4:4 window */
    assert_size(sublayer_ps, sizeof sublayer_ps, 640, 360); /* past the sub-layer fields */
    uint8_t au[4 + sizeof sdp_sps] = {0x00, 0x00, 0x00, 0x01};
    memcpy(au + 4, sdp_sps, sizeof sdp_sps);
    assert_size(au, sizeof au, 320, 180);
    assert_no_size(main_p, sizeof main_p);
    assert_no_size(main_idr, 0);
}
END_TEST

START_TEST(picture_size_hand_made)
{
    uint8_t au[300];
    sps_fields f = main_fields;
    /* 4:2:0 window offsets count twice, 4:2:2 only across, 4:0:0 once. */
    f.height = 1088;
    f.window = 1;
    f.bottom = 4;
    assert_size(au, make_sps(au, &f), 1280, 1080);
    f.chroma = 2;
    f.left = f.right = 1;
    f.bottom = 8;
    assert_size(au, make_sps(au, &f), 1276, 1080);
    f.chroma = 0;
    assert_size(au, make_sps(au, &f), 1278, 1080);
    /* Six sub-layers, each with a profile and a level. */
    f = main_fields;
    f.sub_layers = 6;
    assert_size(au, make_sps(au, &f), 1280, 720);
    assert_codec(au, make_sps(au, &f), "hvc1.1.6.L93.90");
}
END_TEST

/* ---- hostile input ---- */

START_TEST(hostile_sizes)
{
    uint8_t au[300];
    sps_fields f = main_fields;
    f.width = 16385;
    assert_no_size(au, make_sps(au, &f));
    f.width = 0;
    assert_no_size(au, make_sps(au, &f));
    f.width = 0xfffffffeull; /* the longest ue(v) there is */
    assert_no_size(au, make_sps(au, &f));
    f.width = 1280;
    f.chroma = 4;
    assert_no_size(au, make_sps(au, &f));
    /* A window as wide as the picture, and one that wraps in 32 bits. */
    f.chroma = 1;
    f.window = 1;
    f.left = f.right = 320;
    assert_no_size(au, make_sps(au, &f));
    f.left = 0x7fffffffull;
    f.right = 0x80000001ull;
    assert_no_size(au, make_sps(au, &f));
}
END_TEST

START_TEST(hostile_long_zero_run)
{
    /* An SPS of zeros after the profile, tier and level: 00 00 03
     * everywhere, and no exp-Golomb code ever ends. */
    uint8_t au[200];
    size_t n = 4 + 24 + 4 + 18; /* up to and with general_level_idc */
    memcpy(au, main_idr, n);
    for (int i = 0; i < 40; i++) {
        au[n++] = 0;
        au[n++] = 0;
        au[n++] = 3;
    }
    assert_no_size(au, n);
    assert_codec(au, n, "hvc1.1.6.L93.90");
}
END_TEST

/* Every prefix of a real access unit: what parses must be right. */
START_TEST(hostile_truncated)
{
    for (size_t len = 0; len <= sizeof rext444_ps; len++) {
        uint8_t *copy = g_memdup2(rext444_ps, len); /* so ASan sees reads past len */
        int w = 0, h = 0;
        if (h265_picture_size(copy, len, &w, &h))
            ck_assert_msg(w == 1920 && h == 1080, "%zu bytes: %dx%d", len, w, h);
        char out[H265_CODEC_STRING_MAX];
        if (h265_codec_string(copy, len, out, sizeof out))
            ck_assert_str_eq(out, "hvc1.4.10.L120.9E.8");
        h265_au_is_keyframe(copy, len);
        h265_au_has_parameter_sets(copy, len);
        g_free(copy);
    }
}
END_TEST

static void check_any(const uint8_t *buf, size_t len)
{
    h265_au_is_keyframe(buf, len);
    h265_au_has_parameter_sets(buf, len);
    char out[H265_CODEC_STRING_MAX];
    if (h265_codec_string(buf, len, out, sizeof out))
        ck_assert_msg(g_str_has_prefix(out, "hvc1.") && strlen(out) < sizeof out, "%s", out);
    int w = 0, h = 0;
    if (h265_picture_size(buf, len, &w, &h))
        ck_assert_msg(w > 0 && h > 0 && w <= 16384 && h <= 16384, "picture %dx%d", w, h);
}

START_TEST(hostile_random_bytes)
{
    GRand *rng = g_rand_new_with_seed(20261203);
    for (int i = 0; i < 3000; i++) {
        size_t len = (size_t)g_rand_int_range(rng, 0, 200);
        uint8_t *buf = g_malloc(len ? len : 1);
        for (size_t j = 0; j < len; j++)
            buf[j] = (uint8_t)g_rand_int(rng);
        /* Mostly an SPS behind a start code, so the parser sees the bytes. */
        if (len >= 6 && g_rand_int_range(rng, 0, 4) != 0)
            memcpy(buf, "\x00\x00\x00\x01\x42\x01", 6);
        check_any(buf, len);
        g_free(buf);
    }
    g_rand_free(rng);
}
END_TEST

/* Real SPS with bits flipped: the parser walks deep into them. */
START_TEST(hostile_flipped_bits)
{
    GRand *rng = g_rand_new_with_seed(15);
    const uint8_t *bases[] = {main_idr, main10_ps, rext444_ps, sublayer_ps};
    const size_t lens[] = {sizeof main_idr, sizeof main10_ps, sizeof rext444_ps,
                           sizeof sublayer_ps};
    for (int i = 0; i < 5000; i++) {
        int b = g_rand_int_range(rng, 0, 4);
        uint8_t *buf = g_memdup2(bases[b], lens[b]);
        int flips = g_rand_int_range(rng, 1, 6);
        for (int f = 0; f < flips; f++) {
            size_t at = (size_t)g_rand_int_range(rng, 4, (gint32)lens[b]);
            buf[at] ^= (uint8_t)(1u << g_rand_int_range(rng, 0, 8));
        }
        check_any(buf, lens[b]);
        g_free(buf);
    }
    g_rand_free(rng);
}
END_TEST

static Suite *h265_suite(void)
{
    Suite *s = suite_create("h265");
    TCase *tc = tcase_create("nal_header");
    tcase_add_test(tc, header_real_units);
    tcase_add_test(tc, header_every_field);
    tcase_add_test(tc, header_refused);
    tcase_add_test(tc, header_type_classes);
    suite_add_tcase(s, tc);

    tc = tcase_create("keyframe");
    tcase_add_test(tc, keyframe_idr_vs_trailing);
    tcase_add_test(tc, keyframe_every_irap_type);
    suite_add_tcase(s, tc);

    tc = tcase_create("parameter_sets");
    tcase_add_test(tc, parameter_sets);
    suite_add_tcase(s, tc);

    tc = tcase_create("codec_string");
    tcase_add_test(tc, codec_string_real_sps);
    tcase_add_test(tc, codec_string_emulation_prevention);
    tcase_add_test(tc, codec_string_hand_made);
    tcase_add_test(tc, codec_string_refused);
    suite_add_tcase(s, tc);

    tc = tcase_create("picture_size");
    tcase_add_test(tc, picture_size_real_sps);
    tcase_add_test(tc, picture_size_hand_made);
    suite_add_tcase(s, tc);

    tc = tcase_create("hostile");
    tcase_add_test(tc, hostile_sizes);
    tcase_add_test(tc, hostile_long_zero_run);
    tcase_add_test(tc, hostile_truncated);
    tcase_add_test(tc, hostile_random_bytes);
    tcase_add_test(tc, hostile_flipped_bits);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(h265_suite(), argc, argv);
}
