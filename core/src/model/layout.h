/* layout.h - a layout: a grid of cells and non-overlapping tile rectangles,
 * each showing a source or nothing. A plain value: copy it, change the copy,
 * validate, then commit, so a refused change leaves the original untouched. */
#ifndef PANTAU_LAYOUT_H
#define PANTAU_LAYOUT_H

#include "pantau_error.h"

#include <jansson.h>
#include <stdbool.h>

#define LAYOUT_MAX_CELLS 48
#define LAYOUT_MAX_TILES 256
#define LAYOUT_ID_MAX 32
#define SOURCE_ID_MAX 64

typedef struct layout_tile {
    char id[LAYOUT_ID_MAX + 1];
    int x, y, w, h;
    char source[SOURCE_ID_MAX + 1]; /* "" = shows nothing */
} layout_tile;

typedef struct layout {
    int columns, rows;
    int n_tiles;
    layout_tile tiles[LAYOUT_MAX_TILES];
} layout;

/* Reads a layout from JSON (borrowed). Tiles without "id" get a fresh one.
 * Checks shapes and invariants. Returns 0, or -1 with err naming the field
 * relative to the layout object ("tiles[2].w"). */
int layout_from_json(layout *out, const json_t *json, pantau_error *err);

/* The layout as JSON. Returns a new reference. */
json_t *layout_to_json(const layout *l);

/* Checks grid size, tile bounds, unique ids and no overlap. Returns 0 or -1. */
int layout_validate(const layout *l, pantau_error *err);

/* Index of the tile with this id, or -1. */
int layout_find_tile(const layout *l, const char *tile_id);

/* True when id is a valid tile or source id: [A-Za-z0-9_.:-], 1..max chars. */
bool layout_id_is_valid(const char *id, size_t max);

/* Operations: each returns 0, or -1 with err set and *l unchanged. */
int layout_set_source(layout *l, const char *tile_id, const char *source_id, pantau_error *err);
int layout_split(layout *l, const char *tile_id, int columns, int rows, pantau_error *err);
int layout_merge(layout *l, const char *const *tile_ids, int n_ids, pantau_error *err);
int layout_resize(layout *l, const char *tile_id, int x, int y, int w, int h, pantau_error *err);
int layout_swap(layout *l, const char *tile_a, const char *tile_b, pantau_error *err);
/* Every tile shows nothing; the tiles stay. */
void layout_clear(layout *l);

#endif
