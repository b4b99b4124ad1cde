/* ws-floor.c - the wall-event benchmark's floor (make bench): the least a
 * server can do to give bench/loadgen.c what bench/node-peer.js gives it.
 *
 *   ws-floor [PORT]     (0 or absent: any free port)
 * Prints "ws-floor: ready on ws://127.0.0.1:PORT/ws" once listening.
 *
 * One thread, one epoll loop, non-blocking sockets, libc only. It speaks as
 * much of the protocol as node-peer.js does: the WebSocket handshake on /ws,
 * a snapshot on connect, one `data` event per clock a second to every
 * client, `ping`, and `layout.apply` with the version check, the reply to the
 * operator and the `wall` event to every client. Every message is the same
 * bytes node-peer sends (same keys, same order, same size). The workload
 * (wall, clocks, first layout) mirrors bench/workload.js, including
 * BENCH_SOURCES; bench.js checks the wall event's size against it.
 *
 * What it leaves out, because a floor does not need it: the request is
 * scanned, not validated (a lenient scanner that finds the members it needs),
 * and the layout is taken as sent, minus whitespace, instead of being
 * normalised (node-peer's normalisation does not change the benchmark's
 * layouts). Fragmented client messages are refused (close 1003).
 *
 * The fan-out: serialise once, put the frame header in front of the payload
 * once, then one send() per client. What a full socket does not take is
 * queued and sent on EPOLLOUT. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define HDR_ROOM 10          /* the longest server frame header: 2 + 8 length bytes */
#define MAX_HEAD 8192        /* an upgrade request's headers */
#define MAX_MSG (1 << 20)    /* a client message */
#define MAX_QUEUE (16 << 20) /* queued for a client that does not read: then it is dropped */
#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

typedef struct {
    char *p;
    size_t len, cap;
} buf;

typedef struct conn {
    int fd;   /* -1 once closed (freed after the epoll batch) */
    int slot; /* index in clients[] once upgraded and not closing, else -1 */
    int upgraded;
    int closing;     /* refused or closed: FIN once the queue is out, close on the peer's */
    uint32_t events; /* the epoll mask */
    buf in;          /* read, not parsed yet */
    buf out;         /* not taken by the socket yet, from out_off on */
    size_t out_off;
    struct conn *next_dead;
} conn;

static int epfd;
static char listen_tag, tick_tag; /* epoll data.ptr of the listener and the timer */
static conn **clients;            /* every upgraded connection: the fan-out's targets */
static int n_clients, cap_clients;
static conn *dead; /* closed during this epoll batch */
static buf msg;    /* the message being built, HDR_ROOM bytes in */

/* ---- the workload, as bench/workload.js ---- */

static const char *const ZONES[][2] = {
    {"Asia/Jakarta", "WIB"}, {"Asia/Makassar", "WITA"}, {"Asia/Jayapura", "WIT"}, {"UTC", "UTC"}};
static int n_sources;
static long long wall_version = 1;
static buf layout; /* the wall's layout, JSON */
#define WALL_ID "main"
#define WALL_HEAD "{\"id\":\"" WALL_ID "\",\"name\":\"Command Centre wall\",\"version\":"
#define WALL_DISPLAYS                                                                              \
    "\"displays\":{\"columns\":3,\"rows\":2,\"width\":1920,\"height\":1080,\"bezel\":{\"x\":12,"   \
    "\"y\":12}}"

static void die(const char *what)
{
    fprintf(stderr, "ws-floor: %s: %s\n", what, strerror(errno));
    exit(2);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts); /* Date.now() */
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void buf_reserve(buf *b, size_t n)
{
    if (b->len + n <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n)
        cap *= 2;
    if (!(b->p = realloc(b->p, cap)))
        die("realloc");
    b->cap = cap;
}

static void buf_add(buf *b, const void *data, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void buf_str(buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

static void buf_vprintf(buf *b, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    buf_reserve(b, (size_t)n + 1);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, again);
    va_end(again);
    b->len += (size_t)n;
}

static void buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

/* layoutFor(0): a 6 x 4 grid, tile i showing clock i % n_sources. */
static void initial_layout(void)
{
    buf_str(&layout, "{\"columns\":6,\"rows\":4,\"tiles\":[");
    for (int i = 0; i < 24; i++)
        buf_printf(&layout,
                   "%s{\"id\":\"tile-%02d\",\"x\":%d,\"y\":%d,\"w\":1,\"h\":1,"
                   "\"source\":\"clock-wall-widget-%02d\"}",
                   i ? "," : "", i + 1, i % 6, i / 6, i % n_sources + 1);
    buf_str(&layout, "]}");
}

static void add_wall(buf *b)
{
    buf_printf(b, WALL_HEAD "%lld," WALL_DISPLAYS ",\"layout\":", wall_version);
    buf_add(b, layout.p, layout.len);
    buf_str(b, "}");
}

/* ---- SHA-1 (FIPS 180-4) and base64, for Sec-WebSocket-Accept only ---- */

static uint32_t rol(uint32_t x, int n)
{
    return x << n | x >> (32 - n);
}

static void sha1_block(uint32_t h[5], const unsigned char *p)
{
    uint32_t w[80], v[5];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    memcpy(v, h, sizeof v);
    for (int i = 0; i < 80; i++) {
        uint32_t f = i < 20   ? (v[1] & v[2]) | (~v[1] & v[3])
                     : i < 40 ? v[1] ^ v[2] ^ v[3]
                     : i < 60 ? (v[1] & v[2]) | (v[1] & v[3]) | (v[2] & v[3])
                              : v[1] ^ v[2] ^ v[3];
        static const uint32_t k[4] = {0x5A827999, 0x6ED9EBA1, 0x8F1BBCDC, 0xCA62C1D6};
        uint32_t t = rol(v[0], 5) + f + v[4] + k[i / 20] + w[i];
        v[4] = v[3];
        v[3] = v[2];
        v[2] = rol(v[1], 30);
        v[1] = v[0];
        v[0] = t;
    }
    for (int i = 0; i < 5; i++)
        h[i] += v[i];
}

static void sha1(const unsigned char *data, size_t len, unsigned char out[20])
{
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    unsigned char last[64] = {0};
    size_t i = 0;
    for (; i + 64 <= len; i += 64)
        sha1_block(h, data + i);
    memcpy(last, data + i, len - i);
    last[len - i] = 0x80;
    if (len - i >= 56) { /* no room for the length: one more block */
        sha1_block(h, last);
        memset(last, 0, sizeof last);
    }
    for (int j = 0; j < 8; j++)
        last[63 - j] = (unsigned char)((uint64_t)len * 8 >> (8 * j));
    sha1_block(h, last);
    for (int j = 0; j < 20; j++)
        out[j] = (unsigned char)(h[j / 4] >> (24 - 8 * (j % 4)));
}

static void base64(const unsigned char *in, size_t n, char *out)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) |
                     (i + 2 < n ? in[i + 2] : 0);
        *out++ = abc[v >> 18 & 63];
        *out++ = abc[v >> 12 & 63];
        *out++ = i + 1 < n ? abc[v >> 6 & 63] : '=';
        *out++ = i + 2 < n ? abc[v & 63] : '=';
    }
    *out = 0;
}

/* ---- connections: sending, queueing, closing ---- */

static void watch(conn *c, uint32_t events)
{
    if (c->events == events)
        return;
    struct epoll_event e = {.events = events, .data.ptr = c};
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &e))
        die("epoll_ctl");
    c->events = events;
}

/* Takes c out of the fan-out; the last client moves into its slot. */
static void unlist(conn *c)
{
    if (c->slot < 0)
        return;
    clients[c->slot] = clients[--n_clients];
    clients[c->slot]->slot = c->slot;
    c->slot = -1;
}

/* Closes now. The struct lives until the end of the epoll batch, which may
 * still hold events for it. */
static void conn_close(conn *c)
{
    if (c->fd < 0)
        return;
    unlist(c);
    close(c->fd); /* also takes it out of the epoll set */
    c->fd = -1;
    c->next_dead = dead;
    dead = c;
}

/* Sends what is queued. Once it is all out: no more EPOLLOUT, and FIN if the
 * connection is closing. */
static void conn_flush(conn *c)
{
    while (c->out_off < c->out.len) {
        ssize_t n = send(c->fd, c->out.p + c->out_off, c->out.len - c->out_off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n < 0) {
            conn_close(c);
            return;
        }
        c->out_off += (size_t)n;
    }
    c->out.len = c->out_off = 0;
    watch(c, EPOLLIN);
    if (c->closing)
        shutdown(c->fd, SHUT_WR);
}

/* Sends to c; what the socket does not take goes to the queue (after what
 * is already there, to keep the order) until EPOLLOUT. */
static void conn_send(conn *c, const void *data, size_t len)
{
    if (c->fd < 0)
        return;
    size_t done = 0;
    if (c->out_off == c->out.len) { /* nothing queued: straight to the socket */
        ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            conn_close(c);
            return;
        }
        done = n > 0 ? (size_t)n : 0;
        if (done == len)
            return;
    }
    if (c->out_off) { /* the queue's sent part is dead space */
        memmove(c->out.p, c->out.p + c->out_off, c->out.len - c->out_off);
        c->out.len -= c->out_off;
        c->out_off = 0;
    }
    if (c->out.len + len - done > MAX_QUEUE) {
        fprintf(stderr, "ws-floor: a client does not read; dropped\n");
        conn_close(c);
        return;
    }
    buf_add(&c->out, (const char *)data + done, len - done);
    watch(c, EPOLLIN | EPOLLOUT);
}

static size_t frame_header(unsigned char *h, int opcode, size_t len)
{
    h[0] = (unsigned char)(0x80 | opcode); /* FIN; server frames are not masked */
    if (len < 126) {
        h[1] = (unsigned char)len;
        return 2;
    }
    if (len < 65536) {
        h[1] = 126;
        h[2] = (unsigned char)(len >> 8);
        h[3] = (unsigned char)len;
        return 4;
    }
    h[1] = 127;
    for (int i = 0; i < 8; i++)
        h[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
    return 10;
}

static void msg_begin(void)
{
    msg.len = 0;
    buf_reserve(&msg, HDR_ROOM);
    msg.len = HDR_ROOM;
}

/* Makes msg a text frame by writing the header into the room in front of
 * the payload: no copy. */
static const char *msg_frame(size_t *frame_len)
{
    unsigned char h[HDR_ROOM];
    size_t payload = msg.len - HDR_ROOM, hl = frame_header(h, 0x1, payload);
    char *start = msg.p + HDR_ROOM - hl;
    memcpy(start, h, hl);
    *frame_len = hl + payload;
    return start;
}

static void send_msg(conn *c)
{
    size_t len;
    const char *frame = msg_frame(&len);
    conn_send(c, frame, len);
}

/* The fan-out: msg framed once, one send() per client. Backwards, so that a
 * client dropped on the way (the last one moves into its slot) is no reason
 * to skip one. */
static void broadcast(void)
{
    size_t len;
    const char *frame = msg_frame(&len);
    for (int i = n_clients - 1; i >= 0; i--)
        conn_send(clients[i], frame, len);
}

static void send_control(conn *c, int opcode, const void *payload, size_t len)
{
    unsigned char f[2 + 125];
    size_t hl = frame_header(f, opcode, len);
    memcpy(f + hl, payload, len);
    conn_send(c, f, hl + len);
}

/* Once what is queued for c is out, sends FIN, then reads (and drops) until
 * the peer closes too. Closing at once could lose the last frame: with
 * unread input the kernel sends RST, and the peer may drop what it has not
 * read yet. */
static void close_when_sent(conn *c)
{
    c->closing = 1;
    if (c->fd >= 0 && c->out_off == c->out.len)
        shutdown(c->fd, SHUT_WR);
}

/* Ends the connection with a close frame (RFC 6455 5.5.1): no more events
 * for it, closed once the frame is out. code 0: a close frame without one. */
static void close_with(conn *c, int code, const char *reason)
{
    unsigned char p[125];
    size_t n = 0;
    if (code) {
        p[0] = (unsigned char)(code >> 8);
        p[1] = (unsigned char)code;
        n = 2 + strlen(reason);
        memcpy(p + 2, reason, n - 2);
    }
    unlist(c);
    send_control(c, 0x8, p, n);
    close_when_sent(c);
}

/* ---- requests: a lenient JSON scanner, just enough to find the members ---- */

typedef struct {
    const char *p; /* NULL: absent */
    size_t n;
} span;

typedef struct {
    span op, id, wall, version, layout;
} request;

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && is_space(*p))
        p++;
    return p;
}

/* p on a string's opening quote: the end of the string, or NULL. Control
 * characters are refused, so that a string is safe to copy into ours. */
static const char *skip_string(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        if ((unsigned char)*p < 0x20)
            return NULL;
        if (*p == '\\')
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return NULL;
}

/* The end of the value at p, or NULL. Finds where it ends (strings,
 * nesting); does not check what is in between. Numbers and literals are
 * only [A-Za-z0-9+-.], so they too are safe to echo. */
static const char *skip_value(const char *p, const char *end)
{
    if (p < end && *p == '"')
        return skip_string(p, end);
    if (p < end && (*p == '{' || *p == '[')) {
        int depth = 0;
        while (p < end) {
            if (*p == '"') {
                if (!(p = skip_string(p, end)))
                    return NULL;
                continue;
            }
            if (*p == '{' || *p == '[')
                depth++;
            else if ((*p == '}' || *p == ']') && --depth == 0)
                return p + 1;
            p++;
        }
        return NULL;
    }
    const char *q = p;
    while (q < end && ((*q >= '0' && *q <= '9') || ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z') ||
                       *q == '+' || *q == '-' || *q == '.'))
        q++;
    return q > p ? q : NULL;
}

static int span_is(span s, const char *text)
{
    return s.p && s.n == strlen(text) && memcmp(s.p, text, s.n) == 0;
}

static span *member(request *r, span key)
{
    return span_is(key, "\"op\"")        ? &r->op
           : span_is(key, "\"id\"")      ? &r->id
           : span_is(key, "\"wall\"")    ? &r->wall
           : span_is(key, "\"version\"") ? &r->version
           : span_is(key, "\"layout\"")  ? &r->layout
                                         : NULL;
}

/* The members of the JSON object in p; 0 if it is not one. */
static int parse_request(const char *p, size_t n, request *r)
{
    const char *end = p + n;
    memset(r, 0, sizeof *r);
    p = skip_ws(p, end);
    if (p == end || *p++ != '{')
        return 0;
    p = skip_ws(p, end);
    if (p < end && *p == '}')
        return skip_ws(p + 1, end) == end;
    for (;;) {
        const char *key_end = p < end && *p == '"' ? skip_string(p, end) : NULL;
        if (!key_end)
            return 0;
        span key = {p, (size_t)(key_end - p)};
        p = skip_ws(key_end, end);
        if (p == end || *p++ != ':')
            return 0;
        p = skip_ws(p, end);
        const char *value_end = skip_value(p, end);
        if (!value_end)
            return 0;
        span *slot = member(r, key);
        if (slot) /* a repeated key: the last one counts, as in JSON.parse */
            *slot = (span){p, (size_t)(value_end - p)};
        p = skip_ws(value_end, end);
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            continue;
        }
        return p < end && *p == '}' && skip_ws(p + 1, end) == end;
    }
}

static int is_number(span s)
{
    return s.p && (*s.p == '-' || (*s.p >= '0' && *s.p <= '9'));
}

static int as_int(span s, long long *v)
{
    if (!is_number(s) || s.n > 18)
        return 0;
    char tmp[20], *end;
    memcpy(tmp, s.p, s.n);
    tmp[s.n] = 0;
    *v = strtoll(tmp, &end, 10);
    return *end == 0;
}

/* {"re":ID,BODY}: ID as sent if it is a number, else null (node-peer's rule). */
static void reply(conn *c, span id, const char *fmt, ...)
{
    msg_begin();
    buf_str(&msg, "{\"re\":");
    if (is_number(id))
        buf_add(&msg, id.p, id.n);
    else
        buf_str(&msg, "null");
    buf_str(&msg, ",");
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    buf_str(&msg, "}");
    send_msg(c);
}

/* The layout as sent, minus the whitespace outside strings: the bytes
 * JSON.stringify(JSON.parse(...)) gives back for the benchmark's layouts. */
static void take_layout(span v)
{
    const char *p = v.p, *end = v.p + v.n;
    layout.len = 0;
    while (p < end) {
        const char *q = p;
        while (q < end && *q != '"' && !is_space(*q))
            q++;
        if (q < end && *q == '"')
            q = skip_string(q, end); /* scanned before: not NULL */
        buf_add(&layout, p, (size_t)(q - p));
        for (p = q; p < end && is_space(*p); p++)
            ;
    }
}

/* The request's version as String() shows it in node-peer's message (near
 * enough for arrays). Safe inside a JSON string: see skip_value(). */
static span version_text(span v)
{
    static const char undefined[] = "undefined", object[] = "[object Object]";
    if (!v.p)
        return (span){undefined, sizeof undefined - 1};
    if (*v.p == '"')
        return (span){v.p + 1, v.n - 2};
    if (*v.p == '{' || *v.p == '[')
        return (span){object, sizeof object - 1};
    return v;
}

static void layout_apply(conn *c, const request *r)
{
    long long v;
    if (!span_is(r->wall, "\"" WALL_ID "\""))
        return reply(c, r->id,
                     "\"error\":{\"code\":\"not_found\",\"field\":\"wall\",\"message\":\"no such "
                     "wall\"}");
    if (!as_int(r->version, &v) || v != wall_version) {
        span based = version_text(r->version);
        return reply(
            c, r->id,
            "\"error\":{\"code\":\"conflict\",\"field\":\"version\",\"message\":\"wall '" WALL_ID
            "' is at version %lld, the request was based on %.*s\",\"current\":%lld}",
            wall_version, (int)based.n, based.p, wall_version);
    }
    if (!r->layout.p || *r->layout.p != '{') /* node-peer would throw here */
        return reply(c, r->id,
                     "\"error\":{\"code\":\"bad_request\",\"field\":\"layout\",\"message\":\"no "
                     "layout\"}");
    take_layout(r->layout);
    wall_version++;
    reply(c, r->id, "\"ok\":{\"wall\":\"" WALL_ID "\",\"version\":%lld}", wall_version);
    msg_begin();
    buf_str(&msg, "{\"ev\":\"wall\",\"wall\":");
    add_wall(&msg);
    buf_str(&msg, "}");
    broadcast();
}

static void handle_text(conn *c, const char *text, size_t len)
{
    request r;
    if (!parse_request(text, len, &r))
        return reply(c, (span){0}, "\"error\":{\"code\":\"bad_json\",\"message\":\"not JSON\"}");
    if (span_is(r.op, "\"ping\""))
        return reply(c, r.id, "\"ok\":{\"time\":%lld}", now_ms());
    if (!span_is(r.op, "\"layout.apply\""))
        return reply(c, r.id,
                     "\"error\":{\"code\":\"unknown_op\",\"field\":\"op\",\"message\":\"unknown "
                     "op\"}");
    layout_apply(c, &r);
}

/* ---- frames from the clients ---- */

static void on_frame(conn *c, int fin, int opcode, char *data, size_t len)
{
    if (opcode >= 0x8 && (!fin || len > 125))
        return close_with(c, 1002, "bad control frame");
    switch (opcode) {
    case 0x1:
    case 0x2: /* node-peer takes binary messages as text too */
        if (!fin)
            return close_with(c, 1003, "fragmented messages not supported");
        return handle_text(c, data, len);
    case 0x8: /* echo the status code, then close */
        return close_with(c, len >= 2 ? (unsigned char)data[0] << 8 | (unsigned char)data[1] : 0,
                          "");
    case 0x9:
        return send_control(c, 0xA, data, len);
    case 0xA:
        return;
    default: /* a continuation (there is none to continue: first fragments are refused), reserved */
        return close_with(c, 1002, "unexpected opcode");
    }
}

/* Parses one frame at p: its length on the wire, 0 if it is not all there
 * yet, -1 after refusing it. Client frames must be masked (RFC 6455 5.1). */
static long frame_at(conn *c, unsigned char *p, size_t avail)
{
    if (avail < 2)
        return 0;
    int l7 = p[1] & 0x7f;
    size_t hl = 2 + (l7 == 126 ? 2 : l7 == 127 ? 8 : 0) + 4;
    if (!(p[1] & 0x80) || (p[0] & 0x70)) {
        close_with(c, 1002, "unmasked frame or reserved bits");
        return -1;
    }
    if (avail < hl)
        return 0;
    uint64_t len = l7 < 126 ? (uint64_t)l7 : 0;
    for (size_t i = 2; i < hl - 4; i++) /* the 16- or 64-bit length, big-endian */
        len = len << 8 | p[i];
    if (len > MAX_MSG) {
        close_with(c, 1009, "message too big");
        return -1;
    }
    if (avail < hl + len)
        return 0;
    unsigned char *payload = p + hl, *mask = p + hl - 4;
    for (size_t i = 0; i < len; i++)
        payload[i] ^= mask[i & 3];
    on_frame(c, p[0] & 0x80, p[0] & 0x0f, (char *)payload, (size_t)len);
    return (long)(hl + len);
}

static void read_frames(conn *c)
{
    size_t off = 0;
    long n;
    while (!c->closing && c->fd >= 0 &&
           (n = frame_at(c, (unsigned char *)c->in.p + off, c->in.len - off)) > 0)
        off += (size_t)n;
    if (c->closing || c->fd < 0)
        off = c->in.len; /* nothing more from it counts */
    memmove(c->in.p, c->in.p + off, c->in.len - off);
    c->in.len -= off;
}

/* ---- the upgrade ---- */

/* The value of header `name` (with its colon; any case) in the request's
 * head, trimmed; its length, 0 if absent. */
static size_t header(const char *head, size_t n, const char *name, const char **value)
{
    size_t name_len = strlen(name);
    const char *end = head + n;
    for (const char *line = head; line < end;) {
        const char *eol = memmem(line, (size_t)(end - line), "\r\n", 2);
        if (!eol)
            eol = end;
        if ((size_t)(eol - line) >= name_len && strncasecmp(line, name, name_len) == 0) {
            const char *v = line + name_len, *v_end = eol;
            while (v < v_end && (*v == ' ' || *v == '\t'))
                v++;
            while (v_end > v && (v_end[-1] == ' ' || v_end[-1] == '\t'))
                v_end--;
            *value = v;
            return (size_t)(v_end - v);
        }
        line = eol + 2;
    }
    return 0;
}

static int header_is(const char *head, size_t n, const char *name, const char *want)
{
    const char *v;
    size_t len = header(head, n, name, &v);
    return len == strlen(want) && strncasecmp(v, want, len) == 0;
}

/* Sec-WebSocket-Accept for the request in head, or 0 if it is not a
 * WebSocket upgrade on /ws. */
static int accept_key(const char *head, size_t n, char out[29])
{
    const char *key;
    size_t key_len = header(head, n, "Sec-WebSocket-Key:", &key);
    if (n < 8 || memcmp(head, "GET /ws", 7) != 0 || (head[7] != ' ' && head[7] != '?') ||
        !header_is(head, n, "Upgrade:", "websocket") ||
        !header_is(head, n, "Sec-WebSocket-Version:", "13") || key_len == 0 || key_len > 64)
        return 0;
    unsigned char text[64 + sizeof WS_GUID], digest[20];
    memcpy(text, key, key_len);
    memcpy(text + key_len, WS_GUID, sizeof WS_GUID - 1);
    sha1(text, key_len + sizeof WS_GUID - 1, digest);
    base64(digest, sizeof digest, out);
    return 1;
}

static void send_snapshot(conn *c)
{
    msg_begin();
    /* node-peer's name too: the same bytes as its snapshot */
    buf_str(&msg, "{\"ev\":\"snapshot\",\"server\":{\"name\":\"node-peer\",\"version\":\"0\"},"
                  "\"sources\":[");
    for (int s = 0; s < n_sources; s++)
        buf_printf(&msg,
                   "%s{\"id\":\"clock-wall-widget-%02d\",\"name\":\"Clock %s\",\"type\":\"clock\","
                   "\"kind\":\"widget\",\"plugin\":\"clock\",\"status\":\"live\",\"reason\":null}",
                   s ? "," : "", s + 1, ZONES[s % 4][1]);
    buf_str(&msg, "],\"walls\":[");
    add_wall(&msg);
    buf_str(&msg, "],\"presets\":[],\"data\":{}}");
    send_msg(c);
}

static void list(conn *c)
{
    if (n_clients == cap_clients) {
        cap_clients = cap_clients ? cap_clients * 2 : 1024;
        if (!(clients = realloc(clients, sizeof *clients * (size_t)cap_clients)))
            die("realloc");
    }
    c->slot = n_clients;
    clients[n_clients++] = c;
}

/* Waits for the whole request head, answers it, sends the snapshot; frames
 * that came right behind it are read as such. */
static void upgrade(conn *c)
{
    char *end = memmem(c->in.p, c->in.len, "\r\n\r\n", 4), accept[29];
    if (!end && c->in.len <= MAX_HEAD)
        return;
    size_t head = end ? (size_t)(end + 4 - c->in.p) : 0;
    if (!end || !accept_key(c->in.p, head, accept)) {
        static const char no[] = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n"
                                 "Content-Length: 0\r\n\r\n";
        conn_send(c, no, sizeof no - 1);
        close_when_sent(c);
        return;
    }
    char resp[160];
    int n = snprintf(resp, sizeof resp,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                     accept);
    conn_send(c, resp, (size_t)n);
    c->upgraded = 1;
    list(c);
    send_snapshot(c);
    memmove(c->in.p, c->in.p + head, c->in.len - head);
    c->in.len -= head;
    read_frames(c);
}

/* ---- the loop ---- */

static void on_readable(conn *c)
{
    buf_reserve(&c->in, 65536);
    ssize_t n = read(c->fd, c->in.p + c->in.len, c->in.cap - c->in.len);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        conn_close(c);
        return;
    }
    if (c->closing) /* waiting for the peer's FIN */
        return;
    c->in.len += (size_t)n;
    if (c->upgraded)
        read_frames(c);
    else
        upgrade(c);
}

/* c may have been closed earlier in this epoll batch: then fd is -1. */
static void on_conn_event(conn *c, uint32_t events)
{
    if (c->fd >= 0 && (events & EPOLLOUT))
        conn_flush(c);
    if (c->fd >= 0 && (events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
        on_readable(c);
}

static void on_accept(int lfd)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                fprintf(stderr, "ws-floor: accept: %s\n", strerror(errno));
            return;
        }
        int one = 1; /* as ws and pantau: small events go out at once */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        conn *c = calloc(1, sizeof *c);
        if (!c)
            die("calloc");
        c->fd = fd;
        c->slot = -1;
        c->events = EPOLLIN;
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e))
            die("epoll_ctl");
    }
}

/* Once a second: one `data` event per clock to every client, shaped as the
 * clock plugin's (and node-peer's). */
static void on_tick(int tfd)
{
    uint64_t expired;
    if (read(tfd, &expired, sizeof expired) < 0)
        return;
    for (int s = 0; s < n_sources; s++) {
        long long now = now_ms();
        msg_begin();
        buf_printf(
            &msg,
            "{\"ev\":\"data\",\"source\":\"clock-wall-widget-%02d\",\"data\":{\"time_ms\":%lld,"
            "\"timezone\":\"%s\",\"label\":\"%s\",\"utc_offset_minutes\":0,"
            "\"show_seconds\":false},\"time\":%lld}",
            s + 1, now, ZONES[s % 4][0], ZONES[s % 4][1], now);
        broadcast();
    }
}

static void free_dead(void)
{
    while (dead) {
        conn *c = dead;
        dead = c->next_dead;
        free(c->in.p);
        free(c->out.p);
        free(c);
    }
}

static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    socklen_t sl = sizeof sa;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
        bind(fd, (struct sockaddr *)&sa, sizeof sa) || listen(fd, SOMAXCONN) ||
        getsockname(fd, (struct sockaddr *)&sa, &sl))
        die("listen");
    printf("ws-floor: ready on ws://127.0.0.1:%d/ws\n", ntohs(sa.sin_port));
    fflush(stdout);
    return fd;
}

static void add_fd(int fd, void *tag)
{
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = tag};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e))
        die("epoll_ctl");
}

static void on_signal(int sig)
{
    (void)sig;
    _exit(0); /* as node-peer on SIGTERM / SIGINT */
}

int main(int argc, char **argv)
{
    char *end = "";
    long port = argc > 1 ? strtol(argv[1], &end, 10) : 0;
    if (argc > 2 || *end || port < 0 || port > 65535) {
        fprintf(stderr, "usage: ws-floor [PORT]\n");
        return 2;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    const char *sources = getenv("BENCH_SOURCES");
    n_sources = sources ? atoi(sources) : 1;
    n_sources = n_sources < 1 ? 1 : n_sources > 24 ? 24 : n_sources;
    initial_layout();

    if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
        die("epoll_create1");
    int lfd = listen_on((int)port);
    add_fd(lfd, &listen_tag);
    /* node-peer's setInterval(1000) per clock, started with the server */
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    struct itimerspec every_second = {.it_interval = {1, 0}, .it_value = {1, 0}};
    if (tfd < 0 || timerfd_settime(tfd, 0, &every_second, NULL))
        die("timerfd");
    add_fd(tfd, &tick_tag);

    for (;;) {
        struct epoll_event ev[256];
        int n = epoll_wait(epfd, ev, 256, -1);
        if (n < 0 && errno != EINTR)
            die("epoll_wait");
        for (int i = 0; i < n; i++) {
            if (ev[i].data.ptr == &listen_tag)
                on_accept(lfd);
            else if (ev[i].data.ptr == &tick_tag)
                on_tick(tfd);
            else
                on_conn_event(ev[i].data.ptr, ev[i].events);
        }
        free_dead();
    }
}
