#include "feed_state.h"

#include <glib.h>
#include <stdlib.h>

void pt_feed_init(pt_feed_state *f, const pantau_host *host, pantau_source *source)
{
    *f = (pt_feed_state){.host = host, .source = source};
}

void pt_feed_reset(pt_feed_state *f)
{
    f->has_data = false;
    g_clear_pointer(&f->failure, g_free);
}

void pt_feed_good(pt_feed_state *f)
{
    if (f->failure)
        f->host->log(f->host, PANTAU_LOG_INFO, "%s: feed recovered", f->host->source_id(f->source));
    g_clear_pointer(&f->failure, g_free);
    f->has_data = true;
    f->host->set_status(f->source, PANTAU_STATUS_LIVE, NULL);
}

void pt_feed_failed(pt_feed_state *f, enum pantau_source_status status, const char *reason)
{
    if (g_strcmp0(f->failure, reason) != 0) {
        f->host->log(f->host, PANTAU_LOG_WARN, "%s: %s", f->host->source_id(f->source), reason);
        g_free(f->failure);
        f->failure = g_strdup(reason);
    }
    f->host->set_status(f->source, f->has_data ? status : PANTAU_STATUS_ERROR, reason);
}

void pt_feed_poll_failed(pt_feed_state *f, const char *error)
{
    bool bad = pt_http_poll_bad_document(error);
    pt_feed_failed(f, bad ? PANTAU_STATUS_ERROR : PANTAU_STATUS_STALE, error);
}

pt_http_poll *pt_feed_poll_start(pt_feed_state *f, const pt_http_poll_options *options,
                                 pt_http_poll_cb cb, void *user)
{
    char *error = NULL;
    pt_http_poll *poll = pt_http_poll_new(options, cb, user, &error);
    if (!poll) {
        f->host->set_status(f->source, PANTAU_STATUS_ERROR, error);
        free(error);
        return NULL;
    }
    if (!f->has_data)
        f->host->set_status(f->source, PANTAU_STATUS_RECONNECTING, "waiting for the feed");
    pt_http_poll_start(poll);
    return poll;
}
