/* session.h - what one connected client has asked for: the sources it
 * shows, so that widget data and media go only where they are seen. */
#ifndef PANTAU_SESSION_H
#define PANTAU_SESSION_H

#include <glib.h>
#include <stdbool.h>

/* Which stream of a camera a client wants. Widgets ignore it. */
enum session_stream { SESSION_STREAM_MAIN = 0, SESSION_STREAM_SUB = 1 };

#define SESSION_MAX_SUBSCRIPTIONS 256

/* What a user may do (docs/security.md). Ordered: each includes nothing of
 * the next, except admin, which may do everything. */
enum session_role { ROLE_VIEWER = 0, ROLE_OPERATOR, ROLE_PRESENTER, ROLE_ADMIN };

typedef struct session {
    GHashTable *subscriptions; /* source id (owned) -> GINT_TO_POINTER(session_stream + 1) */
    void *transport;           /* the ws_client this session belongs to, borrowed */
    /* Who is on the other end. Without an "auth" section in the config
     * everyone is an admin named "local". */
    char *user;
    enum session_role role;
    GHashTable *walls; /* wall ids (owned) the user may change; NULL: every wall */
    char *address;     /* the peer's IP address, or NULL */
    char *login_id;    /* the login session it came with (a secret: never sent), or NULL */
} session;

/* The role's name ("viewer", ...). */
const char *session_role_name(enum session_role role);

/* A session subscribed to nothing, an admin named "local" until the
 * connection is authenticated. Free with session_free. */
session *session_new(void *transport);

void session_free(session *s);

/* Whether the session shows source_id. */
bool session_shows(const session *s, const char *source_id);

/* The stream the session wants of source_id; SESSION_STREAM_MAIN when it
 * does not show it. */
enum session_stream session_stream_of(const session *s, const char *source_id);

#endif
