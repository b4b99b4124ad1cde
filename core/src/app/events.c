#include "events.h"

#include "alarm_rules.h"
#include "source.h"

struct events {
    event_bus *bus;
    events_out out;
};

json_t *events_make(const char *name, json_t *fields)
{
    json_t *msg = json_pack("{s:s}", "ev", name);
    if (fields)
        json_object_update(msg, fields);
    json_decref(fields);
    return msg;
}

/* Sends msg (stolen) to every client. */
static void to_all(const events *e, json_t *msg)
{
    e->out.broadcast(e->out.user, msg);
    json_decref(msg);
}

/* {"ev": "presentation"}: a live run's state goes to every client, a
 * rehearsal's (notes included) only to the session rehearsing. */
static void presentation_event(const events *e, const bus_event *ev)
{
    const json_t *state = ev->presentation.state;
    json_t *msg = events_make("presentation",
                              json_pack("{s:s, s:s, s:O}", "wall", ev->presentation.wall_id, "mode",
                                        ev->presentation.rehearsal ? "rehearsal" : "live", "state",
                                        state ? state : json_null()));
    if (!ev->presentation.rehearsal) {
        to_all(e, msg);
        return;
    }
    session_send_json(ev->presentation.owner, msg);
    json_decref(msg);
}

/* {"ev": "data"}: only pages that show the widget get its data. */
static void source_data_event(const events *e, const pantau_source *src)
{
    json_t *msg =
        events_make("data", json_pack("{s:s, s:O, s:I}", "source", src->id, "data", src->last_data,
                                      "time", (json_int_t)src->last_data_ms));
    e->out.to_viewers(e->out.user, src->id, msg);
    json_decref(msg);
}

/* {"ev": "event"}: a plugin's event, to every client. */
static void source_event_event(const events *e, const bus_event *ev)
{
    json_t *msg = events_make(
        "event", json_pack("{s:s, s:s, s:s, s:I}", "source", ev->source_event.source->id,
                           "severity", alarm_severity_name(ev->source_event.severity), "message",
                           ev->source_event.message, "time", (json_int_t)ev->source_event.time_ms));
    if (ev->source_event.details)
        json_object_set_new(msg, "details", json_deep_copy(ev->source_event.details));
    to_all(e, msg);
}

/* {"ev": "ptz.held"}: who steers a camera now (null: nobody), to every
 * client; the holder's own session gets it first with "you": true, so its
 * console knows the camera is its own (two sessions may share a user). */
static void ptz_held_event(const events *e, const bus_event *ev)
{
    const session *holder = ev->ptz_held.holder;
    json_t *by = holder && holder->user ? json_string(holder->user) : json_null();
    if (holder) {
        json_t *mine =
            events_make("ptz.held", json_pack("{s:s, s:O, s:b}", "source", ev->ptz_held.source_id,
                                              "by", by, "you", true));
        session_send_json(holder, mine);
        json_decref(mine);
    }
    to_all(e, events_make("ptz.held",
                          json_pack("{s:s, s:o}", "source", ev->ptz_held.source_id, "by", by)));
}

/* One protocol message per event. Wall and preset changes go to every
 * client, each with its new state; an evicted login's sockets close. */
static void to_clients(const bus_event *ev, void *user)
{
    const events *e = user;
    switch (ev->kind) {
    case BUS_WALL_CHANGED:
        to_all(e, events_make("wall",
                              json_pack("{s:o}", "wall", wall_to_json(ev->wall_changed.wall))));
        return;
    case BUS_PRESET_SAVED:
        /* One event per changed preset, not the whole list: a burst of saves
         * costs every client O(1) bytes per save, whatever the number of
         * presets. */
        to_all(e, events_make("preset", json_pack("{s:o}", "preset",
                                                  preset_to_json(ev->preset_saved.preset))));
        return;
    case BUS_PRESET_DELETED:
        to_all(e, events_make("preset.deleted",
                              json_pack("{s:s}", "preset", ev->preset_deleted.preset_id)));
        return;
    case BUS_PRESENTATION:
        presentation_event(e, ev);
        return;
    case BUS_LOGIN_ENDED:
        e->out.close_login(e->out.user, ev->login_ended.login_id);
        return;
    case BUS_SOURCE_DATA:
        source_data_event(e, ev->source_data.source);
        return;
    case BUS_SOURCE_STATUS:
        to_all(e, events_make("source", json_pack("{s:o}", "source",
                                                  source_to_json(ev->source_status.source))));
        return;
    case BUS_SOURCE_EVENT:
        source_event_event(e, ev);
        return;
    case BUS_SOURCE_ADDED:
        to_all(e, events_make("source", json_pack("{s:o}", "source",
                                                  source_to_json(ev->source_added.source))));
        return;
    case BUS_SOURCE_REMOVED:
        to_all(e, events_make("source.removed",
                              json_pack("{s:s}", "source", ev->source_removed.source_id)));
        return;
    case BUS_STATS:
        to_all(e, events_make("stats", json_pack("{s:O}", "sources", ev->stats.sources)));
        return;
    case BUS_ALARM:
        to_all(e, events_make("alarm", json_pack("{s:O}", "alarm", ev->alarm.alarm)));
        return;
    case BUS_PTZ_HELD:
        ptz_held_event(e, ev);
        return;
    case BUS_NODES:
        to_all(e, events_make("nodes", json_pack("{s:O}", "cluster", ev->nodes.cluster)));
        return;
    case BUS_HANDOVER:
        to_all(e, events_make("handover", json_pack("{s:{s:s, s:s}}", "node", "name",
                                                    ev->handover.name, "url", ev->handover.url)));
        return;
    case BUS_KIND_COUNT:
        return;
    }
}

static const enum bus_kind client_kinds[] = {
    BUS_WALL_CHANGED, BUS_PRESET_SAVED,   BUS_PRESET_DELETED, BUS_PRESENTATION, BUS_LOGIN_ENDED,
    BUS_SOURCE_DATA,  BUS_SOURCE_STATUS,  BUS_SOURCE_EVENT,   BUS_STATS,        BUS_ALARM,
    BUS_SOURCE_ADDED, BUS_SOURCE_REMOVED, BUS_PTZ_HELD,       BUS_NODES,        BUS_HANDOVER,
};

events *events_attach(event_bus *bus, const events_out *out)
{
    events *e = g_new0(events, 1);
    e->bus = bus;
    e->out = *out;
    for (size_t i = 0; i < G_N_ELEMENTS(client_kinds); i++)
        bus_subscribe(bus, client_kinds[i], to_clients, e);
    return e;
}

void events_detach(events *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(client_kinds); i++)
        bus_unsubscribe(e->bus, client_kinds[i], to_clients, e);
    g_free(e);
}
