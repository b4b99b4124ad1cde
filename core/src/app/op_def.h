/* op_def.h - what an operation of the protocol is: a name, a handler, the
 * permission it needs and whether it changes anything; the tables of the
 * modules (app/ops_<module>.c), which app/ops.c dispatches; and the
 * readers of request fields they share. A handler reads its request, calls
 * the domain's plain C API and builds its result; it never emits on the
 * bus (the domain does). */
#ifndef PANTAU_OP_DEF_H
#define PANTAU_OP_DEF_H

#include "auth.h"
#include "pantau_error.h"
#include "server.h"
#include "session.h"

#include <jansson.h>

/* What an operation needs of the session's role: auth.h's permissions
 * under the names the tables use. */
enum op_permission {
    OP_READ = AUTH_READ,         /* every role, viewers included */
    OP_OPERATE = AUTH_OPERATE,   /* layouts, presets, alarms: operator, admin */
    OP_PRESENT = AUTH_PRESENT,   /* presentations: presenter, admin */
    OP_ADMIN = AUTH_ADMIN,       /* admin only */
    OP_PLAYBACK = AUTH_PLAYBACK, /* replay, export: operator, admin by default */
};

/* Whether an operation changes anything. Only changes are audited (and
 * need a writable audit log); reads never are, whatever role they need. The
 * zero value is a change, so a table that forgets the field audits. */
enum op_effect {
    OP_CHANGES, /* audited: layouts, presets, alarms, presentation steps */
    OP_READS,   /* not audited: snapshot, lists, whoami, audit.query */
    /* A control of a device (camera.ptz): audited only when its action
     * changes what the device keeps (ptz_action_changes: ptz.save), under
     * the action's own name (op_audit_action). */
    OP_CONTROLS,
};

typedef struct op_later op_later;

/* One request being handled. */
typedef struct op_call {
    pantau_server *srv;         /* the composition root: the services the handler calls */
    session *session;           /* NULL without a connection (unit tests) */
    const json_t *req;          /* borrowed */
    op_later *later;            /* set by op_defer: the reply comes later */
    struct op_pending *pending; /* the dispatcher's, for op_defer */
} op_call;

/* An operation: sets *ok (new reference) and returns 0, or returns -1 with
 * err set and nothing changed. */
typedef int (*op_handler)(op_call *call, json_t **ok, pantau_error *err);

/* A module's operations: a table ending with {NULL}. A request naming a
 * "wall" is checked against the session's walls too, and a change is
 * audited with the wall's version before and after. */
typedef struct op_def {
    const char *name;
    op_handler fn;
    enum op_permission permission;
    enum op_effect effect;
} op_def;

/* The tables, one per file: app/ops_walls.c (layouts and presets),
 * app/ops_alarm.c, app/ops_presentation.c, app/ops_auth.c (auth.whoami),
 * app/ops_audit.c (audit.query), app/ops_ptz.c (camera.ptz). */
extern const op_def wall_ops[];
extern const op_def alarm_ops[];
extern const op_def presentation_ops[];
extern const op_def auth_ops[];
extern const op_def audit_ops[];
extern const op_def source_ops[]; /* app/ops_sources.c */
extern const op_def ptz_ops[];    /* app/ops_ptz.c */
extern const op_def replay_ops[]; /* app/ops_replay.c: replay.*, recording.span */
extern const op_def plugin_ops[]; /* app/ops_plugins.c: plugin.reload */

/* The action an OP_CONTROLS request is audited as ("camera.ptz.save"), or
 * NULL when it is not audited (app/ops_ptz.c). req borrowed. */
const char *op_audit_action(const json_t *req);

/* For a read whose answer comes later (a plugin's discovery): the handler
 * calls this, returns 0 leaving *ok NULL, and the request is answered when
 * op_later_done is called with the returned handle, exactly once, on the
 * main loop (possibly before the handler returns). A change deferred
 * (camera.ptz's ptz.save) is audited when the handler returns 0, before
 * the answer: a refusal that comes during the call leaves no line. */
op_later *op_defer(op_call *call);

/* Answers a deferred request: ok (stolen) when err is NULL, else the
 * error err (borrowed, copied). */
void op_later_done(op_later *later, json_t *ok, const pantau_error *err);

/* ---- reading request fields (app/ops.c); req and *out borrowed ---- */

/* The string member key of req: 0, or -1 with err (bad_request at key)
 * when it is missing or not a string. */
int op_get_string(const json_t *req, const char *key, const char **out, pantau_error *err);

/* The integer member key of req: 0, or -1 with err when it is missing or
 * not an integer. */
int op_get_int(const json_t *req, const char *key, json_int_t *out, pantau_error *err);

/* The same for an integer from -1000 to 1000 (cells, spans). */
int op_get_small_int(const json_t *req, const char *key, int *out, pantau_error *err);

/* The wall the request names in "wall": the wall, or NULL with err
 * (bad_request, or not_found). */
wall *op_get_wall(const op_call *call, pantau_error *err);

/* The source named by the request's "source", or NULL with err set
 * (missing, not a string, or no such source). */
pantau_source *op_get_source(const op_call *call, pantau_error *err);

#endif
