/* media.c - camera streams: ingest from plugin threads, keyframe caches,
 * fan-out to sessions, start on first viewer and stop after a grace period.
 *
 * Threads: media_push() runs on plugin streaming threads or on the main
 * loop. On a streaming thread it only builds a frame and hands it over
 * through a mutex-protected queue; on the main loop it delivers the frame at
 * once. Everything else here runs on the main loop. */
#include "media.h"

#include "h264.h"
#include "h265.h"
#include "log.h"
#include "transcode.h"

#include <string.h>

/* The frames since the last keyframe are kept for new viewers, within
 * these bounds (a camera with a very long GOP gets no cache). */
#define GOP_MAX_FRAMES 600
#define GOP_MAX_BYTES (24u * 1024u * 1024u)

struct media_stream {
    media_engine *engine;
    pantau_source *source;
    enum pantau_stream kind;
    uint32_t id;
    bool open;
    GPtrArray *viewers; /* session *, borrowed */
    guint grace_timer;
    GPtrArray *gop; /* media_frame *, one reference each */
    size_t gop_bytes;
    char codec[H265_CODEC_STRING_MAX];
    int width, height;
    bool transcoded;
    bool h265; /* its access units are (or, closed, were last) H.265 */
    /* H.265 for clients that cannot decode it and have no H.264 stream: */
    media_stream *parent;    /* a conversion: the H.265 stream (main or sub) it converts */
    media_stream *transcode; /* a camera stream: its conversion to H.264, or NULL */
    transcoder *tc;          /* a conversion: running while open */
    GPtrArray *refused;      /* a camera stream: sessions refused its conversion, borrowed */
    gint64 last_frame_us;    /* monotonic; 0: none yet */
    guint64 frames, bytes;
    guint64 window_frames, window_bytes; /* since the last stats tick */
    double fps, kbps;
};

/* A frame on its way from a plugin thread to the main loop. */
typedef struct pending_frame {
    media_stream *stream;
    media_frame *frame;
    char codec[H265_CODEC_STRING_MAX]; /* set when the frame carries an SPS */
    int width, height;
} pending_frame;

struct media_engine {
    media_deps deps;
    uint32_t next_stream_id;
    GPtrArray *streams; /* media_stream *, owned */
    guint stats_timer;
    gint64 stats_at;      /* monotonic us of the last stats tick */
    GList *gop_waiters;   /* gop_waiter *, owned */
    unsigned transcodes;  /* conversions running (deps.transcode_budget at most) */
    GQueue waiting;       /* budget_wait *: refused by the budget, in arrival order */
    GThread *main_thread; /* the main loop's: pushes from it skip the queue */
    GMutex lock;          /* guards pending and wake_scheduled */
    GQueue pending;       /* pending_frame * */
    bool wake_scheduled;
    bool closing; /* the server is stopping: no conversion starts */
};

static const char *kind_name(enum pantau_stream kind)
{
    return kind == PANTAU_STREAM_SUB ? "sub" : "main";
}

/* ---- streams ---- */

static void gop_clear(media_stream *st)
{
    for (guint i = 0; i < st->gop->len; i++)
        media_frame_unref(g_ptr_array_index(st->gop, i));
    g_ptr_array_set_size(st->gop, 0);
    st->gop_bytes = 0;
}

static media_stream *stream_get(media_engine *engine, pantau_source *src, enum pantau_stream kind)
{
    if (src->streams[kind])
        return src->streams[kind];
    media_stream *st = g_new0(media_stream, 1);
    st->engine = engine;
    st->source = src;
    st->kind = kind;
    st->id = ++engine->next_stream_id;
    st->viewers = g_ptr_array_new();
    st->gop = g_ptr_array_new();
    st->refused = g_ptr_array_new();
    g_ptr_array_add(engine->streams, st);
    src->streams[kind] = st;
    return st;
}

static void retry_refused(media_engine *engine);

/* Whether st must stay open with no viewer of its own: its conversion runs. */
static bool stream_feeds_transcode(const media_stream *st)
{
    return st->transcode && st->transcode->open;
}

static void stream_close(media_stream *st)
{
    if (st->grace_timer)
        g_source_remove(st->grace_timer);
    st->grace_timer = 0;
    if (!st->open)
        return;
    if (st->parent) {
        log_info("%s: H.265 transcode stops (no viewers)", st->source->id);
        transcoder_free(st->tc);
        st->tc = NULL;
        st->engine->transcodes--;
    } else {
        log_info("%s: %s stream stops (no viewers)", st->source->id, kind_name(st->kind));
        st->engine->deps.stream_close(st->source, st->kind);
    }
    st->open = false;
    gop_clear(st);
    st->codec[0] = '\0';
    /* st->h265 stays: viewers that cannot decode H.265 keep going to the
     * substream without opening this one first to learn its codec. */
    st->fps = st->kbps = 0;
}

static void stream_free(gpointer data)
{
    media_stream *st = data;
    stream_close(st);
    if (!st->parent)
        st->source->streams[st->kind] = NULL;
    g_ptr_array_free(st->viewers, TRUE);
    g_ptr_array_free(st->refused, TRUE);
    g_ptr_array_free(st->gop, TRUE);
    g_free(st);
}

/* Opens the stream if it is not open. Returns whether it is open. */
static bool stream_ensure_open(media_stream *st)
{
    if (st->open)
        return true;
    pantau_source *src = st->source;
    if (!src->instance || st->engine->deps.stream_open(src, st->kind) != 0)
        return false;
    log_info("%s: %s stream starts", src->id, kind_name(st->kind));
    st->open = true;
    st->last_frame_us = 0;
    return true;
}

static gboolean grace_expired(gpointer data)
{
    media_stream *st = data;
    st->grace_timer = 0;
    if (st->viewers->len || stream_feeds_transcode(st))
        return G_SOURCE_REMOVE;
    stream_close(st);
    media_stream *main = st->parent;
    if (main && !main->viewers->len && main->open && !main->grace_timer)
        main->grace_timer = g_timeout_add(st->engine->deps.grace_ms, grace_expired, main);
    if (main)
        retry_refused(st->engine);
    return G_SOURCE_REMOVE;
}

/* The stream's description for its viewers (app/ sends it as the media
 * event). New reference. */
static json_t *stream_info(const media_stream *st)
{
    return json_pack("{s:s, s:I, s:s, s:s?, s:i, s:i, s:b}", "source", st->source->id, "stream",
                     (json_int_t)st->id, "kind", kind_name(st->kind), "codec",
                     st->codec[0] ? st->codec : NULL, "width", st->width, "height", st->height,
                     "transcoded", st->transcoded);
}

static void hold_video(const media_engine *engine)
{
    if (engine->deps.hold_video)
        engine->deps.hold_video(engine->deps.video_user);
}

static void release_video(const media_engine *engine)
{
    if (engine->deps.release_video)
        engine->deps.release_video(engine->deps.video_user);
}

static void stream_attach(media_stream *st, session *s)
{
    g_ptr_array_add(st->viewers, s);
    if (st->grace_timer)
        g_source_remove(st->grace_timer);
    st->grace_timer = 0;
    if (!session_has_sink(s))
        return;
    json_t *info = stream_info(st);
    session_stream_info(s, info);
    json_decref(info);
    if (st->gop->len == 0) {
        session_expect_keyframe(s, st->id);
        return;
    }
    hold_video(st->engine);
    for (guint i = 0; i < st->gop->len; i++)
        session_send_frame(s, g_ptr_array_index(st->gop, i));
    release_video(st->engine);
}

/* Whether st, a conversion whose last viewer left, stops at once rather
 * than after the grace period: the budget is full and clients wait, and
 * the longest waiting gets its slot (a newcomer to st waits behind them). */
static bool conversion_yields(const media_stream *st)
{
    const media_engine *engine = st->engine;
    return st->parent && engine->waiting.head &&
           engine->transcodes >= engine->deps.transcode_budget;
}

static void stream_detach(media_stream *st, session *s)
{
    if (!g_ptr_array_remove(st->viewers, s))
        return;
    session_forget_stream(s, st->id);
    if (st->viewers->len || !st->open || st->grace_timer || stream_feeds_transcode(st))
        return;
    if (conversion_yields(st))
        grace_expired(st); /* now: the slot goes to the longest waiting */
    else
        st->grace_timer = g_timeout_add(st->engine->deps.grace_ms, grace_expired, st);
}

/* ---- sessions ---- */

/* ---- conversions of H.265 for clients without a substream ---- */

static void stream_push(media_stream *st, const void *data, size_t len, int64_t pts_us,
                        unsigned flags);

static void on_transcoded(const uint8_t *au, size_t len, int64_t pts_us, void *user)
{
    stream_push(user, au, len, pts_us, PANTAU_MEDIA_TRANSCODED);
}

/* main's conversion stream, made on first use. */
static media_stream *transcode_stream(media_stream *main)
{
    if (main->transcode)
        return main->transcode;
    media_engine *engine = main->engine;
    media_stream *tc = g_new0(media_stream, 1);
    tc->engine = engine;
    tc->source = main->source;
    tc->kind = main->kind; /* frames of a substream's conversion say "sub" */
    tc->id = ++engine->next_stream_id;
    tc->viewers = g_ptr_array_new();
    tc->gop = g_ptr_array_new();
    tc->refused = g_ptr_array_new();
    tc->parent = main;
    g_ptr_array_add(engine->streams, tc);
    main->transcode = tc;
    return tc;
}

/* Starts main's conversion unless it runs. Returns whether it runs; false
 * past the budget (*budget set) or when it cannot start. */
static bool transcode_ensure_open(media_stream *main, bool *budget)
{
    media_stream *tc = transcode_stream(main);
    media_engine *engine = main->engine;
    *budget = false;
    if (tc->open)
        return true;
    if (engine->transcodes >= engine->deps.transcode_budget) {
        *budget = true;
        return false;
    }
    if (!stream_ensure_open(main))
        return false;
    char *error = NULL;
    tc->tc = transcoder_new(on_transcoded, tc, &error);
    if (!tc->tc) {
        log_warn("%s: %s", main->source->id, error);
        g_free(error);
        /* Opened for the conversion alone: it stops as if its last viewer left. */
        if (!main->viewers->len && !main->grace_timer)
            main->grace_timer = g_timeout_add(engine->deps.grace_ms, grace_expired, main);
        return false;
    }
    tc->open = true;
    tc->last_frame_us = 0;
    engine->transcodes++;
    log_info("%s: H.265 transcode starts (%u of at most %u)", main->source->id, engine->transcodes,
             engine->deps.transcode_budget);
    for (guint i = 0; i < main->gop->len; i++) {
        const media_frame *f = g_ptr_array_index(main->gop, i);
        transcoder_push(tc->tc, media_frame_data(f), f->len, f->pts_us);
    }
    return true;
}

/* ---- the fair queue of clients refused by the budget ---- */

/* A client waiting for the conversion of a stream. */
typedef struct budget_wait {
    media_stream *st; /* the H.265 stream to convert */
    session *s;       /* borrowed */
} budget_wait;

/* s waits for st's conversion, behind every client refused before it. */
static void budget_wait_add(media_stream *st, session *s)
{
    for (GList *l = st->engine->waiting.head; l; l = l->next) {
        const budget_wait *w = l->data;
        if (w->st == st && w->s == s)
            return;
    }
    budget_wait *w = g_new0(budget_wait, 1);
    w->st = st;
    w->s = s;
    g_queue_push_tail(&st->engine->waiting, w);
}

/* Takes the waits of st (of session s; s NULL: of every session) out of
 * the queue and out of st->refused; returns their sessions, oldest first
 * (a new array). */
static GPtrArray *budget_wait_take(media_stream *st, const session *s)
{
    GPtrArray *out = g_ptr_array_new();
    GList *l = st->engine->waiting.head;
    while (l) {
        GList *next = l->next;
        budget_wait *w = l->data;
        if (w->st == st && (!s || w->s == s)) {
            g_ptr_array_add(out, w->s);
            g_ptr_array_remove(st->refused, w->s);
            g_queue_delete_link(&st->engine->waiting, l);
            g_free(w);
        }
        l = next;
    }
    return out;
}

static void attach_converted(media_stream *st, session *s);

/* The streams waited for, each once, in the order of their longest
 * waiting client (a new array). */
static GPtrArray *budget_wait_streams(const media_engine *engine)
{
    GPtrArray *out = g_ptr_array_new();
    for (GList *l = engine->waiting.head; l; l = l->next) {
        media_stream *st = ((budget_wait *)l->data)->st;
        if (!g_ptr_array_find(out, st, NULL))
            g_ptr_array_add(out, st);
    }
    return out;
}

/* A conversion stopped: while the budget has room, the camera stream whose
 * client waits longest gets its conversion, and all its waiting clients
 * with it (in arrival order). One whose conversion cannot start waits
 * again, behind the others. */
static void retry_refused(media_engine *engine)
{
    if (engine->closing)
        return;
    GPtrArray *order = budget_wait_streams(engine);
    for (guint i = 0; i < order->len; i++) {
        if (engine->transcodes >= engine->deps.transcode_budget)
            break;
        media_stream *st = g_ptr_array_index(order, i);
        GPtrArray *sessions = budget_wait_take(st, NULL);
        log_info("%s: H.265 transcode slot free: %u waiting viewer(s) get it", st->source->id,
                 sessions->len);
        for (guint k = 0; k < sessions->len; k++)
            attach_converted(st, g_ptr_array_index(sessions, k));
        g_ptr_array_free(sessions, TRUE);
    }
    g_ptr_array_free(order, TRUE);
}

/* Forgets what st's conversion has of s: its viewing, refusal, wait. */
static void conversion_forget(media_stream *st, session *s)
{
    if (!st)
        return;
    if (st->transcode)
        stream_detach(st->transcode, s);
    g_ptr_array_free(budget_wait_take(st, s), TRUE);
    g_ptr_array_remove(st->refused, s);
}

/* Tells s that nothing of main's camera comes, and why (the media event
 * with "refused", docs/protocol.md). */
static void send_refusal(const media_stream *main, session *s, bool budget)
{
    json_t *info = json_pack("{s:s, s:I, s:s, s:n, s:i, s:i, s:b, s:s, s:I}", "source",
                             main->source->id, "stream", (json_int_t)0, "kind",
                             kind_name(main->kind), "codec", "width", 0, "height", 0, "transcoded",
                             true, "refused", budget ? "transcode_budget" : "transcode_failed",
                             "transcodes", (json_int_t)main->engine->transcodes);
    session_stream_info(s, info);
    json_decref(info);
}

/* Serves s, which cannot decode st's H.265 and has no H.264 stream to
 * take: the shared conversion, or, past the budget (or when it cannot
 * start), a refusal it is told of; then s waits its turn (budget_wait_add). */
static void attach_converted(media_stream *st, session *s)
{
    bool budget;
    if (transcode_ensure_open(st, &budget)) {
        stream_attach(st->transcode, s);
        return;
    }
    if (!g_ptr_array_find(st->refused, s, NULL))
        g_ptr_array_add(st->refused, s);
    budget_wait_add(st, s);
    send_refusal(st, s, budget);
}

/* Whether s cannot decode what src's main stream sends (H.265) and its
 * substream can serve it instead. */
static bool needs_substream(const pantau_source *src, const session *s)
{
    const media_stream *main = src->streams[PANTAU_STREAM_MAIN];
    return main && main->h265 && !s->decodes_h265;
}

/* Serves s from st (open): as it is, or its conversion when st is H.265
 * and s cannot decode it. */
static void attach_decodable(media_stream *st, session *s)
{
    if (st->h265 && !s->decodes_h265 && session_has_sink(s))
        attach_converted(st, s);
    else
        stream_attach(st, s);
}

static void session_attach(media_engine *engine, session *s, pantau_source *src,
                           enum session_stream want)
{
    media_stream *st = NULL;
    if (want == SESSION_STREAM_SUB || needs_substream(src, s)) {
        st = stream_get(engine, src, PANTAU_STREAM_SUB);
        if (!stream_ensure_open(st))
            st = NULL; /* no substream: the main stream serves */
    }
    if (!st && needs_substream(src, s)) {
        attach_converted(src->streams[PANTAU_STREAM_MAIN], s);
        return;
    }
    if (!st) {
        st = stream_get(engine, src, PANTAU_STREAM_MAIN);
        if (!stream_ensure_open(st)) {
            log_warn("%s: the camera did not start its stream", src->id);
            return;
        }
    }
    attach_decodable(st, s);
}

static void session_detach(pantau_source *src, session *s)
{
    for (int k = PANTAU_STREAM_MAIN; k <= PANTAU_STREAM_SUB; k++)
        conversion_forget(src->streams[k], s);
    for (int k = PANTAU_STREAM_MAIN; k <= PANTAU_STREAM_SUB; k++)
        if (src->streams[k])
            stream_detach(src->streams[k], s);
}

void media_session_changed(media_engine *engine, session *s, GHashTable *old)
{
    if (!engine)
        return;
    const source_registry *sources = engine->deps.sources;
    GHashTableIter it;
    gpointer key, value;
    /* New streams first, so that a switch from main to sub never leaves the
     * camera without a viewer (which would start its grace period). */
    g_hash_table_iter_init(&it, s->subscriptions);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        pantau_source *src = source_registry_find(sources, key);
        if (!source_is_camera(src) || g_hash_table_lookup(old, key) == value)
            continue;
        if (g_hash_table_contains(old, key))
            session_detach(src, s);
        session_attach(engine, s, src, (enum session_stream)(GPOINTER_TO_INT(value) - 1));
    }
    g_hash_table_iter_init(&it, old);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        pantau_source *src = source_registry_find(sources, key);
        if (source_is_camera(src) && !g_hash_table_contains(s->subscriptions, key))
            session_detach(src, s);
    }
}

/* ---- waiting for a keyframe (snapshots) ---- */

typedef struct gop_waiter {
    media_engine *engine;
    pantau_source *source;
    session *viewer; /* a session of its own, without a sink */
    media_gop_fn done;
    void *user;
    guint timeout;
} gop_waiter;

static void waiter_finish(gop_waiter *w, GBytes *gop, const char *why_not)
{
    w->engine->gop_waiters = g_list_remove(w->engine->gop_waiters, w);
    if (w->timeout)
        g_source_remove(w->timeout);
    session_detach(w->source, w->viewer);
    session_free(w->viewer);
    w->done(gop, why_not, w->user);
    g_free(w);
}

/* Why src has no picture: "the camera is STATUS: REASON", g_malloc'd. The
 * reason was redacted when it was set. */
static char *camera_state_text(const pantau_source *src)
{
    return g_strdup_printf("the camera is %s%s%s", source_status_name(src->status),
                           src->reason ? ": " : "", src->reason ? src->reason : "");
}

static gboolean waiter_timed_out(gpointer data)
{
    gop_waiter *w = data;
    w->timeout = 0;
    char *state = camera_state_text(w->source);
    char *why = g_strdup_printf("no picture from the camera within %d s (%s)",
                                MEDIA_FETCH_TIMEOUT_MS / 1000, state);
    waiter_finish(w, NULL, why);
    g_free(why);
    g_free(state);
    return G_SOURCE_REMOVE;
}

/* Ends every fetch waiting for src with its failure. */
static void waiters_take_failure(media_engine *engine, pantau_source *src)
{
    char *why = NULL;
    GList *l = engine->gop_waiters;
    while (l) {
        gop_waiter *w = l->data;
        l = l->next;
        if (w->source != src)
            continue;
        if (!why)
            why = camera_state_text(src);
        waiter_finish(w, NULL, why);
    }
    g_free(why);
}

void media_status_reported(media_engine *engine, pantau_source *src)
{
    if (engine && source_status_is_down(src->status))
        waiters_take_failure(engine, src);
}

static GBytes *gop_bytes(const media_stream *st)
{
    GByteArray *bytes = g_byte_array_sized_new((guint)st->gop_bytes);
    for (guint i = 0; i < st->gop->len; i++) {
        const media_frame *f = g_ptr_array_index(st->gop, i);
        g_byte_array_append(bytes, media_frame_data(f), (guint)f->len);
    }
    return g_byte_array_free_to_bytes(bytes);
}

/* A keyframe came on st: hand it to whoever waits for this camera. */
static void waiters_take_keyframe(media_engine *engine, media_stream *st)
{
    GList *l = engine->gop_waiters;
    while (l) {
        gop_waiter *w = l->data;
        l = l->next;
        if (w->source != st->source)
            continue;
        GBytes *gop = gop_bytes(st);
        waiter_finish(w, gop, NULL);
        g_bytes_unref(gop);
    }
}

/* ---- frames ---- */

/* st (a camera stream) turned out to be H.265: its viewers that cannot
 * decode it move to the camera's substream when st is the main stream and
 * the camera has one, else to st's conversion. */
static void stream_move_h265_viewers(media_stream *st)
{
    GPtrArray *moving = g_ptr_array_new();
    for (guint i = 0; i < st->viewers->len; i++) {
        session *s = g_ptr_array_index(st->viewers, i);
        if (!s->decodes_h265 && session_has_sink(s))
            g_ptr_array_add(moving, s);
    }
    media_stream *sub = st->kind == PANTAU_STREAM_MAIN && moving->len
                            ? stream_get(st->engine, st->source, PANTAU_STREAM_SUB)
                            : NULL;
    bool have_sub = sub && stream_ensure_open(sub);
    for (guint i = 0; i < moving->len; i++) {
        session *s = g_ptr_array_index(moving, i);
        if (have_sub)
            attach_decodable(sub, s);
        else
            attach_converted(st, s);
        stream_detach(st, s);
    }
    if (moving->len)
        log_info("%s: %u viewer(s) cannot decode H.265: the %s serves them", st->source->id,
                 moving->len, have_sub ? "substream" : "conversion to H.264");
    g_ptr_array_free(moving, TRUE);
}

static void stream_note_config(media_stream *st, const pending_frame *f)
{
    if (!f->codec[0])
        return;
    bool h265 = f->frame->flags & MEDIA_FLAG_H265;
    if (h265 != st->h265) {
        st->h265 = h265;
        if (h265 && !st->parent)
            stream_move_h265_viewers(st);
    }
    bool transcoded = f->frame->flags & MEDIA_FLAG_TRANSCODED;
    bool changed = strcmp(st->codec, f->codec) != 0 || st->width != f->width ||
                   st->height != f->height || st->transcoded != transcoded;
    if (!changed)
        return;
    g_strlcpy(st->codec, f->codec, sizeof st->codec);
    st->width = f->width;
    st->height = f->height;
    st->transcoded = transcoded;
    json_t *info = stream_info(st);
    for (guint i = 0; i < st->viewers->len; i++)
        session_stream_info(g_ptr_array_index(st->viewers, i), info);
    json_decref(info);
}

/* What a frame costs the cache: its bytes as sent, header included. */
static size_t frame_cost(const media_frame *f)
{
    return MEDIA_HEADER_LEN + f->len;
}

static void stream_cache(media_stream *st, media_frame *f)
{
    if (media_frame_is_keyframe(f))
        gop_clear(st);
    else if (st->gop->len == 0)
        return; /* no keyframe yet: nothing a new viewer could decode */
    if (st->gop->len >= GOP_MAX_FRAMES || st->gop_bytes + frame_cost(f) > GOP_MAX_BYTES) {
        gop_clear(st);
        return;
    }
    g_ptr_array_add(st->gop, media_frame_ref(f));
    st->gop_bytes += frame_cost(f);
}

/* frame to st's viewers: the clients, or (background) the server's own
 * work that may wait (session_sink.background). */
static void viewers_send(const media_stream *st, media_frame *frame, bool background)
{
    for (guint i = 0; i < st->viewers->len; i++) {
        const session *s = g_ptr_array_index(st->viewers, i);
        if (session_is_background(s) == background)
            session_send_frame(s, frame);
    }
}

/* After frame_deliver, once the clients' writes are out: f to the
 * background viewers. */
static void frame_deliver_background(pending_frame *f)
{
    if (f->stream->open)
        viewers_send(f->stream, f->frame, true);
}

/* f to its stream: counted, cached for newcomers, sent to the clients
 * (frame_deliver_background follows) and fed to its conversion. */
static void frame_deliver(pending_frame *f)
{
    media_stream *st = f->stream;
    if (!st->open)
        return; /* it arrived after the stream was closed */
    size_t len = f->frame->len;
    st->frames++;
    st->window_frames++;
    st->bytes += len;
    st->window_bytes += len;
    st->last_frame_us = g_get_monotonic_time();
    stream_note_config(st, f);
    stream_cache(st, f->frame);
    if (media_frame_is_keyframe(f->frame) && st->gop->len && st->engine->gop_waiters)
        waiters_take_keyframe(st->engine, st);
    viewers_send(st, f->frame, false);
    if (stream_feeds_transcode(st))
        transcoder_push(st->transcode->tc, media_frame_data(f->frame), f->frame->len,
                        f->frame->pts_us);
}

static void pending_free(pending_frame *f)
{
    media_frame_unref(f->frame);
    g_free(f);
}

static gboolean drain_pending(gpointer data)
{
    media_engine *engine = data;
    GQueue batch = G_QUEUE_INIT;
    g_mutex_lock(&engine->lock);
    batch = engine->pending;
    g_queue_init(&engine->pending);
    engine->wake_scheduled = false;
    g_mutex_unlock(&engine->lock);
    hold_video(engine);
    for (GList *l = batch.head; l; l = l->next)
        frame_deliver(l->data);
    release_video(engine);
    /* The clients' frames are written: now the recorders, so that the
     * disk's work never stands between a camera and a wall. */
    pending_frame *f;
    while ((f = g_queue_pop_head(&batch)) != NULL) {
        frame_deliver_background(f);
        pending_free(f);
    }
    return G_SOURCE_REMOVE;
}

/* Sets f's keyframe, config and codec flags and, when the access unit
 * carries its parameter sets, f's codec string and picture size. */
static void frame_probe(pending_frame *f, const uint8_t *data, size_t len, bool h265)
{
    bool key = h265 ? h265_au_is_keyframe(data, len) : h264_au_is_keyframe(data, len);
    bool config =
        h265 ? h265_au_has_parameter_sets(data, len) : h264_au_has_parameter_sets(data, len);
    f->frame->flags |= (key ? MEDIA_FLAG_KEYFRAME : 0) | (h265 ? MEDIA_FLAG_H265 : 0) |
                       (config ? MEDIA_FLAG_CONFIG : 0);
    if (!config)
        return;
    bool ok = h265 ? h265_codec_string(data, len, f->codec, sizeof f->codec) &&
                         h265_picture_size(data, len, &f->width, &f->height)
                   : h264_codec_string(data, len, f->codec, sizeof f->codec) &&
                         h264_picture_size(data, len, &f->width, &f->height);
    if (!ok)
        f->codec[0] = '\0';
}

void media_push(pantau_source *source, enum pantau_stream kind, const void *data, size_t len,
                int64_t pts_us, unsigned flags)
{
    if (!source || (unsigned)kind > PANTAU_STREAM_SUB || !data || !len ||
        len > MEDIA_MAX_ACCESS_UNIT)
        return;
    media_stream *st = source->streams[kind];
    if (st)
        stream_push(st, data, len, pts_us, flags);
}

/* media_push() for the stream st (a camera's, or a conversion's from its
 * streaming thread). */
static void stream_push(media_stream *st, const void *data, size_t len, int64_t pts_us,
                        unsigned flags)
{
    if (len > MEDIA_MAX_ACCESS_UNIT)
        return;
    enum pantau_stream kind = st->kind;
    media_engine *engine = st->engine;
    bool on_main = g_thread_self() == engine->main_thread;
    pending_frame local = {0};
    pending_frame *f = on_main ? &local : g_new0(pending_frame, 1);
    f->stream = st;
    f->frame = media_frame_new(engine->deps.frame_room, data, len);
    f->frame->stream = st->id;
    f->frame->pts_us = pts_us;
    f->frame->recv_us = g_get_real_time();
    f->frame->flags = (kind == PANTAU_STREAM_SUB ? MEDIA_FLAG_SUB : 0) |
                      (flags & PANTAU_MEDIA_TRANSCODED ? MEDIA_FLAG_TRANSCODED : 0);
    frame_probe(f, data, len, flags & PANTAU_MEDIA_H265);
    if (on_main) {
        /* A stream is fed from one thread only, so nothing of this stream
         * can be waiting in the queue. */
        frame_deliver(f);
        frame_deliver_background(f);
        media_frame_unref(f->frame);
        return;
    }
    g_mutex_lock(&engine->lock);
    g_queue_push_tail(&engine->pending, f);
    bool wake = !engine->wake_scheduled;
    engine->wake_scheduled = true;
    g_mutex_unlock(&engine->lock);
    if (wake)
        g_idle_add_full(G_PRIORITY_DEFAULT, drain_pending, engine, NULL);
}

/* ---- statistics ---- */

static gboolean stats_tick(gpointer data)
{
    media_engine *engine = data;
    gint64 now = g_get_monotonic_time();
    double seconds = (double)(now - engine->stats_at) / 1e6;
    engine->stats_at = now;
    for (guint i = 0; i < engine->streams->len && seconds > 0; i++) {
        media_stream *st = g_ptr_array_index(engine->streams, i);
        st->fps = (double)st->window_frames / seconds;
        st->kbps = (double)st->window_bytes * 8 / 1000 / seconds;
        st->window_frames = st->window_bytes = 0;
    }
    json_t *stats = media_stats_json(engine);
    if (engine->deps.stats_extra)
        engine->deps.stats_extra(stats, engine->deps.video_user);
    if (json_object_size(stats))
        bus_emit(engine->deps.bus, &(bus_event){.kind = BUS_STATS, .stats = {stats}});
    json_decref(stats);
    return G_SOURCE_CONTINUE;
}

/* The stream whose figures represent the camera: the main one when open. */
static const media_stream *representative(const pantau_source *src)
{
    const media_stream *main = src->streams[PANTAU_STREAM_MAIN];
    const media_stream *sub = src->streams[PANTAU_STREAM_SUB];
    if (main && main->open)
        return main;
    return sub && sub->open ? sub : main;
}

/* The substream's last known picture size (0 x 0: it never ran), so that
 * pages can choose main or sub by the size of a tile (docs/protocol.md). */
static void sub_size(const pantau_source *src, int *width, int *height)
{
    const media_stream *sub = src->streams[PANTAU_STREAM_SUB];
    *width = sub ? sub->width : 0;
    *height = sub ? sub->height : 0;
}

/* Whether s asked for src's main stream (the substream may serve it). */
static bool wants_main(const session *s, const pantau_source *src)
{
    gpointer v = g_hash_table_lookup(s->subscriptions, src->id);
    return v && GPOINTER_TO_INT(v) - 1 == SESSION_STREAM_MAIN;
}

/* Clients of st's conversion, running or refused, added to *transcode
 * and *refused. */
static void count_conversion(const media_stream *st, json_int_t *transcode, json_int_t *refused)
{
    if (!st)
        return;
    const media_stream *tc = st->transcode;
    *transcode += tc && tc->open ? tc->viewers->len : 0;
    *refused += st->refused->len;
}

/* What src's viewers get of its H.265 streams, and why: {"passthrough":
 * clients decoding H.265 themselves, "substream": clients that cannot,
 * served by the H.264 substream, "transcode": such clients served by a
 * conversion (of the main stream or of an H.265 substream), "refused":
 * such clients past the budget}. New reference; JSON null when neither
 * stream is (or was last) H.265. */
static json_t *h265_delivery(const pantau_source *src)
{
    const media_stream *main = src->streams[PANTAU_STREAM_MAIN];
    const media_stream *sub = src->streams[PANTAU_STREAM_SUB];
    bool main_h265 = main && main->h265, sub_h265 = sub && sub->h265;
    if (!main_h265 && !sub_h265)
        return json_null();
    json_int_t passthrough =
        (main_h265 ? main->viewers->len : 0) + (sub_h265 ? sub->viewers->len : 0);
    json_int_t substream = 0, transcode = 0, refused = 0;
    for (guint i = 0; sub && !sub_h265 && i < sub->viewers->len; i++) {
        const session *s = g_ptr_array_index(sub->viewers, i);
        substream += wants_main(s, src) && !s->decodes_h265;
    }
    count_conversion(main, &transcode, &refused);
    count_conversion(sub, &transcode, &refused);
    return json_pack("{s:I, s:I, s:I, s:I}", "passthrough", passthrough, "substream", substream,
                     "transcode", transcode, "refused", refused);
}

static json_t *camera_stats(const pantau_source *src)
{
    const media_stream *st = representative(src);
    int sub_width, sub_height;
    sub_size(src, &sub_width, &sub_height);
    unsigned viewers = 0;
    for (int k = PANTAU_STREAM_MAIN; k <= PANTAU_STREAM_SUB; k++)
        viewers += src->streams[k] ? src->streams[k]->viewers->len : 0;
    json_t *age = st && st->open && st->last_frame_us
                      ? json_integer((g_get_monotonic_time() - st->last_frame_us) / 1000)
                      : json_null();
    return json_pack("{s:s, s:f, s:f, s:o, s:I, s:b, s:I, s:s?, s:i, s:i, s:i, s:i, s:o}", "status",
                     source_status_name(src->status), "fps", st ? st->fps : 0.0, "kbps",
                     st ? st->kbps : 0.0, "last_frame_age_ms", age, "reconnects",
                     (json_int_t)src->reconnects, "transcoded", st && st->transcoded, "viewers",
                     (json_int_t)viewers, "codec", st && st->codec[0] ? st->codec : NULL, "width",
                     st ? st->width : 0, "height", st ? st->height : 0, "sub_width", sub_width,
                     "sub_height", sub_height, "h265", h265_delivery(src));
}

json_t *media_stats_json(const media_engine *engine)
{
    json_t *out = json_object();
    const source_registry *reg = engine->deps.sources;
    for (guint i = 0; reg && i < reg->list->len; i++) {
        const pantau_source *src = g_ptr_array_index(reg->list, i);
        if (source_is_camera(src))
            json_object_set_new(out, src->id, camera_stats(src));
    }
    return out;
}

/* Appends value as a Prometheus label value: backslash, quote and newline
 * escaped. */
static void append_label(GString *out, const char *value)
{
    for (const char *p = value; *p; p++) {
        if (*p == '\\' || *p == '"')
            g_string_append_c(out, '\\');
        if (*p == '\n') {
            g_string_append(out, "\\n");
            continue;
        }
        g_string_append_c(out, *p);
    }
}

typedef struct metric {
    const char *name, *type, *help;
    double (*value)(const pantau_source *src, const media_stream *st);
} metric;

static double m_fps(const pantau_source *src, const media_stream *st)
{
    (void)src;
    return st && st->open ? st->fps : 0;
}

static double m_bits(const pantau_source *src, const media_stream *st)
{
    (void)src;
    return st && st->open ? st->kbps * 1000 : 0;
}

static double m_age(const pantau_source *src, const media_stream *st)
{
    (void)src;
    if (!st || !st->open || !st->last_frame_us)
        return -1;
    return (double)(g_get_monotonic_time() - st->last_frame_us) / 1e6;
}

static double m_viewers(const pantau_source *src, const media_stream *st)
{
    (void)src;
    return st ? st->viewers->len : 0;
}

static double m_frames(const pantau_source *src, const media_stream *st)
{
    (void)src;
    return st ? (double)st->frames : 0;
}

static double m_reconnects(const pantau_source *src, const media_stream *st)
{
    (void)st;
    return src->reconnects;
}

static double m_live(const pantau_source *src, const media_stream *st)
{
    (void)st;
    return src->status == PANTAU_STATUS_LIVE;
}

static const metric camera_metrics[] = {
    {"pantau_camera_live", "gauge", "1 when the camera is live, else 0", m_live},
    {"pantau_camera_reconnects_total", "counter",
     "Restarts of the camera's streams after a failure", m_reconnects},
};

/* pantau_camera_status: one series per status, 1 for the camera's. */
static const enum pantau_source_status camera_statuses[] = {
    PANTAU_STATUS_IDLE,    PANTAU_STATUS_LIVE,  PANTAU_STATUS_RECONNECTING,
    PANTAU_STATUS_OFFLINE, PANTAU_STATUS_ERROR, PANTAU_STATUS_STALE,
};

static void append_camera_status(GString *out, const source_registry *reg)
{
    g_string_append(out, "# HELP pantau_camera_status The camera's status: 1 in the series "
                         "labelled with it (idle: no stream opened yet)\n"
                         "# TYPE pantau_camera_status gauge\n");
    for (guint i = 0; reg && i < reg->list->len; i++) {
        const pantau_source *src = g_ptr_array_index(reg->list, i);
        if (!source_is_camera(src))
            continue;
        for (size_t k = 0; k < G_N_ELEMENTS(camera_statuses); k++) {
            g_string_append(out, "pantau_camera_status{source=\"");
            append_label(out, src->id);
            g_string_append_printf(out, "\",status=\"%s\"} %d\n",
                                   source_status_name(camera_statuses[k]),
                                   src->status == camera_statuses[k]);
        }
    }
}

static const metric stream_metrics[] = {
    {"pantau_stream_fps", "gauge", "Frames per second received", m_fps},
    {"pantau_stream_bitrate_bits_per_second", "gauge", "Bits per second received", m_bits},
    {"pantau_stream_last_frame_age_seconds", "gauge",
     "Seconds since the last frame (-1: stream not running)", m_age},
    {"pantau_stream_viewers", "gauge", "Clients watching the stream", m_viewers},
    {"pantau_stream_frames_total", "counter", "Frames received", m_frames},
};

static void append_metric_head(GString *out, const metric *m)
{
    g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help, m->name, m->type);
}

/* A substream asked of a camera that has none is created but never opens;
 * it is not a stream an operator should see in the metrics. */
static bool stream_ever_ran(const media_stream *st)
{
    return st && (st->open || st->frames > 0);
}

/* pantau_h265_clients{source, delivery}: the clients of each H.265 camera
 * by what they get (stats' "h265"); and the conversions running and their
 * budget. */
static void append_h265(GString *out, const media_engine *engine)
{
    const source_registry *reg = engine->deps.sources;
    g_string_append(out, "# HELP pantau_h265_clients Clients of an H.265 camera by what they get: "
                         "passthrough, substream, transcode, refused\n"
                         "# TYPE pantau_h265_clients gauge\n");
    for (guint i = 0; reg && i < reg->list->len; i++) {
        const pantau_source *src = g_ptr_array_index(reg->list, i);
        json_t *delivery = source_is_camera(src) ? h265_delivery(src) : NULL;
        const char *how;
        json_t *count;
        json_object_foreach(delivery, how, count)
        {
            g_string_append(out, "pantau_h265_clients{source=\"");
            append_label(out, src->id);
            g_string_append_printf(out, "\",delivery=\"%s\"} %" JSON_INTEGER_FORMAT "\n", how,
                                   json_integer_value(count));
        }
        json_decref(delivery);
    }
    g_string_append_printf(out,
                           "# HELP pantau_h265_transcodes H.265 cameras converted to H.264 now\n"
                           "# TYPE pantau_h265_transcodes gauge\npantau_h265_transcodes %u\n"
                           "# HELP pantau_h265_transcode_budget server.h265_transcodes\n"
                           "# TYPE pantau_h265_transcode_budget gauge\n"
                           "pantau_h265_transcode_budget %u\n",
                           engine->transcodes, engine->deps.transcode_budget);
}

char *media_metrics_text(const media_engine *engine)
{
    GString *out = g_string_new(NULL);
    const source_registry *reg = engine->deps.sources;
    guint n = reg ? reg->list->len : 0;
    for (size_t m = 0; m < G_N_ELEMENTS(camera_metrics); m++) {
        append_metric_head(out, &camera_metrics[m]);
        for (guint i = 0; i < n; i++) {
            const pantau_source *src = g_ptr_array_index(reg->list, i);
            if (!source_is_camera(src))
                continue;
            g_string_append_printf(out, "%s{source=\"", camera_metrics[m].name);
            append_label(out, src->id);
            g_string_append_printf(out, "\"} %g\n", camera_metrics[m].value(src, NULL));
        }
    }
    append_camera_status(out, reg);
    append_h265(out, engine);
    for (size_t m = 0; m < G_N_ELEMENTS(stream_metrics); m++) {
        append_metric_head(out, &stream_metrics[m]);
        for (guint i = 0; i < n; i++) {
            const pantau_source *src = g_ptr_array_index(reg->list, i);
            for (int k = PANTAU_STREAM_MAIN; source_is_camera(src) && k <= PANTAU_STREAM_SUB; k++) {
                const media_stream *st = src->streams[k];
                if (!stream_ever_ran(st))
                    continue;
                g_string_append_printf(out, "%s{source=\"", stream_metrics[m].name);
                append_label(out, src->id);
                g_string_append_printf(out, "\",stream=\"%s\"} %g\n", kind_name(st->kind),
                                       stream_metrics[m].value(src, st));
            }
        }
    }
    return g_string_free(out, FALSE);
}

bool media_fetch_gop(media_engine *engine, const char *source_id, media_gop_fn done, void *user)
{
    pantau_source *src = source_registry_find(engine->deps.sources, source_id);
    if (!source_is_camera(src))
        return false;
    const media_stream *st = representative(src);
    if (st && st->open && source_status_is_down(src->status)) {
        /* The stream runs, so the failure is current: no picture is coming. */
        char *why = camera_state_text(src);
        done(NULL, why, user);
        g_free(why);
        return true;
    }
    if (st && st->open && st->gop->len) {
        GBytes *gop = gop_bytes(st);
        done(gop, NULL, user);
        g_bytes_unref(gop);
        return true;
    }
    gop_waiter *w = g_new0(gop_waiter, 1);
    w->engine = engine;
    w->source = src;
    w->viewer = session_new(NULL);
    w->viewer->decodes_h265 = true; /* snapshot.c decodes it */
    w->done = done;
    w->user = user;
    engine->gop_waiters = g_list_prepend(engine->gop_waiters, w);
    w->timeout = g_timeout_add(MEDIA_FETCH_TIMEOUT_MS, waiter_timed_out, w);
    session_attach(engine, w->viewer, src, SESSION_STREAM_SUB);
    return true;
}

/* ---- sources removed or recreated ---- */

/* Drops the frames queued for st (they hold st, about to be freed). */
static void pending_drop_stream(media_engine *engine, const media_stream *st)
{
    g_mutex_lock(&engine->lock);
    GList *l = engine->pending.head;
    while (l) {
        GList *next = l->next;
        pending_frame *f = l->data;
        if (f->stream == st) {
            g_queue_delete_link(&engine->pending, l);
            pending_free(f);
        }
        l = next;
    }
    g_mutex_unlock(&engine->lock);
}

/* Ends every fetch waiting for src: it goes away. */
static void waiters_take_removal(media_engine *engine, const pantau_source *src)
{
    GList *l = engine->gop_waiters;
    while (l) {
        gop_waiter *w = l->data;
        l = l->next;
        if (w->source == src)
            waiter_finish(w, NULL, "the camera was removed or changed");
    }
}

/* Before st goes: its waiting and refused clients and its conversion's
 * viewers are added to viewers (each once), and the conversion is freed. */
static void conversion_release(media_stream *st, GPtrArray *viewers)
{
    GPtrArray *waiting = budget_wait_take(st, NULL);
    g_ptr_array_extend(waiting, st->refused, NULL, NULL);
    g_ptr_array_set_size(st->refused, 0);
    media_stream *tc = st->transcode;
    for (guint i = 0; tc && i < tc->viewers->len; i++) {
        session *s = g_ptr_array_index(tc->viewers, i);
        session_forget_stream(s, tc->id);
        g_ptr_array_add(waiting, s);
    }
    for (guint i = 0; i < waiting->len; i++)
        if (!g_ptr_array_find(viewers, g_ptr_array_index(waiting, i), NULL))
            g_ptr_array_add(viewers, g_ptr_array_index(waiting, i));
    g_ptr_array_free(waiting, TRUE);
    if (!tc)
        return;
    g_ptr_array_set_size(tc->viewers, 0);
    stream_close(tc); /* its encoder's thread stops pushing */
    pending_drop_stream(st->engine, tc);
    st->transcode = NULL;
    g_ptr_array_remove(st->engine->streams, tc); /* frees it */
}

GPtrArray *media_source_release(media_engine *engine, pantau_source *src)
{
    GPtrArray *viewers = g_ptr_array_new();
    if (!engine)
        return viewers;
    waiters_take_removal(engine, src);
    for (int k = PANTAU_STREAM_MAIN; k <= PANTAU_STREAM_SUB; k++) {
        media_stream *st = src->streams[k];
        if (!st)
            continue;
        for (guint i = 0; i < st->viewers->len; i++) {
            session *s = g_ptr_array_index(st->viewers, i);
            session_forget_stream(s, st->id);
            if (!g_ptr_array_find(viewers, s, NULL))
                g_ptr_array_add(viewers, s);
        }
        g_ptr_array_set_size(st->viewers, 0);
        conversion_release(st, viewers);
        stream_close(st); /* the plugin's threads stop pushing */
        pending_drop_stream(engine, st);
        g_ptr_array_remove(engine->streams, st); /* frees it */
    }
    retry_refused(engine);
    return viewers;
}

void media_source_reattach(media_engine *engine, pantau_source *src, const GPtrArray *viewers)
{
    if (!engine || !source_is_camera(src))
        return;
    for (guint i = 0; i < viewers->len; i++) {
        session *s = g_ptr_array_index(viewers, i);
        gpointer want = g_hash_table_lookup(s->subscriptions, src->id);
        if (want)
            session_attach(engine, s, src, (enum session_stream)(GPOINTER_TO_INT(want) - 1));
    }
}

/* ---- who gets what of a camera, and why (media.deliveries) ---- */

/* What s gets from st (one of src's streams or its conversion) and why:
 * sets *reason. */
static const char *delivered_as(const media_stream *st, const session *s, const pantau_source *src,
                                const char **reason)
{
    bool asked_main = session_stream_of(s, src->id) == SESSION_STREAM_MAIN;
    const media_stream *main = src->streams[PANTAU_STREAM_MAIN];
    *reason = "asked";
    if (st->parent) {
        *reason = "no_h265_decoder";
        return "transcode";
    }
    if (st->h265) {
        *reason = "decodes_h265";
        return "h265";
    }
    if (st->kind == PANTAU_STREAM_SUB && asked_main && main && main->h265 && !s->decodes_h265) {
        *reason = "no_h265_decoder";
        return "substream";
    }
    if (st->kind == PANTAU_STREAM_MAIN && !asked_main)
        *reason = "no_substream";
    return "h264";
}

/* One row: session s, what it asked of src, what it gets (st NULL: nothing)
 * as delivered, and why. New reference. */
static json_t *delivery_row(const media_engine *engine, const session *s, const pantau_source *src,
                            const media_stream *st, const char *delivered, const char *reason)
{
    bool asked_main = session_stream_of(s, src->id) == SESSION_STREAM_MAIN;
    json_t *row = json_pack(
        "{s:{s:s?, s:s, s:s?, s:s?}, s:s, s:s?, s:s?, s:s, s:s}", "client", "user", s->user, "role",
        session_role_name(s->role), "address", s->address, "page", s->page, "asked",
        asked_main ? "main" : "sub", "stream", st ? kind_name(st->kind) : NULL, "codec",
        st && st->codec[0] ? st->codec : NULL, "delivered", delivered, "reason", reason);
    bool converting = strcmp(delivered, "transcode") == 0 || strcmp(delivered, "refused") == 0;
    if (converting)
        json_object_set_new(row, "budget",
                            json_pack("{s:I, s:I}", "running", (json_int_t)engine->transcodes,
                                      "max", (json_int_t)engine->deps.transcode_budget));
    return row;
}

/* Appends a row for every viewer of st (may be NULL) to rows (borrowed). */
static void stream_rows(const media_engine *engine, const pantau_source *src,
                        const media_stream *st, json_t *rows)
{
    for (guint i = 0; st && i < st->viewers->len; i++) {
        const session *s = g_ptr_array_index(st->viewers, i);
        const char *reason;
        const char *delivered = delivered_as(st, s, src, &reason);
        json_array_append_new(rows, delivery_row(engine, s, src, st, delivered, reason));
    }
}

json_t *media_deliveries_json(const media_engine *engine, const pantau_source *src)
{
    json_t *rows = json_array();
    const media_stream *main = src->streams[PANTAU_STREAM_MAIN];
    stream_rows(engine, src, main, rows);
    stream_rows(engine, src, src->streams[PANTAU_STREAM_SUB], rows);
    stream_rows(engine, src, main ? main->transcode : NULL, rows);
    bool budget = engine->transcodes >= engine->deps.transcode_budget;
    for (guint i = 0; main && i < main->refused->len; i++)
        json_array_append_new(rows, delivery_row(engine, g_ptr_array_index(main->refused, i), src,
                                                 NULL, "refused",
                                                 budget ? "transcode_budget" : "transcode_failed"));
    return json_pack("{s:s, s:o, s:I, s:I}", "source", src->id, "rows", rows, "transcodes",
                     (json_int_t)engine->transcodes, "transcode_budget",
                     (json_int_t)engine->deps.transcode_budget);
}

/* ---- the engine ---- */

media_engine *media_engine_new(const media_deps *deps)
{
    media_engine *engine = g_new0(media_engine, 1);
    engine->deps = *deps;
    engine->main_thread = g_thread_self();
    engine->streams = g_ptr_array_new_with_free_func(stream_free);
    g_mutex_init(&engine->lock);
    g_queue_init(&engine->pending);
    g_queue_init(&engine->waiting);
    engine->stats_at = g_get_monotonic_time();
    engine->stats_timer = g_timeout_add_seconds(1, stats_tick, engine);
    return engine;
}

void media_engine_closing(media_engine *engine)
{
    if (engine)
        engine->closing = true;
}

void media_engine_free(media_engine *engine)
{
    if (!engine)
        return;
    g_source_remove(engine->stats_timer);
    while (engine->gop_waiters)
        waiter_timed_out(engine->gop_waiters->data);
    /* Closing the streams stops every plugin thread that could push. */
    g_ptr_array_free(engine->streams, TRUE);
    while (g_source_remove_by_user_data(engine))
        ;
    pending_frame *f;
    while ((f = g_queue_pop_head(&engine->pending)) != NULL)
        pending_free(f);
    g_queue_clear_full(&engine->waiting, g_free);
    g_mutex_clear(&engine->lock);
    g_free(engine);
}
