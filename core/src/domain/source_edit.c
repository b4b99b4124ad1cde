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
    json_t *doc;           /* {"put": [...], "removed": [...]}, owned: as changed */
    json_t *on_disk;       /* the same as last written (or read), owned */
    unsigned changes;      /* how many changes were made */
    source_edit_hook hook; /* submit NULL: changes go to sources.json */
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
    ed->on_disk = json_deep_copy(ed->doc);
    return ed;
}

void source_editor_free(source_editor *ed)
{
    if (!ed)
        return;
    json_decref(ed->doc);
    json_decref(ed->on_disk);
    g_free(ed->state_dir);
    g_free(ed);
}

static void array_drop(json_t *array, const char *id)
{
    json_int_t at = index_of(array, id);
    if (at >= 0)
        json_array_remove(array, (size_t)at);
}

/* Makes the source of entry (borrowed) in place of the one of its id,
 * moving that one's viewers to it. */
static pantau_source *apply_put(source_editor *ed, const json_t *entry)
{
    const char *id = json_string_value(json_object_get(entry, "id"));
    pantau_source *old = source_registry_find(ed->reg, id);
    GPtrArray *viewers = old ? media_source_release(ed->media, old) : g_ptr_array_new();
    pantau_source *src = source_registry_put(ed->reg, entry);
    media_source_reattach(ed->media, src, viewers);
    g_ptr_array_free(viewers, TRUE);
    return src;
}

/* Retires source id; its viewers lose its streams. */
static void apply_remove(source_editor *ed, const char *id)
{
    pantau_source *src = source_registry_find(ed->reg, id);
    if (!src)
        return;
    char *gone = g_strdup(src->id);
    g_ptr_array_free(media_source_release(ed->media, src), TRUE);
    source_registry_remove(ed->reg, gone);
    g_free(gone);
}

/* A change being written: what to put back if the write fails. */
typedef struct edit_write {
    source_editor *ed;
    unsigned change;   /* ed->changes when it was made */
    char *id;          /* the source changed */
    json_t *before;    /* its entry before (secrets included), or NULL: it was not there */
    json_t *doc_after; /* the document written */
} edit_write;

static void edit_write_free(gpointer data)
{
    edit_write *w = data;
    g_free(w->id);
    json_decref(w->before);
    json_decref(w->doc_after);
    g_free(w);
}

/* The change's files are on disk, or not: then, unless a later change was
 * made since (it is written after this one and decides what is on disk),
 * the source goes back to what it was, told to every client. */
static void edit_write_finished(void *undo, bool ok)
{
    edit_write *w = undo;
    source_editor *ed = w->ed;
    if (ok) {
        json_decref(ed->on_disk);
        ed->on_disk = json_deep_copy(w->doc_after);
        return;
    }
    if (ed->changes != w->change)
        return;
    log_warn("source '%s': its change could not be written and is taken back", w->id);
    json_decref(ed->doc);
    ed->doc = json_deep_copy(ed->on_disk);
    if (w->before)
        apply_put(ed, w->before);
    else
        apply_remove(ed, w->id);
}

/* The entry of source id as it is now (new reference), or NULL. */
static json_t *entry_now(const source_editor *ed, const char *id)
{
    const pantau_source *src = source_registry_find(ed->reg, id);
    return src ? source_entry_json(src) : NULL;
}

/* Hands the audit line of the begun change and sources.json to the writer;
 * before (stolen, may be NULL) is source id's entry before the change. */
static void write_doc(source_editor *ed, const char *id, json_t *before)
{
    edit_write *w = g_new0(edit_write, 1);
    *w = (edit_write){ed, ++ed->changes, g_strdup(id), before, json_deep_copy(ed->doc)};
    if (ed->hook.submit) {
        json_t *after = entry_now(ed, id);
        ed->hook.submit(ed->hook.data, id, after, audit_change_line_unchanged(ed->audit),
                        edit_write_finished, edit_write_free, w);
        json_decref(after);
        return;
    }
    state_batch *files = state_batch_new(ed->state_dir);
    state_batch_write(files, SOURCE_EDIT_FILE, ed->doc);
    persist_change(ed->persist, audit_change_line_unchanged(ed->audit), files, "the sources",
                   edit_write_finished, edit_write_free, w);
}

pantau_source *source_edit_put(source_editor *ed, const json_t *entry)
{
    json_t *before = entry_now(ed, json_string_value(json_object_get(entry, "id")));
    pantau_source *src = apply_put(ed, entry);
    json_t *put = json_object_get(ed->doc, "put");
    array_drop(put, src->id);
    array_drop(json_object_get(ed->doc, "removed"), src->id);
    json_array_append_new(put, source_entry_json(src));
    write_doc(ed, src->id, before);
    return src;
}

bool source_edit_remove(source_editor *ed, const char *id)
{
    json_t *before = entry_now(ed, id);
    if (!before)
        return false;
    char *gone = g_strdup(id);
    apply_remove(ed, gone);
    array_drop(json_object_get(ed->doc, "put"), gone);
    json_array_append_new(json_object_get(ed->doc, "removed"), json_string(gone));
    write_doc(ed, gone, before);
    g_free(gone);
    return true;
}

void source_edit_set_hook(source_editor *ed, const source_edit_hook *hook)
{
    ed->hook = *hook;
}

bool source_edit_take(source_editor *ed, const char *id, const json_t *entry)
{
    json_t *now = entry_now(ed, id);
    bool same = entry ? now && json_equal(now, entry) : !now;
    json_decref(now);
    if (same)
        return false;
    /* A change of this node still being written is not taken back over it. */
    ed->changes++;
    if (entry)
        apply_put(ed, entry);
    else
        apply_remove(ed, id);
    return true;
}
