/* subscribe.h - the `subscribe` operation: a client names the sources it
 * shows; it then gets their widget data (and, for cameras, their media). */
#ifndef PANTAU_SUBSCRIBE_H
#define PANTAU_SUBSCRIBE_H

#include "pantau_error.h"
#include "server.h"
#include "session.h"

#include <jansson.h>

/* Replaces the session's subscriptions with req's "sources" (borrowed):
 * an array of source ids, or of {"id", "stream": "main"|"sub"}. On success
 * sets *ok (new reference) to {"history": {id: [{"data","time"}...]}} for
 * the widgets newly shown, and returns 0; on error changes nothing. */
int subscribe_apply(pantau_server *srv, session *s, const json_t *req, json_t **ok,
                    pantau_error *err);

/* Drops every subscription of a closing session. */
void subscribe_release(pantau_server *srv, session *s);

#endif
