/* test_media_sink.c - the media engine reaches its viewers only through
 * their sessions' sinks (session.h), with no network: a recording sink sees
 * the stream's description, a keyframe and a delta frame in order, each in
 * a frame with the room the engine was given; a viewer who comes later gets
 * the frames since the keyframe from the cache, in one video hold; frames
 * are the same bytes for every viewer; a background viewer (the recorder)
 * gets a camera thread's frames only once the clients' are out of the
 * video hold; the stats go out on the bus. */
#include "bus.h"
#include "media.h"
#include "session.h"
#include "source.h"
#include "subscribe.h"
#include "test_util.h"

#include <glib.h>
#include <string.h>

/* Two access units: an IDR slice (a keyframe), then a non-IDR slice. */
static const uint8_t key_au[] = {0, 0, 0, 1, 0x65, 0x88, 0x84, 0x21, 0xa0};
static const uint8_t delta_au[] = {0, 0, 0, 1, 0x41, 0x9a, 0x02, 0x03};
#define ROOM 40

/* ---- a recording sink ---- */

typedef struct recorder {
    GPtrArray *lines;  /* char *, owned: what the client was sent, in order */
    GPtrArray *frames; /* media_frame *, one reference each */
    int *holds;        /* the engine's hold depth, to note frames sent while held */
} recorder;

static void note(recorder *r, char *line)
{
    g_ptr_array_add(r->lines, line);
}

static void rec_json(void *peer, const json_t *msg)
{
    char *text = tu_dump(msg);
    note(peer, g_strdup_printf("json %s", text));
    free(text);
}

static void rec_stream_info(void *peer, const json_t *info)
{
    note(peer, g_strdup_printf("info %s %s", json_string_value(json_object_get(info, "source")),
                               json_string_value(json_object_get(info, "kind"))));
}

static void rec_frame(void *peer, media_frame *f)
{
    recorder *r = peer;
    g_ptr_array_add(r->frames, media_frame_ref(f));
    note(r, g_strdup_printf("frame %s%s", media_frame_is_keyframe(f) ? "key" : "delta",
                            *r->holds ? " held" : ""));
}

static void rec_expect_keyframe(void *peer, uint32_t stream)
{
    (void)stream;
    note(peer, g_strdup("expect keyframe"));
}

static void rec_forget(void *peer, uint32_t stream)
{
    (void)stream;
    note(peer, g_strdup("forget"));
}

static const session_sink recording_sink = {rec_json, rec_stream_info, rec_frame,
                                            rec_expect_keyframe, rec_forget};

static const char *line_at(const recorder *r, guint i)
{
    ck_assert_msg(r->lines->len > i, "only %u lines, wanted line %u", r->lines->len, i);
    return g_ptr_array_index(r->lines, i);
}

/* ---- a camera without a plugin ---- */

static int opened, closed, holds, released;

static int engine_open(pantau_source *src, enum pantau_stream kind)
{
    (void)src, (void)kind;
    opened++;
    return 0;
}

static void engine_close(pantau_source *src, enum pantau_stream kind)
{
    (void)src, (void)kind;
    closed++;
}

static void hold(void *user)
{
    (*(int *)user)++;
}

static void release(void *user)
{
    (*(int *)user)--;
    released++;
}

static source_registry *registry;
static pantau_source *camera;
static event_bus *bus;
static media_engine *engine;

static void setup(void)
{
    opened = closed = holds = released = 0;
    registry = source_registry_new(NULL, NULL);
    camera = tu_camera_add(registry, "cam1");
    bus = bus_new();
    media_deps deps = tu_media_deps(registry, bus);
    deps.frame_room = ROOM;
    deps.stream_open = engine_open;
    deps.stream_close = engine_close;
    deps.hold_video = hold;
    deps.release_video = release;
    deps.video_user = &holds;
    engine = media_engine_new(&deps);
}

static void teardown(void)
{
    media_engine_free(engine);
    source_registry_free(registry);
    bus_free(bus);
}

static session *viewer_new(recorder *r)
{
    r->lines = g_ptr_array_new_with_free_func(g_free);
    r->frames = g_ptr_array_new_with_free_func((GDestroyNotify)media_frame_unref);
    r->holds = &holds;
    session *s = session_new(NULL);
    session_set_sink(s, &recording_sink, r);
    return s;
}

static void viewer_free(session *s, recorder *r)
{
    subscribe_release(engine, s);
    session_free(s);
    g_ptr_array_free(r->lines, TRUE);
    g_ptr_array_free(r->frames, TRUE);
}

static void watch_camera(session *s)
{
    json_t *req = tu_json("{\"sources\": [\"cam1\"]}"), *ok = NULL;
    pantau_error err = {0};
    ck_assert_int_eq(subscribe_apply(registry, engine, NULL, s, req, &ok, &err), 0);
    json_decref(ok);
    json_decref(req);
}

static void push(const uint8_t *au, size_t len, int64_t pts)
{
    media_push(camera, PANTAU_STREAM_MAIN, au, len, pts, 0);
}

static void assert_frame(const media_frame *f, const uint8_t *au, size_t len, int64_t pts)
{
    ck_assert_uint_eq(f->room, ROOM);
    ck_assert_uint_eq(f->len, len);
    ck_assert_int_eq(f->pts_us, pts);
    ck_assert(memcmp(media_frame_data(f), au, len) == 0);
}

START_TEST(keyframe_then_delta)
{
    recorder r;
    session *s = viewer_new(&r);
    watch_camera(s);
    ck_assert_int_eq(opened, 1);
    /* No frame yet: the description, and the gate waits for a keyframe. */
    ck_assert_uint_eq(r.lines->len, 2);
    ck_assert_str_eq(line_at(&r, 0), "info cam1 main");
    ck_assert_str_eq(line_at(&r, 1), "expect keyframe");
    push(key_au, sizeof key_au, 1000);
    push(delta_au, sizeof delta_au, 2000);
    ck_assert_uint_eq(r.lines->len, 4);
    ck_assert_str_eq(line_at(&r, 2), "frame key");
    ck_assert_str_eq(line_at(&r, 3), "frame delta");
    media_frame *key = g_ptr_array_index(r.frames, 0), *delta = g_ptr_array_index(r.frames, 1);
    assert_frame(key, key_au, sizeof key_au, 1000);
    assert_frame(delta, delta_au, sizeof delta_au, 2000);
    ck_assert_uint_eq(key->flags, MEDIA_FLAG_KEYFRAME);
    ck_assert_uint_eq(delta->flags, 0);
    ck_assert_uint_eq(key->stream, delta->stream);
    ck_assert_int_gt(key->recv_us, 0);
    viewer_free(s, &r);
}
END_TEST

START_TEST(late_viewer_gets_the_cache)
{
    recorder first, late;
    session *a = viewer_new(&first);
    watch_camera(a);
    push(delta_au, sizeof delta_au, 500); /* before any keyframe: not cached */
    push(key_au, sizeof key_au, 1000);
    push(delta_au, sizeof delta_au, 2000);
    session *b = viewer_new(&late);
    watch_camera(b);
    ck_assert_int_eq(opened, 1); /* the stream runs already */
    ck_assert_uint_eq(late.lines->len, 3);
    ck_assert_str_eq(line_at(&late, 0), "info cam1 main");
    ck_assert_str_eq(line_at(&late, 1), "frame key held");
    ck_assert_str_eq(line_at(&late, 2), "frame delta held");
    ck_assert_int_eq(holds, 0);
    ck_assert_int_eq(released, 1);
    /* The very frames the first viewer got: no copy per viewer. */
    ck_assert_ptr_eq(g_ptr_array_index(late.frames, 0), g_ptr_array_index(first.frames, 1));
    ck_assert_ptr_eq(g_ptr_array_index(late.frames, 1), g_ptr_array_index(first.frames, 2));
    push(delta_au, sizeof delta_au, 3000);
    ck_assert_str_eq(line_at(&late, 3), "frame delta");
    ck_assert_ptr_eq(g_ptr_array_index(late.frames, 2), g_ptr_array_index(first.frames, 3));
    /* Leaving: the stream is forgotten by the client, and stays open for
     * the other viewer. */
    subscribe_release(engine, b);
    ck_assert_str_eq(line_at(&late, 4), "forget");
    ck_assert_int_eq(closed, 0);
    viewer_free(b, &late);
    viewer_free(a, &first);
}
END_TEST

/* ---- a background viewer: after the clients ---- */

static int released_at_background_frame = -1;

static void background_frame(void *peer, media_frame *f)
{
    released_at_background_frame = released;
    rec_frame(peer, f);
}

static const session_sink background_sink = {
    .send_json = rec_json,
    .stream_info = rec_stream_info,
    .send_frame = background_frame,
    .expect_keyframe = rec_expect_keyframe,
    .forget_stream = rec_forget,
    .background = true,
};

static bool has_frames(const void *r)
{
    return ((const recorder *)r)->frames->len > 0;
}

static gpointer push_from_camera_thread(gpointer data)
{
    (void)data;
    push(key_au, sizeof key_au, 1000);
    return NULL;
}

START_TEST(background_viewer_after_the_clients)
{
    recorder client, rec;
    session *c = viewer_new(&client);
    session *b = viewer_new(&rec);
    session_set_sink(b, &background_sink, &rec);
    watch_camera(b); /* first: the engine's order is not what puts it last */
    watch_camera(c);
    g_thread_join(g_thread_new("camera", push_from_camera_thread, NULL));
    tu_loop_until(has_frames, &rec, 2000);
    /* The client's frame went out in the hold, the recorder's after it. */
    ck_assert_uint_eq(client.frames->len, 1);
    ck_assert_str_eq(line_at(&client, 2), "frame key held");
    ck_assert_uint_eq(rec.frames->len, 1);
    ck_assert_str_eq(line_at(&rec, 2), "frame key");
    ck_assert_int_eq(released_at_background_frame, 1);
    ck_assert_ptr_eq(g_ptr_array_index(rec.frames, 0), g_ptr_array_index(client.frames, 0));
    /* From the main thread (no hold) both get it, the recorder too. */
    push(delta_au, sizeof delta_au, 2000);
    ck_assert_str_eq(line_at(&client, 3), "frame delta");
    ck_assert_str_eq(line_at(&rec, 3), "frame delta");
    viewer_free(c, &client);
    viewer_free(b, &rec);
}
END_TEST

/* ---- the stats on the bus ---- */

static void record_stats(const bus_event *ev, void *user)
{
    char *text = tu_dump(ev->stats.sources);
    g_ptr_array_add(user, text);
}

static bool array_filled(const void *array)
{
    return ((const GPtrArray *)array)->len > 0;
}

START_TEST(stats_on_the_bus)
{
    GPtrArray *seen = g_ptr_array_new_with_free_func(free);
    bus_subscribe(bus, BUS_STATS, record_stats, seen);
    recorder r;
    session *s = viewer_new(&r);
    watch_camera(s);
    /* The stats tick is once a second (g_timeout_add_seconds: within 2 s). */
    ck_assert(tu_loop_until(array_filled, seen, 3000));
    json_t *stats = tu_json(g_ptr_array_index(seen, 0));
    json_t *cam = json_object_get(stats, "cam1");
    ck_assert_ptr_nonnull(cam);
    ck_assert_str_eq(json_string_value(json_object_get(cam, "status")), "live");
    ck_assert_int_eq(json_integer_value(json_object_get(cam, "viewers")), 1);
    json_decref(stats);
    viewer_free(s, &r);
    g_ptr_array_free(seen, TRUE);
}
END_TEST

static Suite *media_sink_suite(void)
{
    Suite *s = suite_create("media_sink");
    TCase *tc = tcase_create("frames");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, keyframe_then_delta);
    tcase_add_test(tc, late_viewer_gets_the_cache);
    tcase_add_test(tc, background_viewer_after_the_clients);
    suite_add_tcase(s, tc);
    tc = tcase_create("stats");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, stats_on_the_bus);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(media_sink_suite(), argc, argv);
}
