#include "events.h"

#include "bus.h"

/* Every client sees every wall and preset change, each with its new state. */
static void to_clients(const bus_event *ev, void *user)
{
    pantau_server *srv = user;
    switch (ev->kind) {
    case BUS_WALL_CHANGED:
        server_broadcast(srv, json_pack("{s:s, s:o}", "ev", "wall", "wall",
                                        wall_to_json(ev->wall_changed.wall)));
        return;
    case BUS_PRESET_SAVED:
        /* One event per changed preset, not the whole list: a burst of saves
         * costs every client O(1) bytes per save, whatever the number of
         * presets. */
        server_broadcast(srv, json_pack("{s:s, s:o}", "ev", "preset", "preset",
                                        preset_to_json(ev->preset_saved.preset)));
        return;
    case BUS_PRESET_DELETED:
        server_broadcast(srv, json_pack("{s:s, s:s}", "ev", "preset.deleted", "preset",
                                        ev->preset_deleted.preset_id));
        return;
    case BUS_KIND_COUNT:
        return;
    }
}

static const enum bus_kind client_kinds[] = {BUS_WALL_CHANGED, BUS_PRESET_SAVED,
                                             BUS_PRESET_DELETED};

void events_attach(pantau_server *srv)
{
    for (size_t i = 0; i < G_N_ELEMENTS(client_kinds); i++)
        bus_subscribe(srv->bus, client_kinds[i], to_clients, srv);
}

void events_detach(pantau_server *srv)
{
    if (!srv->bus)
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(client_kinds); i++)
        bus_unsubscribe(srv->bus, client_kinds[i], to_clients, srv);
}
