/* cluster_presentations.h - the live step of presentations in a cluster's
 * shared store (docs/cluster.md): the key presentation.<wall id> holds the
 * live run on that wall (which presentation, its step, when it started,
 * the node that moved it last), deleted when it stops, written once the
 * wall's change of the step was taken (one refused puts the run back as it
 * was). Every node shows
 * each run to its clients from its watch; the node that moved it last ends
 * a step's dwell, any other only when that one did not (a grace later),
 * so a node that starts or is left alone continues the run. Main loop
 * only. */
#ifndef PANTAU_CLUSTER_PRESENTATIONS_H
#define PANTAU_CLUSTER_PRESENTATIONS_H

#include "kv_store.h"
#include "pantau_error.h"
#include "persist.h"
#include "presentation.h"
#include "walls.h"

/* How long after a step's dwell a node that did not move the run last
 * moves it on (the one that did is gone). */
#define PRES_TAKEOVER_GRACE_MS 2000

typedef struct presentation_share presentation_share;

/* Shares pc's live runs on walls in kv as node (all borrowed, they
 * outlive it; pc NULL: no presentations, nothing shared). Returns the
 * share (NULL too when pc is), or NULL with err set. */
presentation_share *presentation_share_new(presentation_center *pc, wall_service *walls,
                                           persister *persist, kv_store *kv, const char *node,
                                           pantau_error *err);

/* Stops sh changing the center (NULL is fine): call before the center
 * goes (a change still being written then is only written). */
void presentation_share_stop(presentation_share *sh);

/* Frees sh (NULL is fine); call after kv_store_free (no watch runs). */
void presentation_share_free(presentation_share *sh);

#endif
