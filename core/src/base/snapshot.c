/* snapshot.c - H.264 or H.265 to JPEG with GStreamer, on a worker thread. */
#include "snapshot.h"

#include "h264.h"
#include "h265.h"
#include "log.h"

#include <gio/gio.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#define SNAPSHOT_PIPELINE(codec)                                                                   \
    "appsrc name=in format=time caps=video/x-" codec                                               \
    ",stream-format=byte-stream,alignment=au ! " codec "parse ! avdec_" codec                      \
    " ! videoconvert ! jpegenc quality=80 ! "                                                      \
    "appsink name=out sync=false max-buffers=1 drop=true"

/* The decoding pipeline for gop: H.265 when it begins with H.265 parameter
 * sets (an H.264 SPS, PPS or IDR never reads as one), else H.264. */
static const char *pipeline_for(GBytes *gop)
{
    gsize len;
    const uint8_t *data = g_bytes_get_data(gop, &len);
    if (data && h265_au_has_parameter_sets(data, len) && !h264_au_has_parameter_sets(data, len))
        return SNAPSHOT_PIPELINE("h265");
    return SNAPSHOT_PIPELINE("h264");
}

/* Pulls every JPEG the pipeline makes and keeps the last. */
static GBytes *pull_last(GstAppSink *sink)
{
    GBytes *last = NULL;
    GstSample *sample;
    while ((sample = gst_app_sink_try_pull_sample(sink, 5 * GST_SECOND)) != NULL) {
        GstBuffer *buf = gst_sample_get_buffer(sample);
        GstMapInfo map;
        if (buf && gst_buffer_map(buf, &map, GST_MAP_READ)) {
            if (last)
                g_bytes_unref(last);
            last = g_bytes_new(map.data, map.size);
            gst_buffer_unmap(buf, &map);
        }
        gst_sample_unref(sample);
    }
    return last;
}

GBytes *snapshot_jpeg(GBytes *gop)
{
    GError *err = NULL;
    GstElement *pipeline = gst_parse_launch(pipeline_for(gop), &err);
    if (!pipeline) {
        log_warn("snapshot: cannot build the decoder: %s", err ? err->message : "?");
        g_clear_error(&err);
        return NULL;
    }
    GstElement *in = gst_bin_get_by_name(GST_BIN(pipeline), "in");
    GstElement *out = gst_bin_get_by_name(GST_BIN(pipeline), "out");
    gst_element_set_state(pipeline, GST_STATE_PLAYING);
    GstBuffer *buf = gst_buffer_new_wrapped_bytes(gop);
    gst_app_src_push_buffer(GST_APP_SRC(in), buf);
    gst_app_src_end_of_stream(GST_APP_SRC(in));
    GBytes *jpeg = pull_last(GST_APP_SINK(out));
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(in);
    gst_object_unref(out);
    gst_object_unref(pipeline);
    return jpeg;
}

typedef struct job {
    GBytes *gop;
    snapshot_done_fn done;
    void *user;
} job;

static void job_free(gpointer data)
{
    job *j = data;
    g_bytes_unref(j->gop);
    g_free(j);
}

static void run_job(GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
    (void)source, (void)cancel;
    job *j = data;
    GBytes *jpeg = snapshot_jpeg(j->gop);
    g_task_return_pointer(task, jpeg, (GDestroyNotify)g_bytes_unref);
}

static void job_finished(GObject *source, GAsyncResult *result, gpointer user)
{
    (void)source, (void)user;
    GTask *task = G_TASK(result);
    job *j = g_task_get_task_data(task);
    GBytes *jpeg = g_task_propagate_pointer(task, NULL);
    j->done(jpeg, j->user);
    if (jpeg)
        g_bytes_unref(jpeg);
}

void snapshot_jpeg_async(GBytes *gop, snapshot_done_fn done, void *user)
{
    job *j = g_new0(job, 1);
    j->gop = g_bytes_ref(gop);
    j->done = done;
    j->user = user;
    GTask *task = g_task_new(NULL, NULL, job_finished, NULL);
    g_task_set_task_data(task, j, job_free);
    g_task_run_in_thread(task, run_job);
    g_object_unref(task);
}
