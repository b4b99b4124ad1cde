/* walls.h - the wall service: finds walls, and changes them and their
 * presets as the domain's changes: a wall's layout as one change (version
 * + 1, BUS_WALL_CHANGED at once, then its audit line and its state file on
 * the writer thread; a write that fails takes it back), a preset saved,
 * renamed or deleted likewise (BUS_PRESET_*). The operations
 * (app/ops_walls.c), alarm takeovers and presentations change walls only
 * through it. Main loop only. */
#ifndef PANTAU_WALLS_H
#define PANTAU_WALLS_H

#include "audit.h"
#include "bus.h"
#include "layout.h"
#include "pantau_error.h"
#include "persist.h"
#include "preset_store.h"
#include "wall.h"

#include <glib.h>
#include <stdbool.h>

typedef struct wall_service wall_service;

/* A service over walls (wall *) and presets, emitting on bus (may be NULL:
 * nobody listens), writing through persist, auditing in audit (may be
 * NULL: no audit log); all borrowed, they outlive it. Wall state files go
 * to state_dir (copied). A change may not give a layout more than
 * max_tiles tiles (server.max_layout_tiles). */
wall_service *wall_service_new(GPtrArray *walls, preset_store *presets, event_bus *bus,
                               persister *persist, audit_log *audit, const char *state_dir,
                               int max_tiles);
/* Frees ws (NULL is fine); the walls and presets stay. */
void wall_service_free(wall_service *ws);

/* The wall with this id (NULL: none), or NULL. Borrowed. */
wall *walls_find(const wall_service *ws, const char *id);

/* Every wall (wall *), in config order. Borrowed. */
const GPtrArray *walls_all(const wall_service *ws);

/* Applies l (copied) to w as one change: version + 1, BUS_WALL_CHANGED at
 * once, then its audit line (of the change begun in the audit log, if
 * any) and its state file on the writer thread. A write that fails later
 * takes the change back as one more change (if no later change came since)
 * and fails the fenced request (persist.h). */
void walls_apply(wall_service *ws, wall *w, const layout *l);

/* Changes l (a copy of the wall's layout) in place: 0, or -1 with err. */
typedef int (*wall_edit_fn)(layout *l, void *data, pantau_error *err);

/* One operation's change of w based on its version: a conflict (err
 * ERR_CONFLICT) when w is at another; else edit(copy, data), which must
 * leave the layout valid and within the tile limit (a layout already past
 * it may keep or lose tiles, not gain; limit_field names that error's
 * field); then walls_apply. Returns 0, or -1 with err and nothing changed
 * or emitted. */
int walls_change(wall_service *ws, wall *w, gint64 version, wall_edit_fn edit, void *data,
                 const char *limit_field, pantau_error *err);

/* As walls_change, for a change that replaces w's tiles (layout.apply,
 * preset.recall): it ends every replay of w too. */
int walls_replace(wall_service *ws, wall *w, gint64 version, wall_edit_fn edit, void *data,
                  const char *limit_field, pantau_error *err);

/* Sets r (copied; NULL: ends the replay of tile) as the replay of its
 * tile, as one change of w (walls_apply) based on version (-1: any). A
 * conflict (ERR_CONFLICT), or ending a tile not in replay (ERR_BAD_REQUEST
 * naming "tile"), returns -1 with err and nothing changed. The caller
 * checks the tile. Every other change of w's layout (walls_apply) ends the
 * replays of the tiles that no longer show the source they replayed. */
int walls_replay_set(wall_service *ws, wall *w, gint64 version, const char *tile,
                     const tile_replay *r, pantau_error *err);

/* Hands files (stolen) that need no audit line to the writer thread, in
 * order with every other write (persist_files). */
void walls_write_files(wall_service *ws, state_batch *files);

/* ---- presets ---- */

/* The preset with this id, else the first with this name, or NULL.
 * Borrowed. */
const preset *walls_preset_lookup(const wall_service *ws, const char *id_or_name);

/* The preset store's write hook (preset_store.h; data: the service): the
 * change's files go to the writer thread after its audit line; a write
 * that fails takes the change back and emits it (BUS_PRESET_*). Returns 0. */
int walls_preset_write(void *ws, state_batch *files, preset_undo *undo, pantau_error *err);

/* Saves w's layout as preset name (an existing name needs overwrite):
 * refused with ERR_LIMIT (field "wall") when w has more tiles than a
 * preset may. Emits BUS_PRESET_SAVED; *saved (borrowed) is the preset.
 * Returns 0, or -1 with err and nothing emitted. */
int walls_preset_save(wall_service *ws, const wall *w, const char *name, bool overwrite,
                      preset **saved, pantau_error *err);

/* Renames preset id (preset_store_rename) and emits BUS_PRESET_SAVED;
 * *renamed borrowed. Returns 0, or -1 with err and nothing emitted. */
int walls_preset_rename(wall_service *ws, const char *id, const char *name, preset **renamed,
                        pantau_error *err);

/* Deletes preset id (borrowed: the event names it) and emits
 * BUS_PRESET_DELETED. Returns 0, or -1 with err and nothing emitted. */
int walls_preset_delete(wall_service *ws, const char *id, pantau_error *err);

#endif
