#include "bus.h"

#include <glib.h>
#include <stdbool.h>

typedef struct bus_sub {
    bus_fn fn; /* NULL: unsubscribed during a delivery, removed after it */
    void *user;
} bus_sub;

struct event_bus {
    GArray *subs[BUS_KIND_COUNT]; /* bus_sub, in subscription order */
    int depth;                    /* deliveries running (nested emits) */
    bool dirty;                   /* some sub was unsubscribed during a delivery */
};

event_bus *bus_new(void)
{
    event_bus *bus = g_new0(event_bus, 1);
    for (int k = 0; k < BUS_KIND_COUNT; k++)
        bus->subs[k] = g_array_new(FALSE, FALSE, sizeof(bus_sub));
    return bus;
}

void bus_free(event_bus *bus)
{
    if (!bus)
        return;
    for (int k = 0; k < BUS_KIND_COUNT; k++)
        g_array_free(bus->subs[k], TRUE);
    g_free(bus);
}

void bus_subscribe(event_bus *bus, enum bus_kind kind, bus_fn fn, void *user)
{
    if (!bus)
        return;
    g_array_append_val(bus->subs[kind], ((bus_sub){fn, user}));
}

void bus_unsubscribe(event_bus *bus, enum bus_kind kind, bus_fn fn, void *user)
{
    if (!bus)
        return;
    GArray *subs = bus->subs[kind];
    for (guint i = subs->len; i-- > 0;) {
        bus_sub *s = &g_array_index(subs, bus_sub, i);
        if (s->fn != fn || s->user != user)
            continue;
        if (bus->depth > 0) {
            s->fn = NULL; /* a delivery may be walking this array */
            bus->dirty = true;
        } else {
            g_array_remove_index(subs, i);
        }
    }
}

/* Drops the subscriptions ended during deliveries, once none runs. */
static void bus_compact(event_bus *bus)
{
    for (int k = 0; k < BUS_KIND_COUNT; k++) {
        GArray *subs = bus->subs[k];
        for (guint i = subs->len; i-- > 0;)
            if (!g_array_index(subs, bus_sub, i).fn)
                g_array_remove_index(subs, i);
    }
    bus->dirty = false;
}

void bus_emit(event_bus *bus, const bus_event *ev)
{
    if (!bus)
        return;
    GArray *subs = bus->subs[ev->kind];
    guint n = subs->len; /* later subscriptions start with the next event */
    bus->depth++;
    for (guint i = 0; i < n; i++) {
        /* Index again each time: a nested subscribe may move the array. */
        bus_sub s = g_array_index(subs, bus_sub, i);
        if (s.fn)
            s.fn(ev, s.user);
    }
    bus->depth--;
    if (bus->depth == 0 && bus->dirty)
        bus_compact(bus);
}
