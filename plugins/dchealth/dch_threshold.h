/* dch_threshold - the thresholds of dchealth (plugins/common's pt_threshold
 * with hysteresis, no hold time) and a set of named on/off conditions, so
 * that an event is raised once when a condition starts and once when it
 * ends, never while it holds. */
#ifndef DCH_THRESHOLD_H
#define DCH_THRESHOLD_H

#include "threshold.h"

#include <stdbool.h>

enum dch_edge { DCH_EDGE_NONE = 0, DCH_EDGE_RAISED = 1, DCH_EDGE_CLEARED = -1 };

/* Sets t to raise above raise_at and clear below raise_at - hysteresis
 * (hysteresis < 0 is taken as 0; a NaN raise_at never raises). Inactive. */
void dch_threshold_init(pt_threshold *t, double raise_at, double hysteresis);

/* A set of named boolean conditions (e.g. "check:web:down"). */
typedef struct dch_conditions dch_conditions;

dch_conditions *dch_conditions_new(void);
void dch_conditions_free(dch_conditions *set);

/* Sets a condition; returns the edge (RAISED when it became true, CLEARED
 * when it became false, NONE when unchanged). Unknown keys start false. */
enum dch_edge dch_conditions_set(dch_conditions *set, const char *key, bool active);

/* Whether a condition is true now. */
bool dch_conditions_get(const dch_conditions *set, const char *key);

#endif
