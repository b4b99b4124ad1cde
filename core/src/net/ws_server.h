/* ws_server.h - libwebsockets on the GLib main loop: HTTP for the pages,
 * one WebSocket per client at /ws, a bounded outgoing queue per client. */
#ifndef PANTAU_WS_SERVER_H
#define PANTAU_WS_SERVER_H

#include "listen_addr.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pantau_server;
typedef struct ws_server ws_server;
typedef struct ws_client ws_client;
typedef struct ws_msg ws_msg;

/* Limits of the protocol (docs/protocol.md). */
/* The longest Location a redirect to /login carries (the page to come back
 * to, escaped); a longer address is answered 414. */
#define WS_REDIRECT_MAX_BYTES 8192
#define WS_MAX_MESSAGE 65536
#define WS_RATE_PER_SECOND 100
/* Requests of one client whose replies wait for the disk; more are refused
 * (rate_limited), so a slow disk cannot make the write queue grow without
 * bound. */
#define WS_MAX_PENDING_REPLIES 32
#define WS_QUEUE_MAX_MESSAGES 4096
#define WS_QUEUE_MAX_BYTES (16u * 1024u * 1024u)
/* How often sockets are checked for a login session that has expired. */
#define WS_SESSION_CHECK_SECONDS 5
/* Room for all the headers of one HTTP request, cookies included; a
 * request with more is closed unanswered (docs/security.md). */
#define WS_HEADER_SPACE_BYTES 16384
/* Video waiting for one client beyond this is dropped up to a keyframe. */
#define WS_MEDIA_QUEUE_MAX_BYTES (4u * 1024u * 1024u)
/* Queued messages are written together up to this many bytes per send();
 * a longer message goes out in parts of this size (WebSocket fragments). */
#define WS_COALESCE_MAX_BYTES (256u * 1024u)
/* A client whose queue has not moved for this long is not keeping up: past
 * the total budget for client queues (server.client_queue_budget_mib) it may
 * be cut off, those stalled longest first. */
#define WS_STALLED_MS 2000
/* A client that is cut off and does not read its close frame within this is
 * closed without it, which frees what its socket holds. */
#define WS_CUT_CLOSE_SECONDS 10

/* Starts listening on the server's main loop. Returns NULL (logged) when
 * the address cannot be bound. */
ws_server *ws_server_start(struct pantau_server *srv, const listen_addr *bind, int port);

/* The port actually bound (useful with port 0). */
int ws_server_port(const ws_server *ws);

/* Queues event (borrowed) for every connected client, serialised once. */
void ws_server_broadcast(ws_server *ws, const json_t *event);

/* Queues event (borrowed) for every client whose session shows source_id. */
void ws_server_send_to_viewers(ws_server *ws, const char *source_id, const json_t *event);

/* Queues value (borrowed) for one client; control messages are never
 * dropped (a client that cannot take them is disconnected). */
void ws_client_send_json(ws_client *c, const json_t *value);

/* Queues a video frame for one client unless its media gate drops it. */
void ws_client_send_media(ws_client *c, ws_msg *frame);

/* The client stopped watching stream: forget its drop state. */
void ws_client_forget_stream(ws_client *c, uint32_t stream);

/* A binary message of head then body (both copied), refcount 1. Safe from
 * any thread until it is handed to the main loop; ref/unref are main loop
 * only. */
ws_msg *ws_msg_new_binary(const void *head, size_t head_len, const void *body, size_t body_len,
                          uint32_t stream, bool keyframe);
ws_msg *ws_msg_ref(ws_msg *m);
void ws_msg_unref(ws_msg *m);
size_t ws_msg_size(const ws_msg *m);
/* The message's bytes (ws_msg_size of them). */
const uint8_t *ws_msg_bytes(const ws_msg *m);

/* The client has a stream's frames only from its next keyframe on. */
void ws_client_expect_keyframe(ws_client *c, uint32_t stream);

/* Closes (code 1008, "logged out") every WebSocket opened with the login
 * session login_id. */
void ws_server_close_login(ws_server *ws, const char *login_id);

/* Closes every connection and the listening socket. */
void ws_server_free(ws_server *ws);

/* Video frames for idle clients sent between hold and release wait and go out together at the
 * release, one write per client (several frames at once cost one system call). Nests; NULL is
 * a no-op. Main loop only, and never across a return to the loop. */
void ws_server_hold_video(ws_server *ws);
void ws_server_release_video(ws_server *ws);

#endif
