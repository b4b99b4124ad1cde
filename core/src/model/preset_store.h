/* preset_store.h - named layouts, one file each: state_dir/presets/<id>.json.
 * Every change writes only the preset it changes, so its cost does not
 * grow with the number of presets. Without a write hook it is written
 * before it returns and a failed write changes nothing; with one (the
 * server's writer thread) it is changed in memory at once and taken back
 * by preset_store_undo if its write fails. The presets.json of older versions is
 * moved to presets/ at open. */
#ifndef PANTAU_PRESET_STORE_H
#define PANTAU_PRESET_STORE_H

#include "layout.h"
#include "pantau_error.h"
#include "state_store.h"

#include <glib.h>
#include <jansson.h>

#define PRESET_NAME_MAX 100
/* Default limits (server.max_presets, server.max_layout_tiles). */
#define PRESET_DEFAULT_MAX 200
#define PRESET_MAX_LIMIT 5000

struct preset {
    char id[16];
    char *name;
    layout layout;
};

typedef struct preset preset;

/* What a change did to one preset, to take it back when its write fails
 * later: copies of the preset before and after the change. */
typedef struct preset_undo {
    char id[16];
    preset *before; /* owned; NULL: the change added the preset */
    preset *after;  /* owned; NULL: the change deleted it */
    guint index;    /* where it was in the list */
} preset_undo;

/* Where changes are written (ops.c: the writer thread, after their audit
 * line). submit() takes files and undo (both stolen) once the change is
 * checked, and the change is made in memory when it returns 0; a non-zero
 * return (err set) refuses it. Without a hook, the files are written at
 * once, before the change is made. */
typedef struct preset_write_hook {
    int (*submit)(void *data, state_batch *files, preset_undo *undo, pantau_error *err);
    void *data;
} preset_write_hook;

typedef struct preset_store {
    GPtrArray *presets; /* preset *, in creation order, owned */
    unsigned next_id;
    char *state_dir;
    unsigned max_presets; /* a new preset past this many is refused */
    int max_tiles;        /* a preset with more tiles is refused */
    bool read_only;       /* presets.json could not be moved: no change until a restart */
    preset_write_hook hook;
} preset_store;

/* Opens the store: loads state_dir/presets/ (a preset file that cannot be
 * read is kept aside), after moving an old state_dir/presets.json there
 * (the old file is kept renamed). Limits start at the defaults. */
preset_store *preset_store_open(const char *state_dir);
void preset_store_free(preset_store *ps);

/* Sets the limits of further changes (presets already saved all stay). */
void preset_store_set_limits(preset_store *ps, unsigned max_presets, int max_tiles);

/* Sets the hook called around every write (hook is copied). */
void preset_store_set_hook(preset_store *ps, const preset_write_hook *hook);

/* The preset with this id, or NULL. Borrowed. */
preset *preset_store_find(const preset_store *ps, const char *id);

/* Saves l under name; an existing name needs overwrite (it keeps its id).
 * Past max_presets (a new name) or max_tiles, refused with ERR_LIMIT.
 * On success *saved (borrowed) is the preset. Returns 0 or -1 with err. */
int preset_store_save(preset_store *ps, const char *name, const layout *l, bool overwrite,
                      preset **saved, pantau_error *err);
/* Seeds a store that holds no preset yet (a first run) with presets, a
 * JSON array (borrowed) of {"name", "layout"} that the config checker has
 * passed, saved in order; a store that holds any preset is left alone.
 * Call before preset_store_set_hook (the files are written at once). A
 * preset that cannot be saved is logged and skipped. Returns how many were
 * saved. */
int preset_store_seed(preset_store *ps, const json_t *presets);

int preset_store_rename(preset_store *ps, const char *id, const char *name, preset **renamed,
                        pantau_error *err);
int preset_store_delete(preset_store *ps, const char *id, pantau_error *err);

/* Takes back the change of undo (borrowed) whose write failed, unless the
 * preset changed again since (a later change then decides what is on
 * disk). Returns whether it was taken back; *now is then the preset as it
 * is again (borrowed), or NULL when it is gone. */
bool preset_store_undo(preset_store *ps, const preset_undo *undo, const preset **now);

void preset_undo_free(preset_undo *u);

/* Takes a preset another node saved (pj borrowed: {"id", "name",
 * "layout"}) into the store as it is, without writing or checking limits:
 * added in creation order, or replacing the preset of its id. *taken
 * (borrowed) is the preset, *changed whether it differs from what the
 * store had. Returns 0, or -1 with err when pj is not a valid preset. */
int preset_store_take(preset_store *ps, const json_t *pj, preset **taken, bool *changed,
                      pantau_error *err);

/* Forgets preset id another node deleted, without writing; its id is
 * never used again. Returns whether the store had it. */
bool preset_store_forget(preset_store *ps, const char *id);

/* New references. */
json_t *preset_to_json(const preset *p);
json_t *preset_store_to_json(const preset_store *ps);

#endif
