/* auth.h - who may do what: roles, per-wall permissions. */
#ifndef PANTAU_AUTH_H
#define PANTAU_AUTH_H

#include "config_check.h"
#include "ops.h"
#include "pantau_error.h"
#include "session.h"

typedef struct auth_center auth_center;

/* Checks the config's "auth" section (NULL when absent: no login, everyone
 * is an admin; fine on 127.0.0.1, warned about elsewhere). */
void auth_config_check(config_checker *c, const json_t *section, const config_sections *ids);

auth_center *auth_center_new(pantau_server *srv);
void auth_center_free(auth_center *a);

/* The authentication operations (ops.h), ending with {NULL}. */
extern const op_def auth_ops[];

/* Whether session s may run an operation needing `permission` on wall_id
 * (NULL: no wall). Returns 0, or -1 with a `forbidden` error naming the
 * field. A NULL session (no connection: unit tests) may do everything. */
int auth_allows(const session *s, enum op_permission permission, const char *wall_id,
                pantau_error *err);

#endif
