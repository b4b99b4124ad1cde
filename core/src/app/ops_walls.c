/* ops_walls.c - the operations on walls and presets: each reads its
 * request and hands the change to the wall service (walls.h), which
 * checks the version, validates, applies, emits and persists it. */
#include "op_def.h"

#include "source.h"
#include "walls.h"

static int check_source_exists(const op_call *call, const char *id, const char *field,
                               pantau_error *err)
{
    if (id && *id && !source_registry_find(call->srv->sources, id))
        return error_set(err, ERR_NOT_FOUND, field, "no source '%s'", id);
    return 0;
}

/* ---- layout changes: each edits a copy of the wall's layout ---- */

static int change_apply(layout *l, void *data, pantau_error *err)
{
    const op_call *call = data;
    const json_t *lj = json_object_get(call->req, "layout");
    if (!lj)
        return error_set(err, ERR_BAD_REQUEST, "layout", "'layout' is required");
    if (layout_from_json(l, lj, err)) {
        error_prefix_field(err, "layout");
        return -1;
    }
    for (int i = 0; i < l->n_tiles; i++) {
        char field[64];
        snprintf(field, sizeof field, "layout.tiles[%d].source", i);
        if (check_source_exists(call, l->tiles[i].source, field, err))
            return -1;
    }
    return 0;
}

static int change_set_source(layout *l, void *data, pantau_error *err)
{
    const op_call *call = data;
    const char *tile, *source = NULL;
    if (op_get_string(call->req, "tile", &tile, err))
        return -1;
    const json_t *sj = json_object_get(call->req, "source");
    if (!sj)
        return error_set(err, ERR_BAD_REQUEST, "source", "'source' is required (null clears)");
    if (!json_is_null(sj) && op_get_string(call->req, "source", &source, err))
        return -1;
    if (check_source_exists(call, source, "source", err))
        return -1;
    return layout_set_source(l, tile, source, err);
}

static int change_split(layout *l, void *data, pantau_error *err)
{
    const json_t *req = ((const op_call *)data)->req;
    const char *tile;
    int columns = 0, rows = 0;
    if (op_get_string(req, "tile", &tile, err) || op_get_small_int(req, "columns", &columns, err) ||
        op_get_small_int(req, "rows", &rows, err))
        return -1;
    return layout_split(l, tile, columns, rows, err);
}

static int change_merge(layout *l, void *data, pantau_error *err)
{
    const json_t *tiles = json_object_get(((const op_call *)data)->req, "tiles");
    if (!json_is_array(tiles))
        return error_set(err, ERR_BAD_REQUEST, "tiles", "'tiles' must be an array of tile ids");
    size_t n = json_array_size(tiles);
    if (n > LAYOUT_MAX_TILES)
        return error_set(err, ERR_BAD_REQUEST, "tiles", "too many tiles");
    const char *ids[LAYOUT_MAX_TILES];
    for (size_t i = 0; i < n; i++) {
        ids[i] = json_string_value(json_array_get(tiles, i));
        if (!ids[i]) {
            char field[32];
            snprintf(field, sizeof field, "tiles[%zu]", i);
            return error_set(err, ERR_BAD_REQUEST, field, "'%s' must be a tile id", field);
        }
    }
    return layout_merge(l, ids, (int)n, err);
}

static int change_resize(layout *l, void *data, pantau_error *err)
{
    const json_t *req = ((const op_call *)data)->req;
    const char *tile;
    int x = 0, y = 0, w = 0, h = 0;
    if (op_get_string(req, "tile", &tile, err) || op_get_small_int(req, "x", &x, err) ||
        op_get_small_int(req, "y", &y, err) || op_get_small_int(req, "w", &w, err) ||
        op_get_small_int(req, "h", &h, err))
        return -1;
    return layout_resize(l, tile, x, y, w, h, err);
}

static int change_swap(layout *l, void *data, pantau_error *err)
{
    const json_t *req = ((const op_call *)data)->req;
    const char *a, *b;
    if (op_get_string(req, "a", &a, err) || op_get_string(req, "b", &b, err))
        return -1;
    return layout_swap(l, a, b, err);
}

static int change_clear(layout *l, void *data, pantau_error *err)
{
    (void)data, (void)err;
    layout_clear(l);
    return 0;
}

static int change_recall(layout *l, void *data, pantau_error *err)
{
    const op_call *call = data;
    const char *id;
    if (op_get_string(call->req, "preset", &id, err))
        return -1;
    const preset *p = preset_store_find(call->srv->presets, id);
    if (!p)
        return error_set(err, ERR_NOT_FOUND, "preset", "no preset '%s'", id);
    *l = p->layout;
    return 0;
}

/* The field a refusal for too many tiles names. */
static const char *limit_field(const json_t *req)
{
    return json_object_get(req, "layout")   ? "layout.tiles"
           : json_object_get(req, "preset") ? "preset"
                                            : "tiles";
}

/* The request's wall at the request's version, changed by edit (layout.apply
 * and preset.recall replace the wall's tiles: they end its replays). */
static int wall_op(op_call *call, wall_edit_fn edit, json_t **ok, pantau_error *err)
{
    json_int_t version;
    wall *w = op_get_wall(call, err);
    if (!w || op_get_int(call->req, "version", &version, err))
        return -1;
    bool replace = edit == change_apply || edit == change_recall;
    if ((replace ? walls_replace : walls_change)(call->srv->wall_service, w, (gint64)version, edit,
                                                 call, limit_field(call->req), err))
        return -1;
    *ok = json_pack("{s:s, s:I}", "wall", w->id, "version", (json_int_t)w->version);
    return 0;
}

#define WALL_OP(name, edit)                                                                        \
    static int name(op_call *call, json_t **ok, pantau_error *err)                                 \
    {                                                                                              \
        return wall_op(call, edit, ok, err);                                                       \
    }
WALL_OP(op_layout_apply, change_apply)
WALL_OP(op_tile_set_source, change_set_source)
WALL_OP(op_tile_split, change_split)
WALL_OP(op_tile_merge, change_merge)
WALL_OP(op_tile_resize, change_resize)
WALL_OP(op_tile_swap, change_swap)
WALL_OP(op_wall_clear, change_clear)
WALL_OP(op_preset_recall, change_recall)

/* ---- presets ---- */

static int op_preset_save(op_call *call, json_t **ok, pantau_error *err)
{
    const char *name;
    wall *w = op_get_wall(call, err);
    if (!w || op_get_string(call->req, "name", &name, err))
        return -1;
    const json_t *overwrite = json_object_get(call->req, "overwrite");
    if (overwrite && !json_is_boolean(overwrite))
        return error_set(err, ERR_BAD_REQUEST, "overwrite", "'overwrite' must be true or false");
    preset *saved;
    if (walls_preset_save(call->srv->wall_service, w, name, json_is_true(overwrite), &saved, err))
        return -1;
    *ok = json_pack("{s:o}", "preset", preset_to_json(saved));
    return 0;
}

static int op_preset_rename(op_call *call, json_t **ok, pantau_error *err)
{
    const char *id, *name;
    preset *renamed;
    if (op_get_string(call->req, "preset", &id, err) ||
        op_get_string(call->req, "name", &name, err) ||
        walls_preset_rename(call->srv->wall_service, id, name, &renamed, err))
        return -1;
    *ok = json_pack("{s:o}", "preset", preset_to_json(renamed));
    return 0;
}

static int op_preset_delete(op_call *call, json_t **ok, pantau_error *err)
{
    const char *id;
    /* id points into the request, which outlives the deleted preset. */
    if (op_get_string(call->req, "preset", &id, err) ||
        walls_preset_delete(call->srv->wall_service, id, err))
        return -1;
    *ok = json_pack("{s:s}", "preset", id);
    return 0;
}

const op_def wall_ops[] = {
    {"layout.apply", op_layout_apply, OP_OPERATE},
    {"tile.set_source", op_tile_set_source, OP_OPERATE},
    {"tile.split", op_tile_split, OP_OPERATE},
    {"tile.merge", op_tile_merge, OP_OPERATE},
    {"tile.resize", op_tile_resize, OP_OPERATE},
    {"tile.swap", op_tile_swap, OP_OPERATE},
    {"wall.clear", op_wall_clear, OP_OPERATE},
    {"preset.save", op_preset_save, OP_OPERATE},
    {"preset.recall", op_preset_recall, OP_OPERATE},
    {"preset.rename", op_preset_rename, OP_OPERATE},
    {"preset.delete", op_preset_delete, OP_OPERATE},
    {NULL, NULL, OP_READ},
};
