/* walls.c - the wall service: a change is made in memory and emitted at
 * once (the walls see it while it is written), then written with its
 * audit line by the writer thread; a write that fails takes it back. */
#include "walls.h"

#include <string.h>

struct wall_service {
    GPtrArray *walls; /* wall *, borrowed */
    preset_store *presets;
    event_bus *bus;
    persister *persist;
    audit_log *audit;
    char *state_dir;
    int max_tiles;
};

wall_service *wall_service_new(GPtrArray *walls, preset_store *presets, event_bus *bus,
                               persister *persist, audit_log *audit, const char *state_dir,
                               int max_tiles)
{
    wall_service *ws = g_new0(wall_service, 1);
    *ws = (wall_service){walls, presets, bus, persist, audit, g_strdup(state_dir), max_tiles};
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

void walls_apply(wall_service *ws, wall *w, const layout *l)
{
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
