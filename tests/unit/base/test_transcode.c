/* test_transcode.c - base/transcode.c (issue 15): real H.265 from x265enc
 * in, H.264 access units out, each IDR with its SPS and PPS, at the
 * picture size that went in; garbage in changes nothing but the output;
 * no callback after transcoder_free. */
#include "h264.h"
#include "transcode.h"
#include "test_util.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <string.h>

#define FRAMES 30

typedef struct seen {
    GMutex lock;
    unsigned aus, idrs;
    bool first_has_config;
    int width, height;
} seen;

static void on_au(const uint8_t *au, size_t len, int64_t pts_us, void *user)
{
    (void)pts_us;
    seen *s = user;
    g_mutex_lock(&s->lock);
    if (s->aus == 0) {
        s->first_has_config = h264_au_has_parameter_sets(au, len) && h264_au_is_keyframe(au, len);
        h264_picture_size(au, len, &s->width, &s->height);
    }
    s->aus++;
    s->idrs += h264_au_is_keyframe(au, len);
    g_mutex_unlock(&s->lock);
}

static unsigned aus_of(seen *s)
{
    g_mutex_lock(&s->lock);
    unsigned n = s->aus;
    g_mutex_unlock(&s->lock);
    return n;
}

/* FRAMES H.265 access units of a 320x180 test pattern, as cameras send. */
static GPtrArray *h265_units(void)
{
    return tu_encoded_units("videotestsrc num-buffers=" G_STRINGIFY(
                                FRAMES) " ! video/x-raw,width=320,height=180,"
                                        "framerate=15/1 ! x265enc tune=zerolatency "
                                        "speed-preset=ultrafast key-int-max=10 ! "
                                        "h265parse config-interval=-1 ! "
                                        "video/x-h265,stream-format=byte-stream,alignment=au ! "
                                        "appsink name=out sync=false",
                            FRAMES);
}

static void push_all(transcoder *t, GPtrArray *units)
{
    for (guint i = 0; i < units->len; i++) {
        gsize len;
        const uint8_t *au = g_bytes_get_data(g_ptr_array_index(units, i), &len);
        transcoder_push(t, au, len, (int64_t)i * 66666);
    }
}

static void wait_aus(seen *s, unsigned want)
{
    for (int i = 0; i < 200 && aus_of(s) < want; i++)
        g_usleep(50 * 1000);
}

START_TEST(convert_h265_to_h264)
{
    GPtrArray *units = h265_units();
    seen s = {0};
    g_mutex_init(&s.lock);
    char *error = NULL;
    transcoder *t = transcoder_new(on_au, &s, &error);
    ck_assert_msg(t != NULL, "transcoder_new: %s", error ? error : "?");
    push_all(t, units);
    wait_aus(&s, FRAMES - 5);
    ck_assert_uint_ge(aus_of(&s), FRAMES - 5);
    ck_assert(s.first_has_config);
    ck_assert_uint_ge(s.idrs, 1);
    ck_assert_int_eq(s.width, 320);
    ck_assert_int_eq(s.height, 180);
    transcoder_free(t);
    unsigned after_free = aus_of(&s);
    g_usleep(300 * 1000);
    ck_assert_uint_eq(aus_of(&s), after_free);
    g_ptr_array_free(units, TRUE);
    g_mutex_clear(&s.lock);
}
END_TEST

START_TEST(garbage_then_h265)
{
    GPtrArray *units = h265_units();
    seen s = {0};
    g_mutex_init(&s.lock);
    char *error = NULL;
    transcoder *t = transcoder_new(on_au, &s, &error);
    ck_assert_msg(t != NULL, "transcoder_new: %s", error ? error : "?");
    static const uint8_t junk[] = {0, 0, 0, 1, 0xff, 0xff, 0xff, 0x00, 0x42, 0, 0, 1, 0x40};
    for (int i = 0; i < 10; i++)
        transcoder_push(t, junk, sizeof junk, i);
    transcoder_push(t, NULL, 0, 0);
    push_all(t, units);
    wait_aus(&s, 10);
    ck_assert_uint_ge(aus_of(&s), 10);
    transcoder_free(t);
    transcoder_free(NULL);
    g_ptr_array_free(units, TRUE);
    g_mutex_clear(&s.lock);
}
END_TEST

static Suite *transcode_suite(void)
{
    Suite *s = suite_create("transcode");
    TCase *tc = tcase_create("convert");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, convert_h265_to_h264);
    suite_add_tcase(s, tc);
    tc = tcase_create("garbage");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, garbage_then_h265);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    gst_init(NULL, NULL);
    return tu_run(transcode_suite(), argc, argv);
}
