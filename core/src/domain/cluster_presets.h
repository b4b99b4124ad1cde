/* cluster_presets.h - presets in a cluster's shared store (docs/cluster.md):
 * each preset is the key preset.<id>; a save or rename is a compare-and-set
 * on the revision of that key the node knows, a delete deletes the key;
 * every node takes each change from its watch and emits it
 * (BUS_PRESET_SAVED, BUS_PRESET_DELETED). Main loop only. */
#ifndef PANTAU_CLUSTER_PRESETS_H
#define PANTAU_CLUSTER_PRESETS_H

#include "audit.h"
#include "bus.h"
#include "kv_store.h"
#include "pantau_error.h"
#include "persist.h"
#include "preset_store.h"

typedef struct preset_share preset_share;

/* Keeps ps's presets in kv (all borrowed, they outlive it): each preset
 * of ps the store never had is put there (blocks), ps's write hook then
 * writes to kv through persist (after the change's audit line in audit,
 * may be NULL) instead of files, and a watch takes every node's changes
 * into ps, emitted on bus. A change the store refuses (ERR_CONFLICT,
 * ERR_UNAVAILABLE) is taken back and fails the fenced request. Returns
 * the share, or NULL with err. */
preset_share *preset_share_new(preset_store *ps, event_bus *bus, persister *persist,
                               audit_log *audit, kv_store *kv, pantau_error *err);

/* Frees sh (NULL is fine); call after kv_store_free (no watch runs). */
void preset_share_free(preset_share *sh);

#endif
