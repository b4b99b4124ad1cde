/* ws_app.c - the callbacks the WebSocket server reaches app/ through. */
#include "ws_app.h"

#include "auth.h"
#include "cluster_nodes.h"
#include "ops.h"
#include "password.h"
#include "presentation.h"
#include "ptz.h"
#include "sinks.h"
#include "subscribe.h"

static void client_open(void *user, session *s, ws_client *c)
{
    (void)user;
    sinks_attach_ws(s, c);
}

/* {"ev": "snapshot", ...the full state}. */
static json_t *client_snapshot(void *user)
{
    return events_make("snapshot", server_snapshot(user));
}

/* {"ev": "ticket", "ticket": …}: a new failover ticket for s's login, or
 * NULL (docs/security.md). New reference. */
static json_t *client_ticket(void *user, const session *s)
{
    const pantau_server *srv = user;
    char *ticket = auth_ticket_issue(srv->auth, s->login_hash);
    if (!ticket)
        return NULL;
    json_t *msg = events_make("ticket", json_pack("{s:s}", "ticket", ticket));
    password_forget(ticket);
    return msg;
}

static void client_request(void *user, session *s, const char *text, size_t len, ws_reply_fn reply,
                           void *data)
{
    ops_handle_text_async(user, s, text, len, reply, data);
}

static json_t *client_error_reply(void *user, const json_t *id, const pantau_error *err)
{
    (void)user;
    return ops_error_reply(id, err);
}

/* A closing session stops the cameras it set moving, gives back its
 * streams and ends its rehearsal. */
static void client_close(void *user, session *s)
{
    pantau_server *srv = user;
    ptz_session_closed(srv->ptz, s);
    subscribe_release(srv->media, s);
    replay_session_gone(srv->replays, s);
    presentation_session_closed(srv->presentations, s);
}

/* A page of another node of the cluster moves its socket here. */
static bool origin_is_peer(const char *origin, void *data)
{
    return cluster_nodes_origin_is_peer(data, origin);
}

ws_server *ws_app_start(pantau_server *srv, int port)
{
    const pantau_config *cfg = srv->config;
    char *cert = NULL, *key = NULL;
    auth_tls_files(srv->auth, &cert, &key);
    const json_t *auth = json_object_get(cfg->root, "auth");
    ws_config wc = {
        .bind = &cfg->bind,
        .port = port,
        .loop = srv->loop,
        .tls_cert = cert,
        .tls_key = key,
        .allowed_origins = json_object_get(auth, "allowed_origins"),
        .queue_budget = (size_t)cfg->client_queue_budget_mib * 1024u * 1024u,
        .auth = srv->auth,
        .media = srv->media,
        .heap = srv->heap,
        .routes = {srv->web_dir, srv->vendor_dir, cfg->dir, srv->plugins},
        .export = {srv->recordings, srv->audit},
        .origin_is_peer = srv->nodes ? origin_is_peer : NULL,
        .peer_data = srv->nodes,
    };
    ws_callbacks cb = {
        .open = client_open,
        .snapshot = client_snapshot,
        .request = client_request,
        .error_reply = client_error_reply,
        .close = client_close,
        .ticket = client_ticket,
        .user = srv,
    };
    ws_server *ws = ws_server_start(&wc, &cb);
    g_free(cert);
    g_free(key);
    return ws;
}

static void broadcast(void *user, const json_t *msg)
{
    const pantau_server *srv = user;
    ws_server_broadcast(srv->ws, msg);
}

static void to_viewers(void *user, const char *source_id, const json_t *msg)
{
    const pantau_server *srv = user;
    ws_server_send_to_viewers(srv->ws, source_id, msg);
}

static void close_login(void *user, const char *login_id)
{
    const pantau_server *srv = user;
    ws_server_close_login(srv->ws, login_id);
}

events_out ws_app_events_out(pantau_server *srv)
{
    return (events_out){broadcast, to_viewers, close_login, srv};
}
