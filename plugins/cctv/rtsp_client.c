/* rtsp_client.c - the lean RTSP client: one non-blocking TCP connection on
 * the main context it was started on, DESCRIBE / SETUP (RTP interleaved) /
 * PLAY, keepalive, and the interleaved RTP fed to the H.264 or H.265
 * depacketiser (rtp_depay.c).
 *
 * Lifetime: every callback runs from a dispatch of one of our own sources.
 * A dispatch counts itself in c->depth; rtsp_client_free() inside a
 * callback only shuts the I/O down and marks c freed, and the outermost
 * dispatch frees it on the way out, so no frame touches freed memory. The
 * async connect holds a connect_op rather than c, so that it can finish
 * (cancelled) after c is gone. */
#include "rtsp_client.h"
#include "port_probe.h"
#include "rtsp_proto.h"
#include "url_redact.h"

#include <gio/gio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Connecting, and each reply to DESCRIBE/SETUP/PLAY, must take less. */
#define REPLY_TIMEOUT_MS 10000
#define DEFAULT_SESSION_TIMEOUT_S 60
/* Reads are this large: a wakeup takes everything the kernel has. */
#define READ_CHUNK (64 * 1024)
/* The longest end reason handed on, in bytes (a status line, a log line). */
#define REASON_MAX 300
#define READS_PER_WAKEUP 8
/* Requests and answers the camera has not taken yet. A camera that sends
 * requests (OPTIONS, GET_PARAMETER) but never reads the answers would
 * otherwise grow this without end. The largest single request (a SETUP
 * whose URL comes from a 1 MiB SDP, twice with Digest) stays below it. */
#define OUT_MAX (4 * 1024 * 1024)

typedef enum client_state {
    ST_CONNECTING,
    ST_DESCRIBE,
    ST_SETUP,
    ST_PLAY,
    ST_PLAYING,
    ST_DONE, /* ended or freed: the I/O is shut and no callback follows */
} client_state;

/* Owned by the pending async connect; c is cleared when c goes first. */
typedef struct connect_op {
    rtsp_client *c;
} connect_op;

struct rtsp_client {
    GMainContext *ctx;
    rtsp_client_callbacks cb;
    void *user;
    client_state state;
    int depth; /* dispatches of ours on the stack */
    int freed; /* rtsp_client_free() ran while depth > 0 */

    rtsp_url url;
    char *username, *password; /* the ones in use; NULL username: none */
    rtsp_auth auth;            /* scheme NONE until a 401 asked for it */
    int auth_tries;            /* 401s answered for the pending request */

    connect_op *connecting;
    GCancellable *cancel;
    GSocketConnection *conn;
    GSocket *sock; /* of conn */
    GSource *in_src, *out_src, *timer, *keepalive, *end_idle;

    uint8_t *in; /* received, not yet parsed */
    size_t in_len, in_cap;
    GString *out; /* requests not yet sent, from out_off */
    size_t out_off;

    unsigned cseq;
    unsigned pending_cseq;     /* the DESCRIBE, SETUP or PLAY awaiting its reply */
    const char *pending_uri;   /* borrowed: url.request, setup_url or play_url */
    const char *pending_extra; /* static headers of the pending request */
    unsigned keepalive_cseq;
    int keepalive_options; /* GET_PARAMETER was refused: OPTIONS instead */
    int keepalive_retried; /* the last keepalive was sent again after a 401 */

    char *setup_url, *play_url;
    char *session;
    unsigned timeout_s;
    int rtp_channel;
    unsigned codecs;  /* RTSP_CODEC_* taken */
    rtsp_codec codec; /* of the camera's video, once its SDP was taken */
    rtp_depay *depay;

    rtsp_end end_why; /* for the end scheduled by rtsp_client_start() */
    char *end_reason;
};

static void client_end(rtsp_client *c, rtsp_end why, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static const char *method_name(client_state state)
{
    switch (state) {
    case ST_DESCRIBE:
        return "DESCRIBE";
    case ST_SETUP:
        return "SETUP";
    default:
        return "PLAY";
    }
}

/* Overwrites and frees a string that may hold a secret. */
static void free_secret(char *s)
{
    if (!s)
        return;
    memset(s, 0, strlen(s));
    g_free(s);
}

/* ---- sources and lifetime ---- */

static void drop_source(GSource **s)
{
    if (!*s)
        return;
    g_source_destroy(*s);
    g_source_unref(*s);
    *s = NULL;
}

static GSource *attach(rtsp_client *c, GSource *s, GSourceFunc fn)
{
    g_source_set_callback(s, fn, c, NULL);
    /* Without this GLib takes the socket out of its poll set and puts it back
     * around every dispatch, and each of those wakes the loop through its
     * eventfd: two writes, a read and an extra poll() per packet batch. No
     * callback here runs the main loop, so recursion cannot happen. */
    g_source_set_can_recurse(s, TRUE);
    g_source_attach(s, c->ctx);
    return s;
}

static void enter(rtsp_client *c)
{
    c->depth++;
}

static void destroy(rtsp_client *c)
{
    rtp_depay_free(c->depay);
    g_free(c->in);
    g_string_free(c->out, TRUE);
    rtsp_url_clear(&c->url);
    g_free(c->username);
    free_secret(c->password);
    rtsp_auth_clear(&c->auth);
    g_free(c->setup_url);
    g_free(c->play_url);
    g_free(c->session);
    g_free(c->end_reason);
    g_object_unref(c->cancel);
    g_main_context_unref(c->ctx);
    g_free(c);
}

/* Leaves a dispatch; frees c when it was freed inside it. */
static void leave(rtsp_client *c)
{
    if (--c->depth == 0 && c->freed)
        destroy(c);
}

/* Best effort: queues TEARDOWN and sends what the socket takes at once. */
static void send_teardown(rtsp_client *c)
{
    g_string_append_printf(c->out, "TEARDOWN %s RTSP/1.0\r\nCSeq: %u\r\nUser-Agent: pantau\r\n",
                           c->play_url, ++c->cseq);
    if (c->auth.scheme != RTSP_AUTH_NONE) {
        char *h =
            rtsp_auth_header(&c->auth, c->username, c->password, "TEARDOWN", c->play_url, NULL);
        g_string_append_printf(c->out, "Authorization: %s\r\n", h);
        free_secret(h);
    }
    g_string_append_printf(c->out, "Session: %s\r\n\r\n", c->session);
    g_socket_send(c->sock, c->out->str + c->out_off, c->out->len - c->out_off, NULL, NULL);
}

/* Stops every source and the connect, and closes the connection. */
static void shutdown_io(rtsp_client *c, int teardown)
{
    if (c->connecting) {
        c->connecting->c = NULL;
        c->connecting = NULL;
        g_cancellable_cancel(c->cancel);
    }
    drop_source(&c->in_src);
    drop_source(&c->out_src);
    drop_source(&c->timer);
    drop_source(&c->keepalive);
    drop_source(&c->end_idle);
    if (!c->conn)
        return;
    if (teardown && c->session && c->play_url)
        send_teardown(c);
    g_io_stream_close(G_IO_STREAM(c->conn), NULL, NULL);
    g_clear_object(&c->conn);
    c->sock = NULL;
}

/* Ends c: shuts it down and calls on_end once (within a dispatch). The
 * reason loses any URL userinfo and every occurrence of the password, then
 * is made printable: parts of it (status phrases, URLs from the SDP) come
 * from the camera. */
static void client_end(rtsp_client *c, rtsp_end why, const char *fmt, ...)
{
    if (c->state == ST_DONE)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *raw = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    c->state = ST_DONE;
    shutdown_io(c, 0);
    /* Redacted first, on the bytes as they came, so that a password with
     * bytes cctv_printable() would change is still found. */
    char *redacted = cctv_redact(raw, c->password);
    g_free(raw);
    char *clean = cctv_printable(redacted ? redacted : "camera failed", REASON_MAX);
    free(redacted);
    if (c->cb.on_end)
        c->cb.on_end(c->user, why, clean);
    g_free(clean);
}

static gboolean on_end_idle(gpointer user)
{
    rtsp_client *c = user;
    enter(c);
    drop_source(&c->end_idle);
    client_end(c, c->end_why, "%s", c->end_reason);
    leave(c);
    return G_SOURCE_REMOVE;
}

/* Ends c from the main loop soon (rtsp_client_start never calls back). */
static void end_soon(rtsp_client *c, rtsp_end why, const char *reason)
{
    c->end_why = why;
    c->end_reason = g_strdup(reason);
    c->end_idle = attach(c, g_idle_source_new(), on_end_idle);
}

/* ---- output ---- */

static gboolean on_writable(GSocket *sock, GIOCondition cond, gpointer user);

/* Ends c when more than OUT_MAX waits to be sent; returns -1 then, else 0. */
static int end_if_over_cap(rtsp_client *c)
{
    if (c->out->len - c->out_off <= OUT_MAX)
        return 0;
    client_end(c, RTSP_END_LOST, "camera %s does not read its RTSP connection", c->url.display);
    return -1;
}

/* Sends what is queued; waits for G_IO_OUT when the socket is full.
 * Returns -1 when c has ended. */
static int flush_output(rtsp_client *c)
{
    if (!c->sock)
        return -1;
    while (c->out_off < c->out->len) {
        GError *err = NULL;
        gssize n =
            g_socket_send(c->sock, c->out->str + c->out_off, c->out->len - c->out_off, NULL, &err);
        if (n < 0 && g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
            g_error_free(err);
            if (end_if_over_cap(c))
                return -1;
            /* A camera that reads slowly may never let the queue empty:
             * drop what was sent rather than keep it. */
            if (c->out_off >= READ_CHUNK) {
                g_string_erase(c->out, 0, (gssize)c->out_off);
                c->out_off = 0;
            }
            if (!c->out_src)
                c->out_src = attach(c, g_socket_create_source(c->sock, G_IO_OUT, NULL),
                                    G_SOURCE_FUNC(on_writable));
            return 0;
        }
        if (n < 0) {
            client_end(c, RTSP_END_LOST, "connection to %s lost: %s", c->url.display, err->message);
            g_error_free(err);
            return -1;
        }
        c->out_off += (size_t)n;
    }
    g_string_truncate(c->out, 0);
    c->out_off = 0;
    drop_source(&c->out_src);
    return 0;
}

/* Sends what was just queued, unless the socket is full (on_writable waits
 * for room): a send would fail again, one failed system call per message of
 * a camera that floods requests. Returns -1 when c has ended. */
static int send_queued(rtsp_client *c)
{
    if (c->sock && c->out_src)
        return end_if_over_cap(c);
    return flush_output(c);
}

static gboolean on_writable(GSocket *sock, GIOCondition cond, gpointer user)
{
    (void)sock;
    (void)cond;
    rtsp_client *c = user;
    enter(c);
    flush_output(c);
    leave(c);
    return G_SOURCE_CONTINUE;
}

/* Queues and sends one request; returns its CSeq, or 0 when c has ended. */
static unsigned send_request(rtsp_client *c, const char *method, const char *uri, const char *extra)
{
    unsigned cseq = ++c->cseq;
    g_string_append_printf(c->out, "%s %s RTSP/1.0\r\nCSeq: %u\r\nUser-Agent: pantau\r\n", method,
                           uri, cseq);
    if (c->auth.scheme != RTSP_AUTH_NONE) {
        char *h = rtsp_auth_header(&c->auth, c->username, c->password, method, uri, NULL);
        g_string_append_printf(c->out, "Authorization: %s\r\n", h);
        free_secret(h);
    }
    if (c->session)
        g_string_append_printf(c->out, "Session: %s\r\n", c->session);
    g_string_append_printf(c->out, "%s\r\n", extra ? extra : "");
    return send_queued(c) ? 0 : cseq;
}

/* ---- the request sequence ---- */

static gboolean on_reply_timeout(gpointer user)
{
    rtsp_client *c = user;
    enter(c);
    drop_source(&c->timer);
    if (c->state == ST_CONNECTING)
        client_end(c, RTSP_END_UNREACHABLE, "camera did not answer: no connection to %s in %d s",
                   c->url.display, REPLY_TIMEOUT_MS / 1000);
    else
        client_end(c, RTSP_END_LOST, "camera did not answer %s in %d s", method_name(c->state),
                   REPLY_TIMEOUT_MS / 1000);
    leave(c);
    return G_SOURCE_REMOVE;
}

static void arm_reply_timer(rtsp_client *c)
{
    drop_source(&c->timer);
    c->timer = attach(c, g_timeout_source_new(REPLY_TIMEOUT_MS), on_reply_timeout);
}

/* (Re)sends the pending DESCRIBE, SETUP or PLAY. */
static void send_pending(rtsp_client *c)
{
    c->pending_cseq = send_request(c, method_name(c->state), c->pending_uri, c->pending_extra);
    if (c->pending_cseq)
        arm_reply_timer(c);
}

/* Moves to the next step of the sequence and sends its request. */
static void request(rtsp_client *c, client_state step, const char *uri, const char *extra)
{
    c->state = step;
    c->pending_uri = uri;
    c->pending_extra = extra;
    c->auth_tries = 0;
    send_pending(c);
}

/* Longest URL from a camera we put into a request line (real ones are a
 * few hundred bytes at most). */
#define URL_MAX 4096

/* Whether a URL from the camera can go into a request line. */
static int url_usable(const char *url)
{
    size_t n = 0;
    for (const char *p = url; *p; p++, n++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f || n >= URL_MAX)
            return 0;
    return n != 0;
}

/* The base for the SDP's a=control: Content-Base, Content-Location or the
 * request URL (RFC 2326 C.1.1). */
static const char *sdp_base(const rtsp_client *c, const rtsp_message *m)
{
    const char *names[] = {"Content-Base", "Content-Location"};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        const char *v = rtsp_message_header(m, names[i], 0);
        if (v && !g_ascii_strncasecmp(v, "rtsp", 4) && strstr(v, "://") && url_usable(v))
            return v;
    }
    return c->url.request;
}

/* The codec of the SDP's video when c takes it, else 0 (and c ended). */
static rtsp_codec sdp_codec(rtsp_client *c, const rtsp_sdp *sdp)
{
    if (!g_ascii_strcasecmp(sdp->encoding, "H264"))
        return RTSP_CODEC_H264;
    int h265 = !g_ascii_strcasecmp(sdp->encoding, "H265");
    if (!h265 || !(c->codecs & RTSP_CODEC_H265)) {
        client_end(c, RTSP_END_UNSUPPORTED, "camera sends %s video, not H.264%s", sdp->encoding,
                   c->codecs & RTSP_CODEC_H265 ? " or H.265" : "");
        return 0;
    }
    if (sdp->max_don_diff || sdp->depack_buf_nalus) {
        client_end(c, RTSP_END_UNSUPPORTED,
                   "camera sends H.265 with decoding order numbers (sprop-max-don-diff %lu, "
                   "sprop-depack-buf-nalus %lu), which the lean client does not take",
                   sdp->max_don_diff, sdp->depack_buf_nalus);
        return 0;
    }
    return RTSP_CODEC_H265;
}

/* Checks the SDP and starts the depacketiser; 0, or -1 when c has ended. */
static int take_sdp(rtsp_client *c, rtsp_sdp *sdp)
{
    if (strcmp(sdp->profile, "RTP/AVP") && strcmp(sdp->profile, "RTP/AVPF")) {
        client_end(c, RTSP_END_UNSUPPORTED, "camera sends video as %s, not plain RTP",
                   sdp->profile);
        return -1;
    }
    rtsp_codec codec = sdp_codec(c, sdp);
    if (!codec)
        return -1;
    if (!url_usable(sdp->control) || !url_usable(sdp->aggregate)) {
        client_end(c, RTSP_END_PROTOCOL, "camera %s sent an invalid control URL in its SDP",
                   c->url.display);
        return -1;
    }
    c->codec = codec;
    c->depay = codec == RTSP_CODEC_H265
                   ? rtp_h265_depay_new(sdp->vps, sdp->vps_len, sdp->sps, sdp->sps_len, sdp->pps,
                                        sdp->pps_len)
                   : rtp_h264_depay_new(sdp->sps, sdp->sps_len, sdp->pps, sdp->pps_len);
    c->setup_url = g_steal_pointer(&sdp->control);
    c->play_url = g_steal_pointer(&sdp->aggregate);
    return 0;
}

static void on_described(rtsp_client *c, const rtsp_message *m)
{
    rtsp_sdp sdp;
    if (!m->body) {
        client_end(c, RTSP_END_PROTOCOL, "camera %s answered DESCRIBE without an SDP",
                   c->url.display);
        return;
    }
    if (rtsp_sdp_parse(m->body, m->body_len, sdp_base(c, m), &sdp)) {
        client_end(c, RTSP_END_PROTOCOL, "camera %s offers no video track", c->url.display);
        return;
    }
    int ok = !take_sdp(c, &sdp);
    rtsp_sdp_clear(&sdp);
    if (ok)
        request(c, ST_SETUP, c->setup_url, "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n");
}

static void on_set_up(rtsp_client *c, const rtsp_message *m)
{
    const char *session = rtsp_message_header(m, "Session", 0);
    if (!session || rtsp_parse_session(session, &c->session, &c->timeout_s)) {
        client_end(c, RTSP_END_PROTOCOL, "camera %s answered SETUP without a session",
                   c->url.display);
        return;
    }
    if (!c->timeout_s)
        c->timeout_s = DEFAULT_SESSION_TIMEOUT_S;
    const char *transport = rtsp_message_header(m, "Transport", 0);
    int channel = transport ? rtsp_parse_interleaved(transport) : -1;
    if (channel < 0) {
        /* It chose another transport (UDP) instead of refusing with 461:
         * no media would ever come over this connection. */
        client_end(c, RTSP_END_UNSUPPORTED,
                   "camera %s will not send RTP over the RTSP connection (Transport: %s)",
                   c->url.display, transport ? transport : "none");
        return;
    }
    c->rtp_channel = channel;
    request(c, ST_PLAY, c->play_url, "Range: npt=0.000-\r\n");
}

static void send_keepalive(rtsp_client *c)
{
    c->keepalive_cseq =
        send_request(c, c->keepalive_options ? "OPTIONS" : "GET_PARAMETER", c->play_url, NULL);
}

static gboolean on_keepalive(gpointer user)
{
    rtsp_client *c = user;
    enter(c);
    send_keepalive(c);
    leave(c);
    return G_SOURCE_CONTINUE;
}

static void on_played(rtsp_client *c)
{
    c->state = ST_PLAYING;
    c->pending_cseq = 0;
    drop_source(&c->timer);
    /* Well inside the session timeout, as RFC 2326 §12.37 asks. */
    guint interval_ms = MAX(500u, c->timeout_s * 500u);
    c->keepalive = attach(c, g_timeout_source_new(interval_ms), on_keepalive);
    if (c->cb.on_playing)
        c->cb.on_playing(c->user);
}

/* A 401 to the pending request: answer the challenge once (twice when the
 * nonce only went stale), else give up. */
static void on_unauthorized(rtsp_client *c, const rtsp_message *m)
{
    if (!c->username) {
        client_end(c, RTSP_END_AUTH, "camera %s requires a username and password", c->url.display);
        return;
    }
    rtsp_auth challenge;
    if (rtsp_auth_choose(m, &challenge)) {
        client_end(c, RTSP_END_AUTH, "camera %s asks for an unsupported kind of authentication",
                   c->url.display);
        return;
    }
    if (c->auth_tries > 1 || (c->auth_tries == 1 && !challenge.stale)) {
        rtsp_auth_clear(&challenge);
        client_end(c, RTSP_END_AUTH, "camera %s refused the username and password", c->url.display);
        return;
    }
    rtsp_auth_clear(&c->auth);
    c->auth = challenge;
    c->auth_tries++;
    send_pending(c);
}

/* A final status other than 2xx and 401 to the pending request. */
static void on_refused(rtsp_client *c, const rtsp_message *m)
{
    const char *method = method_name(c->state);
    const char *location = rtsp_message_header(m, "Location", 0);
    if (m->status == 461)
        client_end(c, RTSP_END_UNSUPPORTED,
                   "camera %s cannot send RTP over the RTSP connection (461 %s)", c->url.display,
                   m->phrase);
    else if (m->status < 400 && location)
        client_end(c, RTSP_END_NOT_FOUND, "camera redirects %s %s to %s (%d %s)", method,
                   c->pending_uri, location, m->status, m->phrase);
    else
        client_end(c, m->status >= 500 ? RTSP_END_LOST : RTSP_END_NOT_FOUND,
                   "camera answered %d %s to %s %s", m->status, m->phrase, method, c->pending_uri);
}

/* The reply to the pending DESCRIBE, SETUP or PLAY. */
static void on_reply(rtsp_client *c, const rtsp_message *m)
{
    if (m->status < 200)
        return; /* provisional: the final reply follows */
    drop_source(&c->timer);
    if (m->status == 401) {
        on_unauthorized(c, m);
        return;
    }
    if (m->status >= 300) {
        on_refused(c, m);
        return;
    }
    if (c->state == ST_DESCRIBE)
        on_described(c, m);
    else if (c->state == ST_SETUP)
        on_set_up(c, m);
    else
        on_played(c);
}

static void on_keepalive_reply(rtsp_client *c, const rtsp_message *m)
{
    c->keepalive_cseq = 0;
    rtsp_auth challenge;
    if (m->status == 401 && c->username && !rtsp_auth_choose(m, &challenge)) {
        /* A nonce that expired: answered at once, since waiting for the next
         * keepalive would leave the session without one for a whole
         * timeout. Once per keepalive, so a camera that keeps refusing does
         * not get a request loop. */
        rtsp_auth_clear(&c->auth);
        c->auth = challenge;
        if (!c->keepalive_retried) {
            c->keepalive_retried = 1;
            send_keepalive(c);
        }
        return;
    }
    c->keepalive_retried = 0;
    if ((m->status == 405 || m->status == 501) && !c->keepalive_options) {
        c->keepalive_options = 1;
        send_keepalive(c);
    }
}

/* A request from the camera: OPTIONS and GET_PARAMETER (liveness checks)
 * are answered, anything else is declined. */
static void answer_request(rtsp_client *c, const rtsp_message *m)
{
    if (m->cseq < 0)
        return;
    int ok = !strncmp(m->head, "OPTIONS ", 8) || !strncmp(m->head, "GET_PARAMETER ", 14);
    g_string_append_printf(c->out, "RTSP/1.0 %s\r\nCSeq: %d\r\nUser-Agent: pantau\r\n\r\n",
                           ok ? "200 OK" : "501 Not Implemented", m->cseq);
    send_queued(c);
}

static void on_message(rtsp_client *c, const rtsp_message *m)
{
    if (m->status == 0) {
        answer_request(c, m);
        return;
    }
    if (c->keepalive_cseq && m->cseq == (int)c->keepalive_cseq) {
        on_keepalive_reply(c, m);
        return;
    }
    /* Replies without a CSeq are taken for the pending request. */
    if (c->pending_cseq && (m->cseq < 0 || m->cseq == (int)c->pending_cseq))
        on_reply(c, m);
}

/* ---- input ---- */

static void on_depay_au(void *user, const uint8_t *au, size_t len, int keyframe, int64_t pts_us)
{
    rtsp_client *c = user;
    if (c->state == ST_PLAYING && c->cb.on_access_unit)
        c->cb.on_access_unit(c->user, au, len, keyframe, pts_us);
}

/* Longest status line of a non-RTSP server quoted in a reason. */
#define FOREIGN_LINE_MAX 200

/* Whether the input at p (avail bytes) is a reply of another protocol: an
 * HTTP server (a web interface, a proxy) at the camera's address. Such a
 * server answers once and hangs up, which would otherwise read as a
 * connection that merely closed. Ends c quoting its status line once the
 * line is complete, long enough, or cut short by the end of the input (at_eof).
 * Returns 1 when c has ended. */
static int foreign_reply(rtsp_client *c, const uint8_t *p, size_t avail, int at_eof)
{
    if (avail < 5 || memcmp(p, "HTTP/", 5))
        return 0;
    const uint8_t *eol = memchr(p, '\n', MIN(avail, (size_t)FOREIGN_LINE_MAX));
    if (!eol && avail < FOREIGN_LINE_MAX && !at_eof)
        return 0;
    size_t len = eol ? (size_t)(eol - p) : MIN(avail, (size_t)FOREIGN_LINE_MAX);
    if (len && p[len - 1] == '\r')
        len--;
    client_end(c, RTSP_END_PROTOCOL, "camera %s is not an RTSP server: it answered \"%.*s\"",
               c->url.display, (int)len, (const char *)p);
    return 1;
}

/* Handles the frame or message at p (avail bytes). Returns the bytes it
 * took, 0 when it is incomplete, or -1 when c has ended. */
static long parse_one(rtsp_client *c, const uint8_t *p, size_t avail)
{
    if (p[0] == '$') {
        if (avail < 4)
            return 0;
        size_t n = (size_t)p[2] << 8 | p[3];
        if (avail < 4 + n)
            return 0;
        /* Some cameras send media ahead of their PLAY reply; the first
         * keyframe may be in it, so it is taken as the reply. */
        if (p[1] == c->rtp_channel && c->state == ST_PLAY)
            on_played(c);
        if (p[1] == c->rtp_channel && c->state == ST_PLAYING)
            rtp_depay_push(c->depay, p + 4, n, on_depay_au, c);
        return c->state == ST_DONE ? -1 : (long)(4 + n);
    }
    if (p[0] == '\r' || p[0] == '\n')
        return 1; /* a stray line end after a message */
    if (!g_ascii_isupper(p[0])) {
        /* Not ours to understand: resynchronise on the next frame. */
        const uint8_t *next = memchr(p, '$', avail);
        return next ? next - p : (long)avail;
    }
    if (foreign_reply(c, p, avail, 0))
        return -1;
    rtsp_message m;
    long used = rtsp_message_parse((const char *)p, avail, &m);
    if (used < 0)
        client_end(c, RTSP_END_PROTOCOL, "camera %s sent a malformed RTSP message", c->url.display);
    if (used <= 0)
        return used;
    on_message(c, &m);
    rtsp_message_clear(&m);
    return c->state == ST_DONE ? -1 : used;
}

/* Parses every complete frame and message, keeping the incomplete rest. */
static void parse_input(rtsp_client *c)
{
    size_t pos = 0;
    long used = 0;
    while (pos < c->in_len && (used = parse_one(c, c->in + pos, c->in_len - pos)) > 0)
        pos += (size_t)used;
    if (used < 0)
        return;
    /* What stays is at most one partial frame or message: a short move. */
    memmove(c->in, c->in + pos, c->in_len - pos);
    c->in_len -= pos;
}

/* Room for one more READ_CHUNK. The buffer only grows as far as the
 * largest frame or message allows (RTSP_MAX_HEAD + RTSP_MAX_BODY). */
static void reserve_input(rtsp_client *c)
{
    if (c->in_cap - c->in_len >= READ_CHUNK)
        return;
    size_t cap = c->in_cap ? c->in_cap : 2 * READ_CHUNK;
    while (cap - c->in_len < READ_CHUNK)
        cap *= 2;
    c->in = g_realloc(c->in, cap);
    c->in_cap = cap;
}

/* Reads until the socket is drained (or a few chunks, to stay fair to
 * the other cameras on this loop). */
static void read_input(rtsp_client *c)
{
    for (int i = 0; i < READS_PER_WAKEUP && c->state != ST_DONE; i++) {
        reserve_input(c);
        size_t room = c->in_cap - c->in_len;
        GError *err = NULL;
        gssize n = g_socket_receive(c->sock, (gchar *)c->in + c->in_len, room, NULL, &err);
        if (n < 0 && g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
            g_error_free(err);
            return;
        }
        if (n < 0) {
            client_end(c, RTSP_END_LOST, "connection to %s lost: %s", c->url.display, err->message);
            g_error_free(err);
            return;
        }
        if (n == 0) {
            if (!foreign_reply(c, c->in, c->in_len, 1))
                client_end(c, RTSP_END_LOST, "camera %s closed the connection", c->url.display);
            return;
        }
        c->in_len += (size_t)n;
        parse_input(c);
        if ((size_t)n < room)
            return;
    }
}

static gboolean on_readable(GSocket *sock, GIOCondition cond, gpointer user)
{
    (void)sock;
    (void)cond;
    rtsp_client *c = user;
    enter(c);
    read_input(c);
    leave(c);
    return G_SOURCE_CONTINUE;
}

/* ---- connecting ---- */

static void on_connected(GObject *source, GAsyncResult *res, gpointer user)
{
    connect_op *op = user;
    rtsp_client *c = op->c;
    GError *err = NULL;
    GSocketConnection *conn = g_socket_client_connect_finish(G_SOCKET_CLIENT(source), res, &err);
    g_free(op);
    if (!c) {
        /* c was freed or ended meanwhile. */
        g_clear_object(&conn);
        g_clear_error(&err);
        return;
    }
    c->connecting = NULL;
    enter(c);
    if (!conn) {
        client_end(c, RTSP_END_UNREACHABLE, "cannot connect to %s: %s", c->url.display,
                   cctv_connect_detail(err));
        g_error_free(err);
        leave(c);
        return;
    }
    c->conn = conn;
    c->sock = g_socket_connection_get_socket(conn);
    g_socket_set_blocking(c->sock, FALSE);
    c->in_src =
        attach(c, g_socket_create_source(c->sock, G_IO_IN, NULL), G_SOURCE_FUNC(on_readable));
    request(c, ST_DESCRIBE, c->url.request, "Accept: application/sdp\r\n");
    leave(c);
}

static void start_connect(rtsp_client *c)
{
    GSocketClient *client = g_socket_client_new();
    /* Cameras are reached directly, as rtspsrc does: no desktop proxy. */
    g_socket_client_set_enable_proxy(client, FALSE);
    GSocketConnectable *addr = g_network_address_new(c->url.host, c->url.port);
    c->connecting = g_new0(connect_op, 1);
    c->connecting->c = c;
    g_socket_client_connect_async(client, addr, c->cancel, on_connected, c->connecting);
    g_object_unref(addr);
    g_object_unref(client);
    arm_reply_timer(c);
}

/* arg when set and not empty, else fallback. */
static const char *pick(const char *arg, const char *fallback)
{
    return arg && *arg ? arg : fallback;
}

rtsp_client *rtsp_client_start(const char *url, const char *username, const char *password,
                               const rtsp_client_callbacks *cb, void *user)
{
    return rtsp_client_start_codecs(url, username, password, RTSP_CODEC_H264, cb, user);
}

rtsp_codec rtsp_client_codec(const rtsp_client *c)
{
    return c->codec;
}

rtsp_client *rtsp_client_start_codecs(const char *url, const char *username, const char *password,
                                      unsigned codecs, const rtsp_client_callbacks *cb, void *user)
{
    rtsp_client *c = g_new0(rtsp_client, 1);
    c->codecs = codecs | RTSP_CODEC_H264;
    c->ctx = g_main_context_ref_thread_default();
    if (cb)
        c->cb = *cb;
    c->user = user;
    c->cancel = g_cancellable_new();
    c->out = g_string_sized_new(1024);
    c->state = ST_CONNECTING;
    if (rtsp_url_parse(url, &c->url)) {
        /* The URL is not shown: unparsed, its password cannot be found. */
        end_soon(c, RTSP_END_NOT_FOUND, "invalid camera URL (expected rtsp://host[:port]/path)");
        return c;
    }
    if (c->url.tls) {
        end_soon(c, RTSP_END_UNSUPPORTED, "rtsps (RTSP over TLS) needs GStreamer");
        return c;
    }
    c->username = g_strdup(pick(username, c->url.user));
    c->password = g_strdup(pick(password, c->url.password));
    start_connect(c);
    return c;
}

void rtsp_client_free(rtsp_client *c)
{
    if (!c || c->freed)
        return;
    c->freed = 1;
    if (c->state != ST_DONE) {
        c->state = ST_DONE;
        shutdown_io(c, 1);
    }
    if (!c->depth)
        destroy(c);
}
