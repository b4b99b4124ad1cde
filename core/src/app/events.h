/* events.h - the one place that turns the domain's events (bus.h) into
 * protocol events {"ev": ...} and decides who gets each: wall and preset
 * changes and live presentations go to every client, a rehearsal only to
 * its session. Main loop only. */
#ifndef PANTAU_EVENTS_H
#define PANTAU_EVENTS_H

#include "server.h"

/* Subscribes the protocol writer to srv->bus (borrowed; both must outlive
 * the subscription): each event becomes one message through
 * server_broadcast. Undo with events_detach. */
void events_attach(pantau_server *srv);
/* Ends what events_attach started. */
void events_detach(pantau_server *srv);

#endif
