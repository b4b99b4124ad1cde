/* auth.h - who may do what: roles, per-wall permissions. */
#ifndef PANTAU_AUTH_H
#define PANTAU_AUTH_H

#include "ops.h"
#include "pantau_error.h"
#include "session.h"

/* The authentication operations (ops.h), ending with {NULL}. */
extern const op_def auth_ops[];

/* Whether session s may run an operation needing `permission` on wall_id
 * (NULL: no wall). Returns 0, or -1 with a `forbidden` error naming the
 * field. A NULL session (no connection: unit tests) may do everything. */
int auth_allows(const session *s, enum op_permission permission, const char *wall_id,
                pantau_error *err);

#endif
