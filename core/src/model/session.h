/* session.h - what one connected client has asked for: the sources it
 * shows, so that widget data and media go only where they are seen. */
#ifndef PANTAU_SESSION_H
#define PANTAU_SESSION_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct media_frame;

/* Which stream of a camera a client wants. Widgets ignore it. */
enum session_stream { SESSION_STREAM_MAIN = 0, SESSION_STREAM_SUB = 1 };

#define SESSION_MAX_SUBSCRIPTIONS 256

/* What a user may do (docs/security.md). Ordered: each includes nothing of
 * the next, except admin, which may do everything. */
enum session_role { ROLE_VIEWER = 0, ROLE_OPERATOR, ROLE_PRESENTER, ROLE_ADMIN };

/* The roles (a bit 1 << role each) that have the playback permission
 * unless auth.playback_roles says otherwise: operator and admin. */
#define SESSION_PLAYBACK_DEFAULT ((1u << ROLE_OPERATOR) | (1u << ROLE_ADMIN))

/* How the domain reaches a session's client without knowing the network:
 * app/ installs it (session_set_sink). Each function gets the session's
 * peer; what is passed is borrowed for the call, a frame gets a reference
 * if it is kept. Main loop only. */
typedef struct session_sink {
    /* A protocol message, built by app/. */
    void (*send_json)(void *peer, const json_t *msg);
    /* The description of a stream the client is to get (the media event's
     * fields, without its name): it goes with the stream's frames, never
     * held behind a reply. */
    void (*stream_info)(void *peer, const json_t *info);
    /* A video frame, unless the client's media gate drops it. */
    void (*send_frame)(void *peer, struct media_frame *frame);
    /* The client has stream's frames only from its next keyframe on. */
    void (*expect_keyframe)(void *peer, uint32_t stream);
    /* The client stopped watching stream: forget what was kept for it. */
    void (*forget_stream)(void *peer, uint32_t stream);
    /* The server's own work that may wait (the recorder): frames reach it
     * after every other viewer's have been written, so that it never
     * delays live video. */
    bool background;
} session_sink;

typedef struct session {
    GHashTable *subscriptions; /* source id (owned) -> GINT_TO_POINTER(session_stream + 1) */
    const session_sink *sink;  /* NULL: nothing reaches a client (unit tests, snapshots) */
    void *peer;                /* given to the sink's functions, borrowed */
    /* Who is on the other end. Without an "auth" section in the config
     * everyone is an admin named "local". */
    char *user;
    enum session_role role;
    GHashTable *walls; /* wall ids (owned) the user may change; NULL: every wall */
    char *address;     /* the peer's IP address, or NULL */
    char *login_id;    /* the login session it came with (a secret: never sent), or NULL */
    char *login_hash;  /* its login's SHA-256 hex (cookie or failover ticket), or NULL */
    bool decodes_h265; /* the client said its decoder takes H.265 (subscribe "codecs") */
    char *page; /* which page the client is (subscribe "page": "console", "wall:main"), or NULL */
    /* The roles (1 << role each) with the playback permission
     * (auth.playback_roles; SESSION_PLAYBACK_DEFAULT until auth fills it). */
    unsigned playback_roles;
} session;

/* Sink functions for the server's own sessions that take no messages
 * (session_sink.send_json, .stream_info) or keep nothing per stream
 * (.expect_keyframe, .forget_stream): they do nothing. */
void session_sink_ignore_json(void *peer, const json_t *msg);
void session_sink_ignore_stream(void *peer, uint32_t stream);

/* The role's name ("viewer", ...). */
const char *session_role_name(enum session_role role);

/* A session subscribed to nothing, an admin named "local" until the
 * connection is authenticated, with no sink yet and peer (borrowed, may be
 * NULL) for one. Free with session_free. */
session *session_new(void *peer);

/* Installs sink (borrowed, outlives s; NULL: none) on s, called with peer
 * (borrowed). */
void session_set_sink(session *s, const session_sink *sink, void *peer);
/* Whether s has a sink: something reaches a client. */
bool session_has_sink(const session *s);
/* Whether s's sink is background work (session_sink.background). */
bool session_is_background(const session *s);

/* Through s's sink, when it has one (else nothing): see session_sink.
 * Everything passed is borrowed. */
void session_send_json(const session *s, const json_t *msg);
void session_stream_info(const session *s, const json_t *info);
void session_send_frame(const session *s, struct media_frame *frame);
void session_expect_keyframe(const session *s, uint32_t stream);
void session_forget_stream(const session *s, uint32_t stream);

void session_free(session *s);

/* Whether the session shows source_id. */
bool session_shows(const session *s, const char *source_id);

/* The stream the session wants of source_id; SESSION_STREAM_MAIN when it
 * does not show it. */
enum session_stream session_stream_of(const session *s, const char *source_id);

#endif
