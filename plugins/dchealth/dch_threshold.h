/* dch_threshold - crossing/clearing detection with hysteresis, and a set of
 * named on/off conditions, so that an event is raised once when a condition
 * starts and once when it ends, never while it holds. */
#ifndef DCH_THRESHOLD_H
#define DCH_THRESHOLD_H

#include <stdbool.h>

/* An "above" threshold: raises when value > raise_at, clears when value <
 * clear_at (clear_at <= raise_at; the gap is the hysteresis). */
typedef struct dch_threshold {
    double raise_at;
    double clear_at;
    bool active;
} dch_threshold;

enum dch_edge { DCH_EDGE_NONE = 0, DCH_EDGE_RAISED = 1, DCH_EDGE_CLEARED = -1 };

/* Makes a threshold that raises above raise_at and clears below
 * raise_at - hysteresis (hysteresis < 0 is taken as 0). Starts inactive. */
dch_threshold dch_threshold_make(double raise_at, double hysteresis);

/* Feeds one value; returns the edge it caused. NaN changes nothing. */
enum dch_edge dch_threshold_feed(dch_threshold *t, double value);

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
