#include "layout.h"

#include <stdio.h>
#include <string.h>

bool layout_id_is_valid(const char *id, size_t max)
{
    size_t n = 0;
    for (const char *p = id; *p; p++, n++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.' || c == ':';
        if (!ok)
            return false;
    }
    return n >= 1 && n <= max;
}

int layout_find_tile(const layout *l, const char *tile_id)
{
    for (int i = 0; i < l->n_tiles; i++)
        if (strcmp(l->tiles[i].id, tile_id) == 0)
            return i;
    return -1;
}

static bool tiles_overlap(const layout_tile *a, const layout_tile *b)
{
    return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

static int tile_field_error(pantau_error *err, int index, const char *key, const char *fmt,
                            const char *detail)
{
    char field[64];
    if (key)
        snprintf(field, sizeof field, "tiles[%d].%s", index, key);
    else
        snprintf(field, sizeof field, "tiles[%d]", index);
    return error_set(err, ERR_INVALID_LAYOUT, field, fmt, detail);
}

int layout_validate(const layout *l, pantau_error *err)
{
    if (l->columns < 1 || l->columns > LAYOUT_MAX_CELLS)
        return error_set(err, ERR_INVALID_LAYOUT, "columns", "columns must be 1 to %d",
                         LAYOUT_MAX_CELLS);
    if (l->rows < 1 || l->rows > LAYOUT_MAX_CELLS)
        return error_set(err, ERR_INVALID_LAYOUT, "rows", "rows must be 1 to %d", LAYOUT_MAX_CELLS);
    if (l->n_tiles < 0 || l->n_tiles > LAYOUT_MAX_TILES)
        return error_set(err, ERR_INVALID_LAYOUT, "tiles", "at most %d tiles", LAYOUT_MAX_TILES);
    for (int i = 0; i < l->n_tiles; i++) {
        const layout_tile *t = &l->tiles[i];
        if (t->w < 1 || t->h < 1)
            return tile_field_error(err, i, t->w < 1 ? "w" : "h",
                                    "tile '%s' must be at least one cell wide and high", t->id);
        if (t->x < 0 || t->y < 0 || t->x + t->w > l->columns || t->y + t->h > l->rows)
            return tile_field_error(err, i, NULL, "tile '%s' lies outside the grid", t->id);
        for (int j = 0; j < i; j++) {
            if (strcmp(l->tiles[j].id, t->id) == 0)
                return tile_field_error(err, i, "id", "tile id '%s' is used twice", t->id);
            if (tiles_overlap(&l->tiles[j], t)) {
                char field[64];
                snprintf(field, sizeof field, "tiles[%d]", i);
                return error_set(err, ERR_INVALID_LAYOUT, field, "tiles '%s' and '%s' overlap",
                                 l->tiles[j].id, t->id);
            }
        }
    }
    return 0;
}

/* Writes the lowest free "tN" id into out. */
static void layout_new_tile_id(const layout *l, char out[LAYOUT_ID_MAX + 1])
{
    for (int n = 1;; n++) {
        snprintf(out, LAYOUT_ID_MAX + 1, "t%d", n);
        if (layout_find_tile(l, out) < 0)
            return;
    }
}

static int read_int(const json_t *obj, const char *key, int *out, int min, int max,
                    pantau_error *err, const char *prefix)
{
    char field[64];
    snprintf(field, sizeof field, "%s%s", prefix, key);
    const json_t *v = json_object_get(obj, key);
    if (!v)
        return error_set(err, ERR_BAD_REQUEST, field, "'%s' is required", field);
    if (!json_is_integer(v))
        return error_set(err, ERR_BAD_REQUEST, field, "'%s' must be an integer", field);
    json_int_t n = json_integer_value(v);
    if (n < min || n > max)
        return error_set(err, ERR_INVALID_LAYOUT, field, "'%s' must be %d to %d", field, min, max);
    *out = (int)n;
    return 0;
}

static int tile_from_json(layout_tile *t, const json_t *j, int index, pantau_error *err)
{
    char prefix[32];
    snprintf(prefix, sizeof prefix, "tiles[%d].", index);
    if (!json_is_object(j)) {
        char field[32];
        snprintf(field, sizeof field, "tiles[%d]", index);
        return error_set(err, ERR_BAD_REQUEST, field, "tiles[%d] must be an object", index);
    }
    memset(t, 0, sizeof *t);
    if (read_int(j, "x", &t->x, 0, LAYOUT_MAX_CELLS - 1, err, prefix) ||
        read_int(j, "y", &t->y, 0, LAYOUT_MAX_CELLS - 1, err, prefix) ||
        read_int(j, "w", &t->w, 1, LAYOUT_MAX_CELLS, err, prefix) ||
        read_int(j, "h", &t->h, 1, LAYOUT_MAX_CELLS, err, prefix))
        return -1;
    char field[64];
    const json_t *id = json_object_get(j, "id");
    if (id && !json_is_null(id)) {
        snprintf(field, sizeof field, "%sid", prefix);
        if (!json_is_string(id) || !layout_id_is_valid(json_string_value(id), LAYOUT_ID_MAX))
            return error_set(err, ERR_BAD_REQUEST, field,
                             "'%s' must be 1-%d characters of A-Z a-z 0-9 _ - . :", field,
                             LAYOUT_ID_MAX);
        snprintf(t->id, sizeof t->id, "%s", json_string_value(id));
    }
    const json_t *src = json_object_get(j, "source");
    if (src && !json_is_null(src)) {
        snprintf(field, sizeof field, "%ssource", prefix);
        if (!json_is_string(src) || !layout_id_is_valid(json_string_value(src), SOURCE_ID_MAX))
            return error_set(err, ERR_BAD_REQUEST, field, "'%s' must be a source id or null",
                             field);
        snprintf(t->source, sizeof t->source, "%s", json_string_value(src));
    }
    return 0;
}

int layout_from_json(layout *out, const json_t *json, pantau_error *err)
{
    if (!json_is_object(json))
        return error_set(err, ERR_BAD_REQUEST, "", "a layout must be an object");
    layout *l = out;
    memset(l, 0, sizeof *l);
    if (read_int(json, "columns", &l->columns, 1, LAYOUT_MAX_CELLS, err, "") ||
        read_int(json, "rows", &l->rows, 1, LAYOUT_MAX_CELLS, err, ""))
        return -1;
    const json_t *tiles = json_object_get(json, "tiles");
    if (!json_is_array(tiles))
        return error_set(err, ERR_BAD_REQUEST, "tiles", "'tiles' must be an array");
    if (json_array_size(tiles) > LAYOUT_MAX_TILES)
        return error_set(err, ERR_INVALID_LAYOUT, "tiles", "at most %d tiles", LAYOUT_MAX_TILES);
    size_t i;
    const json_t *tj;
    json_array_foreach(tiles, i, tj)
    {
        if (tile_from_json(&l->tiles[i], tj, (int)i, err))
            return -1;
        l->n_tiles = (int)i + 1;
    }
    /* Fresh ids only after all given ids are known, so none collides. */
    for (int k = 0; k < l->n_tiles; k++) {
        if (l->tiles[k].id[0])
            continue;
        char id[LAYOUT_ID_MAX + 1];
        layout_new_tile_id(l, id);
        memcpy(l->tiles[k].id, id, sizeof id);
    }
    return layout_validate(l, err);
}

json_t *layout_to_json(const layout *l)
{
    json_t *tiles = json_array();
    for (int i = 0; i < l->n_tiles; i++) {
        const layout_tile *t = &l->tiles[i];
        json_array_append_new(tiles,
                              json_pack("{s:s, s:i, s:i, s:i, s:i, s:o}", "id", t->id, "x", t->x,
                                        "y", t->y, "w", t->w, "h", t->h, "source",
                                        t->source[0] ? json_string(t->source) : json_null()));
    }
    return json_pack("{s:i, s:i, s:o}", "columns", l->columns, "rows", l->rows, "tiles", tiles);
}

static int find_or_fail(const layout *l, const char *tile_id, const char *field, pantau_error *err)
{
    int i = layout_find_tile(l, tile_id);
    if (i < 0)
        error_set(err, ERR_NOT_FOUND, field, "no tile '%s' in this layout", tile_id);
    return i;
}

int layout_set_source(layout *l, const char *tile_id, const char *source_id, pantau_error *err)
{
    int i = find_or_fail(l, tile_id, "tile", err);
    if (i < 0)
        return -1;
    snprintf(l->tiles[i].source, sizeof l->tiles[i].source, "%s", source_id ? source_id : "");
    return 0;
}

static int gcd(int a, int b)
{
    while (b) {
        int t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Multiplies the grid by fx x fy, scaling every tile, so finer splits fit. */
static void layout_refine(layout *l, int fx, int fy)
{
    l->columns *= fx;
    l->rows *= fy;
    for (int i = 0; i < l->n_tiles; i++) {
        layout_tile *t = &l->tiles[i];
        t->x *= fx;
        t->w *= fx;
        t->y *= fy;
        t->h *= fy;
    }
}

int layout_split(layout *l, const char *tile_id, int columns, int rows, pantau_error *err)
{
    if (columns < 1 || columns > LAYOUT_MAX_CELLS)
        return error_set(err, ERR_BAD_REQUEST, "columns", "'columns' must be 1 to %d",
                         LAYOUT_MAX_CELLS);
    if (rows < 1 || rows > LAYOUT_MAX_CELLS)
        return error_set(err, ERR_BAD_REQUEST, "rows", "'rows' must be 1 to %d", LAYOUT_MAX_CELLS);
    int i = find_or_fail(l, tile_id, "tile", err);
    if (i < 0)
        return -1;
    layout next = *l;
    const layout_tile orig = next.tiles[i];
    int fx = columns / gcd(orig.w, columns);
    int fy = rows / gcd(orig.h, rows);
    if (next.columns * fx > LAYOUT_MAX_CELLS || next.rows * fy > LAYOUT_MAX_CELLS)
        return error_set(err, ERR_INVALID_LAYOUT, "tile",
                         "splitting tile '%s' %dx%d needs a grid over %d cells", tile_id, columns,
                         rows, LAYOUT_MAX_CELLS);
    if (next.n_tiles - 1 + columns * rows > LAYOUT_MAX_TILES)
        return error_set(err, ERR_INVALID_LAYOUT, "tile", "a layout has at most %d tiles",
                         LAYOUT_MAX_TILES);
    layout_refine(&next, fx, fy);
    layout_tile base = next.tiles[i];
    int pw = base.w / columns, ph = base.h / rows;
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < columns; c++) {
            layout_tile part = base;
            part.x = base.x + c * pw;
            part.y = base.y + r * ph;
            part.w = pw;
            part.h = ph;
            if (r == 0 && c == 0) {
                next.tiles[i] = part;
                continue;
            }
            part.source[0] = '\0';
            layout_new_tile_id(&next, part.id);
            next.tiles[next.n_tiles++] = part;
        }
    }
    if (layout_validate(&next, err))
        return -1;
    *l = next;
    return 0;
}

int layout_merge(layout *l, const char *const *tile_ids, int n_ids, pantau_error *err)
{
    if (n_ids < 2)
        return error_set(err, ERR_BAD_REQUEST, "tiles", "merge needs at least two tiles");
    int idx[LAYOUT_MAX_TILES];
    if (n_ids > LAYOUT_MAX_TILES)
        return error_set(err, ERR_BAD_REQUEST, "tiles", "too many tiles");
    int x0 = LAYOUT_MAX_CELLS, y0 = LAYOUT_MAX_CELLS, x1 = 0, y1 = 0;
    for (int k = 0; k < n_ids; k++) {
        char field[32];
        snprintf(field, sizeof field, "tiles[%d]", k);
        idx[k] = find_or_fail(l, tile_ids[k], field, err);
        if (idx[k] < 0)
            return -1;
        for (int m = 0; m < k; m++)
            if (idx[m] == idx[k])
                return error_set(err, ERR_BAD_REQUEST, field, "tile '%s' is listed twice",
                                 tile_ids[k]);
        const layout_tile *t = &l->tiles[idx[k]];
        x0 = t->x < x0 ? t->x : x0;
        y0 = t->y < y0 ? t->y : y0;
        x1 = t->x + t->w > x1 ? t->x + t->w : x1;
        y1 = t->y + t->h > y1 ? t->y + t->h : y1;
    }
    layout_tile merged = l->tiles[idx[0]];
    merged.x = x0;
    merged.y = y0;
    merged.w = x1 - x0;
    merged.h = y1 - y0;
    layout next = *l;
    next.n_tiles = 0;
    for (int i = 0; i < l->n_tiles; i++) {
        bool listed = false;
        for (int k = 0; k < n_ids; k++)
            listed = listed || idx[k] == i;
        if (i == idx[0]) {
            next.tiles[next.n_tiles++] = merged;
            continue;
        }
        if (listed)
            continue;
        if (tiles_overlap(&l->tiles[i], &merged))
            return error_set(err, ERR_INVALID_LAYOUT, "tiles",
                             "the merged rectangle would cover part of tile '%s'", l->tiles[i].id);
        next.tiles[next.n_tiles++] = l->tiles[i];
    }
    if (layout_validate(&next, err))
        return -1;
    *l = next;
    return 0;
}

int layout_resize(layout *l, const char *tile_id, int x, int y, int w, int h, pantau_error *err)
{
    int i = find_or_fail(l, tile_id, "tile", err);
    if (i < 0)
        return -1;
    layout_tile moved = l->tiles[i];
    moved.x = x;
    moved.y = y;
    moved.w = w;
    moved.h = h;
    if (w < 1 || h < 1)
        return error_set(err, ERR_INVALID_LAYOUT, w < 1 ? "w" : "h",
                         "a tile is at least one cell wide and high");
    if (x < 0 || y < 0 || x + w > l->columns || y + h > l->rows)
        return error_set(err, ERR_INVALID_LAYOUT, "tile",
                         "tile '%s' would lie outside the %dx%d grid", tile_id, l->columns,
                         l->rows);
    for (int j = 0; j < l->n_tiles; j++)
        if (j != i && tiles_overlap(&l->tiles[j], &moved))
            return error_set(err, ERR_INVALID_LAYOUT, "tile", "tile '%s' would overlap tile '%s'",
                             tile_id, l->tiles[j].id);
    l->tiles[i] = moved;
    return 0;
}

int layout_swap(layout *l, const char *tile_a, const char *tile_b, pantau_error *err)
{
    int a = find_or_fail(l, tile_a, "a", err);
    if (a < 0)
        return -1;
    int b = find_or_fail(l, tile_b, "b", err);
    if (b < 0)
        return -1;
    char tmp[SOURCE_ID_MAX + 1];
    memcpy(tmp, l->tiles[a].source, sizeof tmp);
    memcpy(l->tiles[a].source, l->tiles[b].source, sizeof tmp);
    memcpy(l->tiles[b].source, tmp, sizeof tmp);
    return 0;
}

void layout_clear(layout *l)
{
    for (int i = 0; i < l->n_tiles; i++)
        l->tiles[i].source[0] = '\0';
}
