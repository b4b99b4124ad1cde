#include "events.h"

#include "alarm_rules.h"
#include "bus.h"
#include "source.h"
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

/* {"ev": "data"}: only pages that show the widget get its data. */
static void source_data_event(pantau_server *srv, const pantau_source *src)
{
    if (!srv->ws)
        return;
    json_t *msg = json_pack("{s:s, s:s, s:O, s:I}", "ev", "data", "source", src->id, "data",
                            src->last_data, "time", (json_int_t)src->last_data_ms);
    ws_server_send_to_viewers(srv->ws, src->id, msg);
    json_decref(msg);
}

/* {"ev": "event"}: a plugin's event, to every client. */
static void source_event_event(pantau_server *srv, const bus_event *ev)
{
    json_t *msg =
        json_pack("{s:s, s:s, s:s, s:s, s:I}", "ev", "event", "source", ev->source_event.source->id,
                  "severity", alarm_severity_name(ev->source_event.severity), "message",
                  ev->source_event.message, "time", (json_int_t)ev->source_event.time_ms);
    if (ev->source_event.details)
        json_object_set_new(msg, "details", json_deep_copy(ev->source_event.details));
    server_broadcast(srv, msg);
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
    case BUS_SOURCE_DATA:
        source_data_event(srv, ev->source_data.source);
        return;
    case BUS_SOURCE_STATUS:
        server_broadcast(srv, json_pack("{s:s, s:o}", "ev", "source", "source",
                                        source_to_json(ev->source_status.source)));
        return;
    case BUS_SOURCE_EVENT:
        source_event_event(srv, ev);
        return;
    case BUS_ALARM:
        server_broadcast(srv, json_pack("{s:s, s:O}", "ev", "alarm", "alarm", ev->alarm.alarm));
        return;
    case BUS_KIND_COUNT:
        return;
    }
}

static const enum bus_kind client_kinds[] = {
    BUS_WALL_CHANGED, BUS_PRESET_SAVED,  BUS_PRESET_DELETED, BUS_PRESENTATION, BUS_LOGIN_ENDED,
    BUS_SOURCE_DATA,  BUS_SOURCE_STATUS, BUS_SOURCE_EVENT,   BUS_ALARM,
};

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
