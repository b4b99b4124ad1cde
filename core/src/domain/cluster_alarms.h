/* cluster_alarms.h - alarm state in a cluster's shared store
 * (docs/cluster.md): the key alarm.<hash of the alarm's identity> holds
 * the alarm as the node that changed it last has it (open, acknowledged
 * or cleared, by whom, its count); every node takes each change from its
 * watch (opening the alarm, acknowledging or clearing it) and a node that
 * starts takes the open ones. Main loop only. */
#ifndef PANTAU_CLUSTER_ALARMS_H
#define PANTAU_CLUSTER_ALARMS_H

#include "alarm.h"
#include "kv_store.h"
#include "pantau_error.h"
#include "persist.h"

typedef struct alarm_share alarm_share;

/* Shares a's alarms in kv (all borrowed, they outlive it; a NULL: nothing
 * shared, NULL returned). Returns the share, or NULL with err set. */
alarm_share *alarm_share_new(alarm_center *a, persister *persist, kv_store *kv, pantau_error *err);

/* Frees sh (NULL is fine); call after kv_store_free (no watch runs). */
void alarm_share_free(alarm_share *sh);

#endif
