/* cluster_presentations.c - see cluster_presentations.h. */
#include "cluster_presentations.h"

#include "kv_share.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

struct presentation_share {
    presentation_center *pc; /* NULL once stopped (presentation_share_stop) */
    wall_service *walls;
    persister *persist;
    kv_share *share; /* the keys presentation.<wall id> */
    char *node;
    GHashTable *last; /* wall id (owned) -> its run's last state (owned; NULL: none) */
};

/* The state of a run as the store keeps it (state borrowed; NULL: none):
 * without what changes by itself, with the node. A new string, or NULL. */
static char *stored_state(const presentation_share *sh, const json_t *state)
{
    if (!state)
        return NULL;
    json_t *v = json_deep_copy(state);
    json_object_del(v, "time");
    json_object_del(v, "remaining_ms");
    json_object_set_new(v, "node", json_string(sh->node));
    char *text = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    return text;
}

/* Notes state (borrowed; NULL: stopped) as the one wall_id's run is at. */
static void note_state(presentation_share *sh, const char *wall_id, const json_t *state)
{
    g_hash_table_replace(sh->last, g_strdup(wall_id), state ? json_deep_copy(state) : NULL);
}

/* A change of a live run waiting for the writes of the request that made
 * it (its wall's change first). */
typedef struct run_change {
    presentation_share *sh;
    char *wall_id;
    json_t *state;            /* NULL: stopped */
    const write_fence *fence; /* the request's (alive until its reply), or NULL */
} run_change;

/* The wall whose id this is, or NULL. Borrowed. */
static wall *wall_of_id(const presentation_share *sh, const char *id)
{
    return walls_find(sh->walls, id);
}

/* The request's writes completed: its wall's change was taken, and the
 * run's is written; or it was refused, and the run goes back to what it
 * was (told to this node's clients). */
static void run_change_done(void *data)
{
    run_change *c = data;
    presentation_share *sh = c->sh;
    wall *w = sh->pc ? wall_of_id(sh, c->wall_id) : NULL;
    if (w && c->fence && c->fence->failed) {
        const json_t *before = g_hash_table_lookup(sh->last, c->wall_id);
        pantau_error err = {0};
        log_info("cluster: the presentation on wall '%s' goes back: its step was refused",
                 c->wall_id);
        const char *node = json_string_value(json_object_get(before, "node"));
        gint64 grace = !node || strcmp(node, sh->node) == 0 ? 0 : PRES_TAKEOVER_GRACE_MS;
        if (presentation_take(sh->pc, w, before, grace, &err))
            log_warn("cluster: the presentation on wall '%s': %s", c->wall_id, err.message);
    } else if (w) {
        char *value = stored_state(sh, c->state);
        char *what = g_strdup_printf("the presentation on wall '%s'", c->wall_id);
        note_state(sh, c->wall_id, c->state);
        kv_share_write(sh->share, NULL, c->wall_id, value, "wall", what, NULL, NULL, NULL);
        g_free(what);
        free(value);
    }
    json_decref(c->state);
    g_free(c->wall_id);
    g_free(c);
}

/* The center's hook: a live run changed here. It is written once the
 * writes of the request that changed it are done (at once for a dwell). */
static void on_local(const char *wall_id, const json_t *state, void *data)
{
    presentation_share *sh = data;
    run_change *c = g_new0(run_change, 1);
    c->sh = sh;
    c->wall_id = g_strdup(wall_id);
    c->state = state ? json_deep_copy(state) : NULL;
    c->fence = persist_fence_get(sh->persist);
    persist_fence_wait(sh->persist, c->fence, run_change_done, c);
}

/* The wall whose key this is, or NULL. Borrowed. */
static wall *wall_of_key(const presentation_share *sh, const char *key)
{
    const GPtrArray *all = walls_all(sh->walls);
    for (guint i = 0; i < all->len; i++) {
        wall *w = g_ptr_array_index(all, i);
        char *k = kv_share_key(sh->share, w->id);
        bool same = strcmp(k, key) == 0;
        g_free(k);
        if (same)
            return w;
    }
    return NULL;
}

/* The watch: another node's change of a run, or one of this node's from
 * before it started. */
static void on_shared(const char *key, const char *value, void *data)
{
    presentation_share *sh = data;
    wall *w = wall_of_key(sh, key);
    json_t *state = value ? json_loads(value, 0, NULL) : NULL;
    const char *node = json_string_value(json_object_get(state, "node"));
    bool mine = node && strcmp(node, sh->node) == 0;
    pantau_error err = {0};
    if (!w || !sh->pc || (value && !json_is_object(state)))
        goto out; /* a wall this node does not have */
    /* This node's own change: it has it already, unless it started since. */
    if (mine && presentation_run_find(sh->pc, w, false, NULL))
        goto out;
    note_state(sh, w->id, state);
    if (presentation_take(sh->pc, w, state, mine ? 0 : PRES_TAKEOVER_GRACE_MS, &err))
        log_warn("cluster: the presentation on wall '%s' is not shown here: %s", w->id,
                 err.message);
out:
    json_decref(state);
}

presentation_share *presentation_share_new(presentation_center *pc, wall_service *walls,
                                           persister *persist, kv_store *kv, const char *node,
                                           pantau_error *err)
{
    if (!pc)
        return NULL;
    presentation_share *sh = g_new0(presentation_share, 1);
    *sh = (presentation_share){
        .pc = pc,
        .walls = walls,
        .persist = persist,
        .share = kv_share_new(kv, persist, "presentation."),
        .node = g_strdup(node),
        .last = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)json_decref),
    };
    /* The wall's change is the one that counts (and fails a request). */
    kv_share_set_best_effort(sh->share);
    if (kv_share_watch(sh->share, on_shared, sh, err)) {
        presentation_share_free(sh);
        return NULL;
    }
    presentation_set_share(pc, on_local, sh);
    return sh;
}

void presentation_share_stop(presentation_share *sh)
{
    if (sh)
        sh->pc = NULL;
}

void presentation_share_free(presentation_share *sh)
{
    if (!sh)
        return;
    kv_share_free(sh->share);
    g_hash_table_destroy(sh->last);
    g_free(sh->node);
    g_free(sh);
}
