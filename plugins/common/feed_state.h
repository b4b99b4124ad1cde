/* feed_state.h - the status of a widget fed from outside (an HTTP feed, a
 * file): logs each distinct failure once and the recovery once, and sets the
 * source's status: live on good data; on a failure stale (or error for bad
 * content) while the last good data is still shown, error while there is
 * none. Reasons are logged and shown as given: they must hold no secrets.
 * Main-loop only. */
#ifndef PANTAU_PLUGIN_FEED_STATE_H
#define PANTAU_PLUGIN_FEED_STATE_H

#include "http_poll.h"

#include <pantau/plugin.h>
#include <stdbool.h>

typedef struct pt_feed_state {
    const pantau_host *host; /* borrowed */
    pantau_source *source;   /* borrowed */
    bool has_data;           /* good data arrived since the last reset */
    char *failure;           /* the reason last logged, NULL while the feed is good */
} pt_feed_state;

/* Binds the state to a source: no data, no failure. */
void pt_feed_init(pt_feed_state *f, const pantau_host *host, pantau_source *source);

/* Forgets the data and the failure (new settings: a new feed). */
void pt_feed_reset(pt_feed_state *f);

/* Good data arrived: logs "feed recovered" once after a failure; status live. */
void pt_feed_good(pt_feed_state *f);

/* A failure (reason borrowed): logged once per distinct reason; the status
 * is `status` while there is data, else error. */
void pt_feed_failed(pt_feed_state *f, enum pantau_source_status status, const char *reason);

/* A poll that brought no document (error from pt_http_poll_cb): error for a
 * bad document (not JSON, too large), else stale. */
void pt_feed_poll_failed(pt_feed_state *f, const char *error);

/* Makes and starts a poller; until the first data the status is
 * reconnecting "waiting for the feed". On bad options sets the status error
 * and returns NULL. */
pt_http_poll *pt_feed_poll_start(pt_feed_state *f, const pt_http_poll_options *options,
                                 pt_http_poll_cb cb, void *user);

#endif /* PANTAU_PLUGIN_FEED_STATE_H */
