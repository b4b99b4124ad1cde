/* session.c - per-client subscriptions, and the sink that reaches the client. */
#include "session.h"

session *session_new(void *peer)
{
    session *s = g_new0(session, 1);
    s->subscriptions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    s->peer = peer;
    s->user = g_strdup("local");
    s->role = ROLE_ADMIN;
    s->playback_roles = SESSION_PLAYBACK_DEFAULT;
    return s;
}

void session_free(session *s)
{
    if (!s)
        return;
    g_hash_table_destroy(s->subscriptions);
    if (s->walls)
        g_hash_table_destroy(s->walls);
    g_free(s->user);
    g_free(s->address);
    g_free(s->login_id);
    g_free(s->login_hash);
    g_free(s->page);
    g_free(s);
}

bool session_shows(const session *s, const char *source_id)
{
    return s && g_hash_table_contains(s->subscriptions, source_id);
}

enum session_stream session_stream_of(const session *s, const char *source_id)
{
    gpointer v = s ? g_hash_table_lookup(s->subscriptions, source_id) : NULL;
    return v ? (enum session_stream)(GPOINTER_TO_INT(v) - 1) : SESSION_STREAM_MAIN;
}

const char *session_role_name(enum session_role role)
{
    static const char *const names[] = {"viewer", "operator", "presenter", "admin"};
    return (unsigned)role < G_N_ELEMENTS(names) ? names[role] : "viewer";
}

void session_set_sink(session *s, const session_sink *sink, void *peer)
{
    s->sink = sink;
    s->peer = peer;
}

bool session_has_sink(const session *s)
{
    return s && s->sink;
}

bool session_is_background(const session *s)
{
    return session_has_sink(s) && s->sink->background;
}

void session_send_json(const session *s, const json_t *msg)
{
    if (session_has_sink(s))
        s->sink->send_json(s->peer, msg);
}

void session_stream_info(const session *s, const json_t *info)
{
    if (session_has_sink(s))
        s->sink->stream_info(s->peer, info);
}

void session_send_frame(const session *s, struct media_frame *frame)
{
    if (session_has_sink(s))
        s->sink->send_frame(s->peer, frame);
}

void session_expect_keyframe(const session *s, uint32_t stream)
{
    if (session_has_sink(s))
        s->sink->expect_keyframe(s->peer, stream);
}

void session_forget_stream(const session *s, uint32_t stream)
{
    if (session_has_sink(s))
        s->sink->forget_stream(s->peer, stream);
}

void session_sink_ignore_json(void *peer, const json_t *msg)
{
    (void)peer;
    (void)msg;
}

void session_sink_ignore_stream(void *peer, uint32_t stream)
{
    (void)peer;
    (void)stream;
}
