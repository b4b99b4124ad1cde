/* kv_share.h - one kind of state a cluster keeps in its shared store
 * (kv_store.h, docs/cluster.md) under a key prefix ("preset.", "source."):
 * the revision this node knows of each key, a change written as a
 * compare-and-set on it by the writer thread (persist_remote), and a watch
 * that hands on only revisions newer than the node knows. Main loop only. */
#ifndef PANTAU_KV_SHARE_H
#define PANTAU_KV_SHARE_H

#include "audit.h"
#include "kv_store.h"
#include "pantau_error.h"
#include "persist.h"

#include <glib.h>

typedef struct kv_share kv_share;

/* A share of the keys prefix (copied) + id in kv, written through persist
 * (both borrowed, they outlive it). */
kv_share *kv_share_new(kv_store *kv, persister *persist, const char *prefix);
/* Frees s (NULL is fine); after its writes completed and its watch ended. */
void kv_share_free(kv_share *s);

/* Makes s's writes best effort: not compared (the last write wins), and
 * one the store refuses is logged and fails no request (for state whose
 * every change the watchers merge, or that mirrors a change made
 * elsewhere). */
void kv_share_set_best_effort(kv_share *s);

/* The key of id: prefix + id (kv_store_key). A new string. */
char *kv_share_key(const kv_share *s, const char *id);

/* Writes value (copied; NULL: deletes the key) under id's key on the
 * writer thread after line (stolen, may be NULL): a compare-and-set on the
 * key's revision this node knows (0: the key must never have been
 * written); a delete is not compared. A key at another revision is
 * ERR_CONFLICT naming field and what ("preset 'p3'"). finish(undo, ok)
 * then runs on the main loop, free_undo frees undo (either may be NULL);
 * a refusal fails the fenced request (persist_remote). */
void kv_share_write(kv_share *s, audit_line *line, const char *id, const char *value,
                    const char *field, const char *what, persist_finish_fn finish,
                    GDestroyNotify free_undo, void *undo);

/* Writes value under id's key at start, only when the key was never
 * written (a deleted key keeps its marker). Blocks. Returns 0 (also when
 * the key was there), or -1 with err (ERR_UNAVAILABLE). */
int kv_share_put_new(kv_share *s, const char *id, const char *value, pantau_error *err);

/* Called for each revision of a key newer than the node knew: key and
 * value borrowed, value NULL when the key was deleted. */
typedef void (*kv_share_fn)(const char *key, const char *value, void *data);

/* Watches the share's keys (kv_store_watch). Returns 0, or -1 with err. */
int kv_share_watch(kv_share *s, kv_share_fn fn, void *data, pantau_error *err);

#endif
