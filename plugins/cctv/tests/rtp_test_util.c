/* rtp_test_util.c - see rtp_test_util.h. */
#include "rtp_test_util.h"

#include <stdarg.h>
#include <string.h>

void collect(void *user, const uint8_t *au, size_t len, int keyframe, int64_t pts_us)
{
    got *g = user;
    if (!g->last)
        g->last = g_byte_array_new();
    g_byte_array_set_size(g->last, 0);
    g_byte_array_append(g->last, au, (guint)len);
    g->keyframe = keyframe;
    if (g->n < G_N_ELEMENTS(g->pts))
        g->pts[g->n] = pts_us;
    g->n++;
}

void got_clear(got *g)
{
    if (g->last)
        g_byte_array_unref(g->last);
    memset(g, 0, sizeof *g);
}

void rtp_header(uint8_t *buf, uint16_t seq, uint32_t ts, int marker)
{
    buf[0] = 0x80;
    buf[1] = (uint8_t)((marker ? 0x80 : 0) | 96);
    buf[2] = (uint8_t)(seq >> 8);
    buf[3] = (uint8_t)seq;
    buf[4] = (uint8_t)(ts >> 24);
    buf[5] = (uint8_t)(ts >> 16);
    buf[6] = (uint8_t)(ts >> 8);
    buf[7] = (uint8_t)ts;
    memset(buf + 8, 0x11, 4);
}

size_t rtp(uint8_t *buf, uint16_t seq, uint32_t ts, int marker, const uint8_t *payload, size_t n)
{
    rtp_header(buf, seq, ts, marker);
    memcpy(buf + 12, payload, n);
    return 12 + n;
}

void push(rtp_depay *d, got *g, uint16_t seq, uint32_t ts, int marker, const uint8_t *payload,
          size_t n)
{
    uint8_t *buf = g_malloc(12 + n);
    size_t len = rtp(buf, seq, ts, marker, payload, n);
    ck_assert_int_eq(rtp_depay_push(d, buf, len, collect, g), 0);
    g_free(buf);
}

/* Appends a start code and the NAL unit to ba. */
static void annexb(GByteArray *ba, const uint8_t *nal, size_t n)
{
    static const uint8_t sc[] = {0, 0, 0, 1};
    g_byte_array_append(ba, sc, 4);
    g_byte_array_append(ba, nal, (guint)n);
}

void assert_au(const got *g, const uint8_t *nal, size_t n, ...)
{
    GByteArray *want = g_byte_array_new();
    va_list ap;
    va_start(ap, n);
    while (nal) {
        annexb(want, nal, n);
        nal = va_arg(ap, const uint8_t *);
        n = nal ? va_arg(ap, size_t) : 0;
    }
    va_end(ap);
    ck_assert_ptr_nonnull(g->last);
    ck_assert_uint_eq(g->last->len, want->len);
    ck_assert_mem_eq(g->last->data, want->data, want->len);
    g_byte_array_unref(want);
}
