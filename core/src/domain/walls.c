/* walls.c - the wall service: a change is made in memory and emitted at
 * once (the walls see it while it is written), then written with its
 * audit line by the writer thread; a write that fails takes it back. */
#include "walls.h"

#include "log.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* A wall's key in a cluster's shared store: this, then its id (kv_store_key). */
#define WALL_KEY_PREFIX "wall."

struct wall_service {
    GPtrArray *walls; /* wall *, borrowed */
    preset_store *presets;
    event_bus *bus;
    persister *persist;
    audit_log *audit;
    char *state_dir;
    int max_tiles;
    kv_store *shared; /* borrowed; NULL: the walls are in state files */
};

wall_service *wall_service_new(GPtrArray *walls, preset_store *presets, event_bus *bus,
                               persister *persist, audit_log *audit, const char *state_dir,
                               int max_tiles)
{
    wall_service *ws = g_new0(wall_service, 1);
    *ws = (wall_service){walls, presets, bus, persist, audit, g_strdup(state_dir), max_tiles, NULL};
    return ws;
}

void wall_service_free(wall_service *ws)
{
    if (!ws)
        return;
    g_free(ws->state_dir);
    g_free(ws);
}

wall *walls_find(const wall_service *ws, const char *id)
{
    return ws ? wall_list_find(ws->walls, id) : NULL;
}

const GPtrArray *walls_all(const wall_service *ws)
{
    return ws->walls;
}

void walls_write_files(wall_service *ws, state_batch *files)
{
    persist_files(ws->persist, files);
}

/* ---- a wall's layout ---- */

/* A wall write in flight: which wall, the version it writes, its layout. */
typedef struct wall_write {
    wall_service *ws;
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
static void emit_wall_changed(const wall_service *ws, const wall *w)
{
    bus_emit(ws->bus, &(bus_event){.kind = BUS_WALL_CHANGED, .wall_changed = {w}});
}

static void wall_write_finished(void *undo, bool ok)
{
    const wall_write *ww = undo;
    wall *w = walls_find(ww->ws, ww->wall_id);
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
    wall_replays_prune(w, false);
    emit_wall_changed(ww->ws, w);
}

static void apply_shared(wall_service *ws, wall *w, const layout *l);

gint64 walls_apply(wall_service *ws, wall *w, const layout *l)
{
    if (ws->shared) {
        apply_shared(ws, w, l);
        return w->version + 1;
    }
    gint64 before = w->version;
    w->layout = *l;
    w->version++;
    /* A tile that no longer shows what it replayed is live again. */
    wall_replays_prune(w, false);
    /* The walls see the change while it is being written: the requester's
     * acknowledgement (and its own copy of the event) still waits for the
     * disk. */
    emit_wall_changed(ws, w);
    wall_write *ww = g_new(wall_write, 1);
    ww->ws = ws;
    ww->wall_id = g_strdup(w->id);
    ww->version = w->version;
    ww->written = *l;
    /* The audit line goes first (persist.h), so no version reaches disk
     * unaudited. */
    persist_change(ws->persist, audit_change_line(ws->audit, w->id, before, w->version),
                   wall_state_files(w, ws->state_dir), "the wall state", wall_write_finished,
                   wall_write_free, ww);
    return w->version;
}

/* A change may not give a layout more tiles than max_tiles; one already
 * past it (a lowered limit) may keep or lose tiles, not gain. */
static int check_tile_limit(const wall_service *ws, const layout *now, const layout *next,
                            const char *field, pantau_error *err)
{
    if (next->n_tiles <= ws->max_tiles || next->n_tiles <= now->n_tiles)
        return 0;
    return error_set(err, ERR_LIMIT, field,
                     "a layout may have at most %d tiles (server.max_layout_tiles); this change "
                     "would give it %d",
                     ws->max_tiles, next->n_tiles);
}

static int check_version(const wall *w, gint64 version, pantau_error *err)
{
    if (version == w->version)
        return 0;
    return error_set(err, ERR_CONFLICT, "version",
                     "wall '%s' is at version %" G_GINT64_FORMAT
                     ", the request was based on %" G_GINT64_FORMAT,
                     w->id, (gint64)w->version, version);
}

/* walls_change; replace: the change ends every replay of w. */
static int change(wall_service *ws, wall *w, gint64 version, wall_edit_fn edit, void *data,
                  const char *limit_field, bool replace, pantau_error *err)
{
    if (check_version(w, version, err))
        return -1;
    layout *next = g_new(layout, 1);
    *next = w->layout;
    int rc = edit(next, data, err);
    if (rc == 0)
        rc = layout_validate(next, err);
    if (rc == 0)
        rc = check_tile_limit(ws, &w->layout, next, limit_field, err);
    if (rc == 0 && replace)
        wall_replays_prune(w, true);
    if (rc == 0)
        walls_apply(ws, w, next);
    g_free(next);
    return rc;
}

/* ---- walls in a cluster's shared store ---- */

/* A wall's state as the shared store holds it. Returns a new string (free). */
static char *shared_value(const char *id, gint64 version, const layout *l)
{
    json_t *v = json_pack("{s:s, s:I, s:o}", "wall", id, "version", (json_int_t)version, "layout",
                          layout_to_json(l));
    char *text = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    return text;
}

/* Takes the state text (borrowed) of revision rev from the shared store
 * onto its wall when it is newer than what the wall has, and emits it. */
static void take_shared(wall_service *ws, const char *text, uint64_t rev)
{
    json_t *v = json_loads(text, 0, NULL);
    layout *l = g_new(layout, 1);
    pantau_error err = {0};
    const char *id = json_string_value(json_object_get(v, "wall"));
    const json_t *version = json_object_get(v, "version");
    wall *w = walls_find(ws, id);
    if (!json_is_integer(version) || layout_from_json(l, json_object_get(v, "layout"), &err)) {
        log_warn("cluster: wall state of revision %" PRIu64 " in the shared store is not valid%s%s",
                 rev, err.message[0] ? ": " : "", err.message);
        goto out;
    }
    if (!w || rev <= w->revision)
        goto out; /* a wall this node does not have, or a state it has */
    w->layout = *l;
    w->version = json_integer_value(version);
    w->revision = rev;
    wall_replays_prune(w, false);
    if (w->saved_layout)
        *w->saved_layout = *l;
    emit_wall_changed(ws, w);
out:
    g_free(l);
    json_decref(v);
}

/* A change on its way to the shared store: copies only, the writer thread
 * reads them (wall_put_run). */
typedef struct wall_put {
    wall_service *ws; /* main loop only */
    kv_store *kv;
    char *wall_id, *key, *value;
    uint64_t last, rev;
    gint64 version;
    pantau_error err;
    char *now;        /* refused for another revision: the store's state then, or NULL */
    uint64_t now_rev; /* and its revision */
} wall_put;

static void wall_put_free(gpointer data)
{
    wall_put *wp = data;
    g_free(wp->wall_id);
    g_free(wp->key);
    free(wp->value);
    g_free(wp->now);
    g_free(wp);
}

/* On the writer thread: the compare-and-set on the wall's revision. */
static int wall_put_run(void *data, pantau_error *err)
{
    wall_put *wp = data;
    int rc = kv_store_update(wp->kv, wp->key, wp->value, wp->last, &wp->rev, err);
    if (rc)
        wp->err = *err;
    /* Another node was first: its state, so that the refusal names the
     * version now (even before the watch brings it). */
    pantau_error ignored = {0};
    if (rc && strcmp(err->code, ERR_CONFLICT) == 0) {
        kv_store_get(wp->kv, wp->key, &wp->now, &wp->now_rev, &ignored);
        error_set(err, ERR_CONFLICT, "version",
                  "wall '%s' was changed by another node first; the request was based on "
                  "version %" G_GINT64_FORMAT,
                  wp->wall_id, wp->version - 1);
    }
    return rc;
}

/* On the main loop: the store took it (the watch may have brought it
 * already), or it did not and nothing changed (the fenced request fails
 * with the store's error); refused for another node's change, the wall
 * takes that change now. */
static void wall_put_finished(void *data, bool ok)
{
    const wall_put *wp = data;
    if (ok)
        take_shared(wp->ws, wp->value, wp->rev);
    else if (wp->now)
        take_shared(wp->ws, wp->now, wp->now_rev);
    if (!ok)
        log_info("cluster: wall '%s' not changed to version %" G_GINT64_FORMAT ": %s", wp->wall_id,
                 wp->version, wp->err.code ? wp->err.message : "its audit line was not taken");
}

/* walls_apply in a cluster: nothing changes here until the store took it. */
static void apply_shared(wall_service *ws, wall *w, const layout *l)
{
    wall_put *wp = g_new0(wall_put, 1);
    wp->ws = ws;
    wp->kv = ws->shared;
    wp->wall_id = g_strdup(w->id);
    wp->key = kv_store_key(WALL_KEY_PREFIX, w->id);
    wp->version = w->version + 1;
    wp->last = w->revision;
    wp->value = shared_value(w->id, wp->version, l);
    persist_remote(ws->persist, audit_change_line(ws->audit, w->id, w->version, wp->version),
                   wall_put_run, wall_put_finished, wall_put_free, wp);
}

/* Takes w's state from the store, or puts it there when the store has
 * none (another node may put it first: then its state is taken). */
static int share_wall(wall_service *ws, wall *w, pantau_error *err)
{
    char *key = kv_store_key(WALL_KEY_PREFIX, w->id);
    char *text = NULL;
    uint64_t rev = 0;
    int rc = kv_store_get(ws->shared, key, &text, &rev, err);
    if (rc == 0 && !text) {
        char *mine = shared_value(w->id, w->version, &w->layout);
        rc = kv_store_update(ws->shared, key, mine, 0, &rev, err);
        if (rc == 0)
            w->revision = rev;
        else if (strcmp(err->code, ERR_CONFLICT) == 0)
            rc = kv_store_get(ws->shared, key, &text, &rev, err);
        free(mine);
    }
    if (rc == 0 && text)
        take_shared(ws, text, rev);
    g_free(text);
    g_free(key);
    return rc;
}

static void on_shared_change(const char *key, const char *value, uint64_t rev, void *data)
{
    (void)key;
    if (value) /* walls are never deleted */
        take_shared(data, value, rev);
}

int walls_share(wall_service *ws, kv_store *kv, pantau_error *err)
{
    ws->shared = kv;
    for (guint i = 0; i < ws->walls->len; i++)
        if (share_wall(ws, g_ptr_array_index(ws->walls, i), err))
            return -1;
    return kv_store_watch(kv, WALL_KEY_PREFIX ">", on_shared_change, ws, err);
}

int walls_change(wall_service *ws, wall *w, gint64 version, wall_edit_fn edit, void *data,
                 const char *limit_field, pantau_error *err)
{
    return change(ws, w, version, edit, data, limit_field, false, err);
}

int walls_replace(wall_service *ws, wall *w, gint64 version, wall_edit_fn edit, void *data,
                  const char *limit_field, pantau_error *err)
{
    return change(ws, w, version, edit, data, limit_field, true, err);
}

int walls_replay_set(wall_service *ws, wall *w, gint64 version, const char *tile,
                     const tile_replay *r, pantau_error *err)
{
    if (version >= 0 && check_version(w, version, err))
        return -1;
    if (r)
        wall_replay_set(w, r);
    else if (!wall_replay_remove(w, tile))
        return error_set(err, ERR_BAD_REQUEST, "tile", "tile '%.32s' is not in replay", tile);
    layout *same = g_memdup2(&w->layout, sizeof w->layout);
    walls_apply(ws, w, same);
    g_free(same);
    return 0;
}

/* ---- presets ---- */

const preset *walls_preset_lookup(const wall_service *ws, const char *id_or_name)
{
    const preset_store *ps = ws->presets;
    const preset *p = ps && id_or_name ? preset_store_find(ps, id_or_name) : NULL;
    for (guint i = 0; !p && ps && id_or_name && i < ps->presets->len; i++) {
        const preset *q = g_ptr_array_index(ps->presets, i);
        if (strcmp(q->name, id_or_name) == 0)
            p = q;
    }
    return p;
}

static void emit_preset_saved(const wall_service *ws, const preset *p)
{
    bus_emit(ws->bus, &(bus_event){.kind = BUS_PRESET_SAVED, .preset_saved = {p}});
}

static void emit_preset_deleted(const wall_service *ws, const char *id)
{
    bus_emit(ws->bus, &(bus_event){.kind = BUS_PRESET_DELETED, .preset_deleted = {id}});
}

/* A preset change's undo, with the service that takes it back. */
typedef struct preset_write {
    wall_service *ws;
    preset_undo *undo; /* owned */
} preset_write;

static void preset_write_free(gpointer data)
{
    preset_write *pw = data;
    preset_undo_free(pw->undo);
    g_free(pw);
}

static void preset_write_finished(void *data, bool ok)
{
    const preset_write *pw = data;
    const preset *now = NULL;
    if (ok || !preset_store_undo(pw->ws->presets, pw->undo, &now))
        return;
    if (now)
        emit_preset_saved(pw->ws, now);
    else
        emit_preset_deleted(pw->ws, pw->undo->id);
}

int walls_preset_write(void *data, state_batch *files, preset_undo *undo, pantau_error *err)
{
    (void)err;
    wall_service *ws = data;
    preset_write *pw = g_new(preset_write, 1);
    *pw = (preset_write){ws, undo};
    persist_change(ws->persist, audit_change_line_unchanged(ws->audit), files, "presets",
                   preset_write_finished, preset_write_free, pw);
    return 0;
}

int walls_preset_save(wall_service *ws, const wall *w, const char *name, bool overwrite,
                      preset **saved, pantau_error *err)
{
    if (w->layout.n_tiles > ws->presets->max_tiles)
        return error_set(err, ERR_LIMIT, "wall",
                         "wall '%s' has %d tiles; a preset may have at most %d "
                         "(server.max_layout_tiles)",
                         w->id, w->layout.n_tiles, ws->presets->max_tiles);
    if (preset_store_save(ws->presets, name, &w->layout, overwrite, saved, err))
        return -1;
    emit_preset_saved(ws, *saved);
    return 0;
}

int walls_preset_rename(wall_service *ws, const char *id, const char *name, preset **renamed,
                        pantau_error *err)
{
    if (preset_store_rename(ws->presets, id, name, renamed, err))
        return -1;
    emit_preset_saved(ws, *renamed);
    return 0;
}

int walls_preset_delete(wall_service *ws, const char *id, pantau_error *err)
{
    if (preset_store_delete(ws->presets, id, err))
        return -1;
    emit_preset_deleted(ws, id);
    return 0;
}
