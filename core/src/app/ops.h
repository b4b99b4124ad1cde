/* ops.h - the protocol's operations: reads a request, changes the model,
 * persists, emits the change on the bus (bus.h; app/events.c tells the
 * clients), and builds the reply. A refused request
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

/* Whether an operation changes anything. Only changes are audited (and
 * need a writable audit log); reads never are, whatever role they need. The
 * zero value is a change, so a table that forgets the field audits. */
enum op_effect {
    OP_CHANGES, /* audited: layouts, presets, alarms, presentation steps */
    OP_READS,   /* not audited: snapshot, lists, whoami, audit.query */
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
 * "wall" is checked against the session's walls too, and a change is
 * audited with the wall's version before and after. */
typedef struct op_def {
    const char *name;
    op_handler fn;
    enum op_permission permission;
    enum op_effect effect;
} op_def;

/* Applies l (copied) to w as one change: version + 1, BUS_WALL_CHANGED at once,
 * then its audit line and its state file written by the writer thread
 * (audit line first). Returns 0; a write that fails later takes the change
 * back (if no later change came since) and fails the request being
 * handled. err is kept for callers' sake. For modules that change walls by
 * themselves (alarms, presentations) too. */
int ops_apply_layout(pantau_server *srv, wall *w, const layout *l, pantau_error *err);

/* Hands files (stolen) that need no audit line to the writer thread, in
 * order with every other write; the request being handled, if any, replies
 * after them. A failure is logged (and fails that request). */
void ops_write_files(pantau_server *srv, state_batch *files);

/* The preset store's write hook (preset_store.h, data: the server): the
 * change's files go to the writer thread after its audit line; a failed
 * write takes the change back and emits it (BUS_PRESET_*). Returns 0. */
int ops_preset_write(void *srv, state_batch *files, preset_undo *undo, pantau_error *err);

/* A request being handled (ops.c). */
typedef struct op_pending op_pending;

/* Receives a request's reply (stolen) on the main loop: at once for a
 * request that wrote nothing (reads, refusals), else once its writes are on
 * disk (or failed: then an error reply, the change taken back). */
typedef void (*ops_reply_fn)(json_t *reply, void *data);

/* Handles one text frame from the client of session ses (NULL: no
 * connection). Replies through reply(…, data), exactly once; the session
 * is not used after this returns. */
void ops_handle_text_async(pantau_server *srv, session *ses, const char *text, size_t len,
                           ops_reply_fn reply, void *data);

/* The same for one parsed request (borrowed). */
void ops_handle_async(pantau_server *srv, session *ses, const json_t *request, ops_reply_fn reply,
                      void *data);

/* Handles one text frame and returns the reply (new reference), never NULL;
 * waits for the writer if needed (disk_writer_flush): for unit tests. */
json_t *ops_handle_text(pantau_server *srv, session *ses, const char *text, size_t len);

/* The same for one parsed request (borrowed). */
json_t *ops_handle(pantau_server *srv, session *ses, const json_t *request);

/* An error reply for request id (borrowed, may be NULL). New reference. */
json_t *ops_error_reply(const json_t *id, const pantau_error *err);

#endif
