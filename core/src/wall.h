/* wall.h - a wall: its physical displays, the layout on it now and its
 * version, which grows by one with every change. */
#ifndef PANTAU_WALL_H
#define PANTAU_WALL_H

#include "layout.h"

#include <jansson.h>
#include <stdint.h>

typedef struct wall {
    char *id;
    char *name;
    int display_columns, display_rows;
    int display_width, display_height;
    int bezel_x, bezel_y;
    layout layout;
    int64_t version;
} wall;

/* Makes a wall from a config entry (borrowed) that config_load accepted. */
wall *wall_from_config(const json_t *entry);

/* Replaces layout and version with those saved in state_dir, if any. A
 * saved state that is not valid is kept aside (state_store_set_aside). */
void wall_restore(wall *w, const char *state_dir);

/* Saves layout and version atomically to state_dir/walls/<id>.json.
 * Returns 0, or -1 with errno set. */
int wall_persist(const wall *w, const char *state_dir);

/* The wall as sent to clients. Returns a new reference. */
json_t *wall_to_json(const wall *w);

void wall_free(wall *w);

#endif
