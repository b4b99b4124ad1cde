/* cluster_nodes.h - the nodes of a cluster (docs/cluster.md, "Nodes and
 * failover"): each node announces its name and public URL in the bucket
 * <bucket>-nodes with a heartbeat, watches the others', and tells its
 * clients (BUS_NODES) which nodes are live and whether NATS takes writes;
 * a node stopping hands its clients over (BUS_HANDOVER). */
#ifndef PANTAU_CLUSTER_NODES_H
#define PANTAU_CLUSTER_NODES_H

#include "bus.h"
#include "kv_store.h"
#include "pantau_error.h"

#include <jansson.h>
#include <stdbool.h>

/* A node writes its key this often; a node not heard of for
 * CLUSTER_NODES_LIVE_MS is no longer listed. */
#define CLUSTER_NODES_HEARTBEAT_MS 1000
#define CLUSTER_NODES_LIVE_MS 5000
/* A heartbeat written longer ago than this by the writer's clock (a dead
 * node's last, which a new watch delivers first) does not count; the
 * nodes' clocks may differ by less. */
#define CLUSTER_NODES_STALE_MS 30000
/* How long the nodes bucket keeps a key nobody writes any more. */
#define CLUSTER_NODES_TTL_MS 60000

typedef struct cluster_nodes cluster_nodes;

/* Starts announcing this node (name; url its public URL, NULL: not offered
 * to pages; both copied) in kv (stolen: closed by cluster_nodes_free) and
 * watching the other nodes' keys; changes of the list are emitted on bus.
 * Returns the nodes, or NULL with err (kv closed). */
cluster_nodes *cluster_nodes_start(kv_store *kv, const char *name, const char *url, event_bus *bus,
                                   pantau_error *err);

/* Stops the heartbeat, removes this node's key (blocks up to the store's
 * timeout) and closes the store. NULL is fine. */
void cluster_nodes_free(cluster_nodes *n);

/* {"nodes": [{"name", "url", "self"}…], "available": bool}: the live nodes
 * with a public URL, by name, and whether the last heartbeat was taken by
 * NATS. New reference. */
json_t *cluster_nodes_json(const cluster_nodes *n);

/* Whether origin (borrowed, e.g. "http://10.0.0.2:8080") is the public URL
 * of a node of the cluster (this one included). n NULL: false. */
bool cluster_nodes_origin_is_peer(const cluster_nodes *n, const char *origin);

/* A change was refused for want of NATS: until a heartbeat is taken again
 * this node says NATS does not take its writes (emitted at once). Main
 * loop; n NULL: nothing. */
void cluster_nodes_refused(cluster_nodes *n);

/* Emits BUS_HANDOVER naming the live node after this one (by name) that has
 * a public URL: true, or false (nothing emitted) when there is none. Either
 * way this node stops announcing itself (its key is deleted). */
bool cluster_nodes_hand_over(cluster_nodes *n);

#endif
