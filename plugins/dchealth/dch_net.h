/* dch_net - asynchronous probes on the GLib main loop, each with its own
 * timeout: an HTTP GET (libsoup 3), a TCP connect (GSocketClient) and a NUT
 * poll (GSocketConnection). Every probe belongs to a dch_ops registry;
 * cancelling the registry guarantees that no callback runs afterwards. */
#ifndef DCH_NET_H
#define DCH_NET_H

#include "dch_nut.h"

#include <libsoup/soup.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct dch_ops dch_ops;

dch_ops *dch_ops_new(void);
/* Cancels every probe in flight; none of their callbacks will run. */
void dch_ops_cancel_all(dch_ops *ops);
/* Cancels everything, then frees the registry. */
void dch_ops_free(dch_ops *ops);

/* Results are borrowed and valid only during the callback. error is NULL on
 * success, else a short reason ("timeout after 2000 ms", "connection refused"). */
typedef struct dch_http_result {
    unsigned status; /* HTTP status, 0 when there was no response */
    double latency_ms;
    const char *body; /* NUL-terminated; NULL unless max_body > 0 and no error */
    size_t body_len;
    const char *error;
} dch_http_result;

typedef struct dch_tcp_result {
    double latency_ms;
    const char *error;
} dch_tcp_result;

typedef struct dch_nut_result_t {
    dch_ups_state state; /* valid when error is NULL */
    double latency_ms;
    const char *error;
} dch_nut_poll_result;

typedef void (*dch_http_cb)(const dch_http_result *r, void *user);
typedef void (*dch_tcp_cb)(const dch_tcp_result *r, void *user);
typedef void (*dch_nut_cb)(const dch_nut_poll_result *r, void *user);

/* GETs url (token, if set, as "Authorization: Bearer"). Reads up to
 * max_body bytes of body (0: only the status is wanted); a longer body is an
 * error. cb is called exactly once unless the registry is cancelled first. */
void dch_http_get(dch_ops *ops, SoupSession *session, const char *url, const char *token,
                  unsigned timeout_ms, size_t max_body, dch_http_cb cb, void *user);

/* Opens (and closes again) a TCP connection to host:port. */
void dch_tcp_connect(dch_ops *ops, const char *host, unsigned port, unsigned timeout_ms,
                     dch_tcp_cb cb, void *user);

/* Asks a NUT server (upsd) for the variables of one UPS. username/password
 * may be NULL. The password is sent but never logged or reported. */
void dch_nut_poll(dch_ops *ops, const char *host, unsigned port, const char *ups,
                  const char *username, const char *password, unsigned timeout_ms, dch_nut_cb cb,
                  void *user);

#endif
