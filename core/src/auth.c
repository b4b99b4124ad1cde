/* auth.c - roles and per-wall permissions. */
#include "auth.h"

const op_def auth_ops[] = {
    {NULL, NULL, OP_READ},
};

static bool role_has(enum session_role role, enum op_permission permission)
{
    switch (permission) {
    case OP_READ:
        return true;
    case OP_OPERATE:
        return role == ROLE_OPERATOR || role == ROLE_ADMIN;
    case OP_PRESENT:
        return role == ROLE_PRESENTER || role == ROLE_ADMIN;
    case OP_ADMIN:
    default:
        return role == ROLE_ADMIN;
    }
}

int auth_allows(const session *s, enum op_permission permission, const char *wall_id,
                pantau_error *err)
{
    if (!s)
        return 0;
    if (!role_has(s->role, permission))
        return error_set(err, ERR_FORBIDDEN, "op", "the role '%s' may not do this",
                         session_role_name(s->role));
    if (permission != OP_READ && wall_id && s->walls && !g_hash_table_contains(s->walls, wall_id))
        return error_set(err, ERR_FORBIDDEN, "wall", "'%s' may not change wall '%.64s'", s->user,
                         wall_id);
    return 0;
}

void auth_config_check(config_checker *c, const json_t *section, const config_sections *ids)
{
    (void)c, (void)section, (void)ids;
}

auth_center *auth_center_new(pantau_server *srv)
{
    (void)srv;
    return NULL;
}

void auth_center_free(auth_center *a)
{
    (void)a;
}
