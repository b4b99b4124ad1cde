/* auth_util.h - the pure parts of authentication, testable without a
 * server: cookies, origins, and the per-address login rate limiter. */
#ifndef PANTAU_AUTH_UTIL_H
#define PANTAU_AUTH_UTIL_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

/* The value of cookie `name` in a Cookie header ("a=1; b=2"), or NULL.
 * g_free it. */
char *auth_cookie_get(const char *header, const char *name);

/* Whether a browser's Origin header may talk to this server: it equals
 * the origin of host (the Host header) with scheme http, or https when
 * tls, or one of allowed (array of strings, borrowed, may be NULL).
 * Compared without regard to case. A NULL or empty origin is not allowed
 * here: the caller decides about clients that send none. */
bool auth_origin_allowed(const char *origin, const char *host, bool tls, const json_t *allowed);

/* Failed logins per address within a sliding window. */
typedef struct login_limiter login_limiter;

/* At most max_attempts attempts per address within window_us. */
login_limiter *login_limiter_new(unsigned max_attempts, gint64 window_us);
void login_limiter_free(login_limiter *l);

/* Counts an attempt by address at now_us (monotonic). Returns 0 when it
 * may go ahead, else the seconds (at least 1) until one may. Addresses
 * in one IPv6 /64 share a count. */
int login_limiter_take(login_limiter *l, const char *address, gint64 now_us);

/* Takes back address's latest attempt (it succeeded). */
void login_limiter_forgive(login_limiter *l, const char *address);

#endif
