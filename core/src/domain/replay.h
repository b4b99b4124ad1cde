/* replay.h - replay on a wall tile (issue 16, docs/protocol.md "Replay"):
 * one reader of a camera's recording per replay, its frames paced at the
 * replay's rate and fanned out to the sessions subscribed to it through
 * their sinks, the same frames to all. The replay's state (position, rate,
 * paused) is part of the wall (model/wall.h tile_replay), changed through
 * the wall service, so every client of the wall sees it; a wall change
 * that drops a tile's replay ends its reader (BUS_WALL_CHANGED). Main loop
 * only, except the reader functions, which run on a worker thread. */
#ifndef PANTAU_REPLAY_H
#define PANTAU_REPLAY_H

#include "audit.h"
#include "bus.h"
#include "pantau_error.h"
#include "session.h"
#include "source.h"
#include "walls.h"

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct replay_center replay_center;

/* The recorded access units of a camera, as replay reads them
 * (domain/replay_rec.c gives the recordings'). open, next and close run on
 * a worker thread, one call at a time per reader; span and gaps on the
 * main loop. */
typedef struct replay_reader_fns {
    /* A reader of source_id's recording positioned at the keyframe at or
     * before at_ms (wall clock, ms since the epoch), or NULL with err. */
    void *(*open)(void *user, const char *source_id, int64_t at_ms, pantau_error *err);
    /* The next access unit (Annex B, parameter sets before each keyframe):
     * 1 with *au (g_free it) of *len bytes, *time_us (wall clock, us since
     * the epoch) and *h265; 0 at the end of what is kept now (asked again
     * later: more may have been written); -1 on an error. */
    int (*next)(void *reader, uint8_t **au, size_t *len, int64_t *time_us, bool *h265);
    void (*close)(void *reader);
    /* What is kept of source_id: false when nothing, else the oldest and
     * newest moment (ms) and, when gaps is not NULL, *gaps (new reference)
     * the holes between kept segments, [[from, to], ...]. */
    bool (*span)(void *user, const char *source_id, int64_t *oldest_ms, int64_t *newest_ms,
                 json_t **gaps);
    void *user;
} replay_reader_fns;

/* What the replay center needs, given to replay_center_new (copied; every
 * pointer borrowed, outliving the center). */
typedef struct replay_deps {
    wall_service *walls;
    const source_registry *sources;
    event_bus *bus;   /* BUS_WALL_CHANGED: replays dropped from their wall end */
    audit_log *audit; /* the idle return's line; may be NULL */
    replay_reader_fns reader;
    size_t frame_room; /* room in front of each frame for the network (media_frame.h) */
    unsigned idle_s;   /* a replay without an operation this long ends (server.replay_idle_s) */
    /* Frames sent between hold_video and release_video may go out together
     * (NULL: no batching), as media_deps. */
    void (*hold_video)(void *user);
    void (*release_video)(void *user);
    void *video_user;
} replay_deps;

/* A replay center of deps; it listens on deps->bus. */
replay_center *replay_center_new(const replay_deps *deps);
/* Ends every replay's reader (not the walls' state) and frees rc; NULL is
 * fine. Before the wall service and the bus are freed. */
void replay_center_free(replay_center *rc);

/* The actions of replay.control. */
enum replay_action {
    REPLAY_PLAY,
    REPLAY_PAUSE,
    REPLAY_RATE,
    REPLAY_STEP,
    REPLAY_SEEK,
};

/* Replays w's tile from at_ms (ms since the epoch) as one change of w
 * based on version (-1: any) by user (borrowed): a tile already in replay
 * starts again from there with the same replay id. Refused (err naming
 * "tile") when the tile does not exist or shows no camera, (naming
 * "at_ms") when nothing is kept at at_ms. Returns 0, or -1 with err and
 * nothing changed. */
int replay_start(replay_center *rc, wall *w, gint64 version, const char *tile, int64_t at_ms,
                 const char *user, pantau_error *err);

/* Plays, pauses, sets the rate (1, 2, 4: err naming "rate"), steps one frame
 * while paused, or seeks to at_ms (err naming "at_ms" when nothing is kept
 * then) the replay of w's tile, as one change of w. Refused (naming "tile")
 * when the tile is not in replay. Returns 0, or -1 with err and nothing
 * changed. */
int replay_control(replay_center *rc, wall *w, gint64 version, const char *tile,
                   enum replay_action action, int rate, int64_t at_ms, const char *user,
                   pantau_error *err);

/* Returns w's tile to live, as one change of w. Returns 0, or -1 with err
 * (naming "tile" when it is not in replay). */
int replay_stop(replay_center *rc, wall *w, gint64 version, const char *tile, pantau_error *err);

/* Where the replay of w's tile is (ms since the epoch: the last frame
 * sent, else where it starts), or -1 when the tile is not in replay. */
int64_t replay_position_ms(const replay_center *rc, const wall *w, const char *tile);

/* recording.span: {"source", "oldest_ms", "newest_ms", "gaps"} of what is
 * kept of source_id (nulls and [] when nothing). Returns a new reference. */
json_t *replay_span_json(const replay_center *rc, const char *source_id);

/* ---- delivery (subscribe) ---- */

/* The subscription key of replay id ("replay/<id>", g_free it), or NULL
 * when id is not a well-formed replay id. */
char *replay_subscription_key(const char *id);

/* Attaches and detaches session s to and from replays after its
 * subscriptions changed from old (borrowed) to s->subscriptions (the
 * "replay/<id>" keys; an id that is no replay brings nothing). rc NULL:
 * nothing. */
void replay_session_changed(replay_center *rc, session *s, GHashTable *old);

/* Detaches a closing session from every replay. rc NULL: nothing. */
void replay_session_gone(replay_center *rc, session *s);

#endif
