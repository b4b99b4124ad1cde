/* login_http.c - POST /api/login {user, password} and POST /api/logout. */
#include "login_http.h"

#include "auth.h"
#include "auth_util.h"
#include "password.h"

#include <jansson.h>
#include <string.h>

#define WRONG_LOGIN "wrong user name or password"

typedef struct login_wait {
    api_reply_fn done;
    void *data;
    bool secure;
    int hours;
} login_wait;

void api_reply_free(api_reply *r)
{
    if (!r)
        return;
    g_free(r->body);
    g_free(r->set_cookie);
    g_free(r);
}

bool login_http_origin_ok(const login_http *lh, const char *origin, const char *host)
{
    return auth_origin_allowed(origin, host, lh->tls, lh->allowed_origins);
}

bool login_http_origin_listed(const login_http *lh, const char *origin)
{
    size_t i;
    const json_t *v;
    json_array_foreach(lh->allowed_origins, i, v)
    {
        if (g_strcmp0(json_string_value(v), origin) == 0)
            return true;
    }
    return false;
}

bool login_http_is_api(const char *uri)
{
    return uri && (strcmp(uri, "/api/login") == 0 || strcmp(uri, "/api/logout") == 0);
}

/* {"error": message} as a reply with status. */
static api_reply *error_reply(unsigned status, const char *message)
{
    api_reply *r = g_new0(api_reply, 1);
    r->status = status;
    json_t *body = json_pack("{s:s}", "error", message);
    char *text = json_dumps(body, JSON_COMPACT);
    r->body = g_strdup(text);
    free(text);
    json_decref(body);
    return r;
}

static char *session_cookie(const char *token, int max_age, bool secure)
{
    return g_strdup_printf("%s=%s; Max-Age=%d; Path=/; HttpOnly; SameSite=Strict%s",
                           AUTH_SESSION_COOKIE, token, max_age, secure ? "; Secure" : "");
}

static void login_done(enum auth_login_result result, const char *token, const char *role,
                       int retry_after, void *data)
{
    login_wait *w = data;
    api_reply *r;
    char *msg = NULL;
    switch (result) {
    case AUTH_LOGIN_OK:
        r = g_new0(api_reply, 1);
        r->status = 200;
        r->body = g_strdup_printf("{\"role\":\"%s\"}", role);
        r->set_cookie = session_cookie(token, w->hours * 3600, w->secure);
        break;
    case AUTH_LOGIN_LIMITED:
        msg = g_strdup_printf("too many login attempts; try again in %d s", retry_after);
        r = error_reply(429, msg);
        r->retry_after = retry_after;
        break;
    case AUTH_LOGIN_BUSY:
        r = error_reply(503, "the server is busy; try again in a moment");
        r->retry_after = retry_after;
        break;
    case AUTH_LOGIN_FULL:
        r = error_reply(503, "too many login sessions on the server; try again later");
        r->retry_after = retry_after;
        break;
    case AUTH_LOGIN_WRONG:
    default:
        r = error_reply(401, WRONG_LOGIN);
        break;
    }
    g_free(msg);
    w->done(r, w->data);
    g_free(w);
}

static void login(const login_http *lh, const api_request *req, api_reply_fn done, void *data)
{
    json_t *body = req->body ? json_loadb(req->body, req->len, 0, NULL) : NULL;
    const char *user = json_string_value(json_object_get(body, "user"));
    const char *password = json_string_value(json_object_get(body, "password"));
    if (!user || !password) {
        done(error_reply(400, "send {\"user\": \"...\", \"password\": \"...\"}"), data);
        json_decref(body);
        return;
    }
    login_wait *w = g_new0(login_wait, 1);
    w->done = done;
    w->data = data;
    w->secure = lh->tls;
    w->hours = auth_session_hours(lh->auth);
    auth_login(lh->auth, user, password, req->address, login_done, w);
    /* Our copy of the password is the job's; wipe jansson's, and the name
     * too: it may be a password typed into the wrong field. */
    password_wipe((char *)password, strlen(password));
    password_wipe((char *)user, strlen(user));
    json_decref(body);
}

/* A logout that ended nothing says so: the browser keeps its cookie, and a
 * session the server could not find is never reported as ended. */
static void logout(const login_http *lh, const api_request *req, api_reply_fn done, void *data)
{
    enum auth_logout_result ended = auth_logout(lh->auth, req->cookies, req->address);
    if (ended == AUTH_LOGOUT_NO_COOKIE) {
        done(error_reply(400, "no login session cookie in the request: nothing to log out"), data);
        return;
    }
    if (ended == AUTH_LOGOUT_UNKNOWN) {
        done(error_reply(401, "no such login session: it has ended or expired"), data);
        return;
    }
    char *id = auth_cookie_get(req->cookies, AUTH_SESSION_COOKIE);
    if (lh->logged_out)
        lh->logged_out(id, lh->user);
    password_forget(id);
    api_reply *r = g_new0(api_reply, 1);
    r->status = 200;
    r->body = g_strdup("{\"ok\":true}");
    r->set_cookie = session_cookie("", 0, lh->tls);
    done(r, data);
}

void login_http_post(const login_http *lh, const api_request *req, api_reply_fn done, void *data)
{
    if (!lh->auth) {
        done(error_reply(404, "login is off: the configuration has no \"auth\" section"), data);
        return;
    }
    if (req->origin && !login_http_origin_ok(lh, req->origin, req->host)) {
        done(error_reply(403, "cross-origin request refused"), data);
        return;
    }
    if (strcmp(req->uri, "/api/logout") == 0)
        logout(lh, req, done, data);
    else
        login(lh, req, done, data);
}
