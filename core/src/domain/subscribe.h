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

/* A session of the server's own (the RTSP restream's, a recorder) named
 * user, whose sink (borrowed, outlives it) gets stream kind of camera
 * source_id, attached to it in media; h265: it takes the camera's H.265
 * as it is. Release it with subscribe_release, then session_free. */
session *subscribe_viewer_new(media_engine *media, const session_sink *sink, void *peer,
                              const char *user, const char *source_id, enum session_stream kind,
                              bool h265);

#endif
