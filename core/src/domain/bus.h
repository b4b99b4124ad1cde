/* bus.h - the domain's event bus: a change emits one typed event, and every
 * subscriber of its kind is called at once, in subscription order. app/ is
 * the one subscriber that turns events into protocol messages (events.h).
 * Synchronous and main loop only; a subscriber may emit (nested emits) and
 * may subscribe or unsubscribe, also itself, while an event is delivered. */
#ifndef PANTAU_BUS_H
#define PANTAU_BUS_H

#include "pantau/plugin.h"
#include "preset_store.h"
#include "session.h"
#include "wall.h"

#include <jansson.h>
#include <stdbool.h>

enum bus_kind {
    BUS_WALL_CHANGED,   /* a wall's layout and version changed */
    BUS_PRESET_SAVED,   /* a preset was saved, renamed or restored */
    BUS_PRESET_DELETED, /* a preset was deleted (or a save taken back) */
    BUS_PRESENTATION,   /* a presentation run started, moved a step or stopped */
    BUS_LOGIN_ENDED,    /* a login session ended early (evicted by a newer one) */
    BUS_SOURCE_DATA,    /* a widget published data (source->last_data) */
    BUS_SOURCE_STATUS,  /* a source's status or reason changed */
    BUS_SOURCE_EVENT,   /* a plugin raised an event for a source */
    BUS_SOURCE_ADDED,   /* a source was added, or recreated with new settings */
    BUS_SOURCE_REMOVED, /* a source was removed */
    BUS_STATS,          /* the cameras' figures, every second while there are cameras */
    BUS_ALARM,          /* an alarm was raised, repeated, acknowledged, cleared or shown */
    BUS_PTZ_HELD,       /* a camera is steered by a session now, or free again (ptz.h) */
    BUS_NODES,          /* a cluster's live nodes, or its NATS availability, changed */
    BUS_HANDOVER,       /* this node stops: its clients are to go to another node */
    BUS_KIND_COUNT,
};

/* One event. Every pointer in it is borrowed for the call only: a
 * subscriber copies what it keeps. */
typedef struct bus_event {
    enum bus_kind kind;
    union {
        struct {
            const wall *wall;
        } wall_changed;
        struct {
            const preset *preset;
        } preset_saved;
        struct {
            const char *preset_id;
        } preset_deleted;
        struct {
            const char *wall_id;
            bool rehearsal;
            /* The run's state, notes included for a rehearsal; NULL: stopped. */
            const json_t *state;
            /* A rehearsal's session, the only one told; NULL: everyone. */
            const session *owner;
        } presentation;
        struct {
            const char *login_id; /* a secret: never sent, never logged */
        } login_ended;
        struct {
            pantau_source *source;
        } source_data;
        struct {
            pantau_source *source;
            enum pantau_source_status old; /* the status before */
        } source_status;
        struct {
            pantau_source *source;
        } source_added;
        struct {
            const char *source_id;
        } source_removed;
        struct {
            pantau_source *source;
            enum pantau_severity severity;
            const char *message;   /* redacted */
            const json_t *details; /* may be NULL */
            gint64 time_ms;        /* real time */
        } source_event;
        struct {
            const json_t *sources; /* {camera id: figures} (media_stats_json) */
        } stats;
        struct {
            const json_t *alarm; /* the alarm as clients see it (alarm_to_json) */
        } alarm;
        struct {
            const char *source_id;
            const session *holder; /* NULL: free again */
        } ptz_held;
        struct {
            const json_t *cluster; /* cluster_nodes_json */
        } nodes;
        struct {
            const char *name, *url; /* the node to go to */
        } handover;
    };
} bus_event;

/* A subscriber: ev is borrowed; user is what was given to bus_subscribe. */
typedef void (*bus_fn)(const bus_event *ev, void *user);

typedef struct event_bus event_bus;

/* A bus with no subscribers. Free with bus_free. */
event_bus *bus_new(void);
/* Frees the bus (NULL is ignored); not from inside a delivery. */
void bus_free(event_bus *bus);

/* Calls fn(ev, user) for every later event of kind. A subscription made
 * during a delivery starts with the next event. bus NULL: nothing (nobody
 * emits on it either). */
void bus_subscribe(event_bus *bus, enum bus_kind kind, bus_fn fn, void *user);
/* Ends every subscription of fn with user (to kind); unknown ones and bus
 * NULL are ignored. Safe during a delivery: fn is not called again after it. */
void bus_unsubscribe(event_bus *bus, enum bus_kind kind, bus_fn fn, void *user);

/* Delivers ev (borrowed) to the subscribers of ev->kind before returning.
 * bus NULL: nobody listens (unit tests that do not look). */
void bus_emit(event_bus *bus, const bus_event *ev);

#endif
