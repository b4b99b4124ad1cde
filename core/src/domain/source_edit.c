/* source_edit.c - see source_edit.h. */
#include "source_edit.h"

#include "log.h"
#include "state_store.h"

#include <stdbool.h>
#include <string.h>

struct source_editor {
    source_registry *reg;
    media_engine *media;
    persister *persist;
    audit_log *audit;
    char *state_dir;
    json_t *doc; /* {"put": [...], "removed": [...]}, owned */
};

/* The index of the entry with id in array (entries or id strings), or -1. */
static json_int_t index_of(const json_t *array, const char *id)
{
    size_t i;
    const json_t *v;
    json_array_foreach(array, i, v)
    {
        const char *vid =
            json_is_string(v) ? json_string_value(v) : json_string_value(json_object_get(v, "id"));
        if (g_strcmp0(vid, id) == 0)
            return (json_int_t)i;
    }
    return -1;
}

/* The members of array (borrowed, may be NULL) that are source entries
 * (an object with a string id and type; want_entries) or ids (strings).
 * New reference. */
static json_t *kept_items(const json_t *array, bool want_entries)
{
    json_t *out = json_array();
    size_t i;
    const json_t *v;
    json_array_foreach(array, i, v)
    {
        bool fits = want_entries ? json_is_string(json_object_get(v, "id")) &&
                                       json_is_string(json_object_get(v, "type"))
                                 : json_is_string(v);
        if (fits)
            json_array_append(out, (json_t *)v);
    }
    return out;
}

/* The kept changes of state_dir, always well formed: what is not a source
 * entry or an id is left out, with a log line. New reference. */
static json_t *read_doc(const char *state_dir)
{
    json_t *doc = state_dir ? state_store_read(state_dir, SOURCE_EDIT_FILE) : NULL;
    json_t *clean = json_pack("{s:o, s:o}", "put", kept_items(json_object_get(doc, "put"), true),
                              "removed", kept_items(json_object_get(doc, "removed"), false));
    size_t had = json_array_size(json_object_get(doc, "put")) +
                 json_array_size(json_object_get(doc, "removed"));
    size_t kept = json_array_size(json_object_get(clean, "put")) +
                  json_array_size(json_object_get(clean, "removed"));
    if (doc && had != kept)
        log_warn("%s/%s: %zu entries are not sources or ids; ignored", state_dir, SOURCE_EDIT_FILE,
                 had - kept);
    json_decref(doc);
    return clean;
}

json_t *source_edit_effective(const json_t *config_sources, const char *state_dir)
{
    json_t *doc = read_doc(state_dir);
    const json_t *put = json_object_get(doc, "put"), *removed = json_object_get(doc, "removed");
    json_t *out = json_array();
    size_t i;
    const json_t *entry;
    json_array_foreach(config_sources, i, entry)
    {
        const char *id = json_string_value(json_object_get(entry, "id"));
        json_int_t changed = index_of(put, id);
        if (index_of(removed, id) >= 0)
            continue;
        /* A changed source stays in its place. */
        json_array_append(out,
                          changed >= 0 ? json_array_get(put, (size_t)changed) : (json_t *)entry);
    }
    json_array_foreach(put, i, entry)
    {
        const char *id = json_string_value(json_object_get(entry, "id"));
        if (json_is_object(entry) && id && index_of(out, id) < 0)
            json_array_append(out, (json_t *)entry);
    }
    json_decref(doc);
    return out;
}

source_editor *source_editor_new(source_registry *reg, media_engine *media, persister *persist,
                                 audit_log *audit, const char *state_dir)
{
    source_editor *ed = g_new0(source_editor, 1);
    ed->reg = reg;
    ed->media = media;
    ed->persist = persist;
    ed->audit = audit;
    ed->state_dir = g_strdup(state_dir);
    ed->doc = read_doc(state_dir);
    return ed;
}

void source_editor_free(source_editor *ed)
{
    if (!ed)
        return;
    json_decref(ed->doc);
    g_free(ed->state_dir);
    g_free(ed);
}

/* Hands the audit line of the begun change and sources.json to the writer. */
static void write_doc(source_editor *ed)
{
    state_batch *files = state_batch_new(ed->state_dir);
    state_batch_write(files, SOURCE_EDIT_FILE, ed->doc);
    persist_change(ed->persist, audit_change_line_unchanged(ed->audit), files, "the sources", NULL,
                   NULL, NULL);
}

static void array_drop(json_t *array, const char *id)
{
    json_int_t at = index_of(array, id);
    if (at >= 0)
        json_array_remove(array, (size_t)at);
}

pantau_source *source_edit_put(source_editor *ed, const json_t *entry)
{
    const char *id = json_string_value(json_object_get(entry, "id"));
    pantau_source *old = source_registry_find(ed->reg, id);
    GPtrArray *viewers = old ? media_source_release(ed->media, old) : g_ptr_array_new();
    pantau_source *src = source_registry_put(ed->reg, entry);
    media_source_reattach(ed->media, src, viewers);
    g_ptr_array_free(viewers, TRUE);
    json_t *put = json_object_get(ed->doc, "put");
    array_drop(put, src->id);
    array_drop(json_object_get(ed->doc, "removed"), src->id);
    json_array_append_new(put, source_entry_json(src));
    write_doc(ed);
    return src;
}

bool source_edit_remove(source_editor *ed, const char *id)
{
    pantau_source *src = source_registry_find(ed->reg, id);
    if (!src)
        return false;
    char *gone = g_strdup(src->id);
    g_ptr_array_free(media_source_release(ed->media, src), TRUE);
    source_registry_remove(ed->reg, gone);
    array_drop(json_object_get(ed->doc, "put"), gone);
    json_array_append_new(json_object_get(ed->doc, "removed"), json_string(gone));
    write_doc(ed);
    g_free(gone);
    return true;
}
