/* test_replay.c - replay on a wall tile (domain/replay.h) without a network
 * or a disk: a recording of 60 s at 25 frames a second with a keyframe
 * every second, read by a reader of its own; sessions with recording sinks.
 * The replay is part of the wall (its tile carries it, one version each
 * change); it starts at the keyframe before the moment, sends up to the
 * moment at once and then paces; pause, step and rate; a layout change,
 * stop and the idle time end it; every subscriber gets the same frames. */
#include "bus.h"
#include "replay.h"
#include "server.h"
#include "session.h"
#include "source.h"
#include "subscribe.h"
#include "test_util.h"
#include "walls.h"

#include <glib.h>
#include <string.h>

#define ROOM 40
#define FRAME_US 40000
#define GOP 25
#define SPAN_S 60

static const uint8_t key_au[] = {0, 0, 0, 1, 0x65, 0x88, 0x84, 0x21, 0xa0};
static const uint8_t delta_au[] = {0, 0, 0, 1, 0x41, 0x9a, 0x02, 0x03};
/* H.265: an IDR_W_RADL picture, then a TRAIL_R picture. */
static const uint8_t key_au_265[] = {0, 0, 0, 1, 0x26, 0x01, 0xaf, 0x08, 0x40};
static const uint8_t delta_au_265[] = {0, 0, 0, 1, 0x02, 0x01, 0xd0, 0x11};

/* ---- a recording: frames n = 0 .. SPAN_S * 25 at t0 + n * 40 ms ---- */

static int64_t t0_ms;
static int opens;
static bool recorded_h265; /* the recording is H.265 */

typedef struct fake_reader {
    int n;
} fake_reader;

static void *fake_open(void *user, const char *source, int64_t at_ms, pantau_error *err)
{
    (void)user, (void)source;
    g_atomic_int_inc(&opens);
    if (at_ms < t0_ms)
        return error_set(err, ERR_BAD_REQUEST, "at_ms", "before the recording"), NULL;
    fake_reader *rd = g_new0(fake_reader, 1);
    rd->n = (int)((at_ms - t0_ms) * 1000 / FRAME_US) / GOP * GOP;
    return rd;
}

static int fake_next(void *reader, uint8_t **au, size_t *len, int64_t *time_us, bool *h265)
{
    fake_reader *rd = reader;
    if (rd->n > SPAN_S * 25)
        return 0;
    bool key = rd->n % GOP == 0;
    const uint8_t *bytes =
        recorded_h265 ? (key ? key_au_265 : delta_au_265) : (key ? key_au : delta_au);
    *len = key ? sizeof key_au : sizeof delta_au;
    *au = g_memdup2(bytes, *len);
    *time_us = t0_ms * 1000 + (int64_t)rd->n * FRAME_US;
    *h265 = recorded_h265;
    rd->n++;
    return 1;
}

static void fake_close(void *reader)
{
    g_free(reader);
}

static bool fake_span(void *user, const char *source, int64_t *oldest, int64_t *newest,
                      json_t **gaps)
{
    (void)user;
    if (strcmp(source, "cam1") != 0)
        return false;
    *oldest = t0_ms;
    *newest = t0_ms + SPAN_S * 1000;
    if (gaps)
        *gaps = json_array();
    return true;
}

/* ---- sessions with a recording sink ---- */

typedef struct recorder {
    GArray *times; /* int64_t: the frames' times, in order */
    GArray *keys;  /* bool: keyframe or not */
    int infos, forgets;
    json_t *info; /* the last stream description */
} recorder;

static void rec_json(void *peer, const json_t *msg)
{
    (void)peer, (void)msg;
}

static void rec_info(void *peer, const json_t *info)
{
    recorder *r = peer;
    r->infos++;
    json_decref(r->info);
    r->info = json_deep_copy(info);
}

static void rec_frame(void *peer, media_frame *f)
{
    recorder *r = peer;
    bool key = media_frame_is_keyframe(f);
    ck_assert_uint_eq(f->room, ROOM);
    ck_assert_int_eq(f->stream, json_integer_value(json_object_get(r->info, "stream")));
    g_array_append_val(r->times, f->pts_us);
    g_array_append_val(r->keys, key);
}

static void rec_expect(void *peer, uint32_t stream)
{
    (void)peer, (void)stream;
}

static void rec_forget(void *peer, uint32_t stream)
{
    (void)stream;
    ((recorder *)peer)->forgets++;
}

static const session_sink sink = {rec_json, rec_info, rec_frame, rec_expect, rec_forget};

/* ---- the fixture ---- */

static const char *const walls_json =
    "[{\"id\": \"main\", \"displays\": {\"columns\": 1, \"rows\": 1, \"width\": 1920, "
    "\"height\": 1080}, \"layout\": {\"columns\": 2, \"rows\": 1, \"tiles\": ["
    "  {\"id\": \"t1\", \"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1, \"source\": \"cam1\"},"
    "  {\"id\": \"t2\", \"x\": 1, \"y\": 0, \"w\": 1, \"h\": 1, \"source\": \"cam1\"}]}}]";

static char *dir;
static pantau_server *srv;
static replay_center *rc;
static wall *w;

static void center_start(unsigned idle_s)
{
    rc = replay_center_new(&(replay_deps){
        .walls = srv->wall_service,
        .sources = srv->sources,
        .bus = srv->bus,
        .reader = {fake_open, fake_next, fake_close, fake_span, NULL},
        .frame_room = ROOM,
        .idle_s = idle_s,
    });
}

static void setup(void)
{
    dir = tu_temp_dir();
    srv = tu_server_new(dir, walls_json);
    tu_camera_add(srv->sources, "cam1");
    w = walls_find(srv->wall_service, "main");
    t0_ms = g_get_real_time() / 1000 - SPAN_S * 1000;
    opens = 0;
    recorded_h265 = false;
    center_start(300);
}

static void teardown(void)
{
    replay_center_free(rc);
    tu_server_free(srv);
    tu_remove_tree(dir);
    g_free(dir);
}

static session *viewer_new(recorder *r)
{
    *r = (recorder){g_array_new(FALSE, FALSE, sizeof(int64_t)),
                    g_array_new(FALSE, FALSE, sizeof(bool)), 0, 0, NULL};
    session *s = session_new(NULL);
    session_set_sink(s, &sink, r);
    return s;
}

static void viewer_free(session *s, recorder *r)
{
    replay_session_gone(rc, s);
    session_free(s);
    g_array_free(r->times, TRUE);
    g_array_free(r->keys, TRUE);
    json_decref(r->info);
}

static void subscribe_to(session *s, const char *replay_id)
{
    json_t *req = json_pack("{s:[{s:s}]}", "sources", "replay", replay_id), *ok = NULL;
    pantau_error err = {0};
    ck_assert_int_eq(subscribe_apply(srv->sources, NULL, rc, s, req, &ok, &err), 0);
    json_decref(ok);
    json_decref(req);
}

/* Runs the main loop until *count reaches want or ms pass. */
static void run_until(const guint *count, guint want, int ms)
{
    gint64 end = g_get_monotonic_time() + ms * 1000;
    while (*count < want && g_get_monotonic_time() < end)
        g_main_context_iteration(NULL, FALSE), g_usleep(1000);
}

static void run_for(int ms)
{
    guint never = 0;
    run_until(&never, 1, ms);
}

static int64_t time_at(const recorder *r, guint i)
{
    ck_assert_uint_gt(r->times->len, i);
    return g_array_index(r->times, int64_t, i);
}

static const char *replay_id_of(const char *tile)
{
    const tile_replay *tr = wall_replay_find(w, tile);
    ck_assert_ptr_nonnull(tr);
    return tr->id;
}

/* ---- the tests ---- */

/* From 30 s back: the keyframe at or before the moment first, up to the
 * moment at once, then paced; the tile carries the replay, one version. */
START_TEST(starts_at_the_keyframe_before)
{
    recorder a;
    session *s = viewer_new(&a);
    gint64 v = w->version;
    int64_t at = t0_ms + 30 * 1000 + 500; /* half a second after a keyframe */
    pantau_error err = {0};
    ck_assert_int_eq(replay_start(rc, w, v, "t1", at, "ana", &err), 0);
    ck_assert_int_eq(w->version, v + 1);
    json_t *wj = wall_to_json(w);
    json_t *replay = json_object_get(
        json_array_get(json_object_get(json_object_get(wj, "layout"), "tiles"), 0), "replay");
    ck_assert_int_eq(json_integer_value(json_object_get(replay, "at_ms")), at);
    ck_assert_int_eq(json_integer_value(json_object_get(replay, "rate")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(replay, "by")), "ana");
    json_decref(wj);
    subscribe_to(s, replay_id_of("t1"));
    ck_assert_int_eq(a.infos, 1);
    ck_assert(json_is_true(json_object_get(a.info, "replay")));
    /* 13 frames up to the moment come at once. */
    gint64 started = g_get_monotonic_time();
    run_until(&a.times->len, 13, 2000);
    ck_assert_int_lt(g_get_monotonic_time() - started, 500000);
    ck_assert(g_array_index(a.keys, bool, 0));
    ck_assert_int_le(time_at(&a, 0), at * 1000);
    ck_assert_int_gt(time_at(&a, 0), at * 1000 - GOP * FRAME_US);
    /* Then one frame each 40 ms: half a second gives about 12 more. */
    run_for(500);
    guint n = a.times->len;
    ck_assert_msg(n >= 13 + 5 && n <= 13 + 20, "%u frames after 500 ms", n);
    for (guint i = 1; i < n; i++)
        ck_assert_int_eq(time_at(&a, i) - time_at(&a, i - 1), FRAME_US);
    viewer_free(s, &a);
}
END_TEST

/* Two sessions get the same frames; a late one starts at the keyframe. */
START_TEST(every_viewer_gets_the_same)
{
    recorder a, b;
    session *sa = viewer_new(&a), *sb = viewer_new(&b);
    pantau_error err = {0};
    ck_assert_int_eq(replay_start(rc, w, -1, "t1", t0_ms + 10000, "ana", &err), 0);
    subscribe_to(sa, replay_id_of("t1"));
    run_until(&a.times->len, 5, 2000);
    subscribe_to(sb, replay_id_of("t1"));
    ck_assert(g_array_index(b.keys, bool, 0));
    run_for(300);
    ck_assert_uint_gt(b.times->len, 5);
    ck_assert_int_eq(time_at(&b, 0), time_at(&a, 0));
    for (guint i = 0; i < b.times->len && i < a.times->len; i++)
        ck_assert_int_eq(time_at(&b, i), time_at(&a, i));
    viewer_free(sa, &a);
    viewer_free(sb, &b);
}
END_TEST

/* Paused: nothing; a step: one frame; rate 4: four times as fast. */
START_TEST(pause_step_rate)
{
    recorder a;
    session *s = viewer_new(&a);
    pantau_error err = {0};
    ck_assert_int_eq(replay_start(rc, w, -1, "t1", t0_ms + 10000, "ana", &err), 0);
    subscribe_to(s, replay_id_of("t1"));
    run_until(&a.times->len, 3, 2000);
    ck_assert_int_eq(replay_control(rc, w, -1, "t1", REPLAY_STEP, 0, 0, "ana", &err), -1);
    ck_assert_str_eq(err.field, "action");
    ck_assert_int_eq(replay_control(rc, w, -1, "t1", REPLAY_PAUSE, 0, 0, "ana", &err), 0);
    ck_assert(wall_replay_find(w, "t1")->paused);
    guint n = a.times->len;
    run_for(300);
    ck_assert_uint_eq(a.times->len, n);
    ck_assert_int_eq(replay_control(rc, w, -1, "t1", REPLAY_STEP, 0, 0, "ana", &err), 0);
    run_for(100);
    ck_assert_uint_eq(a.times->len, n + 1);
    ck_assert_int_eq(replay_control(rc, w, -1, "t1", REPLAY_RATE, 3, 0, "ana", &err), -1);
    ck_assert_str_eq(err.field, "rate");
    ck_assert_int_eq(replay_control(rc, w, -1, "t1", REPLAY_RATE, 4, 0, "ana", &err), 0);
    ck_assert_int_eq(replay_control(rc, w, -1, "t1", REPLAY_PLAY, 0, 0, "ana", &err), 0);
    ck_assert_int_eq(wall_replay_find(w, "t1")->rate, 4);
    n = a.times->len;
    run_for(400);
    /* 100 frames a second at 4x: about 40 (at 1x it would be 10). */
    ck_assert_msg(a.times->len - n >= 25, "%u frames in 400 ms at 4x", a.times->len - n);
    viewer_free(s, &a);
}
END_TEST

/* A seek starts again at the keyframe before the new moment, the same
 * replay and stream; a seek to where nothing is kept changes nothing. */
START_TEST(seek_starts_again)
{
    recorder a;
    session *s = viewer_new(&a);
    pantau_error err = {0};
    ck_assert_int_eq(replay_start(rc, w, -1, "t1", t0_ms + 10000, "ana", &err), 0);
    const char *id = replay_id_of("t1");
    subscribe_to(s, id);
    run_until(&a.times->len, 3, 2000);
    gint64 v = w->version;
    ck_assert_int_eq(
        replay_control(rc, w, -1, "t1", REPLAY_SEEK, 0, t0_ms + SPAN_S * 2000, "ana", &err), -1);
    ck_assert_str_eq(err.field, "at_ms");
    ck_assert_int_eq(w->version, v);
    int64_t at = t0_ms + 40500;
    ck_assert_int_eq(replay_control(rc, w, -1, "t1", REPLAY_SEEK, 0, at, "ana", &err), 0);
    ck_assert_int_eq(wall_replay_find(w, "t1")->at_ms, at);
    ck_assert_str_eq(replay_id_of("t1"), id);
    guint n = a.times->len;
    run_until(&a.times->len, n + 13, 2000);
    /* Frames of before the seek may still have been on their way. */
    guint k = n;
    while (k < a.times->len && time_at(&a, k) < (at - 1000) * 1000)
        k++;
    ck_assert(g_array_index(a.keys, bool, k));
    ck_assert_int_eq(time_at(&a, k), (t0_ms + 40000) * 1000);
    viewer_free(s, &a);
}
END_TEST

/* An H.265 recording goes only to clients whose decoder takes H.265; the
 * others are told why nothing comes. */
START_TEST(h265_only_to_who_decodes_it)
{
    recorded_h265 = true;
    recorder a, b;
    session *sa = viewer_new(&a), *sb = viewer_new(&b);
    sb->decodes_h265 = true;
    pantau_error err = {0};
    ck_assert_int_eq(replay_start(rc, w, -1, "t1", t0_ms + 10000, "ana", &err), 0);
    subscribe_to(sb, replay_id_of("t1"));
    subscribe_to(sa, replay_id_of("t1"));
    run_until(&b.times->len, 15, 2000);
    ck_assert_uint_ge(b.times->len, 15);
    ck_assert(g_array_index(b.keys, bool, 0));
    ck_assert_ptr_null(json_object_get(b.info, "refused"));
    ck_assert_uint_eq(a.times->len, 0);
    ck_assert_str_eq(json_string_value(json_object_get(a.info, "refused")), "h265");
    viewer_free(sa, &a);
    viewer_free(sb, &b);
}
END_TEST

static int change_source(layout *l, void *data, pantau_error *err)
{
    return layout_set_source(l, "t1", data, err);
}

static int keep(layout *l, void *data, pantau_error *err)
{
    (void)l, (void)data, (void)err;
    return 0;
}

/* A change of the tile's source ends it, a change of another tile does
 * not; layout.apply's replace ends all; stop ends it. */
START_TEST(layout_changes_end_it)
{
    recorder a;
    session *s = viewer_new(&a);
    pantau_error err = {0};
    ck_assert_int_eq(replay_start(rc, w, -1, "t1", t0_ms + 10000, "ana", &err), 0);
    ck_assert_int_eq(replay_start(rc, w, -1, "t2", t0_ms + 20000, "ana", &err), 0);
    subscribe_to(s, replay_id_of("t1"));
    ck_assert_int_eq(walls_change(srv->wall_service, w, w->version, change_source, NULL, "t", &err),
                     0);
    ck_assert_ptr_null(wall_replay_find(w, "t1"));
    ck_assert_ptr_nonnull(wall_replay_find(w, "t2"));
    ck_assert_int_eq(a.forgets, 1);
    ck_assert_int_eq(replay_control(rc, w, -1, "t1", REPLAY_PAUSE, 0, 0, "ana", &err), -1);
    ck_assert_str_eq(err.field, "tile");
    ck_assert_int_eq(walls_replace(srv->wall_service, w, w->version, keep, NULL, "t", &err), 0);
    ck_assert_ptr_null(wall_replay_find(w, "t2"));
    ck_assert_int_eq(replay_start(rc, w, -1, "t2", t0_ms + 20000, "ana", &err), 0);
    gint64 v = w->version;
    ck_assert_int_eq(replay_stop(rc, w, v - 1, "t2", &err), -1);
    ck_assert_str_eq(err.code, ERR_CONFLICT);
    ck_assert_int_eq(replay_stop(rc, w, v, "t2", &err), 0);
    ck_assert_ptr_null(wall_replay_find(w, "t2"));
    ck_assert_int_eq(w->version, v + 1);
    ck_assert_int_eq(replay_stop(rc, w, -1, "t2", &err), -1);
    ck_assert_str_eq(err.field, "tile");
    viewer_free(s, &a);
}
END_TEST

/* Nothing kept then, no such tile, no camera: refused, nothing changed. */
START_TEST(refusals_change_nothing)
{
    pantau_error err = {0};
    gint64 v = w->version;
    ck_assert_int_eq(replay_start(rc, w, -1, "t1", t0_ms - 5000, "ana", &err), -1);
    ck_assert_str_eq(err.field, "at_ms");
    ck_assert_int_eq(replay_start(rc, w, -1, "t9", t0_ms + 5000, "ana", &err), -1);
    ck_assert_str_eq(err.field, "tile");
    ck_assert_int_eq(walls_change(srv->wall_service, w, w->version, change_source, NULL, "t", &err),
                     0);
    v = w->version;
    ck_assert_int_eq(replay_start(rc, w, -1, "t1", t0_ms + 5000, "ana", &err), -1);
    ck_assert_str_eq(err.field, "tile");
    ck_assert_int_eq(w->version, v);
    ck_assert_ptr_null(w->replays ? wall_replay_find(w, "t1") : NULL);
}
END_TEST

/* With no operation for idle_s, the tile goes back to live. */
START_TEST(idle_returns_to_live)
{
    replay_center_free(rc);
    center_start(1);
    pantau_error err = {0};
    ck_assert_int_eq(replay_start(rc, w, -1, "t1", t0_ms + 10000, "ana", &err), 0);
    gint64 v = w->version;
    run_for(600);
    ck_assert_ptr_nonnull(wall_replay_find(w, "t1"));
    run_for(1000);
    ck_assert_ptr_null(wall_replay_find(w, "t1"));
    ck_assert_int_eq(w->version, v + 1);
}
END_TEST

int main(int argc, char **argv)
{
    Suite *s = suite_create("replay");
    TCase *tc = tcase_create("replays");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, starts_at_the_keyframe_before);
    tcase_add_test(tc, every_viewer_gets_the_same);
    tcase_add_test(tc, pause_step_rate);
    tcase_add_test(tc, seek_starts_again);
    tcase_add_test(tc, h265_only_to_who_decodes_it);
    tcase_add_test(tc, layout_changes_end_it);
    tcase_add_test(tc, refusals_change_nothing);
    tcase_add_test(tc, idle_returns_to_live);
    suite_add_tcase(s, tc);
    return tu_run(s, argc, argv);
}
