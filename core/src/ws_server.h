/* ws_server.h - libwebsockets on the GLib main loop: HTTP for the pages,
 * one WebSocket per client at /ws, a bounded outgoing queue per client. */
#ifndef PANTAU_WS_SERVER_H
#define PANTAU_WS_SERVER_H

#include <jansson.h>

struct pantau_server;
typedef struct ws_server ws_server;

/* Limits of the protocol (docs/protocol.md). */
#define WS_MAX_MESSAGE 65536
#define WS_RATE_PER_SECOND 100
#define WS_QUEUE_MAX_MESSAGES 4096
#define WS_QUEUE_MAX_BYTES (16u * 1024u * 1024u)

/* Starts listening on the server's main loop. Returns NULL (logged) when
 * the address cannot be bound. */
ws_server *ws_server_start(struct pantau_server *srv, const char *listen, int port);

/* The port actually bound (useful with port 0). */
int ws_server_port(const ws_server *ws);

/* Queues event (borrowed) for every connected client, serialised once. */
void ws_server_broadcast(ws_server *ws, const json_t *event);

/* Closes every connection and the listening socket. */
void ws_server_free(ws_server *ws);

#endif
