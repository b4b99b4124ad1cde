/* ops.h - dispatch of the protocol's requests: reads a request, finds its
 * operation in the modules' tables (op_def.h), checks the session's role
 * and walls, audits a change, and replies once the change's writes are on
 * disk. The operations change the domain through its services, which
 * emit each change on the bus (bus.h; app/events.c tells the clients). A
 * refused request changes nothing. */
#ifndef PANTAU_OPS_H
#define PANTAU_OPS_H

#include "pantau_error.h"
#include "server.h"
#include "session.h"

#include <jansson.h>

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
