/* cluster_presets.c - presets in a cluster's shared store: the preset
 * store's write hook writes the changed preset's key on the writer thread,
 * and the watch takes each node's change into the store. */
#include "cluster_presets.h"

#include "log.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define PRESET_KEY_PREFIX "preset."

struct preset_share {
    preset_store *ps;
    event_bus *bus;
    persister *persist;
    audit_log *audit;
    kv_store *kv;
    GHashTable *revs; /* key (owned) -> the last revision seen (uint64_t *, owned) */
};

static uint64_t known_rev(const preset_share *sh, const char *key)
{
    const uint64_t *r = g_hash_table_lookup(sh->revs, key);
    return r ? *r : 0;
}

/* Notes that key is at rev (when that is newer). */
static void note_rev(preset_share *sh, const char *key, uint64_t rev)
{
    if (rev <= known_rev(sh, key))
        return;
    g_hash_table_replace(sh->revs, g_strdup(key), g_memdup2(&rev, sizeof rev));
}

static void emit_saved(const preset_share *sh, const preset *p)
{
    bus_emit(sh->bus, &(bus_event){.kind = BUS_PRESET_SAVED, .preset_saved = {p}});
}

static void emit_deleted(const preset_share *sh, const char *id)
{
    bus_emit(sh->bus, &(bus_event){.kind = BUS_PRESET_DELETED, .preset_deleted = {id}});
}

/* ---- a change of this node ---- */

/* A preset change on its way to the store: copies only, the writer thread
 * reads them. */
typedef struct preset_put {
    preset_share *sh; /* main loop only */
    kv_store *kv;
    preset_undo *undo;      /* owned; main loop only */
    char *id, *key, *value; /* value NULL: a delete */
    uint64_t last, rev;
} preset_put;

static void preset_put_free(gpointer data)
{
    preset_put *pp = data;
    preset_undo_free(pp->undo);
    g_free(pp->id);
    g_free(pp->key);
    free(pp->value);
    g_free(pp);
}

/* On the writer thread. */
static int preset_put_run(void *data, pantau_error *err)
{
    preset_put *pp = data;
    if (!pp->value)
        return kv_store_delete(pp->kv, pp->key, err);
    int rc = kv_store_update(pp->kv, pp->key, pp->value, pp->last, &pp->rev, err);
    if (rc && strcmp(err->code, ERR_CONFLICT) == 0)
        error_set(err, ERR_CONFLICT, "preset",
                  "preset '%s' was changed by another node first; its change is on its way here, "
                  "try again",
                  pp->id);
    return rc;
}

/* On the main loop: the store took it, or the change is taken back. */
static void preset_put_finished(void *data, bool ok)
{
    preset_put *pp = data;
    const preset *now = NULL;
    if (ok) {
        note_rev(pp->sh, pp->key, pp->rev);
        return;
    }
    log_info("cluster: preset '%s' not changed: the shared store refused it", pp->id);
    if (!preset_store_undo(pp->sh->ps, pp->undo, &now))
        return;
    if (now)
        emit_saved(pp->sh, now);
    else
        emit_deleted(pp->sh, pp->undo->id);
}

/* The preset store's write hook (preset_store.h): files are not written. */
static int submit(void *data, state_batch *files, preset_undo *undo, pantau_error *err)
{
    (void)err;
    preset_share *sh = data;
    state_batch_free(files);
    preset_put *pp = g_new0(preset_put, 1);
    pp->sh = sh;
    pp->kv = sh->kv;
    pp->undo = undo;
    pp->id = g_strdup(undo->id);
    pp->key = kv_store_key(PRESET_KEY_PREFIX, undo->id);
    pp->last = known_rev(sh, pp->key);
    if (undo->after) {
        json_t *v = preset_to_json(undo->after);
        pp->value = json_dumps(v, JSON_COMPACT);
        json_decref(v);
    }
    persist_remote(sh->persist, audit_change_line_unchanged(sh->audit), preset_put_run,
                   preset_put_finished, preset_put_free, pp);
    return 0;
}

/* ---- every node's changes, from the watch ---- */

/* The preset whose key this is, or NULL. Borrowed. */
static const preset *preset_of_key(const preset_share *sh, const char *key)
{
    for (guint i = 0; i < sh->ps->presets->len; i++) {
        const preset *p = g_ptr_array_index(sh->ps->presets, i);
        char *k = kv_store_key(PRESET_KEY_PREFIX, p->id);
        bool same = strcmp(k, key) == 0;
        g_free(k);
        if (same)
            return p;
    }
    return NULL;
}

static void take_deleted(preset_share *sh, const char *key)
{
    const preset *p = preset_of_key(sh, key);
    if (!p)
        return;
    char *id = g_strdup(p->id);
    preset_store_forget(sh->ps, id);
    emit_deleted(sh, id);
    g_free(id);
}

static void on_preset(const char *key, const char *value, uint64_t rev, void *data)
{
    preset_share *sh = data;
    if (rev <= known_rev(sh, key))
        return;
    note_rev(sh, key, rev);
    if (!value) {
        take_deleted(sh, key);
        return;
    }
    json_t *pj = json_loads(value, 0, NULL);
    preset *p = NULL;
    bool changed = false;
    pantau_error err = {0};
    if (preset_store_take(sh->ps, pj, &p, &changed, &err))
        log_warn("cluster: preset of revision %" PRIu64 " in the shared store is not valid: %s",
                 rev, err.message);
    else if (changed)
        emit_saved(sh, p);
    json_decref(pj);
}

/* ---- at start ---- */

/* Puts each preset of the store the bucket never had (a deleted one keeps
 * its marker, so it is not put back); a conflict leaves the bucket's. */
static int put_local(preset_share *sh, pantau_error *err)
{
    for (guint i = 0; i < sh->ps->presets->len; i++) {
        const preset *p = g_ptr_array_index(sh->ps->presets, i);
        char *key = kv_store_key(PRESET_KEY_PREFIX, p->id);
        json_t *v = preset_to_json(p);
        char *text = json_dumps(v, JSON_COMPACT);
        uint64_t rev = 0;
        pantau_error e = {0};
        int rc = kv_store_update(sh->kv, key, text, 0, &rev, &e);
        if (rc && strcmp(e.code, ERR_CONFLICT) != 0)
            *err = e;
        json_decref(v);
        free(text);
        g_free(key);
        if (rc && strcmp(e.code, ERR_CONFLICT) != 0)
            return -1;
    }
    return 0;
}

preset_share *preset_share_new(preset_store *ps, event_bus *bus, persister *persist,
                               audit_log *audit, kv_store *kv, pantau_error *err)
{
    preset_share *sh = g_new0(preset_share, 1);
    *sh =
        (preset_share){ps,    bus, persist,
                       audit, kv,  g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free)};
    if (put_local(sh, err) || kv_store_watch(kv, PRESET_KEY_PREFIX ">", on_preset, sh, err)) {
        preset_share_free(sh);
        return NULL;
    }
    preset_store_set_hook(ps, &(preset_write_hook){submit, sh});
    return sh;
}

void preset_share_free(preset_share *sh)
{
    if (!sh)
        return;
    g_hash_table_destroy(sh->revs);
    g_free(sh);
}
