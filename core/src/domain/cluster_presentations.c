/* cluster_presentations.c - see cluster_presentations.h. */
#include "cluster_presentations.h"

#include "kv_share.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

struct presentation_share {
    presentation_center *pc;
    wall_service *walls;
    kv_share *share; /* the keys presentation.<wall id> */
    char *node;
};

/* The center's hook: a live run changed here. */
static void on_local(const char *wall_id, const json_t *state, void *data)
{
    presentation_share *sh = data;
    char *value = NULL;
    if (state) {
        json_t *v = json_deep_copy(state);
        /* What changes by itself is not kept. */
        json_object_del(v, "time");
        json_object_del(v, "remaining_ms");
        json_object_set_new(v, "node", json_string(sh->node));
        value = json_dumps(v, JSON_COMPACT);
        json_decref(v);
    }
    char *what = g_strdup_printf("the presentation on wall '%s'", wall_id);
    kv_share_write(sh->share, NULL, wall_id, value, "wall", what, NULL, NULL, NULL);
    g_free(what);
    free(value);
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
    if (!w || (value && !json_is_object(state)))
        goto out; /* a wall this node does not have */
    /* This node's own change: it has it already, unless it started since. */
    if (mine && presentation_run_find(sh->pc, w, false, NULL))
        goto out;
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
    *sh =
        (presentation_share){pc, walls, kv_share_new(kv, persist, "presentation."), g_strdup(node)};
    /* The wall's change is the one that counts (and fails a request). */
    kv_share_set_best_effort(sh->share);
    if (kv_share_watch(sh->share, on_shared, sh, err)) {
        presentation_share_free(sh);
        return NULL;
    }
    presentation_set_share(pc, on_local, sh);
    return sh;
}

void presentation_share_free(presentation_share *sh)
{
    if (!sh)
        return;
    kv_share_free(sh->share);
    g_free(sh->node);
    g_free(sh);
}
