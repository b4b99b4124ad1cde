/* subscribe.h - the `subscribe` operation: a client names the sources it
 * shows; it then gets their widget data (and, for cameras, their media). */
#ifndef PANTAU_SUBSCRIBE_H
#define PANTAU_SUBSCRIBE_H

#include "media.h"
#include "pantau_error.h"
#include "replay.h"
#include "session.h"
#include "source.h"

#include <jansson.h>

/* Replaces the session's subscriptions with req's "sources" (borrowed):
 * an array of ids of sources in `sources`, or of {"id", "stream":
 * "main"|"sub"}, or of {"replay": id}; media (NULL: none) attaches s to
 * the cameras' streams, replays (NULL: none) to the replays. On
 * success sets *ok (new reference) to {"history": {id: [{"data","time"}...]}}
 * for the widgets newly shown, and returns 0; on error changes nothing. */
int subscribe_apply(const source_registry *sources, media_engine *media, replay_center *replays,
                    session *s, const json_t *req, json_t **ok, pantau_error *err);

/* Drops every subscription of a closing session (media NULL: none); its
 * replays are left with replay_session_gone. */
void subscribe_release(media_engine *media, session *s);

#endif
