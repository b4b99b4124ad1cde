/* events.h - the one place that turns the domain's events (bus.h) into
 * protocol events {"ev": ...} and decides who gets each: wall and preset
 * changes, live presentations and the cameras' stats go to every client, a
 * widget's data to the clients showing it, a rehearsal only to its session
 * (through its sink, session.h). Main loop only. */
#ifndef PANTAU_EVENTS_H
#define PANTAU_EVENTS_H

#include "bus.h"

#include <jansson.h>

/* Where protocol messages go. app fills it with the WebSocket server's
 * functions (ws_app.h); a unit test with recorders. Messages are borrowed
 * for the call. */
typedef struct events_out {
    void (*broadcast)(void *user, const json_t *msg);                         /* every client */
    void (*to_viewers)(void *user, const char *source_id, const json_t *msg); /* showing it */
    void (*close_login)(void *user, const char *login_id); /* close its sockets (1008) */
    void *user;
} events_out;

/* The protocol writer attached to a bus. */
typedef struct events events;

/* A protocol event: {"ev": name} followed by the members of fields (stolen,
 * may be NULL), in their order. New reference. */
json_t *events_make(const char *name, json_t *fields);

/* Subscribes the protocol writer to bus (borrowed; outlives the
 * subscription): each event becomes one message through out (copied).
 * Undo with events_detach. */
events *events_attach(event_bus *bus, const events_out *out);
/* Ends what events_attach started. NULL is ignored. */
void events_detach(events *e);

#endif
