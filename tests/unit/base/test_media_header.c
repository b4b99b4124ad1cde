/* test_media_header.c - the 24-byte little-endian header in front of every
 * binary video frame (docs/protocol.md). */
#include "media_frame.h"
#include "test_util.h"

#include <glib.h>
#include <string.h>

/* Writes a header into the middle of a guarded buffer and checks that only
 * those 24 bytes changed. */
static void write_header(uint8_t out[MEDIA_HEADER_LEN], uint32_t stream, unsigned flags,
                         int64_t pts_us, int64_t recv_us)
{
    uint8_t buf[MEDIA_HEADER_LEN + 16];
    memset(buf, 0xee, sizeof buf);
    media_header_write(buf + 8, stream, flags, pts_us, recv_us);
    for (int i = 0; i < 8; i++) {
        ck_assert_uint_eq(buf[i], 0xee);
        ck_assert_uint_eq(buf[8 + MEDIA_HEADER_LEN + i], 0xee);
    }
    memcpy(out, buf + 8, MEDIA_HEADER_LEN);
}

static void assert_bytes(const uint8_t *got, const uint8_t *want)
{
    for (int i = 0; i < MEDIA_HEADER_LEN; i++)
        ck_assert_msg(got[i] == want[i], "byte %d is 0x%02x, expected 0x%02x", i, got[i], want[i]);
}

START_TEST(header_constants)
{
    ck_assert_int_eq(MEDIA_HEADER_LEN, 24);
    ck_assert_int_eq(MEDIA_HEADER_VERSION, 1);
    ck_assert_int_eq(MEDIA_FLAG_KEYFRAME, 1);
    ck_assert_int_eq(MEDIA_FLAG_CONFIG, 2);
    ck_assert_int_eq(MEDIA_FLAG_SUB, 4);
    ck_assert_int_eq(MEDIA_FLAG_TRANSCODED, 8);
}
END_TEST

START_TEST(header_exact_bytes)
{
    uint8_t h[MEDIA_HEADER_LEN];
    write_header(h, 0x04030201u, MEDIA_FLAG_KEYFRAME | MEDIA_FLAG_CONFIG, 0x1122334455667788LL,
                 1717243200123456LL);
    static const uint8_t want[MEDIA_HEADER_LEN] = {
        0x01, 0x03, 0x18, 0x00,                         /* version, flags, length 24 */
        0x01, 0x02, 0x03, 0x04,                         /* stream id */
        0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* pts */
        0x40, 0xb2, 0xef, 0xd6, 0xd2, 0x19, 0x06, 0x00, /* 1717243200123456 */
    };
    assert_bytes(h, want);
}
END_TEST

START_TEST(header_zero)
{
    uint8_t h[MEDIA_HEADER_LEN];
    write_header(h, 0, 0, 0, 0);
    static const uint8_t want[MEDIA_HEADER_LEN] = {0x01, 0x00, 0x18, 0x00};
    assert_bytes(h, want);
}
END_TEST

START_TEST(header_negative_and_extreme)
{
    uint8_t h[MEDIA_HEADER_LEN];
    write_header(h, UINT32_MAX, MEDIA_FLAG_SUB | MEDIA_FLAG_TRANSCODED, -1, INT64_MIN);
    static const uint8_t want[MEDIA_HEADER_LEN] = {
        0x01, 0x0c, 0x18, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80,
    };
    assert_bytes(h, want);

    write_header(h, 7, MEDIA_FLAG_KEYFRAME, INT64_MAX, -1000000);
    static const uint8_t want2[MEDIA_HEADER_LEN] = {
        0x01, 0x01, 0x18, 0x00, 0x07, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0x7f, 0xc0, 0xbd, 0xf0, 0xff, 0xff, 0xff, 0xff, 0xff,
    };
    assert_bytes(h, want2);
}
END_TEST

START_TEST(header_reads_back)
{
    static const int64_t values[] = {
        0, 1, -1, 33333, -33333, 1LL << 32, -(1LL << 40), 1717243200123456LL, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < G_N_ELEMENTS(values); i++) {
        uint8_t h[MEDIA_HEADER_LEN];
        int64_t pts = values[i], recv = values[G_N_ELEMENTS(values) - 1 - i];
        write_header(h, (uint32_t)i * 0x01010101u, (unsigned)i, pts, recv);
        uint64_t p = 0, r = 0;
        for (int b = 7; b >= 0; b--) {
            p = p << 8 | h[8 + b];
            r = r << 8 | h[16 + b];
        }
        ck_assert_int_eq((int64_t)p, pts);
        ck_assert_int_eq((int64_t)r, recv);
        ck_assert_uint_eq(h[1], i);
        ck_assert_uint_eq((uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 |
                              (uint32_t)h[7] << 24,
                          (uint32_t)i * 0x01010101u);
    }
}
END_TEST

static Suite *media_header_suite(void)
{
    Suite *s = suite_create("media_header");
    TCase *tc = tcase_create("header");
    tcase_add_test(tc, header_constants);
    tcase_add_test(tc, header_exact_bytes);
    tcase_add_test(tc, header_zero);
    tcase_add_test(tc, header_negative_and_extreme);
    tcase_add_test(tc, header_reads_back);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(media_header_suite(), argc, argv);
}
