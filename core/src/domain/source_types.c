#include "source_types.h"

struct source_types {
    GHashTable *by_id; /* type id (borrowed from the entry) -> source_type_entry *, owned */
};

source_types *source_types_new(void)
{
    source_types *types = g_new0(source_types, 1);
    types->by_id = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    return types;
}

void source_types_free(source_types *types)
{
    if (!types)
        return;
    g_hash_table_destroy(types->by_id);
    g_free(types);
}

const source_type_entry *source_types_add(source_types *types, const source_type_entry *entry)
{
    if (!entry->type.id || g_hash_table_contains(types->by_id, entry->type.id))
        return NULL;
    source_type_entry *copy = g_memdup2(entry, sizeof *entry);
    g_hash_table_insert(types->by_id, (gpointer)copy->type.id, copy);
    return copy;
}

const source_type_entry *source_types_find(const source_types *types, const char *id)
{
    return types && id ? g_hash_table_lookup(types->by_id, id) : NULL;
}

void source_types_remove_owner(source_types *types, const void *owner)
{
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, types->by_id);
    while (g_hash_table_iter_next(&it, NULL, &value))
        if (((const source_type_entry *)value)->owner == owner)
            g_hash_table_iter_remove(&it);
}

guint source_types_count(const source_types *types)
{
    return types ? g_hash_table_size(types->by_id) : 0;
}
