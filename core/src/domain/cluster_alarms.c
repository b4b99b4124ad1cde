/* cluster_alarms.c - see cluster_alarms.h. */
#include "cluster_alarms.h"

#include "kv_share.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

/* Hex digits of the identity's SHA-256 in its key. */
#define ALARM_KEY_HEX 32

struct alarm_share {
    alarm_center *a;
    kv_share *share;  /* the keys alarm.<hash> */
    GHashTable *last; /* hash (owned) -> the record last written or taken (owned) */
};

/* The part of key's hash an alarm's key is made of. A new string. */
static char *identity_hash(const char *identity)
{
    char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, identity, -1);
    sum[ALARM_KEY_HEX] = '\0';
    return sum;
}

/* Whether text is what hash holds already; else it is noted. */
static bool seen(alarm_share *sh, const char *hash, const char *text)
{
    if (g_strcmp0(g_hash_table_lookup(sh->last, hash), text) == 0)
        return true;
    g_hash_table_replace(sh->last, g_strdup(hash), g_strdup(text));
    return false;
}

/* The center's hook: an alarm changed here. */
static void on_local(const char *identity, const json_t *record, void *data)
{
    alarm_share *sh = data;
    char *hash = identity_hash(identity);
    char *text = json_dumps(record, JSON_COMPACT | JSON_SORT_KEYS);
    if (!seen(sh, hash, text)) {
        char *what = g_strdup_printf("alarm %s", hash);
        kv_share_write(sh->share, NULL, hash, text, "alarm", what, NULL, NULL, NULL);
        g_free(what);
    }
    free(text);
    g_free(hash);
}

/* The watch: another node's change of an alarm, or this node's from
 * before it started. */
static void on_shared(const char *key, const char *value, void *data)
{
    alarm_share *sh = data;
    json_t *record = value ? json_loads(value, 0, NULL) : NULL;
    const char *hash = key + strlen("alarm.");
    char *text = record ? json_dumps(record, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    pantau_error err = {0};
    if (text && !seen(sh, hash, text) && alarm_take(sh->a, record, &err))
        log_warn("cluster: the alarm '%s' in the shared store is not valid: %s", key, err.message);
    free(text);
    json_decref(record);
}

alarm_share *alarm_share_new(alarm_center *a, persister *persist, kv_store *kv, pantau_error *err)
{
    if (!a)
        return NULL;
    alarm_share *sh = g_new0(alarm_share, 1);
    sh->a = a;
    sh->share = kv_share_new(kv, persist, "alarm.");
    sh->last = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    /* A node that cannot write an alarm's change keeps it: alarms go on. */
    kv_share_set_best_effort(sh->share);
    if (kv_share_watch(sh->share, on_shared, sh, err)) {
        alarm_share_free(sh);
        return NULL;
    }
    alarm_set_share(a, on_local, sh);
    return sh;
}

void alarm_share_free(alarm_share *sh)
{
    if (!sh)
        return;
    kv_share_free(sh->share);
    g_hash_table_destroy(sh->last);
    g_free(sh);
}
