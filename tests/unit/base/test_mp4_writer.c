/* test_mp4_writer.c - base/mp4_writer.c (issue 16): a frame pushed by
 * reference (mp4_writer_push_frame) is recorded as its access unit only,
 * not the room in front of it where the network writes its headers; the
 * writer drops its references once the file is written; fragments of one
 * sample each (a slow camera) are read back, every one. */
#include "fmp4.h"
#include "h264.h"
#include "media_frame.h"
#include "mp4_writer.h"
#include "test_util.h"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <string.h>

#define FRAMES 20
#define ROOM 32

/* FRAMES H.264 access units of a small test pattern, as cameras send. */
static GPtrArray *h264_units(void)
{
    return tu_encoded_units("videotestsrc num-buffers=" G_STRINGIFY(
                                FRAMES) " ! video/x-raw,width=160,height=90,framerate=10/1 ! "
                                        "x264enc tune=zerolatency speed-preset=ultrafast "
                                        "key-int-max=10 ! h264parse config-interval=-1 ! "
                                        "video/x-h264,stream-format=byte-stream,alignment=au ! "
                                        "appsink name=out sync=false",
                            FRAMES);
}

/* The NAL units of an Annex B access unit, start codes dropped, one after
 * the other (3- and 4-byte start codes compare equal). */
static GByteArray *nal_payloads(const uint8_t *au, size_t len)
{
    GByteArray *out = g_byte_array_new();
    size_t pos = 0;
    const uint8_t *nal;
    size_t nal_len;
    while (h264_next_nal(au, len, &pos, &nal, &nal_len))
        g_byte_array_append(out, nal, (guint)nal_len);
    return out;
}

/* Whether the access unit holds a filler data NAL unit (type 12). */
static bool has_filler(const uint8_t *au, size_t len)
{
    size_t pos = 0;
    const uint8_t *nal;
    size_t nal_len;
    while (h264_next_nal(au, len, &pos, &nal, &nal_len))
        if (nal_len && (nal[0] & 0x1f) == 12)
            return true;
    return false;
}

static void on_done(const char *error, void *user)
{
    ck_assert_msg(!error, "the writer failed: %s", error);
    *(bool *)user = true;
}

/* A writer of H.264 in fragments of 500 ms into *path, a new file in a
 * new folder *dir (both g_free'd by remove_temp). */
static mp4_writer *writer_in_temp(char **dir, char **path)
{
    char *error = NULL;
    *dir = g_dir_make_tmp("pantau-mp4w-XXXXXX", NULL);
    ck_assert(*dir);
    *path = g_build_filename(*dir, "out.mp4", NULL);
    mp4_writer *w = mp4_writer_new(*path, false, 500, false, &error);
    ck_assert_msg(w, "%s", error);
    return w;
}

/* Removes the file and folder of writer_in_temp, and frees their names. */
static void remove_temp(char *dir, char *path)
{
    g_unlink(path);
    g_rmdir(dir);
    g_free(path);
    g_free(dir);
}

/* Finishes w's file and waits for it. */
static void finish(mp4_writer *w)
{
    bool done = false;
    mp4_writer_finish(w, on_done, &done);
    for (gint64 end = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
         !done && g_get_monotonic_time() < end;)
        g_main_context_iteration(NULL, FALSE), g_usleep(2000);
    ck_assert_msg(done, "the file was not finished");
    mp4_writer_settle();
}

START_TEST(frames_without_room)
{
    GPtrArray *units = h264_units();
    char *dir, *path, *error = NULL;
    mp4_writer *w = writer_in_temp(&dir, &path);
    GPtrArray *frames = g_ptr_array_new_with_free_func((GDestroyNotify)media_frame_unref);
    for (guint i = 0; i < units->len; i++) {
        gsize len;
        const uint8_t *data = g_bytes_get_data(g_ptr_array_index(units, i), &len);
        media_frame *f = media_frame_new(ROOM, data, len);
        /* The room holds what a network header could: a whole NAL unit
         * (filler data) that would show in the file if it were written. */
        static const uint8_t filler[5] = {0, 0, 0, 1, 12};
        memset(f->bytes, 0xff, ROOM);
        memcpy(f->bytes, filler, sizeof filler);
        f->flags = h264_au_is_keyframe(data, len) ? MEDIA_FLAG_KEYFRAME : 0;
        ck_assert(mp4_writer_push_frame(w, f, (int64_t)i * 100000));
        g_ptr_array_add(frames, f); /* ours; the writer holds its own */
    }
    finish(w);
    for (guint i = 0; i < frames->len; i++) {
        media_frame *f = g_ptr_array_index(frames, i);
        ck_assert_int_eq(g_atomic_int_get(&f->refs), 1); /* the writer's went */
    }

    fmp4_reader *rd = fmp4_open(path, &error);
    ck_assert_msg(rd, "%s", error);
    GByteArray *au = g_byte_array_new();
    fmp4_sample s;
    guint n = 0;
    while (fmp4_next(rd, &s) == 1) {
        bool key, config;
        ck_assert(n < frames->len);
        ck_assert(fmp4_read_au(rd, &s, au, &key, &config));
        const media_frame *f = g_ptr_array_index(frames, n);
        ck_assert_msg(!has_filler(au->data, au->len), "frame %u: nothing of the room recorded", n);
        if (!key) {
            GByteArray *got = nal_payloads(au->data, au->len);
            GByteArray *sent = nal_payloads(media_frame_data(f), f->len);
            ck_assert_msg(got->len == sent->len && !memcmp(got->data, sent->data, sent->len),
                          "frame %u: its access unit as sent (%u bytes recorded, %u sent)", n,
                          got->len, sent->len);
            g_byte_array_free(got, TRUE);
            g_byte_array_free(sent, TRUE);
        }
        n++;
    }
    ck_assert_int_eq(n, frames->len);
    g_byte_array_free(au, TRUE);
    fmp4_close(rd);
    g_ptr_array_free(frames, TRUE);
    remove_temp(dir, path);
    g_ptr_array_unref(units);
}
END_TEST

/* A camera at one frame a second, in fragments of 500 ms: each fragment
 * holds one sample, whose size mp4mux gives in the fragment's header
 * (tfhd) and not in its run (trun). The reader reads every one. */
START_TEST(one_frame_fragments)
{
    GPtrArray *units = h264_units();
    char *dir, *path, *error = NULL;
    mp4_writer *w = writer_in_temp(&dir, &path);
    for (guint i = 0; i < units->len; i++) {
        gsize len;
        const uint8_t *data = g_bytes_get_data(g_ptr_array_index(units, i), &len);
        ck_assert(mp4_writer_push(w, data, len, (int64_t)i * G_USEC_PER_SEC,
                                  h264_au_is_keyframe(data, len)));
    }
    finish(w);
    fmp4_reader *rd = fmp4_open(path, &error);
    ck_assert_msg(rd, "%s", error);
    GByteArray *au = g_byte_array_new();
    fmp4_sample s;
    int n = 0, rc;
    while ((rc = fmp4_next(rd, &s)) == 1) {
        bool key, config;
        ck_assert(fmp4_read_au(rd, &s, au, &key, &config));
        ck_assert_int_eq(s.time_us, (int64_t)n * G_USEC_PER_SEC);
        n++;
    }
    ck_assert_msg(rc == 0, "the file reads to its end (%d after %d samples)", rc, n);
    ck_assert_int_eq(n, (int)units->len);
    g_byte_array_free(au, TRUE);
    fmp4_close(rd);
    remove_temp(dir, path);
    g_ptr_array_unref(units);
}
END_TEST

static Suite *mp4_writer_suite(void)
{
    Suite *s = suite_create("mp4_writer");
    TCase *tc = tcase_create("frames");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, frames_without_room);
    suite_add_tcase(s, tc);
    tc = tcase_create("one_frame_fragments");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, one_frame_fragments);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    gst_init(NULL, NULL);
    return tu_run(mp4_writer_suite(), argc, argv);
}
