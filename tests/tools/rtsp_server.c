/* pantau-test-rtsp - a test RTSP server on gst-rtsp-server serving any
 * number of mounts, for the cctv plugin's tests and the benchmarks.
 *
 *   pantau-test-rtsp --port N [--address A] [--user U --password P [--digest]]
 *       --stream /main=test:640x360@15 --stream /sub=test:320x180@10
 *       --stream /clip=file:/path/clip.mp4 --stream /h265=test265:320x180@10
 *
 * test:WxH@F[:KBPS]    live test pattern, H.264 constrained baseline
 * test265:WxH@F[:KBPS] live test pattern, H.265 main profile (x265enc, from
 *                      gstreamer1.0-plugins-bad): a closed GOP, so every
 *                      keyframe is an IDR as cameras send it, each with VPS,
 *                      SPS and PPS in band; all three RFC 7798 packet kinds
 *                      (the parameter sets and SEI in an aggregation packet,
 *                      large slices in fragmentation units, small ones
 *                      single), and sprop-vps/sps/pps in the SDP (no DONL)
 * file:PATH            an H.264 MP4 served in a loop without re-encoding, in
 *                      real time, as a live stream shared by all clients
 *
 * A camera with an H.265 main stream and an H.264 substream, as most sold
 * today are set up:
 *   --stream /main=test265:1280x720@15 --stream /sub=test:640x360@15
 * (from the integration tests: startRtsp({mounts: {'/main': 'test265:...',
 * '/sub': 'test:...'}}) in tests/lib/rtsp.js).
 *
 * Prints "rtsp: ready on rtsp://ADDRESS:N" once listening, and "rtsp: play
 * PATH" for every PLAY it answers (so a test counts a mount's sessions); exits cleanly on
 * SIGTERM/SIGINT. The listening socket reuses the address, so a restart on
 * the same port works at once. With --user/--password every mount needs
 * Basic authentication (Digest, MD5, with --digest). */
#include <glib-unix.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A looping file producer feeding the appsrc of every prepared media of
 * its mount. */
typedef struct file_feed {
    char *path;
    GstElement *pipeline;
    GMutex lock;
    GSList *srcs; /* GstAppSrc*, referenced; each waits for a keyframe */
    GHashTable *need_key;
} file_feed;

static GMainLoop *loop;
static GSList *feeds;

/* ---- file mounts: one producer, many appsrc ---- */

static void feed_push(file_feed *f, GstSample *sample)
{
    GstBuffer *buf = gst_sample_get_buffer(sample);
    int key = !GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
    g_mutex_lock(&f->lock);
    for (GSList *l = f->srcs; l; l = l->next) {
        if (!key && g_hash_table_contains(f->need_key, l->data))
            continue;
        g_hash_table_remove(f->need_key, l->data);
        GstBuffer *copy = gst_buffer_copy(buf);
        GST_BUFFER_PTS(copy) = GST_CLOCK_TIME_NONE;
        GST_BUFFER_DTS(copy) = GST_CLOCK_TIME_NONE;
        gst_app_src_push_buffer(GST_APP_SRC(l->data), copy);
    }
    g_mutex_unlock(&f->lock);
}

static GstFlowReturn feed_on_sample(GstAppSink *sink, gpointer user)
{
    GstSample *sample = gst_app_sink_pull_sample(sink);
    if (!sample)
        return GST_FLOW_FLUSHING;
    feed_push(user, sample);
    gst_sample_unref(sample);
    return GST_FLOW_OK;
}

/* Loops the file: back to the start at EOS. */
static gboolean feed_bus(GstBus *bus, GstMessage *msg, gpointer user)
{
    (void)bus;
    file_feed *f = user;
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS)
        gst_element_seek_simple(f->pipeline, GST_FORMAT_TIME,
                                GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_KEY_UNIT, 0);
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
        GError *err = NULL;
        gst_message_parse_error(msg, &err, NULL);
        fprintf(stderr, "rtsp: file %s: %s\n", f->path, err->message);
        g_clear_error(&err);
        g_main_loop_quit(loop);
    }
    return G_SOURCE_CONTINUE;
}

static file_feed *feed_new(const char *path)
{
    file_feed *f = g_new0(file_feed, 1);
    GError *err = NULL;
    f->path = g_strdup(path);
    g_mutex_init(&f->lock);
    f->need_key = g_hash_table_new(NULL, NULL);
    f->pipeline = gst_parse_launch("filesrc name=src ! qtdemux ! h264parse config-interval=-1 ! "
                                   "video/x-h264,stream-format=byte-stream,alignment=au ! "
                                   "appsink name=sink sync=true max-buffers=4",
                                   &err);
    if (!f->pipeline) {
        fprintf(stderr, "rtsp: %s\n", err->message);
        exit(2);
    }
    GstElement *src = gst_bin_get_by_name(GST_BIN(f->pipeline), "src");
    GstElement *sink = gst_bin_get_by_name(GST_BIN(f->pipeline), "sink");
    g_object_set(src, "location", path, NULL);
    GstAppSinkCallbacks cb = {.new_sample = feed_on_sample};
    gst_app_sink_set_callbacks(GST_APP_SINK(sink), &cb, f, NULL);
    gst_object_unref(src);
    gst_object_unref(sink);
    GstBus *bus = gst_element_get_bus(f->pipeline);
    gst_bus_add_watch(bus, feed_bus, f);
    gst_object_unref(bus);
    gst_element_set_state(f->pipeline, GST_STATE_PLAYING);
    return f;
}

static void feed_free(file_feed *f)
{
    gst_element_set_state(f->pipeline, GST_STATE_NULL);
    gst_object_unref(f->pipeline);
    g_slist_free_full(f->srcs, gst_object_unref);
    g_hash_table_destroy(f->need_key);
    g_mutex_clear(&f->lock);
    g_free(f->path);
    g_free(f);
}

/* media "unprepared": the media's appsrc gets no more buffers. */
static void feed_media_unprepared(GstRTSPMedia *media, gpointer user)
{
    file_feed *f = user;
    GstElement *bin = gst_rtsp_media_get_element(media);
    GstElement *src = gst_bin_get_by_name(GST_BIN(bin), "src");
    g_mutex_lock(&f->lock);
    GSList *link = g_slist_find(f->srcs, src);
    if (link) {
        f->srcs = g_slist_delete_link(f->srcs, link);
        g_hash_table_remove(f->need_key, src);
        gst_object_unref(src);
    }
    g_mutex_unlock(&f->lock);
    gst_object_unref(src);
    gst_object_unref(bin);
}

/* factory "media-configure": attaches the new media's appsrc to the feed. */
static void feed_media_configure(GstRTSPMediaFactory *factory, GstRTSPMedia *media, gpointer user)
{
    (void)factory;
    file_feed *f = user;
    GstElement *bin = gst_rtsp_media_get_element(media);
    GstElement *src = gst_bin_get_by_name(GST_BIN(bin), "src");
    g_mutex_lock(&f->lock);
    f->srcs = g_slist_prepend(f->srcs, src);
    g_hash_table_add(f->need_key, src);
    g_mutex_unlock(&f->lock);
    g_signal_connect(media, "unprepared", G_CALLBACK(feed_media_unprepared), f);
    gst_object_unref(bin);
}

/* ---- every mount: the segment gst-rtsp-server reads ---- */

/* A probe on the pad after pay0 (where gst-rtsp-server reads a stream's
 * rates): keeps the last segment, and puts it back at once when a flush
 * removes it. The seek of each PLAY flushes; until the next frame brings
 * the new segment, gst_rtsp_media_get_rates() (in the answer to that
 * PLAY, or to another client's) finds none and gst-rtsp-server 1.22
 * aborts ("assertion failed: (FALSE)", rtsp-media.c). The segment put
 * back is only read there; the next one replaces it. */
static GstPadProbeReturn keep_segment(GstPad *pad, GstPadProbeInfo *info, gpointer user)
{
    (void)user;
    static GQuark last;
    if (!last)
        last = g_quark_from_static_string("pantau-test-last-segment");
    GstEvent *event = gst_pad_probe_info_get_event(info);
    if (GST_EVENT_TYPE(event) == GST_EVENT_SEGMENT) {
        g_object_set_qdata_full(G_OBJECT(pad), last, gst_event_ref(event),
                                (GDestroyNotify)gst_event_unref);
    } else if (GST_EVENT_TYPE(event) == GST_EVENT_FLUSH_STOP) {
        GstEvent *segment = g_object_get_qdata(G_OBJECT(pad), last);
        if (segment)
            gst_pad_store_sticky_event(pad, segment);
    }
    return GST_PAD_PROBE_OK;
}

/* media "prepared": keep_segment on the pad after pay0. */
static void on_media_prepared(GstRTSPMedia *media, gpointer user)
{
    (void)user;
    GstElement *bin = gst_rtsp_media_get_element(media);
    GstElement *pay = gst_bin_get_by_name(GST_BIN(bin), "pay0");
    GstPad *src = pay ? gst_element_get_static_pad(pay, "src") : NULL;
    GstPad *peer = src ? gst_pad_get_peer(src) : NULL;
    if (peer) {
        gst_pad_add_probe(peer,
                          GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM | GST_PAD_PROBE_TYPE_EVENT_FLUSH,
                          keep_segment, NULL, NULL);
        gst_object_unref(peer);
    }
    if (src)
        gst_object_unref(src);
    if (pay)
        gst_object_unref(pay);
    gst_object_unref(bin);
}

/* factory "media-configure" (every mount): on_media_prepared. */
static void on_media_configure(GstRTSPMediaFactory *factory, GstRTSPMedia *media, gpointer user)
{
    (void)factory;
    (void)user;
    g_signal_connect(media, "prepared", G_CALLBACK(on_media_prepared), NULL);
}

/* ---- mounts ---- */

/* Parses "WxH@F[:KBPS]"; returns 0 on success. */
static int parse_geometry(const char *s, unsigned *w, unsigned *h, unsigned *fps, unsigned *kbps)
{
    *kbps = 0;
    if (sscanf(s, "%ux%u@%u:%u", w, h, fps, kbps) < 3 || !*w || !*h || !*fps)
        return -1;
    if (!*kbps)
        *kbps = MAX(200u, *w * *h * *fps / 20000u);
    return 0;
}

/* The launch line of a test mount (h265: H.265), g_malloc'd, or NULL. */
static char *test_launch(const char *geometry, int h265)
{
    unsigned w, h, fps, kbps;
    if (parse_geometry(geometry, &w, &h, &fps, &kbps))
        return NULL;
    /* x265 would make every keyframe after the first a CRA picture (open
     * GOP); cameras send IDR pictures. */
    const char *enc = h265 ? "x265enc tune=zerolatency speed-preset=ultrafast bitrate=%u "
                             "key-int-max=%u option-string=open-gop=0 ! "
                             "video/x-h265,profile=main ! "
                             "rtph265pay name=pay0 pt=96 config-interval=-1 "
                             "aggregate-mode=zero-latency"
                           : "x264enc tune=zerolatency speed-preset=ultrafast bitrate=%u "
                             "key-int-max=%u threads=1 ! "
                             "video/x-h264,profile=constrained-baseline ! "
                             "rtph264pay name=pay0 pt=96 config-interval=-1";
    char *tail = g_strdup_printf(enc, kbps, 2 * fps);
    char *line = g_strdup_printf("( videotestsrc is-live=true pattern=ball ! "
                                 "video/x-raw,width=%u,height=%u,framerate=%u/1 ! "
                                 "timeoverlay ! videoconvert ! video/x-raw,format=I420 ! %s )",
                                 w, h, fps, tail);
    g_free(tail);
    return line;
}

/* Whether x265enc is installed; says what is missing when not (a test265:
 * mount would otherwise fail only at the first DESCRIBE, with a 503). */
static int have_x265(void)
{
    GstElementFactory *f = gst_element_factory_find("x265enc");
    if (!f) {
        fprintf(stderr, "rtsp: test265: needs GStreamer's x265enc (gstreamer1.0-plugins-bad)\n");
        return 0;
    }
    gst_object_unref(f);
    return 1;
}

/* Makes the factory for spec (test:..., test265:..., file:...), or NULL. */
static GstRTSPMediaFactory *factory_for(const char *spec)
{
    GstRTSPMediaFactory *factory = gst_rtsp_media_factory_new();
    /* Known race of shared media (gst-rtsp-server 1.22): a media is torn
     * down when its last client leaves (also a client that only DESCRIBEd)
     * but stays in the factory's cache until that has finished, and a
     * DESCRIBE in those few milliseconds is handed the dying media and
     * answered "503 Service Unavailable" (rtspsrc: "Unhandled error").
     * pantau's lean client DESCRIBEs an H.265 camera, hangs up and hands it
     * to GStreamer within milliseconds: 3 of 22 such opens failed once and
     * worked on the retry a second later. Marking the media reusable was
     * tried: re-prepared media then sent no video and the server soon
     * stopped answering. */
    gst_rtsp_media_factory_set_shared(factory, TRUE);
    char *line = NULL;
    if (g_str_has_prefix(spec, "test:"))
        line = test_launch(spec + 5, 0);
    else if (g_str_has_prefix(spec, "test265:"))
        line = have_x265() ? test_launch(spec + 8, 1) : NULL;
    else if (g_str_has_prefix(spec, "file:") && spec[5]) {
        file_feed *f = feed_new(spec + 5);
        feeds = g_slist_prepend(feeds, f);
        line = g_strdup("( appsrc name=src is-live=true format=time do-timestamp=true "
                        "caps=video/x-h264,stream-format=byte-stream,alignment=au ! "
                        "h264parse ! rtph264pay name=pay0 pt=96 config-interval=-1 )");
        g_signal_connect(factory, "media-configure", G_CALLBACK(feed_media_configure), f);
    }
    if (!line) {
        g_object_unref(factory);
        return NULL;
    }
    gst_rtsp_media_factory_set_launch(factory, line);
    g_free(line);
    g_signal_connect(factory, "media-configure", G_CALLBACK(on_media_configure), NULL);
    return factory;
}

/* Mounts every "/path=spec"; exits with a message on a bad one. */
static void add_mounts(GstRTSPServer *server, char **streams, int auth)
{
    GstRTSPMountPoints *mounts = gst_rtsp_server_get_mount_points(server);
    for (char **s = streams; s && *s; s++) {
        char *eq = strchr(*s, '=');
        GstRTSPMediaFactory *factory = eq && **s == '/' ? factory_for(eq + 1) : NULL;
        if (!factory) {
            fprintf(stderr,
                    "rtsp: bad --stream '%s' (want /path=test:WxH@F, "
                    "/path=test265:WxH@F or /path=file:PATH)\n",
                    *s);
            exit(2);
        }
        if (auth)
            gst_rtsp_media_factory_add_role(
                factory, "user", GST_RTSP_PERM_MEDIA_FACTORY_ACCESS, G_TYPE_BOOLEAN, TRUE,
                GST_RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, G_TYPE_BOOLEAN, TRUE, NULL);
        char *path = g_strndup(*s, (gsize)(eq - *s));
        gst_rtsp_mount_points_add_factory(mounts, path, factory);
        g_free(path);
    }
    g_object_unref(mounts);
}

/* Requires Basic (digest: Digest) authentication as user:password for
 * every mount. */
static void add_auth(GstRTSPServer *server, const char *user, const char *password, int digest)
{
    GstRTSPAuth *auth = gst_rtsp_auth_new();
    GstRTSPToken *token =
        gst_rtsp_token_new(GST_RTSP_TOKEN_MEDIA_FACTORY_ROLE, G_TYPE_STRING, "user", NULL);
    if (digest) {
        gst_rtsp_auth_set_supported_methods(auth, GST_RTSP_AUTH_DIGEST);
        gst_rtsp_auth_add_digest(auth, user, password, token);
    } else {
        char *basic = gst_rtsp_auth_make_basic(user, password);
        gst_rtsp_auth_add_basic(auth, basic, token);
        g_free(basic);
    }
    gst_rtsp_token_unref(token);
    gst_rtsp_server_set_auth(server, auth);
    g_object_unref(auth);
}

/* Waits (2 s at most) until media's stream has a segment again where
 * gst-rtsp-server looks for it (the pad after pay0).
 *
 * A live test pattern can be seeked, so gst-rtsp-server 1.22 seeks a
 * shared media back to 0 at every PLAY with "Range: npt=0-" (rtspsrc and
 * pantau's client send it): the flush removes that segment until the next
 * frame. Another client's PLAY in that time aborts the whole server in
 * gst_rtsp_media_get_rates ("assertion failed: (FALSE)": cctv_probe.rtsp,
 * five cameras on one server, in a fresh-clone run). PLAYs of one media
 * come one at a time (its lock, held while "play-request" runs), so the
 * next one waits for this. The seek itself stays: it starts every PLAY
 * with a keyframe, as cameras start a session, which the tests' timings
 * rely on (refusing it made a client wait up to a GOP, and asking the
 * encoder for a keyframe instead broke the recordings of replay.test.js). */
static void wait_for_segment(GstRTSPMedia *media)
{
    GstElement *bin = gst_rtsp_media_get_element(media);
    GstElement *pay = gst_bin_get_by_name(GST_BIN(bin), "pay0");
    GstPad *src = pay ? gst_element_get_static_pad(pay, "src") : NULL;
    GstPad *peer = src ? gst_pad_get_peer(src) : NULL;
    for (int waited_ms = 0; peer && waited_ms < 2000; waited_ms += 5) {
        GstEvent *segment = gst_pad_get_sticky_event(peer, GST_EVENT_SEGMENT, 0);
        if (segment) {
            gst_event_unref(segment);
            break;
        }
        g_usleep(5000);
    }
    if (peer)
        gst_object_unref(peer);
    if (src)
        gst_object_unref(src);
    if (pay)
        gst_object_unref(pay);
    gst_object_unref(bin);
}

/* client "play-request": one line per PLAY, for the tests to count; then
 * waits for the media's segment (wait_for_segment). */
static void on_play(GstRTSPClient *client, GstRTSPContext *ctx, gpointer user)
{
    (void)client;
    (void)user;
    if (ctx->media)
        wait_for_segment(ctx->media);
    printf("rtsp: play %s\n", ctx->uri && ctx->uri->abspath ? ctx->uri->abspath : "?");
    fflush(stdout);
}

static void on_client(GstRTSPServer *server, GstRTSPClient *client, gpointer user)
{
    (void)server;
    (void)user;
    g_signal_connect(client, "play-request", G_CALLBACK(on_play), NULL);
}

static gboolean on_signal(gpointer user)
{
    (void)user;
    g_main_loop_quit(loop);
    return G_SOURCE_CONTINUE;
}

/* Removes expired sessions every few seconds (keeps shared media tidy). */
static gboolean cleanup_sessions(gpointer user)
{
    GstRTSPSessionPool *pool = gst_rtsp_server_get_session_pool(user);
    gst_rtsp_session_pool_cleanup(pool);
    g_object_unref(pool);
    return G_SOURCE_CONTINUE;
}

int main(int argc, char **argv)
{
    int port = 0;
    gboolean digest = FALSE;
    char *address = NULL, *user = NULL, *password = NULL, **streams = NULL;
    GOptionEntry entries[] = {
        {"port", 0, 0, G_OPTION_ARG_INT, &port, "TCP port", "N"},
        {"address", 0, 0, G_OPTION_ARG_STRING, &address, "address (127.0.0.1)", "A"},
        {"user", 0, 0, G_OPTION_ARG_STRING, &user, "Basic auth user", "U"},
        {"password", 0, 0, G_OPTION_ARG_STRING, &password, "Basic auth password", "P"},
        {"digest", 0, 0, G_OPTION_ARG_NONE, &digest, "Digest auth instead of Basic", NULL},
        {"stream", 0, 0, G_OPTION_ARG_STRING_ARRAY, &streams, "mount", "/PATH=SPEC"},
        {NULL}};
    GError *err = NULL;
    GOptionContext *ctx = g_option_context_new("- test RTSP server");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_add_group(ctx, gst_init_get_option_group());
    if (!g_option_context_parse(ctx, &argc, &argv, &err) || port <= 0 || port > 65535 || !streams ||
        (!user != !password)) {
        fprintf(stderr, "rtsp: %s\n%s", err ? err->message : "need --port and --stream",
                g_option_context_get_help(ctx, TRUE, NULL));
        return 2;
    }
    g_option_context_free(ctx);
    loop = g_main_loop_new(NULL, FALSE);
    GstRTSPServer *server = gst_rtsp_server_new();
    char *service = g_strdup_printf("%d", port);
    gst_rtsp_server_set_address(server, address ? address : "127.0.0.1");
    gst_rtsp_server_set_service(server, service);
    if (user)
        add_auth(server, user, password, digest);
    add_mounts(server, streams, user != NULL);
    g_signal_connect(server, "client-connected", G_CALLBACK(on_client), NULL);
    guint id = gst_rtsp_server_attach(server, NULL);
    if (!id) {
        fprintf(stderr, "rtsp: cannot listen on %s:%d\n", address ? address : "127.0.0.1", port);
        return 1;
    }
    g_unix_signal_add(SIGTERM, on_signal, NULL);
    g_unix_signal_add(SIGINT, on_signal, NULL);
    g_timeout_add_seconds(2, cleanup_sessions, server);
    printf("rtsp: ready on rtsp://%s:%d\n", address ? address : "127.0.0.1", port);
    fflush(stdout);
    g_main_loop_run(loop);
    g_source_remove(id);
    g_slist_free_full(feeds, (GDestroyNotify)feed_free);
    g_object_unref(server);
    g_main_loop_unref(loop);
    g_free(service);
    g_strfreev(streams);
    g_free(address);
    g_free(user);
    g_free(password);
    printf("rtsp: stopped\n");
    return 0;
}
