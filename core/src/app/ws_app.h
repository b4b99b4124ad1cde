/* ws_app.h - the WebSocket server as the application starts it: the
 * configuration values and services it is given, and the callbacks through
 * which it reaches app/ (ops for requests, the snapshot, the sinks, what a
 * closing session releases). Main loop only. */
#ifndef PANTAU_WS_APP_H
#define PANTAU_WS_APP_H

#include "events.h"
#include "server.h"
#include "ws_server.h"

/* Starts the WebSocket server of srv (borrowed, outlives it) on port.
 * NULL (logged) when the address cannot be bound. */
ws_server *ws_app_start(pantau_server *srv, int port);

/* Protocol messages to the clients of srv->ws (none while it is NULL). */
events_out ws_app_events_out(pantau_server *srv);

#endif
