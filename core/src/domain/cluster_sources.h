/* cluster_sources.h - sources added, changed and removed at runtime in a
 * cluster's shared store (docs/cluster.md): each changed source is the key
 * source.<id> holding its entry (secrets included: the store is the
 * server's, never a browser's), a removal deletes the key; every node
 * applies each change from its watch (starts, restarts or stops the
 * source), and a node that starts takes them. Main loop only. */
#ifndef PANTAU_CLUSTER_SOURCES_H
#define PANTAU_CLUSTER_SOURCES_H

#include "kv_store.h"
#include "pantau_error.h"
#include "persist.h"
#include "source.h"
#include "source_edit.h"

typedef struct source_share source_share;

/* Keeps ed's changes of reg's sources in kv (all borrowed, they outlive
 * it): ed's hook writes them there through persist instead of
 * sources.json, each as a compare-and-set on the key's revision the node
 * knows, and a watch applies every node's. Returns the share, or NULL
 * with err. */
source_share *source_share_new(source_editor *ed, source_registry *reg, persister *persist,
                               kv_store *kv, pantau_error *err);

/* Frees sh (NULL is fine); call after kv_store_free (no watch runs). */
void source_share_free(source_share *sh);

#endif
