/* cctv_probe - drives cctv.so through a minimal fake host, without the core:
 *
 *   cctv_probe PLUGIN.so test
 *   cctv_probe PLUGIN.so file CLIP.mp4         (a clip of a few seconds: loops)
 *   cctv_probe PLUGIN.so rtsp RTSP_SERVER_BIN  (auth, sub stream, H.265, bad password)
 *   cctv_probe PLUGIN.so reconnect RTSP_SERVER_BIN
 *   cctv_probe PLUGIN.so cpu SECONDS           (four test cameras; prints CPU %)
 *
 * Checks every access unit (Annex B, the first of each start holding SPS, PPS
 * and an IDR, pts increasing, nothing after stream_close) and that the
 * camera password never appears in a log line or status reason. Exit 0 on
 * success. */
#include <pantau/plugin.h>
#include "test_rtsp_server.h"

#include <dlfcn.h>
#include <gio/gio.h>
#include <glib.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PASSWORD "Rahasia-7391"
#define USER "operator"

struct pantau_source {
    const char *id;
};

/* What the fake host saw of one stream. */
typedef struct seen_stream {
    unsigned aus;
    unsigned keyframes;
    int open;
    int64_t last_pts;
    unsigned flags;
    gint64 first_us, last_us;
} seen_stream;

typedef struct seen_source {
    pantau_source src;
    seen_stream streams[2];
    enum pantau_source_status status;
    int have_status;
    char reason[256];
} seen_source;

static GMutex lock;
static GString *transcript; /* every log line and status reason */
static int failures;
static const pantau_source_type *types[8];
static size_t ntypes;

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "FAIL: " __VA_ARGS__);                                                     \
        fputc('\n', stderr);                                                                       \
        failures++;                                                                                \
    } while (0)

/* ---- fake host ---- */

static void host_log(const pantau_host *host, enum pantau_log_level level, const char *fmt, ...)
{
    (void)host;
    va_list ap;
    va_start(ap, fmt);
    char *line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_mutex_lock(&lock);
    g_string_append_printf(transcript, "%s\n", line);
    g_mutex_unlock(&lock);
    if (level <= PANTAU_LOG_INFO)
        fprintf(stderr, "  [cctv] %s\n", line);
    g_free(line);
}

static int host_register(const pantau_host *host, const pantau_source_type *type, size_t size)
{
    (void)host;
    if (size < sizeof *type || ntypes == G_N_ELEMENTS(types))
        return -1;
    types[ntypes++] = type;
    return 0;
}

static int host_register_type(const pantau_host *host, const pantau_source_type *type)
{
    return host_register(host, type, type->size);
}

static void host_set_status(pantau_source *source, enum pantau_source_status status,
                            const char *reason)
{
    seen_source *s = (seen_source *)source;
    g_mutex_lock(&lock);
    s->status = status;
    s->have_status = 1;
    g_strlcpy(s->reason, reason ? reason : "", sizeof s->reason);
    g_string_append_printf(transcript, "status %d %s\n", status, s->reason);
    g_mutex_unlock(&lock);
    fprintf(stderr, "  [status] %s: %d %s\n", s->src.id, status, reason ? reason : "");
}

/* The NAL unit types in an Annex B access unit, as a bit set. */
static unsigned nal_types(const uint8_t *p, size_t len)
{
    unsigned set = 0;
    for (size_t i = 0; i + 3 < len; i++)
        if (p[i] == 0 && p[i + 1] == 0 && p[i + 2] == 1)
            set |= 1u << (p[i + 3] & 0x1f);
    return set;
}

/* The set of H.265 NAL unit types in an Annex B AU (bit n: type n). */
static uint64_t h265_nal_types(const uint8_t *p, size_t len)
{
    uint64_t set = 0;
    for (size_t i = 0; i + 3 < len; i++)
        if (p[i] == 0 && p[i + 1] == 0 && p[i + 2] == 1)
            set |= (uint64_t)1 << ((p[i + 3] >> 1) & 0x3f);
    return set;
}

/* H.265 (issue 15): the first AU and every IRAP one carry VPS, SPS, PPS. */
static void check_h265_au(seen_stream *st, const char *id, const void *data, size_t len)
{
    uint64_t nals = h265_nal_types(data, len);
    uint64_t params = (uint64_t)7 << 32; /* VPS 32, SPS 33, PPS 34 */
    int irap = (nals & ((uint64_t)0xff << 16)) != 0;
    if ((!st->aus && !irap) || (irap && (nals & params) != params))
        FAIL("%s: H.265 IRAP AU without VPS, SPS, PPS or a first AU not IRAP (nal set 0x%llx)", id,
             (unsigned long long)nals);
    st->keyframes += irap;
}

static void host_media_push(pantau_source *source, enum pantau_stream stream, const void *data,
                            size_t len, int64_t pts_us, unsigned flags)
{
    seen_source *s = (seen_source *)source;
    int h265 = (flags & PANTAU_MEDIA_H265) != 0;
    unsigned nals = h265 ? 1 : nal_types(data, len);
    int key = !h265 && ((nals >> 5) & 1);
    g_mutex_lock(&lock);
    seen_stream *st = &s->streams[stream];
    if (!st->open)
        FAIL("%s: media_push on a closed stream %d", s->src.id, stream);
    if (len < 5 || memcmp(data, "\0\0\0\1", 4) != 0 || !nals)
        FAIL("%s: AU is not Annex B", s->src.id);
    if (h265)
        check_h265_au(st, s->src.id, data, len);
    else if (!st->aus && (nals & 0x1a0) != 0x1a0)
        FAIL("%s: first AU lacks SPS+PPS+IDR (nal set 0x%x)", s->src.id, nals);
    if (key && (nals & 0x180) != 0x180)
        FAIL("%s: IDR without SPS/PPS", s->src.id);
    if (st->aus && pts_us <= st->last_pts)
        FAIL("%s: pts not increasing (%lld after %lld)", s->src.id, (long long)pts_us,
             (long long)st->last_pts);
    if (!st->aus)
        st->first_us = g_get_monotonic_time();
    st->last_us = g_get_monotonic_time();
    st->aus++;
    st->keyframes += key;
    st->last_pts = pts_us;
    st->flags = flags;
    g_mutex_unlock(&lock);
}

typedef struct async_status {
    pantau_source *source;
    enum pantau_source_status status;
    char *reason;
} async_status;

static gboolean apply_status(gpointer user)
{
    async_status *a = user;
    host_set_status(a->source, a->status, a->reason);
    g_free(a->reason);
    g_free(a);
    return G_SOURCE_REMOVE;
}

static void host_set_status_async(pantau_source *source, enum pantau_source_status status,
                                  const char *reason)
{
    async_status *a = g_new0(async_status, 1);
    a->source = source;
    a->status = status;
    a->reason = g_strdup(reason);
    g_idle_add(apply_status, a);
}

static const char *host_source_id(const pantau_source *source)
{
    return source->id;
}

static const pantau_host host = {
    .size = sizeof(pantau_host),
    .abi_major = PANTAU_ABI_MAJOR,
    .abi_minor = PANTAU_ABI_MINOR,
    .log = host_log,
    .register_source_type = host_register,
    .set_status = host_set_status,
    .source_id = host_source_id,
    .media_push = host_media_push,
    .set_status_async = host_set_status_async,
    .register_type = host_register_type,
};

/* ---- helpers ---- */

static const pantau_source_type *type_by_id(const char *id)
{
    for (size_t i = 0; i < ntypes; i++)
        if (!strcmp(types[i]->id, id))
            return types[i];
    fprintf(stderr, "no type %s\n", id);
    exit(1);
}

/* A camera of the probe: the fake source, its type and instance. */
typedef struct cam {
    seen_source seen;
    const pantau_source_type *type;
    void *inst;
} cam;

/* Creates a camera of type id; settings: a JSON text. */
static void cam_create(cam *c, const char *type, const char *id, const char *settings)
{
    memset(c, 0, sizeof *c);
    c->seen.src.id = id;
    c->type = type_by_id(type);
    json_t *defaults = c->type->defaults_for(c->type->type_data);
    json_t *given = json_loads(settings, 0, NULL);
    json_object_update(defaults, given);
    char *error = NULL;
    c->inst = c->type->create_for(c->type->type_data, &c->seen.src, defaults, &error);
    json_decref(defaults);
    json_decref(given);
    if (!c->inst) {
        fprintf(stderr, "create %s: %s\n", id, error);
        exit(1);
    }
}

static int cam_open(cam *c, enum pantau_stream which)
{
    g_mutex_lock(&lock);
    c->seen.streams[which] = (seen_stream){.open = 1};
    g_mutex_unlock(&lock);
    return c->type->stream_open(c->inst, which);
}

static void cam_close(cam *c, enum pantau_stream which)
{
    c->type->stream_close(c->inst, which);
    g_mutex_lock(&lock);
    c->seen.streams[which].open = 0;
    g_mutex_unlock(&lock);
}

static void cam_destroy(cam *c)
{
    c->type->destroy(c->inst);
}

static gboolean quit_loop(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

/* Runs the main loop for ms milliseconds. */
static void run_for(unsigned ms)
{
    GMainLoop *loop = g_main_loop_new(NULL, FALSE);
    g_timeout_add(ms, quit_loop, loop);
    g_main_loop_run(loop);
    g_main_loop_unref(loop);
}

/* Runs the loop until pred(c) holds or timeout_ms pass; returns ms waited or -1. */
static int run_until(int (*pred)(cam *), cam *c, unsigned timeout_ms)
{
    gint64 start = g_get_monotonic_time();
    while (g_get_monotonic_time() - start < (gint64)timeout_ms * 1000) {
        g_mutex_lock(&lock);
        int ok = pred(c);
        g_mutex_unlock(&lock);
        if (ok)
            return (int)((g_get_monotonic_time() - start) / 1000);
        run_for(50);
    }
    return -1;
}

static unsigned aus(cam *c, enum pantau_stream which)
{
    g_mutex_lock(&lock);
    unsigned n = c->seen.streams[which].aus;
    g_mutex_unlock(&lock);
    return n;
}

/* Fails unless c's stream has min access units, waiting up to 10 s more
 * for them (a busy machine, an ASan build: frames come late, not never). */
static void expect_aus(cam *c, enum pantau_stream which, unsigned min, const char *what)
{
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (aus(c, which) < min && g_get_monotonic_time() < end)
        run_for(50);
    unsigned n = aus(c, which);
    fprintf(stderr, "%s: %u AUs, %u keyframes, flags %u, status %d\n", what, n,
            c->seen.streams[which].keyframes, c->seen.streams[which].flags, c->seen.status);
    if (n < min)
        FAIL("%s: %u AUs, expected at least %u", what, n, min);
}

/* ---- RTSP server ---- */

static GSubprocess *server_start(const char *bin, int port)
{
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", port);
    const char *args[] = {"--port",     portstr,
                          "--user",     USER,
                          "--password", PASSWORD,
                          "--stream",   "/main=test:320x180@15",
                          "--stream",   "/sub=test:160x90@10",
                          "--stream",   "/h265=test265:320x180@10",
                          NULL};
    return test_rtsp_server_start(bin, args);
}

static int probe_port(void)
{
    return 20000 + (int)(getpid() % 20000);
}

/* ---- scenarios ---- */

static int has_status_live(cam *c)
{
    return c->seen.have_status && c->seen.status == PANTAU_STATUS_LIVE;
}

static int is_reconnecting(cam *c)
{
    return c->seen.have_status && c->seen.status == PANTAU_STATUS_RECONNECTING;
}

static int is_error(cam *c)
{
    return c->seen.have_status && c->seen.status == PANTAU_STATUS_ERROR;
}

static int has_main_aus(cam *c)
{
    return c->seen.streams[PANTAU_STREAM_MAIN].aus > 0;
}

static void scenario_test(void)
{
    cam c;
    cam_create(&c, "test", "cam-test", "{\"label\": \"Simpang Lima\"}");
    if (cam_open(&c, PANTAU_STREAM_MAIN) || cam_open(&c, PANTAU_STREAM_SUB))
        FAIL("test camera refused a stream");
    run_for(3000);
    expect_aus(&c, PANTAU_STREAM_MAIN, 30, "test main");
    expect_aus(&c, PANTAU_STREAM_SUB, 30, "test sub");
    if (!has_status_live(&c))
        FAIL("test camera not LIVE");
    cam_close(&c, PANTAU_STREAM_SUB);
    cam_close(&c, PANTAU_STREAM_MAIN);
    run_for(300);
    cam_destroy(&c);
}

static void scenario_file(const char *clip)
{
    cam c;
    char *settings = g_strdup_printf("{\"path\": \"%s\"}", clip);
    cam_create(&c, "file", "cam-file", settings);
    g_free(settings);
    if (cam_open(&c, PANTAU_STREAM_SUB) == 0)
        FAIL("file camera accepted a sub stream");
    cam_open(&c, PANTAU_STREAM_MAIN);
    run_for(5000);
    /* 15 fps in real time for 5 s, across at least one loop of a 3 s clip. */
    expect_aus(&c, PANTAU_STREAM_MAIN, 60, "file main");
    if (c.seen.streams[PANTAU_STREAM_MAIN].aus > 90)
        FAIL("file camera is not paced in real time");
    if (c.seen.streams[PANTAU_STREAM_MAIN].keyframes < 3)
        FAIL("file camera did not loop with keyframes");
    cam_close(&c, PANTAU_STREAM_MAIN);
    cam_destroy(&c);
}

/* A missing mount is an ERROR (cannot be described), a closed port an
 * outage (RECONNECTING); both keep retrying. */
static void check_unreachable(int port)
{
    cam missing, refused;
    char *settings = g_strdup_printf(
        "{\"url\": \"rtsp://" USER ":" PASSWORD "@127.0.0.1:%d/no-such-mount\"}", port);
    cam_create(&missing, "rtsp", "cam-missing", settings);
    g_free(settings);
    cam_create(&refused, "rtsp", "cam-refused",
               "{\"url\": \"rtsp://" USER ":" PASSWORD "@127.0.0.1:1/x\"}");
    cam_open(&missing, PANTAU_STREAM_MAIN);
    cam_open(&refused, PANTAU_STREAM_MAIN);
    run_for(2500);
    fprintf(stderr, "missing mount: status %d '%s'; closed port: status %d '%s'\n",
            missing.seen.status, missing.seen.reason, refused.seen.status, refused.seen.reason);
    if (!is_error(&missing))
        FAIL("a missing mount should be status ERROR");
    if (!is_reconnecting(&refused))
        FAIL("a closed port should be status RECONNECTING");
    if (aus(&missing, PANTAU_STREAM_MAIN))
        FAIL("video from a missing mount");
    cam_close(&missing, PANTAU_STREAM_MAIN);
    cam_close(&refused, PANTAU_STREAM_MAIN);
    cam_destroy(&missing);
    cam_destroy(&refused);
}

static void scenario_rtsp(const char *server_bin)
{
    int port = probe_port();
    GSubprocess *server = server_start(server_bin, port);
    char *settings = g_strdup_printf(
        "{\"url\": \"rtsp://127.0.0.1:%d/main\", \"sub_url\": \"rtsp://127.0.0.1:%d/sub\","
        " \"username\": \"" USER "\", \"password\": \"" PASSWORD "\"}",
        port, port);
    cam ok, inurl, bad, h265, nosub;
    cam_create(&ok, "rtsp", "cam-rtsp", settings);
    g_free(settings);
    settings =
        g_strdup_printf("{\"url\": \"rtsp://" USER ":" PASSWORD "@127.0.0.1:%d/main\"}", port);
    cam_create(&inurl, "rtsp", "cam-url-creds", settings);
    g_free(settings);
    settings = g_strdup_printf("{\"url\": \"rtsp://127.0.0.1:%d/main\", \"username\": \"" USER
                               "\", \"password\": \"wrong-" PASSWORD "\"}",
                               port);
    cam_create(&bad, "rtsp", "cam-bad-password", settings);
    g_free(settings);
    settings =
        g_strdup_printf("{\"url\": \"rtsp://" USER ":" PASSWORD "@127.0.0.1:%d/h265\"}", port);
    cam_create(&nosub, "rtsp", "cam-nosub", settings);
    g_free(settings);
    settings = g_strdup_printf("{\"url\": \"rtsp://" USER ":" PASSWORD "@127.0.0.1:%d/h265\", "
                               "\"sub_url\": \"rtsp://" USER ":" PASSWORD "@127.0.0.1:%d/h265\"}",
                               port, port);
    cam_create(&h265, "rtsp", "cam-h265", settings);
    g_free(settings);
    if (cam_open(&nosub, PANTAU_STREAM_SUB) == 0)
        FAIL("rtsp camera without sub_url accepted a sub stream");
    cam_open(&ok, PANTAU_STREAM_MAIN);
    cam_open(&ok, PANTAU_STREAM_SUB);
    cam_open(&inurl, PANTAU_STREAM_MAIN);
    cam_open(&bad, PANTAU_STREAM_MAIN);
    cam_open(&h265, PANTAU_STREAM_MAIN);
    cam_open(&h265, PANTAU_STREAM_SUB);
    run_for(5000);
    expect_aus(&ok, PANTAU_STREAM_MAIN, 30, "rtsp main (auth)");
    expect_aus(&ok, PANTAU_STREAM_SUB, 20, "rtsp sub (auth)");
    expect_aus(&inurl, PANTAU_STREAM_MAIN, 30, "rtsp credentials in URL");
    /* Both paths, the lean client and GStreamer (PANTAU_CCTV_GSTREAMER_RTSP),
     * pass H.265 through on the main and the sub stream (issue 15): the
     * core converts it, within its budget. */
    for (int k = PANTAU_STREAM_MAIN; k <= PANTAU_STREAM_SUB; k++) {
        unsigned h265_flags = h265.seen.streams[k].flags;
        expect_aus(&h265, (enum pantau_stream)k, 15, "rtsp h265 passed through");
        if (h265_flags != PANTAU_MEDIA_H265)
            FAIL("h265 camera, %s stream: flags %u, expected H265 alone", k ? "sub" : "main",
                 h265_flags);
    }
    if (ok.seen.streams[PANTAU_STREAM_MAIN].flags & PANTAU_MEDIA_TRANSCODED)
        FAIL("h264 camera flagged transcoded");
    if (aus(&bad, PANTAU_STREAM_MAIN) || !is_error(&bad))
        FAIL("wrong password: expected status ERROR and no video (status %d '%s')", bad.seen.status,
             bad.seen.reason);
    fprintf(stderr, "wrong password: status %d reason '%s'\n", bad.seen.status, bad.seen.reason);
    check_unreachable(port);
    cam *all[] = {&ok, &inurl, &bad, &h265, &nosub};
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++) {
        cam_close(all[i], PANTAU_STREAM_MAIN);
        cam_close(all[i], PANTAU_STREAM_SUB);
        cam_destroy(all[i]);
    }
    test_rtsp_server_stop(server);
}

/* Stops the server (kill: SIGKILL, else SIGTERM), waits for RECONNECTING,
 * restarts it and expects frames within 3 s; returns the new server. */
static GSubprocess *outage(cam *c, GSubprocess *server, const char *bin, int port, int kill)
{
    if (kill) {
        g_subprocess_force_exit(server);
        g_subprocess_wait(server, NULL, NULL);
        g_object_unref(server);
    } else {
        test_rtsp_server_stop(server);
    }
    int waited = run_until(is_reconnecting, c, 8000);
    fprintf(stderr, "RECONNECTING %d ms after the server %s\n", waited,
            kill ? "was killed" : "stopped");
    if (waited < 0)
        FAIL("no RECONNECTING after the server went away");
    run_for(500);
    g_mutex_lock(&lock);
    c->seen.streams[PANTAU_STREAM_MAIN].aus = 0;
    g_mutex_unlock(&lock);
    server = server_start(bin, port);
    waited = run_until(has_main_aus, c, 8000);
    fprintf(stderr, "frames resumed %d ms after the restart\n", waited);
    if (waited < 0 || waited > 3000)
        FAIL("frames did not resume within 3 s of the restart (%d ms)", waited);
    run_until(has_status_live, c, 2000);
    if (!has_status_live(c))
        FAIL("status not LIVE after the restart");
    return server;
}

/* Freezes the server (its TCP connection stays open): the stall watchdog
 * must report RECONNECTING; frames resume once it runs again. */
static void stall(cam *c, GSubprocess *server)
{
    pid_t pid = (pid_t)atoi(g_subprocess_get_identifier(server));
    kill(pid, SIGSTOP);
    int waited = run_until(is_reconnecting, c, 9000);
    fprintf(stderr, "RECONNECTING %d ms after the server froze (%s)\n", waited, c->seen.reason);
    if (waited < 0)
        FAIL("no RECONNECTING for a frozen server");
    g_mutex_lock(&lock);
    c->seen.streams[PANTAU_STREAM_MAIN].aus = 0;
    g_mutex_unlock(&lock);
    kill(pid, SIGCONT);
    waited = run_until(has_main_aus, c, 8000);
    fprintf(stderr, "frames resumed %d ms after the server thawed\n", waited);
    if (waited < 0)
        FAIL("frames did not resume after the server thawed");
}

static void scenario_reconnect(const char *server_bin)
{
    int port = probe_port();
    GSubprocess *server = server_start(server_bin, port);
    char *settings = g_strdup_printf("{\"url\": \"rtsp://127.0.0.1:%d/main\", \"username\": "
                                     "\"" USER "\", \"password\": \"" PASSWORD "\"}",
                                     port);
    cam c;
    cam_create(&c, "rtsp", "cam-reconnect", settings);
    g_free(settings);
    cam_open(&c, PANTAU_STREAM_MAIN);
    if (run_until(has_status_live, &c, 5000) < 0)
        FAIL("camera never went live");
    run_for(1000);
    server = outage(&c, server, server_bin, port, 0);
    run_for(1000);
    server = outage(&c, server, server_bin, port, 1);
    stall(&c, server);
    cam_close(&c, PANTAU_STREAM_MAIN);
    cam_destroy(&c);
    test_rtsp_server_stop(server);
}

/* CPU seconds (user + system) this process has used so far. */
static double cpu_seconds(void)
{
    FILE *f = fopen("/proc/self/stat", "r");
    unsigned long ut = 0, st = 0;
    if (!f)
        return 0;
    if (fscanf(f, "%*d %*s %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        ut = st = 0;
    fclose(f);
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void scenario_cpu(unsigned seconds)
{
    static const char *const names[] = {"Simpang Lima", "Jl. Sudirman – Thamrin", "Bundaran HI",
                                        "Simpang Dago"};
    cam c[4];
    for (int i = 0; i < 4; i++) {
        char *settings = g_strdup_printf("{\"label\": \"%s\"}", names[i]);
        char *id = g_strdup_printf("cam-%d", i);
        cam_create(&c[i], "test", id, settings);
        g_free(settings);
        cam_open(&c[i], PANTAU_STREAM_MAIN);
    }
    run_for(2000);
    double t0 = cpu_seconds();
    gint64 w0 = g_get_monotonic_time();
    run_for(seconds * 1000);
    double cpu = cpu_seconds() - t0;
    double wall = (double)(g_get_monotonic_time() - w0) / 1e6;
    printf("four test cameras (640x360@15): %.1f%% of one core over %.1f s\n", 100.0 * cpu / wall,
           wall);
    for (int i = 0; i < 4; i++) {
        expect_aus(&c[i], PANTAU_STREAM_MAIN, seconds * 12, names[i]);
        cam_close(&c[i], PANTAU_STREAM_MAIN);
        cam_destroy(&c[i]);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: cctv_probe PLUGIN.so test|file CLIP|rtsp SERVER|"
                        "reconnect SERVER|cpu SECONDS\n");
        return 2;
    }
    transcript = g_string_new(NULL);
    void *so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    pantau_plugin_describe_fn describe =
        so ? (pantau_plugin_describe_fn)dlsym(so, PANTAU_PLUGIN_SYMBOL) : NULL;
    if (!describe || describe()->load(&host)) {
        fprintf(stderr, "cannot load %s: %s\n", argv[1], dlerror());
        return 1;
    }
    const char *what = argv[2];
    if (!strcmp(what, "test"))
        scenario_test();
    else if (!strcmp(what, "file") && argc > 3)
        scenario_file(argv[3]);
    else if (!strcmp(what, "rtsp") && argc > 3)
        scenario_rtsp(argv[3]);
    else if (!strcmp(what, "reconnect") && argc > 3)
        scenario_reconnect(argv[3]);
    else if (!strcmp(what, "cpu"))
        scenario_cpu(argc > 3 ? (unsigned)atoi(argv[3]) : 20);
    else
        return 2;
    run_for(200);
    if (strstr(transcript->str, PASSWORD))
        FAIL("the camera password appears in a log line or status reason");
    if (describe()->unload)
        describe()->unload();
    g_string_free(transcript, TRUE);
    fprintf(stderr, "%s: %s\n", what, failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
