/* kv_nats.c - the shared store in a NATS JetStream KV bucket (libnats):
 * a compare-and-set is a publish to the key's subject expecting its last
 * sequence, and the watch is a thread that hands each entry to the main
 * loop. */
#include "kv_store.h"

#include "log.h"

#include <glib.h>
#include <nats/nats.h>
#include <string.h>

/* How long the start waits for a new cluster's JetStream to elect its
 * leaders before the bucket can be made. */
#define KV_OPEN_PATIENCE_MS 15000

/* A watch's callback, shared by the queued entries: alive is cleared by
 * kv_store_free, and an entry still queued then is dropped. keys is the
 * pattern it watches ("wall.>", or one key). */
typedef struct watch_target {
    kv_watch_fn fn;
    void *data;
    gint alive;
    char keys[64];
} watch_target;

/* A watch silent this long checks that it has seen the bucket's last
 * revision, and is made again when not (docs/cluster.md). */
#define KV_WATCH_CHECK_MS 2000

struct kv_store {
    natsConnection *nc;
    jsCtx *js;
    kvStore *kv;
    char *bucket;
    char *stream; /* the bucket's stream, KV_<bucket> */
    int timeout_ms;
    GMutex watch_lock;  /* watcher is replaced by the watch thread, stopped by kv_store_free;
                           targets grows on the main loop */
    uint64_t watch_rev; /* watch thread: the last revision it delivered */
    kvWatcher *watcher; /* on every key; each entry goes to the targets it matches */
    GThread *watch_thread;
    GPtrArray *targets;     /* watch_target *, references (g_atomic_rc_box) */
    GPtrArray *subs;        /* natsSubscription *, owned; their targets in sub_targets */
    GPtrArray *sub_targets; /* watch_target *, references */
    gint renew;             /* a target was added: deliver every key's latest value again */
    gint stopping;
    gint refusing; /* the last write failed for want of NATS (cleared by one taken) */
    gint closing;  /* kv_store_closing: a refusing store fails writes at once */
};

/* One watched entry on its way to the main loop. */
typedef struct watch_item {
    watch_target *target; /* a reference */
    char *key, *value;
    uint64_t rev;
} watch_item;

/* err from status s: what libnats said last on this thread. Returns -1. */
static int nats_fail(pantau_error *err, natsStatus s, const char *what)
{
    natsStatus last = NATS_OK;
    const char *text = nats_GetLastError(&last);
    return error_set(err, ERR_UNAVAILABLE, "", "%s: %s%s%s", what, natsStatus_GetText(s),
                     text && *text ? ": " : "", text && *text ? text : "");
}

/* The process's stores all reach one NATS cluster: at the stop, the last
 * write any of them made says whether NATS takes writes (a store that has
 * not written for a while, the nodes' heartbeat bucket, would otherwise
 * wait its timeout once more). */
static gint last_refused;
static gint stopping_all;

/* Whether a write is not even tried: the server is stopping and NATS did
 * not take the last write (each would wait the timeout: the stop must
 * not). Sets err then. */
static bool write_skipped(kv_store *kv, pantau_error *err)
{
    bool closing = g_atomic_int_get(&kv->closing) || g_atomic_int_get(&stopping_all);
    if (!closing || !(g_atomic_int_get(&kv->refusing) || g_atomic_int_get(&last_refused)))
        return false;
    error_set(err, ERR_UNAVAILABLE, "",
              "the server is stopping and the cluster's store does not take writes");
    return true;
}

/* Notes how a write to kv went (s), for write_skipped. Returns s. */
static natsStatus write_noted(kv_store *kv, natsStatus s)
{
    bool refused = s == NATS_TIMEOUT || s == NATS_NO_RESPONDERS || s == NATS_CONNECTION_CLOSED ||
                   s == NATS_CONNECTION_DISCONNECTED;
    if (s == NATS_OK || refused) {
        g_atomic_int_set(&kv->refusing, refused);
        g_atomic_int_set(&last_refused, refused);
    }
    return s;
}

void kv_store_disconnect(kv_store *kv)
{
    if (kv)
        natsConnection_Close(kv->nc);
}

void kv_store_closing(kv_store *kv)
{
    if (kv)
        g_atomic_int_set(&kv->closing, 1);
    g_atomic_int_set(&stopping_all, 1);
}

static void on_disconnected(natsConnection *nc, void *closure)
{
    (void)closure;
    if (natsConnection_IsClosed(nc))
        return; /* kv_store_free */
    log_warn("cluster: lost the connection to NATS; reconnecting");
}

static void on_reconnected(natsConnection *nc, void *closure)
{
    (void)closure;
    char url[256] = "";
    natsConnection_GetConnectedUrl(nc, url, sizeof url);
    log_info("cluster: connected to NATS again (%s)", url);
}

static natsStatus connect_nats(kv_store *kv, const kv_store_options *o)
{
    natsOptions *opts = NULL;
    natsStatus s = natsOptions_Create(&opts);
    if (s == NATS_OK)
        s = natsOptions_SetServers(opts, (const char **)o->urls, (int)o->n_urls);
    if (s == NATS_OK)
        s = natsOptions_SetName(opts, o->node);
    if (s == NATS_OK)
        s = natsOptions_SetTimeout(opts, o->timeout_ms);
    if (s == NATS_OK)
        s = natsOptions_SetMaxReconnect(opts, -1); /* forever: it recovers by itself */
    if (s == NATS_OK)
        s = natsOptions_SetReconnectWait(opts, 250);
    if (s == NATS_OK)
        s = natsOptions_SetDisconnectedCB(opts, on_disconnected, NULL);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectedCB(opts, on_reconnected, NULL);
    if (s == NATS_OK)
        s = natsConnection_Connect(&kv->nc, opts);
    natsOptions_Destroy(opts);
    return s;
}

/* 0 when the server has JetStream, else -1 with err saying so. A server
 * whose JetStream does not answer yet (just restarted, catching up) is
 * asked again for a while. */
static int check_jetstream(kv_store *kv, pantau_error *err)
{
    gint64 until = g_get_monotonic_time() + KV_OPEN_PATIENCE_MS * 1000;
    jsErrCode jerr;
    natsStatus s;
    do {
        jsAccountInfo *ai = NULL;
        jerr = 0;
        s = js_GetAccountInfo(&ai, kv->js, NULL, &jerr);
        jsAccountInfo_Destroy(ai);
    } while (s == NATS_TIMEOUT && g_get_monotonic_time() < until);
    if (s == NATS_OK)
        return 0;
    if (s == NATS_NO_RESPONDERS || jerr == JSNotEnabledErr || jerr == JSNotEnabledForAccountErr) {
        char url[256] = "";
        natsConnection_GetConnectedUrl(kv->nc, url, sizeof url);
        return error_set(err, ERR_UNAVAILABLE, "cluster.nats",
                         "the NATS server at %s has no JetStream: a cluster needs it "
                         "(start nats-server with -js, or \"jetstream {}\" in its config)",
                         url);
    }
    return nats_fail(err, s, "JetStream did not answer");
}

/* Opens the bucket, making it when missing; a new cluster's JetStream may
 * still be electing its leaders, so it is tried again for a while. */
static int open_bucket(kv_store *kv, const kv_store_options *o, pantau_error *err)
{
    gint64 until = g_get_monotonic_time() + KV_OPEN_PATIENCE_MS * 1000;
    for (;;) {
        natsStatus s = js_KeyValue(&kv->kv, kv->js, o->bucket);
        if (s == NATS_NOT_FOUND) {
            kvConfig cfg;
            kvConfig_Init(&cfg);
            cfg.Bucket = o->bucket;
            cfg.History = 1;
            cfg.Replicas = o->replicas;
            cfg.TTL = o->ttl_ms * 1000000; /* nanoseconds, as JetStream's max_age */
            cfg.StorageType = js_FileStorage;
            s = js_CreateKeyValue(&kv->kv, kv->js, &cfg);
        }
        if (s == NATS_OK)
            return 0;
        if (g_get_monotonic_time() > until)
            return nats_fail(err, s, "the cluster's bucket could not be opened");
        g_usleep(250 * 1000);
    }
}

kv_store *kv_store_open(const kv_store_options *o, pantau_error *err)
{
    kv_store *kv = g_new0(kv_store, 1);
    g_mutex_init(&kv->watch_lock);
    kv->bucket = g_strdup(o->bucket);
    kv->stream = g_strconcat("KV_", o->bucket, NULL);
    kv->timeout_ms = o->timeout_ms;
    natsStatus s = connect_nats(kv, o);
    if (s != NATS_OK) {
        error_set(err, ERR_UNAVAILABLE, "cluster.nats", "no NATS server answered at %s%s: %s",
                  o->urls[0], o->n_urls > 1 ? " (nor the others)" : "", natsStatus_GetText(s));
        goto fail;
    }
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = o->timeout_ms;
    s = natsConnection_JetStream(&kv->js, kv->nc, &jo);
    if (s != NATS_OK) {
        nats_fail(err, s, "JetStream could not be used");
        goto fail;
    }
    if (check_jetstream(kv, err) || open_bucket(kv, o, err))
        goto fail;
    return kv;
fail:
    kv_store_free(kv);
    return NULL;
}

static void watch_target_release(watch_target *t)
{
    if (t)
        g_atomic_rc_box_release(t);
}

/* Marks every target of list (may be NULL) dead: queued entries drop. */
static void targets_end(GPtrArray *list)
{
    for (guint i = 0; list && i < list->len; i++)
        g_atomic_int_set(&((watch_target *)g_ptr_array_index(list, i))->alive, 0);
}

void kv_store_unwatch(kv_store *kv)
{
    if (!kv)
        return;
    g_mutex_lock(&kv->watch_lock);
    targets_end(kv->targets);
    targets_end(kv->sub_targets);
    g_mutex_unlock(&kv->watch_lock);
}

void kv_store_free(kv_store *kv)
{
    if (!kv)
        return;
    g_atomic_int_set(&kv->stopping, 1);
    kv_store_unwatch(kv);
    /* Closed first: what is left (the watch thread's requests, deleting
     * the watch's and subscriptions' consumers) would each wait the
     * timeout when JetStream has no quorum, and the stop must not (a stop
     * took over 5 s in a fresh-clone run). The server drops the ephemeral
     * consumers of a closed connection by itself. */
    kv_store_disconnect(kv);
    g_mutex_lock(&kv->watch_lock);
    if (kv->watcher)
        kvWatcher_Stop(kv->watcher);
    g_mutex_unlock(&kv->watch_lock);
    if (kv->watch_thread)
        g_thread_join(kv->watch_thread);
    kvWatcher_Destroy(kv->watcher);
    g_mutex_clear(&kv->watch_lock);
    if (kv->targets)
        g_ptr_array_free(kv->targets, TRUE);
    if (kv->subs)
        g_ptr_array_free(kv->subs, TRUE); /* unsubscribes */
    kvStore_Destroy(kv->kv);
    jsCtx_Destroy(kv->js);
    natsConnection_Destroy(kv->nc);
    /* After the connection: a message being handed over holds its target. */
    if (kv->sub_targets)
        g_ptr_array_free(kv->sub_targets, TRUE);
    g_free(kv->bucket);
    g_free(kv->stream);
    g_free(kv);
}

int kv_store_get(kv_store *kv, const char *key, char **value, uint64_t *rev, pantau_error *err)
{
    kvEntry *e = NULL;
    *value = NULL;
    *rev = 0;
    natsStatus s = kvStore_Get(&e, kv->kv, key);
    if (s == NATS_NOT_FOUND)
        return 0;
    if (s != NATS_OK)
        return nats_fail(err, s, "the cluster's bucket did not answer");
    if (kvEntry_Operation(e) == kvOp_Put) {
        *value = g_strndup(kvEntry_Value(e), (gsize)kvEntry_ValueLen(e));
        *rev = kvEntry_Revision(e);
    }
    kvEntry_Destroy(e);
    return 0;
}

/* The bucket's last revision (of any key), from the stream's leader: 0
 * with *seq, or a status. */
static natsStatus stream_last_seq(kv_store *kv, uint64_t *seq)
{
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_GetStreamInfo(&si, kv->js, kv->stream, NULL, &jerr);
    if (s == NATS_OK)
        *seq = si->State.LastSeq;
    jsStreamInfo_Destroy(si);
    return s;
}

/* Key's revision (0: none), from the stream's leader (a direct get may
 * come from a replica behind it): 0 with *rev, or a status. */
static natsStatus key_revision(kv_store *kv, const char *subject, uint64_t *rev)
{
    natsMsg *msg = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_GetLastMsg(&msg, kv->js, kv->stream, subject, NULL, &jerr);
    *rev = s == NATS_OK ? natsMsg_GetSequence(msg) : 0;
    natsMsg_Destroy(msg);
    return s == NATS_NOT_FOUND ? NATS_OK : s;
}

/* One try of the compare-and-set: the key must be at last, and the write
 * must follow the bucket's last revision read before it. nats-server
 * before 2.9.21 checks a key's expected revision outside its consensus, so
 * two writes racing on one revision could both be taken (nats-server
 * issue 4320); the bucket-wide expected revision is checked in order with
 * the writes in flight. So a write that meets any other write retries. */
static natsStatus try_update(kv_store *kv, const char *subject, const char *value, uint64_t last,
                             uint64_t *rev, jsErrCode *jerr, bool *conflict)
{
    uint64_t seq = 0, now = 0;
    natsStatus s = stream_last_seq(kv, &seq);
    if (s == NATS_OK)
        s = key_revision(kv, subject, &now);
    if (s != NATS_OK)
        return s;
    *conflict = now != last;
    if (*conflict)
        return NATS_ERR;
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.ExpectLastSeq = seq; /* 0 (an empty bucket): not checked */
    if (last == 0)
        po.ExpectNoMessage = true;
    else
        po.ExpectLastSubjectSeq = last;
    jsPubAck *pa = NULL;
    s = js_Publish(&pa, kv->js, subject, value, (int)strlen(value), &po, jerr);
    if (s == NATS_OK)
        *rev = pa->Sequence;
    jsPubAck_Destroy(pa);
    return s;
}

int kv_store_update(kv_store *kv, const char *key, const char *value, uint64_t last, uint64_t *rev,
                    pantau_error *err)
{
    if (write_skipped(kv, err))
        return -1;
    char *subject = g_strdup_printf("$KV.%s.%s", kv->bucket, key);
    gint64 until = g_get_monotonic_time() + (gint64)kv->timeout_ms * 1000;
    natsStatus s;
    jsErrCode jerr;
    bool conflict;
    do {
        jerr = 0;
        conflict = false;
        s = write_noted(kv, try_update(kv, subject, value, last, rev, &jerr, &conflict));
        /* Another write to the bucket came first: is it this key's? */
    } while (s != NATS_OK && !conflict && jerr == JSStreamWrongLastSequenceErr &&
             g_get_monotonic_time() < until);
    g_free(subject);
    if (s == NATS_OK)
        return 0;
    if (conflict || jerr == JSStreamWrongLastSequenceErr)
        return error_set(err, ERR_CONFLICT, "version", "another change was made first");
    return nats_fail(err, s, "the cluster's store (NATS JetStream) did not accept the change");
}

int kv_store_put(kv_store *kv, const char *key, const char *value, uint64_t *rev, pantau_error *err)
{
    if (write_skipped(kv, err))
        return -1;
    uint64_t taken = 0;
    natsStatus s = write_noted(kv, kvStore_PutString(&taken, kv->kv, key, value));
    if (rev)
        *rev = taken;
    return s == NATS_OK ? 0 : nats_fail(err, s, "the cluster's store did not take the write");
}

int kv_store_delete(kv_store *kv, const char *key, pantau_error *err)
{
    if (write_skipped(kv, err))
        return -1;
    natsStatus s = write_noted(kv, kvStore_Delete(kv->kv, key));
    return s == NATS_OK ? 0 : nats_fail(err, s, "the cluster's store did not take the delete");
}

/* ---- the watch ---- */

static void watch_item_free(gpointer data)
{
    watch_item *it = data;
    watch_target_release(it->target);
    g_free(it->key);
    g_free(it->value);
    g_free(it);
}

/* On the main loop. */
static gboolean watch_deliver(gpointer data)
{
    const watch_item *it = data;
    if (g_atomic_int_get(&it->target->alive))
        it->target->fn(it->key, it->value, it->rev, it->target->data);
    return G_SOURCE_REMOVE;
}

/* Whether key is one of pattern's: "prefix.>" or the key itself. */
static bool key_matches(const char *pattern, const char *key)
{
    size_t n = strlen(pattern);
    if (n > 0 && pattern[n - 1] == '>')
        return strncmp(pattern, key, n - 1) == 0;
    return strcmp(pattern, key) == 0;
}

static void watch_post_to(watch_target *t, kvEntry *e)
{
    watch_item *it = g_new0(watch_item, 1);
    it->target = g_atomic_rc_box_acquire(t);
    it->key = g_strdup(kvEntry_Key(e));
    if (kvEntry_Operation(e) == kvOp_Put)
        it->value = g_strndup(kvEntry_Value(e), (gsize)kvEntry_ValueLen(e));
    it->rev = kvEntry_Revision(e);
    /* Idle sources of one priority run in the order they were added. */
    g_idle_add_full(G_PRIORITY_DEFAULT, watch_deliver, it, watch_item_free);
}

/* Hands e to every target whose keys it is one of. */
static void watch_post(kv_store *kv, kvEntry *e)
{
    g_mutex_lock(&kv->watch_lock);
    for (guint i = 0; i < kv->targets->len; i++) {
        watch_target *t = g_ptr_array_index(kv->targets, i);
        if (key_matches(t->keys, kvEntry_Key(e)))
            watch_post_to(t, e);
    }
    g_mutex_unlock(&kv->watch_lock);
}

static natsStatus watcher_new(kv_store *kv, kvWatcher **w)
{
    kvWatchOptions wo;
    kvWatchOptions_Init(&wo);
    return kvStore_Watch(w, kv->kv, ">", &wo);
}

/* Whether the bucket has a revision the watch has not delivered: a watch
 * whose consumer was lost with a NATS server (or its quorum) stays silent
 * for ever. */
static bool watch_behind(kv_store *kv)
{
    uint64_t seq = 0;
    return stream_last_seq(kv, &seq) == NATS_OK && seq > kv->watch_rev;
}

/* Makes the watch again (it first delivers every key's latest value
 * again, which the callbacks take by revision). */
static void watch_renew(kv_store *kv)
{
    kvWatcher *w = NULL;
    if (watcher_new(kv, &w) != NATS_OK) {
        g_atomic_int_set(&kv->renew, 1); /* tried again */
        return;
    }
    g_mutex_lock(&kv->watch_lock);
    kvWatcher *old = kv->watcher;
    kv->watcher = w;
    if (g_atomic_int_get(&kv->stopping))
        kvWatcher_Stop(w);
    g_mutex_unlock(&kv->watch_lock);
    kvWatcher_Destroy(old);
    log_info("cluster: watching bucket '%s' again", kv->bucket);
}

/* The watch thread: waits for entries until kv_store_free stops it. */
static gpointer watch_run(gpointer data)
{
    kv_store *kv = data;
    gint64 silent_since = g_get_monotonic_time();
    while (!g_atomic_int_get(&kv->stopping)) {
        if (g_atomic_int_compare_and_exchange(&kv->renew, 1, 0))
            watch_renew(kv);
        kvEntry *e = NULL;
        natsStatus s = kvWatcher_Next(&e, kv->watcher, 500);
        if (s == NATS_OK && e) {
            kv->watch_rev = MAX(kv->watch_rev, kvEntry_Revision(e));
            watch_post(kv, e);
        }
        kvEntry_Destroy(e);
        if (s == NATS_OK) {
            silent_since = g_get_monotonic_time();
            continue;
        }
        if (g_atomic_int_get(&kv->stopping))
            break;
        if (s != NATS_TIMEOUT)
            g_usleep(250 * 1000); /* a connection being re-made */
        if (g_get_monotonic_time() - silent_since < KV_WATCH_CHECK_MS * 1000)
            continue;
        silent_since = g_get_monotonic_time();
        if (s != NATS_TIMEOUT || watch_behind(kv))
            watch_renew(kv);
    }
    return NULL;
}

int kv_store_watch(kv_store *kv, const char *keys, kv_watch_fn fn, void *data, pantau_error *err)
{
    if (strlen(keys) >= sizeof((watch_target *)0)->keys)
        return error_set(err, ERR_INTERNAL, "", "watched keys '%s' too long", keys);
    if (!kv->watcher) {
        natsStatus s = watcher_new(kv, &kv->watcher);
        if (s != NATS_OK)
            return nats_fail(err, s, "the cluster's bucket could not be watched");
        kv->targets = g_ptr_array_new_with_free_func((GDestroyNotify)watch_target_release);
    }
    watch_target *t = g_atomic_rc_box_new0(watch_target);
    t->fn = fn;
    t->data = data;
    t->alive = 1;
    g_strlcpy(t->keys, keys, sizeof t->keys);
    g_mutex_lock(&kv->watch_lock);
    g_ptr_array_add(kv->targets, t);
    g_mutex_unlock(&kv->watch_lock);
    if (!kv->watch_thread)
        kv->watch_thread = g_thread_new("pantau-kv-watch", watch_run, kv);
    else
        g_atomic_int_set(&kv->renew, 1); /* its latest values, for the new target */
    return 0;
}

char *kv_store_key(const char *prefix, const char *id)
{
    GString *k = g_string_new(prefix);
    for (const char *p = id; *p; p++) {
        if (g_ascii_isalnum(*p) || *p == '_' || *p == '-')
            g_string_append_c(k, *p);
        else
            g_string_append_printf(k, "=%02X", (unsigned char)*p);
    }
    return g_string_free(k, FALSE);
}

/* ---- a replicated log ---- */

struct kv_log {
    kv_store *kv; /* borrowed: its connection */
    char *name;   /* the stream, and its subject */
};

/* Makes the stream when it is missing: a status. */
static natsStatus log_make(kv_log *l, int replicas)
{
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_GetStreamInfo(&si, l->kv->js, l->name, NULL, &jerr);
    if (s == NATS_NOT_FOUND) {
        jsStreamConfig cfg;
        jsStreamConfig_Init(&cfg);
        const char *subjects[] = {l->name};
        cfg.Name = l->name;
        cfg.Subjects = subjects;
        cfg.SubjectsLen = 1;
        cfg.Storage = js_FileStorage;
        cfg.Replicas = replicas;
        jsStreamInfo_Destroy(si);
        si = NULL;
        s = js_AddStream(&si, l->kv->js, &cfg, NULL, &jerr);
    }
    jsStreamInfo_Destroy(si);
    return s;
}

kv_log *kv_log_open(kv_store *kv, const char *name, int replicas, pantau_error *err)
{
    kv_log *l = g_new0(kv_log, 1);
    l->kv = kv;
    l->name = g_strdup(name);
    gint64 until = g_get_monotonic_time() + KV_OPEN_PATIENCE_MS * 1000;
    natsStatus s;
    while ((s = log_make(l, replicas)) != NATS_OK && g_get_monotonic_time() < until)
        g_usleep(250 * 1000);
    if (s == NATS_OK)
        return l;
    nats_fail(err, s, "the cluster's audit stream could not be opened");
    kv_log_free(l);
    return NULL;
}

void kv_log_free(kv_log *l)
{
    if (!l)
        return;
    g_free(l->name);
    g_free(l);
}

int kv_log_append(kv_log *l, const char *line, size_t len, pantau_error *err)
{
    if (write_skipped(l->kv, err))
        return -1;
    jsPubAck *pa = NULL;
    jsErrCode jerr = 0;
    natsStatus s =
        write_noted(l->kv, js_Publish(&pa, l->kv->js, l->name, line, (int)len, NULL, &jerr));
    jsPubAck_Destroy(pa);
    return s == NATS_OK ? 0
                        : nats_fail(err, s,
                                    "the cluster's audit stream (NATS JetStream) did not take the "
                                    "change's line; nothing changed");
}

int kv_log_range(kv_log *l, uint64_t *first, uint64_t *last, pantau_error *err)
{
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_GetStreamInfo(&si, l->kv->js, l->name, NULL, &jerr);
    *first = s == NATS_OK && si->State.Msgs ? si->State.FirstSeq : 0;
    *last = *first ? si->State.LastSeq : 0;
    jsStreamInfo_Destroy(si);
    return s == NATS_OK ? 0 : nats_fail(err, s, "the cluster's audit stream did not answer");
}

/* The line of msg, with its sequence in the stream, to fn when it is not
 * after last; *next: the sequence after it. */
static void log_deliver(natsMsg *msg, uint64_t *next, uint64_t last, kv_log_line_fn fn, void *data)
{
    jsMsgMetaData *meta = NULL;
    if (natsMsg_GetMetaData(&meta, msg) != NATS_OK)
        return;
    *next = meta->Sequence.Stream + 1;
    if (meta->Sequence.Stream <= last)
        fn(meta->Sequence.Stream, natsMsg_GetData(msg), (size_t)natsMsg_GetDataLength(msg), data);
    jsMsgMetaData_Destroy(meta);
}

int kv_log_read(kv_log *l, uint64_t first, uint64_t last, kv_log_line_fn fn, void *data,
                pantau_error *err)
{
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = l->name;
    so.Ordered = true; /* an ephemeral consumer, no acks, in order */
    so.Config.DeliverPolicy = js_DeliverByStartSequence;
    so.Config.OptStartSeq = first;
    natsSubscription *sub = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_SubscribeSync(&sub, l->kv->js, l->name, NULL, &so, &jerr);
    for (uint64_t next = first; s == NATS_OK && next <= last;) {
        natsMsg *msg = NULL;
        s = natsSubscription_NextMsg(&msg, sub, l->kv->timeout_ms);
        if (s == NATS_OK)
            log_deliver(msg, &next, last, fn, data);
        natsMsg_Destroy(msg);
    }
    if (sub)
        natsSubscription_Unsubscribe(sub);
    natsSubscription_Destroy(sub);
    return s == NATS_OK ? 0 : nats_fail(err, s, "the cluster's audit stream did not answer");
}

/* ---- messages between nodes (core NATS) ---- */

int kv_store_publish(kv_store *kv, const char *subject, const char *data, pantau_error *err)
{
    natsStatus s = natsConnection_PublishString(kv->nc, subject, data);
    return s == NATS_OK ? 0 : nats_fail(err, s, "the message could not be sent");
}

/* On a NATS thread: hands the message to the main loop. */
static void on_message(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
    (void)nc;
    (void)sub;
    watch_item *it = g_new0(watch_item, 1);
    it->target = g_atomic_rc_box_acquire((watch_target *)closure);
    it->key = g_strdup(natsMsg_GetSubject(msg));
    it->value = g_strndup(natsMsg_GetData(msg), (gsize)natsMsg_GetDataLength(msg));
    natsMsg_Destroy(msg);
    g_idle_add_full(G_PRIORITY_DEFAULT, watch_deliver, it, watch_item_free);
}

static void subscription_free(gpointer sub)
{
    natsSubscription_Unsubscribe(sub);
    natsSubscription_Destroy(sub);
}

int kv_store_subscribe(kv_store *kv, const char *subject, kv_watch_fn fn, void *data,
                       pantau_error *err)
{
    watch_target *t = g_atomic_rc_box_new0(watch_target);
    t->fn = fn;
    t->data = data;
    t->alive = 1;
    natsSubscription *sub = NULL;
    natsStatus s = natsConnection_Subscribe(&sub, kv->nc, subject, on_message, t);
    if (s != NATS_OK) {
        watch_target_release(t);
        return nats_fail(err, s, "the cluster's messages could not be subscribed to");
    }
    if (!kv->subs) {
        kv->subs = g_ptr_array_new_with_free_func(subscription_free);
        kv->sub_targets = g_ptr_array_new_with_free_func((GDestroyNotify)watch_target_release);
    }
    g_mutex_lock(&kv->watch_lock);
    g_ptr_array_add(kv->subs, sub);
    g_ptr_array_add(kv->sub_targets, t);
    g_mutex_unlock(&kv->watch_lock);
    return 0;
}
