/* replay.c - replays of wall tiles: a reader per replay on a worker thread
 * (a batch of access units at a time, never on the main loop), frames
 * paced on the main loop at the replay's rate by their recorded times and
 * fanned out to its sessions; the replay's state lives in the wall. */
#include "replay.h"

#include "h264.h"
#include "h265.h"
#include "log.h"
#include "media_frame.h"

#include <gio/gio.h>
#include <string.h>

#define READ_BATCH_FRAMES 32
#define READ_BATCH_BYTES (4u * 1024u * 1024u)
#define READ_AHEAD_FRAMES 48   /* a batch is read while fewer are waiting */
#define GOP_MAX_FRAMES 600     /* kept for a session that subscribes late */
#define LIVE_EDGE_RETRY_MS 500 /* at the end of what is kept, read again after */
#define ERROR_RETRY_MS 2000
#define LATE_REANCHOR_US 500000 /* frames this late are not caught up in a burst */
/* A frame this long after the last one sent follows a gap in the
 * recording (the camera was offline, recording off): it goes at once. */
#define GAP_SKIP_US 2000000
#define SUBSCRIPTION_PREFIX "replay/"

typedef struct replay replay;

/* Read jobs running (main loop only): the center waits for them when it
 * is freed, so that no reader outlives what it reads. */
static unsigned jobs_in_flight;

struct replay_center {
    replay_deps deps;
    GHashTable *by_id; /* replay id (borrowed from the replay) -> replay * */
    guint serial;
    char prefix[8]; /* random per run: an id from an earlier run names nothing */
    uint32_t next_stream;
};

struct replay {
    int refs;          /* the center's, and a read job's in flight */
    replay_center *rc; /* NULL once ended */
    char id[REPLAY_ID_MAX + 1];
    char *wall_id, *tile, *source;
    uint32_t stream;
    replay_reader_fns fns; /* the center's: a job may end after the center */
    GPtrArray *viewers;    /* session *, borrowed */
    GPtrArray *gop;        /* media_frame *: the frames since the last keyframe sent */
    char codec[H265_CODEC_STRING_MAX];
    int width, height;
    bool h265; /* its last keyframe was H.265 */
    /* reading */
    void *reader;      /* NULL: not open; owned by the read job while one runs */
    bool job;          /* a read job runs */
    int64_t reopen_ms; /* the next job opens the reader at this moment; -1: reads on */
    guint gen;         /* a seek makes what a running job reads stale */
    guint retry;       /* reads again after the live edge or an error */
    GQueue ahead;      /* media_frame *: read, not yet sent */
    /* pacing */
    int64_t
        target_us; /* frames before it are sent at once (the start's keyframe and what follows) */
    int rate;
    bool paused, step;
    bool anchored;
    gint64 anchor_mono;   /* when the anchor frame went, monotonic us */
    int64_t anchor_media; /* its recorded time, us */
    int64_t pos_us;       /* the recorded time of the last frame sent; 0: none */
    guint timer;
    guint idle;
};

/* ---- the replay ---- */

static void frames_clear(GPtrArray *frames)
{
    for (guint i = 0; i < frames->len; i++)
        media_frame_unref(g_ptr_array_index(frames, i));
    g_ptr_array_set_size(frames, 0);
}

static void ahead_clear(replay *r)
{
    media_frame *f;
    while ((f = g_queue_pop_head(&r->ahead)))
        media_frame_unref(f);
}

static void replay_unref(replay *r)
{
    if (--r->refs > 0)
        return;
    if (r->reader)
        r->fns.close(r->reader);
    ahead_clear(r);
    frames_clear(r->gop);
    g_ptr_array_free(r->gop, TRUE);
    g_ptr_array_free(r->viewers, TRUE);
    g_free(r->wall_id);
    g_free(r->tile);
    g_free(r->source);
    g_free(r);
}

static replay *replay_new(replay_center *rc, const wall *w, const char *tile, const char *source)
{
    replay *r = g_new0(replay, 1);
    r->refs = 1;
    r->rc = rc;
    snprintf(r->id, sizeof r->id, "%s%u", rc->prefix, ++rc->serial);
    r->wall_id = g_strdup(w->id);
    r->tile = g_strdup(tile);
    r->source = g_strdup(source);
    r->stream = ++rc->next_stream;
    r->fns = rc->deps.reader;
    r->viewers = g_ptr_array_new();
    r->gop = g_ptr_array_new();
    g_queue_init(&r->ahead);
    r->reopen_ms = -1;
    r->rate = 1;
    g_hash_table_insert(rc->by_id, r->id, r);
    return r;
}

static void remove_source(guint *id)
{
    if (*id)
        g_source_remove(*id);
    *id = 0;
}

/* Ends r: its viewers forget its stream, its timers stop, and the center
 * lets go of it (a read job in flight keeps it until it ends). */
static void replay_end(replay *r)
{
    replay_center *rc = r->rc;
    if (!rc)
        return;
    log_info("replay %s of %s on %s/%s ends", r->id, r->source, r->wall_id, r->tile);
    for (guint i = 0; i < r->viewers->len; i++)
        session_forget_stream(g_ptr_array_index(r->viewers, i), r->stream);
    g_ptr_array_set_size(r->viewers, 0);
    remove_source(&r->timer);
    remove_source(&r->retry);
    remove_source(&r->idle);
    g_hash_table_remove(rc->by_id, r->id);
    r->rc = NULL;
    replay_unref(r);
}

/* ---- sending ---- */

/* Whether s may get f: an H.265 frame only when its decoder takes H.265
 * (nothing converts a replay). */
static bool decodes(const session *s, const media_frame *f)
{
    return !(f->flags & MEDIA_FLAG_H265) || s->decodes_h265;
}

/* The stream's description for s (the media event's fields); "refused":
 * "h265" when s cannot decode it. New reference. */
static json_t *stream_info(const replay *r, const session *s)
{
    json_t *info = json_pack("{s:s, s:I, s:s, s:b, s:s, s:s?, s:i, s:i, s:b}", "source", r->source,
                             "stream", (json_int_t)r->stream, "kind", "replay", "replay", true,
                             "replay_id", r->id, "codec", r->codec[0] ? r->codec : NULL, "width",
                             r->width, "height", r->height, "transcoded", false);
    if (r->h265 && !s->decodes_h265)
        json_object_set_new(info, "refused", json_string("h265"));
    return info;
}

static void hold_video(const replay *r)
{
    if (r->rc->deps.hold_video)
        r->rc->deps.hold_video(r->rc->deps.video_user);
}

static void release_video(const replay *r)
{
    if (r->rc->deps.release_video)
        r->rc->deps.release_video(r->rc->deps.video_user);
}

/* A keyframe's codec and size: told to the viewers when they change. */
static void learn_codec(replay *r, const media_frame *f)
{
    char codec[H265_CODEC_STRING_MAX] = "";
    int width = 0, height = 0;
    const uint8_t *au = media_frame_data(f);
    bool h265 = (f->flags & MEDIA_FLAG_H265) != 0;
    bool ok = h265 ? h265_codec_string(au, f->len, codec, sizeof codec) &&
                         h265_picture_size(au, f->len, &width, &height)
                   : h264_codec_string(au, f->len, codec, sizeof codec) &&
                         h264_picture_size(au, f->len, &width, &height);
    bool same = !ok || (strcmp(codec, r->codec) == 0 && width == r->width && height == r->height);
    if (same && h265 == r->h265)
        return;
    if (!same) {
        g_strlcpy(r->codec, codec, sizeof r->codec);
        r->width = width;
        r->height = height;
    }
    r->h265 = h265;
    for (guint i = 0; i < r->viewers->len; i++) {
        const session *s = g_ptr_array_index(r->viewers, i);
        json_t *info = stream_info(r, s);
        session_stream_info(s, info);
        json_decref(info);
    }
}

/* Sends f (a reference is kept in the GOP) to every viewer. */
static void send_frame(replay *r, media_frame *f)
{
    f->stream = r->stream;
    if (media_frame_is_keyframe(f)) {
        frames_clear(r->gop);
        learn_codec(r, f);
    }
    if (r->gop->len < GOP_MAX_FRAMES)
        g_ptr_array_add(r->gop, media_frame_ref(f));
    f->recv_us = g_get_real_time();
    for (guint i = 0; i < r->viewers->len; i++) {
        const session *s = g_ptr_array_index(r->viewers, i);
        if (decodes(s, f))
            session_send_frame(s, f);
    }
    r->pos_us = f->pts_us;
}

/* ---- reading, on a worker thread ---- */

/* One batch: opens the reader first when open_ms >= 0. */
typedef struct read_job {
    replay *r; /* a reference */
    void *reader;
    char *source;
    replay_reader_fns fns;
    int64_t open_ms;
    guint gen;
    size_t room;
    GPtrArray *frames; /* media_frame * read */
    int status;        /* 1: more to read; 0: the live edge; -1: an error */
    char *error;
} read_job;

static media_frame *frame_of(uint8_t *au, size_t len, int64_t time_us, bool h265, size_t room)
{
    media_frame *f = media_frame_new(room, au, len);
    f->pts_us = time_us;
    f->flags = h265 ? MEDIA_FLAG_H265 : 0;
    if (h265 ? h265_au_is_keyframe(au, len) : h264_au_is_keyframe(au, len))
        f->flags |= MEDIA_FLAG_KEYFRAME;
    if (h265 ? h265_au_has_parameter_sets(au, len) : h264_au_has_parameter_sets(au, len))
        f->flags |= MEDIA_FLAG_CONFIG;
    g_free(au);
    return f;
}

static void read_batch(GTask *task, gpointer object, gpointer data, GCancellable *cancel)
{
    (void)task, (void)object, (void)cancel;
    read_job *j = data;
    if (j->open_ms >= 0) {
        if (j->reader)
            j->fns.close(j->reader);
        pantau_error err = {0};
        j->reader = j->fns.open(j->fns.user, j->source, j->open_ms, &err);
        if (!j->reader) {
            j->status = -1;
            j->error = g_strdup(err.message);
            return;
        }
    }
    size_t bytes = 0;
    j->status = 1;
    while (j->frames->len < READ_BATCH_FRAMES && bytes < READ_BATCH_BYTES) {
        uint8_t *au = NULL;
        size_t len = 0;
        int64_t time_us = 0;
        bool h265 = false;
        j->status = j->fns.next(j->reader, &au, &len, &time_us, &h265);
        if (j->status <= 0) {
            g_free(au);
            break;
        }
        g_ptr_array_add(j->frames, frame_of(au, len, time_us, h265, j->room));
        bytes += len;
    }
}

static void read_job_free(read_job *j)
{
    for (guint i = 0; i < j->frames->len; i++)
        media_frame_unref(g_ptr_array_index(j->frames, i));
    g_ptr_array_free(j->frames, TRUE);
    g_free(j->source);
    g_free(j->error);
    g_free(j);
}

static void pump(replay *r);
static void maybe_read(replay *r);

static void retry_read(gpointer data)
{
    ((replay *)data)->retry = 0;
    maybe_read(data);
}

static void read_done(GObject *object, GAsyncResult *result, gpointer data)
{
    (void)object, (void)data;
    read_job *j = g_task_get_task_data(G_TASK(result));
    replay *r = j->r;
    jobs_in_flight--;
    r->job = false;
    r->reader = j->reader;
    j->reader = NULL;
    if (!r->rc || j->gen != r->gen) {
        /* Ended, or a seek came: what was read is stale. */
        if (r->rc)
            maybe_read(r);
        read_job_free(j);
        replay_unref(r);
        return;
    }
    for (guint i = 0; i < j->frames->len; i++)
        g_queue_push_tail(&r->ahead, g_ptr_array_index(j->frames, i));
    g_ptr_array_set_size(j->frames, 0);
    if (j->status < 0) {
        log_warn("replay %s of %s: %s", r->id, r->source, j->error ? j->error : "read error");
        /* Open again where it was. */
        r->reopen_ms = r->pos_us ? r->pos_us / 1000 + 1 : r->target_us / 1000;
    }
    if (j->status <= 0)
        r->retry =
            g_timeout_add_once(j->status < 0 ? ERROR_RETRY_MS : LIVE_EDGE_RETRY_MS, retry_read, r);
    read_job_free(j);
    pump(r);
    replay_unref(r); /* the center keeps its own */
}

/* Starts a read job unless one runs, enough is waiting or a retry is due. */
static void maybe_read(replay *r)
{
    if (r->job || r->retry || g_queue_get_length(&r->ahead) >= READ_AHEAD_FRAMES)
        return;
    read_job *j = g_new0(read_job, 1);
    j->r = r;
    r->refs++;
    j->reader = r->reader;
    r->reader = NULL;
    j->source = g_strdup(r->source);
    j->fns = r->fns;
    j->open_ms = r->reopen_ms;
    r->reopen_ms = -1;
    j->gen = r->gen;
    j->room = r->rc->deps.frame_room;
    j->frames = g_ptr_array_new();
    r->job = true;
    jobs_in_flight++;
    GTask *task = g_task_new(NULL, NULL, read_done, NULL);
    g_task_set_task_data(task, j, NULL);
    g_task_run_in_thread(task, read_batch);
    g_object_unref(task);
}

/* ---- pacing ---- */

static void pace_due(gpointer data)
{
    ((replay *)data)->timer = 0;
    pump(data);
}

/* When frame time media_us is due at r's rate: monotonic us. */
static gint64 due_at(const replay *r, int64_t media_us)
{
    return r->anchor_mono + (media_us - r->anchor_media) / r->rate;
}

/* Whether f may go now; else schedules the timer for it. Frames before the
 * target go at once; then f is due by its time at the rate, from the
 * first frame sent after the target, a play or a rate change, or the
 * first after a gap (the replay skips to the next segment). */
static bool frame_due(replay *r, const media_frame *f, gint64 now)
{
    if (f->pts_us < r->target_us)
        return true;
    if (r->paused && !r->step)
        return false;
    bool gap = r->pos_us && f->pts_us - r->pos_us > GAP_SKIP_US;
    if (!r->anchored || gap || now - due_at(r, f->pts_us) > LATE_REANCHOR_US) {
        r->anchored = true;
        r->anchor_mono = now;
        r->anchor_media = f->pts_us;
    }
    gint64 due = due_at(r, f->pts_us);
    if (due <= now + 1000)
        return true;
    r->timer = g_timeout_add_once((guint)MAX((due - now) / 1000, 1), pace_due, r);
    return false;
}

/* Sends what is due of the frames read, then reads more. */
static void pump(replay *r)
{
    remove_source(&r->timer);
    gint64 now = g_get_monotonic_time();
    hold_video(r);
    media_frame *f;
    while ((f = g_queue_peek_head(&r->ahead)) && frame_due(r, f, now)) {
        bool paced = f->pts_us >= r->target_us;
        g_queue_pop_head(&r->ahead);
        send_frame(r, f);
        media_frame_unref(f);
        if (paced && r->step) {
            r->step = false;
            break;
        }
    }
    release_video(r);
    maybe_read(r);
}

/* Starts reading at at_ms again: what was read is dropped. */
static void seek(replay *r, int64_t at_ms)
{
    r->gen++;
    ahead_clear(r);
    frames_clear(r->gop);
    remove_source(&r->retry);
    r->reopen_ms = at_ms;
    r->target_us = at_ms * 1000;
    r->anchored = false;
    r->step = false;
    r->pos_us = 0;
    pump(r);
}

/* ---- the idle return ---- */

static gboolean idle_expired(gpointer data)
{
    replay *r = data;
    replay_center *rc = r->rc;
    r->idle = 0;
    wall *w = walls_find(rc->deps.walls, r->wall_id);
    if (!w)
        return G_SOURCE_REMOVE;
    log_info("replay %s on %s/%s: idle %u s, back to live", r->id, r->wall_id, r->tile,
             rc->deps.idle_s);
    pantau_error err = {0};
    audit_begin(rc->deps.audit, NULL, "replay.idle", w->id, w->version);
    walls_replay_set(rc->deps.walls, w, -1, r->tile, NULL, &err);
    audit_line_free(audit_end(rc->deps.audit, true, w->version));
    return G_SOURCE_REMOVE;
}

static void touch(replay *r)
{
    remove_source(&r->idle);
    r->idle = g_timeout_add(r->rc->deps.idle_s * 1000u, idle_expired, r);
}

/* ---- the center ---- */

/* A wall changed: replays it no longer has end. */
static void wall_changed(const bus_event *ev, void *user)
{
    replay_center *rc = user;
    const wall *w = ev->wall_changed.wall;
    GPtrArray *ended = g_ptr_array_new();
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, rc->by_id);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        replay *r = value;
        const tile_replay *tr = wall_replay_find(w, r->tile);
        if (strcmp(r->wall_id, w->id) == 0 && (!tr || strcmp(tr->id, r->id) != 0))
            g_ptr_array_add(ended, r);
    }
    for (guint i = 0; i < ended->len; i++)
        replay_end(g_ptr_array_index(ended, i));
    g_ptr_array_free(ended, TRUE);
}

replay_center *replay_center_new(const replay_deps *deps)
{
    replay_center *rc = g_new0(replay_center, 1);
    rc->deps = *deps;
    if (rc->deps.idle_s == 0)
        rc->deps.idle_s = 300;
    rc->by_id = g_hash_table_new(g_str_hash, g_str_equal);
    snprintf(rc->prefix, sizeof rc->prefix, "r%04x-", g_random_int_range(0, 0x10000));
    /* Far from the media engine's stream ids, which count from 1. */
    rc->next_stream = 0x40000000u;
    bus_subscribe(rc->deps.bus, BUS_WALL_CHANGED, wall_changed, rc);
    return rc;
}

void replay_center_free(replay_center *rc)
{
    if (!rc)
        return;
    bus_unsubscribe(rc->deps.bus, BUS_WALL_CHANGED, wall_changed, rc);
    GList *all = g_hash_table_get_values(rc->by_id);
    for (GList *l = all; l; l = l->next)
        replay_end(l->data);
    g_list_free(all);
    while (jobs_in_flight)
        g_main_context_iteration(NULL, TRUE);
    g_hash_table_destroy(rc->by_id);
    g_free(rc);
}

/* ---- operations ---- */

static replay *replay_of(const replay_center *rc, const wall *w, const char *tile,
                         pantau_error *err)
{
    const tile_replay *tr = wall_replay_find(w, tile);
    replay *r = tr ? g_hash_table_lookup(rc->by_id, tr->id) : NULL;
    if (!r)
        error_set(err, ERR_BAD_REQUEST, "tile", "tile '%.32s' of wall '%s' is not in replay", tile,
                  w->id);
    return r;
}

/* Whether something of source is kept at at_ms: 0, or -1 with err naming
 * field. */
static int check_kept(const replay_center *rc, const char *source, int64_t at_ms, const char *field,
                      pantau_error *err)
{
    int64_t oldest = 0, newest = 0;
    const replay_reader_fns *fns = &rc->deps.reader;
    if (!fns->span || !fns->span(fns->user, source, &oldest, &newest, NULL))
        return error_set(err, ERR_BAD_REQUEST, field, "nothing of '%s' is recorded", source);
    if (at_ms < oldest || at_ms > newest)
        return error_set(err, ERR_BAD_REQUEST, field,
                         "nothing of '%s' is kept at %" G_GINT64_FORMAT "; kept: %" G_GINT64_FORMAT
                         " to %" G_GINT64_FORMAT,
                         source, (gint64)at_ms, (gint64)oldest, (gint64)newest);
    return 0;
}

/* The wall's state of r at position at_ms, set by user. */
static tile_replay state_of(const replay *r, int64_t at_ms, const char *user)
{
    tile_replay tr = {0};
    g_strlcpy(tr.tile, r->tile, sizeof tr.tile);
    g_strlcpy(tr.source, r->source, sizeof tr.source);
    g_strlcpy(tr.id, r->id, sizeof tr.id);
    tr.at_ms = at_ms;
    tr.set_ms = g_get_real_time() / 1000;
    tr.rate = r->rate;
    tr.paused = r->paused;
    g_strlcpy(tr.by, user ? user : "", sizeof tr.by);
    return tr;
}

/* Where r is now (ms): the last frame sent, else where it starts. */
static int64_t position_ms(const replay *r)
{
    return r->pos_us >= r->target_us ? r->pos_us / 1000 : r->target_us / 1000;
}

int64_t replay_position_ms(const replay_center *rc, const wall *w, const char *tile)
{
    const tile_replay *tr = wall_replay_find(w, tile);
    const replay *r = tr ? g_hash_table_lookup(rc->by_id, tr->id) : NULL;
    return r ? position_ms(r) : -1;
}

int replay_start(replay_center *rc, wall *w, gint64 version, const char *tile, int64_t at_ms,
                 const char *user, pantau_error *err)
{
    int t = layout_find_tile(&w->layout, tile);
    if (t < 0)
        return error_set(err, ERR_BAD_REQUEST, "tile", "wall '%s' has no tile '%.32s'", w->id,
                         tile);
    const char *source = w->layout.tiles[t].source;
    if (!source_is_camera(source_registry_find(rc->deps.sources, source)))
        return error_set(err, ERR_BAD_REQUEST, "tile", "tile '%.32s' shows no camera", tile);
    if (check_kept(rc, source, at_ms, "at_ms", err))
        return -1;
    const tile_replay *now = wall_replay_find(w, tile);
    replay *r = now ? g_hash_table_lookup(rc->by_id, now->id) : NULL;
    bool fresh = !r;
    if (fresh)
        r = replay_new(rc, w, tile, source);
    int rate_was = r->rate;
    bool paused_was = r->paused;
    r->rate = 1;
    r->paused = false;
    tile_replay tr = state_of(r, at_ms, user);
    if (walls_replay_set(rc->deps.walls, w, version, tile, &tr, err)) {
        r->rate = rate_was;
        r->paused = paused_was;
        if (fresh)
            replay_end(r);
        return -1;
    }
    log_info("replay %s of %s on %s/%s from %" G_GINT64_FORMAT " by %s", r->id, source, w->id, tile,
             (gint64)at_ms, user ? user : "?");
    touch(r);
    seek(r, at_ms);
    return 0;
}

/* Applies action to r's pacing (after the wall accepted the change). */
static void apply_action(replay *r, enum replay_action action, int64_t at_ms)
{
    switch (action) {
    case REPLAY_SEEK:
        seek(r, at_ms);
        return;
    case REPLAY_STEP:
        r->step = true;
        break;
    case REPLAY_PLAY:
    case REPLAY_RATE:
        r->anchored = false;
        break;
    case REPLAY_PAUSE:
        break;
    }
    pump(r);
}

/* Checks action's arguments against r: 0, or -1 with err. */
static int check_action(const replay_center *rc, const replay *r, enum replay_action action,
                        int rate, int64_t at_ms, pantau_error *err)
{
    if (action == REPLAY_RATE && rate != 1 && rate != 2 && rate != 4)
        return error_set(err, ERR_BAD_REQUEST, "rate", "'rate' must be 1, 2 or 4");
    if (action == REPLAY_STEP && !r->paused)
        return error_set(err, ERR_BAD_REQUEST, "action", "'step' needs a paused replay");
    if (action == REPLAY_SEEK)
        return check_kept(rc, r->source, at_ms, "at_ms", err);
    return 0;
}

int replay_control(replay_center *rc, wall *w, gint64 version, const char *tile,
                   enum replay_action action, int rate, int64_t at_ms, const char *user,
                   pantau_error *err)
{
    replay *r = replay_of(rc, w, tile, err);
    if (!r || check_action(rc, r, action, rate, at_ms, err))
        return -1;
    int rate_was = r->rate;
    bool paused_was = r->paused;
    if (action == REPLAY_RATE)
        r->rate = rate;
    if (action == REPLAY_PAUSE || action == REPLAY_PLAY)
        r->paused = action == REPLAY_PAUSE;
    tile_replay tr = state_of(r, action == REPLAY_SEEK ? at_ms : position_ms(r), user);
    if (walls_replay_set(rc->deps.walls, w, version, tile, &tr, err)) {
        r->rate = rate_was;
        r->paused = paused_was;
        return -1;
    }
    touch(r);
    apply_action(r, action, at_ms);
    return 0;
}

int replay_stop(replay_center *rc, wall *w, gint64 version, const char *tile, pantau_error *err)
{
    /* The wall change ends the reader (wall_changed). */
    return walls_replay_set(rc->deps.walls, w, version, tile, NULL, err);
}

json_t *replay_span_json(const replay_center *rc, const char *source_id)
{
    int64_t oldest = 0, newest = 0;
    json_t *gaps = NULL;
    const replay_reader_fns *fns = &rc->deps.reader;
    if (!fns->span || !fns->span(fns->user, source_id, &oldest, &newest, &gaps))
        return json_pack("{s:s, s:n, s:n, s:[]}", "source", source_id, "oldest_ms", "newest_ms",
                         "gaps");
    return json_pack("{s:s, s:I, s:I, s:o}", "source", source_id, "oldest_ms", (json_int_t)oldest,
                     "newest_ms", (json_int_t)newest, "gaps", gaps ? gaps : json_array());
}

/* ---- delivery ---- */

char *replay_subscription_key(const char *id)
{
    if (!id || !layout_id_is_valid(id, REPLAY_ID_MAX))
        return NULL;
    return g_strconcat(SUBSCRIPTION_PREFIX, id, NULL);
}

/* The replay a subscription key names, or NULL. */
static replay *replay_of_key(const replay_center *rc, const char *key)
{
    if (!g_str_has_prefix(key, SUBSCRIPTION_PREFIX))
        return NULL;
    return g_hash_table_lookup(rc->by_id, key + strlen(SUBSCRIPTION_PREFIX));
}

static void attach(replay *r, session *s)
{
    if (g_ptr_array_find(r->viewers, s, NULL))
        return;
    g_ptr_array_add(r->viewers, s);
    json_t *info = stream_info(r, s);
    session_stream_info(s, info);
    json_decref(info);
    if (!r->gop->len) {
        session_expect_keyframe(s, r->stream);
        return;
    }
    hold_video(r);
    for (guint i = 0; i < r->gop->len; i++) {
        media_frame *f = g_ptr_array_index(r->gop, i);
        if (decodes(s, f))
            session_send_frame(s, f);
    }
    release_video(r);
}

static void detach(replay *r, session *s)
{
    if (g_ptr_array_remove(r->viewers, s))
        session_forget_stream(s, r->stream);
}

void replay_session_changed(replay_center *rc, session *s, GHashTable *old)
{
    if (!rc)
        return;
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, s->subscriptions);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        replay *r = replay_of_key(rc, key);
        if (r)
            attach(r, s);
    }
    g_hash_table_iter_init(&it, old);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        replay *r = g_hash_table_contains(s->subscriptions, key) ? NULL : replay_of_key(rc, key);
        if (r)
            detach(r, s);
    }
}

void replay_session_gone(replay_center *rc, session *s)
{
    if (!rc)
        return;
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, rc->by_id);
    while (g_hash_table_iter_next(&it, NULL, &value))
        g_ptr_array_remove(((replay *)value)->viewers, s);
}
