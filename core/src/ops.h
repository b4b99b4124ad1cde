/* ops.h - the protocol's operations: reads a request, changes the model,
 * persists, broadcasts the change, and builds the reply. A refused request
 * changes nothing. */
#ifndef PANTAU_OPS_H
#define PANTAU_OPS_H

#include "pantau_error.h"
#include "server.h"
#include "session.h"

#include <jansson.h>

/* Handles one text frame from the client of session ses (NULL: no
 * connection, as in unit tests). Returns the reply (new reference), never
 * NULL. */
json_t *ops_handle_text(pantau_server *srv, session *ses, const char *text, size_t len);

/* Handles one parsed request (borrowed). Returns the reply (new reference). */
json_t *ops_handle(pantau_server *srv, session *ses, const json_t *request);

/* An error reply for request id (borrowed, may be NULL). New reference. */
json_t *ops_error_reply(const json_t *id, const pantau_error *err);

#endif
