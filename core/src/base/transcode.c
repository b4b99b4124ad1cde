/* transcode.c - H.265 to H.264 with GStreamer (see transcode.h). */
#include "transcode.h"

#include "log.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

/* The cctv plugin's encoder settings (plugins/cctv/cctv_pipeline.c). */
#define TRANSCODE_PIPELINE                                                                         \
    "appsrc name=in format=time is-live=true "                                                     \
    "caps=video/x-h265,stream-format=byte-stream,alignment=au ! "                                  \
    "h265parse ! avdec_h265 ! videoconvert ! video/x-raw,format=I420 ! "                           \
    "x264enc tune=zerolatency speed-preset=ultrafast bitrate=2000 key-int-max=50 threads=2 ! "     \
    "video/x-h264,profile=constrained-baseline ! "                                                 \
    "h264parse config-interval=-1 ! video/x-h264,stream-format=byte-stream,alignment=au ! "        \
    "appsink name=out sync=false max-buffers=4 drop=false emit-signals=false"

/* Input waiting beyond this is dropped (up to the next keyframe, by the
 * decoder's own recovery). */
#define TRANSCODE_MAX_QUEUED_BYTES (16u * 1024u * 1024u)

struct transcoder {
    GstElement *pipeline;
    GstAppSrc *in;
    transcoder_au_fn fn;
    void *user;
};

static GstFlowReturn on_sample(GstAppSink *sink, gpointer data)
{
    transcoder *t = data;
    GstSample *sample = gst_app_sink_pull_sample(sink);
    if (!sample)
        return GST_FLOW_FLUSHING;
    GstBuffer *buf = gst_sample_get_buffer(sample);
    GstMapInfo map;
    if (buf && gst_buffer_map(buf, &map, GST_MAP_READ)) {
        GstClockTime pts = GST_BUFFER_PTS(buf);
        int64_t pts_us = GST_CLOCK_TIME_IS_VALID(pts) ? (int64_t)(pts / 1000) : 0;
        t->fn(map.data, map.size, pts_us, t->user);
        gst_buffer_unmap(buf, &map);
    }
    gst_sample_unref(sample);
    return GST_FLOW_OK;
}

transcoder *transcoder_new(transcoder_au_fn fn, void *user, char **error)
{
    GError *err = NULL;
    GstElement *pipeline = gst_parse_launch(TRANSCODE_PIPELINE, &err);
    if (!pipeline) {
        *error = g_strdup_printf("cannot build the H.265 transcode: %s", err ? err->message : "?");
        g_clear_error(&err);
        return NULL;
    }
    transcoder *t = g_new0(transcoder, 1);
    t->pipeline = pipeline;
    t->fn = fn;
    t->user = user;
    t->in = GST_APP_SRC(gst_bin_get_by_name(GST_BIN(pipeline), "in"));
    GstElement *out = gst_bin_get_by_name(GST_BIN(pipeline), "out");
    GstAppSinkCallbacks cb = {.new_sample = on_sample};
    gst_app_sink_set_callbacks(GST_APP_SINK(out), &cb, t, NULL);
    gst_object_unref(out);
    if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        *error = g_strdup("cannot start the H.265 transcode");
        transcoder_free(t);
        return NULL;
    }
    return t;
}

void transcoder_push(transcoder *t, const uint8_t *au, size_t len, int64_t pts_us)
{
    if (!t || !au || !len)
        return;
    if (gst_app_src_get_current_level_bytes(t->in) > TRANSCODE_MAX_QUEUED_BYTES)
        return;
    GstBuffer *buf = gst_buffer_new_memdup(au, len);
    GST_BUFFER_PTS(buf) = pts_us >= 0 ? (GstClockTime)pts_us * 1000 : GST_CLOCK_TIME_NONE;
    if (gst_app_src_push_buffer(t->in, buf) != GST_FLOW_OK)
        log_warn("transcode: the converter does not take input");
}

void transcoder_free(transcoder *t)
{
    if (!t)
        return;
    gst_element_set_state(t->pipeline, GST_STATE_NULL);
    gst_object_unref(t->in);
    gst_object_unref(t->pipeline);
    g_free(t);
}
