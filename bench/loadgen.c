/* loadgen.c - the benchmark's load generator in C: N WebSocket clients and one
 * operator on one epoll loop, single-threaded, so that the clients' own cost
 * hardly shows in the latency (bench/load.js is the same thing in Node.js).
 *
 * The operator applies a layout every INTERVAL ms, each based on the version
 * from the last reply or wall event. For each change we take the time from
 * just before the operator's send to the moment the LAST of the N clients has
 * read the whole resulting `wall` event (CLOCK_MONOTONIC, taken right after
 * the read() that completed the frame). The server's CPU over the measured
 * changes comes from /proc/PID/stat (utime+stime) and /proc/PID/schedstat.
 *
 *   loadgen HOST PORT PATH PID LABEL CLIENTS CHANGES WARMUP INTERVAL_MS LAYOUTS_FILE
 * LAYOUTS_FILE: one layout JSON per line; change k applies line k % lines.
 * Progress goes to stderr; one JSON result line to stdout.
 *
 * Only what the benchmark needs of RFC 6455: client frames masked, server
 * frames unmasked, no extensions; pings are answered; only the first 256
 * bytes of a client's message are kept (the event name and the version are
 * at its start). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "ws_client.h"

#define CLIENT_HEAD 256
#define OPERATOR_HEAD (4 << 20)
#define DRAIN_NS (5 * 1000000000LL)
#define MAX_LAYOUTS 16

typedef struct conn {
    int fd;
    int index;       /* client number, -1 for the operator */
    unsigned char hdr[14];
    int hdr_len;     /* bytes of the current frame header so far */
    int hdr_need;    /* bytes the header has (2 until the length is known) */
    uint64_t left;   /* payload bytes of the current frame still to read */
    int opcode;
    int fin;
    unsigned char *head; /* the first bytes of the current message */
    size_t head_len, head_cap;
    size_t msg_len;      /* the current message's whole length */
    unsigned char ctrl[125]; /* a control frame's payload */
    size_t ctrl_len;
    long messages;
    int closed;
} conn;

static const char *label;
static int n_clients, n_changes, n_warmup, total;
static conn *clients;
static conn op;
static double *recv_at; /* [client * total + k], ns; 0 = not yet */
static int *got;        /* clients that have change k */
static int64_t *t_send;
static int64_t first_version; /* the version change 0 produces */
static int64_t version = -1;  /* the wall's newest version, as the operator knows it */
static int waiting_reply;
static int errors, late, stray, wall_bytes;
static int64_t batch_ns[1 << 16];
static int n_batch;
static int measuring;
/* When clients read a `data` event (the clocks' background traffic), in
 * order: a change during which any client got one is counted as overlapped. */
#define MAX_DATA_EVENTS (1 << 21)
static int64_t *data_at;
static int n_data;
static int busy_poll; /* LOADGEN_BUSY_POLL=1: spin on epoll_wait(0) instead of sleeping */

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void cpu_of(int pid, long *ticks, long long *sched_ns)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f || !fgets(buf, sizeof buf, f))
        wsc_die(path);
    fclose(f);
    char *p = strrchr(buf, ')') + 2; /* field 3 */
    unsigned long utime = 0, stime = 0;
    for (int field = 3; field <= 15; field++) {
        char *end;
        unsigned long v = strtoul(p, &end, 10);
        if (field == 14)
            utime = v;
        if (field == 15)
            stime = v;
        p = end + 1;
    }
    *ticks = (long)(utime + stime);
    snprintf(path, sizeof path, "/proc/%d/schedstat", pid);
    f = fopen(path, "r");
    if (!f || fscanf(f, "%lld", sched_ns) != 1)
        wsc_die(path);
    fclose(f);
}

/* Writes a masked text (0x1) or pong (0xA) frame, all of it. The mask key
 * is zero, which leaves the payload as it is. */
/* The integer after the first `key` at or after `from` in buf, or -1. */
static int64_t int_after(const unsigned char *buf, size_t len, const char *key, size_t from)
{
    if (from >= len)
        return -1;
    const unsigned char *p = memmem(buf + from, len - from, key, strlen(key));
    if (!p)
        return -1;
    p += strlen(key);
    int64_t v = 0;
    int digits = 0;
    while (p < buf + len && *p >= '0' && *p <= '9') {
        v = v * 10 + (*p++ - '0');
        digits++;
    }
    return digits ? v : -1;
}

static int is_wall_event(const unsigned char *m, size_t len)
{
    return len > 12 && memcmp(m, "{\"ev\":\"wall\"", 12) == 0;
}

static void on_operator_message(const unsigned char *m, size_t len)
{
    if (op.messages == 1) { /* the snapshot: the wall's version is the first under "walls" */
        const unsigned char *w = memmem(m, len, "\"walls\":", 8);
        version = w ? int_after(m, len, "\"version\":", (size_t)(w - m)) : -1;
        if (version < 0) {
            fprintf(stderr, "loadgen[%s]: no wall version in the operator's snapshot\n", label);
            exit(2);
        }
        return;
    }
    if (is_wall_event(m, len)) {
        int64_t v = int_after(m, len, "\"version\":", 0);
        if (v > version)
            version = v;
        return;
    }
    if (len > 6 && memcmp(m, "{\"re\":", 6) == 0) {
        if (memmem(m, len, "\"ok\":", 5)) {
            int64_t v = int_after(m, len, "\"version\":", 0);
            if (v > version)
                version = v;
        } else {
            errors++;
            fprintf(stderr, "loadgen[%s]: error reply %.*s\n", label, (int)len, (const char *)m);
            int64_t cur = int_after(m, len, "\"current\":", 0);
            if (cur > 0)
                version = cur;
        }
        waiting_reply = 0;
    }
}

static void on_client_message(conn *c, int64_t t)
{
    if (!is_wall_event(c->head, c->head_len)) {
        if (c->head_len > 12 && memcmp(c->head, "{\"ev\":\"data\"", 12) == 0 && n_data < MAX_DATA_EVENTS)
            data_at[n_data++] = t;
        return;
    }
    int64_t v = int_after(c->head, c->head_len, "\"version\":", 0);
    int64_t k = v - first_version;
    if (first_version <= 0 || k < 0 || k >= total) {
        stray++;
        return;
    }
    double *slot = &recv_at[(size_t)c->index * total + k];
    if (*slot != 0)
        return;
    *slot = (double)t;
    got[k]++;
    wall_bytes = (int)c->msg_len;
}

/* A whole message (or the first frame of a fragmented one) has arrived. */
static void on_message(conn *c, int64_t t)
{
    c->messages++;
    if (c->index < 0)
        on_operator_message(c->head, c->head_len);
    else if (c->messages > 1) /* the first is the snapshot */
        on_client_message(c, t);
}

/* Feeds bytes read from c's socket through the frame parser. */
static void feed(conn *c, const unsigned char *p, size_t n, int64_t t)
{
    while (n > 0) {
        if (c->hdr_len < c->hdr_need) { /* header */
            c->hdr[c->hdr_len++] = *p++;
            n--;
            if (c->hdr_len == 2) {
                int l7 = c->hdr[1] & 0x7f;
                c->hdr_need = 2 + (l7 == 126 ? 2 : l7 == 127 ? 8 : 0) + ((c->hdr[1] & 0x80) ? 4 : 0);
            }
            if (c->hdr_len < c->hdr_need)
                continue;
            c->fin = c->hdr[0] & 0x80;
            c->opcode = c->hdr[0] & 0x0f;
            int l7 = c->hdr[1] & 0x7f;
            uint64_t len = (uint64_t)l7;
            if (l7 == 126)
                len = ((uint64_t)c->hdr[2] << 8) | c->hdr[3];
            else if (l7 == 127) {
                len = 0;
                for (int i = 0; i < 8; i++)
                    len = (len << 8) | c->hdr[2 + i];
            }
            c->left = len;
            if (c->opcode >= 0x8) {
                c->ctrl_len = 0;
            } else {
                if (c->opcode != 0) { /* a new message */
                    c->head_len = 0;
                    c->msg_len = 0;
                }
                c->msg_len += len;
            }
        } else if (c->left > 0) { /* payload */
            size_t take = c->left < n ? (size_t)c->left : n;
            unsigned char *dst = c->opcode >= 0x8 ? c->ctrl : c->head;
            size_t *dst_len = c->opcode >= 0x8 ? &c->ctrl_len : &c->head_len;
            size_t cap = c->opcode >= 0x8 ? sizeof c->ctrl : c->head_cap;
            size_t keep = cap - *dst_len;
            if (keep > take)
                keep = take;
            memcpy(dst + *dst_len, p, keep);
            *dst_len += keep;
            p += take;
            n -= take;
            c->left -= take;
        }
        if (c->hdr_len == c->hdr_need && c->left == 0) { /* frame complete */
            if (c->opcode == 0x9)
                wsc_send_frame(c->fd, 0xA, (const char *)c->ctrl, c->ctrl_len);
            else if (c->opcode == 0x8) {
                c->closed = 1;
                if (!measuring || c->index < 0)
                    fprintf(stderr, "loadgen[%s]: connection %d closed by the server\n", label, c->index);
            } else if ((c->opcode == 0x1 || c->opcode == 0x0) && c->fin)
                on_message(c, t);
            c->hdr_len = 0;
            c->hdr_need = 2;
        }
    }
}

static int connect_ws(const char *host, int port, const char *path, conn *c, int index, size_t head_cap)
{
    unsigned char rest[WSC_REST_MAX];
    size_t rest_len;
    int fd = wsc_connect(host, port, path, rest, &rest_len);
    memset(c, 0, sizeof *c);
    c->fd = fd;
    c->index = index;
    c->hdr_need = 2;
    c->head_cap = head_cap;
    c->head = malloc(head_cap);
    if (rest_len)
        feed(c, rest, rest_len, now_ns());
    return fd;
}

static char *layouts[MAX_LAYOUTS];
static int n_layouts;

static void read_layouts(const char *file)
{
    FILE *f = fopen(file, "r");
    if (!f)
        wsc_die(file);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while (n_layouts < MAX_LAYOUTS && (len = getline(&line, &cap, f)) > 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (len)
            layouts[n_layouts++] = strdup(line);
    }
    free(line);
    fclose(f);
    if (!n_layouts) {
        fprintf(stderr, "loadgen[%s]: no layouts in %s\n", label, file);
        exit(2);
    }
}

static char *wall_id = "main";
static int next_id = 1;
static char *msgbuf;

static void send_change(int k)
{
    int n = sprintf(msgbuf, "{\"op\":\"layout.apply\",\"id\":%d,\"wall\":\"%s\",\"version\":%lld,\"layout\":%s}",
                    next_id++, wall_id, (long long)version, layouts[k % n_layouts]);
    if (k == 0)
        first_version = version + 1;
    else if (version + 1 != first_version + k) {
        /* Should not happen: every change moves the version by one. */
        fprintf(stderr, "loadgen[%s]: change %d based on version %lld, expected %lld\n", label, k,
                (long long)version, (long long)(first_version + k - 1));
        exit(2);
    }
    waiting_reply = 1;
    t_send[k] = now_ns();
    wsc_send_frame(op.fd, 0x1, msgbuf, (size_t)n);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(const double *sorted, int n, double p)
{
    int rank = (int)((p / 100.0) * n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int epfd;

/* One pass of the event loop: reads whatever is ready. Returns 1 when the
 * timer fired. */
static int poll_once(int timerfd, int timeout_ms)
{
    struct epoll_event ev[512];
    int n;
    if (busy_poll && timeout_ms != 0) {
        int64_t until = timeout_ms < 0 ? INT64_MAX : now_ns() + (int64_t)timeout_ms * 1000000;
        while ((n = epoll_wait(epfd, ev, 512, 0)) == 0 && now_ns() < until)
            ;
    } else {
        n = epoll_wait(epfd, ev, 512, timeout_ms);
    }
    if (n < 0 && errno != EINTR)
        wsc_die("epoll_wait");
    int64_t b0 = now_ns();
    int fired = 0;
    static unsigned char buf[1 << 16];
    for (int i = 0; i < n; i++) {
        conn *c = ev[i].data.ptr;
        if (!c) {
            uint64_t x;
            if (read(timerfd, &x, sizeof x) > 0)
                fired = 1;
            continue;
        }
        ssize_t r = read(c->fd, buf, sizeof buf);
        int64_t t = now_ns();
        if (r > 0)
            feed(c, buf, (size_t)r, t);
        else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
            if (!c->closed)
                fprintf(stderr, "loadgen[%s]: connection %d lost\n", label, c->index);
            c->closed = 1;
            epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
        }
    }
    if (measuring && n > 0 && n_batch < (int)(sizeof batch_ns / sizeof batch_ns[0]))
        batch_ns[n_batch++] = now_ns() - b0;
    return fired;
}

static void arm(int timerfd, int64_t at_ns)
{
    struct itimerspec its = {0};
    its.it_value.tv_sec = at_ns / 1000000000LL;
    its.it_value.tv_nsec = at_ns % 1000000000LL;
    if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
        its.it_value.tv_nsec = 1;
    if (timerfd_settime(timerfd, TFD_TIMER_ABSTIME, &its, NULL))
        wsc_die("timerfd_settime");
}

int main(int argc, char **argv)
{
    if (argc != 11) {
        fprintf(stderr, "usage: loadgen HOST PORT PATH PID LABEL CLIENTS CHANGES WARMUP INTERVAL_MS LAYOUTS_FILE\n");
        return 2;
    }
    const char *host = argv[1], *path = argv[3];
    int port = atoi(argv[2]), pid = atoi(argv[4]);
    label = argv[5];
    wsc_prog = "loadgen";
    wsc_label = label;
    n_clients = atoi(argv[6]);
    n_changes = atoi(argv[7]);
    n_warmup = atoi(argv[8]);
    int64_t interval = (int64_t)atoi(argv[9]) * 1000000LL;
    read_layouts(argv[10]);
    busy_poll = getenv("LOADGEN_BUSY_POLL") && atoi(getenv("LOADGEN_BUSY_POLL"));
    total = n_warmup + n_changes;
    size_t longest = 0;
    for (int i = 0; i < n_layouts; i++)
        if (strlen(layouts[i]) > longest)
            longest = strlen(layouts[i]);
    msgbuf = malloc(longest + 256);
    clients = calloc((size_t)n_clients, sizeof *clients);
    recv_at = calloc((size_t)n_clients * total, sizeof *recv_at);
    got = calloc((size_t)total, sizeof *got);
    t_send = calloc((size_t)total, sizeof *t_send);
    data_at = malloc(sizeof *data_at * MAX_DATA_EVENTS);

    epfd = epoll_create1(0);
    int timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct epoll_event tev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(epfd, EPOLL_CTL_ADD, timerfd, &tev);

    /* Connect: handshakes one by one, then everything on the loop. */
    int64_t t0 = now_ns();
    for (int i = 0; i < n_clients; i++) {
        connect_ws(host, port, path, &clients[i], i, CLIENT_HEAD);
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = &clients[i]};
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, clients[i].fd, &e))
            wsc_die("epoll_ctl");
    }
    connect_ws(host, port, path, &op, -1, OPERATOR_HEAD);
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = &op};
    epoll_ctl(epfd, EPOLL_CTL_ADD, op.fd, &e);
    /* Every client has its snapshot and the operator knows the version. */
    for (;;) {
        int ready = version >= 0;
        for (int i = 0; ready && i < n_clients; i++)
            ready = clients[i].messages > 0;
        if (ready)
            break;
        if (now_ns() - t0 > 20 * 1000000000LL) {
            fprintf(stderr, "loadgen[%s]: not every client got its snapshot in 20 s\n", label);
            return 2;
        }
        poll_once(timerfd, 100);
    }
    fprintf(stderr, "loadgen[%s]: %d clients connected in %lld ms\n", label, n_clients,
            (long long)((now_ns() - t0) / 1000000));

    long ticks0 = 0, ticks1 = 0;
    long long sched0 = 0, sched1 = 0;
    struct rusage ru0, ru1;
    int64_t base = now_ns() + 100 * 1000000LL;
    int64_t drain_from = 0;
    int k = 0;
    arm(timerfd, base);
    while (k < total) {
        if (!poll_once(timerfd, -1))
            continue;
        if (k == n_warmup && !measuring) {
            /* Warm-up done: let its last change land, then start measuring. */
            if (n_warmup > 0 && got[n_warmup - 1] < n_clients) {
                if (!drain_from)
                    drain_from = now_ns();
                if (now_ns() - drain_from < DRAIN_NS) {
                    arm(timerfd, now_ns() + 200000);
                    continue;
                }
            }
            cpu_of(pid, &ticks0, &sched0);
            getrusage(RUSAGE_SELF, &ru0);
            measuring = 1;
            base = now_ns() - (int64_t)k * interval;
        }
        if (waiting_reply) {
            /* Based on the version from the last reply: wait for it. */
            late++;
            int64_t give_up = now_ns() + DRAIN_NS;
            while (waiting_reply && now_ns() < give_up)
                poll_once(timerfd, 1);
            if (waiting_reply) {
                fprintf(stderr, "loadgen[%s]: no reply to change %d in 5 s\n", label, k - 1);
                return 2;
            }
        }
        send_change(k);
        k++;
        if (k < total)
            arm(timerfd, base + (int64_t)k * interval);
    }
    int64_t end_by = now_ns() + DRAIN_NS;
    while (got[total - 1] < n_clients && now_ns() < end_by)
        poll_once(timerfd, 10);
    int complete = got[total - 1] == n_clients;
    cpu_of(pid, &ticks1, &sched1);
    getrusage(RUSAGE_SELF, &ru1);
    measuring = 0;

    double *last = malloc(sizeof(double) * n_changes), *first = malloc(sizeof(double) * n_changes);
    double *clean = malloc(sizeof(double) * n_changes);
    char *hit = calloc((size_t)n_changes, 1);
    int n_clean = 0;
    long missing = 0;
    for (int j = n_warmup; j < total; j++) {
        double lo = 1e300, hi = 0;
        for (int c = 0; c < n_clients; c++) {
            double t = recv_at[(size_t)c * total + j];
            if (t == 0) {
                missing++;
                continue;
            }
            if (t < lo)
                lo = t;
            if (t > hi)
                hi = t;
        }
        last[j - n_warmup] = (hi - (double)t_send[j]) / 1e6;
        first[j - n_warmup] = (lo - (double)t_send[j]) / 1e6;
        /* first data event read at or after the send: before the last client had the change? */
        int a = 0, b = n_data;
        while (a < b) {
            int m = (a + b) / 2;
            if (data_at[m] < t_send[j])
                a = m + 1;
            else
                b = m;
        }
        if (!(a < n_data && (double)data_at[a] <= hi))
            clean[n_clean++] = last[j - n_warmup];
        else
            hit[j - n_warmup] = 1;
    }
    double *sl = malloc(sizeof(double) * n_changes), *sf = malloc(sizeof(double) * n_changes);
    memcpy(sl, last, sizeof(double) * n_changes);
    memcpy(sf, first, sizeof(double) * n_changes);
    qsort(sl, (size_t)n_changes, sizeof(double), cmp_double);
    qsort(sf, (size_t)n_changes, sizeof(double), cmp_double);
    double mean = 0;
    for (int j = 0; j < n_changes; j++)
        mean += last[j] / n_changes;
    qsort(clean, (size_t)n_clean, sizeof(double), cmp_double);
    qsort(batch_ns, (size_t)n_batch, sizeof batch_ns[0], cmp_i64);
    double own_ms = ((ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) + (ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec)) * 1e3 +
                    ((ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) + (ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec)) / 1e3;
    long clk = sysconf(_SC_CLK_TCK);
    printf("{\"label\":\"%s\",\"loadgen\":\"c\",\"clients\":%d,\"changes\":%d,\"warmup\":%d,\"interval\":%lld,"
           "\"complete\":%s,\"missing\":%ld,\"errors\":%d,\"late\":%d,\"strayWalls\":%d,\"wallBytes\":%d,\"dataEventsRead\":%d,",
           label, n_clients, n_changes, n_warmup, (long long)(interval / 1000000), complete ? "true" : "false",
           missing, errors, late, stray, wall_bytes, n_data);
    printf("\"last\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f,\"mean\":%.3f},", pct(sl, n_changes, 50),
           pct(sl, n_changes, 99), sl[n_changes - 1], mean);
    printf("\"first\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f},", pct(sf, n_changes, 50), pct(sf, n_changes, 99),
           sf[n_changes - 1]);
    printf("\"overlapped\":%d,\"clean\":{\"n\":%d,\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f},", n_changes - n_clean,
           n_clean, n_clean ? pct(clean, n_clean, 50) : 0, n_clean ? pct(clean, n_clean, 99) : 0,
           n_clean ? clean[n_clean - 1] : 0);
    printf("\"serverCpuPerChangeMs\":%.3f,\"serverSchedPerChangeMs\":%.3f,\"clientCpuPerChangeMs\":%.3f,",
           (double)(ticks1 - ticks0) * 1000.0 / (double)clk / n_changes, (double)(sched1 - sched0) / 1e6 / n_changes,
           own_ms / n_changes);
    printf("\"clientBatchMs\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f},",
           n_batch ? batch_ns[n_batch / 2] / 1e6 : 0, n_batch ? batch_ns[(int)(n_batch * 0.99)] / 1e6 : 0,
           n_batch ? batch_ns[n_batch - 1] / 1e6 : 0);
    printf("\"samples\":[");
    for (int j = 0; j < n_changes; j++)
        printf("%s%.3f", j ? "," : "", last[j]);
    printf("],\"firstSamples\":[");
    for (int j = 0; j < n_changes; j++)
        printf("%s%.3f", j ? "," : "", first[j]);
    printf("],\"hit\":[");
    for (int j = 0; j < n_changes; j++)
        printf("%s%d", j ? "," : "", hit[j]);
    printf("]}\n");
    fflush(stdout);
    return 0;
}
