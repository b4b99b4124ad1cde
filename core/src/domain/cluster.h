/* cluster.h - the "cluster" section of the configuration (docs/cluster.md,
 * docs/configuration.md): the NATS servers and the bucket a node keeps its
 * shared state in. Without it a node keeps its state in files, alone. */
#ifndef PANTAU_CLUSTER_H
#define PANTAU_CLUSTER_H

#include "config_check.h"
#include "kv_store.h"
#include "pantau_error.h"

#include <jansson.h>

/* The defaults of cluster.bucket, cluster.replicas and cluster.timeout_ms. */
#define CLUSTER_BUCKET_DEFAULT "pantau"
#define CLUSTER_REPLICAS_DEFAULT 1
#define CLUSTER_TIMEOUT_MS_DEFAULT 2000

/* Checks the section (borrowed, NULL: none), reporting at "cluster.…". */
void cluster_config_check(config_checker *c, const json_t *section);

/* Opens the shared store the section (borrowed, checked) names: connects
 * to its NATS servers, refuses one without JetStream, opens or makes the
 * bucket (cluster.bucket and suffix, e.g. "" or "-sessions"; its values
 * live ttl_ms, 0: for ever). Blocks. Returns the store, or NULL with err. */
kv_store *cluster_open(const json_t *section, const char *suffix, gint64 ttl_ms, pantau_error *err);

/* Opens the cluster's audit stream (cluster.audit_stream, by default
 * "<bucket>-audit"; made with cluster.replicas) on kv's connection (kv
 * borrowed, must outlive it). Blocks. Returns it, or NULL with err. */
kv_log *cluster_open_audit(const json_t *section, kv_store *kv, pantau_error *err);

#endif
