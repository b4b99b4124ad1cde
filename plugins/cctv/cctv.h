/* cctv.h - shared between the parts of the cctv plugin (not a public API):
 * a camera's settings, its open streams, and the plugin's host table. */
#ifndef CCTV_H
#define CCTV_H

#include <pantau/plugin.h>

#include <glib.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <stdatomic.h>
#include <stdint.h>

/* The plugin's host table, set in load(). */
extern const pantau_host *cctv_host;

typedef enum cctv_kind {
    CCTV_RTSP,
    CCTV_FILE,
    CCTV_TEST,
} cctv_kind;

/* A camera's settings, parsed and checked. Strings are g_malloc'd. */
typedef struct cctv_config {
    cctv_kind kind;
    char *label; /* overlay text of test cameras */
    /* rtsp */
    char *url;
    char *sub_url; /* NULL when the camera has no substream */
    int tcp;
    unsigned latency_ms;
    char *username; /* NULL when unset */
    char *password; /* NULL when unset; never logged */
    char *onvif;    /* ONVIF device address (host[:port] or device service URL), or NULL */
    /* file */
    char *path;
    /* test */
    unsigned width, height, fps, bitrate_kbps;
    char *pattern;
} cctv_config;

typedef struct cctv_camera cctv_camera;
typedef struct cctv_ptz cctv_ptz;

/* One open stream (main or sub) of a camera. Fields without a note are
 * main-loop-only; the atomics are shared with GStreamer streaming threads. */
typedef struct cctv_stream {
    cctv_camera *cam;
    enum pantau_stream which;
    GstElement *pipeline;
    struct rtsp_client *lean; /* rtsp over TCP: the lean client instead of a pipeline */
    int use_gstreamer;        /* rtsp: the lean client cannot take this camera's codec */
    guint bus_watch;
    guint retry_timer;
    guint watchdog;
    unsigned attempt;           /* backoff attempt; 0 after a stream that delivered */
    gint64 started_us;          /* monotonic time of the last pipeline start */
    int chain_linked;           /* rtsp: the video chain is in place (streaming thread) */
    char unsupported[32];       /* rtsp: codec of a video pad that could not be linked */
    atomic_llong last_frame_us; /* monotonic time of the last AU, 0 = none since start */
    atomic_int live_reported;   /* LIVE sent since the last start */
    atomic_int rebase;          /* next AU continues the pts after the previous one */
    atomic_uint flags;          /* enum pantau_media_flags of the pushed AUs */
    atomic_int keyframe_seen;   /* an IDR went out since the last start */
    /* Set-up and return of an rtsp camera: */
    gint64 playing_us;             /* lean: monotonic time the camera answered PLAY; 0 before */
    struct cctv_port_probe *probe; /* a check whether the camera's port answers */
    guint probe_timer;             /* the next such check while the camera is away */
    int away;                      /* its port did not answer: it is checked until it does */
    int port_answered;             /* a check just passed: GStreamer starts without another */
    /* Streaming thread only (one appsink per stream): */
    int64_t pts_offset_us;
    int64_t last_pts_us;
    int64_t last_dur_us;
    int have_pts;
} cctv_stream;

struct cctv_camera {
    pantau_source *source;
    cctv_config cfg;
    cctv_stream *streams[2];
    unsigned reconnects; /* restarts after a failure, since create() */
    cctv_ptz *ptz;       /* PTZ over ONVIF; NULL without the onvif setting */
};

/* cctv_config.c: fills cfg from settings (borrowed) for `kind`; on failure
 * returns -1 with *error malloc'd and cfg untouched. */
int cctv_config_parse(cctv_config *cfg, cctv_kind kind, const json_t *settings, char **error);
/* Frees the strings of cfg and zeroes it. */
void cctv_config_clear(cctv_config *cfg);
/* Default settings / schema of a kind: new references. */
json_t *cctv_config_defaults(cctv_kind kind);
json_t *cctv_config_schema(cctv_kind kind);

/* cctv_stream.c: opens `which` of cam and starts it (failures are retried
 * in the background). Returns NULL when the camera has no such stream. */
cctv_stream *cctv_stream_open(cctv_camera *cam, enum pantau_stream which);
/* Stops the stream synchronously and frees it; no media_push after. */
void cctv_stream_close(cctv_stream *s);
/* Appsink new-sample callback (streaming thread): pushes one AU. */
GstFlowReturn cctv_stream_on_sample(GstAppSink *appsink, gpointer stream);

/* cctv_pipeline.c: builds the (stopped) pipeline of s from its camera's
 * settings. Returns a floating-free new reference, or NULL with *error
 * g_malloc'd (free with g_free). */
GstElement *cctv_pipeline_new(cctv_stream *s, char **error);
/* The URL of a stream of an rtsp camera (borrowed), NULL for none. */
const char *cctv_stream_url(const cctv_config *cfg, enum pantau_stream which);

/* cctv_ptz.c: PTZ of an rtsp camera with an onvif setting (NULL for any
 * other camera): starts asking the camera for its abilities, which it
 * publishes as the source's data {"ptz": {...}}. */
cctv_ptz *cctv_ptz_new(cctv_camera *cam);
/* Publishes the abilities again (when known; p may be NULL): data goes
 * only to the clients showing the camera, and a camera added while a
 * console is connected is shown after its first publish. */
void cctv_ptz_republish(const cctv_ptz *p);
/* Stops talking to the camera; every request still waiting is answered
 * with an error. NULL is ignored. */
void cctv_ptz_free(cctv_ptz *p);
/* The source type's control(): the ptz.* actions of README.md on p (may be
 * NULL: answered with an error). args borrowed. Returns -1 for an action
 * it does not know (done not called), else 0 and done is called once. */
int cctv_ptz_control(cctv_ptz *p, const char *action, const json_t *args, pantau_reply_fn done,
                     void *data);

#endif
