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

json_t *source_type_defaults(const source_type_entry *t)
{
    if (t->type.defaults_for)
        return t->type.defaults_for(t->type.type_data);
    return t->type.defaults ? t->type.defaults() : NULL;
}

json_t *source_type_schema(const source_type_entry *t)
{
    if (t->type.schema_for)
        return t->type.schema_for(t->type.type_data);
    return t->type.schema ? t->type.schema() : NULL;
}

void *source_type_create(const source_type_entry *t, pantau_source *src, const json_t *settings,
                         char **error)
{
    if (t->type.create_for)
        return t->type.create_for(t->type.type_data, src, settings, error);
    return t->type.create(src, settings, error);
}

bool source_type_checks(const source_type_entry *t)
{
    return t->type.check_for || t->type.check;
}

int source_type_check(const source_type_entry *t, const json_t *settings, char **error)
{
    if (t->type.check_for)
        return t->type.check_for(t->type.type_data, settings, error);
    return t->type.check ? t->type.check(settings, error) : 0;
}

const char *source_types_clash(const source_types *types, const source_types *from,
                               const void *owner)
{
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, from->by_id);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        const source_type_entry *there = source_types_find(types, key);
        if (there && there->owner != owner)
            return key;
    }
    return NULL;
}

void source_types_merge(source_types *into, source_types *from)
{
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, from->by_id);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        source_types_add(into, value);
        g_hash_table_iter_remove(&it);
    }
}

static gint compare_ids(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *source_types_of_owner(const source_types *types, const void *owner)
{
    GPtrArray *ids = g_ptr_array_new();
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, types->by_id);
    while (g_hash_table_iter_next(&it, &key, &value))
        if (((const source_type_entry *)value)->owner == owner)
            g_ptr_array_add(ids, key);
    g_ptr_array_sort(ids, compare_ids);
    return ids;
}
