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

/* How many types the table holds (0 for NULL). */
guint source_types_count(const source_types *types);

#endif
