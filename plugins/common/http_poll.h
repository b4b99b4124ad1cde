/* http_poll.h - polls an HTTP JSON endpoint on the GLib main loop (libsoup 3).
 *
 * One GET at a time: the first when started, the next interval_ms after the
 * previous one finished. Each request is cancelled after timeout_ms. Every
 * outcome reaches the callback on the main loop: the parsed JSON, or a short
 * reason naming what was wrong (never the URL or a header, which may hold
 * credentials). Main-loop only. */
#ifndef PANTAU_PLUGIN_HTTP_POLL_H
#define PANTAU_PLUGIN_HTTP_POLL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct pt_http_poll pt_http_poll;

/* body: the parsed document (borrowed, valid during the call) or NULL;
 * error: NULL on success, else a reason (borrowed). */
typedef void (*pt_http_poll_cb)(void *user, const json_t *body, const char *error);

typedef struct pt_http_poll_options {
    const char *url;       /* http:// or https:// (copied) */
    const json_t *headers; /* object of name -> string value, or NULL (borrowed, copied) */
    unsigned interval_ms;  /* pause between the end of one request and the next */
    unsigned timeout_ms;   /* a request taking longer is cancelled: "timed out" */
    size_t max_bytes;      /* a larger body is refused; 0 means 4 MiB */
} pt_http_poll_options;

/* Makes a stopped poller, or returns NULL with *error (malloc'd) for a bad
 * URL or header. The callback runs with user on the main loop. */
pt_http_poll *pt_http_poll_new(const pt_http_poll_options *options, pt_http_poll_cb cb, void *user,
                               char **error);

/* Starts polling now (no-op when already started). */
void pt_http_poll_start(pt_http_poll *poll);

/* Stops polling and cancels a request in flight; no callback after this. */
void pt_http_poll_stop(pt_http_poll *poll);

/* Stops and frees the poller (NULL is ignored). */
void pt_http_poll_free(pt_http_poll *poll);

/* Whether a callback's error is about the document (not JSON, too large)
 * rather than about reaching the feed. */
bool pt_http_poll_bad_document(const char *error);

/* New reference: a copy of headers (borrowed object, or NULL for none) with
 * "Authorization: Bearer <token>" added when token is set and no
 * Authorization header is given. */
json_t *pt_http_headers_with_token(const json_t *headers, const char *token);

#endif /* PANTAU_PLUGIN_HTTP_POLL_H */
