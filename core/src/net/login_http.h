/* login_http.h - the HTTP side of logging in: POST /api/login and
 * POST /api/logout, answered with JSON (docs/security.md). */
#ifndef PANTAU_LOGIN_HTTP_H
#define PANTAU_LOGIN_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct auth_center;

#define LOGIN_HTTP_BODY_MAX 4096

/* A finished answer. */
typedef struct api_reply {
    unsigned status;
    char *body;       /* JSON text */
    char *set_cookie; /* a Set-Cookie value, or NULL */
    int retry_after;  /* seconds; 0: no Retry-After */
} api_reply;

void api_reply_free(api_reply *r);

/* Receives the answer (stolen). */
typedef void (*api_reply_fn)(api_reply *reply, void *data);

/* One POST, all borrowed for the call. */
typedef struct api_request {
    const char *uri;
    const char *body; /* may be NULL */
    size_t len;
    const char *address; /* the peer's IP address */
    const char *cookies; /* the Cookie header, or NULL */
    const char *origin;  /* the Origin header, or NULL */
    const char *host;    /* the Host header, or NULL */
} api_request;

/* What logging in over HTTP needs: the auth center and the configuration's
 * origin rules. Borrowed; outlives the requests. */
typedef struct login_http {
    struct auth_center *auth;      /* NULL: login is off */
    bool tls;                      /* auth.tls: cookies are Secure, origins https */
    const json_t *allowed_origins; /* auth.allowed_origins, or NULL */
    /* A login session ended by a logout: close the sockets opened with it. */
    void (*logged_out)(const char *login_id, void *user);
    void *user;
} login_http;

/* Whether a browser whose page has origin `origin` may talk to the server
 * reached as `host` (docs/security.md): auth_origin_allowed with lh's
 * rules. NULL origin: false. */
bool login_http_origin_ok(const login_http *lh, const char *origin, const char *host);

/* Whether origin is one of lh's allowed origins (exactly). */
bool login_http_origin_listed(const login_http *lh, const char *origin);

/* Whether uri is answered by login_http_post. */
bool login_http_is_api(const char *uri);

/* Answers req: calls done exactly once, at once or later from the main
 * loop (a password is checked off the loop). */
void login_http_post(const login_http *lh, const api_request *req, api_reply_fn done, void *data);

#endif
