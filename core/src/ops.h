/* ops.h - the protocol's operations: reads a request, changes the model,
 * persists, broadcasts the change, and builds the reply. A refused request
 * changes nothing. */
#ifndef PANTAU_OPS_H
#define PANTAU_OPS_H

#include "pantau_error.h"
#include "server.h"
#include "session.h"

#include <jansson.h>

/* What an operation needs of the session's role (auth.h decides). */
enum op_permission {
    OP_READ,    /* every role, viewers included */
    OP_OPERATE, /* layouts, presets, alarms: operator, admin */
    OP_PRESENT, /* presentations: presenter, admin */
    OP_ADMIN,   /* admin only */
};

/* One request being handled. */
typedef struct op_call {
    pantau_server *srv;
    session *session;  /* NULL without a connection (unit tests) */
    const json_t *req; /* borrowed */
} op_call;

/* An operation: sets *ok (new reference) and returns 0, or returns -1 with
 * err set and nothing changed. */
typedef int (*op_handler)(op_call *call, json_t **ok, pantau_error *err);

/* A module's operations: a table ending with {NULL}. A request naming a
 * "wall" is checked against the session's walls too, and audited with the
 * wall's version before and after. */
typedef struct op_def {
    const char *name;
    op_handler fn;
    enum op_permission permission;
} op_def;

/* Applies l (copied) to w as one change: version + 1, broadcast, its audit
 * line written (audit_before_write, for the change begun with audit_begin),
 * then persisted. Returns 0, or -1 with err set and the change taken back.
 * For modules that change walls by themselves (alarms, presentations). */
int ops_apply_layout(pantau_server *srv, wall *w, const layout *l, pantau_error *err);

/* Handles one text frame from the client of session ses (NULL: no
 * connection, as in unit tests). Returns the reply (new reference), never
 * NULL. */
json_t *ops_handle_text(pantau_server *srv, session *ses, const char *text, size_t len);

/* Handles one parsed request (borrowed). Returns the reply (new reference). */
json_t *ops_handle(pantau_server *srv, session *ses, const json_t *request);

/* An error reply for request id (borrowed, may be NULL). New reference. */
json_t *ops_error_reply(const json_t *id, const pantau_error *err);

#endif
