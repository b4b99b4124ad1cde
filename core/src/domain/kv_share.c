/* kv_share.c - see kv_share.h. */
#include "kv_share.h"

#include "log.h"

#include <stdlib.h>
#include <string.h>

struct kv_share {
    kv_store *kv;
    persister *persist;
    char *prefix;
    GHashTable *revs; /* key (owned) -> the last revision seen (uint64_t *, owned) */
    /* Writer thread: key (owned) -> the revision of this node's last write
     * of it (uint64_t *, owned): a write queued behind another of the same
     * key builds on it. */
    GHashTable *written;
    kv_share_fn fn;
    void *data;
    bool best_effort;
};

kv_share *kv_share_new(kv_store *kv, persister *persist, const char *prefix)
{
    kv_share *s = g_new0(kv_share, 1);
    s->kv = kv;
    s->persist = persist;
    s->prefix = g_strdup(prefix);
    s->revs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    s->written = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return s;
}

void kv_share_free(kv_share *s)
{
    if (!s)
        return;
    g_hash_table_destroy(s->revs);
    g_hash_table_destroy(s->written);
    g_free(s->prefix);
    g_free(s);
}

void kv_share_set_best_effort(kv_share *s)
{
    s->best_effort = true;
}

char *kv_share_key(const kv_share *s, const char *id)
{
    return kv_store_key(s->prefix, id);
}

static uint64_t known_rev(const kv_share *s, const char *key)
{
    const uint64_t *r = g_hash_table_lookup(s->revs, key);
    return r ? *r : 0;
}

/* Notes that key is at rev: whether that is newer than known. */
static bool note_rev(kv_share *s, const char *key, uint64_t rev)
{
    if (rev <= known_rev(s, key))
        return false;
    g_hash_table_replace(s->revs, g_strdup(key), g_memdup2(&rev, sizeof rev));
    return true;
}

/* A change on its way to the store: copies only, the writer thread reads
 * them. */
typedef struct share_write {
    kv_share *s; /* main loop, and its written table on the writer thread */
    kv_store *kv;
    char *key, *value; /* value NULL: a delete */
    char *field, *what;
    uint64_t last, rev;
    bool best_effort;
    persist_finish_fn finish;
    GDestroyNotify free_undo;
    void *undo;
} share_write;

static void share_write_free(gpointer data)
{
    share_write *w = data;
    if (w->free_undo)
        w->free_undo(w->undo);
    g_free(w->key);
    g_free(w->value);
    g_free(w->field);
    g_free(w->what);
    g_free(w);
}

/* On the writer thread. */
static int share_write_run(void *data, pantau_error *err)
{
    share_write *w = data;
    if (!w->value) {
        int rc = kv_store_delete(w->kv, w->key, err);
        if (rc && w->best_effort)
            log_warn("cluster: %s not deleted in the shared store: %s", w->what, err->message);
        return w->best_effort ? 0 : rc;
    }
    if (w->best_effort) {
        if (kv_store_put(w->kv, w->key, w->value, &w->rev, err) == 0)
            return 0;
        log_warn("cluster: %s not written to the shared store: %s", w->what, err->message);
        return 0;
    }
    /* Revisions only grow: the newest this node knows is the one to expect. */
    const uint64_t *mine = g_hash_table_lookup(w->s->written, w->key);
    uint64_t last = mine ? MAX(*mine, w->last) : w->last;
    int rc = kv_store_update(w->kv, w->key, w->value, last, &w->rev, err);
    if (rc == 0)
        g_hash_table_replace(w->s->written, g_strdup(w->key), g_memdup2(&w->rev, sizeof w->rev));
    if (rc && strcmp(err->code, ERR_CONFLICT) == 0)
        error_set(err, ERR_CONFLICT, w->field,
                  "%s was changed by another node first; its change is on its way here, try "
                  "again",
                  w->what);
    return rc;
}

/* On the main loop. */
static void share_write_finished(void *data, bool ok)
{
    share_write *w = data;
    if (ok && w->value && w->rev)
        note_rev(w->s, w->key, w->rev);
    if (w->finish)
        w->finish(w->undo, ok);
}

void kv_share_write(kv_share *s, audit_line *line, const char *id, const char *value,
                    const char *field, const char *what, persist_finish_fn finish,
                    GDestroyNotify free_undo, void *undo)
{
    share_write *w = g_new0(share_write, 1);
    w->s = s;
    w->kv = s->kv;
    w->key = kv_share_key(s, id);
    w->value = g_strdup(value);
    w->field = g_strdup(field);
    w->what = g_strdup(what);
    w->last = known_rev(s, w->key);
    w->best_effort = s->best_effort;
    w->finish = finish;
    w->free_undo = free_undo;
    w->undo = undo;
    persist_remote(s->persist, line, share_write_run, share_write_finished, share_write_free, w);
}

int kv_share_put_new(kv_share *s, const char *id, const char *value, pantau_error *err)
{
    char *key = kv_share_key(s, id);
    uint64_t rev = 0;
    pantau_error e = {0};
    int rc = kv_store_update(s->kv, key, value, 0, &rev, &e);
    g_free(key);
    if (rc == 0 || strcmp(e.code, ERR_CONFLICT) == 0)
        return 0;
    *err = e;
    return -1;
}

static void on_entry(const char *key, const char *value, uint64_t rev, void *data)
{
    kv_share *s = data;
    if (note_rev(s, key, rev))
        s->fn(key, value, s->data);
}

int kv_share_watch(kv_share *s, kv_share_fn fn, void *data, pantau_error *err)
{
    s->fn = fn;
    s->data = data;
    char *keys = g_strconcat(s->prefix, ">", NULL);
    int rc = kv_store_watch(s->kv, keys, on_entry, s, err);
    g_free(keys);
    return rc;
}
