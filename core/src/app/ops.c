#include "ops.h"

#include "log.h"
#include "alarm.h"
#include "audit.h"
#include "auth.h"
#include "bus.h"
#include "disk_writer.h"
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

/* ---- durable writes: off the main loop, in order (disk_writer.h) ---- */

/* A request whose reply waits for the writes it caused: built when its
 * operation returns, sent when the last of those writes completed. */
struct op_pending {
    json_t *id; /* the request's id (new reference), or NULL */
    json_t *ok; /* the operation's result (new reference), or NULL */
    unsigned writes;
    bool failed;      /* the operation, or one of its writes, failed */
    pantau_error err; /* then why (the first failure) */
    gint64 conflict;  /* a conflict's current version, or -1 */
    ops_reply_fn reply;
    void *data;
};

/* What a completion does in memory once a write is known to be on disk
 * (ok) or not (take the change back). undo is the job's own data. */
typedef void (*write_finish_fn)(pantau_server *srv, void *undo, bool ok);

/* One change's durable writes: its audit line, then its files. The writer
 * thread touches only line, files and audit_failed. */
typedef struct persist_job {
    audit_line *line;   /* owned; NULL: no audit log */
    state_batch *files; /* owned; NULL: the line only */
    bool audit_failed;  /* set on the thread: the files were not written */
    /* main loop only: */
    pantau_server *srv;
    op_pending *op;   /* borrowed, may be NULL: its fence completes after this job */
    const char *what; /* a literal naming the files, for the error */
    write_finish_fn finish;
    GDestroyNotify free_undo;
    void *undo;
} persist_job;

/* On the writer thread: the line first, so no state reaches disk unaudited;
 * a file that then fails gets its rolled_back line. Returns an errno value. */
static int persist_run(void *data)
{
    persist_job *j = data;
    if (j->line && audit_line_append(j->line, false)) {
        j->audit_failed = true;
        return EIO;
    }
    int rc = j->files ? state_batch_run(j->files) : 0;
    if (rc && j->line && audit_line_append(j->line, true))
        log_error("the roll-back of a change could not be audited");
    return rc;
}

static void op_pending_fail(op_pending *op, const persist_job *j, int status)
{
    if (!op || op->failed)
        return;
    op->failed = true;
    if (j->audit_failed)
        error_set(&op->err, ERR_INTERNAL, "", "the audit log could not be written");
    else
        error_set(&op->err, ERR_INTERNAL, "", "%s could not be saved: %s", j->what,
                  strerror(status));
}

/* On the main loop, in submission order. */
static void persist_done(void *data, int status)
{
    persist_job *j = data;
    if (status)
        op_pending_fail(j->op, j, status);
    if (j->finish)
        j->finish(j->srv, j->undo, status == 0);
    if (j->free_undo)
        j->free_undo(j->undo);
    audit_line_free(j->line);
    state_batch_free(j->files);
    g_free(j);
}

/* Hands a change's line and files (both stolen, either may be NULL) to the
 * writer; the request being handled, if any, replies after them. finish
 * (may be NULL) then runs with undo, which free_undo frees. */
static void persist(pantau_server *srv, audit_line *line, state_batch *files, const char *what,
                    write_finish_fn finish, GDestroyNotify free_undo, void *undo)
{
    persist_job *j = g_new0(persist_job, 1);
    j->line = line;
    j->files = files;
    j->srv = srv;
    j->op = srv->op_pending;
    j->what = what;
    j->finish = finish;
    j->free_undo = free_undo;
    j->undo = undo;
    if (j->op)
        j->op->writes++;
    disk_writer_submit(srv->writer, persist_run, persist_done, j);
}

void ops_write_files(pantau_server *srv, state_batch *files)
{
    persist(srv, NULL, files, "the state", NULL, NULL, NULL);
}

/* ---- changing a wall: check version, change a copy, persist, broadcast ---- */

/* A wall write in flight: which wall, the version it writes, its layout. */
typedef struct wall_write {
    char *wall_id;
    gint64 version;
    layout written;
} wall_write;

static void wall_write_free(gpointer data)
{
    wall_write *ww = data;
    g_free(ww->wall_id);
    g_free(ww);
}

/* Tells the bus that w changed (app/events.c tells the clients). */
static void emit_wall_changed(pantau_server *srv, const wall *w)
{
    bus_emit(srv->bus, &(bus_event){.kind = BUS_WALL_CHANGED, .wall_changed = {w}});
}

static void wall_write_finished(pantau_server *srv, void *undo, bool ok)
{
    const wall_write *ww = undo;
    wall *w = server_find_wall(srv, ww->wall_id);
    if (!w || !w->saved_layout)
        return;
    if (ok) {
        *w->saved_layout = ww->written;
        return;
    }
    /* A later change is written after this one and decides what is on disk. */
    if (w->version != ww->version)
        return;
    /* Everyone saw it: take it back to what is on disk, as one more change. */
    w->layout = *w->saved_layout;
    w->version++;
    emit_wall_changed(srv, w);
}

int ops_apply_layout(pantau_server *srv, wall *w, const layout *l, pantau_error *err)
{
    (void)err;
    gint64 before = w->version;
    w->layout = *l;
    w->version++;
    /* The walls see the change while it is being written: the requester's
     * acknowledgement (and its own copy of the event) still waits for the
     * disk. */
    emit_wall_changed(srv, w);
    wall_write *ww = g_new(wall_write, 1);
    ww->wall_id = g_strdup(w->id);
    ww->version = w->version;
    ww->written = *l;
    /* The audit line goes first (persist_run), so no version reaches disk
     * unaudited. */
    persist(srv, audit_change_line(srv, w->id, before, w->version),
            wall_state_files(w, srv->state_dir), "the wall state", wall_write_finished,
            wall_write_free, ww);
    return 0;
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

static void emit_preset_saved(pantau_server *srv, const preset *p)
{
    bus_emit(srv->bus, &(bus_event){.kind = BUS_PRESET_SAVED, .preset_saved = {p}});
}

static void emit_preset_deleted(pantau_server *srv, const char *id)
{
    bus_emit(srv->bus, &(bus_event){.kind = BUS_PRESET_DELETED, .preset_deleted = {id}});
}

static void preset_write_finished(pantau_server *srv, void *undo, bool ok)
{
    const preset *now = NULL;
    if (ok || !preset_store_undo(srv->presets, undo, &now))
        return;
    if (now)
        emit_preset_saved(srv, now);
    else
        emit_preset_deleted(srv, ((const preset_undo *)undo)->id);
}

int ops_preset_write(void *srv, state_batch *files, preset_undo *undo, pantau_error *err)
{
    (void)err;
    persist(srv, audit_change_line_unchanged(srv), files, "presets", preset_write_finished,
            (GDestroyNotify)preset_undo_free, undo);
    return 0;
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
    emit_preset_saved(srv, saved);
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
    emit_preset_saved(srv, renamed);
    *ok = json_pack("{s:o}", "preset", preset_to_json(renamed));
    return 0;
}

static int op_preset_delete(pantau_server *srv, const json_t *req, json_t **ok, pantau_error *err)
{
    const char *id;
    if (get_string(req, "preset", &id, err) || preset_store_delete(srv->presets, id, err))
        return -1;
    /* id points into the request, which outlives the deleted preset. */
    emit_preset_deleted(srv, id);
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
    enum op_effect effect;
} operations[] = {
    {"ping", op_ping, OP_READ, OP_READS},
    {"snapshot", op_snapshot, OP_READ, OP_READS},
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
    return subscribe_apply(call->srv->sources, call->srv->media, call->session, call->req, ok, err);
}

/* Operations on the connection itself rather than the shared model. */
static const op_def session_ops[] = {
    {"subscribe", op_subscribe, OP_READ, OP_READS},
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

static op_pending *op_pending_new(const json_t *id, ops_reply_fn reply, void *data)
{
    op_pending *p = g_new0(op_pending, 1);
    p->id = json_is_number(id) ? json_incref((json_t *)id) : NULL;
    p->conflict = -1;
    p->reply = reply;
    p->data = data;
    return p;
}

/* Sends the reply of p and frees it. */
static void op_pending_finish(op_pending *p)
{
    json_t *reply;
    if (p->failed) {
        reply = ops_error_reply(p->id, &p->err);
        if (p->conflict >= 0)
            json_object_set_new(json_object_get(reply, "error"), "current",
                                json_integer(p->conflict));
        json_decref(p->ok);
    } else {
        reply = ok_reply(p->id, p->ok);
    }
    json_decref(p->id);
    p->reply(reply, p->data);
    g_free(p);
}

/* The fence after a request's writes: they have all completed. */
static void op_writes_done(void *data, int status)
{
    (void)status;
    op_pending_finish(data);
}

/* Runs a found operation: role check, then a change inside its audit
 * change (audit.h: a change that writes a state file has its line written
 * before the file; any other has it written after), a read unaudited. The
 * reply goes at once when the operation wrote nothing, else after its
 * writes (a fence). */
static void run_op(pantau_server *srv, session *ses, const json_t *request, const char *op,
                   enum op_permission permission, enum op_effect effect,
                   int (*invoke)(void *fn, op_call *call, json_t **ok, pantau_error *err), void *fn,
                   ops_reply_fn reply, void *data)
{
    pantau_error err = {0};
    const json_t *id = json_object_get(request, "id");
    const char *wall_id = json_string_value(json_object_get(request, "wall"));
    bool audited = effect == OP_CHANGES;
    if (auth_allows(ses, permission, wall_id, &err) || (audited && audit_ready(srv, &err))) {
        reply(ops_error_reply(id, &err), data);
        return;
    }
    op_call call = {srv, ses, request};
    gint64 before = named_wall_version(srv, request);
    op_pending *p = op_pending_new(id, reply, data);
    op_pending *outer = srv->op_pending;
    srv->op_pending = p;
    if (audited)
        audit_begin(srv, ses, op, wall_id, before);
    int rc = invoke(fn, &call, &p->ok, &err);
    if (audited) {
        audit_line *line = audit_end(srv, rc == 0, named_wall_version(srv, request));
        if (line)
            persist(srv, line, NULL, "the audit line", NULL, NULL, NULL);
    }
    srv->op_pending = outer;
    if (rc) {
        p->failed = true;
        p->err = err;
        if (strcmp(err.code, ERR_CONFLICT) == 0)
            p->conflict = before;
    }
    if (p->writes == 0)
        op_pending_finish(p);
    else
        disk_writer_submit(srv->writer, NULL, op_writes_done, p);
}

static int invoke_core(void *fn, op_call *call, json_t **ok, pantau_error *err)
{
    return ((op_fn)fn)(call->srv, call->req, ok, err);
}

static int invoke_module(void *fn, op_call *call, json_t **ok, pantau_error *err)
{
    return ((const op_def *)fn)->fn(call, ok, err);
}

void ops_handle_async(pantau_server *srv, session *ses, const json_t *request, ops_reply_fn reply,
                      void *data)
{
    pantau_error err = {0};
    const json_t *id = json_object_get(request, "id");
    if (!json_is_object(request)) {
        error_set(&err, ERR_BAD_JSON, "", "a request must be a JSON object");
        reply(ops_error_reply(NULL, &err), data);
        return;
    }
    const char *op;
    if (get_string(request, "op", &op, &err)) {
        reply(ops_error_reply(id, &err), data);
        return;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(operations); i++)
        if (strcmp(operations[i].name, op) == 0) {
            run_op(srv, ses, request, op, operations[i].permission, operations[i].effect,
                   invoke_core, (void *)operations[i].fn, reply, data);
            return;
        }
    const op_def *def = find_module_op(op);
    if (def) {
        run_op(srv, ses, request, op, def->permission, def->effect, invoke_module, (void *)def,
               reply, data);
        return;
    }
    error_set(&err, ERR_UNKNOWN_OP, "op", "unknown operation '%.64s'", op);
    reply(ops_error_reply(id, &err), data);
}

void ops_handle_text_async(pantau_server *srv, session *ses, const char *text, size_t len,
                           ops_reply_fn reply, void *data)
{
    json_error_t jerr;
    json_t *request = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!request) {
        pantau_error err = {0};
        error_set(&err, ERR_BAD_JSON, "", "malformed JSON at line %d column %d: %s", jerr.line,
                  jerr.column, jerr.text);
        reply(ops_error_reply(NULL, &err), data);
        return;
    }
    ops_handle_async(srv, ses, request, reply, data);
    json_decref(request);
}

static void keep_reply(json_t *reply, void *data)
{
    *(json_t **)data = reply;
}

json_t *ops_handle(pantau_server *srv, session *ses, const json_t *request)
{
    json_t *reply = NULL;
    ops_handle_async(srv, ses, request, keep_reply, &reply);
    if (!reply)
        disk_writer_flush(srv->writer);
    return reply;
}

json_t *ops_handle_text(pantau_server *srv, session *ses, const char *text, size_t len)
{
    json_t *reply = NULL;
    ops_handle_text_async(srv, ses, text, len, keep_reply, &reply);
    if (!reply)
        disk_writer_flush(srv->writer);
    return reply;
}
