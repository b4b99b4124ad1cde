/* cluster_events.h - sources' events between the nodes of a cluster
 * (docs/cluster.md): each event a source raises on this node
 * (BUS_SOURCE_EVENT) is published on the core NATS subject
 * <bucket>.event.<source> (the source id as in the bucket's keys), and the
 * events of the other nodes reach this node's alarm center
 * (alarm_relayed_event), unless this node runs that source itself and it
 * is up (its own events are the same). Main loop only. */
#ifndef PANTAU_CLUSTER_EVENTS_H
#define PANTAU_CLUSTER_EVENTS_H

#include "alarm.h"
#include "bus.h"
#include "kv_store.h"
#include "pantau_error.h"
#include "source.h"

typedef struct event_relay event_relay;

/* Relays the events of reg's sources on bus to the other nodes through
 * kv, and theirs to a (all borrowed, they outlive it; a NULL: no alarm
 * center, nothing relayed, NULL returned). prefix (the bucket's name) and
 * node are copied. Returns the relay, or NULL with err set. */
event_relay *event_relay_new(alarm_center *a, source_registry *reg, event_bus *bus, kv_store *kv,
                             const char *prefix, const char *node, pantau_error *err);

/* Stops relaying and frees r (NULL is fine); after kv_store_unwatch. */
void event_relay_free(event_relay *r);

#endif
