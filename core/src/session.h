/* session.h - what one connected client has asked for: the sources it
 * shows, so that widget data and media go only where they are seen. */
#ifndef PANTAU_SESSION_H
#define PANTAU_SESSION_H

#include <glib.h>
#include <stdbool.h>

/* Which stream of a camera a client wants. Widgets ignore it. */
enum session_stream { SESSION_STREAM_MAIN = 0, SESSION_STREAM_SUB = 1 };

#define SESSION_MAX_SUBSCRIPTIONS 256

typedef struct session {
    GHashTable *subscriptions; /* source id (owned) -> GINT_TO_POINTER(session_stream + 1) */
    void *transport;           /* the ws_client this session belongs to, borrowed */
} session;

/* A session subscribed to nothing. Free with session_free. */
session *session_new(void *transport);

void session_free(session *s);

/* Whether the session shows source_id. */
bool session_shows(const session *s, const char *source_id);

/* The stream the session wants of source_id; SESSION_STREAM_MAIN when it
 * does not show it. */
enum session_stream session_stream_of(const session *s, const char *source_id);

#endif
