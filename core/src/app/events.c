#include "events.h"

#include "bus.h"
#include "ws_server.h"

/* {"ev": "presentation"}: a live run's state goes to every client, a
 * rehearsal's (notes included) only to the session rehearsing. */
static void presentation_event(pantau_server *srv, const bus_event *ev)
{
    const json_t *state = ev->presentation.state;
    json_t *msg = json_pack(
        "{s:s, s:s, s:s, s:O}", "ev", "presentation", "wall", ev->presentation.wall_id, "mode",
        ev->presentation.rehearsal ? "rehearsal" : "live", "state", state ? state : json_null());
    const session *owner = ev->presentation.owner;
    if (!ev->presentation.rehearsal) {
        server_broadcast(srv, msg);
        return;
    }
    if (srv->ws && owner && owner->transport)
        ws_client_send_json(owner->transport, msg);
    json_decref(msg);
}

/* One protocol message per event. Wall and preset changes go to every
 * client, each with its new state; an evicted login's sockets close. */
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
    case BUS_PRESENTATION:
        presentation_event(srv, ev);
        return;
    case BUS_LOGIN_ENDED:
        if (srv->ws)
            ws_server_close_login(srv->ws, ev->login_ended.login_id);
        return;
    case BUS_KIND_COUNT:
        return;
    }
}

static const enum bus_kind client_kinds[] = {BUS_WALL_CHANGED, BUS_PRESET_SAVED, BUS_PRESET_DELETED,
                                             BUS_PRESENTATION};

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
