/* kv_store.h - a cluster's shared store (docs/cluster.md): a replicated
 * key-value bucket with a revision per key, a compare-and-set write and a
 * watch. kv_nats.c keeps it in a NATS JetStream KV bucket. kv_store_update
 * blocks and is meant for a worker thread (the disk writer's); everything
 * else is for the main loop (kv_store_open and kv_store_get block too, and
 * run before the loop does). */
#ifndef PANTAU_KV_STORE_H
#define PANTAU_KV_STORE_H

#include "pantau_error.h"

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kv_store kv_store;

/* Where the store is and how it is made (all borrowed for the call). */
typedef struct kv_store_options {
    const char *const *urls; /* the NATS servers, e.g. "nats://127.0.0.1:4222" */
    size_t n_urls;
    const char *node;   /* this node's name: the connection's name */
    const char *bucket; /* the bucket, made when missing */
    int replicas;       /* its replicas when it is made */
    gint64 ttl_ms;      /* how long its values live when it is made; 0: for ever */
    int timeout_ms;     /* how long a request waits for the store's answer */
} kv_store_options;

/* Connects and opens (or makes) the bucket. A NATS server without
 * JetStream, or none reachable, is refused: NULL with err (ERR_UNAVAILABLE)
 * naming why. Blocks. */
kv_store *kv_store_open(const kv_store_options *o, pantau_error *err);

/* Closes the connection, then stops the watch (NULL is fine). Blocks
 * until the watch thread ended; no watch callback runs after it. */
void kv_store_free(kv_store *kv);

/* Closes kv's connection: a call in flight on it and every later one
 * fail at once (unavailable), whatever NATS does. For a stop that must
 * not wait on NATS; kv_store_free is still needed. kv may be NULL. */
void kv_store_disconnect(kv_store *kv);

/* The server is stopping: from now on, while NATS does not take writes
 * (the last write of any store of the process failed for want of it), a
 * write to any store fails at once with ERR_UNAVAILABLE instead of waiting
 * the timeout. kv may be NULL. */
void kv_store_closing(kv_store *kv);

/* The value of key: 0 with *value a new string (g_free) and *rev its
 * revision, or *value NULL and *rev 0 when there is none; -1 with err
 * (ERR_UNAVAILABLE) when the store did not answer. Blocks. */
int kv_store_get(kv_store *kv, const char *key, char **value, uint64_t *rev, pantau_error *err);

/* Writes value under key if the key's revision is still last (0: the key
 * must not exist yet): 0 with *rev the new revision, or -1 with err:
 * ERR_CONFLICT when the key is at another revision, ERR_UNAVAILABLE when
 * the store could not accept it (no quorum, no connection, a timeout).
 * Blocks up to the timeout; safe from any thread. */
int kv_store_update(kv_store *kv, const char *key, const char *value, uint64_t last, uint64_t *rev,
                    pantau_error *err);

/* Writes value under key whatever its revision (the last write wins; a
 * heartbeat's value): 0 with *rev the new revision (rev may be NULL), or -1
 * with err (ERR_UNAVAILABLE). Blocks up to the timeout; safe from any thread. */
int kv_store_put(kv_store *kv, const char *key, const char *value, uint64_t *rev,
                 pantau_error *err);

/* Deletes key (a marker the watches see). Blocks up to the timeout; safe
 * from any thread. 0, or -1 with err (ERR_UNAVAILABLE). */
int kv_store_delete(kv_store *kv, const char *key, pantau_error *err);

/* Called on the main loop (the default context) for each value written
 * under the watched keys, in the store's order: key and value borrowed;
 * value NULL: the key was deleted (or purged). */
typedef void (*kv_watch_fn)(const char *key, const char *value, uint64_t rev, void *data);

/* Watches keys ("prefix.>", or one key): the latest value of each first,
 * then every write, until kv_store_free. A store may have several watches
 * (one watcher of the bucket hands each entry to those it matches); a
 * watch added later makes every watch get each key's latest value again,
 * so fn takes values by revision. Returns 0, or -1 with err. */
int kv_store_watch(kv_store *kv, const char *keys, kv_watch_fn fn, void *data, pantau_error *err);

/* ---- a replicated log: a JetStream stream of lines, in order ----
 * (the audit log of a cluster, docs/cluster.md). It shares its store's
 * connection: the store must outlive it. */
typedef struct kv_log kv_log;

/* Opens the stream name (its subject is the same name), making it with
 * replicas when missing; waits, as the bucket does, for a new cluster's
 * leaders. Blocks. Returns the log, or NULL with err (ERR_UNAVAILABLE). */
kv_log *kv_log_open(kv_store *kv, const char *name, int replicas, pantau_error *err);

void kv_log_free(kv_log *l);

/* Appends line (len bytes) and waits for the stream's acknowledgement:
 * stored on a quorum of its replicas. Blocks up to the store's timeout;
 * safe from any thread. 0, or -1 with err (ERR_UNAVAILABLE). */
int kv_log_append(kv_log *l, const char *line, size_t len, pantau_error *err);

/* The sequences of the log's first and last lines (both 0: empty, e.g.
 * every line expired): 0, or -1 with err. Blocks. */
int kv_log_range(kv_log *l, uint64_t *first, uint64_t *last, pantau_error *err);

/* Called with each line read (borrowed, len bytes, not NUL-terminated)
 * and its sequence. */
typedef void (*kv_log_line_fn)(uint64_t seq, const char *line, size_t len, void *data);

/* Reads the lines first..last (sequences, oldest first) through one
 * ephemeral ordered consumer, calling fn for each (a line deleted from
 * the stream is skipped). Blocks; any thread. 0, or -1 with err
 * (ERR_UNAVAILABLE) when the stream stopped answering. */
int kv_log_read(kv_log *l, uint64_t first, uint64_t last, kv_log_line_fn fn, void *data,
                pantau_error *err);
/* Publishes data (a string) on subject (core NATS, not the bucket: it
 * flows while JetStream has no quorum; nobody listening loses it). Safe
 * from any thread. 0, or -1 with err (ERR_UNAVAILABLE). */
int kv_store_publish(kv_store *kv, const char *subject, const char *data, pantau_error *err);

/* Calls fn on the main loop with (subject, data, 0, data) for each message
 * on subject (a NATS subject, wildcards allowed), until kv_store_unwatch
 * or kv_store_free. Returns 0, or -1 with err. */
int kv_store_subscribe(kv_store *kv, const char *subject, kv_watch_fn fn, void *data,
                       pantau_error *err);

/* Ends every watch's and subscription's callbacks (an entry still queued
 * is dropped) while
 * the store stays usable for writes, so that what the callbacks change
 * can go first (NULL is fine). Main loop. */
void kv_store_unwatch(kv_store *kv);

/* key made of prefix and an id any of A-Z a-z 0-9 _ - . : may be in: the
 * letters, digits, '_' and '-' stay, anything else becomes =XX (hex), so
 * two ids never share a key and every key is a valid NATS KV key. Returns
 * a new string. */
char *kv_store_key(const char *prefix, const char *id);

#endif
