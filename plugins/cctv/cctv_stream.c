/* cctv_stream.c - one open stream of a camera: runs its pipeline, pushes
 * access units to the core, watches for errors and stalls, and restarts the
 * pipeline with capped exponential backoff. Main loop except where noted. */
#include "backoff.h"
#include "cctv.h"
#include "rtsp_client.h"
#include "url_redact.h"

#include <stdlib.h>

/* A playing stream without a frame for this long is restarted. */
#define CCTV_STALL_US (5 * G_USEC_PER_SEC)
/* Assumed frame duration when buffers carry none. */
#define CCTV_DEFAULT_FRAME_US 40000

static void stream_start(cctv_stream *s);

static const char *stream_name(const cctv_stream *s)
{
    return s->which == PANTAU_STREAM_SUB ? "sub" : "main";
}

static const char *cam_id(const cctv_stream *s)
{
    return cctv_host->source_id(s->cam->source);
}

/* ---- streaming thread ---- */

/* Presentation time in microseconds from the source's own clock (raw),
 * increasing across restarts and file loops (after s->rebase the stream
 * continues one frame later). dur_us: the frame's duration, 0 if unknown. */
static int64_t stream_pts_us(cctv_stream *s, int64_t raw, int64_t dur_us)
{
    if (atomic_exchange(&s->rebase, 0) && s->have_pts)
        s->pts_offset_us = s->last_pts_us + s->last_dur_us - raw;
    if (dur_us > 0)
        s->last_dur_us = dur_us;
    int64_t pts = raw + s->pts_offset_us;
    if (!s->have_pts || pts > s->last_pts_us)
        s->last_pts_us = pts;
    s->have_pts = 1;
    return pts;
}

/* Pushes one AU (streaming thread, or the main loop for the lean RTSP
 * client); drops what comes before the first keyframe of a start. */
static void stream_push_au(cctv_stream *s, const uint8_t *data, size_t len, int key,
                           int64_t raw_pts_us, int64_t dur_us)
{
    if (!key && !atomic_load(&s->keyframe_seen))
        return;
    atomic_store(&s->keyframe_seen, 1);
    int64_t pts = stream_pts_us(s, raw_pts_us, dur_us);
    cctv_host->media_push(s->cam->source, s->which, data, len, pts, atomic_load(&s->flags));
    atomic_store(&s->last_frame_us, g_get_monotonic_time());
    if (!atomic_exchange(&s->live_reported, 1))
        cctv_host->set_status_async(s->cam->source, PANTAU_STATUS_LIVE, NULL);
}

/* Pushes the AU in buf. */
static void push_buffer(cctv_stream *s, GstBuffer *buf)
{
    GstClockTime t = GST_BUFFER_PTS(buf);
    if (!GST_CLOCK_TIME_IS_VALID(t))
        t = GST_BUFFER_DTS(buf);
    int64_t raw = GST_CLOCK_TIME_IS_VALID(t) ? (int64_t)(t / 1000) : g_get_monotonic_time();
    int64_t dur =
        GST_BUFFER_DURATION_IS_VALID(buf) ? (int64_t)(GST_BUFFER_DURATION(buf) / 1000) : 0;
    GstMapInfo map;
    if (!gst_buffer_map(buf, &map, GST_MAP_READ))
        return;
    stream_push_au(s, map.data, map.size, !GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT),
                   raw, dur);
    gst_buffer_unmap(buf, &map);
}

GstFlowReturn cctv_stream_on_sample(GstAppSink *appsink, gpointer stream)
{
    GstSample *sample = gst_app_sink_pull_sample(appsink);
    if (!sample)
        return GST_FLOW_FLUSHING;
    GstBuffer *buf = gst_sample_get_buffer(sample);
    if (buf)
        push_buffer(stream, buf);
    gst_sample_unref(sample);
    return GST_FLOW_OK;
}

/* ---- main loop ---- */

/* Stops and drops the pipeline (its streaming threads have ended on return)
 * or the lean client. */
static void stream_teardown(cctv_stream *s)
{
    rtsp_client_free(s->lean);
    s->lean = NULL;
    if (s->bus_watch)
        g_source_remove(s->bus_watch);
    s->bus_watch = 0;
    if (!s->pipeline)
        return;
    gst_element_set_state(s->pipeline, GST_STATE_NULL);
    gst_object_unref(s->pipeline);
    s->pipeline = NULL;
}

static gboolean retry_cb(gpointer user)
{
    cctv_stream *s = user;
    s->retry_timer = 0;
    s->cam->reconnects++;
    cctv_host->log(cctv_host, PANTAU_LOG_INFO, "%s: reconnecting %s stream (reconnect %u)",
                   cam_id(s), stream_name(s), s->cam->reconnects);
    stream_start(s);
    return G_SOURCE_REMOVE;
}

/* Tears the pipeline down, reports status and reason (redacted here), and
 * schedules the next start by the backoff schedule. */
static void stream_fail(cctv_stream *s, enum pantau_source_status status, const char *reason)
{
    int delivered = atomic_load(&s->last_frame_us) != 0;
    stream_teardown(s);
    if (delivered)
        s->attempt = 0;
    unsigned delay = cctv_backoff_ms(s->attempt);
    if (s->attempt < 64)
        s->attempt++;
    char *clean = cctv_redact(reason, s->cam->cfg.password);
    cctv_host->log(cctv_host, PANTAU_LOG_WARN, "%s: %s stream: %s; retrying in %u s", cam_id(s),
                   stream_name(s), clean ? clean : "failed", delay / 1000);
    /* Through the same queue as the streaming thread's "live", so that a
     * late "live" can never overtake this failure. */
    cctv_host->set_status_async(s->cam->source, status, clean);
    free(clean);
    s->retry_timer = g_timeout_add(delay, retry_cb, s);
}

/* Status for an error: a camera that cannot be described, reached with these
 * credentials or decoded is an error; anything else is an outage. */
static enum pantau_source_status error_status(const cctv_stream *s, const GError *err)
{
    if (s->cam->cfg.kind != CCTV_RTSP)
        return PANTAU_STATUS_ERROR;
    if (err->domain == GST_RESOURCE_ERROR)
        return err->code == GST_RESOURCE_ERROR_NOT_FOUND ||
                       err->code == GST_RESOURCE_ERROR_NOT_AUTHORIZED
                   ? PANTAU_STATUS_ERROR
                   : PANTAU_STATUS_RECONNECTING;
    if (err->domain == GST_STREAM_ERROR || err->domain == GST_CORE_ERROR)
        return err->code == GST_STREAM_ERROR_CODEC_NOT_FOUND ? PANTAU_STATUS_ERROR
                                                             : PANTAU_STATUS_RECONNECTING;
    return PANTAU_STATUS_RECONNECTING;
}

/* A short explanation put before GStreamer's message, or "". */
static const char *error_hint(const GError *err)
{
    if (err->domain != GST_RESOURCE_ERROR)
        return "";
    switch (err->code) {
    case GST_RESOURCE_ERROR_NOT_AUTHORIZED:
        return "check username and password: ";
    case GST_RESOURCE_ERROR_NOT_FOUND:
        return "check the URL: ";
    case GST_RESOURCE_ERROR_OPEN_READ_WRITE:
    case GST_RESOURCE_ERROR_OPEN_READ:
        return "cannot connect: ";
    default:
        return "";
    }
}

static void on_error(cctv_stream *s, GstMessage *msg)
{
    GError *err = NULL;
    gst_message_parse_error(msg, &err, NULL);
    enum pantau_source_status status = error_status(s, err);
    char *reason = g_strdup_printf("%s%s", error_hint(err), err->message);
    if (s->unsupported[0]) {
        status = PANTAU_STATUS_ERROR;
        g_free(reason);
        reason = g_strdup_printf("unsupported video codec %s", s->unsupported);
    }
    g_clear_error(&err);
    stream_fail(s, status, reason);
    g_free(reason);
}

/* File cameras loop: back to the start, pts continuing after the last AU. */
static void on_eos(cctv_stream *s)
{
    if (s->cam->cfg.kind != CCTV_FILE) {
        stream_fail(s, PANTAU_STATUS_RECONNECTING, "the camera ended the stream");
        return;
    }
    atomic_store(&s->rebase, 1);
    if (!gst_element_seek_simple(s->pipeline, GST_FORMAT_TIME,
                                 GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_KEY_UNIT, 0))
        stream_fail(s, PANTAU_STATUS_ERROR, "cannot seek to the start of the file");
}

static gboolean bus_cb(GstBus *bus, GstMessage *msg, gpointer user)
{
    (void)bus;
    cctv_stream *s = user;
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
        on_error(s, msg);
        return G_SOURCE_REMOVE;
    }
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) {
        on_eos(s);
        return s->bus_watch ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

/* Restarts a playing stream that has not delivered a frame for too long. */
static gboolean watchdog_cb(gpointer user)
{
    cctv_stream *s = user;
    if (!s->pipeline && !s->lean)
        return G_SOURCE_CONTINUE;
    gint64 last = MAX(s->started_us, (gint64)atomic_load(&s->last_frame_us));
    if (g_get_monotonic_time() - last > CCTV_STALL_US)
        stream_fail(s, PANTAU_STATUS_RECONNECTING, "no video for 5 s");
    return G_SOURCE_CONTINUE;
}

/* The error a failed state change left on the bus, g_malloc'd, or NULL. */
static char *pending_error(GstElement *pipeline)
{
    GstBus *bus = gst_element_get_bus(pipeline);
    GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    gst_object_unref(bus);
    if (!msg)
        return NULL;
    GError *err = NULL;
    gst_message_parse_error(msg, &err, NULL);
    char *reason = g_strdup(err ? err->message : NULL);
    g_clear_error(&err);
    gst_message_unref(msg);
    return reason;
}

/* ---- the lean RTSP client (main loop) ---- */

static void lean_on_access_unit(void *user, const uint8_t *data, size_t len, int keyframe,
                                int64_t pts_us)
{
    stream_push_au(user, data, len, keyframe, pts_us, 0);
}

static void lean_on_playing(void *user)
{
    (void)user;
}

static void lean_on_end(void *user, rtsp_end why, const char *reason)
{
    cctv_stream *s = user;
    char *text;
    switch (why) {
    case RTSP_END_UNSUPPORTED:
        /* Other codecs are transcoded by the GStreamer pipeline, from now on. */
        cctv_host->log(cctv_host, PANTAU_LOG_INFO, "%s: %s stream: %s; using GStreamer", cam_id(s),
                       stream_name(s), reason);
        s->use_gstreamer = 1;
        stream_teardown(s);
        stream_start(s);
        return;
    case RTSP_END_AUTH:
        text = g_strdup_printf("check username and password: %s", reason);
        stream_fail(s, PANTAU_STATUS_ERROR, text);
        break;
    case RTSP_END_NOT_FOUND:
        text = g_strdup_printf("check the URL: %s", reason);
        stream_fail(s, PANTAU_STATUS_ERROR, text);
        break;
    case RTSP_END_PROTOCOL:
        text = g_strdup(reason);
        stream_fail(s, PANTAU_STATUS_ERROR, text);
        break;
    default:
        text = g_strdup(reason);
        stream_fail(s, PANTAU_STATUS_RECONNECTING, text);
        break;
    }
    g_free(text);
}

/* Whether s is read by the lean client rather than a GStreamer pipeline:
 * plain RTSP over TCP, until the camera turns out not to send H.264. */
static int stream_is_lean(const cctv_stream *s)
{
    const cctv_config *c = &s->cam->cfg;
    const char *url = cctv_stream_url(c, s->which);
    return c->kind == CCTV_RTSP && c->tcp && !s->use_gstreamer && url &&
           !g_ascii_strncasecmp(url, "rtsp://", 7) && !g_getenv("PANTAU_CCTV_GSTREAMER_RTSP");
}

static void lean_start(cctv_stream *s)
{
    static const rtsp_client_callbacks cb = {
        .on_access_unit = lean_on_access_unit,
        .on_playing = lean_on_playing,
        .on_end = lean_on_end,
    };
    const cctv_config *c = &s->cam->cfg;
    s->lean = rtsp_client_start(cctv_stream_url(c, s->which), c->username, c->password, &cb, s);
}

static void stream_start(cctv_stream *s)
{
    char *error = NULL;
    atomic_store(&s->flags, 0);
    atomic_store(&s->last_frame_us, 0);
    atomic_store(&s->live_reported, 0);
    atomic_store(&s->keyframe_seen, 0);
    atomic_store(&s->rebase, 1);
    s->started_us = g_get_monotonic_time();
    if (stream_is_lean(s)) {
        lean_start(s);
        return;
    }
    s->pipeline = cctv_pipeline_new(s, &error);
    if (!s->pipeline) {
        stream_fail(s, PANTAU_STATUS_ERROR, error);
        g_free(error);
        return;
    }
    GstBus *bus = gst_element_get_bus(s->pipeline);
    s->bus_watch = gst_bus_add_watch(bus, bus_cb, s);
    gst_object_unref(bus);
    if (gst_element_set_state(s->pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE)
        return;
    error = pending_error(s->pipeline);
    stream_fail(s, PANTAU_STATUS_ERROR, error ? error : "cannot start the pipeline");
    g_free(error);
}

cctv_stream *cctv_stream_open(cctv_camera *cam, enum pantau_stream which)
{
    if (which == PANTAU_STREAM_SUB &&
        (cam->cfg.kind == CCTV_FILE || (cam->cfg.kind == CCTV_RTSP && !cam->cfg.sub_url)))
        return NULL;
    cctv_stream *s = g_new0(cctv_stream, 1);
    s->cam = cam;
    s->which = which;
    s->last_dur_us = CCTV_DEFAULT_FRAME_US;
    char *what = cctv_redact(cam->cfg.kind == CCTV_RTSP   ? cctv_stream_url(&cam->cfg, which)
                             : cam->cfg.kind == CCTV_FILE ? cam->cfg.path
                                                          : "test pattern",
                             cam->cfg.password);
    cctv_host->log(cctv_host, PANTAU_LOG_INFO, "%s: opening %s stream: %s",
                   cctv_host->source_id(cam->source), stream_name(s), what ? what : "");
    free(what);
    s->watchdog = g_timeout_add(1000, watchdog_cb, s);
    stream_start(s);
    return s;
}

void cctv_stream_close(cctv_stream *s)
{
    if (!s)
        return;
    if (s->retry_timer)
        g_source_remove(s->retry_timer);
    if (s->watchdog)
        g_source_remove(s->watchdog);
    stream_teardown(s);
    cctv_host->log(cctv_host, PANTAU_LOG_INFO, "%s: closed %s stream", cam_id(s), stream_name(s));
    g_free(s);
}
