/* wall.h - a wall: its physical displays, the layout on it now and its
 * version, which grows by one with every change. */
#ifndef PANTAU_WALL_H
#define PANTAU_WALL_H

#include "layout.h"
#include "state_store.h"

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* How far the operators sit from the wall (the wall page sizes its text by
 * it, docs/web.md): the default suits a control room's 3-5 m. */
#define WALL_VIEWING_DISTANCE_DEFAULT_M 4.0
#define WALL_VIEWING_DISTANCE_MIN_M 0.5
#define WALL_VIEWING_DISTANCE_MAX_M 50.0

/* A tile in replay (docs/protocol.md "Replay"): part of the wall's state
 * that its clients see, never written to its state file (a restart returns
 * every tile to live). */
#define REPLAY_ID_MAX 16
#define REPLAY_USER_MAX 64
typedef struct tile_replay {
    char tile[LAYOUT_ID_MAX + 1];
    char source[SOURCE_ID_MAX + 1]; /* the camera the tile showed when it started */
    char id[REPLAY_ID_MAX + 1];     /* the replay stream's id */
    int64_t at_ms;                  /* the position when set: wall clock, ms since the epoch */
    int64_t set_ms;                 /* the server's time then */
    int rate;                       /* 1, 2 or 4 */
    bool paused;
    char by[REPLAY_USER_MAX + 1]; /* who last started or controlled it */
} tile_replay;

typedef struct wall {
    char *id;
    char *name;
    int display_columns, display_rows;
    int display_width, display_height;
    int bezel_x, bezel_y;
    double viewing_distance_m;
    /* The display (0-based column, row) that shows the wall's alarm list. */
    int alarm_column, alarm_row;
    layout layout;
    int64_t version;
    /* The layout a restart would load (the last one written, else the
     * config's): what a change whose write failed goes back to. */
    layout *saved_layout;
    GPtrArray *replays; /* tile_replay *, owned: the tiles in replay; NULL: none */
} wall;

/* Parses "C,R" (0-based column and row of a display, as in /wall?display=)
 * into *column and *row. Returns false, touching neither, when text is
 * not of that form. */
bool wall_parse_display(const char *text, int *column, int *row);

/* Makes a wall from a config entry (borrowed) that config_load accepted. */
wall *wall_from_config(const json_t *entry);

/* Replaces layout and version with those saved in state_dir, if any. A
 * saved state that is not valid is kept aside (state_store_set_aside). */
void wall_restore(wall *w, const char *state_dir);

/* The write of layout and version to state_dir/walls/<id>.json, as a
 * batch for the writer thread (state_store.h). Returns a new batch. */
state_batch *wall_state_files(const wall *w, const char *state_dir);

/* The wall with this id (NULL: none) in walls (wall *), or NULL. Borrowed. */
wall *wall_list_find(const GPtrArray *walls, const char *id);

/* The wall as sent to clients. Returns a new reference. */
json_t *wall_to_json(const wall *w);

/* The replay of w's tile tile_id, or NULL. Borrowed. */
tile_replay *wall_replay_find(const wall *w, const char *tile_id);

/* Sets r (copied) as the replay of its tile, replacing any. */
void wall_replay_set(wall *w, const tile_replay *r);

/* The replay object of the protocol ("id", "at_ms", "set_ms", "rate",
 * "paused", "by"). Returns a new reference. */
json_t *tile_replay_to_json(const tile_replay *r);

/* Ends the replay of tile_id: whether there was one. */
bool wall_replay_remove(wall *w, const char *tile_id);

/* Ends the replays whose tile is gone or shows another source than when
 * it started; every replay when all. Returns how many ended. */
int wall_replays_prune(wall *w, bool all);

void wall_free(wall *w);

#endif
