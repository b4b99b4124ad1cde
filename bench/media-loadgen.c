/* media-loadgen.c - the media benchmark's load generator (make bench-media):
 * N WebSocket clients on one epoll loop, single-threaded, each subscribed to
 * every camera, reading binary video frames (docs/protocol.md, "Video:
 * binary frames") and measuring the added latency of each one:
 *
 *   added latency = CLOCK_REALTIME right after the read() that completed the
 *                   frame - the header's "server received" time (offset 16,
 *                   microseconds since the epoch)
 *
 * Same host, same clock. After WARMUP_S seconds it measures for MEASURE_S
 * seconds: latency percentiles over every frame every client completed in
 * the window, the bytes all clients read (delivered Mbit/s), the server's
 * CPU (utime+stime from /proc/PID/stat, and the same per thread name from
 * /proc/PID/task/<tid>/stat), its VmRSS/VmHWM at the end of the window, and
 * the CPU of the helper processes (RTSP servers, feeder) over the window.
 *
 *   media-loadgen HOST PORT PATH PIDS LABEL CLIENTS WARMUP_S MEASURE_S SUBSCRIBE_JSON
 * PIDS: the server's pid, then optionally ",pid,pid..." of helpers.
 * Progress goes to stderr; one JSON result line to stdout.
 *
 * Only what the benchmark needs of RFC 6455 (as in bench/loadgen.c): client
 * frames masked with a zero key, server frames unmasked, no extensions, pings
 * answered; of each message only its first bytes are kept (the 24-byte video
 * header, or the start of a text message). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
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
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "ws_client.h"

#define HEAD_KEEP 256
#define MAX_STREAMS 64
#define MAX_THREAD_NAMES 64
#define MAX_HELPERS 32

typedef struct conn {
    int fd;
    int index;
    unsigned char hdr[14];
    int hdr_len, hdr_need;
    uint64_t left;
    int opcode; /* of the current frame */
    int msg_opcode; /* of the current message (continuations keep it) */
    int fin;
    unsigned char head[HEAD_KEEP];
    size_t head_len;
    unsigned char ctrl[125];
    size_t ctrl_len;
    long texts, binaries, replies, closed;
    long frames_in_window;
} conn;

static const char *label;
static int n_clients;
static conn *clients;
static int measuring;
static int32_t *lat; /* µs, one per frame completed in the window */
static size_t n_lat, cap_lat;
static long negative; /* frames whose receive time was after our clock (clock trouble) */
static long long bytes_window;
static long frames_window, keyframes_window, texts_window;
static uint32_t stream_ids[MAX_STREAMS];
static long stream_frames[MAX_STREAMS];
static int n_streams;
static int64_t batch_ns[1 << 20];
static int n_batch;

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

/* utime+stime (clock ticks) of /proc/PID/stat or /proc/PID/task/TID/stat;
 * the thread's name into comm when given. -1 when it is gone. */
static long ticks_of(const char *path, char *comm, size_t comm_cap)
{
    char buf[1024];
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *open = strchr(buf, '('), *close = strrchr(buf, ')');
    if (!open || !close)
        return -1;
    if (comm) {
        size_t len = (size_t)(close - open - 1);
        if (len >= comm_cap)
            len = comm_cap - 1;
        memcpy(comm, open + 1, len);
        comm[len] = 0;
    }
    char *p = close + 2; /* field 3 */
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
    return (long)(utime + stime);
}

static long proc_ticks(int pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    return ticks_of(path, NULL, 0);
}

/* Per-thread CPU: thread names with the ticks of their threads, summed. */
typedef struct {
    int tid;
    char comm[32];
    long ticks;
} thread_ticks;

static int read_threads(int pid, thread_ticks *out, int cap)
{
    char path[320];
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    DIR *d = opendir(path);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < cap) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/%d/task/%s/stat", pid, e->d_name);
        long t = ticks_of(path, out[n].comm, sizeof out[n].comm);
        if (t < 0)
            continue;
        out[n].tid = atoi(e->d_name);
        out[n].ticks = t;
        n++;
    }
    closedir(d);
    return n;
}

static long status_kb(int pid, const char *key)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long v = -1;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, kl) && line[kl] == ':') {
            v = strtol(line + kl + 1, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

/* Busy and total ticks of each CPU from /proc/stat (busy: all but idle and
 * iowait). Returns the number of CPUs. */
#define MAX_CPUS 64
static int cpu_ticks(long long *busy, long long *total)
{
    FILE *f = fopen("/proc/stat", "r");
    if (!f)
        return 0;
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f) && n < MAX_CPUS) {
        if (strncmp(line, "cpu", 3) || line[3] < '0' || line[3] > '9')
            continue;
        long long v[10] = {0};
        sscanf(line + 3, "%*d %lld %lld %lld %lld %lld %lld %lld %lld", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
               &v[6], &v[7]);
        total[n] = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
        busy[n] = total[n] - v[3] - v[4];
        n++;
    }
    fclose(f);
    return n;
}

/* A masked frame (zero mask key), all of it. */
static int64_t le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return (int64_t)v;
}

static void count_stream(uint32_t id)
{
    for (int i = 0; i < n_streams; i++)
        if (stream_ids[i] == id) {
            stream_frames[i]++;
            return;
        }
    if (n_streams < MAX_STREAMS) {
        stream_ids[n_streams] = id;
        stream_frames[n_streams++] = 1;
    }
}

/* A whole message has arrived; t_us: when the read() that completed it returned. */
static void on_message(conn *c, int64_t t_us)
{
    if (c->msg_opcode == 0x1) {
        c->texts++;
        if (c->head_len > 6 && !memcmp(c->head, "{\"re\":", 6)) {
            c->replies++;
            if (!memmem(c->head, c->head_len, "\"ok\"", 4))
                fprintf(stderr, "media-loadgen[%s]: error reply: %.*s\n", label, (int)c->head_len, c->head);
        }
        if (measuring)
            texts_window++;
        return;
    }
    if (c->msg_opcode != 0x2 || c->head_len < 24)
        return;
    c->binaries++;
    if (!measuring)
        return;
    int64_t sent = le64(c->head + 16);
    int64_t d = t_us - sent;
    if (d < 0) {
        negative++;
        d = 0;
    }
    if (n_lat == cap_lat) {
        cap_lat = cap_lat ? cap_lat * 2 : 1 << 16;
        lat = realloc(lat, cap_lat * sizeof *lat);
        if (!lat)
            wsc_die("realloc");
    }
    lat[n_lat++] = d > INT32_MAX ? INT32_MAX : (int32_t)d;
    frames_window++;
    c->frames_in_window++;
    if (c->head[1] & 1)
        keyframes_window++;
    count_stream((uint32_t)c->head[4] | (uint32_t)c->head[5] << 8 | (uint32_t)c->head[6] << 16 |
                 (uint32_t)c->head[7] << 24);
}

static void feed(conn *c, const unsigned char *p, size_t n, int64_t t_us)
{
    while (n > 0) {
        if (c->hdr_len < c->hdr_need) {
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
            if (c->opcode >= 0x8)
                c->ctrl_len = 0;
            else if (c->opcode != 0) { /* a new message */
                c->msg_opcode = c->opcode;
                c->head_len = 0;
            }
        } else if (c->left > 0) {
            size_t take = c->left < n ? (size_t)c->left : n;
            if (c->opcode >= 0x8) {
                size_t keep = sizeof c->ctrl - c->ctrl_len;
                keep = keep < take ? keep : take;
                memcpy(c->ctrl + c->ctrl_len, p, keep);
                c->ctrl_len += keep;
            } else {
                size_t keep = HEAD_KEEP - c->head_len;
                keep = keep < take ? keep : take;
                memcpy(c->head + c->head_len, p, keep);
                c->head_len += keep;
            }
            p += take;
            n -= take;
            c->left -= take;
        }
        if (c->hdr_len == c->hdr_need && c->left == 0) {
            if (c->opcode == 0x9)
                wsc_send_frame(c->fd, 0xA, (const char *)c->ctrl, c->ctrl_len);
            else if (c->opcode == 0x8) {
                c->closed = 1;
                fprintf(stderr, "media-loadgen[%s]: client %d closed by the server\n", label, c->index);
            } else if (c->opcode <= 0x2 && c->fin)
                on_message(c, t_us);
            c->hdr_len = 0;
            c->hdr_need = 2;
        }
    }
}

static void connect_ws(const char *host, int port, const char *path, conn *c, int index)
{
    unsigned char rest[WSC_REST_MAX];
    size_t rest_len;
    int fd = wsc_connect(host, port, path, rest, &rest_len);
    memset(c, 0, sizeof *c);
    c->fd = fd;
    c->index = index;
    c->hdr_need = 2;
    if (rest_len)
        feed(c, rest, rest_len, real_us());
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static double pct_i32(const int32_t *s, size_t n, double p)
{
    if (!n)
        return 0;
    size_t rank = (size_t)((p / 100.0) * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return s[rank - 1];
}

static int epfd;
static unsigned char rbuf[1 << 18];

static void poll_once(int timeout_ms)
{
    struct epoll_event ev[64];
    int n = epoll_wait(epfd, ev, 64, timeout_ms);
    if (n < 0 && errno != EINTR)
        wsc_die("epoll_wait");
    int64_t b0 = mono_ns();
    for (int i = 0; i < n; i++) {
        conn *c = ev[i].data.ptr;
        ssize_t r = read(c->fd, rbuf, sizeof rbuf);
        int64_t t = real_us();
        if (r > 0) {
            if (measuring)
                bytes_window += r;
            feed(c, rbuf, (size_t)r, t);
        } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
            if (!c->closed)
                fprintf(stderr, "media-loadgen[%s]: client %d lost\n", label, c->index);
            c->closed = 1;
            epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
        }
    }
    if (measuring && n > 0 && n_batch < (int)(sizeof batch_ns / sizeof batch_ns[0]))
        batch_ns[n_batch++] = mono_ns() - b0;
}

static void run_for(int64_t ns)
{
    int64_t until = mono_ns() + ns;
    for (;;) {
        int64_t left = until - mono_ns();
        if (left <= 0)
            return;
        poll_once((int)(left / 1000000) + 1);
    }
}

int main(int argc, char **argv)
{
    if (argc != 10) {
        fprintf(stderr, "usage: media-loadgen HOST PORT PATH PID[,HELPER_PID...] LABEL CLIENTS WARMUP_S MEASURE_S "
                        "SUBSCRIBE_JSON\n");
        return 2;
    }
    const char *host = argv[1], *path = argv[3];
    int port = atoi(argv[2]);
    label = argv[5];
    wsc_prog = "media-loadgen";
    wsc_label = label;
    n_clients = atoi(argv[6]);
    double warmup_s = atof(argv[7]), measure_s = atof(argv[8]);
    const char *subscribe = argv[9];
    int pid = 0, helpers[MAX_HELPERS], n_helpers = 0;
    {
        char *list = strdup(argv[4]), *save = NULL;
        for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            if (!pid)
                pid = atoi(tok);
            else if (n_helpers < MAX_HELPERS)
                helpers[n_helpers++] = atoi(tok);
        }
        free(list);
    }
    clients = calloc((size_t)n_clients, sizeof *clients);
    epfd = epoll_create1(0);
    int64_t t0 = mono_ns();
    for (int i = 0; i < n_clients; i++) {
        connect_ws(host, port, path, &clients[i], i);
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = &clients[i]};
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, clients[i].fd, &e))
            wsc_die("epoll_ctl");
        wsc_send_frame(clients[i].fd, 0x1, subscribe, strlen(subscribe));
    }
    fprintf(stderr, "media-loadgen[%s]: %d clients connected and subscribed in %lld ms; warming up %.0f s\n", label,
            n_clients, (long long)((mono_ns() - t0) / 1000000), warmup_s);
    run_for((int64_t)(warmup_s * 1e9));
    long warm_frames = 0;
    for (int i = 0; i < n_clients; i++)
        warm_frames += clients[i].binaries;
    if (!warm_frames) {
        fprintf(stderr, "media-loadgen[%s]: no video frame arrived during the %.0f s warm-up\n", label, warmup_s);
        return 3;
    }

    static thread_ticks th0[512], th1[512];
    long hticks0[MAX_HELPERS], hticks1[MAX_HELPERS];
    for (int i = 0; i < n_helpers; i++)
        hticks0[i] = proc_ticks(helpers[i]);
    int nth0 = read_threads(pid, th0, 512);
    long ticks0 = proc_ticks(pid);
    static long long busy0[MAX_CPUS], total0[MAX_CPUS], busy1[MAX_CPUS], total1[MAX_CPUS];
    int ncpu = cpu_ticks(busy0, total0);
    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    int64_t m0 = mono_ns();
    measuring = 1;
    run_for((int64_t)(measure_s * 1e9));
    measuring = 0;
    int64_t m1 = mono_ns();
    long ticks1 = proc_ticks(pid);
    cpu_ticks(busy1, total1);
    int nth1 = read_threads(pid, th1, 512);
    getrusage(RUSAGE_SELF, &ru1);
    for (int i = 0; i < n_helpers; i++)
        hticks1[i] = proc_ticks(helpers[i]);
    long rss = status_kb(pid, "VmRSS"), hwm = status_kb(pid, "VmHWM");
    if (ticks0 < 0 || ticks1 < 0) {
        fprintf(stderr, "media-loadgen[%s]: the server (pid %d) is gone\n", label, pid);
        return 2;
    }

    double window = (double)(m1 - m0) / 1e9;
    long clk = sysconf(_SC_CLK_TCK);
    qsort(lat, n_lat, sizeof *lat, cmp_i32);
    qsort(batch_ns, (size_t)n_batch, sizeof batch_ns[0], cmp_i64);
    double mean = 0;
    for (size_t i = 0; i < n_lat; i++)
        mean += (double)lat[i] / (double)n_lat;
    long minf = -1, maxf = 0, closed = 0;
    for (int i = 0; i < n_clients; i++) {
        if (minf < 0 || clients[i].frames_in_window < minf)
            minf = clients[i].frames_in_window;
        if (clients[i].frames_in_window > maxf)
            maxf = clients[i].frames_in_window;
        closed += clients[i].closed;
    }
    long sminf = -1, smaxf = 0;
    for (int i = 0; i < n_streams; i++) {
        if (sminf < 0 || stream_frames[i] < sminf)
            sminf = stream_frames[i];
        if (stream_frames[i] > smaxf)
            smaxf = stream_frames[i];
    }
    double own_s = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) + (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
                   (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6 +
                   (double)(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
    long hsum = 0;
    for (int i = 0; i < n_helpers; i++)
        if (hticks0[i] >= 0 && hticks1[i] >= 0)
            hsum += hticks1[i] - hticks0[i];

    printf("{\"label\":\"%s\",\"clients\":%d,\"windowS\":%.3f,\"frames\":%ld,\"keyframes\":%ld,\"texts\":%ld,"
           "\"bytes\":%lld,\"mbps\":%.3f,\"streams\":%d,\"framesPerStreamMin\":%ld,\"framesPerStreamMax\":%ld,"
           "\"framesPerClientMin\":%ld,\"framesPerClientMax\":%ld,\"closed\":%ld,\"negative\":%ld,",
           label, n_clients, window, frames_window, keyframes_window, texts_window, bytes_window,
           (double)bytes_window * 8 / window / 1e6, n_streams, sminf < 0 ? 0 : sminf, smaxf, minf < 0 ? 0 : minf, maxf,
           closed, negative);
    printf("\"latencyUs\":{\"p50\":%.0f,\"p90\":%.0f,\"p99\":%.0f,\"p999\":%.0f,\"max\":%.0f,\"mean\":%.1f},",
           pct_i32(lat, n_lat, 50), pct_i32(lat, n_lat, 90), pct_i32(lat, n_lat, 99), pct_i32(lat, n_lat, 99.9),
           n_lat ? (double)lat[n_lat - 1] : 0, mean);
    printf("\"serverCpuS\":%.3f,\"rssKb\":%ld,\"hwmKb\":%ld,\"helperCpuS\":%.3f,\"loadgenCpuS\":%.3f,",
           (double)(ticks1 - ticks0) / (double)clk, rss, hwm, (double)hsum / (double)clk, own_s);
    printf("\"loadgenBatchMs\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f},", n_batch ? batch_ns[n_batch / 2] / 1e6 : 0,
           n_batch ? batch_ns[(int)(n_batch * 0.99)] / 1e6 : 0, n_batch ? batch_ns[n_batch - 1] / 1e6 : 0);
    printf("\"cpuBusyPct\":[");
    for (int i = 0; i < ncpu; i++)
        printf("%s%.1f", i ? "," : "",
               total1[i] > total0[i] ? 100.0 * (double)(busy1[i] - busy0[i]) / (double)(total1[i] - total0[i]) : 0);
    printf("],");
    /* Per thread name: CPU seconds over the window of the threads alive at both ends. */
    printf("\"threads\":{");
    int first = 1;
    char done_names[MAX_THREAD_NAMES][32];
    int n_done = 0;
    for (int i = 0; i < nth1; i++) {
        int seen = 0;
        for (int j = 0; j < n_done; j++)
            if (!strcmp(done_names[j], th1[i].comm))
                seen = 1;
        if (seen || n_done >= MAX_THREAD_NAMES)
            continue;
        snprintf(done_names[n_done++], 32, "%s", th1[i].comm);
        long sum = 0;
        int count = 0;
        for (int k = 0; k < nth1; k++) {
            if (strcmp(th1[k].comm, th1[i].comm))
                continue;
            count++;
            long before = 0;
            for (int j = 0; j < nth0; j++)
                if (th0[j].tid == th1[k].tid)
                    before = th0[j].ticks;
            sum += th1[k].ticks - before;
        }
        printf("%s\"", first ? "" : ",");
        for (const char *s = th1[i].comm; *s; s++)
            if (*s != '"' && *s != '\\')
                putchar(*s);
        printf("\":{\"n\":%d,\"cpuS\":%.2f}", count, (double)sum / (double)clk);
        first = 0;
    }
    printf("}}\n");
    fflush(stdout);
    return 0;
}
