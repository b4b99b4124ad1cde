/* cctv_pipeline.c - the GStreamer pipeline of each camera type, every one
 * ending in an appsink that hands H.264 access units (byte-stream, one AU
 * per buffer, SPS/PPS before each IDR) to cctv_stream_on_sample; an H.265
 * camera's go as they are (VPS/SPS/PPS before each IRAP picture, flagged
 * PANTAU_MEDIA_H265): the core converts them for the clients that need it,
 * within its budget (docs/cameras.md). */
#include "cctv.h"
#include "rtsp_proto.h"

#include <string.h>

#define RTSP_STEP_TIMEOUT_US (10 * G_USEC_PER_SEC)

/* Tail shared by every pipeline: AU-aligned byte-stream into the appsink. */
#define SINK "appsink name=sink max-buffers=4 drop=false emit-signals=false"
#define AU_TAIL                                                                                    \
    "h264parse config-interval=-1 ! video/x-h264,stream-format=byte-stream,alignment=au ! " SINK
#define AU_TAIL_H265                                                                               \
    "h265parse config-interval=-1 ! video/x-h265,stream-format=byte-stream,alignment=au ! " SINK

/* Encoder used for test cameras and transcoding (I420 in, browser-safe out). */
#define X264_FMT                                                                                   \
    "videoconvert ! video/x-raw,format=I420 ! x264enc tune=zerolatency "                           \
    "speed-preset=ultrafast bitrate=%u key-int-max=%u threads=%u ! "                               \
    "video/x-h264,profile=constrained-baseline ! "

const char *cctv_stream_url(const cctv_config *cfg, enum pantau_stream which)
{
    return which == PANTAU_STREAM_SUB ? cfg->sub_url : cfg->url;
}

/* Wires the appsink named "sink" inside bin to s; sync paces in real time. */
static void attach_sink(GstElement *bin, cctv_stream *s, gboolean sync)
{
    GstElement *sink = gst_bin_get_by_name(GST_BIN(bin), "sink");
    GstAppSinkCallbacks cb = {.new_sample = cctv_stream_on_sample};
    g_object_set(sink, "sync", sync, NULL);
    gst_app_sink_set_callbacks(GST_APP_SINK(sink), &cb, s, NULL);
    gst_object_unref(sink);
}

/* Parses desc into a pipeline; NULL with *error set on failure. */
static GstElement *parse(const char *desc, char **error)
{
    GError *err = NULL;
    GstElement *p = gst_parse_launch_full(desc, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &err);
    if (p)
        return p;
    *error = g_strdup_printf("cannot build pipeline: %s", err ? err->message : "unknown");
    g_clear_error(&err);
    return NULL;
}

/* A videotestsrc pattern for a camera: its own setting, else one by id. */
static const char *test_pattern(const cctv_camera *cam)
{
    static const char *const patterns[] = {"smpte", "ball", "smpte75", "bar", "colors", "pinwheel"};
    if (cam->cfg.pattern)
        return cam->cfg.pattern;
    const char *id = cctv_host->source_id(cam->source);
    return patterns[g_str_hash(id ? id : "") % G_N_ELEMENTS(patterns)];
}

/* Scroll speed of a test picture in pixels per frame: about a tenth of its
 * width per second, so every pattern (not only "ball") is visibly live. */
static int test_scroll(unsigned width, unsigned fps)
{
    return (int)MAX(width / 10 / MAX(fps, 1u), 1u);
}

static GstElement *test_pipeline(cctv_stream *s, char **error)
{
    const cctv_config *c = &s->cam->cfg;
    int sub = s->which == PANTAU_STREAM_SUB;
    unsigned w = sub ? (c->width / 4) * 2 : c->width;
    unsigned h = sub ? (c->height / 4) * 2 : c->height;
    unsigned kbps = sub ? MAX(c->bitrate_kbps / 4, 50u) : c->bitrate_kbps;
    /* A large clock (a tenth of the picture's height) to read from afar. */
    char *desc = g_strdup_printf(
        "videotestsrc name=src is-live=true ! video/x-raw,format=I420,width=%u,height=%u,"
        "framerate=%u/1 ! textoverlay name=label valignment=top halignment=left "
        "shaded-background=true font-desc=\"Sans Bold %u\" ! clockoverlay valignment=bottom "
        "halignment=right shaded-background=true font-desc=\"Sans Bold %u\" "
        "time-format=\"%%H:%%M:%%S\" ! " X264_FMT AU_TAIL,
        w, h, c->fps, MAX(h / 16, 6u), MAX(h / 10, 8u), kbps, 2 * c->fps, 1u);
    GstElement *p = parse(desc, error);
    g_free(desc);
    if (!p)
        return NULL;
    GstElement *src = gst_bin_get_by_name(GST_BIN(p), "src");
    GstElement *label = gst_bin_get_by_name(GST_BIN(p), "label");
    gst_util_set_object_arg(G_OBJECT(src), "pattern", test_pattern(s->cam));
    g_object_set(src, "horizontal-speed", test_scroll(w, c->fps), NULL);
    g_object_set(label, "text", c->label ? c->label : cctv_host->source_id(s->cam->source), NULL);
    gst_object_unref(src);
    gst_object_unref(label);
    attach_sink(p, s, FALSE);
    return p;
}

static GstElement *file_pipeline(cctv_stream *s, char **error)
{
    GstElement *p = parse("filesrc name=src ! qtdemux ! " AU_TAIL, error);
    if (!p)
        return NULL;
    GstElement *src = gst_bin_get_by_name(GST_BIN(p), "src");
    g_object_set(src, "location", s->cam->cfg.path, NULL);
    gst_object_unref(src);
    attach_sink(p, s, TRUE);
    return p;
}

/* rtspsrc "select-stream": only video streams are set up. */
static gboolean rtsp_select_stream(GstElement *src, guint num, GstCaps *caps, gpointer user)
{
    (void)src;
    (void)num;
    (void)user;
    const char *media = gst_structure_get_string(gst_caps_get_structure(caps, 0), "media");
    return media && !strcmp(media, "video");
}

/* The depayloader for a non-H.264 RTP encoding, or NULL when unsupported. */
static const char *transcode_depay(const char *encoding)
{
    static const char *const map[][2] = {
        {"H265", "rtph265depay"},       {"JPEG", "rtpjpegdepay"}, {"MP4V-ES", "rtpmp4vdepay"},
        {"H263-1998", "rtph263pdepay"}, {"VP8", "rtpvp8depay"},   {"VP9", "rtpvp9depay"}};
    for (size_t i = 0; encoding && i < G_N_ELEMENTS(map); i++)
        if (!g_ascii_strcasecmp(encoding, map[i][0]))
            return map[i][1];
    return NULL;
}

/* Adds the ghost pad "sink" of bin: the sink pad of its element "in". */
static int ghost_entry(GstElement *bin)
{
    GstElement *in = gst_bin_get_by_name(GST_BIN(bin), "in");
    GstPad *target = in ? gst_element_get_static_pad(in, "sink") : NULL;
    int ok = target && gst_element_add_pad(bin, gst_ghost_pad_new("sink", target));
    if (target)
        gst_object_unref(target);
    if (in)
        gst_object_unref(in);
    return ok;
}

/* The bin behind rtspsrc for an RTP pad of this encoding: passthrough for
 * H.264 and H.265, depayload, decode and encode once for anything else. */
static GstElement *rtsp_chain(cctv_stream *s, const char *encoding)
{
    char *desc;
    int h265 = encoding && !g_ascii_strcasecmp(encoding, "H265");
    int passthrough = h265 || (encoding && !g_ascii_strcasecmp(encoding, "H264"));
    const char *depay = passthrough ? "rtph264depay" : transcode_depay(encoding);
    if (!depay) {
        g_snprintf(s->unsupported, sizeof s->unsupported, "%s", encoding ? encoding : "unknown");
        return NULL;
    }
    if (h265)
        desc = g_strdup("rtph265depay name=in ! " AU_TAIL_H265);
    else if (passthrough)
        desc = g_strdup("rtph264depay name=in ! " AU_TAIL);
    else
        desc = g_strdup_printf("%s name=in ! decodebin ! " X264_FMT AU_TAIL, depay, 2000u, 50u, 2u);
    GError *err = NULL;
    /* Not ghosting "unlinked pads": the pad after decodebin is one until
     * decodebin exposes its own; the depayloader's sink is the entry. */
    GstElement *bin = gst_parse_bin_from_description(desc, FALSE, &err);
    g_free(desc);
    if (bin && !ghost_entry(bin)) {
        gst_object_unref(bin);
        bin = NULL;
    }
    if (!bin) {
        cctv_host->log(cctv_host, PANTAU_LOG_ERROR, "%s: cannot build the %s chain: %s",
                       cctv_host->source_id(s->cam->source), encoding, err ? err->message : "?");
        g_snprintf(s->unsupported, sizeof s->unsupported, "%s", encoding);
        g_clear_error(&err);
        return NULL;
    }
    if (!passthrough)
        atomic_fetch_or(&s->flags, PANTAU_MEDIA_TRANSCODED);
    if (h265)
        atomic_fetch_or(&s->flags, PANTAU_MEDIA_H265);
    attach_sink(bin, s, FALSE);
    return bin;
}

/* rtspsrc "pad-added" (streaming thread): links the first video pad. */
static void rtsp_pad_added(GstElement *src, GstPad *pad, gpointer user)
{
    cctv_stream *s = user;
    GstCaps *caps = gst_pad_get_current_caps(pad);
    const GstStructure *st = caps ? gst_caps_get_structure(caps, 0) : NULL;
    const char *media = st ? gst_structure_get_string(st, "media") : NULL;
    if (s->chain_linked || !media || strcmp(media, "video"))
        goto out;
    const char *encoding = gst_structure_get_string(st, "encoding-name");
    GstElement *bin = rtsp_chain(s, encoding);
    if (!bin)
        goto out;
    GstElement *pipeline = GST_ELEMENT(gst_element_get_parent(src));
    gst_bin_add(GST_BIN(pipeline), bin);
    gst_object_unref(pipeline);
    gst_element_sync_state_with_parent(bin);
    GstPad *sinkpad = gst_element_get_static_pad(bin, "sink");
    GstPadLinkReturn linked = sinkpad ? gst_pad_link(pad, sinkpad) : GST_PAD_LINK_REFUSED;
    s->chain_linked = linked == GST_PAD_LINK_OK;
    if (sinkpad)
        gst_object_unref(sinkpad);
    if (!s->chain_linked)
        cctv_host->log(cctv_host, PANTAU_LOG_ERROR, "%s: cannot link the %s chain (%d)",
                       cctv_host->source_id(s->cam->source), encoding ? encoding : "?", linked);
    cctv_host->log(cctv_host, PANTAU_LOG_INFO, "%s: %s stream is %s%s",
                   cctv_host->source_id(s->cam->source),
                   s->which == PANTAU_STREAM_SUB ? "sub" : "main", encoding ? encoding : "?",
                   atomic_load(&s->flags) & PANTAU_MEDIA_TRANSCODED ? ", transcoding to H264" : "");
out:
    if (caps)
        gst_caps_unref(caps);
}

/* arg when set, else fallback. */
static const char *pick(const char *arg, const char *fallback)
{
    return arg ? arg : fallback;
}

/* Points src at the stream's URL. The credentials go separately, never in
 * the location: rtspsrc's URL parser refuses a password holding '@', ':',
 * quotes or angle brackets, which the README allows raw in a URL. The
 * settings' username and password win over the URL's, as on the lean path. */
static int rtsp_locate(GstElement *src, const cctv_config *c, const char *url, char **error)
{
    rtsp_url u;
    if (rtsp_url_parse(url, &u)) {
        *error = g_strdup("invalid camera URL (expected rtsp://host[:port]/path)");
        return -1;
    }
    g_object_set(src, "location", u.request, NULL);
    const char *user = pick(c->username, u.user);
    const char *password = pick(c->password, u.password);
    if (user)
        g_object_set(src, "user-id", user, NULL);
    if (password)
        g_object_set(src, "user-pw", password, NULL);
    rtsp_url_clear(&u);
    return 0;
}

static GstElement *rtsp_pipeline(cctv_stream *s, char **error)
{
    const cctv_config *c = &s->cam->cfg;
    GstElement *p = gst_pipeline_new(NULL);
    GstElement *src = gst_element_factory_make("rtspsrc", "src");
    if (!src) {
        gst_object_unref(p);
        *error = g_strdup("GStreamer element rtspsrc is missing");
        return NULL;
    }
    gst_bin_add(GST_BIN(p), src);
    if (rtsp_locate(src, c, cctv_stream_url(c, s->which), error)) {
        gst_object_unref(p);
        return NULL;
    }
    /* Each reply within 10 s, as on the lean path (rtspsrc waits 20 s). */
    g_object_set(src, "latency", c->latency_ms, "tcp-timeout", (guint64)RTSP_STEP_TIMEOUT_US, NULL);
    gst_util_set_object_arg(G_OBJECT(src), "protocols", c->tcp ? "tcp" : "udp");
    g_signal_connect(src, "select-stream", G_CALLBACK(rtsp_select_stream), s);
    g_signal_connect(src, "pad-added", G_CALLBACK(rtsp_pad_added), s);
    s->chain_linked = 0;
    s->unsupported[0] = '\0';
    return p;
}

GstElement *cctv_pipeline_new(cctv_stream *s, char **error)
{
    GstElement *p;
    if (s->cam->cfg.kind == CCTV_RTSP)
        p = rtsp_pipeline(s, error);
    else if (s->cam->cfg.kind == CCTV_FILE)
        p = file_pipeline(s, error);
    else
        p = test_pipeline(s, error);
    return p ? gst_object_ref_sink(p) : NULL;
}
