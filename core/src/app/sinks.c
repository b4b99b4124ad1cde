/* sinks.c - the session sink over a ws_client, and the media engine's
 * hooks. */
#include "sinks.h"

#include "events.h"
#include "plugin_loader.h"
#include "recordings.h"

static void ws_send_json(void *peer, const json_t *msg)
{
    ws_client_send_json(peer, msg);
}

/* The media event: the stream's description under its protocol name. */
static void ws_stream_info(void *peer, const json_t *info)
{
    json_t *msg = events_make("media", json_copy((json_t *)info));
    ws_client_send_video_json(peer, msg);
    json_decref(msg);
}

static void ws_send_frame(void *peer, media_frame *frame)
{
    ws_client_send_frame(peer, frame);
}

static void ws_expect_keyframe(void *peer, uint32_t stream)
{
    ws_client_expect_keyframe(peer, stream);
}

static void ws_forget_stream(void *peer, uint32_t stream)
{
    ws_client_forget_stream(peer, stream);
}

static const session_sink ws_sink = {
    .send_json = ws_send_json,
    .stream_info = ws_stream_info,
    .send_frame = ws_send_frame,
    .expect_keyframe = ws_expect_keyframe,
    .forget_stream = ws_forget_stream,
};

void sinks_attach_ws(session *s, ws_client *c)
{
    session_set_sink(s, &ws_sink, c);
}

static int plugin_stream_open(pantau_source *src, enum pantau_stream kind)
{
    return src->type->type.stream_open(src->instance, kind);
}

static void plugin_stream_close(pantau_source *src, enum pantau_stream kind)
{
    src->type->type.stream_close(src->instance, kind);
}

static void hold_video(void *user)
{
    const pantau_server *srv = user;
    ws_server_hold_video(srv->ws);
}

static void release_video(void *user)
{
    const pantau_server *srv = user;
    ws_server_release_video(srv->ws);
}

/* media_deps.stats_extra: each recorded camera's "recording" (stats
 * borrowed, changed in place). */
static void recording_stats(json_t *stats, void *user)
{
    const pantau_server *srv = user;
    if (!srv->recordings)
        return;
    const char *id;
    json_t *figures;
    json_object_foreach(stats, id, figures)
    {
        json_t *rec = recordings_camera_status(srv->recordings, id);
        if (rec)
            json_object_set_new(figures, "recording", rec);
    }
}

media_deps sinks_media_deps(pantau_server *srv)
{
    return (media_deps){
        .sources = srv->sources,
        .bus = srv->bus,
        .grace_ms = (unsigned)srv->config->stream_grace_ms,
        .transcode_budget = (unsigned)srv->config->h265_transcodes,
        .frame_room = ws_frame_room(),
        .stream_open = plugin_stream_open,
        .stream_close = plugin_stream_close,
        .hold_video = hold_video,
        .release_video = release_video,
        .video_user = srv,
        .stats_extra = recording_stats,
    };
}
