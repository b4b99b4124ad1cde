#include "dch_threshold.h"

#include <glib.h>
#include <math.h>

struct dch_conditions {
    GHashTable *active; /* key (owned) -> GINT_TO_POINTER(1) when true */
};

void dch_threshold_init(pt_threshold *t, double raise_at, double hysteresis)
{
    if (!(hysteresis > 0))
        hysteresis = 0;
    /* "below c" is "at or below the next double under c" */
    pt_threshold_init(t, raise_at, nextafter(raise_at - hysteresis, -INFINITY), 0);
}

dch_conditions *dch_conditions_new(void)
{
    dch_conditions *set = g_new0(dch_conditions, 1);
    set->active = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return set;
}

void dch_conditions_free(dch_conditions *set)
{
    if (!set)
        return;
    g_hash_table_destroy(set->active);
    g_free(set);
}

enum dch_edge dch_conditions_set(dch_conditions *set, const char *key, bool active)
{
    bool was = g_hash_table_contains(set->active, key);
    if (was == active)
        return DCH_EDGE_NONE;
    if (active) {
        g_hash_table_add(set->active, g_strdup(key));
        return DCH_EDGE_RAISED;
    }
    g_hash_table_remove(set->active, key);
    return DCH_EDGE_CLEARED;
}

bool dch_conditions_get(const dch_conditions *set, const char *key)
{
    return g_hash_table_contains(set->active, key);
}
