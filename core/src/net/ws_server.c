#include "ws_server.h"

#include "auth.h"
#include "auth_util.h"
#include "log.h"
#include "login_http.h"
#include "password.h"
#include "media_gate.h"
#include "snapshot.h"
#include "ws_loop.h"

#include <errno.h>
#include <glib.h>
#include <libwebsockets.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

/* One serialised message, shared by every client queue that holds it. */
typedef struct out_msg {
    int refs;
    bool binary;   /* a video frame: may be dropped for a client that lags */
    bool keyframe; /* binary only */
    bool snapshot; /* text only: a client's first message, held to no queue limit */
    uint32_t stream;
    size_t len;
    unsigned char *bytes; /* the len bytes sent, with LWS_PRE bytes of room before them */
    media_frame *frame;   /* binary: the frame whose bytes these are (a reference) */
    unsigned char buf[];  /* text: LWS_PRE bytes of room, then the len bytes */
} out_msg;

typedef struct ws_client {
    struct lws *wsi;
    ws_server *ws;
    GQueue queue;          /* out_msg * */
    size_t head_sent;      /* bytes of the queue's head written so far (in parts) */
    size_t queued_bytes;   /* text messages in queue, but the snapshot */
    unsigned queued_texts; /* how many */
    size_t media_bytes;    /* video frames in queue */
    size_t held_bytes;     /* everything in queue, the snapshot too */
    gint64 stalled_since;  /* monotonic us: the queue has not moved since; 0: empty */
    media_gate gate;
    session *session;
    gint64 ticket_at; /* monotonic us: its last failover ticket was sent; 0: none */
    GByteArray *rx;   /* the message being received */
    bool rx_binary;
    double tokens;
    gint64 tokens_at;         /* monotonic us */
    bool kill;                /* close at the next writeable callback */
    bool corked;              /* in ws->corked: video frames wait for the release */
    bool established;         /* the snapshot has gone out through the queue */
    const char *close_reason; /* with kill: why (a literal); NULL: "too slow" */
    guint cut_timer;          /* after client_cut: closes it if it does not read */
    guint close_source;       /* with kill: starts lws' close from outside its service */
    /* Replies wait for their writes (ops.h): from a request on until its
     * reply is made, the client's text messages (later replies, events)
     * are held behind it, in order, so it never sees a newer change before
     * its own reply. Video frames are never held. */
    GQueue held;            /* held_msg * */
    size_t held_bytes_text; /* of the messages in held */
    unsigned pending;       /* replies in held not yet made */
    bool closed;            /* the connection is gone; freed once pending is 0 */
} ws_client;

/* A message held behind a reply not yet made, or that reply itself. */
typedef struct held_msg {
    ws_client *client;
    out_msg *m; /* NULL: a reply not yet made */
} held_msg;

struct ws_server {
    ws_config cfg;
    ws_callbacks cb;
    login_http login; /* auth, origins and TLS for logins and the handshake */
    ws_loop *loop;    /* lws' descriptors, under one GSource */
    struct lws_context *context;
    struct lws_vhost *vhost;
    GHashTable *clients; /* ws_client * set */
    int port;
    /* While video is held (ws_server_hold_video), the clients whose frames
     * wait for the release, which writes each one's frames together. */
    unsigned video_holds;
    GPtrArray *corked;    /* ws_client *, borrowed */
    GByteArray *coalesce; /* scratch: several frames for one write */
    guint session_check;  /* with auth: closes sockets whose login has expired */
    /* The total budget for client queues (docs/security.md, "Client queues"). */
    size_t queued_total;  /* held_bytes of every client */
    gint64 no_cut_before; /* monotonic us: no client will have stalled long enough before */
    uint64_t budget_cuts; /* clients cut off for the budget so far */
    out_msg *last_frame;  /* the message of the frame sent last, shared by its clients */
};

/* A dynamic HTTP response, possibly still being made (a snapshot). */
typedef struct http_reply {
    struct lws *wsi; /* NULL once the connection closed */
    bool ready;      /* status, mime and body are set */
    unsigned status;
    const char *mime;
    GBytes *body;
    char *set_cookie; /* a Set-Cookie value, or NULL */
    char *location;   /* for redirects, or NULL */
    int retry_after;  /* seconds; 0: none */
} http_reply;

/* lws's per-connection user data. */
typedef struct conn_slot {
    ws_client *client;
    http_reply *reply;         /* HTTP only */
    GByteArray *body;          /* a POST body being received, or NULL */
    const auth_principal *who; /* WebSocket: who the handshake showed (auth.h) */
    char login_id[80];         /* WebSocket: its login session's id (cookie), or "" */
    char login_hash[AUTH_LOGIN_HASH_HEX + 1]; /* WebSocket: let in by a failover ticket: its
                                                 login's hash; else "" */
    bool ticket_refused; /* WebSocket: a failover ticket was all it had, and it is not valid */
    unsigned stray_completions; /* body completions with no body pending */
} conn_slot;

static out_msg *out_msg_new(const char *text, size_t len)
{
    out_msg *m = g_malloc0(sizeof *m + LWS_PRE + len);
    m->refs = 1;
    m->len = len;
    m->bytes = m->buf + LWS_PRE;
    memcpy(m->bytes, text, len);
    return m;
}

static out_msg *out_msg_ref(out_msg *m)
{
    m->refs++;
    return m;
}

static void out_msg_unref(out_msg *m)
{
    if (--m->refs)
        return;
    media_frame_unref(m->frame);
    g_free(m);
}

size_t ws_frame_room(void)
{
    return LWS_PRE + MEDIA_HEADER_LEN;
}

/* The message of video frame f (a new reference): the binary media header
 * written into the frame's room, right before its bytes, so that lws's
 * framing fits in front of it and no byte of the frame is copied. NULL
 * (logged) when the frame has too little room. */
static out_msg *frame_msg_new(media_frame *f)
{
    if (f->room < ws_frame_room()) {
        log_error("a video frame of stream %u has %zu bytes of room, not %zu: dropped",
                  (unsigned)f->stream, f->room, ws_frame_room());
        return NULL;
    }
    out_msg *m = g_new0(out_msg, 1);
    m->refs = 1;
    m->binary = true;
    m->keyframe = media_frame_is_keyframe(f);
    m->stream = f->stream;
    m->bytes = f->bytes + f->room - MEDIA_HEADER_LEN;
    m->len = MEDIA_HEADER_LEN + f->len;
    m->frame = media_frame_ref(f);
    media_header_write(m->bytes, f->stream, f->flags, f->pts_us, f->recv_us);
    return m;
}

/* The message of frame f, borrowed: the frame's viewers get it one after
 * the other, so the last one made serves all of them. */
static out_msg *frame_msg(ws_server *ws, media_frame *f)
{
    if (ws->last_frame && ws->last_frame->frame == f)
        return ws->last_frame;
    out_msg *m = frame_msg_new(f);
    if (!m)
        return NULL;
    if (ws->last_frame)
        out_msg_unref(ws->last_frame);
    ws->last_frame = m;
    return m;
}

static enum lws_write_protocol write_kind(const out_msg *m)
{
    return m->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT;
}

static out_msg *out_msg_from_json(const json_t *value)
{
    char *text = json_dumps(value, JSON_COMPACT);
    if (!text)
        return NULL;
    out_msg *m = out_msg_new(text, strlen(text));
    free(text);
    return m;
}

/* Writes m at once. With nothing queued and nothing left over in lws, this
 * skips a round through the poll loop per client and message: the kernel
 * takes the bytes, or lws keeps the remainder and asks for POLLOUT itself,
 * after which lws_partial_buffered() sends further messages to the queue. */
static void client_write_now(ws_client *c, out_msg *m)
{
    if (lws_write(c->wsi, m->bytes, m->len, write_kind(m)) < 0) {
        c->kill = true;
        lws_callback_on_writable(c->wsi);
    }
}

/* Appends m as one unmasked WebSocket frame (RFC 6455 §5.2) to out. */
static void frame_append(GByteArray *out, const out_msg *m)
{
    uint8_t head[10];
    size_t n = 2;
    head[0] = 0x80 | (m->binary ? 0x2 : 0x1);
    if (m->len < 126) {
        head[1] = (uint8_t)m->len;
    } else if (m->len <= 0xffff) {
        head[1] = 126;
        head[2] = (uint8_t)(m->len >> 8);
        head[3] = (uint8_t)m->len;
        n = 4;
    } else {
        head[1] = 127;
        for (int i = 0; i < 8; i++)
            head[2 + i] = (uint8_t)((uint64_t)m->len >> (56 - 8 * i));
        n = 10;
    }
    g_byte_array_append(out, head, (guint)n);
    g_byte_array_append(out, m->bytes, (guint)m->len);
}

/* Adds m (a new reference) at the tail of c's queue, and to the counts. */
static void queue_put(ws_client *c, out_msg *m)
{
    if (!c->queue.length)
        c->stalled_since = g_get_monotonic_time();
    g_queue_push_tail(&c->queue, out_msg_ref(m));
    if (m->binary) {
        c->media_bytes += m->len;
    } else if (!m->snapshot) {
        c->queued_bytes += m->len;
        c->queued_texts++;
    }
    c->held_bytes += m->len;
    c->ws->queued_total += m->len;
}

/* Takes m, just popped off the head of c's queue, out of the counts, and
 * drops the queue's reference. */
static void queue_take(ws_client *c, out_msg *m)
{
    if (m->binary) {
        c->media_bytes -= m->len;
    } else if (!m->snapshot) {
        c->queued_bytes -= m->len;
        c->queued_texts--;
    }
    c->held_bytes -= m->len;
    c->ws->queued_total -= m->len;
    c->head_sent = 0;
    out_msg_unref(m);
}

/* Empties c's queue unsent. */
static void queue_clear(ws_client *c)
{
    out_msg *m;
    while ((m = g_queue_pop_head(&c->queue)))
        queue_take(c, m);
    c->stalled_since = 0;
}

/* Writes the next part of the queue's head, a message longer than one write,
 * as a WebSocket fragment (RFC 6455 §5.4): lws never holds more than one part
 * of it, and each part that goes shows that the client reads. Returns
 * lws_write's. */
static int client_write_part(ws_client *c)
{
    out_msg *m = g_queue_peek_head(&c->queue);
    size_t n = MIN(m->len - c->head_sent, WS_COALESCE_MAX_BYTES);
    bool last = c->head_sent + n == m->len;
    int kind = lws_write_ws_flags(write_kind(m), c->head_sent == 0, last);
    /* lws puts the frame header in front of the bytes: in a copy, since the
     * bytes in front of a later part are the shared message's own. */
    GByteArray *out = c->ws->coalesce;
    g_byte_array_set_size(out, LWS_PRE);
    g_byte_array_append(out, m->bytes + c->head_sent, (guint)n);
    int rc = lws_write(c->wsi, out->data + LWS_PRE, n, (enum lws_write_protocol)kind);
    c->head_sent += n;
    if (last)
        queue_take(c, g_queue_pop_head(&c->queue));
    return rc;
}

/* Writes the queued messages that fit in one write of WS_COALESCE_MAX_BYTES
 * as one send(): a client watching many cameras gets the frames that came in
 * together in one system call instead of one each. Returns lws_write's. */
static int client_write_batch(ws_client *c)
{
    out_msg *first = g_queue_peek_head(&c->queue);
    if (c->head_sent || first->len > WS_COALESCE_MAX_BYTES)
        return client_write_part(c);
    GList *l = c->queue.head->next;
    if (!l || first->len >= WS_COALESCE_MAX_BYTES) {
        g_queue_pop_head(&c->queue);
        int n = lws_write(c->wsi, first->bytes, first->len, write_kind(first));
        queue_take(c, first);
        return n;
    }
    GByteArray *out = c->ws->coalesce;
    g_byte_array_set_size(out, LWS_PRE);
    out_msg *m;
    while ((m = g_queue_peek_head(&c->queue)) != NULL &&
           (out->len == LWS_PRE || out->len - LWS_PRE + m->len <= WS_COALESCE_MAX_BYTES)) {
        frame_append(out, m);
        queue_take(c, g_queue_pop_head(&c->queue));
    }
    return lws_write(c->wsi, out->data + LWS_PRE, out->len - LWS_PRE, LWS_WRITE_RAW);
}

/* Writes the queue while the kernel takes it whole. Called only once the
 * socket took all that was written before (lws calls us writeable only
 * then), so the queue has moved. -1: the connection failed. */
static int client_drain(ws_client *c)
{
    while (c->queue.length) {
        if (client_write_batch(c) < 0)
            return -1;
        if (lws_partial_buffered(c->wsi))
            break;
    }
    c->stalled_since = c->queue.length ? g_get_monotonic_time() : 0;
    return 0;
}

static void flush_corked(ws_server *ws)
{
    for (guint i = 0; i < ws->corked->len; i++) {
        ws_client *c = g_ptr_array_index(ws->corked, i);
        c->corked = false;
        if (c->kill)
            continue;
        if (client_drain(c) < 0)
            c->kill = true;
        if (c->queue.length || c->kill)
            lws_callback_on_writable(c->wsi);
    }
    g_ptr_array_set_size(ws->corked, 0);
}

void ws_server_hold_video(ws_server *ws)
{
    if (ws)
        ws->video_holds++;
}

void ws_server_release_video(ws_server *ws)
{
    if (!ws || !ws->video_holds || --ws->video_holds)
        return;
    flush_corked(ws);
}

/* Holds c's video frames back until the video hold is released. */
static void client_cork(ws_client *c)
{
    if (c->corked)
        return;
    c->corked = true;
    g_ptr_array_add(c->ws->corked, c);
}

/* Who c is in a log line: its address (never anything secret). */
static const char *client_name(const ws_client *c)
{
    return c->session->address ? c->session->address : "(unknown address)";
}

/* WS_CUT_CLOSE_SECONDS after a cut, the client has not read its close
 * frame: it is closed with a reset, so that the kernel drops what it holds
 * for the socket at once instead of keeping it for a peer that never reads. */
static gboolean cut_client_expired(gpointer data)
{
    ws_client *c = data;
    c->cut_timer = 0;
    struct linger reset = {.l_onoff = 1, .l_linger = 0};
    if (setsockopt(lws_get_socket_fd(c->wsi), SOL_SOCKET, SO_LINGER, &reset, sizeof reset) < 0)
        log_warn("client %s: cannot reset its socket: %s", client_name(c), g_strerror(errno));
    lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    /* lws arms its timer for a timeout set outside its service only when
     * it services something next: wake it (docs/event-loop.md). */
    lws_cancel_service(lws_get_context(c->wsi));
    return G_SOURCE_REMOVE;
}

/* Cuts c off: it gets nothing more but a close frame (code 1008, reason, a
 * literal), and what it had queued is freed now. A client that does not
 * read even that is closed without it (cut_client_expired). */
static void client_cut(ws_client *c, const char *reason)
{
    c->kill = true;
    c->close_reason = reason;
    queue_clear(c);
    c->cut_timer = g_timeout_add_seconds(WS_CUT_CLOSE_SECONDS, cut_client_expired, c);
    lws_callback_on_writable(c->wsi);
}

/* The total budget for client queues, in bytes. */
static size_t queue_budget(const ws_server *ws)
{
    return ws->cfg.queue_budget;
}

/* The client whose queue has not moved for longest, at least WS_STALLED_MS
 * (of equals, the one holding most), or NULL. With none, no client can
 * qualify before ws->no_cut_before, which this sets. */
static ws_client *longest_stalled(ws_server *ws, gint64 now)
{
    const gint64 stalled = WS_STALLED_MS * G_GINT64_CONSTANT(1000);
    gint64 first_wait = now; /* the earliest stall that is still too short */
    ws_client *found = NULL;
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, ws->clients);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        ws_client *c = key;
        if (c->kill || !c->stalled_since)
            continue;
        if (now - c->stalled_since < stalled)
            first_wait = MIN(first_wait, c->stalled_since);
        else if (!found || c->stalled_since < found->stalled_since ||
                 (c->stalled_since == found->stalled_since && c->held_bytes > found->held_bytes))
            found = c;
    }
    if (!found)
        ws->no_cut_before = first_wait + stalled;
    return found;
}

/* Whether need more bytes fit the total budget for client queues, once the
 * clients that stalled longest are cut off, as many as it takes. A client
 * whose queue keeps moving is never cut for the budget. */
static bool budget_room(ws_server *ws, size_t need)
{
    size_t budget = queue_budget(ws);
    while (ws->queued_total + need > budget) {
        gint64 now = g_get_monotonic_time();
        ws_client *c = now < ws->no_cut_before ? NULL : longest_stalled(ws, now);
        if (!c)
            return false;
        log_warn("client %s cut off: what it was sent has not moved for %.1f s, and client "
                 "queues (%zu bytes, %zu of them its) have no room for %zu more in their "
                 "budget of %zu bytes (server.client_queue_budget_mib)",
                 client_name(c), (double)(now - c->stalled_since) / 1e6, ws->queued_total,
                 c->held_bytes, need, budget);
        ws->budget_cuts++;
        client_cut(c, "too slow (server queue budget)");
    }
    return true;
}

/* Whether c takes video frame m (the media gate's rule): not a delta frame
 * while its stream waits for a keyframe, nor past c's own bound, nor past
 * the total budget when c is behind (a client that is idle keeps up). */
static bool client_admit_frame(ws_client *c, const out_msg *m, bool idle)
{
    size_t room = WS_MEDIA_QUEUE_MAX_BYTES;
    if (!idle && !media_gate_skips(&c->gate, m->stream, m->keyframe) &&
        c->media_bytes + m->len <= room && !budget_room(c->ws, m->len))
        room = 0;
    return media_gate_admit(&c->gate, m->stream, m->keyframe, m->len, c->media_bytes, room);
}

/* Whether c takes text message m. Past its own bound c is cut off: dropping
 * a control message would leave it with a wrong picture. Past the total
 * budget, stalled clients are cut off to make room, but m is queued anyway.
 * The snapshot is held to no bound of its own: it must reach every client. */
static bool client_admit_text(ws_client *c, const out_msg *m, bool idle)
{
    if (!m->snapshot && (c->queued_texts >= WS_QUEUE_MAX_MESSAGES ||
                         c->queued_bytes + m->len > WS_QUEUE_MAX_BYTES)) {
        log_warn("client %s cut off: queue full (%u messages, %zu bytes)", client_name(c),
                 c->queued_texts, c->queued_bytes);
        client_cut(c, "too slow");
        return false;
    }
    if (!idle)
        budget_room(c->ws, m->len);
    return true;
}

/* Holds text message m (adds a reference) behind c's reply not yet made.
 * Past the queue's own bound c is cut off, as for its queue. */
static void client_hold(ws_client *c, out_msg *m)
{
    if (c->held_bytes_text + m->len > WS_QUEUE_MAX_BYTES) {
        log_warn("client %s cut off: %zu bytes held behind its pending reply", client_name(c),
                 c->held_bytes_text);
        client_cut(c, "too slow");
        return;
    }
    held_msg *h = g_new0(held_msg, 1);
    h->client = c;
    h->m = out_msg_ref(m);
    c->held_bytes_text += m->len;
    g_queue_push_tail(&c->held, h);
}

/* Queues m (adds a reference), or writes it at once when the client is idle
 * and m fits one write. Video frames to an idle client wait while video is
 * held (client_cork). */
static void client_send_out(ws_client *c, out_msg *m)
{
    if (c->kill)
        return;
    bool idle = c->queue.length == 0 && c->established && !lws_partial_buffered(c->wsi);
    bool admitted = m->binary ? client_admit_frame(c, m, idle) : client_admit_text(c, m, idle);
    /* Making room in the budget may have cut c itself. */
    if (!admitted || c->kill)
        return;
    bool held = m->binary && c->ws->video_holds;
    if (idle && !held && m->len <= WS_COALESCE_MAX_BYTES) {
        client_write_now(c, m);
        return;
    }
    queue_put(c, m);
    if (idle && held)
        client_cork(c);
    else if (c->queue.length == 1 && !c->corked)
        lws_callback_on_writable(c->wsi);
}

/* Sends m (adds a reference) to c: after c's reply not yet made, if any. */
static void client_enqueue(ws_client *c, out_msg *m)
{
    if (c->kill)
        return;
    if (!m->binary && c->held.length)
        client_hold(c, m);
    else
        client_send_out(c, m);
}

static void client_send_json(ws_client *c, const json_t *value)
{
    out_msg *m = out_msg_from_json(value);
    if (!m)
        return;
    client_enqueue(c, m);
    out_msg_unref(m);
}

static void broadcast_msg(ws_server *ws, out_msg *m)
{
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, ws->clients);
    while (g_hash_table_iter_next(&it, &key, NULL))
        client_enqueue(key, m);
}

void ws_client_send_json(ws_client *c, const json_t *value)
{
    client_send_json(c, value);
}

void ws_client_send_video_json(ws_client *c, const json_t *value)
{
    /* A stream's media event describes the frames after it: it goes with
     * them, never held behind a pending reply (as video is not). */
    out_msg *m = out_msg_from_json(value);
    if (!m)
        return;
    client_send_out(c, m);
    out_msg_unref(m);
}

void ws_client_send_frame(ws_client *c, media_frame *frame)
{
    out_msg *m = frame_msg(c->ws, frame);
    if (m)
        client_enqueue(c, m);
}

void ws_client_expect_keyframe(ws_client *c, uint32_t stream)
{
    media_gate_wait_for_keyframe(&c->gate, stream);
}

void ws_client_forget_stream(ws_client *c, uint32_t stream)
{
    media_gate_forget(&c->gate, stream);
}

void ws_server_send_to_viewers(ws_server *ws, const char *source_id, const json_t *event)
{
    if (!ws || g_hash_table_size(ws->clients) == 0)
        return;
    out_msg *m = NULL;
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, ws->clients);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        ws_client *c = key;
        if (!session_shows(c->session, source_id))
            continue;
        if (!m && !(m = out_msg_from_json(event)))
            return;
        client_enqueue(c, m);
    }
    if (m)
        out_msg_unref(m);
}

void ws_server_broadcast(ws_server *ws, const json_t *event)
{
    if (!ws || g_hash_table_size(ws->clients) == 0)
        return;
    out_msg *m = out_msg_from_json(event);
    if (!m)
        return;
    broadcast_msg(ws, m);
    out_msg_unref(m);
}

/* The peer's IP address into buf. */
static const char *peer_address(struct lws *wsi, char *buf, size_t len)
{
    buf[0] = '\0';
    lws_get_peer_simple(wsi, buf, len);
    /* An IPv4 peer of an IPv6 socket: "::ffff:10.0.0.5" -> "10.0.0.5". */
    if (g_str_has_prefix(buf, "::ffff:") && strchr(buf, '.'))
        memmove(buf, buf + 7, strlen(buf + 7) + 1);
    return buf;
}

/* A client of wsi with empty queues and a session nobody has filled. */
static ws_client *client_alloc(ws_server *ws, struct lws *wsi)
{
    ws_client *c = g_new0(ws_client, 1);
    c->wsi = wsi;
    c->ws = ws;
    g_queue_init(&c->queue);
    g_queue_init(&c->held);
    c->rx = g_byte_array_new();
    c->tokens = WS_RATE_PER_SECOND;
    c->tokens_at = g_get_monotonic_time();
    media_gate_init(&c->gate);
    c->session = session_new(NULL);
    return c;
}

static ws_client *client_new(ws_server *ws, struct lws *wsi, const auth_principal *who)
{
    ws_client *c = client_alloc(ws, wsi);
    char address[64];
    auth_session_fill(c->session, who, peer_address(wsi, address, sizeof address));
    g_hash_table_add(ws->clients, c);
    ws->cb.open(ws->cb.user, c->session, c);
    json_t *snap = ws->cb.snapshot(ws->cb.user);
    out_msg *m = out_msg_from_json(snap);
    json_decref(snap);
    if (m) {
        m->snapshot = true;
        client_enqueue(c, m);
        out_msg_unref(m);
    }
    return c;
}

/* Sends c a new failover ticket when its login has one (docs/security.md). */
static void client_send_ticket(ws_client *c)
{
    if (!c->ws->cb.ticket || !c->session->login_hash)
        return;
    c->ticket_at = g_get_monotonic_time();
    json_t *msg = c->ws->cb.ticket(c->ws->cb.user, c->session);
    if (!msg)
        return;
    client_send_json(c, msg);
    json_decref(msg);
}

/* A socket whose failover ticket is refused: it gets nothing but its close
 * ("ticket refused"), so that the page goes to this node's login. */
static ws_client *client_new_refused(ws_server *ws, struct lws *wsi)
{
    ws_client *c = client_alloc(ws, wsi);
    c->session->role = ROLE_VIEWER;
    c->kill = true;
    c->close_reason = "ticket refused";
    lws_callback_on_writable(wsi);
    return c;
}

/* Frees the held messages that are made (the replies not yet made stay:
 * their requests still point at them). */
static void held_drop_made(ws_client *c)
{
    for (GList *l = c->held.head, *next; l; l = next) {
        next = l->next;
        held_msg *h = l->data;
        if (!h->m)
            continue;
        c->held_bytes_text -= h->m->len;
        out_msg_unref(h->m);
        g_free(h);
        g_queue_delete_link(&c->held, l);
    }
}

/* The last of c, once closed and no reply is pending. */
static void client_destroy(ws_client *c)
{
    held_drop_made(c);
    g_byte_array_free(c->rx, TRUE);
    g_free(c);
}

/* The connection closed: everything but what a pending reply needs goes
 * now; c itself once its last reply is made (client_replied). */
static void client_close(ws_client *c)
{
    c->ws->cb.close(c->ws->cb.user, c->session);
    session_free(c->session);
    c->session = NULL;
    media_gate_clear(&c->gate);
    g_hash_table_remove(c->ws->clients, c);
    if (c->corked)
        g_ptr_array_remove_fast(c->ws->corked, c);
    if (c->cut_timer)
        g_source_remove(c->cut_timer);
    c->cut_timer = 0;
    if (c->close_source)
        g_source_remove(c->close_source);
    c->close_source = 0;
    queue_clear(c);
    c->wsi = NULL;
    c->closed = true;
    c->kill = true;
    held_drop_made(c);
    if (!c->pending)
        client_destroy(c);
}

/* Sends the held messages up to the next reply not yet made. */
static void client_release_held(ws_client *c)
{
    held_msg *h;
    while ((h = g_queue_peek_head(&c->held)) && h->m) {
        g_queue_pop_head(&c->held);
        c->held_bytes_text -= h->m->len;
        client_send_out(c, h->m);
        out_msg_unref(h->m);
        g_free(h);
    }
}

/* A request's reply (ws_reply_fn; stolen), made now or once its writes are done:
 * it takes its place in the held messages, which go out up to the next
 * reply not yet made. */
static void client_replied(json_t *reply, void *data)
{
    held_msg *slot = data;
    ws_client *c = slot->client;
    out_msg *m = out_msg_from_json(reply);
    json_decref(reply);
    c->pending--;
    if (c->closed || !m) {
        if (m)
            out_msg_unref(m);
        g_queue_remove(&c->held, slot);
        g_free(slot);
        if (c->closed && !c->pending)
            client_destroy(c);
        else
            client_release_held(c);
        return;
    }
    slot->m = m;
    c->held_bytes_text += m->len;
    client_release_held(c);
}

/* Token bucket: WS_RATE_PER_SECOND requests a second, bursts up to as many. */
static bool client_take_token(ws_client *c)
{
    gint64 now = g_get_monotonic_time();
    c->tokens += (double)(now - c->tokens_at) * WS_RATE_PER_SECOND / 1e6;
    if (c->tokens > WS_RATE_PER_SECOND)
        c->tokens = WS_RATE_PER_SECOND;
    c->tokens_at = now;
    if (c->tokens < 1.0)
        return false;
    c->tokens -= 1.0;
    return true;
}

static json_t *rate_limited_reply(const ws_server *ws, const GByteArray *rx, bool waiting)
{
    json_t *req = json_loadb((const char *)rx->data, rx->len, 0, NULL);
    pantau_error err = {0};
    if (waiting)
        error_set(&err, ERR_RATE_LIMITED, "",
                  "%d requests are waiting for the disk; wait for their replies",
                  WS_MAX_PENDING_REPLIES);
    else
        error_set(&err, ERR_RATE_LIMITED, "", "more than %d requests in a second; slow down",
                  WS_RATE_PER_SECOND);
    json_t *reply = ws->cb.error_reply(ws->cb.user, json_object_get(req, "id"), &err);
    json_decref(req);
    return reply;
}

/* Handles the request in rx. Its reply holds the client's later text
 * messages back until it is made (client_replied). */
static void client_handle_message(ws_client *c)
{
    json_t *reply = NULL;
    if (c->rx_binary) {
        pantau_error err = {0};
        error_set(&err, ERR_BAD_JSON, "", "requests are text frames with a JSON object");
        reply = c->ws->cb.error_reply(c->ws->cb.user, NULL, &err);
    } else if (c->pending >= WS_MAX_PENDING_REPLIES) {
        reply = rate_limited_reply(c->ws, c->rx, true);
    } else if (!client_take_token(c)) {
        reply = rate_limited_reply(c->ws, c->rx, false);
    }
    if (reply) {
        client_send_json(c, reply);
        json_decref(reply);
        g_byte_array_set_size(c->rx, 0);
        return;
    }
    held_msg *slot = g_new0(held_msg, 1);
    slot->client = c;
    g_queue_push_tail(&c->held, slot);
    c->pending++;
    /* The reply may come before this returns; c lives on while it is
     * pending, even if the request closed the connection. */
    c->ws->cb.request(c->ws->cb.user, c->session, (const char *)c->rx->data, c->rx->len,
                      client_replied, slot);
    g_byte_array_set_size(c->rx, 0);
}

static int client_receive(ws_client *c, struct lws *wsi, const void *in, size_t len)
{
    if (lws_is_first_fragment(wsi) && c->rx->len == 0)
        c->rx_binary = lws_frame_is_binary(wsi);
    if (c->rx->len + len > WS_MAX_MESSAGE) {
        static const char reason[] = "message too big";
        lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, (unsigned char *)reason,
                         sizeof reason - 1);
        return -1;
    }
    g_byte_array_append(c->rx, in, (guint)len);
    if (lws_is_final_fragment(wsi))
        client_handle_message(c);
    return 0;
}

/* Starts lws' own close of c, set up by client_writeable, from outside
 * lws' service of it (lws_set_timeout: LWS_TO_KILL_SYNC may not close the
 * connection being serviced): lws sends the close frame, waits for the
 * peer's, then closes. */
static gboolean client_close_now(gpointer data)
{
    ws_client *c = data;
    c->close_source = 0;
    struct lws_context *context = lws_get_context(c->wsi);
    lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC);
    /* lws arms the close's own timeout only when it services something. */
    lws_cancel_service(context);
    return G_SOURCE_REMOVE;
}

static int client_writeable(ws_client *c, struct lws *wsi)
{
    if (c->kill) {
        /* Not by returning -1: Debian builds lws 4.1 with _DEBUG, and with
         * its libuv event library lws then closes twice, the second time
         * without the close frame (docs/event-loop.md, "Close frames"). */
        const char *reason = c->close_reason ? c->close_reason : "too slow";
        lws_close_reason(wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, (unsigned char *)reason,
                         strlen(reason));
        if (!c->close_source)
            c->close_source = g_idle_add_full(G_PRIORITY_DEFAULT, client_close_now, c, NULL);
        return 0;
    }
    if (c->corked)
        return 0; /* the release of the video hold writes the queue */
    if (client_drain(c) < 0)
        return -1;
    if (c->queue.length)
        lws_callback_on_writable(wsi);
    else
        c->established = true;
    return 0;
}

/* Only /ws is a WebSocket endpoint. */
static bool upgrade_path_is_ws(struct lws *wsi)
{
    char uri[64];
    int n = lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI);
    return n > 0 && strcmp(uri, "/ws") == 0;
}

/* Appends the security headers to a response's header block at *p. */
static int add_security_headers(struct lws *wsi, unsigned char **p, unsigned char *end)
{
    static const struct {
        const char *name, *value;
    } headers[] = {
        {"content-security-policy:",
         "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
         "img-src 'self' data: blob:; connect-src 'self' ws: wss:; object-src 'none'; "
         "base-uri 'none'; frame-ancestors 'self'"},
        {"x-content-type-options:", "nosniff"},
        {"referrer-policy:", "no-referrer"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(headers); i++)
        if (lws_add_http_header_by_name(wsi, (const unsigned char *)headers[i].name,
                                        (const unsigned char *)headers[i].value,
                                        (int)strlen(headers[i].value), p, end))
            return -1;
    return 0;
}

/* ---- dynamic responses: /metrics, /api/sources/<id>/snapshot.jpg ---- */

static void http_reply_free(http_reply *r)
{
    if (r->body)
        g_bytes_unref(r->body);
    g_free(r->set_cookie);
    g_free(r->location);
    g_free(r);
}

/* Sets the response (body stolen) and asks to write it, unless the
 * connection is gone, in which case the reply is freed. */
static void http_reply_finish(http_reply *r, unsigned status, const char *mime, GBytes *body)
{
    if (!r->wsi) {
        if (body)
            g_bytes_unref(body);
        http_reply_free(r);
        return;
    }
    r->ready = true;
    r->status = status;
    r->mime = mime;
    r->body = body ? body : g_bytes_new_static("", 0);
    lws_callback_on_writable(r->wsi);
}

static GBytes *text_bytes(const char *text)
{
    return g_bytes_new(text, strlen(text));
}

static void snapshot_encoded(GBytes *jpeg, void *user)
{
    if (jpeg)
        http_reply_finish(user, 200, "image/jpeg", g_bytes_ref(jpeg));
    else
        http_reply_finish(user, 500, "text/plain",
                          text_bytes("the picture could not be decoded\n"));
}

/* No picture: 503 with why (the camera's status and reason, redacted when
 * they were set). */
static void snapshot_frames(GBytes *gop, const char *why_not, void *user)
{
    if (!gop) {
        char *text = g_strdup_printf("%s\n", why_not ? why_not : "no picture from the camera");
        http_reply_finish(user, 503, "text/plain", g_bytes_new_take(text, strlen(text)));
        return;
    }
    snapshot_jpeg_async(gop, snapshot_encoded, user);
}

/* The source id of /api/sources/<id>/snapshot.jpg, or NULL. g_free it. */
static char *snapshot_source_id(const char *uri)
{
    static const char prefix[] = "/api/sources/", suffix[] = "/snapshot.jpg";
    if (!g_str_has_prefix(uri, prefix) || !g_str_has_suffix(uri, suffix))
        return NULL;
    size_t n = strlen(uri) - strlen(prefix) - strlen(suffix);
    if (n == 0 || memchr(uri + strlen(prefix), '/', n))
        return NULL;
    return g_strndup(uri + strlen(prefix), n);
}

static char *metrics_text(ws_server *ws)
{
    char *media = ws->cfg.media ? media_metrics_text(ws->cfg.media) : g_strdup("");
    char *rec = recordings_metrics_text(ws->cfg.export.recordings);
    char *heap = heap_trim_metrics_text(ws->cfg.heap);
    char *text = g_strdup_printf(
        "# HELP pantau_clients Connected WebSocket clients\n"
        "# TYPE pantau_clients gauge\npantau_clients %u\n"
        "# HELP pantau_client_queue_bytes Bytes waiting in the queues of all clients\n"
        "# TYPE pantau_client_queue_bytes gauge\npantau_client_queue_bytes %zu\n"
        "# HELP pantau_client_queue_budget_bytes Past this, stalled clients are cut off\n"
        "# TYPE pantau_client_queue_budget_bytes gauge\npantau_client_queue_budget_bytes %zu\n"
        "# HELP pantau_client_budget_cuts_total Clients cut off for the queue budget\n"
        "# TYPE pantau_client_budget_cuts_total counter\npantau_client_budget_cuts_total "
        "%" G_GUINT64_FORMAT "\n%s%s%s",
        g_hash_table_size(ws->clients), ws->queued_total, queue_budget(ws), ws->budget_cuts, media,
        rec, heap);
    g_free(rec);
    g_free(media);
    g_free(heap);
    return text;
}

/* Starts a dynamic response for uri. Returns 1 when uri is one, else 0. */
static int start_dynamic(ws_server *ws, struct lws *wsi, conn_slot *slot, const char *uri)
{
    char *id = snapshot_source_id(uri);
    if (strcmp(uri, "/metrics") != 0 && !id)
        return 0;
    http_reply *r = g_new0(http_reply, 1);
    r->wsi = wsi;
    slot->reply = r;
    if (!id) {
        char *text = metrics_text(ws);
        http_reply_finish(r, 200, "text/plain; version=0.0.4",
                          g_bytes_new_take(text, strlen(text)));
        return 1;
    }
    if (!ws->cfg.media || !media_fetch_gop(ws->cfg.media, id, snapshot_frames, r))
        http_reply_finish(r, 404, "text/plain", text_bytes("no such camera\n"));
    g_free(id);
    return 1;
}

static int add_header(struct lws *wsi, const char *name, const char *value, unsigned char **p,
                      unsigned char *end)
{
    return lws_add_http_header_by_name(wsi, (const unsigned char *)name,
                                       (const unsigned char *)value, (int)strlen(value), p, end);
}

/* Set-Cookie, Location and Retry-After, when r has them. */
static int add_reply_headers(struct lws *wsi, const http_reply *r, unsigned char **p,
                             unsigned char *end)
{
    char retry[16];
    snprintf(retry, sizeof retry, "%d", r->retry_after);
    if ((r->set_cookie && add_header(wsi, "set-cookie:", r->set_cookie, p, end)) ||
        (r->location && add_header(wsi, "location:", r->location, p, end)) ||
        (r->retry_after > 0 && add_header(wsi, "retry-after:", retry, p, end)))
        return -1;
    return 0;
}

static int write_dynamic(struct lws *wsi, conn_slot *slot)
{
    http_reply *r = slot->reply;
    if (!r || !r->ready)
        return 0;
    /* Room for the fixed headers, and for a Location or Set-Cookie of any
     * length the reply has. */
    size_t room = LWS_PRE + 1024 + (r->location ? strlen(r->location) : 0) +
                  (r->set_cookie ? strlen(r->set_cookie) : 0);
    unsigned char *head = g_malloc(room);
    unsigned char *start = head + LWS_PRE, *p = start, *end = head + room - 1;
    gsize len;
    const void *body = g_bytes_get_data(r->body, &len);
    int failed = lws_add_http_common_headers(wsi, r->status, r->mime, len, &p, end) ||
                 lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
                                             (const unsigned char *)"no-store", 8, &p, end) ||
                 add_security_headers(wsi, &p, end) || add_reply_headers(wsi, r, &p, end) ||
                 lws_finalize_write_http_header(wsi, start, &p, end);
    g_free(head);
    if (failed)
        return -1;
    unsigned char *copy = g_malloc(LWS_PRE + len + 1);
    memcpy(copy + LWS_PRE, body, len);
    int n = lws_write(wsi, copy + LWS_PRE, len, LWS_WRITE_HTTP_FINAL);
    g_free(copy);
    slot->reply = NULL;
    http_reply_free(r);
    if (n < 0)
        return -1;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* The connection closed: a reply still being made frees itself later. */
static void drop_dynamic(conn_slot *slot)
{
    http_reply *r = slot->reply;
    slot->reply = NULL;
    if (!r)
        return;
    if (r->ready)
        http_reply_free(r);
    else
        r->wsi = NULL;
}

/* ---- authentication (docs/security.md) ---- */

/* Header h of wsi into buf ("" when absent). */
static const char *header(struct lws *wsi, enum lws_token_indexes h, char *buf, int len)
{
    if (lws_hdr_copy(wsi, buf, len, h) < 0)
        buf[0] = '\0';
    return buf;
}

/* The whole Cookie header, however long (within lws's header space), or
 * NULL without one. Sent as several lines (which HTTP/1.1 allows for
 * cookie), its parts are joined with ";". Holds secrets: password_forget. */
static char *cookie_header(struct lws *wsi)
{
    const enum lws_token_indexes h = WSI_TOKEN_HTTP_COOKIE;
    int total = lws_hdr_total_length(wsi, h);
    if (total <= 0)
        return NULL;
    /* lws counts no separators for cookies: the parts add up to total. */
    int parts = 0;
    for (int sum = 0; sum < total && parts < 256; parts++)
        sum += lws_hdr_fragment_length(wsi, h, parts);
    int size = total + parts + 1, at = 0;
    char *all = g_malloc(size);
    for (int i = 0; i < parts; i++) {
        if (i > 0)
            all[at++] = ';';
        int n = lws_hdr_copy_fragment(wsi, all + at, size - at, h, i);
        if (n < 0)
            break;
        at += n;
    }
    all[at] = '\0';
    return all;
}

/* Who the request's ?token=, session cookie or token cookie shows
 * (auth_identify: a token seen for the first time is checked off the loop,
 * and checked, if not NULL, is called when that ends). */
static enum auth_identity request_identify(ws_server *ws, struct lws *wsi, bool *from_url,
                                           const auth_principal **who, int *retry_after,
                                           auth_token_checked checked, void *data)
{
    char arg[300], address[64];
    const char *token = lws_get_urlarg_by_name(wsi, "token=", arg, sizeof arg);
    *from_url = token && *token;
    char *cookies = cookie_header(wsi);
    auth_credentials cred = {cookies, token, peer_address(wsi, address, sizeof address)};
    enum auth_identity found = auth_identify(ws->cfg.auth, &cred, who, retry_after, checked, data);
    password_forget(cookies);
    password_wipe(arg, sizeof arg);
    /* On a closed network (auth.anonymous_role) no credentials is that role. */
    if (found == AUTH_NOBODY && auth_anonymous(ws->cfg.auth)) {
        *who = auth_anonymous(ws->cfg.auth);
        found = AUTH_KNOWN;
    }
    return found;
}

/* Who the request shows now; NULL when nobody (or when auth is off). The
 * WebSocket handshake cannot wait: a token being checked gets it refused,
 * and the client's reconnect finds the check's result. */
static const auth_principal *request_principal(ws_server *ws, struct lws *wsi, bool *from_url)
{
    const auth_principal *who;
    int retry_after;
    request_identify(ws, wsi, from_url, &who, &retry_after, NULL, NULL);
    return who;
}

/* Gives c's session the login its handshake showed (s), and c its first
 * failover ticket. */
static void client_login(ws_client *c, const conn_slot *s)
{
    char login[AUTH_LOGIN_HASH_HEX + 1];
    if (s->login_id[0])
        c->session->login_id = g_strdup(s->login_id);
    if (s->login_hash[0])
        c->session->login_hash = g_strdup(s->login_hash);
    else if (auth_login_hash(c->session->login_id, login))
        c->session->login_hash = g_strdup(login);
    client_send_ticket(c);
}

/* The failover ticket the handshake offers (a Sec-WebSocket-Protocol entry
 * "pantau.ticket.<hex>") into buf (a secret: wipe it); NULL: none. */
static const char *offered_ticket(struct lws *wsi, char *buf, int len)
{
    static const char prefix[] = "pantau.ticket.";
    if (lws_hdr_total_length(wsi, WSI_TOKEN_PROTOCOL) >= len)
        return NULL;
    header(wsi, WSI_TOKEN_PROTOCOL, buf, len);
    char *at = strstr(buf, prefix);
    if (!at)
        return NULL;
    at += strlen(prefix);
    at[strcspn(at, ", \t")] = '\0';
    return at;
}

/* Who the handshake's failover ticket shows (its login's hash into login),
 * or NULL; *offered: whether there was one. */
static const auth_principal *ticket_principal(ws_server *ws, struct lws *wsi,
                                              char login[AUTH_LOGIN_HASH_HEX + 1], bool *offered)
{
    char buf[512];
    const char *ticket = offered_ticket(wsi, buf, sizeof buf);
    *offered = ticket != NULL;
    login[0] = '\0';
    const auth_principal *who = ticket ? auth_ticket_identify(ws->cfg.auth, ticket, login) : NULL;
    password_wipe(buf, sizeof buf);
    return who;
}

/* Keeps the id of the login session the handshake was let in with, so that
 * the socket ends with it (logout, expiry). Not when a viewer token let it
 * in: a wall display must not be closed for a stale cookie beside its token. */
static void remember_login_id(ws_server *ws, struct lws *wsi, conn_slot *s, bool from_url)
{
    s->login_id[0] = '\0';
    if (from_url || !ws->cfg.auth)
        return;
    char *cookies = cookie_header(wsi);
    char *id = auth_cookie_get(cookies, AUTH_SESSION_COOKIE);
    password_forget(cookies);
    if (id && strlen(id) < sizeof s->login_id && auth_session_alive(ws->cfg.auth, id))
        g_strlcpy(s->login_id, id, sizeof s->login_id);
    password_forget(id);
}

/* Sets s->who from the handshake's failover ticket, else its token or
 * cookies (remembering the login). Returns false when the socket is refused
 * at once; a ticket that is all it has and not valid gets it let in and
 * closed with "ticket refused" (s->ticket_refused). */
static bool socket_identify(ws_server *ws, struct lws *wsi, conn_slot *s)
{
    bool offered = false, from_url = false;
    s->ticket_refused = false;
    s->who = ws->cfg.auth ? ticket_principal(ws, wsi, s->login_hash, &offered) : NULL;
    if (s->who) {
        s->login_id[0] = '\0';
        return true;
    }
    s->who = request_principal(ws, wsi, &from_url);
    remember_login_id(ws, wsi, s, from_url);
    if (offered && !from_url && !s->login_id[0]) {
        s->ticket_refused = true;
        return true;
    }
    return !ws->cfg.auth || s->who;
}

void ws_server_close_login(ws_server *ws, const char *login_id)
{
    if (!ws || !login_id || !*login_id)
        return;
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, ws->clients);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        ws_client *c = key;
        if (g_strcmp0(c->session->login_id, login_id) != 0 || c->kill)
            continue;
        c->kill = true;
        c->close_reason = "logged out";
        lws_callback_on_writable(c->wsi);
    }
}

/* A socket opened with a login session ends with it: an operator's console
 * left open does not keep its rights past the session's expiry. */
static gboolean close_expired_logins(gpointer data)
{
    ws_server *ws = data;
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, ws->clients);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        ws_client *c = key;
        const char *login_id = c->session->login_id;
        const char *login_hash = c->session->login_hash;
        if (c->kill || (!login_id && !login_hash))
            continue;
        if (login_id ? auth_session_alive(ws->cfg.auth, login_id)
                     : auth_login_alive(ws->cfg.auth, login_hash)) {
            if (g_get_monotonic_time() - c->ticket_at >=
                AUTH_TICKET_ROTATE_SECONDS * G_USEC_PER_SEC)
                client_send_ticket(c);
            continue;
        }
        c->kill = true;
        c->close_reason = "session expired";
        lws_callback_on_writable(c->wsi);
    }
    return G_SOURCE_CONTINUE;
}

/* The WebSocket handshake: a browser's Origin must be ours (or allowed);
 * with auth on, a valid token or session is needed too. */
/* The Origin header into buf: "" when there is none, NULL when there is
 * one too long to read (a refusal: never "no Origin"). */
static const char *origin_header(struct lws *wsi, char *buf, int len)
{
    if (lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN) >= len)
        return NULL;
    return header(wsi, WSI_TOKEN_ORIGIN, buf, len);
}

/* Without logins, a browser page is ours only when it names this machine by
 * address or as localhost: a DNS name could be rebound to 127.0.0.1 by a
 * foreign site, whose Origin would then match its Host. */
static bool host_is_local_name(const char *host)
{
    char name[256];
    g_strlcpy(name, host, sizeof name);
    char *colon = name[0] == '[' ? strchr(name, ']') : strrchr(name, ':');
    if (colon && name[0] == '[')
        colon[1] = '\0';
    else if (colon)
        *colon = '\0';
    const char *bare = name;
    if (name[0] == '[') {
        name[strlen(name) - 1] = '\0';
        bare = name + 1;
    }
    return g_ascii_strcasecmp(bare, "localhost") == 0 || g_hostname_is_ip_address(bare);
}

static bool handshake_allowed(ws_server *ws, struct lws *wsi)
{
    char origin_buf[256], host[256];
    const char *origin = origin_header(wsi, origin_buf, sizeof origin_buf);
    header(wsi, WSI_TOKEN_HOST, host, sizeof host);
    bool peer = origin && *origin && ws->cfg.origin_is_peer &&
                ws->cfg.origin_is_peer(origin, ws->cfg.peer_data);
    if (!peer && (!origin || (*origin && !login_http_origin_ok(&ws->login, origin, host)))) {
        log_warn("refused a WebSocket from origin %.100s", origin ? origin : "(too long)");
        return false;
    }
    if (!peer && *origin && !ws->cfg.auth && !host_is_local_name(host) &&
        !login_http_origin_listed(&ws->login, origin)) {
        log_warn("refused a WebSocket for host %.100s: without logins only addresses and "
                 "localhost are served to browsers (or list the origin in auth.allowed_origins)",
                 host);
        return false;
    }
    bool from_url;
    char buf[512];
    bool ticket = offered_ticket(wsi, buf, sizeof buf) != NULL;
    password_wipe(buf, sizeof buf);
    return !ws->cfg.auth || ticket || request_principal(ws, wsi, &from_url);
}

/* Sets r to a 302 to /login?next=<uri and arguments, less any token>. */
static void redirect_to_login(struct lws *wsi, http_reply *r, const char *uri)
{
    GString *next = g_string_new(uri);
    char arg[256];
    for (int i = 0; lws_hdr_copy_fragment(wsi, arg, sizeof arg, WSI_TOKEN_HTTP_URI_ARGS, i) > 0;
         i++) {
        if (g_str_has_prefix(arg, "token="))
            continue;
        g_string_append_c(next, strchr(next->str, '?') ? '&' : '?');
        g_string_append(next, arg);
    }
    char *escaped = g_uri_escape_string(next->str, NULL, FALSE);
    g_string_free(next, TRUE);
    if (strlen(escaped) > WS_REDIRECT_MAX_BYTES) {
        g_free(escaped);
        http_reply_finish(r, 414, "text/plain",
                          text_bytes("the address is too long to come back to after a login\n"));
        return;
    }
    r->location = g_strdup_printf("/login?next=%s", escaped);
    g_free(escaped);
    http_reply_finish(r, 302, "text/plain", text_bytes("log in first: /login\n"));
}

/* A page or picture request waiting for its token's check. */
typedef struct token_wait {
    http_reply *reply;
    char *uri;
    bool snapshot;
} token_wait;

/* The Location of uri with the request's arguments, to ask again. g_free it. */
static char *same_request(struct lws *wsi, const char *uri)
{
    GString *again = g_string_new(uri);
    char arg[300];
    for (int i = 0; lws_hdr_copy_fragment(wsi, arg, sizeof arg, WSI_TOKEN_HTTP_URI_ARGS, i) > 0;
         i++) {
        char *eq = strchr(arg, '=');
        if (eq)
            *eq = '\0';
        g_string_append_c(again, i ? '&' : '?');
        g_string_append_uri_escaped(again, arg, NULL, FALSE);
        if (eq) {
            g_string_append_c(again, '=');
            g_string_append_uri_escaped(again, eq + 1, NULL, FALSE);
        }
    }
    password_wipe(arg, sizeof arg);
    return g_string_free(again, FALSE);
}

/* Answers a request whose token cannot be checked now: 503, and for a page
 * one that reloads itself, as a wall PC without a keyboard must. */
static void refuse_busy(http_reply *r, bool snapshot, int retry_after)
{
    r->retry_after = retry_after;
    if (snapshot) {
        http_reply_finish(r, 503, "text/plain", text_bytes("busy checking tokens; try again\n"));
        return;
    }
    char *page = g_strdup_printf("<!doctype html><meta http-equiv=\"refresh\" content=\"%d\">"
                                 "<link rel=\"icon\" href=\"data:,\">"
                                 "<p>Busy checking viewer tokens; trying again.</p>\n",
                                 retry_after);
    http_reply_finish(r, 503, "text/html", g_bytes_new_take(page, strlen(page)));
}

/* Answers a request that shows nobody: 403 for a picture, else /login. */
static void refuse_stranger(struct lws *wsi, http_reply *r, const char *uri, bool snapshot)
{
    if (snapshot)
        http_reply_finish(r, 403, "text/plain", text_bytes("log in first\n"));
    else
        redirect_to_login(wsi, r, uri);
}

/* The token check of a waiting request ended: a valid token has it asked
 * again (307 to itself, answered at once now), a wrong one is refused. */
static void token_checked(const auth_principal *who, void *data)
{
    token_wait *w = data;
    http_reply *r = w->reply;
    if (!r->wsi) {
        http_reply_finish(r, 0, NULL, NULL); /* the client left: frees r */
    } else if (who) {
        r->location = same_request(r->wsi, w->uri);
        http_reply_finish(r, 307, "text/plain", text_bytes("token checked; ask again\n"));
    } else {
        refuse_stranger(r->wsi, r, w->uri, w->snapshot);
    }
    g_free(w->uri);
    g_free(w);
}

/* With auth on, pages (but /login) and camera pictures need a user or a
 * viewer token; others are redirected to /login. A token seen for the
 * first time is answered when its check (off the loop) ends; with too
 * many checks running, 503. Returns 1 when it answered (or will), else 0. */
static int refuse_anonymous(ws_server *ws, struct lws *wsi, conn_slot *slot, const char *uri,
                            const auth_principal **who, bool *token_in_url)
{
    *who = NULL;
    *token_in_url = false;
    if (!ws->cfg.auth || strcmp(uri, "/login") == 0)
        return 0;
    bool snapshot = g_str_has_prefix(uri, "/api/sources/") || g_str_has_prefix(uri, "/slides/") ||
                    strcmp(uri, "/export.mp4") == 0;
    if (!snapshot && !http_route_is_page(uri))
        return 0;
    token_wait *w = g_new0(token_wait, 1);
    int retry_after;
    enum auth_identity found =
        request_identify(ws, wsi, token_in_url, who, &retry_after, token_checked, w);
    if (found == AUTH_KNOWN) {
        g_free(w);
        return 0;
    }
    http_reply *r = g_new0(http_reply, 1);
    r->wsi = wsi;
    slot->reply = r;
    if (found == AUTH_CHECKING) {
        *w = (token_wait){r, g_strdup(uri), snapshot};
        return 1;
    }
    g_free(w);
    if (found == AUTH_BUSY)
        refuse_busy(r, snapshot, retry_after);
    else
        refuse_stranger(wsi, r, uri, snapshot);
    return 1;
}

/* ---- POST /api/login, /api/logout ---- */

static void api_answered(api_reply *a, void *data)
{
    http_reply *r = data;
    if (r->wsi) {
        r->set_cookie = a->set_cookie;
        r->retry_after = a->retry_after;
        a->set_cookie = NULL;
    }
    http_reply_finish(r, a->status, "application/json", g_bytes_new_take(a->body, strlen(a->body)));
    a->body = NULL;
    api_reply_free(a);
}

static int is_post(struct lws *wsi)
{
    return lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0;
}

static int receive_post(conn_slot *slot, const void *in, size_t len)
{
    /* An empty body was answered at once; lws may still pass it on. */
    if (!slot->body)
        return len ? -1 : 0;
    if (slot->body->len + len > LOGIN_HTTP_BODY_MAX)
        return -1;
    g_byte_array_append(slot->body, in, (guint)len);
    return 0;
}

/* The body is complete: slot->body holds the URI, a NUL, then the body. */
static int finish_post(ws_server *ws, struct lws *wsi, conn_slot *slot)
{
    /* lws may report the end of an empty body that was answered already;
     * more than once is lws looping on a pipelined body: close. */
    if (!slot->body)
        return slot->stray_completions++ ? -1 : 0;
    if (!slot->reply)
        return -1;
    char origin[256], host[256], address[64];
    if (!origin_header(wsi, origin, sizeof origin)) {
        password_wipe(slot->body->data, slot->body->len);
        g_byte_array_free(slot->body, TRUE);
        slot->body = NULL;
        http_reply_finish(slot->reply, 403, "text/plain", text_bytes("origin refused\n"));
        return 0;
    }
    const char *uri = (const char *)slot->body->data;
    size_t skip = strlen(uri) + 1;
    char *cookies = cookie_header(wsi);
    api_request req = {
        .uri = uri,
        .body = (const char *)slot->body->data + skip,
        .len = slot->body->len - skip,
        .address = peer_address(wsi, address, sizeof address),
        .cookies = cookies,
        .origin = *header(wsi, WSI_TOKEN_ORIGIN, origin, sizeof origin) ? origin : NULL,
        .host = header(wsi, WSI_TOKEN_HOST, host, sizeof host),
    };
    login_http_post(&ws->login, &req, api_answered, slot->reply);
    password_forget(cookies);
    password_wipe(slot->body->data, slot->body->len);
    g_byte_array_free(slot->body, TRUE);
    slot->body = NULL;
    return 0;
}

/* Starts a POST: its body comes in LWS_CALLBACK_HTTP_BODY; without one it
 * is answered at once. */
static int start_post(ws_server *ws, struct lws *wsi, conn_slot *slot, const char *uri)
{
    http_reply *r = g_new0(http_reply, 1);
    r->wsi = wsi;
    slot->reply = r;
    slot->body = g_byte_array_new();
    g_byte_array_append(slot->body, (const guint8 *)uri, (guint)strlen(uri) + 1);
    char length[32];
    if (g_ascii_strtoll(header(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, length, sizeof length), NULL,
                        10) <= 0)
        return finish_post(ws, wsi, slot);
    return 0;
}

/* Drops a POST whose body never completed. Its reply was never handed to a
 * login, so nothing else will free it. */
static void drop_post(conn_slot *slot)
{
    if (!slot->body)
        return;
    password_wipe(slot->body->data, slot->body->len);
    g_byte_array_free(slot->body, TRUE);
    slot->body = NULL;
    if (slot->reply && !slot->reply->ready) {
        http_reply_free(slot->reply);
        slot->reply = NULL;
    }
}

/* Other headers of a page: the security ones, and the viewer token's
 * cookie when the URL carried a valid one (so a reload without it works). */
static int page_headers(struct lws *wsi, bool set_token, unsigned char **p, unsigned char *end)
{
    if (add_security_headers(wsi, p, end))
        return -1;
    if (!set_token)
        return 0;
    char arg[300];
    const char *token = lws_get_urlarg_by_name(wsi, "token=", arg, sizeof arg);
    char *cookie =
        g_strdup_printf("%s=%s; Max-Age=34560000; Path=/; HttpOnly; SameSite=Strict%s",
                        AUTH_TOKEN_COOKIE, token ? token : "", lws_is_ssl(wsi) ? "; Secure" : "");
    int rc = add_header(wsi, "set-cookie:", cookie, p, end);
    password_wipe(arg, sizeof arg);
    password_wipe(cookie, strlen(cookie));
    g_free(cookie);
    return rc;
}

/* export_reply_fn: the export's answer into its reply. */
static void export_done(unsigned status, const char *mime, GBytes *body, void *user)
{
    http_reply_finish(user, status, mime, body);
}

/* GET /export.mp4?source=&from=&to= by who (export_http.h). */
static void start_export(ws_server *ws, struct lws *wsi, conn_slot *slot, const auth_principal *who)
{
    char source[128], from[32], to[32], address[64];
    http_reply *r = g_new0(http_reply, 1);
    r->wsi = wsi;
    slot->reply = r;
    export_http_start(&ws->cfg.export, who, peer_address(wsi, address, sizeof address),
                      lws_get_urlarg_by_name(wsi, "source=", source, sizeof source),
                      lws_get_urlarg_by_name(wsi, "from=", from, sizeof from),
                      lws_get_urlarg_by_name(wsi, "to=", to, sizeof to), export_done, r);
}

static int serve_http(ws_server *ws, struct lws *wsi, conn_slot *slot, const char *uri)
{
    if (is_post(wsi) && login_http_is_api(uri))
        return start_post(ws, wsi, slot, uri);
    const auth_principal *who;
    bool token_in_url;
    if (refuse_anonymous(ws, wsi, slot, uri, &who, &token_in_url))
        return 0;
    if (strcmp(uri, "/export.mp4") == 0) {
        start_export(ws, wsi, slot, who);
        return 0;
    }
    if (start_dynamic(ws, wsi, slot, uri))
        return 0;
    const char *mime = NULL;
    int status = 404;
    char *file = http_route_file(&ws->cfg.routes, uri, &mime, &status);
    if (!file) {
        if (lws_return_http_status(wsi, (unsigned)status, NULL))
            return -1;
        return lws_http_transaction_completed(wsi) ? -1 : 0;
    }
    unsigned char headers[1024], *p = headers;
    int hlen =
        page_headers(wsi, token_in_url, &p, headers + sizeof headers) ? -1 : (int)(p - headers);
    int n = hlen < 0 ? -1 : lws_serve_http_file(wsi, file, mime, (const char *)headers, hlen);
    g_free(file);
    if (n < 0 || (n > 0 && lws_http_transaction_completed(wsi)))
        return -1;
    return 0;
}

static int callback_pantau(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                           size_t len)
{
    conn_slot *s = user;
    ws_server *ws = lws_context_user(lws_get_context(wsi));
    switch (reason) {
    case LWS_CALLBACK_HTTP:
        return serve_http(ws, wsi, s, in);
    case LWS_CALLBACK_HTTP_BODY:
        return receive_post(s, in, len);
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        return finish_post(ws, wsi, s);
    case LWS_CALLBACK_HTTP_WRITEABLE:
        return s ? write_dynamic(wsi, s) : 0;
    case LWS_CALLBACK_CLOSED_HTTP:
        /* lws may close a connection that never got its user data. */
        if (s) {
            drop_post(s);
            drop_dynamic(s);
        }
        return 0;
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
        if (handshake_allowed(ws, wsi))
            return 0;
        return lws_return_http_status(wsi, HTTP_STATUS_FORBIDDEN, NULL) ? -1 : 1;
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: {
        if (!upgrade_path_is_ws(wsi))
            return 1;
        return socket_identify(ws, wsi, s) ? 0 : 1;
    }
    case LWS_CALLBACK_ESTABLISHED:
        if (s->ticket_refused) {
            s->client = client_new_refused(ws, wsi);
            return 0;
        }
        s->client = client_new(ws, wsi, s->who);
        client_login(s->client, s);
        return 0;
    case LWS_CALLBACK_RECEIVE:
        if (s->ticket_refused)
            return 0;
        return s->client ? client_receive(s->client, wsi, in, len) : -1;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return s->client ? client_writeable(s->client, wsi) : 0;
    case LWS_CALLBACK_CLOSED:
        if (s->client)
            client_close(s->client);
        s->client = NULL;
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

static const struct lws_protocols protocols[] = {
    /* tx_packet_size: without it lws cuts every send() to rx_buffer_size,
     * and a 60 KB keyframe costs fifteen passes through the loop. */
    {"pantau.v1", callback_pantau, sizeof(conn_slot), 4096, 0, NULL, 1024 * 1024},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static void lws_log_to_ours(int level, const char *line)
{
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        n--;
    log_write(level == LLL_ERR ? PANTAU_LOG_ERROR : PANTAU_LOG_WARN, "lws", "%.*s", (int)n, line);
}

/* A logout ended login_id: its sockets close. */
static void login_logged_out(const char *login_id, void *user)
{
    ws_server_close_login(user, login_id);
}

ws_server *ws_server_start(const ws_config *cfg, const ws_callbacks *cb)
{
    lws_set_log_level(LLL_ERR | LLL_WARN, lws_log_to_ours);
    ws_server *ws = g_new0(ws_server, 1);
    ws->cfg = *cfg;
    ws->cb = *cb;
    ws->login =
        (login_http){cfg->auth, cfg->tls_cert != NULL, cfg->allowed_origins, login_logged_out, ws};
    const listen_addr *bind = cfg->bind;
    int port = cfg->port;
    ws->clients = g_hash_table_new(g_direct_hash, g_direct_equal);
    ws->corked = g_ptr_array_new();
    ws->coalesce = g_byte_array_new();
    if (cfg->auth)
        ws->session_check =
            g_timeout_add_seconds(WS_SESSION_CHECK_SECONDS, close_expired_logins, ws);
    ws->loop = ws_loop_new(g_main_loop_get_context(cfg->loop));
    if (!ws->loop)
        goto fail;
    void *foreign_loops[1] = {ws_loop_foreign(ws->loop)};
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = port;
    /* lws binds an IPv4 address given to an IPv6 socket as "::" (every
     * interface): an IPv4 address is bound on an IPv4-only socket. */
    info.iface = bind->any ? NULL : bind->numeric;
    info.protocols = protocols;
    info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_VALIDATE_UTF8;
    if (!bind->ipv6)
        info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    info.foreign_loops = foreign_loops;
    info.pcontext = &ws->context;
    info.user = ws;
    info.vhost_name = "pantau";
    info.timeout_secs = 20;
    info.max_http_header_data = WS_HEADER_SPACE_BYTES;
    if (cfg->tls_cert) {
        info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
        info.ssl_cert_filepath = cfg->tls_cert;
        info.ssl_private_key_filepath = cfg->tls_key;
        /* HTTP/1.1 only: over HTTP/2 lws 4.1 gives no Host header to the
         * origin check nor a GET URI to the upgrade, and its WebSocket over
         * HTTP/2 (RFC 8441) is not what browsers get elsewhere: one
         * connection per client carries everything anyway (docs/security.md). */
        info.alpn = "http/1.1";
    }
    ws->context = lws_create_context(&info);
    ws->cfg.tls_cert = ws->cfg.tls_key = NULL; /* read by lws_create_context only */
    if (!ws->context)
        goto fail;
    ws->vhost = lws_get_vhost_by_name(ws->context, "pantau");
    if (!ws->vhost)
        goto fail;
    ws->port = lws_get_vhost_listen_port(ws->vhost);
    if (ws->port <= 0)
        goto fail;
    return ws;
fail:
    log_error("cannot listen on %s port %d", bind->numeric, port);
    ws_server_free(ws);
    return NULL;
}

unsigned ws_server_client_count(const ws_server *ws)
{
    return g_hash_table_size(ws->clients);
}

int ws_server_port(const ws_server *ws)
{
    return ws->port;
}

void ws_server_free(ws_server *ws)
{
    if (!ws)
        return;
    ws_loop_free(ws->loop, &ws->context);
    g_hash_table_destroy(ws->clients);
    if (ws->session_check)
        g_source_remove(ws->session_check);
    g_ptr_array_free(ws->corked, TRUE);
    g_byte_array_free(ws->coalesce, TRUE);
    if (ws->last_frame)
        out_msg_unref(ws->last_frame);
    g_free(ws);
}
