/* rtsp_client_probe - drives the lean RTSP client (rtsp_client.c) over real
 * sockets against pantau-test-rtsp:
 *
 *   rtsp_client_probe SERVER_BIN play     (frames: credentials in the URL or given)
 *   rtsp_client_probe SERVER_BIN errors   (bad password, no password, unknown
 *                                          path, H.265, bad URL, rtsps, refused)
 *   rtsp_client_probe SERVER_BIN kill     (the server killed mid-stream)
 *   rtsp_client_probe SERVER_BIN digest   (Digest authentication)
 *   rtsp_client_probe SERVER_BIN free     (rtsp_client_free in every callback)
 *   rtsp_client_probe SERVER_BIN silent   (a camera that never answers: 10 s)
 *   rtsp_client_probe SERVER_BIN h265     (H.265 taken: IRAP access units with
 *                                          VPS, SPS and PPS in front, trailing
 *                                          pictures after; DONL refused)
 *   rtsp_client_probe SERVER_BIN hostile  (a scripted camera: a Location that is
 *                                          not printable UTF-8, a phrase
 *                                          echoing the password, an 8 KiB
 *                                          Location, media ahead of the
 *                                          PLAY reply, a flood of requests
 *                                          never read; also run by errors)
 *
 * Checks every access unit (Annex B, the first holding SPS, PPS and an IDR,
 * or for H.265 VPS, SPS and PPS in that order before an IRAP slice, pts
 * increasing from near 0), that on_end comes once and never from inside
 * rtsp_client_start, that nothing is called back after rtsp_client_free,
 * and that no password appears in a reason. Exit 0 on success. */
#include "rtsp_client.h"
#include "test_rtsp_server.h"

#include <gio/gio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define USER "operator"
#define PASSWORD "Rahasia-7391"
#define WRONG_PASSWORD "Salah-4417"

#define REASON_CAP 512

static int failures;
static GString *transcript; /* every reason */

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "FAIL: " __VA_ARGS__);                                                     \
        fputc('\n', stderr);                                                                       \
        failures++;                                                                                \
    } while (0)

typedef enum free_in {
    FREE_NONE,
    FREE_ON_PLAYING,
    FREE_ON_AU,
    FREE_ON_END,
} free_in;

/* One client run and what it saw. */
typedef struct run {
    GMainLoop *loop;
    rtsp_client *client;
    free_in free_in;
    unsigned codecs;   /* RTSP_CODEC_* asked for (0: H.264 alone) */
    rtsp_codec codec;  /* what the client said at on_playing */
    unsigned want_aus; /* quit the loop at this many (0: run until the end) */
    unsigned aus, keyframes;
    int64_t last_pts;
    int playing, ended, in_start, freed;
    rtsp_end why;
    char reason[REASON_CAP];
} run;

/* ---- access unit checks ---- */

/* Offset of the NAL unit after the next 00 00 01 at or after from, or len. */
static size_t next_nal(const uint8_t *b, size_t len, size_t from)
{
    for (size_t i = from; i + 3 <= len; i++)
        if (!b[i] && !b[i + 1] && b[i + 2] == 1)
            return i + 3;
    return len;
}

/* The NAL unit types of the AU in order (at most max; H.265's with h265),
 * and how many; 0 when it is not well-formed Annex B. */
static size_t nal_types(const uint8_t *au, size_t len, int h265, unsigned *types, size_t max)
{
    if (len < 5 || memcmp(au, "\0\0\0\1", 4))
        return 0;
    size_t n = 0;
    for (size_t pos = 4; pos < len;) {
        size_t next = next_nal(au, len, pos);
        size_t end = next < len ? next - 3 : len;
        while (end > pos && !au[end - 1])
            end--;
        if (end == pos || (h265 && end - pos < 2))
            return 0; /* an empty NAL unit, or one without its header */
        if (n < max)
            types[n++] = h265 ? (au[pos] >> 1) & 0x3fu : au[pos] & 0x1fu;
        pos = next;
    }
    return n;
}

/* What the AU must hold: H.264's SPS, PPS and IDR slice for a keyframe;
 * H.265's VPS, SPS and PPS first, in that order, then an IRAP slice (types
 * 16-23), or for another picture a slice that is no IRAP. */
static void check_nal_types(run *r, const uint8_t *au, size_t len, int keyframe)
{
    int h265 = r->codec == RTSP_CODEC_H265;
    unsigned t[64];
    size_t n = nal_types(au, len, h265, t, G_N_ELEMENTS(t));
    unsigned mask = 0;
    int irap = 0, vcl = 0;
    for (size_t i = 0; i < n; i++) {
        mask |= h265 ? 0 : 1u << t[i];
        irap |= h265 && t[i] >= 16 && t[i] <= 23;
        vcl |= h265 && t[i] <= 31;
    }
    if (!n) {
        FAIL("AU %u (%zu bytes) is not well-formed Annex B", r->aus, len);
        return;
    }
    if (!h265) {
        unsigned key_types = 1u << 7 | 1u << 8 | 1u << 5;
        if (keyframe != !!(mask & 1u << 5))
            FAIL("AU %u: keyframe %d but NAL types 0x%x", r->aus, keyframe, mask);
        if (keyframe && (mask & key_types) != key_types)
            FAIL("keyframe AU %u lacks SPS, PPS or IDR (NAL types 0x%x)", r->aus, mask);
        return;
    }
    if (keyframe != irap || !vcl)
        FAIL("H.265 AU %u: keyframe %d, IRAP slice %d, slice %d", r->aus, keyframe, irap, vcl);
    if (keyframe && (n < 4 || t[0] != 32 || t[1] != 33 || t[2] != 34))
        FAIL("H.265 keyframe AU %u does not begin with VPS, SPS and PPS (%zu NAL units, "
             "first types %u %u %u)",
             r->aus, n, t[0], n > 1 ? t[1] : 99, n > 2 ? t[2] : 99);
}

static void check_au(run *r, const uint8_t *au, size_t len, int keyframe, int64_t pts)
{
    check_nal_types(r, au, len, keyframe);
    if (r->aus == 0 && !keyframe)
        FAIL("the first AU is not a keyframe");
    if (r->aus == 0 && (pts < 0 || pts > 5 * G_USEC_PER_SEC))
        FAIL("the first pts is %" G_GINT64_FORMAT " us, not near 0", pts);
    if (r->aus && pts <= r->last_pts)
        FAIL("pts %" G_GINT64_FORMAT " after %" G_GINT64_FORMAT, pts, r->last_pts);
    r->last_pts = pts;
}

/* ---- callbacks ---- */

static void free_now(run *r)
{
    rtsp_client_free(r->client);
    r->client = NULL;
    r->freed = 1;
    g_main_loop_quit(r->loop);
}

static void on_au(void *user, const uint8_t *data, size_t len, int keyframe, int64_t pts_us)
{
    run *r = user;
    if (r->freed || r->ended)
        FAIL("an AU after rtsp_client_free or on_end");
    if (!r->playing)
        FAIL("an AU before on_playing");
    check_au(r, data, len, keyframe, pts_us);
    r->aus++;
    r->keyframes += keyframe != 0;
    if (r->free_in == FREE_ON_AU)
        free_now(r);
    else if (r->want_aus && r->aus == r->want_aus)
        g_main_loop_quit(r->loop);
}

static void on_playing(void *user)
{
    run *r = user;
    if (r->freed || r->ended || r->playing)
        FAIL("on_playing after free, after the end or twice");
    r->playing = 1;
    r->codec = rtsp_client_codec(r->client);
    if (r->free_in == FREE_ON_PLAYING)
        free_now(r);
}

static void on_end(void *user, rtsp_end why, const char *reason)
{
    run *r = user;
    if (r->in_start)
        FAIL("on_end from inside rtsp_client_start");
    if (r->freed || r->ended)
        FAIL("on_end after free or twice");
    r->ended = 1;
    r->why = why;
    g_strlcpy(r->reason, reason, sizeof r->reason);
    g_string_append_printf(transcript, "%s\n", reason);
    if (r->free_in == FREE_ON_END)
        free_now(r);
    else
        g_main_loop_quit(r->loop);
}

static const rtsp_client_callbacks callbacks = {
    .on_access_unit = on_au,
    .on_playing = on_playing,
    .on_end = on_end,
};

/* ---- running clients ---- */

static gboolean quit_cb(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

/* Runs the default main context for ms. */
static void spin(unsigned ms)
{
    GMainLoop *loop = g_main_loop_new(NULL, FALSE);
    g_timeout_add(ms, quit_cb, loop);
    g_main_loop_run(loop);
    g_main_loop_unref(loop);
}

static void run_start(run *r, const char *url, const char *user, const char *password)
{
    r->loop = g_main_loop_new(NULL, FALSE);
    r->in_start = 1;
    r->client = rtsp_client_start_codecs(url, user, password,
                                         r->codecs ? r->codecs : RTSP_CODEC_H264, &callbacks, r);
    r->in_start = 0;
    if (!r->client)
        FAIL("rtsp_client_start returned NULL");
}

/* Runs the loop until r quits it or timeout_ms pass. */
static void run_wait(run *r, unsigned timeout_ms)
{
    if ((r->want_aus && r->aus >= r->want_aus) || r->ended || r->freed)
        return; /* it quit the loop already, while another run had it */
    GSource *t = g_timeout_source_new(timeout_ms);
    g_source_set_callback(t, quit_cb, r->loop, NULL);
    g_source_attach(t, NULL);
    g_main_loop_run(r->loop);
    g_source_destroy(t);
    g_source_unref(t);
}

/* Frees the client (if still there) and lets cancelled work finish. */
static void run_finish(run *r)
{
    if (r->client)
        rtsp_client_free(r->client);
    r->client = NULL;
    r->freed = 1;
    spin(100);
    g_main_loop_unref(r->loop);
}

static const char *end_name(rtsp_end why)
{
    static const char *const names[] = {"LOST",      "UNREACHABLE", "AUTH",
                                        "NOT_FOUND", "UNSUPPORTED", "PROTOCOL"};
    return (unsigned)why < G_N_ELEMENTS(names) ? names[why] : "?";
}

/* Plays url until want AUs arrived (within 15 s), then frees the client. */
static void expect_frames(const char *what, const char *url, const char *user, const char *password,
                          unsigned want)
{
    run r = {.want_aus = want};
    run_start(&r, url, user, password);
    run_wait(&r, 15000);
    fprintf(stderr, "%s: %u AUs, %u keyframes, last pts %" G_GINT64_FORMAT " us%s%s\n", what, r.aus,
            r.keyframes, r.last_pts, r.ended ? ", ended: " : "", r.ended ? r.reason : "");
    if (!r.playing)
        FAIL("%s: never playing", what);
    if (r.aus < want)
        FAIL("%s: %u AUs, expected %u", what, r.aus, want);
    if (r.ended)
        FAIL("%s: ended (%s): %s", what, end_name(r.why), r.reason);
    run_finish(&r);
}

/* Runs url until it ends (within timeout_ms) and checks why and that the
 * reason holds want_text (may be NULL). */
static void expect_end(const char *what, const char *url, const char *user, const char *password,
                       rtsp_end want, const char *want_text, unsigned timeout_ms)
{
    run r = {0};
    gint64 t0 = g_get_monotonic_time();
    run_start(&r, url, user, password);
    run_wait(&r, timeout_ms);
    fprintf(stderr, "%s: %s after %.1f s: %s\n", what, r.ended ? end_name(r.why) : "(no end)",
            (double)(g_get_monotonic_time() - t0) / 1e6, r.reason);
    if (!r.ended)
        FAIL("%s: did not end", what);
    else if (r.why != want)
        FAIL("%s: ended %s, expected %s", what, end_name(r.why), end_name(want));
    if (r.ended && want_text && !strstr(r.reason, want_text))
        FAIL("%s: the reason does not say '%s'", what, want_text);
    run_finish(&r);
}

/* ---- servers ---- */

/* A free TCP port on 127.0.0.1; listening (never accepting) when listen
 * is set, in which case *keep holds the socket. */
static int local_port(int listen, GSocket **keep)
{
    GSocket *s =
        g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
    GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *any = g_inet_socket_address_new(lo, 0);
    if (!s || !g_socket_bind(s, any, TRUE, NULL) || (listen && !g_socket_listen(s, NULL))) {
        fprintf(stderr, "cannot bind a local port\n");
        exit(1);
    }
    GSocketAddress *local = g_socket_get_local_address(s, NULL);
    int port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local));
    g_object_unref(local);
    g_object_unref(any);
    g_object_unref(lo);
    if (listen) {
        *keep = s;
        return port;
    }
    g_socket_close(s, NULL);
    g_object_unref(s);
    return port;
}

static GSubprocess *server_start(const char *bin, int port, int digest)
{
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", port);
    const char *args[] = {"--port",
                          portstr,
                          "--user",
                          USER,
                          "--password",
                          PASSWORD,
                          "--stream=/main=test:320x180@15",
                          "--stream=/h265=test265:160x90@10",
                          digest ? "--digest" : NULL,
                          NULL};
    return test_rtsp_server_start(bin, args);
}

/* rtsp://[userinfo@]127.0.0.1:port/path, g_malloc'd. */
static char *url_for(const char *userinfo, int port, const char *path)
{
    return g_strdup_printf("rtsp://%s%s127.0.0.1:%d%s", userinfo ? userinfo : "",
                           userinfo ? "@" : "", port, path);
}

/* ---- a scripted camera, for what pantau-test-rtsp never does ---- */

typedef void (*camera_script)(GSocket *conn);

/* One connection on a loopback port, served by script on its own thread
 * with blocking sockets. */
typedef struct fake_camera {
    GSocket *listener;
    camera_script script;
    GThread *thread;
    int port;
} fake_camera;

static gpointer fake_camera_main(gpointer data)
{
    fake_camera *f = data;
    GSocket *conn = g_socket_accept(f->listener, NULL, NULL);
    if (conn) {
        f->script(conn);
        g_socket_close(conn, NULL);
        g_object_unref(conn);
    }
    return NULL;
}

static void fake_camera_start(fake_camera *f, camera_script script)
{
    f->port = local_port(1, &f->listener);
    /* A small window: what the client sends piles up on its side. */
    g_socket_set_option(f->listener, SOL_SOCKET, SO_RCVBUF, 4096, NULL);
    f->script = script;
    f->thread = g_thread_new("camera", fake_camera_main, f);
}

static void fake_camera_stop(fake_camera *f)
{
    g_thread_join(f->thread);
    g_socket_close(f->listener, NULL);
    g_object_unref(f->listener);
}

/* Reads up to the end of the next request's head (the client sends one
 * at a time); its CSeq, 0 when it has none, or -1 at EOF. */
static int camera_read_cseq(GSocket *s)
{
    GString *in = g_string_new(NULL);
    char buf[4096];
    gssize n = 0;
    while (!strstr(in->str, "\r\n\r\n") &&
           (n = g_socket_receive(s, buf, sizeof buf, NULL, NULL)) > 0)
        g_string_append_len(in, buf, n);
    const char *cseq = strstr(in->str, "CSeq:");
    int out = n <= 0 ? -1 : cseq ? atoi(cseq + 5) : 0;
    g_string_free(in, TRUE);
    return out;
}

/* Reads up to the end of the first request's head; FALSE at EOF. */
static gboolean camera_read_request(GSocket *s)
{
    return camera_read_cseq(s) >= 0;
}

/* Reads until the client closes. */
static void camera_drain(GSocket *s)
{
    char buf[4096];
    while (g_socket_receive(s, buf, sizeof buf, NULL, NULL) > 0)
        ;
}

/* Sends all of data; FALSE once the client is gone. */
static gboolean camera_send(GSocket *s, const char *data, size_t len)
{
    while (len) {
        gssize n = g_socket_send(s, data, len, NULL, NULL);
        if (n <= 0)
            return FALSE;
        data += n;
        len -= (size_t)n;
    }
    return TRUE;
}

/* Redirects DESCRIBE to a Location full of escape sequences and bytes that
 * are not UTF-8 (the reason goes into logs and JSON). */
static void script_bad_location(GSocket *s)
{
    static const char reply[] =
        "RTSP/1.0 302 Moved\r\nCSeq: 1\r\n"
        "Location: rtsp://10.0.0.9/\x1b[2J\xff\xfe\x01\x7f\xc2\x9bx\r\n\r\n";
    if (camera_read_request(s))
        camera_send(s, reply, sizeof reply - 1);
    camera_drain(s);
}

/* A web server at the camera's address: answers in HTTP and hangs up. */
static void script_http(GSocket *s)
{
    static const char reply[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                                "Connection: close\r\n\r\n";
    if (camera_read_request(s))
        camera_send(s, reply, sizeof reply - 1);
}

#define ECHOED_PASSWORD "Sekret-Kamera-77"

/* Refuses DESCRIBE with a reason phrase that echoes the camera's URL with
 * the password across its 64th byte (where a cut would leave a piece of
 * the password that no redaction recognises). */
static void script_echo_password(GSocket *s)
{
    static const char reply[] = "RTSP/1.0 404 Stream not found, please check the address "
                                "rtsp://admin:" ECHOED_PASSWORD "@10.0.0.9/main\r\nCSeq: 1\r\n\r\n";
    if (camera_read_request(s))
        camera_send(s, reply, sizeof reply - 1);
    camera_drain(s);
}

/* Redirects DESCRIBE to an 8 KiB Location of two-byte characters. */
static void script_long_location(GSocket *s)
{
    GString *reply = g_string_new("RTSP/1.0 302 Moved\r\nCSeq: 1\r\nLocation: rtsp://10.0.0.9/");
    for (int i = 0; i < 4096; i++)
        g_string_append(reply, "\xc3\xa9");
    g_string_append(reply, "\r\n\r\n");
    if (camera_read_request(s))
        camera_send(s, reply->str, reply->len);
    camera_drain(s);
    g_string_free(reply, TRUE);
}

/* Sends one RTP packet (payload type 96, channel 0) holding nal. */
static gboolean camera_send_rtp(GSocket *s, guint16 seq, guint32 ts, int marker, const uint8_t *nal,
                                size_t len)
{
    uint8_t pkt[4 + 12 + 64];
    g_assert(len <= 64);
    size_t rtp_len = 12 + len;
    uint8_t head[16] = {'$',
                        0,
                        (uint8_t)(rtp_len >> 8),
                        (uint8_t)rtp_len,
                        0x80,
                        (uint8_t)(96 | (marker ? 0x80 : 0)),
                        (uint8_t)(seq >> 8),
                        (uint8_t)seq,
                        (uint8_t)(ts >> 24),
                        (uint8_t)(ts >> 16),
                        (uint8_t)(ts >> 8),
                        (uint8_t)ts,
                        0x12,
                        0x34,
                        0x56,
                        0x78};
    memcpy(pkt, head, sizeof head);
    memcpy(pkt + sizeof head, nal, len);
    return camera_send(s, (const char *)pkt, sizeof head + len);
}

/* Sends access unit number i: SPS, PPS and IDR for 0, a P slice after. */
static gboolean camera_send_au(GSocket *s, unsigned i)
{
    static const uint8_t sps[] = {0x67, 0x42, 0xc0, 0x1e, 0xd9, 0x00, 0xa0, 0x47, 0xfe, 0xc8};
    static const uint8_t pps[] = {0x68, 0xce, 0x3c, 0x80};
    static const uint8_t idr[] = {0x65, 0x88, 0x84, 0x00, 0x33, 0xff, 0xfe, 0xf6};
    static const uint8_t slice[] = {0x41, 0x9a, 0x02, 0x04, 0x4c, 0x41, 0xff};
    guint16 seq = (guint16)(i ? i + 2 : 0); /* no gap: the keyframe takes 3 */
    guint32 ts = i * 3000;
    if (i > 0)
        return camera_send_rtp(s, seq, ts, 1, slice, sizeof slice);
    return camera_send_rtp(s, seq, ts, 0, sps, sizeof sps) &&
           camera_send_rtp(s, seq + 1, ts, 0, pps, sizeof pps) &&
           camera_send_rtp(s, seq + 2, ts, 1, idr, sizeof idr);
}

/* Answers DESCRIBE with an H.264 SDP and SETUP with transport and a
 * session timeout of timeout_s; returns the CSeq of the request after
 * (PLAY), or -1 once the client is gone. */
static int camera_answer_setup(GSocket *s, const char *transport, unsigned timeout_s)
{
    static const char sdp[] = "v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
                              "a=control:track1\r\n";
    int cseq = camera_read_cseq(s);
    char *reply = g_strdup_printf("RTSP/1.0 200 OK\r\nCSeq: %d\r\nContent-Type: application/sdp\r\n"
                                  "Content-Length: %u\r\n\r\n%s",
                                  cseq, (unsigned)strlen(sdp), sdp);
    gboolean ok = cseq >= 0 && camera_send(s, reply, strlen(reply));
    g_free(reply);
    cseq = ok ? camera_read_cseq(s) : -1;
    reply = g_strdup_printf("RTSP/1.0 200 OK\r\nCSeq: %d\r\nSession: 42;timeout=%u\r\n"
                            "Transport: %s\r\n\r\n",
                            cseq, timeout_s, transport);
    ok = cseq >= 0 && camera_send(s, reply, strlen(reply));
    g_free(reply);
    return ok ? camera_read_cseq(s) : -1;
}

/* Answers SETUP with UDP ports instead of refusing TCP with 461. */
static void script_setup_udp(GSocket *s)
{
    camera_answer_setup(s, "RTP/AVP;unicast;client_port=5000-5001;server_port=6970-6971", 60);
    camera_drain(s);
}

/* Answers DESCRIBE and SETUP, then sends its first two access units (the
 * keyframe first) ahead of the PLAY reply, then more. */
static void script_media_before_reply(GSocket *s)
{
    int cseq = camera_answer_setup(s, "RTP/AVP/TCP;unicast;interleaved=0-1", 60);
    gboolean ok = cseq >= 0 && camera_send_au(s, 0) && camera_send_au(s, 1);
    char *reply = g_strdup_printf("RTSP/1.0 200 OK\r\nCSeq: %d\r\nSession: 42\r\n\r\n", cseq);
    ok = ok && camera_send(s, reply, strlen(reply));
    g_free(reply);
    for (unsigned i = 2; ok && i < 6; i++)
        ok = camera_send_au(s, i);
    camera_drain(s);
}

static int keepalive_answered_at_once; /* set by script_keepalive_stale_nonce */

/* Plays with a 2 s session timeout (a keepalive every second), refuses the
 * first keepalive with a stale Digest nonce, and checks that the client
 * answers the new challenge at once rather than at its next keepalive. */
static void script_keepalive_stale_nonce(GSocket *s)
{
    int cseq = camera_answer_setup(s, "RTP/AVP/TCP;unicast;interleaved=0-1", 2);
    char *reply = g_strdup_printf("RTSP/1.0 200 OK\r\nCSeq: %d\r\nSession: 42\r\n\r\n", cseq);
    gboolean ok = cseq >= 0 && camera_send(s, reply, strlen(reply));
    g_free(reply);
    cseq = ok ? camera_read_cseq(s) : -1; /* the first keepalive */
    reply =
        g_strdup_printf("RTSP/1.0 401 Unauthorized\r\nCSeq: %d\r\n"
                        "WWW-Authenticate: Digest realm=\"cam\", nonce=\"n2\", stale=TRUE\r\n\r\n",
                        cseq);
    ok = cseq >= 0 && camera_send(s, reply, strlen(reply));
    g_free(reply);
    /* Half the keepalive interval: the retry, not the next keepalive. */
    if (ok && g_socket_condition_timed_wait(s, G_IO_IN, 500 * 1000, NULL, NULL))
        keepalive_answered_at_once = camera_read_cseq(s) > cseq;
    camera_drain(s);
}

/* Floods the client with OPTIONS requests and never reads its answers. */
static void script_flood(GSocket *s)
{
    static const char req[] = "OPTIONS * RTSP/1.0\r\nCSeq: 7\r\n\r\n";
    enum { REQ = sizeof req - 1, COUNT = 2048 };
    char *chunk = g_malloc(REQ * COUNT);
    for (size_t i = 0; i < COUNT; i++)
        memcpy(chunk + i * REQ, req, REQ);
    for (size_t sent = 0; sent < 48u * 1024 * 1024 && camera_send(s, chunk, REQ * COUNT);)
        sent += REQ * COUNT;
    g_free(chunk);
}

/* Answers DESCRIBE with an H.264 SDP whose track control URL is 8 KiB long
 * (it would go into every SETUP request line). */
static void script_long_control(GSocket *s)
{
    GString *sdp = g_string_new("v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
                                "a=control:rtsp://10.0.0.9/");
    for (int i = 0; i < 8192; i++)
        g_string_append_c(sdp, 'a');
    g_string_append(sdp, "\r\n");
    char *reply = g_strdup_printf("RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Type: application/sdp\r\n"
                                  "Content-Length: %u\r\n\r\n%s",
                                  (unsigned)sdp->len, sdp->str);
    if (camera_read_request(s))
        camera_send(s, reply, strlen(reply));
    camera_drain(s);
    g_free(reply);
    g_string_free(sdp, TRUE);
}

/* Answers DESCRIBE with an H.265 SDP whose packets would carry decoding
 * order numbers (sprop-max-don-diff above 0). */
static void script_h265_donl(GSocket *s)
{
    static const char sdp[] = "v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H265/90000\r\n"
                              "a=fmtp:96 sprop-max-don-diff=2\r\na=control:track1\r\n";
    char *reply = g_strdup_printf("RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Type: application/sdp\r\n"
                                  "Content-Length: %u\r\n\r\n%s",
                                  (unsigned)strlen(sdp), sdp);
    if (camera_read_request(s))
        camera_send(s, reply, strlen(reply));
    camera_drain(s);
    g_free(reply);
}

/* Whether text is valid UTF-8 without control characters (C0, DEL, C1). */
static int printable_utf8(const char *text)
{
    if (!g_utf8_validate(text, -1, NULL))
        return 0;
    for (const char *p = text; *p; p = g_utf8_next_char(p))
        if (g_unichar_iscntrl(g_utf8_get_char(p)))
            return 0;
    return 1;
}

/* Runs a client (with ECHOED_PASSWORD when password is set) against a
 * camera served by script until it ends (within timeout_ms), checks that
 * it ended as want, and copies its reason into reason. */
static void scripted_end(const char *what, camera_script script, int password, rtsp_end want,
                         unsigned timeout_ms, char reason[REASON_CAP])
{
    fake_camera cam = {0};
    run r = {0};
    fake_camera_start(&cam, script);
    char *url = url_for(NULL, cam.port, "/main");
    run_start(&r, url, password ? "admin" : NULL, password ? ECHOED_PASSWORD : NULL);
    run_wait(&r, timeout_ms);
    fprintf(stderr, "%s: %s: %s\n", what, r.ended ? end_name(r.why) : "(no end)", r.reason);
    if (!r.ended || r.why != want)
        FAIL("%s: expected %s", what, end_name(want));
    g_strlcpy(reason, r.ended ? r.reason : "", REASON_CAP);
    run_finish(&r);
    fake_camera_stop(&cam);
    g_free(url);
}

static void scenario_hostile(void)
{
    char reason[REASON_CAP];

    scripted_end("hostile Location", script_bad_location, 0, RTSP_END_NOT_FOUND, 5000, reason);
    if (!printable_utf8(reason))
        FAIL("hostile Location: the reason is not printable UTF-8");

    scripted_end("phrase echoing the password", script_echo_password, 1, RTSP_END_NOT_FOUND, 5000,
                 reason);
    if (strstr(reason, "Sekret"))
        FAIL("phrase echoing the password: the reason holds (part of) the password");

    scripted_end("8 KiB Location", script_long_location, 0, RTSP_END_NOT_FOUND, 5000, reason);
    fprintf(stderr, "8 KiB Location: %zu bytes of reason\n", strlen(reason));
    if (strlen(reason) > 300 || !printable_utf8(reason))
        FAIL("8 KiB Location: the reason is over 300 bytes or not printable UTF-8");

    scripted_end("an 8 KiB control URL in the SDP", script_long_control, 0, RTSP_END_PROTOCOL, 5000,
                 reason);
    if (!strstr(reason, "invalid control URL"))
        FAIL("8 KiB control URL: the reason does not say 'invalid control URL'");

    /* The answers to its requests must not pile up without end. Reaching
     * the cap takes parsing some 100 000 requests: 0.4 s in the plain
     * build, 5 s with ASan's full malloc stacks, more beside other tests;
     * 30 s still tells a cap from none. */
    scripted_end("camera floods requests and never reads", script_flood, 0, RTSP_END_LOST, 30000,
                 reason);
    if (!strstr(reason, "does not read"))
        FAIL("request flood: the reason does not say 'does not read'");

    scripted_end("an HTTP server", script_http, 0, RTSP_END_PROTOCOL, 5000, reason);
    if (!strstr(reason, "is not an RTSP server: it answered \"HTTP/1.1 404 Not Found\""))
        FAIL("an HTTP server: the reason does not say so, quoting its status line");

    scripted_end("SETUP answered with UDP", script_setup_udp, 0, RTSP_END_UNSUPPORTED, 5000,
                 reason);
    if (!strstr(reason, "will not send RTP over the RTSP connection"))
        FAIL("SETUP answered with UDP: the reason does not say so");

    fake_camera cam = {0};
    fake_camera_start(&cam, script_keepalive_stale_nonce);
    char *stale_url = url_for(NULL, cam.port, "/main");
    run stale = {0};
    run_start(&stale, stale_url, "admin", ECHOED_PASSWORD);
    spin(2500);
    run_finish(&stale);
    fake_camera_stop(&cam);
    g_free(stale_url);
    fprintf(stderr, "keepalive refused with a stale nonce: %s\n",
            keepalive_answered_at_once ? "answered at once" : "not answered at once");
    if (!keepalive_answered_at_once)
        FAIL("keepalive refused with a stale nonce: no new keepalive within 0.5 s");

    fake_camera_start(&cam, script_media_before_reply);
    char *url = url_for(NULL, cam.port, "/main");
    expect_frames("media ahead of the PLAY reply", url, NULL, NULL, 4);
    fake_camera_stop(&cam);
    g_free(url);
}

/* ---- scenarios ---- */

static void scenario_play(const char *bin)
{
    int port = local_port(0, NULL);
    GSubprocess *server = server_start(bin, port, 0);
    char *in_url = url_for(USER ":" PASSWORD, port, "/main");
    char *plain = url_for(NULL, port, "/main");
    char *wrong = url_for(USER ":" WRONG_PASSWORD, port, "/main");
    expect_frames("credentials in the URL", in_url, NULL, NULL, 45);
    expect_frames("credentials given", plain, USER, PASSWORD, 10);
    expect_frames("given credentials win over the URL's", wrong, USER, PASSWORD, 5);
    g_free(in_url);
    g_free(plain);
    g_free(wrong);
    test_rtsp_server_stop(server);
}

static void scenario_errors(const char *bin)
{
    int port = local_port(0, NULL);
    GSubprocess *server = server_start(bin, port, 0);
    char *plain = url_for(NULL, port, "/main");
    char *wrong = url_for(USER ":" WRONG_PASSWORD, port, "/main");
    char *missing = url_for(NULL, port, "/no-such-mount");
    char *h265 = url_for(NULL, port, "/h265");
    char *tls = g_strdup_printf("rtsps://" USER ":" PASSWORD "@127.0.0.1:%d/main", port);
    expect_end("wrong password", plain, USER, WRONG_PASSWORD, RTSP_END_AUTH, "refused", 5000);
    expect_end("wrong password in the URL", wrong, NULL, NULL, RTSP_END_AUTH, NULL, 5000);
    expect_end("no credentials", plain, NULL, NULL, RTSP_END_AUTH, "requires", 5000);
    expect_end("unknown path", missing, USER, PASSWORD, RTSP_END_NOT_FOUND, "404", 5000);
    expect_end("H.265 mount", h265, USER, PASSWORD, RTSP_END_UNSUPPORTED, "H265", 5000);
    expect_end("bad URL", "rtsp://" USER ":" PASSWORD " x@/main", NULL, NULL, RTSP_END_NOT_FOUND,
               "invalid", 2000);
    expect_end("rtsps", tls, NULL, NULL, RTSP_END_UNSUPPORTED, "TLS", 2000);
    test_rtsp_server_stop(server);
    char *closed = url_for(USER ":" PASSWORD, local_port(0, NULL), "/main");
    expect_end("nothing listening", closed, NULL, NULL, RTSP_END_UNREACHABLE, "Connection refused",
               5000);
    g_free(closed);
    g_free(plain);
    g_free(wrong);
    g_free(missing);
    g_free(h265);
    g_free(tls);
}

/* The lean client asked for H.265 against the test server's x265 mount:
 * IRAP access units with VPS, SPS and PPS in front (check_au), trailing
 * pictures between them, the codec told; and a camera that announces
 * decoding order numbers is refused with a reason. */
static void scenario_h265(const char *bin)
{
    int port = local_port(0, NULL);
    GSubprocess *server = server_start(bin, port, 0);
    char *url = url_for(USER ":" PASSWORD, port, "/h265");
    /* 10 fps, a keyframe every 2 s: AUs 0 and 20 are IRAP. */
    run r = {.codecs = RTSP_CODEC_H265, .want_aus = 25};
    run_start(&r, url, NULL, NULL);
    run_wait(&r, 15000);
    fprintf(stderr, "h265: %u AUs, %u keyframes, last pts %" G_GINT64_FORMAT " us%s%s\n", r.aus,
            r.keyframes, r.last_pts, r.ended ? ", ended: " : "", r.ended ? r.reason : "");
    if (r.codec != RTSP_CODEC_H265)
        FAIL("h265: the client says codec %d", (int)r.codec);
    if (r.aus < 25 || r.keyframes < 2 || r.keyframes == r.aus || r.ended)
        FAIL("h265: %u AUs, %u keyframes, ended %d", r.aus, r.keyframes, r.ended);
    run_finish(&r);
    /* The same mount, H.264 main stream's client: still H.264 alone. */
    run plain = {.want_aus = 5};
    char *main_url = url_for(USER ":" PASSWORD, port, "/main");
    run_start(&plain, main_url, NULL, NULL);
    run_wait(&plain, 15000);
    if (plain.codec != RTSP_CODEC_H264 || plain.aus < 5)
        FAIL("h265: the H.264 mount gave codec %d, %u AUs", (int)plain.codec, plain.aus);
    run_finish(&plain);
    test_rtsp_server_stop(server);
    g_free(url);
    g_free(main_url);

    fake_camera cam = {0};
    fake_camera_start(&cam, script_h265_donl);
    char *donl_url = url_for(NULL, cam.port, "/main");
    run donl = {.codecs = RTSP_CODEC_H265};
    run_start(&donl, donl_url, NULL, NULL);
    run_wait(&donl, 5000);
    fprintf(stderr, "h265 with DONL: %s: %s\n", donl.ended ? end_name(donl.why) : "(no end)",
            donl.reason);
    if (!donl.ended || donl.why != RTSP_END_UNSUPPORTED || !strstr(donl.reason, "decoding order"))
        FAIL("h265 with DONL: expected UNSUPPORTED saying 'decoding order'");
    run_finish(&donl);
    fake_camera_stop(&cam);
    g_free(donl_url);
}

static void scenario_kill(const char *bin)
{
    int port = local_port(0, NULL);
    GSubprocess *server = server_start(bin, port, 0);
    char *url = url_for(USER ":" PASSWORD, port, "/main");
    run r = {.want_aus = 10};
    run_start(&r, url, NULL, NULL);
    run_wait(&r, 15000);
    if (r.aus < 10 || r.ended)
        FAIL("kill: %u AUs before the kill, ended %d", r.aus, r.ended);
    g_subprocess_force_exit(server);
    g_subprocess_wait(server, NULL, NULL);
    gint64 t0 = g_get_monotonic_time();
    r.want_aus = 0;
    run_wait(&r, 10000);
    fprintf(stderr, "kill: %s %.1f s after the kill: %s\n", r.ended ? end_name(r.why) : "(no end)",
            (double)(g_get_monotonic_time() - t0) / 1e6, r.reason);
    if (!r.ended || r.why != RTSP_END_LOST)
        FAIL("kill: expected LOST");
    run_finish(&r);
    g_object_unref(server);
    g_free(url);
}

static void scenario_digest(const char *bin)
{
    int port = local_port(0, NULL);
    GSubprocess *server = server_start(bin, port, 1);
    char *url = url_for(USER ":" PASSWORD, port, "/main");
    char *plain = url_for(NULL, port, "/main");
    char *missing = url_for(NULL, port, "/no-such-mount");
    expect_frames("digest", url, NULL, NULL, 20);
    expect_end("digest, wrong password", plain, USER, WRONG_PASSWORD, RTSP_END_AUTH, "refused",
               5000);
    expect_end("digest, unknown path", missing, USER, PASSWORD, RTSP_END_NOT_FOUND, "404", 5000);
    g_free(url);
    g_free(plain);
    g_free(missing);
    test_rtsp_server_stop(server);
}

/* Starts url, frees the client in the callback given (FREE_NONE: after
 * delay_ms), and checks that nothing follows. */
static void free_case(const char *what, const char *url, free_in where, unsigned delay_ms)
{
    run r = {.free_in = where};
    run_start(&r, url, NULL, NULL);
    if (where == FREE_NONE && delay_ms == 0)
        free_now(&r);
    else
        run_wait(&r, where == FREE_NONE ? delay_ms : 15000);
    if (where != FREE_NONE && !r.freed)
        FAIL("%s: the callback never came", what);
    fprintf(stderr, "%s: freed; %u AUs, playing %d, ended %d\n", what, r.aus, r.playing, r.ended);
    run_finish(&r);
}

static void scenario_free(const char *bin)
{
    int port = local_port(0, NULL);
    GSubprocess *server = server_start(bin, port, 0);
    char *url = url_for(USER ":" PASSWORD, port, "/main");
    char *wrong = url_for(USER ":" WRONG_PASSWORD, port, "/main");
    char *closed = url_for(NULL, local_port(0, NULL), "/main");
    free_case("free at once", url, FREE_NONE, 0);
    free_case("free at once, bad URL", "rtsp://", FREE_NONE, 0);
    free_case("free while connecting", url, FREE_NONE, 1);
    free_case("free during DESCRIBE", url, FREE_NONE, 30);
    free_case("free in on_playing", url, FREE_ON_PLAYING, 0);
    free_case("free in on_access_unit", url, FREE_ON_AU, 0);
    free_case("free in on_end (auth)", wrong, FREE_ON_END, 0);
    free_case("free in on_end (refused)", closed, FREE_ON_END, 0);
    free_case("free in on_end (bad URL)", "http://x", FREE_ON_END, 0);
    /* Several clients on one loop, freed while playing, on a server of their
     * own, each started once the one before has its first unit:
     * gst-rtsp-server 1.22 aborts ("complete stream without rate" in
     * gst_rtsp_media_get_rates) when a PLAY joins a shared media whose sink
     * has not seen a buffer yet. */
    test_rtsp_server_stop(server);
    server = server_start(bin, port, 0);
    run r[4] = {0};
    for (int i = 0; i < 4; i++) {
        r[i].want_aus = 15;
        run_start(&r[i], url, NULL, NULL);
        for (int waited = 0; !r[i].aus && !r[i].ended && waited < 10000; waited += 20)
            spin(20);
    }
    for (int i = 0; i < 4; i++) {
        run_wait(&r[i], 15000);
        if (r[i].aus < 15)
            FAIL("client %d of 4: %u AUs", i, r[i].aus);
    }
    for (int i = 0; i < 4; i++)
        run_finish(&r[i]);
    g_free(url);
    g_free(wrong);
    g_free(closed);
    test_rtsp_server_stop(server);
}

static void scenario_silent(void)
{
    GSocket *keep = NULL;
    int port = local_port(1, &keep);
    char *url = url_for(USER ":" PASSWORD, port, "/main");
    expect_end("camera never answers", url, NULL, NULL, RTSP_END_LOST, "did not answer", 15000);
    g_free(url);
    g_socket_close(keep, NULL);
    g_object_unref(keep);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: rtsp_client_probe SERVER_BIN "
                        "play|errors|kill|digest|free|silent|hostile|h265\n");
        return 2;
    }
    transcript = g_string_new(NULL);
    const char *bin = argv[1], *what = argv[2];
    if (!strcmp(what, "play"))
        scenario_play(bin);
    else if (!strcmp(what, "errors"))
        scenario_errors(bin);
    else if (!strcmp(what, "kill"))
        scenario_kill(bin);
    else if (!strcmp(what, "digest"))
        scenario_digest(bin);
    else if (!strcmp(what, "free"))
        scenario_free(bin);
    else if (!strcmp(what, "silent"))
        scenario_silent();
    else if (!strcmp(what, "hostile"))
        scenario_hostile();
    else if (!strcmp(what, "h265"))
        scenario_h265(bin);
    else
        return 2;
    if (strstr(transcript->str, PASSWORD) || strstr(transcript->str, WRONG_PASSWORD))
        FAIL("a password appears in a reason");
    g_string_free(transcript, TRUE);
    fprintf(stderr, "%s: %s\n", what, failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
