/* media.h - the media engine: each camera source's streams, the frames
 * since their last keyframe (so a new viewer starts at once), and the
 * fan-out of H.264 access units to the sessions that show them. */
#ifndef PANTAU_MEDIA_H
#define PANTAU_MEDIA_H

#include "pantau/plugin.h"
#include "session.h"

#include <glib.h>
#include <jansson.h>
#include <stdint.h>

struct pantau_server;
typedef struct media_engine media_engine;
typedef struct media_stream media_stream;

/* The binary frame header (docs/protocol.md), little-endian:
 * u8 version, u8 flags, u16 header length, u32 stream id, i64 pts (us),
 * i64 server receive time (us since the epoch); then one access unit. */
#define MEDIA_HEADER_VERSION 1
#define MEDIA_HEADER_LEN 24
enum media_frame_flags {
    MEDIA_FLAG_KEYFRAME = 1u << 0,
    MEDIA_FLAG_CONFIG = 1u << 1, /* SPS and PPS in this access unit */
    MEDIA_FLAG_SUB = 1u << 2,
    MEDIA_FLAG_TRANSCODED = 1u << 3,
};

/* Largest access unit accepted from a plugin. */
#define MEDIA_MAX_ACCESS_UNIT (8u * 1024u * 1024u)

/* Writes the header for a frame into out[MEDIA_HEADER_LEN]. */
void media_header_write(uint8_t *out, uint32_t stream, unsigned flags, int64_t pts_us,
                        int64_t recv_us);

/* Makes the engine; streams stop grace_ms after their last viewer leaves. */
media_engine *media_engine_new(struct pantau_server *srv, unsigned grace_ms);

/* Closes every open stream and frees the engine. Call before the sources
 * are destroyed. */
void media_engine_free(media_engine *engine);

/* Attaches and detaches session s to and from camera streams after its
 * subscriptions changed from old (borrowed) to s->subscriptions. */
void media_session_changed(struct pantau_server *srv, session *s, GHashTable *old);

/* host->media_push: safe from any thread. */
void media_push(pantau_source *source, enum pantau_stream stream, const void *data, size_t len,
                int64_t pts_us, unsigned flags);

/* Per camera source: {"status", "fps", "kbps", "last_frame_age_ms",
 * "reconnects", "transcoded", "viewers", "codec", "width", "height",
 * "sub_width", "sub_height"} (the substream's last known size, 0 when it
 * never ran). New reference. */
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

#endif
