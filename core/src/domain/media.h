/* media.h - the media engine: each camera source's streams, the frames
 * since their last keyframe (so a new viewer starts at once), and the
 * fan-out of H.264 access units to the sessions that show them. */
#ifndef PANTAU_MEDIA_H
#define PANTAU_MEDIA_H

#include "bus.h"
#include "media_frame.h"
#include "pantau/plugin.h"
#include "session.h"
#include "source.h"

#include <glib.h>
#include <jansson.h>
#include <stdint.h>

typedef struct media_engine media_engine;
typedef struct media_stream media_stream;

/* Largest access unit accepted from a plugin. */
#define MEDIA_MAX_ACCESS_UNIT (8u * 1024u * 1024u)

/* What the engine needs from outside, given to media_engine_new. */
typedef struct media_deps {
    source_registry *sources; /* borrowed: outlives the engine */
    event_bus *bus;           /* borrowed; NULL: the stats are told to nobody */
    unsigned grace_ms;        /* a stream stops this long after its last viewer left */
    /* H.265 cameras converted to H.264 at once at most, for clients that
     * cannot decode H.265 and have no substream to take (0: none). */
    unsigned transcode_budget;
    /* Room in front of each frame's bytes for the network's headers
     * (media_frame.h), so that it relays the frame without a copy. */
    size_t frame_room;
    /* Opens a camera's stream through its plugin: 0 when it runs. Closes it. */
    int (*stream_open)(pantau_source *src, enum pantau_stream kind);
    void (*stream_close)(pantau_source *src, enum pantau_stream kind);
    /* Frames sent between hold_video and release_video may go out together
     * (NULL: no batching); they nest, and never span a return to the loop. */
    void (*hold_video)(void *user);
    void (*release_video)(void *user);
    void *video_user;
    /* Adds to each camera's figures (stats: {id: {...}}, borrowed) before
     * they are emitted as BUS_STATS (NULL: nothing): recording's state. */
    void (*stats_extra)(json_t *stats, void *user);
} media_deps;

/* Makes the engine of deps (copied). Main loop only, as all of it but
 * media_push. */
media_engine *media_engine_new(const media_deps *deps);

/* Closes every open stream and frees the engine. Call before the sources
 * are destroyed. */
void media_engine_free(media_engine *engine);

/* Attaches and detaches session s to and from camera streams after its
 * subscriptions changed from old (borrowed) to s->subscriptions; what each
 * stream sends s goes through s's sink (session.h). engine NULL: nothing. */
void media_session_changed(media_engine *engine, session *s, GHashTable *old);

/* host->media_push: safe from any thread. */
void media_push(pantau_source *source, enum pantau_stream stream, const void *data, size_t len,
                int64_t pts_us, unsigned flags);

/* Per camera source: {"status", "fps", "kbps", "last_frame_age_ms",
 * "reconnects", "transcoded", "viewers", "codec", "width", "height",
 * "sub_width", "sub_height"} (the substream's last known size, 0 when it
 * never ran). New reference. The engine emits it every second as
 * BUS_STATS while there are cameras. */
json_t *media_stats_json(const media_engine *engine);

/* The statistics in the Prometheus text format. g_free the result. */
char *media_metrics_text(const media_engine *engine);

/* Called on the main loop with the frames since a keyframe (borrowed), or
 * with gop NULL and why_not (borrowed) saying why there are none: the
 * camera's status and reason, or that no keyframe came in time. */
typedef void (*media_gop_fn)(GBytes *gop, const char *why_not, void *user);

/* Gets the source's current frames since its last keyframe: at once when
 * a stream runs, else by running its substream (or main stream) until a
 * keyframe arrives, for at most MEDIA_FETCH_TIMEOUT_MS. A camera whose
 * running stream is failing (reconnecting, error), or that reports a
 * failure while it is being fetched, is answered at once with its status
 * and reason. done may run before this returns. Returns false (and never
 * calls done) when the source is not a camera. */
bool media_fetch_gop(media_engine *engine, const char *source_id, media_gop_fn done, void *user);
#define MEDIA_FETCH_TIMEOUT_MS 8000

/* The plugin of src reported a status (src->status and src->reason are
 * the current ones): a failure ends the fetches waiting for the camera.
 * engine may be NULL. */
void media_status_reported(media_engine *engine, pantau_source *src);

/* Before src (a camera, or any source) is removed or recreated: ends the
 * fetches waiting for it, detaches its viewers (each told that its streams
 * ended), closes and frees its streams and drops their queued frames.
 * Returns the sessions that viewed it (borrowed, in a new array the caller
 * frees), for media_source_reattach. engine NULL: an empty array. */
GPtrArray *media_source_release(media_engine *engine, pantau_source *src);

/* Attaches viewers (session *, borrowed) that still subscribe to src's id
 * to src's streams, as media_session_changed would: after a camera was
 * recreated with new settings. engine NULL or src not a camera: nothing. */
void media_source_reattach(media_engine *engine, pantau_source *src, const GPtrArray *viewers);

#endif
