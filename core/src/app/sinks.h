/* sinks.h - how the domain reaches the network, wired by app/: the session
 * sink over a WebSocket client (session.h), and what the media engine is
 * given (media.h): the cameras' plugins, the video batching of the
 * WebSocket server, the room its frames need. Main loop only. */
#ifndef PANTAU_SINKS_H
#define PANTAU_SINKS_H

#include "media.h"
#include "server.h"
#include "session.h"
#include "ws_server.h"

/* Installs on s the sink that sends to c (borrowed; c outlives s's use of
 * it: the server closes s before c goes). */
void sinks_attach_ws(session *s, ws_client *c);

/* The media engine's dependencies from srv (borrowed, outlives the engine):
 * its sources, bus and stream grace period, frames with the room of
 * ws_frame_room(), streams opened through each camera's plugin type, video
 * held and released on srv->ws (none while it is NULL). */
media_deps sinks_media_deps(pantau_server *srv);

#endif
