/* cluster_nodes.c - the nodes of a cluster: a heartbeat thread writes this
 * node's key, the store's watch brings the others' to the main loop, and a
 * timer on the main loop drops the silent ones and tells the clients. */
#include "cluster_nodes.h"

#include "log.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#define NODE_KEY_PREFIX "node."
/* How often the main loop looks for nodes gone silent. */
#define NODES_SWEEP_MS 500
/* How long a stop lets the heartbeat thread finish its write and delete
 * this node's key before it cuts the connection (NATS without quorum
 * would hold a write for the store's whole timeout). */
#define NODES_STOP_WAIT_MS 500

/* Another node as last heard of. */
typedef struct node_entry {
    char *url;      /* NULL: not offered to pages */
    gint64 time_ms; /* this node's real time when its last heartbeat came; 0: stale */
} node_entry;

struct cluster_nodes {
    kv_store *kv;
    event_bus *bus;
    char *name, *url, *key;
    GHashTable *seen; /* other node's name (owned) -> node_entry (owned) */
    char *listed;     /* the list last told, as JSON text */
    guint sweep;
    GThread *beat;
    GMutex lock; /* guards stopping and beat_ended, with wake */
    GCond wake;
    bool stopping;
    bool beat_ended; /* the heartbeat thread is done with the store */
    gint available;  /* the last heartbeat was taken */
};

static void node_entry_free(gpointer data)
{
    node_entry *e = data;
    g_free(e->url);
    g_free(e);
}

/* ---- the heartbeat (its own thread: the store blocks) ---- */

static char *heartbeat_value(const cluster_nodes *n)
{
    json_t *v =
        json_pack("{s:s?, s:I}", "url", n->url, "time", (json_int_t)(g_get_real_time() / 1000));
    char *text = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    return text;
}

/* The heartbeat until stop_beating, then this node's key deleted: the
 * other nodes stop listing it at once. */
static gpointer heartbeat_run(gpointer data)
{
    cluster_nodes *n = data;
    g_mutex_lock(&n->lock);
    while (!n->stopping) {
        g_mutex_unlock(&n->lock);
        char *value = heartbeat_value(n);
        pantau_error err = {0};
        int ok = kv_store_put(n->kv, n->key, value, NULL, &err) == 0;
        free(value);
        if (g_atomic_int_get(&n->available) != ok)
            log_warn("cluster: NATS %s this node's heartbeat%s%s", ok ? "takes" : "refused",
                     ok ? "" : ": ", ok ? "" : err.message);
        g_atomic_int_set(&n->available, ok);
        g_mutex_lock(&n->lock);
        gint64 until = g_get_monotonic_time() + CLUSTER_NODES_HEARTBEAT_MS * 1000;
        while (!n->stopping && g_cond_wait_until(&n->wake, &n->lock, until))
            ;
    }
    g_mutex_unlock(&n->lock);
    /* NATS refusing writes would hold the stop up to the timeout once more:
     * the key then just goes silent, which the others see in 5 s. */
    if (!g_atomic_int_get(&n->available))
        return NULL;
    pantau_error err = {0};
    if (kv_store_delete(n->kv, n->key, &err))
        log_warn("cluster: this node's key stays until it expires: %s", err.message);
    return NULL;
}

/* heartbeat_run's body, then it says it ended (beat_ended, wake). */
static gpointer heartbeat_thread(gpointer data)
{
    cluster_nodes *n = data;
    heartbeat_run(n);
    g_mutex_lock(&n->lock);
    n->beat_ended = true;
    g_cond_broadcast(&n->wake);
    g_mutex_unlock(&n->lock);
    return NULL;
}

/* Tells the heartbeat thread to delete this node's key and end; does not
 * wait (the main loop may call it). */
static void stop_beating(cluster_nodes *n)
{
    g_mutex_lock(&n->lock);
    n->stopping = true;
    g_cond_broadcast(&n->wake);
    g_mutex_unlock(&n->lock);
}

/* Ends the heartbeat thread: it deletes this node's key when it can
 * within NODES_STOP_WAIT_MS; past that its write in flight is cut. */
static void end_beating(cluster_nodes *n)
{
    stop_beating(n);
    if (!n->beat)
        return;
    g_mutex_lock(&n->lock);
    gint64 until = g_get_monotonic_time() + NODES_STOP_WAIT_MS * 1000;
    while (!n->beat_ended && g_cond_wait_until(&n->wake, &n->lock, until))
        ;
    bool ended = n->beat_ended;
    g_mutex_unlock(&n->lock);
    if (!ended)
        kv_store_disconnect(n->kv);
    g_thread_join(n->beat);
    n->beat = NULL;
}

/* ---- the list (main loop) ---- */

static bool is_live(const node_entry *e, gint64 now_ms)
{
    return e->url && now_ms - e->time_ms < CLUSTER_NODES_LIVE_MS;
}

static gint by_name(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names of the live nodes with a public URL, this one included, by
 * name (borrowed strings). */
static GPtrArray *live_names(const cluster_nodes *n)
{
    GPtrArray *names = g_ptr_array_new();
    gint64 now_ms = g_get_real_time() / 1000;
    if (n->url)
        g_ptr_array_add(names, n->name);
    GHashTableIter it;
    gpointer name, entry;
    g_hash_table_iter_init(&it, n->seen);
    while (g_hash_table_iter_next(&it, &name, &entry))
        if (is_live(entry, now_ms))
            g_ptr_array_add(names, name);
    g_ptr_array_sort(names, by_name);
    return names;
}

static const char *url_of(const cluster_nodes *n, const char *name)
{
    if (strcmp(name, n->name) == 0)
        return n->url;
    const node_entry *e = g_hash_table_lookup(n->seen, name);
    return e ? e->url : NULL;
}

json_t *cluster_nodes_json(const cluster_nodes *n)
{
    json_t *list = json_array();
    GPtrArray *names = live_names(n);
    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "name", name, "url",
                                              url_of(n, name), "self", strcmp(name, n->name) == 0));
    }
    g_ptr_array_unref(names);
    return json_pack("{s:o, s:b}", "nodes", list, "available", g_atomic_int_get(&n->available));
}

/* Tells the clients when the list or the availability is not what they
 * were told last. */
static void tell_if_changed(cluster_nodes *n)
{
    json_t *now = cluster_nodes_json(n);
    char *text = json_dumps(now, JSON_COMPACT);
    if (g_strcmp0(text, n->listed) != 0) {
        free(n->listed);
        n->listed = text;
        text = NULL;
        bus_emit(n->bus, &(bus_event){.kind = BUS_NODES, .nodes = {now}});
    }
    free(text);
    json_decref(now);
}

void cluster_nodes_refused(cluster_nodes *n)
{
    if (!n)
        return;
    g_atomic_int_set(&n->available, 0);
    tell_if_changed(n);
}

static gboolean sweep(gpointer data)
{
    tell_if_changed(data);
    return G_SOURCE_CONTINUE;
}

/* The watch: another node's heartbeat, or its key deleted (it stopped). */
static void on_node(const char *key, const char *value, uint64_t rev, void *data)
{
    (void)rev;
    cluster_nodes *n = data;
    if (!g_str_has_prefix(key, NODE_KEY_PREFIX))
        return;
    const char *name = key + strlen(NODE_KEY_PREFIX);
    if (strcmp(name, n->name) == 0)
        return;
    json_t *v = value ? json_loads(value, 0, NULL) : NULL;
    const json_t *time = json_object_get(v, "time");
    if (!json_is_integer(time)) {
        g_hash_table_remove(n->seen, name);
    } else {
        node_entry *e = g_new0(node_entry, 1);
        e->url = g_strdup(json_string_value(json_object_get(v, "url")));
        gint64 now_ms = g_get_real_time() / 1000;
        /* Measured by this node's clock: the nodes' clocks need not agree. */
        e->time_ms = llabs(now_ms - json_integer_value(time)) < CLUSTER_NODES_STALE_MS ? now_ms : 0;
        g_hash_table_replace(n->seen, g_strdup(name), e);
    }
    json_decref(v);
    tell_if_changed(n);
}

cluster_nodes *cluster_nodes_start(kv_store *kv, const char *name, const char *url, event_bus *bus,
                                   pantau_error *err)
{
    cluster_nodes *n = g_new0(cluster_nodes, 1);
    n->kv = kv;
    n->bus = bus;
    n->name = g_strdup(name);
    n->url = url ? g_strdup(url) : NULL;
    n->key = kv_store_key(NODE_KEY_PREFIX, name);
    n->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, node_entry_free);
    n->available = 1;
    g_mutex_init(&n->lock);
    g_cond_init(&n->wake);
    json_t *none = json_object();
    n->listed = json_dumps(none, JSON_COMPACT);
    json_decref(none);
    char *first = heartbeat_value(n);
    int rc = kv_store_put(kv, n->key, first, NULL, err);
    free(first);
    if (rc || kv_store_watch(kv, NODE_KEY_PREFIX ">", on_node, n, err))
        goto fail;
    n->beat = g_thread_new("pantau-heartbeat", heartbeat_thread, n);
    n->sweep = g_timeout_add(NODES_SWEEP_MS, sweep, n);
    return n;
fail:
    cluster_nodes_free(n);
    return NULL;
}

void cluster_nodes_free(cluster_nodes *n)
{
    if (!n)
        return;
    end_beating(n);
    if (n->sweep)
        g_source_remove(n->sweep);
    kv_store_free(n->kv);
    g_hash_table_destroy(n->seen);
    g_mutex_clear(&n->lock);
    g_cond_clear(&n->wake);
    free(n->listed);
    g_free(n->name);
    g_free(n->url);
    g_free(n->key);
    g_free(n);
}

/* origin and url the same, a trailing '/' of url aside. */
static bool same_origin(const char *origin, const char *url)
{
    size_t len = strlen(url);
    if (len && url[len - 1] == '/')
        len--;
    return strlen(origin) == len && g_ascii_strncasecmp(origin, url, len) == 0;
}

bool cluster_nodes_origin_is_peer(const cluster_nodes *n, const char *origin)
{
    if (!n || !origin || !*origin)
        return false;
    if (n->url && same_origin(origin, n->url))
        return true;
    GHashTableIter it;
    gpointer entry;
    g_hash_table_iter_init(&it, n->seen);
    while (g_hash_table_iter_next(&it, NULL, &entry)) {
        const node_entry *e = entry;
        if (e->url && same_origin(origin, e->url))
            return true;
    }
    return false;
}

bool cluster_nodes_hand_over(cluster_nodes *n)
{
    GPtrArray *names = live_names(n);
    const char *next = NULL;
    for (guint i = 0; i < names->len && !next; i++)
        if (strcmp(g_ptr_array_index(names, i), n->name) > 0)
            next = g_ptr_array_index(names, i);
    for (guint i = 0; i < names->len && !next; i++)
        if (strcmp(g_ptr_array_index(names, i), n->name) != 0)
            next = g_ptr_array_index(names, i);
    if (next)
        bus_emit(n->bus, &(bus_event){.kind = BUS_HANDOVER, .handover = {next, url_of(n, next)}});
    /* Leaving: no node hands its clients over to this one any more. */
    stop_beating(n);
    g_ptr_array_unref(names);
    return next != NULL;
}
