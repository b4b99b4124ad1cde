#include "ops.h"

#include "log.h"
#include "alarm.h"
#include "audit.h"
#include "auth.h"
#include "presentation.h"
#include "source.h"
#include "subscribe.h"

#include <errno.h>
#include <string.h>

typedef int (*op_fn)(pantau_server *srv, const json_t *req, json_t **ok, pantau_error *err);

/* ---- reading request fields ---- */

static int get_string(const json_t *req, const char *key, const char **out, pantau_error *err)
{
    const json_t *v = json_object_get(req, key);
    if (!v)
        return error_set(err, ERR_BAD_REQUEST, key, "'%s' is required", key);
    if (!json_is_string(v))
        return error_set(err, ERR_BAD_REQUEST, key, "'%s' must be a string", key);
    *out = json_string_value(v);
    return 0;
}

static int get_int(const json_t *req, const char *key, json_int_t *out, pantau_error *err)
{
    const json_t *v = json_object_get(req, key);
    if (!v)
        return error_set(err, ERR_BAD_REQUEST, key, "'%s' is required", key);
    if (!json_is_integer(v))
        return error_set(err, ERR_BAD_REQUEST, key, "'%s' must be an integer", key);
    *out = json_integer_value(v);
    return 0;
}

static int get_small_int(const json_t *req, const char *key, int *out, pantau_error *err)
{
    json_int_t v;
    if (get_int(req, key, &v, err))
        return -1;
    if (v < -1000 || v > 1000)
        return error_set(err, ERR_BAD_REQUEST, key, "'%s' is out of range", key);
    *out = (int)v;
    return 0;
}

static wall *find_wall(pantau_server *srv, const json_t *req, pantau_error *err)
{
    const char *id;
    if (get_string(req, "wall", &id, err))
        return NULL;
    wall *w = server_find_wall(srv, id);
    if (!w)
        error_set(err, ERR_NOT_FOUND, "wall", "no wall '%s'", id);
    return w;
}

static int check_source_exists(pantau_server *srv, const char *id, const char *field,
                               pantau_error *err)
{
    if (id && *id && !source_registry_find(srv->sources, id))
        return error_set(err, ERR_NOT_FOUND, field, "no source '%s'", id);
    return 0;
}

/* ---- changing a wall: check version, change a copy, persist, broadcast ---- */

int ops_apply_layout(pantau_server *srv, wall *w, const layout *l, pantau_error *err)
{
    layout *old = g_new(layout, 1);
    *old = w->layout;
    gint64 before = w->version;
    w->layout = *l;
    w->version++;
    /* The walls see the change while it is being written: the requester's
     * acknowledgement (and its own copy of the event) still waits for the
     * disk. */
    server_broadcast(srv, json_pack("{s:s, s:o}", "ev", "wall", "wall", wall_to_json(w)));
    /* The audit line goes first, so no version reaches disk unaudited. */
    if (audit_before_write(srv, w->id, before, w->version, err))
        goto take_back;
    if (wall_persist(w, srv->state_dir)) {
        error_set(err, ERR_INTERNAL, "", "the wall state could not be saved: %s", strerror(errno));
        audit_write_failed(srv, w->id, before, w->version);
        goto take_back;
    }
    g_free(old);
    return 0;
take_back:
    /* Everyone saw it: take it back as one more change. */
    w->layout = *old;
    w->version++;
    server_broadcast(srv, json_pack("{s:s, s:o}", "ev", "wall", "wall", wall_to_json(w)));
    g_free(old);
    return -1;
}

typedef int (*layout_change_fn)(pantau_server *srv, const json_t *req, layout *l,
                                pantau_error *err);

static int max_layout_tiles(const pantau_server *srv)
{
    return srv->config ? srv->config->max_layout_tiles : LAYOUT_MAX_TILES;
}

/* A change may not give a layout more tiles than server.max_layout_tiles;
 * one already past it (a lowered limit) may keep or lose tiles, not gain. */
static int check_tile_limit(const pantau_server *srv, const json_t *req, const layout *now,
                            const layout *next, pantau_error *err)
{
    int max = max_layout_tiles(srv);
    if (next->n_tiles <= max || next->n_tiles <= now->n_tiles)
        return 0;
    const char *field = json_object_get(req, "layout")   ? "layout.tiles"
                        : json_object_get(req, "preset") ? "preset"
                                                         : "tiles";
    return error_set(err, ERR_LIMIT, field,
                     "a layout may have at most %d tiles (server.max_layout_tiles); this change "
                     "would give it %d",
                     max, next->n_tiles);
}

static int wall_change(pantau_server *srv, const json_t *req, layout_change_fn change, json_t **ok,
                       pantau_error *err)
{
    wall *w = find_wall(srv, req, err);
    if (!w)
        return -1;
    json_int_t version;
    if (get_int(req, "version", &version, err))
        return -1;
    if (version != w->version) {
        error_set(err, ERR_CONFLICT, "version",
                  "wall '%s' is at version %" JSON_INTEGER_FORMAT
                  ", the request was based on %" JSON_INTEGER_FORMAT,
                  w->id, (json_int_t)w->version, version);
        return -1;
    }
    layout *next = g_new(layout, 1);
    *next = w->layout;
    int rc = change(srv, req, next, err);
    if (rc == 0)
        rc = layout_validate(next, err);
    if (rc == 0)
        rc = check_tile_limit(srv, req, &w->layout, next, err);
    if (rc != 0)
        goto out;
    rc = ops_apply_layout(srv, w, next, err);
    if (rc == 0)
        *ok = json_pack("{s:s, s:I}", "wall", w->id, "version", (json_int_t)w->version);
out:
    g_free(next);
    return rc;
}

static int change_apply(pantau_server *srv, const json_t *req, layout *l, pantau_error *err)
{
    const json_t *lj = json_object_get(req, "layout");
    if (!lj)
        return error_set(err, ERR_BAD_REQUEST, "layout", "'layout' is required");
    if (layout_from_json(l, lj, err)) {
        error_prefix_field(err, "layout");
        return -1;
    }
    for (int i = 0; i < l->n_tiles; i++) {
        char field[64];
        snprintf(field, sizeof field, "layout.tiles[%d].source", i);
        if (check_source_exists(srv, l->tiles[i].source, field, err))
            return -1;
    }
    return 0;
}

static int change_set_source(pantau_server *srv, const json_t *req, layout *l, pantau_error *err)
{
    const char *tile, *source = NULL;
    if (get_string(req, "tile", &tile, err))
        return -1;
    const json_t *sj = json_object_get(req, "source");
    if (!sj)
        return error_set(err, ERR_BAD_REQUEST, "source", "'source' is required (null clears)");
    if (!json_is_null(sj) && get_string(req, "source", &source, err))
        return -1;
    if (check_source_exists(srv, source, "source", err))
        return -1;
    return layout_set_source(l, tile, source, err);
}

static int change_split(pantau_server *srv, const json_t *req, layout *l, pantau_error *err)
{
    (void)srv;
    const char *tile;
    int columns = 0, rows = 0;
    if (get_string(req, "tile", &tile, err) || get_small_int(req, "columns", &columns, err) ||
        get_small_int(req, "rows", &rows, err))
        return -1;
    return layout_split(l, tile, columns, rows, err);
}

static int change_merge(pantau_server *srv, const json_t *req, layout *l, pantau_error *err)
{
    (void)srv;
    const json_t *tiles = json_object_get(req, "tiles");
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

static int change_resize(pantau_server *srv, const json_t *req, layout *l, pantau_error *err)
{
    (void)srv;
    const char *tile;
    int x = 0, y = 0, w = 0, h = 0;
    if (get_string(req, "tile", &tile, err) || get_small_int(req, "x", &x, err) ||
        get_small_int(req, "y", &y, err) || get_small_int(req, "w", &w, err) ||
        get_small_int(req, "h", &h, err))
        return -1;
    return layout_resize(l, tile, x, y, w, h, err);
}

static int change_swap(pantau_server *srv, const json_t *req, layout *l, pantau_error *err)
{
    (void)srv;
    const char *a, *b;
    if (get_string(req, "a", &a, err) || get_string(req, "b", &b, err))
        return -1;
    return layout_swap(l, a, b, err);
}

static int change_clear(pantau_server *srv, const json_t *req, layout *l, pantau_error *err)
{
    (void)srv, (void)req, (void)err;
    layout_clear(l);
    return 0;
}

static int change_recall(pantau_server *srv, const json_t *req, layout *l, pantau_error *err)
{
    const char *id;
    if (get_string(req, "preset", &id, err))
        return -1;
    const preset *p = preset_store_find(srv->presets, id);
    if (!p)
        return error_set(err, ERR_NOT_FOUND, "preset", "no preset '%s'", id);
    *l = p->layout;
    return 0;
}

#define WALL_OP(name, change)                                                                      \
    static int name(pantau_server *srv, const json_t *req, json_t **ok, pantau_error *err)         \
    {                                                                                              \
        return wall_change(srv, req, change, ok, err);                                             \
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

/* One event per changed preset, not the whole list: a burst of saves must
 * cost every client O(1) bytes per save, whatever the number of presets. */
static void broadcast_preset(pantau_server *srv, const preset *p)
{
    server_broadcast(srv, json_pack("{s:s, s:o}", "ev", "preset", "preset", preset_to_json(p)));
}

static int op_preset_save(pantau_server *srv, const json_t *req, json_t **ok, pantau_error *err)
{
    const char *name;
    wall *w = find_wall(srv, req, err);
    if (!w || get_string(req, "name", &name, err))
        return -1;
    const json_t *overwrite = json_object_get(req, "overwrite");
    if (overwrite && !json_is_boolean(overwrite))
        return error_set(err, ERR_BAD_REQUEST, "overwrite", "'overwrite' must be true or false");
    if (w->layout.n_tiles > srv->presets->max_tiles)
        return error_set(err, ERR_LIMIT, "wall",
                         "wall '%s' has %d tiles; a preset may have at most %d "
                         "(server.max_layout_tiles)",
                         w->id, w->layout.n_tiles, srv->presets->max_tiles);
    preset *saved;
    if (preset_store_save(srv->presets, name, &w->layout, json_is_true(overwrite), &saved, err))
        return -1;
    broadcast_preset(srv, saved);
    *ok = json_pack("{s:o}", "preset", preset_to_json(saved));
    return 0;
}

static int op_preset_rename(pantau_server *srv, const json_t *req, json_t **ok, pantau_error *err)
{
    const char *id, *name;
    preset *renamed;
    if (get_string(req, "preset", &id, err) || get_string(req, "name", &name, err) ||
        preset_store_rename(srv->presets, id, name, &renamed, err))
        return -1;
    broadcast_preset(srv, renamed);
    *ok = json_pack("{s:o}", "preset", preset_to_json(renamed));
    return 0;
}

static int op_preset_delete(pantau_server *srv, const json_t *req, json_t **ok, pantau_error *err)
{
    const char *id;
    if (get_string(req, "preset", &id, err) || preset_store_delete(srv->presets, id, err))
        return -1;
    /* id points into the request, which outlives the deleted preset. */
    server_broadcast(srv, json_pack("{s:s, s:s}", "ev", "preset.deleted", "preset", id));
    *ok = json_pack("{s:s}", "preset", id);
    return 0;
}

/* ---- the rest ---- */

static int op_ping(pantau_server *srv, const json_t *req, json_t **ok, pantau_error *err)
{
    (void)srv, (void)req, (void)err;
    *ok = json_pack("{s:I}", "time", (json_int_t)(g_get_real_time() / 1000));
    return 0;
}

static int op_snapshot(pantau_server *srv, const json_t *req, json_t **ok, pantau_error *err)
{
    (void)req, (void)err;
    *ok = server_snapshot(srv);
    return 0;
}

static const struct {
    const char *name;
    op_fn fn;
    enum op_permission permission;
} operations[] = {
    {"ping", op_ping, OP_READ},
    {"snapshot", op_snapshot, OP_READ},
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
};

json_t *ops_error_reply(const json_t *id, const pantau_error *err)
{
    json_t *e = json_pack("{s:s, s:s}", "code", err->code ? err->code : ERR_INTERNAL, "message",
                          err->message);
    if (err->field[0])
        json_object_set_new(e, "field", json_string(err->field));
    return json_pack("{s:O, s:o}", "re", json_is_number(id) ? id : json_null(), "error", e);
}

static int op_subscribe(op_call *call, json_t **ok, pantau_error *err)
{
    if (!call->session)
        return error_set(err, ERR_BAD_REQUEST, "op", "subscribe needs a connection");
    return subscribe_apply(call->srv, call->session, call->req, ok, err);
}

/* Operations on the connection itself rather than the shared model. */
static const op_def session_ops[] = {
    {"subscribe", op_subscribe, OP_READ},
    {NULL, NULL, OP_READ},
};

/* Every module's operations, searched after the core's. */
static const op_def *const module_tables[] = {session_ops, alarm_ops, presentation_ops, auth_ops};

static const op_def *find_module_op(const char *name)
{
    for (size_t t = 0; t < G_N_ELEMENTS(module_tables); t++)
        for (const op_def *d = module_tables[t]; d->name; d++)
            if (strcmp(d->name, name) == 0)
                return d;
    return NULL;
}

static json_t *ok_reply(const json_t *id, json_t *ok)
{
    return json_pack("{s:O, s:o}", "re", json_is_number(id) ? id : json_null(), "ok", ok);
}

/* The version of the wall the request names, or -1. */
static gint64 named_wall_version(pantau_server *srv, const json_t *request)
{
    const wall *w = server_find_wall(srv, json_string_value(json_object_get(request, "wall")));
    return w ? (gint64)w->version : -1;
}

/* Runs a found operation: role check, then the operation inside its audit
 * change (audit.h: a change that writes a state file has its line written
 * before the file; any other has it written after). */
static json_t *run_op(pantau_server *srv, session *ses, const json_t *request, const char *op,
                      enum op_permission permission,
                      int (*invoke)(void *fn, op_call *call, json_t **ok, pantau_error *err),
                      void *fn)
{
    pantau_error err = {0};
    const json_t *id = json_object_get(request, "id");
    const char *wall_id = json_string_value(json_object_get(request, "wall"));
    if (auth_allows(ses, permission, wall_id, &err) ||
        (permission != OP_READ && audit_ready(srv, &err)))
        return ops_error_reply(id, &err);
    op_call call = {srv, ses, request};
    gint64 before = named_wall_version(srv, request);
    bool audited = permission != OP_READ;
    if (audited)
        audit_begin(srv, ses, op, wall_id, before);
    json_t *ok = NULL;
    int rc = invoke(fn, &call, &ok, &err);
    if (audited && audit_end(srv, rc == 0, named_wall_version(srv, request), &err)) {
        json_decref(ok);
        return ops_error_reply(id, &err);
    }
    if (rc) {
        json_t *reply = ops_error_reply(id, &err);
        if (strcmp(err.code, ERR_CONFLICT) == 0 && before >= 0)
            json_object_set_new(json_object_get(reply, "error"), "current", json_integer(before));
        return reply;
    }
    return ok_reply(id, ok);
}

static int invoke_core(void *fn, op_call *call, json_t **ok, pantau_error *err)
{
    return ((op_fn)fn)(call->srv, call->req, ok, err);
}

static int invoke_module(void *fn, op_call *call, json_t **ok, pantau_error *err)
{
    return ((const op_def *)fn)->fn(call, ok, err);
}

json_t *ops_handle(pantau_server *srv, session *ses, const json_t *request)
{
    pantau_error err = {0};
    const json_t *id = json_object_get(request, "id");
    if (!json_is_object(request)) {
        error_set(&err, ERR_BAD_JSON, "", "a request must be a JSON object");
        return ops_error_reply(NULL, &err);
    }
    const char *op;
    if (get_string(request, "op", &op, &err))
        return ops_error_reply(id, &err);
    for (size_t i = 0; i < G_N_ELEMENTS(operations); i++)
        if (strcmp(operations[i].name, op) == 0)
            return run_op(srv, ses, request, op, operations[i].permission, invoke_core,
                          (void *)operations[i].fn);
    const op_def *def = find_module_op(op);
    if (def)
        return run_op(srv, ses, request, op, def->permission, invoke_module, (void *)def);
    error_set(&err, ERR_UNKNOWN_OP, "op", "unknown operation '%.64s'", op);
    return ops_error_reply(id, &err);
}

json_t *ops_handle_text(pantau_server *srv, session *ses, const char *text, size_t len)
{
    json_error_t jerr;
    json_t *request = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!request) {
        pantau_error err = {0};
        error_set(&err, ERR_BAD_JSON, "", "malformed JSON at line %d column %d: %s", jerr.line,
                  jerr.column, jerr.text);
        return ops_error_reply(NULL, &err);
    }
    json_t *reply = ops_handle(srv, ses, request);
    json_decref(request);
    return reply;
}
