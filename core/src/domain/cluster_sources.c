/* cluster_sources.c - see cluster_sources.h. */
#include "cluster_sources.h"

#include "kv_share.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

struct source_share {
    source_editor *ed;
    source_registry *reg;
    kv_share *share; /* the keys source.<id> */
};

/* The editor's hook (source_edit.h). */
static void submit(void *data, const char *id, const json_t *after, audit_line *line,
                   persist_finish_fn finish, GDestroyNotify free_undo, void *undo)
{
    source_share *sh = data;
    char *value = after ? json_dumps(after, JSON_COMPACT) : NULL;
    char *what = g_strdup_printf("source '%s'", id);
    kv_share_write(sh->share, line, id, value, "source", what, finish, free_undo, undo);
    g_free(what);
    free(value);
}

/* The id of the source whose key this is (a new string), or NULL. */
static char *source_of_key(const source_share *sh, const char *key)
{
    for (guint i = 0; i < sh->reg->list->len; i++) {
        const pantau_source *src = g_ptr_array_index(sh->reg->list, i);
        char *k = kv_share_key(sh->share, src->id);
        bool same = strcmp(k, key) == 0;
        g_free(k);
        if (same)
            return g_strdup(src->id);
    }
    return NULL;
}

static void report(const char *json_path, const char *message, void *user)
{
    log_warn("cluster: %s %s: %s", (const char *)user, json_path, message);
}

/* Whether entry (borrowed) is a source entry whose key this is. */
static bool entry_is_valid(const source_share *sh, const char *key, const json_t *entry)
{
    const char *id = json_string_value(json_object_get(entry, "id"));
    const json_t *settings = json_object_get(entry, "settings");
    if (!id || !json_is_string(json_object_get(entry, "type")) ||
        (settings && !json_is_object(settings)))
        return false;
    char *k = kv_share_key(sh->share, id);
    bool same = strcmp(k, key) == 0;
    g_free(k);
    return same;
}

static void on_source(const char *key, const char *value, void *data)
{
    source_share *sh = data;
    if (!value) {
        char *id = source_of_key(sh, key);
        if (id)
            source_edit_take(sh->ed, id, NULL);
        g_free(id);
        return;
    }
    json_t *entry = json_loads(value, 0, NULL);
    if (!entry_is_valid(sh, key, entry)) {
        log_warn("cluster: the source entry '%s' in the shared store is not valid; ignored", key);
        json_decref(entry);
        return;
    }
    /* A type this node lacks still makes the source, with status error. */
    source_check_entry(sh->reg->types, entry, key, report, "the source entry");
    source_edit_take(sh->ed, json_string_value(json_object_get(entry, "id")), entry);
    json_decref(entry);
}

source_share *source_share_new(source_editor *ed, source_registry *reg, persister *persist,
                               kv_store *kv, pantau_error *err)
{
    source_share *sh = g_new0(source_share, 1);
    *sh = (source_share){ed, reg, kv_share_new(kv, persist, "source.")};
    if (kv_share_watch(sh->share, on_source, sh, err)) {
        source_share_free(sh);
        return NULL;
    }
    source_edit_set_hook(ed, &(source_edit_hook){submit, sh});
    return sh;
}

void source_share_free(source_share *sh)
{
    if (!sh)
        return;
    kv_share_free(sh->share);
    g_free(sh);
}
