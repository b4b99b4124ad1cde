/* ws_server.h - libwebsockets on the GLib main loop: HTTP for the pages,
 * one WebSocket per client at /ws, a bounded outgoing queue per client. */
#ifndef PANTAU_WS_SERVER_H
#define PANTAU_WS_SERVER_H

#include "heap_trim.h"
#include "http_routes.h"
#include "listen_addr.h"
#include "export_http.h"
#include "media.h"
#include "media_frame.h"
#include "pantau_error.h"
#include "session.h"

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct auth_center;
typedef struct ws_server ws_server;
typedef struct ws_client ws_client;

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

/* What the server is given at start: the values of the configuration it
 * reads and the lower layers' services it uses. Pointers are borrowed and
 * outlive the server. */
typedef struct ws_config {
    const listen_addr *bind;
    int port; /* 0: any free port */
    GMainLoop *loop;
    const char *tls_cert, *tls_key; /* auth.tls, resolved (read at start only); NULL: HTTP */
    const json_t *allowed_origins;  /* auth.allowed_origins, or NULL */
    size_t queue_budget;            /* bytes: server.client_queue_budget_mib */
    struct auth_center *auth;       /* NULL: no login (everyone admin) */
    media_engine *media;            /* NULL: no cameras */
    heap_trim *heap;                /* NULL: never trimmed (its metrics say so) */
    http_routes routes;             /* the files served */
    export_deps export;             /* GET /export.mp4 (export_http.h) */
    /* Whether a browser's Origin (borrowed) is another node of the cluster,
     * whose pages may move their socket here (docs/cluster.md); NULL: none. */
    bool (*origin_is_peer)(const char *origin, void *data);
    void *peer_data;
} ws_config;

/* Receives a request's reply (stolen) on the main loop, exactly once. */
typedef void (*ws_reply_fn)(json_t *reply, void *data);

/* How the server reaches the application, as nginx installs its HTTP
 * handler: given at start, called on the main loop with user. A session
 * is borrowed; the server makes it and frees it after close. */
typedef struct ws_callbacks {
    /* A client connected, its session s filled (user, role, address):
     * install s's sink (session.h), through which c gets what the domain
     * sends it. */
    void (*open)(void *user, session *s, ws_client *c);
    /* The full state: the client's first message. New reference. */
    json_t *(*snapshot)(void *user);
    /* Handles one text request of s's client; calls reply(…, data) exactly
     * once, at once or later. s is not used after this returns. */
    void (*request)(void *user, session *s, const char *text, size_t len, ws_reply_fn reply,
                    void *data);
    /* The reply refusing request id (borrowed, may be NULL) with err. New
     * reference. */
    json_t *(*error_reply)(void *user, const json_t *id, const pantau_error *err);
    /* The client left: release what s holds (it is freed after). */
    void (*close)(void *user, session *s);
    /* A message giving s's client a new failover ticket for its login
     * (s->login_hash), or NULL (none: no cluster, login over). New
     * reference; a secret. May be NULL. */
    json_t *(*ticket)(void *user, const session *s);
    void *user;
} ws_callbacks;

/* Starts listening on cfg->loop with cfg and cb (both copied). Returns NULL
 * (logged) when the address cannot be bound. */
ws_server *ws_server_start(const ws_config *cfg, const ws_callbacks *cb);

/* The room a media frame needs in front of its bytes (media_frame.h) for
 * ws_client_send_frame: lws's framing and the binary media header. */
size_t ws_frame_room(void);

/* How many WebSocket clients are connected now. */
unsigned ws_server_client_count(const ws_server *ws);

/* The port actually bound (useful with port 0). */
int ws_server_port(const ws_server *ws);

/* Queues event (borrowed) for every connected client, serialised once. */
void ws_server_broadcast(ws_server *ws, const json_t *event);

/* Queues event (borrowed) for every client whose session shows source_id. */
void ws_server_send_to_viewers(ws_server *ws, const char *source_id, const json_t *event);

/* Queues value (borrowed) for one client, after the replies it waits for;
 * control messages are never dropped (a client that cannot take them is
 * disconnected). */
void ws_client_send_json(ws_client *c, const json_t *value);

/* Queues value (borrowed), a message about the client's video (the media
 * event), as video is queued: never held behind a pending reply. */
void ws_client_send_video_json(ws_client *c, const json_t *value);

/* Queues frame (a reference is taken while queued) for one client unless
 * its media gate drops it: the binary media header is written into the
 * frame's room (which must be ws_frame_room() bytes) and the same bytes go
 * to every client. */
void ws_client_send_frame(ws_client *c, media_frame *frame);

/* The client stopped watching stream: forget its drop state. */
void ws_client_forget_stream(ws_client *c, uint32_t stream);

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
