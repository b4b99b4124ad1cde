/* cctv - camera sources: RTSP cameras (main and substream, H.264 and H.265
 * passed through, anything else transcoded once), H.264 MP4 files played
 * in a loop as if live, and simulated test cameras. Each open stream hands
 * H.264 or H.265 access units to the core through host->media_push. */
#include "cctv.h"
#include "cctv_discover.h"

#include <stdlib.h>
#include <string.h>

const pantau_host *cctv_host;

/* Each type's type_data (ABI 1.4): its kind. */
static cctv_kind kind_rtsp = CCTV_RTSP, kind_file = CCTV_FILE, kind_test = CCTV_TEST;

#define KIND_OF(type_data) (*(const cctv_kind *)(type_data))

/* create_for(): parses settings (borrowed) into a new camera of the type's
 * kind. */
static void *camera_create(void *type_data, pantau_source *source, const json_t *settings,
                           char **error)
{
    cctv_camera *cam = g_new0(cctv_camera, 1);
    cam->source = source;
    if (cctv_config_parse(&cam->cfg, KIND_OF(type_data), settings, error)) {
        g_free(cam);
        return NULL;
    }
    cam->ptz = cctv_ptz_new(cam);
    return cam;
}

/* check_for(): parses settings (borrowed) and throws the result away. */
static int camera_check(void *type_data, const json_t *settings, char **error)
{
    cctv_config cfg = {0};
    if (cctv_config_parse(&cfg, KIND_OF(type_data), settings, error))
        return -1;
    cctv_config_clear(&cfg);
    return 0;
}

static int camera_stream_open(void *instance, enum pantau_stream stream)
{
    cctv_camera *cam = instance;
    if (stream != PANTAU_STREAM_MAIN && stream != PANTAU_STREAM_SUB)
        return -1;
    if (cam->streams[stream])
        return 0;
    cam->streams[stream] = cctv_stream_open(cam, stream);
    /* Its new viewers learn whether it can be steered. */
    cctv_ptz_republish(cam->ptz);
    return cam->streams[stream] ? 0 : -1;
}

static void camera_stream_close(void *instance, enum pantau_stream stream)
{
    cctv_camera *cam = instance;
    if (stream != PANTAU_STREAM_MAIN && stream != PANTAU_STREAM_SUB)
        return;
    cctv_stream_close(cam->streams[stream]);
    cam->streams[stream] = NULL;
}

/* Applies new settings (borrowed); open streams restart with them. A stream
 * the new settings no longer offer (a removed sub_url) stays closed. */
static int camera_update(void *instance, const json_t *settings, char **error)
{
    cctv_camera *cam = instance;
    cctv_config fresh = {0};
    if (cctv_config_parse(&fresh, cam->cfg.kind, settings, error))
        return -1;
    int open[2] = {cam->streams[0] != NULL, cam->streams[1] != NULL};
    camera_stream_close(cam, PANTAU_STREAM_MAIN);
    camera_stream_close(cam, PANTAU_STREAM_SUB);
    cctv_ptz_free(cam->ptz);
    cctv_config_clear(&cam->cfg);
    cam->cfg = fresh;
    cam->ptz = cctv_ptz_new(cam);
    for (int i = PANTAU_STREAM_MAIN; i <= PANTAU_STREAM_SUB; i++)
        if (open[i])
            cam->streams[i] = cctv_stream_open(cam, (enum pantau_stream)i);
    return 0;
}

static void camera_destroy(void *instance)
{
    cctv_camera *cam = instance;
    camera_stream_close(cam, PANTAU_STREAM_MAIN);
    camera_stream_close(cam, PANTAU_STREAM_SUB);
    cctv_ptz_free(cam->ptz);
    cctv_config_clear(&cam->cfg);
    g_free(cam);
}

/* Pan, tilt, zoom and presets over ONVIF (cctv_ptz.c); the file and test
 * cameras have no PTZ and answer every ptz.* action with that error. */
static int camera_control(void *instance, const char *action, const json_t *args,
                          pantau_reply_fn done, void *done_data)
{
    cctv_camera *cam = instance;
    return cctv_ptz_control(cam->ptz, action, args, done, done_data);
}

static json_t *camera_defaults(void *type_data)
{
    return cctv_config_defaults(KIND_OF(type_data));
}

static json_t *camera_schema(void *type_data)
{
    return cctv_config_schema(KIND_OF(type_data));
}

/* One set of functions serves the three types, told apart by type_data. */
#define CAMERA_TYPE(ID, NAME, KIND)                                                                \
    .size = sizeof(pantau_source_type), .id = ID, .kind = "camera", .display_name = NAME,          \
    .type_data = &(KIND), .defaults_for = camera_defaults, .schema_for = camera_schema,            \
    .create_for = camera_create, .check_for = camera_check, .destroy = camera_destroy,             \
    .update = camera_update, .stream_open = camera_stream_open,                                    \
    .stream_close = camera_stream_close, .control = camera_control

static const pantau_source_type camera_types[] = {
    /* The ONVIF cameras' discovery and probe belong to the rtsp type. */
    {CAMERA_TYPE("rtsp", "RTSP camera", kind_rtsp), .type_control = cctv_type_control},
    {CAMERA_TYPE("file", "Video file (looped)", kind_file)},
    {CAMERA_TYPE("test", "Simulated camera", kind_test)},
};

static int cctv_load(const pantau_host *h)
{
    GError *err = NULL;
    if (h->size < offsetof(pantau_host, register_type) + sizeof h->register_type) {
        h->log(h, PANTAU_LOG_ERROR, "the core is too old: the camera types need ABI 1.4");
        return -1;
    }
    if (!gst_init_check(NULL, NULL, &err)) {
        h->log(h, PANTAU_LOG_ERROR, "cannot initialise GStreamer: %s",
               err ? err->message : "unknown");
        g_clear_error(&err);
        return -1;
    }
    cctv_host = h;
    for (size_t i = 0; i < G_N_ELEMENTS(camera_types); i++)
        if (h->register_type(h, &camera_types[i]))
            return -1;
    return 0;
}

static void cctv_unload(void)
{
    cctv_host = NULL;
}

PANTAU_PLUGIN_DEFINE("cctv", "1.0.0", "CCTV cameras: RTSP, looped H.264 files, simulated cameras",
                     cctv_load, cctv_unload)
