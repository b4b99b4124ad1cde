/* ops_auth.c - auth.whoami: who the session is, as auth.h filled it in,
 * and whether it may replay and export. */
#include "op_def.h"

/* The session's walls (NULL: every wall) as JSON. New reference. */
static json_t *walls_json(const session *s)
{
    if (!s || !s->walls)
        return json_null();
    json_t *walls = json_array();
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, s->walls);
    while (g_hash_table_iter_next(&it, &key, NULL))
        json_array_append_new(walls, json_string(key));
    return walls;
}

static int op_whoami(op_call *call, json_t **ok, pantau_error *err)
{
    (void)err;
    const session *s = call->session;
    /* Whether it may replay and export (auth.playback_roles): the console
     * shows its replay panel by it. */
    pantau_error refused = {0};
    bool playback = auth_allows(s, AUTH_PLAYBACK, NULL, &refused) == 0;
    *ok = json_pack("{s:s, s:s, s:o, s:b, s:b}", "user", s ? s->user : "local", "role",
                    session_role_name(s ? s->role : ROLE_ADMIN), "walls", walls_json(s), "login",
                    call->srv->auth != NULL, "playback", playback);
    return 0;
}

const op_def auth_ops[] = {
    {"auth.whoami", op_whoami, OP_READ, OP_READS},
    {NULL, NULL, OP_READ},
};
