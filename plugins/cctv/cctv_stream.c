/* cctv_stream.c - one open stream of a camera: runs its pipeline, pushes
 * access units to the core, watches for errors and stalls, and restarts the
 * pipeline with capped exponential backoff. Main loop except where noted. */
#include "backoff.h"
#include "cctv.h"
#include "port_probe.h"
#include "rtsp_client.h"
#include "rtsp_proto.h"
#include "url_redact.h"

#include <stdlib.h>
#include <string.h>

/* A playing stream without a frame for this long is restarted. */
#define CCTV_STALL_US (5 * G_USEC_PER_SEC)
/* A camera whose port does not answer is checked this often, so that its
 * return is noticed within half a second: a viewer should have video
 * within 3 s of the camera's return, and the RTSP set-up and the first
 * keyframe take the rest. Two connects a second cost a camera nothing. */
#define CCTV_AWAY_CHECK_MS 500
/* How long each such check may take. Cameras answer a connect in
 * milliseconds; one that takes longer is not back yet. */
#define CCTV_AWAY_CHECK_TIMEOUT_S 2
/* The check before a GStreamer start: as long as the lean client's connect. */
#define CCTV_START_CHECK_TIMEOUT_S 10
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
    cctv_port_probe_cancel(s->probe);
    s->probe = NULL;
    if (s->probe_timer)
        g_source_remove(s->probe_timer);
    s->probe_timer = 0;
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

/* Tears the pipeline down, counts the failed attempt, and reports status
 * and reason (redacted here), logging it with what happens next. Every
 * failure is reported, even one that repeats the last: the core counts
 * each as a restart. */
static void stream_down(cctv_stream *s, enum pantau_source_status status, const char *reason,
                        const char *next)
{
    int delivered = atomic_load(&s->last_frame_us) != 0;
    stream_teardown(s);
    if (delivered)
        s->attempt = 0;
    if (s->attempt < 64)
        s->attempt++;
    char *clean = cctv_redact(reason, s->cam->cfg.password);
    cctv_host->log(cctv_host, PANTAU_LOG_WARN, "%s: %s stream: %s; %s", cam_id(s), stream_name(s),
                   clean ? clean : "failed", next);
    /* Through the same queue as the streaming thread's "live", so that a
     * late "live" can never overtake this failure. */
    cctv_host->set_status_async(s->cam->source, status, clean);
    free(clean);
}

/* Reports the failure and schedules the next start by the backoff schedule. */
static void stream_fail(cctv_stream *s, enum pantau_source_status status, const char *reason)
{
    if (atomic_load(&s->last_frame_us))
        s->attempt = 0;
    unsigned delay = cctv_backoff_ms(s->attempt);
    char *next = g_strdup_printf("retrying in %u s", delay / 1000);
    stream_down(s, status, reason, next);
    g_free(next);
    s->retry_timer = g_timeout_add(delay, retry_cb, s);
}

/* ---- a camera that is away: its port is checked until it answers ---- */

/* "host:port" of an rtsp stream's camera, g_malloc'd. */
static char *camera_address(const cctv_stream *s)
{
    rtsp_url u;
    if (rtsp_url_parse(cctv_stream_url(&s->cam->cfg, s->which), &u))
        return g_strdup("the camera");
    char *display = g_steal_pointer(&u.display);
    rtsp_url_clear(&u);
    return display;
}

static void check_port(cctv_stream *s, unsigned timeout_s);

static gboolean away_check_cb(gpointer user)
{
    cctv_stream *s = user;
    s->probe_timer = 0;
    check_port(s, CCTV_AWAY_CHECK_TIMEOUT_S);
    return G_SOURCE_REMOVE;
}

/* Nothing answers at the camera's host and port. Full sessions would only
 * fail at their connect, so instead of the backoff schedule the port is
 * checked every CCTV_AWAY_CHECK_MS (one TCP connect) and the stream starts
 * the moment it answers: a camera that comes back is back within about a
 * second, however long it was away, and one that stays away gets no RTSP
 * traffic. */
static void stream_away(cctv_stream *s, const char *reason)
{
    stream_down(s, PANTAU_STATUS_RECONNECTING, reason,
                "retrying as soon as it answers (checked twice a second)");
    s->away = 1;
    s->probe_timer = g_timeout_add(CCTV_AWAY_CHECK_MS, away_check_cb, s);
}

/* The port answered: start now (a restart when the camera was away). */
static void port_answered(cctv_stream *s)
{
    if (s->away) {
        s->cam->reconnects++;
        cctv_host->log(cctv_host, PANTAU_LOG_INFO,
                       "%s: the camera answers again: reconnecting %s stream (reconnect %u)",
                       cam_id(s), stream_name(s), s->cam->reconnects);
    }
    s->port_answered = 1;
    stream_start(s);
}

static void check_done(void *user, int reachable, const char *error)
{
    cctv_stream *s = user;
    s->probe = NULL;
    if (reachable) {
        port_answered(s);
        return;
    }
    if (s->away) {
        s->probe_timer = g_timeout_add(CCTV_AWAY_CHECK_MS, away_check_cb, s);
        return;
    }
    char *addr = camera_address(s);
    char *reason = g_strdup_printf("cannot connect to %s: %s", addr, error);
    stream_away(s, reason);
    g_free(reason);
    g_free(addr);
}

/* Checks whether the port of s's camera answers; check_done follows. */
static void check_port(cctv_stream *s, unsigned timeout_s)
{
    rtsp_url u;
    if (rtsp_url_parse(cctv_stream_url(&s->cam->cfg, s->which), &u)) {
        stream_fail(s, PANTAU_STATUS_ERROR,
                    "invalid camera URL (expected rtsp://host[:port]/path)");
        return;
    }
    s->probe = cctv_port_probe_start(u.host, u.port, timeout_s, check_done, s);
    rtsp_url_clear(&u);
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
    default:
        return "";
    }
}

/* The status code of the RTSP error reply behind an rtspsrc error, with its
 * reason phrase in *phrase (borrowed from msg), or 0 when there was none. */
static unsigned rtsp_reply_status(GstMessage *msg, const char **phrase)
{
    const GstStructure *details = NULL;
    guint code = 0;
    gst_message_parse_error_details(msg, &details);
    if (!details || !gst_structure_get_uint(details, "rtsp-status-code", &code))
        return 0;
    *phrase = gst_structure_get_string(details, "rtsp-status-reason");
    return code;
}

/* The last line of a GStreamer debug string: rtspsrc puts what happened
 * there ("Could not receive message. (Timeout while waiting for server
 * response)") under a generic message. Borrowed from debug. */
static const char *debug_detail(const char *debug)
{
    const char *nl = debug ? strrchr(debug, '\n') : NULL;
    return nl && nl[1] ? nl + 1 : debug;
}

/* Fails an rtsp stream whose rtspsrc reported err: with the camera's
 * address and what went wrong, as the lean client words it. Returns 0 when
 * err is not one of these (the generic path takes it). */
static int rtsp_fail(cctv_stream *s, GstMessage *msg, const GError *err, const char *debug)
{
    if (s->cam->cfg.kind != CCTV_RTSP || err->domain != GST_RESOURCE_ERROR)
        return 0;
    char *addr = camera_address(s);
    char *reason = NULL;
    const char *phrase = NULL;
    unsigned code = rtsp_reply_status(msg, &phrase);
    if (code) {
        reason = g_strdup_printf("%scamera %s answered %u %s", error_hint(err), addr, code,
                                 phrase ? phrase : "");
        stream_fail(s, code >= 500 ? PANTAU_STATUS_RECONNECTING : PANTAU_STATUS_ERROR, reason);
    } else if (err->code == GST_RESOURCE_ERROR_OPEN_READ_WRITE ||
               err->code == GST_RESOURCE_ERROR_OPEN_READ) {
        reason = g_strdup_printf("cannot connect to %s: %s", addr, debug_detail(debug));
        stream_away(s, reason);
    } else if (debug) {
        reason = g_strdup_printf("camera %s: %s", addr, debug_detail(debug));
        stream_fail(s, error_status(s, err), reason);
    }
    int handled = reason != NULL;
    g_free(reason);
    g_free(addr);
    return handled;
}

static void on_error(cctv_stream *s, GstMessage *msg)
{
    GError *err = NULL;
    char *debug = NULL;
    gst_message_parse_error(msg, &err, &debug);
    if (s->unsupported[0]) {
        char *reason = g_strdup_printf("unsupported video codec %s", s->unsupported);
        stream_fail(s, PANTAU_STATUS_ERROR, reason);
        g_free(reason);
    } else if (!rtsp_fail(s, msg, err, debug)) {
        char *reason = g_strdup_printf("%s%s", error_hint(err), err->message);
        stream_fail(s, error_status(s, err), reason);
        g_free(reason);
    }
    g_clear_error(&err);
    g_free(debug);
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

/* Where the stall watchdog counts from: the last frame; before the first
 * one, the camera's answer to PLAY (lean client) or the pipeline's start.
 * 0 while the lean client is still setting up: each of its steps has its
 * own timeout, and its reason says which step the camera did not answer. */
static gint64 stall_origin(const cctv_stream *s)
{
    gint64 last = atomic_load(&s->last_frame_us);
    if (last)
        return last;
    return s->lean ? s->playing_us : s->started_us;
}

/* Restarts a playing stream that has not delivered a frame for too long. */
static gboolean watchdog_cb(gpointer user)
{
    cctv_stream *s = user;
    if (!s->pipeline && !s->lean)
        return G_SOURCE_CONTINUE;
    gint64 origin = stall_origin(s);
    if (origin && g_get_monotonic_time() - origin > CCTV_STALL_US)
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
    cctv_stream *s = user;
    int h265 = s->lean && rtsp_client_codec(s->lean) == RTSP_CODEC_H265;
    atomic_store(&s->flags, h265 ? PANTAU_MEDIA_H265 : 0u);
    stream_push_au(s, data, len, keyframe, pts_us, 0);
}

static void lean_on_playing(void *user)
{
    cctv_stream *s = user;
    s->playing_us = g_get_monotonic_time();
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
    case RTSP_END_UNREACHABLE:
        text = g_strdup(reason);
        stream_away(s, text);
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
    /* H.265 passes through untouched, on the main stream and the substream:
     * clients that cannot decode it get the H.264 substream or the core's
     * conversion, within its budget (docs/cameras.md). */
    s->lean = rtsp_client_start_codecs(cctv_stream_url(c, s->which), c->username, c->password,
                                       RTSP_CODEC_H264 | RTSP_CODEC_H265, &cb, s);
}

/* Builds and plays the GStreamer pipeline of s. */
static void pipeline_start(cctv_stream *s)
{
    char *error = NULL;
    s->started_us = g_get_monotonic_time(); /* after the port check */
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

static void stream_start(cctv_stream *s)
{
    int checked = s->port_answered;
    s->port_answered = 0;
    s->away = 0;
    atomic_store(&s->flags, 0);
    atomic_store(&s->last_frame_us, 0);
    atomic_store(&s->live_reported, 0);
    atomic_store(&s->keyframe_seen, 0);
    atomic_store(&s->rebase, 1);
    s->started_us = g_get_monotonic_time();
    s->playing_us = 0;
    if (stream_is_lean(s)) {
        lean_start(s);
        return;
    }
    /* rtspsrc says no more than "Could not open resource for reading and
     * writing" when it cannot connect: a check first names the host and
     * the cause, as the lean client does. */
    if (s->cam->cfg.kind == CCTV_RTSP && !checked) {
        check_port(s, CCTV_START_CHECK_TIMEOUT_S);
        return;
    }
    pipeline_start(s);
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
