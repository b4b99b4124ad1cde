#include "threshold.h"

#include <math.h>

static void set_limits(pt_threshold *t, double raise_above, double clear_at_or_below,
                       int64_t hold_ms)
{
    t->raise_above = raise_above;
    t->clear_at_or_below = clear_at_or_below > raise_above ? raise_above : clear_at_or_below;
    t->hold_ms = hold_ms > 0 ? hold_ms : 0;
}

void pt_threshold_init(pt_threshold *t, double raise_above, double clear_at_or_below,
                       int64_t hold_ms)
{
    *t = (pt_threshold){0};
    set_limits(t, raise_above, clear_at_or_below, hold_ms);
}

void pt_threshold_set_limits(pt_threshold *t, double raise_above, double clear_at_or_below,
                             int64_t hold_ms)
{
    set_limits(t, raise_above, clear_at_or_below, hold_ms);
}

static pt_change feed_above(pt_threshold *t, int64_t now_ms)
{
    if (t->active)
        return PT_UNCHANGED;
    if (!t->pending) {
        t->pending = true;
        t->above_since_ms = now_ms;
    }
    if (now_ms - t->above_since_ms < t->hold_ms)
        return PT_UNCHANGED;
    t->pending = false;
    t->active = true;
    return PT_RAISED;
}

pt_change pt_threshold_feed(pt_threshold *t, double value, int64_t now_ms)
{
    if (isnan(value))
        return PT_UNCHANGED;
    if (value > t->raise_above)
        return feed_above(t, now_ms);
    t->pending = false;
    if (!t->active || value > t->clear_at_or_below)
        return PT_UNCHANGED;
    t->active = false;
    return PT_CLEARED;
}

int64_t pt_threshold_above_for(const pt_threshold *t, int64_t now_ms)
{
    if (!t->pending && !t->active)
        return 0;
    return now_ms > t->above_since_ms ? now_ms - t->above_since_ms : 0;
}
