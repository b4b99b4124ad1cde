/* preset_store.h - named layouts kept in state_dir/presets.json. Every change
 * is written to disk before it returns; a failed write changes nothing. */
#ifndef PANTAU_PRESET_STORE_H
#define PANTAU_PRESET_STORE_H

#include "layout.h"
#include "pantau_error.h"

#include <glib.h>
#include <jansson.h>

#define PRESET_NAME_MAX 100

typedef struct preset {
    char id[16];
    char *name;
    layout layout;
} preset;

typedef struct preset_store {
    GPtrArray *presets; /* preset *, in creation order, owned */
    unsigned next_id;
    char *state_dir;
} preset_store;

/* Opens the store, loading state_dir/presets.json if it exists. */
preset_store *preset_store_open(const char *state_dir);
void preset_store_free(preset_store *ps);

/* The preset with this id, or NULL. Borrowed. */
preset *preset_store_find(const preset_store *ps, const char *id);

/* Saves l under name; an existing name needs overwrite (it keeps its id).
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
