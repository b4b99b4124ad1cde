/* media-floor.c - the media benchmark's floor and the Node.js relay's feeder
 * (make bench-media). Both replay the same access units on the same
 * schedule: camera c (0-based) plays clip c % CLIPS, one access unit every
 * 1/FPS s, starting STAGGER_MS * c after the start, in a loop.
 *
 *   media-floor serve CLIENTS CAMERAS FPS STAGGER_MS SECONDS CLIP.aus...
 *     The floor: the least a server can do to deliver these bytes. Listens
 *     on 127.0.0.1 (a port chosen by the kernel) and prints
 *     "ready on ws://127.0.0.1:PORT/". Every connection gets a fixed
 *     "101 Switching Protocols" (no checks at all) and then, as each access
 *     unit falls due, one WebSocket binary frame: the 24-byte header of
 *     docs/protocol.md (its receive time = the moment the unit fell due,
 *     CLOCK_REALTIME, microseconds) and the access unit, with one blocking
 *     sendmsg() per client. Nothing else: no queues, no reading.
 *
 *   media-floor feed HOST PORT CAMERAS FPS STAGGER_MS SECONDS CLIP.aus...
 *     The feeder: one TCP connection per camera to HOST:PORT (the Node.js
 *     relay's feed port); each access unit as a record
 *     [u32 LE length][24-byte header][access unit], the header's receive
 *     time left for the relay to fill in.
 *
 * CLIP.aus (written by bench/media-bench.js from the demuxed clips): records
 * [u32 LE length][u32 LE flags: 1 keyframe, 2 SPS/PPS][access unit].
 * Stops after SECONDS, or on SIGTERM. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MAX_CAMERAS 64
#define MAX_CLIPS 16
#define MAX_CLIENTS 256

typedef struct {
    unsigned char *data;
    uint32_t len, flags;
} au;

typedef struct {
    au *aus;
    size_t n;
} clip;

static clip clips[MAX_CLIPS];
static int n_clips;

static void die(const char *what)
{
    fprintf(stderr, "media-floor: %s: %s\n", what, strerror(errno));
    exit(2);
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void load_clip(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die(path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)size);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size)
        die(path);
    fclose(f);
    clip *c = &clips[n_clips++];
    size_t cap = 0;
    for (long off = 0; off + 8 <= size;) {
        uint32_t len = le32(buf + off), flags = le32(buf + off + 4);
        if (off + 8 + (long)len > size)
            break;
        if (c->n == cap) {
            cap = cap ? cap * 2 : 1024;
            c->aus = realloc(c->aus, cap * sizeof *c->aus);
        }
        c->aus[c->n++] = (au){buf + off + 8, len, flags};
        off += 8 + len;
    }
    if (!c->n) {
        fprintf(stderr, "media-floor: no access units in %s\n", path);
        exit(2);
    }
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t real_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* Writes all of iov (blocking socket); -1 when the peer is gone. */
static int send_all(int fd, struct iovec *iov, int n)
{
    while (n > 0) {
        struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)n};
        ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        while (n > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
    return 0;
}

static int clients[MAX_CLIENTS], n_clients;

/* Accepts one connection and answers its upgrade request without looking. */
static void accept_client(int lfd)
{
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
        return;
    char req[4096];
    size_t got = 0;
    while (got < sizeof req - 1) {
        ssize_t r = read(fd, req + got, sizeof req - 1 - got);
        if (r <= 0)
            break;
        got += (size_t)r;
        req[got] = 0;
        if (strstr(req, "\r\n\r\n"))
            break;
    }
    static const char resp[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                               "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    if (write(fd, resp, sizeof resp - 1) != (ssize_t)(sizeof resp - 1) || n_clients >= MAX_CLIENTS) {
        close(fd);
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    clients[n_clients++] = fd;
}

int main(int argc, char **argv)
{
    int serve = argc > 1 && !strcmp(argv[1], "serve");
    int feed = argc > 1 && !strcmp(argv[1], "feed");
    int base = serve ? 2 : 3; /* argv[base]: CLIENTS, or PORT after HOST */
    if ((!serve && !feed) || argc < base + 6) {
        fprintf(stderr, "usage: media-floor serve CLIENTS CAMERAS FPS STAGGER_MS SECONDS CLIP.aus...\n"
                        "       media-floor feed HOST PORT CAMERAS FPS STAGGER_MS SECONDS CLIP.aus...\n");
        return 2;
    }
    int cameras = atoi(argv[base + 1]);
    double fps = atof(argv[base + 2]), stagger_ms = atof(argv[base + 3]), seconds = atof(argv[base + 4]);
    if (cameras < 1 || cameras > MAX_CAMERAS || fps <= 0) {
        fprintf(stderr, "media-floor: bad camera count or rate\n");
        return 2;
    }
    for (int i = base + 5; i < argc && n_clips < MAX_CLIPS; i++)
        load_clip(argv[i]);

    int lfd = -1, feeds[MAX_CAMERAS];
    if (serve) {
        lfd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET};
        inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
        socklen_t sl = sizeof sa;
        if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) || listen(lfd, 64) ||
            getsockname(lfd, (struct sockaddr *)&sa, &sl))
            die("listen");
        printf("media-floor: ready on ws://127.0.0.1:%d/\n", ntohs(sa.sin_port));
        fflush(stdout);
    } else {
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[3]))};
        inet_pton(AF_INET, argv[2], &sa.sin_addr);
        for (int c = 0; c < cameras; c++) {
            feeds[c] = socket(AF_INET, SOCK_STREAM, 0);
            if (feeds[c] < 0 || connect(feeds[c], (struct sockaddr *)&sa, sizeof sa))
                die("connect to the relay");
            int one = 1;
            setsockopt(feeds[c], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
        fprintf(stderr, "media-floor: feeding %d cameras to %s:%s\n", cameras, argv[2], argv[3]);
    }

    int64_t period = (int64_t)(1e9 / fps), t0 = mono_ns() + 50000000LL;
    int64_t end = t0 + (int64_t)(seconds * 1e9);
    long next[MAX_CAMERAS] = {0}; /* the next frame number of each camera */
    for (;;) {
        /* The camera due first. */
        int cam = 0;
        int64_t due = INT64_MAX;
        for (int c = 0; c < cameras; c++) {
            int64_t t = t0 + (int64_t)(stagger_ms * 1e6) * c + next[c] * period;
            if (t < due) {
                due = t;
                cam = c;
            }
        }
        if (due > end)
            break;
        /* Wait for it (the floor accepts connections meanwhile). */
        for (int64_t now = mono_ns(); now < due; now = mono_ns()) {
            if (serve) {
                struct pollfd p = {.fd = lfd, .events = POLLIN};
                int ms = (int)((due - now) / 1000000);
                if (poll(&p, 1, ms) > 0)
                    accept_client(lfd);
                if (ms > 0)
                    continue;
            }
            struct timespec ts = {(time_t)(due / 1000000000LL), (long)(due % 1000000000LL)};
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        }
        const clip *cl = &clips[cam % n_clips];
        const au *a = &cl->aus[next[cam] % (long)cl->n];
        int64_t pts_us = next[cam] * (int64_t)(1e6 / fps);
        next[cam]++;
        unsigned char head[14 + 24];
        size_t h = 0;
        size_t payload = 24 + (size_t)a->len;
        if (serve) { /* WebSocket binary frame header, unmasked */
            head[h++] = 0x82;
            if (payload < 126) {
                head[h++] = (unsigned char)payload;
            } else if (payload < 65536) {
                head[h++] = 126;
                head[h++] = (unsigned char)(payload >> 8);
                head[h++] = (unsigned char)payload;
            } else {
                head[h++] = 127;
                for (int i = 7; i >= 0; i--)
                    head[h++] = (unsigned char)((uint64_t)payload >> (8 * i));
            }
        } else { /* feed record length */
            put_le(head, payload, 4);
            h = 4;
        }
        unsigned char *m = head + h;
        m[0] = 1;
        m[1] = (unsigned char)(a->flags & 3);
        put_le(m + 2, 24, 2);
        put_le(m + 4, (uint64_t)(cam + 1), 4);
        put_le(m + 8, (uint64_t)pts_us, 8);
        put_le(m + 16, serve ? (uint64_t)real_us() : 0, 8);
        h += 24;
        if (serve) {
            for (int i = 0; i < n_clients; i++) {
                struct iovec iov[2] = {{head, h}, {a->data, a->len}};
                if (send_all(clients[i], iov, 2)) {
                    close(clients[i]);
                    clients[i--] = clients[--n_clients];
                }
            }
        } else {
            struct iovec iov[2] = {{head, h}, {a->data, a->len}};
            if (send_all(feeds[cam], iov, 2)) {
                fprintf(stderr, "media-floor: the relay closed camera %d's feed\n", cam + 1);
                return 1;
            }
        }
    }
    return 0;
}
