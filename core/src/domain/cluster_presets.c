/* cluster_presets.c - presets in a cluster's shared store: the preset
 * store's write hook writes the changed preset's key on the writer thread
 * (kv_share.h), and the watch takes each node's change into the store. */
#include "cluster_presets.h"

#include "kv_share.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

struct preset_share {
    preset_store *ps;
    event_bus *bus;
    audit_log *audit;
    kv_share *share; /* the keys preset.<id> */
};

static void emit_saved(const preset_share *sh, const preset *p)
{
    bus_emit(sh->bus, &(bus_event){.kind = BUS_PRESET_SAVED, .preset_saved = {p}});
}

static void emit_deleted(const preset_share *sh, const char *id)
{
    bus_emit(sh->bus, &(bus_event){.kind = BUS_PRESET_DELETED, .preset_deleted = {id}});
}

/* A preset change being written: what to take back if the store refuses. */
typedef struct preset_put {
    preset_share *sh;
    preset_undo *undo; /* owned */
} preset_put;

static void preset_put_free(gpointer data)
{
    preset_put *pp = data;
    preset_undo_free(pp->undo);
    g_free(pp);
}

/* On the main loop: the store took it, or the change is taken back (unless
 * the preset changed again since). */
static void preset_put_finished(void *data, bool ok)
{
    const preset_put *pp = data;
    const preset *now = NULL;
    if (ok)
        return;
    log_info("cluster: preset '%s' not changed: the shared store refused it", pp->undo->id);
    if (!preset_store_undo(pp->sh->ps, pp->undo, &now))
        return;
    if (now)
        emit_saved(pp->sh, now);
    else
        emit_deleted(pp->sh, pp->undo->id);
}

/* A new string: p as the store keeps it. */
static char *preset_text(const preset *p)
{
    json_t *v = preset_to_json(p);
    char *text = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    return text;
}

/* The preset store's write hook (preset_store.h): files are not written. */
static int submit(void *data, state_batch *files, preset_undo *undo, pantau_error *err)
{
    (void)err;
    preset_share *sh = data;
    state_batch_free(files);
    preset_put *pp = g_new0(preset_put, 1);
    *pp = (preset_put){sh, undo};
    char *value = undo->after ? preset_text(undo->after) : NULL;
    char *what = g_strdup_printf("preset '%s'", undo->id);
    kv_share_write(sh->share, audit_change_line_unchanged(sh->audit), undo->id, value, "preset",
                   what, preset_put_finished, preset_put_free, pp);
    g_free(what);
    free(value);
    return 0;
}

/* ---- every node's changes, from the watch ---- */

/* The preset whose key this is, or NULL. Borrowed. */
static const preset *preset_of_key(const preset_share *sh, const char *key)
{
    for (guint i = 0; i < sh->ps->presets->len; i++) {
        const preset *p = g_ptr_array_index(sh->ps->presets, i);
        char *k = kv_share_key(sh->share, p->id);
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

static void on_preset(const char *key, const char *value, void *data)
{
    preset_share *sh = data;
    if (!value) {
        take_deleted(sh, key);
        return;
    }
    json_t *pj = json_loads(value, 0, NULL);
    preset *p = NULL;
    bool changed = false;
    pantau_error err = {0};
    if (preset_store_take(sh->ps, pj, &p, &changed, &err))
        log_warn("cluster: preset '%s' in the shared store is not valid: %s", key, err.message);
    else if (changed)
        emit_saved(sh, p);
    json_decref(pj);
}

/* Puts each preset of the store that the bucket never had. */
static int put_local(preset_share *sh, pantau_error *err)
{
    for (guint i = 0; i < sh->ps->presets->len; i++) {
        const preset *p = g_ptr_array_index(sh->ps->presets, i);
        char *text = preset_text(p);
        int rc = kv_share_put_new(sh->share, p->id, text, err);
        free(text);
        if (rc)
            return -1;
    }
    return 0;
}

preset_share *preset_share_new(preset_store *ps, event_bus *bus, persister *persist,
                               audit_log *audit, kv_store *kv, pantau_error *err)
{
    preset_share *sh = g_new0(preset_share, 1);
    *sh = (preset_share){ps, bus, audit, kv_share_new(kv, persist, "preset.")};
    if (put_local(sh, err) || kv_share_watch(sh->share, on_preset, sh, err)) {
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
    kv_share_free(sh->share);
    g_free(sh);
}
