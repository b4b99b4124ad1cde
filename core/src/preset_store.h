/* preset_store.h - named layouts, one file each: state_dir/presets/<id>.json.
 * Every change is written to disk before it returns, and writes only the
 * preset it changes, so its cost does not grow with the number of presets;
 * a failed write changes nothing. The presets.json of older versions is
 * moved to presets/ at open. */
#ifndef PANTAU_PRESET_STORE_H
#define PANTAU_PRESET_STORE_H

#include "layout.h"
#include "pantau_error.h"

#include <glib.h>
#include <jansson.h>

#define PRESET_NAME_MAX 100
/* Default limits (server.max_presets, server.max_layout_tiles). */
#define PRESET_DEFAULT_MAX 200
#define PRESET_MAX_LIMIT 5000

typedef struct preset {
    char id[16];
    char *name;
    layout layout;
} preset;

/* Called around every write of a change (audit.h): before_write() once the
 * change is checked, and a non-zero return (err set) refuses it;
 * write_failed() when the write then failed. */
typedef struct preset_write_hook {
    int (*before_write)(void *data, pantau_error *err);
    void (*write_failed)(void *data);
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
int preset_store_rename(preset_store *ps, const char *id, const char *name, preset **renamed,
                        pantau_error *err);
int preset_store_delete(preset_store *ps, const char *id, pantau_error *err);

/* New references. */
json_t *preset_to_json(const preset *p);
json_t *preset_store_to_json(const preset_store *ps);

#endif
