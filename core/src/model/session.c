/* session.c - per-client subscriptions. */
#include "session.h"

session *session_new(void *transport)
{
    session *s = g_new0(session, 1);
    s->subscriptions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    s->transport = transport;
    s->user = g_strdup("local");
    s->role = ROLE_ADMIN;
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
