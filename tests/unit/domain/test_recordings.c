/* test_recordings.c - a camera's rolling recording through the media
 * engine, without a network: real H.264 (x264enc) pushed into the engine
 * reaches the recorder's session, fragmented MP4 segments appear in the
 * folder, the reader gives the access units back as Annex B from a
 * keyframe with their wall-clock times, sees new fragments at the live
 * edge, and after a restart the index is rebuilt from the files; a
 * segment cut short by a crash keeps its complete fragments; a reader or
 * an export left running when the recordings are freed (a stop does not
 * wait for a slow disk) ends with an error, never reaching freed memory;
 * a segment that follows another without a lost frame starts where that
 * one ends on the camera's clock, even when its keyframe comes late. */
#include "bus.h"
#include "media.h"
#include "recordings.h"
#include "source.h"
#include "test_util.h"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <string.h>
#include <unistd.h>

#define FPS 30
#define FRAMES 60

static source_registry *registry;
static pantau_source *camera;
static event_bus *bus;
static media_engine *engine;
static char *dir;
static GPtrArray *aus; /* GBytes *: the test's H.264 access units */

/* FRAMES access units of 160x120 at FPS, a keyframe every 15. */
static GPtrArray *make_aus(void)
{
    return tu_encoded_units(
        "videotestsrc num-buffers=60 ! video/x-raw,width=160,height=120,framerate=30/1 ! "
        "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=15 ! "
        "video/x-h264,profile=constrained-baseline ! h264parse config-interval=-1 ! "
        "video/x-h264,stream-format=byte-stream,alignment=au ! appsink name=out sync=false",
        FRAMES);
}

static recordings *open_recordings(void)
{
    json_t *section = json_pack("{s:s, s:b}", "path", dir, "enabled", 1);
    recordings *r = recordings_new(
        &(recordings_deps){.section = section, .sources = registry, .media = engine, .bus = bus});
    json_decref(section);
    return r;
}

static void setup(void)
{
    gst_init(NULL, NULL);
    dir = tu_temp_dir();
    registry = source_registry_new(NULL, NULL);
    camera = tu_camera_add(registry, "cam1");
    bus = bus_new();
    media_deps deps = tu_media_deps(registry, bus);
    engine = media_engine_new(&deps);
    aus = make_aus();
}

static void teardown(void)
{
    media_engine_free(engine);
    source_registry_free(registry);
    bus_free(bus);
    g_ptr_array_free(aus, TRUE);
    tu_remove_tree(dir);
    g_free(dir);
}

/* Pushes aus[from..to) at FPS in real time, running the main loop. */
static void push_paced(guint from, guint to)
{
    for (guint i = from; i < to; i++) {
        GBytes *b = g_ptr_array_index(aus, i);
        gsize len;
        const void *data = g_bytes_get_data(b, &len);
        media_push(camera, PANTAU_STREAM_MAIN, data, len, (int64_t)i * G_USEC_PER_SEC / FPS, 0);
        gint64 until = g_get_monotonic_time() + G_USEC_PER_SEC / FPS;
        while (g_get_monotonic_time() < until)
            g_main_context_iteration(NULL, FALSE), g_usleep(2000);
    }
}

/* Reads rd until it has nothing more now; checks each frame. Returns the count. */
static int read_all(rec_reader *rd, int64_t *last_us, bool first_is_key)
{
    uint8_t *au;
    size_t len;
    int64_t t;
    unsigned flags;
    int n = 0, rc;
    while ((rc = rec_reader_next(rd, &au, &len, &t, &flags)) == 1) {
        ck_assert_msg(len > 4 && !memcmp(au, "\0\0\0\1", 4), "Annex B");
        if (n == 0 && first_is_key)
            ck_assert_msg((flags & MEDIA_FLAG_KEYFRAME) && (flags & MEDIA_FLAG_CONFIG),
                          "the first frame is a keyframe with its parameter sets");
        ck_assert_msg(t > *last_us, "times go forward: %" G_GINT64_FORMAT, t);
        *last_us = t;
        g_free(au);
        n++;
    }
    ck_assert_int_eq(rc, 0);
    return n;
}

START_TEST(live_edge)
{
    int64_t t0 = g_get_real_time();
    recordings *r = open_recordings();
    push_paced(0, 30);
    tu_loop_for(800); /* a fragment is written every RECORDINGS_FRAGMENT_MS */
    pantau_error err = {0};
    rec_reader *rd = rec_reader_open(r, "cam1", t0 / 1000 - 60000, &err);
    ck_assert_msg(rd, "open: %s", err.message);
    int64_t last = 0;
    int first = read_all(rd, &last, true);
    ck_assert_msg(first > 0 && first <= 30, "%d frames of the first second", first);
    ck_assert_int_ge(last, t0);
    push_paced(30, FRAMES);
    tu_loop_for(800);
    int more = read_all(rd, &last, false);
    ck_assert_msg(more > 0, "the reader sees the frames written since (live edge)");
    rec_reader_free(rd);
    recordings_free(r);

    /* After a restart: the index from the files, every frame kept. */
    r = open_recordings();
    int64_t oldest = 0, newest = 0;
    ck_assert(recordings_span(r, "cam1", &oldest, &newest));
    ck_assert_int_le(oldest, newest);
    rd = rec_reader_open(r, "cam1", oldest, &err);
    ck_assert_msg(rd, "open: %s", err.message);
    last = 0;
    ck_assert_int_eq(read_all(rd, &last, true), FRAMES);
    rec_reader_free(rd);
    /* Opening at a time inside gives the keyframe at or before it. */
    rd = rec_reader_open(r, "cam1", oldest + 1200, &err);
    uint8_t *au;
    size_t len;
    int64_t t;
    unsigned flags;
    ck_assert_int_eq(rec_reader_next(rd, &au, &len, &t, &flags), 1);
    ck_assert(flags & MEDIA_FLAG_KEYFRAME);
    ck_assert_int_le(t / 1000, oldest + 1200);
    ck_assert_int_gt(t / 1000, oldest + 1200 - 600); /* a GOP is 0.5 s */
    g_free(au);
    rec_reader_free(rd);
    recordings_free(r);
}
END_TEST

/* The one closed segment file of cam1 (g_free it); a recorder that starts
 * may have begun a .part with the engine's cached frames. */
static char *only_segment(void)
{
    char *folder = g_build_filename(dir, "cam1", NULL);
    GDir *d = g_dir_open(folder, 0, NULL);
    ck_assert(d);
    char *path = NULL;
    const char *name;
    while ((name = g_dir_read_name(d))) {
        if (strstr(name, ".part"))
            continue;
        ck_assert_msg(!path, "one segment: %s and %s", path, name);
        path = g_build_filename(folder, name, NULL);
    }
    ck_assert(path);
    g_dir_close(d);
    g_free(folder);
    return path;
}

START_TEST(crash_keeps_fragments)
{
    recordings *r = open_recordings();
    push_paced(0, FRAMES);
    recordings_free(r);
    /* What a kill -9 leaves: the segment under its .part name, cut inside
     * its last fragment. */
    char *path = only_segment();
    char *base = g_path_get_basename(path);
    char *part_name = g_strdup_printf("%.*s.part.mp4", (int)strcspn(base, "-"), base);
    char *part = g_build_filename(dir, "cam1", part_name, NULL);
    ck_assert_int_eq(g_rename(path, part), 0);
    GStatBuf st;
    ck_assert_int_eq(g_stat(part, &st), 0);
    ck_assert_int_eq(truncate(part, st.st_size - 3000), 0);
    r = open_recordings();
    char *recovered = only_segment();
    ck_assert_msg(strstr(recovered, base) == NULL, "the cut segment ends earlier");
    ck_assert_msg(g_str_has_suffix(recovered, ".mp4") && !strstr(recovered, ".part"),
                  "renamed after what is readable: %s", recovered);
    int64_t oldest, newest;
    ck_assert(recordings_span(r, "cam1", &oldest, &newest));
    pantau_error err = {0};
    rec_reader *rd = rec_reader_open(r, "cam1", oldest, &err);
    ck_assert_msg(rd, "open: %s", err.message);
    int64_t last = 0;
    int n = read_all(rd, &last, true);
    ck_assert_msg(n >= FRAMES - 20 && n < FRAMES, "%d frames: all but the cut fragment", n);
    rec_reader_free(rd);
    recordings_free(r);
    g_free(recovered);
    g_free(path);
    g_free(base);
    g_free(part_name);
    g_free(part);
}
END_TEST

START_TEST(reader_outlives_recordings)
{
    int64_t t0 = g_get_real_time();
    recordings *r = open_recordings();
    push_paced(0, 30);
    tu_loop_for(800);
    pantau_error err = {0};
    rec_reader *rd = rec_reader_open(r, "cam1", t0 / 1000 - 60000, &err);
    ck_assert_msg(rd, "open: %s", err.message);
    rec_gate *gate = recordings_gate(r);
    uint8_t *au;
    size_t len;
    int64_t t;
    unsigned flags;
    ck_assert_int_eq(rec_reader_next(rd, &au, &len, &t, &flags), 1);
    g_free(au);
    recordings_free(r);
    /* The open segment's file is still read; then the reader cannot go
     * on: an error, not freed memory (the sanitized build checks). */
    int rc, n = 0;
    while ((rc = rec_reader_next(rd, &au, &len, &t, &flags)) == 1)
        g_free(au), n++;
    ck_assert_int_eq(rc, -1);
    ck_assert_int_le(n, 30);
    rec_reader_free(rd);
    char *out = g_build_filename(dir, "export.mp4", NULL);
    ck_assert_int_eq(
        recordings_export(gate, "cam1", t0 / 1000 - 60000, t0 / 1000 + 60000, out, NULL, &err), -1);
    ck_assert_msg(strstr(err.message, "closed"), "%s", err.message);
    rec_gate_unref(gate);
    g_free(out);
}
END_TEST

typedef struct span {
    gint64 start, end; /* ms */
} span;

static gint by_span_start(gconstpointer a, gconstpointer b)
{
    const span *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* The closed segments of cam1 (span), oldest first. */
static GArray *closed_segments(void)
{
    GArray *spans = g_array_new(FALSE, FALSE, sizeof(span));
    char *folder = g_build_filename(dir, "cam1", NULL);
    GDir *d = g_dir_open(folder, 0, NULL);
    ck_assert(d);
    const char *name;
    while ((name = g_dir_read_name(d))) {
        span sp;
        if (sscanf(name, "%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT ".mp4", &sp.start, &sp.end) == 2)
            g_array_append_val(spans, sp);
    }
    g_dir_close(d);
    g_free(folder);
    g_array_sort(spans, by_span_start);
    return spans;
}

START_TEST(segments_follow_on)
{
    recordings *r = open_recordings();
    /* 10 frames a second (a keyframe every 1.5 s): the keyframe that
     * begins the second segment (frame 45, at 4.5 s) comes 800 ms late,
     * as on a loaded machine. */
    for (guint i = 0; i < FRAMES; i++) {
        GBytes *b = g_ptr_array_index(aus, i);
        gsize len;
        const void *data = g_bytes_get_data(b, &len);
        if (i == 45)
            tu_loop_for(800);
        media_push(camera, PANTAU_STREAM_MAIN, data, len, (int64_t)i * 100000, 0);
        tu_loop_for(100);
    }
    recordings_free(r);
    GArray *spans = closed_segments();
    ck_assert_uint_ge(spans->len, 2);
    for (guint i = 1; i < spans->len; i++) {
        const span *prev = &g_array_index(spans, span, i - 1);
        const span *next = &g_array_index(spans, span, i);
        /* One frame (100 ms) apart on the camera's clock, no more. */
        ck_assert_msg(next->start >= prev->end && next->start - prev->end <= 150,
                      "segment %u starts %" G_GINT64_FORMAT " ms after the one before ends", i,
                      next->start - prev->end);
    }
    g_array_free(spans, TRUE);
}
END_TEST

int main(int argc, char **argv)
{
    Suite *s = suite_create("recordings");
    TCase *tc = tcase_create("live_edge");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, live_edge);
    suite_add_tcase(s, tc);
    tc = tcase_create("crash");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, crash_keeps_fragments);
    suite_add_tcase(s, tc);
    tc = tcase_create("follow_on");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, segments_follow_on);
    suite_add_tcase(s, tc);
    tc = tcase_create("outlived");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, reader_outlives_recordings);
    suite_add_tcase(s, tc);
    return tu_run(s, argc, argv);
}
