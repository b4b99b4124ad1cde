/* source_types.h - the source types sources are made of, as the domain sees
 * them: a table the plugin loader fills as plugins register their types, and
 * the source registry and the config checker read. Main loop only. */
#ifndef PANTAU_SOURCE_TYPES_H
#define PANTAU_SOURCE_TYPES_H

#include "pantau/plugin.h"

#include <glib.h>
#include <stdbool.h>

/* One source type. */
typedef struct source_type_entry {
    pantau_source_type type; /* copied, zero-filled past the plugin's size */
    const char *plugin;      /* the name of the plugin offering it; borrowed from owner */
    void *owner;             /* who registered it (the loader's plugin), opaque here; or NULL */
} source_type_entry;

typedef struct source_types source_types;

/* An empty table. Free with source_types_free. */
source_types *source_types_new(void);

/* Frees the table and every entry left in it; NULL is ignored. */
void source_types_free(source_types *types);

/* Adds a copy of entry (borrowed) under entry->type.id, which must stay
 * valid while the entry is in the table. Returns the copy (borrowed), or
 * NULL when a type of that id is already there. */
const source_type_entry *source_types_add(source_types *types, const source_type_entry *entry);

/* The type with this id, or NULL (also for types or id NULL). Borrowed. */
const source_type_entry *source_types_find(const source_types *types, const char *id);

/* Removes every entry whose owner is owner (a plugin refused or unloaded). */
void source_types_remove_owner(source_types *types, const void *owner);

/* The type's default settings (defaults_for with its type_data, ABI 1.4,
 * else defaults): a new reference, or NULL when it has none. */
json_t *source_type_defaults(const source_type_entry *t);

/* The type's settings schema, as source_type_defaults: a new reference, or
 * NULL. */
json_t *source_type_schema(const source_type_entry *t);

/* Makes a source's instance through create_for (ABI 1.4) or create: the
 * plugin's instance, or NULL with *error set (free()d by the caller).
 * settings borrowed. */
void *source_type_create(const source_type_entry *t, pantau_source *src, const json_t *settings,
                         char **error);

/* Whether the type checks settings (check_for or check). */
bool source_type_checks(const source_type_entry *t);

/* Checks settings (borrowed) through check_for or check: 0, or -1 with
 * *error set as for create. A type that does not check returns 0. */
int source_type_check(const source_type_entry *t, const json_t *settings, char **error);

/* The id of the first type of from (borrowed) that is in types with an
 * owner other than owner, or NULL: a clash. */
const char *source_types_clash(const source_types *types, const source_types *from,
                               const void *owner);

/* Moves every entry of from into into (ids must not clash). */
void source_types_merge(source_types *into, source_types *from);

/* The ids (borrowed) of the types owner registered, sorted: a new array. */
GPtrArray *source_types_of_owner(const source_types *types, const void *owner);

/* How many types the table holds (0 for NULL). */
guint source_types_count(const source_types *types);

#endif
