/* threshold.h - a condition tracker that reports a crossing once and a
 * clearing once, with hysteresis and an optional hold time.
 *
 * Feed it a value at each new reading. It becomes active when the value has
 * stayed above raise_above for at least hold_ms, and inactive when the value
 * falls to clear_at_or_below or lower. Between the two levels it keeps its
 * state, so a value hovering at the limit never floods events. A NaN limit
 * never raises. Pure state, no I/O: safe to unit-test and to use from any
 * plugin. */
#ifndef PANTAU_PLUGIN_THRESHOLD_H
#define PANTAU_PLUGIN_THRESHOLD_H

#include <stdbool.h>
#include <stdint.h>

typedef enum pt_change {
    PT_UNCHANGED = 0, /* no event to raise */
    PT_RAISED = 1,    /* the condition became active: raise once */
    PT_CLEARED = 2,   /* the condition ended: raise the clearing once */
} pt_change;

typedef struct pt_threshold {
    double raise_above;       /* active when value > raise_above ... */
    double clear_at_or_below; /* ... inactive again when value <= this */
    int64_t hold_ms;          /* value must stay above for this long first */
    bool active;              /* the condition is raised now */
    bool pending;             /* above the limit, waiting for hold_ms */
    int64_t above_since_ms;   /* when the value went above (valid if pending or active) */
} pt_threshold;

/* Sets limits and forgets any state; clear_at_or_below is capped at raise_above. */
void pt_threshold_init(pt_threshold *t, double raise_above, double clear_at_or_below,
                       int64_t hold_ms);

/* Changes the limits and keeps the state (active stays active until cleared). */
void pt_threshold_set_limits(pt_threshold *t, double raise_above, double clear_at_or_below,
                             int64_t hold_ms);

/* Takes one reading at now_ms; returns what changed (at most one event). A
 * NaN reading changes nothing. */
pt_change pt_threshold_feed(pt_threshold *t, double value, int64_t now_ms);

/* How long the value has been above raise_above at now_ms, 0 when it is not. */
int64_t pt_threshold_above_for(const pt_threshold *t, int64_t now_ms);

#endif /* PANTAU_PLUGIN_THRESHOLD_H */
