#include "http_poll.h"

#include <glib.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_BYTES (4u * 1024u * 1024u)
#define REASON_TOO_LARGE "feed body is larger than"
#define REASON_NOT_JSON "feed is not JSON"

/* One request in flight. Outlives its poller when the poller is stopped
 * while the request runs: then owner is NULL and the completion only frees. */
typedef struct poll_request {
    pt_http_poll *owner;
    SoupSession *session; /* own reference */
    SoupMessage *message;
    GCancellable *cancellable;
    guint timeout_id;
    gboolean timed_out;
} poll_request;

struct pt_http_poll {
    SoupSession *session;
    char *url;
    json_t *headers;
    unsigned interval_ms;
    unsigned timeout_ms;
    size_t max_bytes;
    pt_http_poll_cb cb;
    void *user;
    gboolean running;
    guint next_id; /* GLib timeout of the next request */
    poll_request *request;
};

static void schedule_next(pt_http_poll *p);

static char *error_text(const char *fmt, const char *detail)
{
    size_t n = strlen(fmt) + (detail ? strlen(detail) : 0) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, fmt, detail ? detail : "");
    return s;
}

static int check_headers(const json_t *headers, char **error)
{
    const char *name;
    const json_t *value;
    if (!headers || json_is_null(headers))
        return 0;
    if (!json_is_object(headers)) {
        *error = error_text("%sheaders must be an object of strings", NULL);
        return -1;
    }
    json_object_foreach((json_t *)headers, name, value)
    {
        if (!json_is_string(value) || !*name || strpbrk(name, ": \r\n") ||
            strpbrk(json_string_value(value), "\r\n")) {
            *error = error_text("header '%s' must be a name with a one-line string value", name);
            return -1;
        }
    }
    return 0;
}

static int check_url(const char *url, char **error)
{
    GUri *uri = url ? g_uri_parse(url, SOUP_HTTP_URI_FLAGS, NULL) : NULL;
    const char *scheme = uri ? g_uri_get_scheme(uri) : NULL;
    int ok =
        scheme && (!g_ascii_strcasecmp(scheme, "http") || !g_ascii_strcasecmp(scheme, "https"));
    ok = ok && g_uri_get_host(uri) && *g_uri_get_host(uri);
    if (uri)
        g_uri_unref(uri);
    if (ok)
        return 0;
    *error = error_text("%surl must be an http:// or https:// URL", NULL);
    return -1;
}

pt_http_poll *pt_http_poll_new(const pt_http_poll_options *o, pt_http_poll_cb cb, void *user,
                               char **error)
{
    if (check_url(o->url, error) || check_headers(o->headers, error))
        return NULL;
    pt_http_poll *p = g_new0(pt_http_poll, 1);
    p->session = soup_session_new();
    p->url = g_strdup(o->url);
    p->headers = o->headers && json_is_object(o->headers) ? json_deep_copy(o->headers) : NULL;
    p->interval_ms = o->interval_ms ? o->interval_ms : 1000;
    p->timeout_ms = o->timeout_ms ? o->timeout_ms : 5000;
    p->max_bytes = o->max_bytes ? o->max_bytes : DEFAULT_MAX_BYTES;
    p->cb = cb;
    p->user = user;
    return p;
}

static void request_free(poll_request *r)
{
    if (r->timeout_id)
        g_source_remove(r->timeout_id);
    g_object_unref(r->cancellable);
    g_object_unref(r->message);
    g_object_unref(r->session);
    g_free(r);
}

/* Turns a finished exchange into JSON or a reason (g_malloc'd). */
static json_t *parse_reply(pt_http_poll *p, poll_request *r, GBytes *body, GError *err,
                           char **reason)
{
    if (r->timed_out) {
        *reason = g_strdup_printf("feed timed out after %u ms", p->timeout_ms);
        return NULL;
    }
    if (!body) {
        *reason = g_strdup_printf("feed request failed: %.120s", err ? err->message : "unknown");
        return NULL;
    }
    guint status = soup_message_get_status(r->message);
    if (status < 200 || status > 299) {
        const char *phrase = soup_message_get_reason_phrase(r->message);
        *reason = g_strdup_printf("feed returned HTTP %u %.60s", status, phrase ? phrase : "");
        g_strchomp(*reason);
        return NULL;
    }
    gsize size = 0;
    const char *data = g_bytes_get_data(body, &size);
    if (size > p->max_bytes) {
        *reason = g_strdup_printf(REASON_TOO_LARGE " %zu bytes", p->max_bytes);
        return NULL;
    }
    json_error_t jerr;
    json_t *doc = json_loadb(data ? data : "", size, 0, &jerr);
    if (!doc)
        *reason = g_strdup_printf(REASON_NOT_JSON ": %.80s (line %d, column %d)", jerr.text,
                                  jerr.line, jerr.column);
    return doc;
}

static void on_sent(GObject *object, GAsyncResult *result, gpointer data)
{
    poll_request *r = data;
    GError *err = NULL;
    GBytes *body = soup_session_send_and_read_finish(SOUP_SESSION(object), result, &err);
    pt_http_poll *p = r->owner;
    if (p) {
        char *reason = NULL;
        json_t *doc = parse_reply(p, r, body, err, &reason);
        p->request = NULL;
        schedule_next(p);
        p->cb(p->user, doc, reason);
        json_decref(doc);
        g_free(reason);
    }
    if (body)
        g_bytes_unref(body);
    g_clear_error(&err);
    request_free(r);
}

static gboolean on_timeout(gpointer data)
{
    poll_request *r = data;
    r->timeout_id = 0;
    r->timed_out = TRUE;
    g_cancellable_cancel(r->cancellable);
    return G_SOURCE_REMOVE;
}

static void add_headers(SoupMessage *msg, const json_t *headers)
{
    const char *name;
    const json_t *value;
    SoupMessageHeaders *h = soup_message_get_request_headers(msg);
    soup_message_headers_replace(h, "Accept", "application/json");
    if (!headers)
        return;
    json_object_foreach((json_t *)headers, name, value)
        soup_message_headers_replace(h, name, json_string_value(value));
}

static void send_request(pt_http_poll *p)
{
    SoupMessage *msg = soup_message_new(SOUP_METHOD_GET, p->url);
    if (!msg) {
        p->cb(p->user, NULL, "feed url cannot be requested");
        schedule_next(p);
        return;
    }
    add_headers(msg, p->headers);
    poll_request *r = g_new0(poll_request, 1);
    r->owner = p;
    r->session = g_object_ref(p->session);
    r->message = msg;
    r->cancellable = g_cancellable_new();
    r->timeout_id = g_timeout_add(p->timeout_ms, on_timeout, r);
    p->request = r;
    soup_session_send_and_read_async(p->session, msg, G_PRIORITY_DEFAULT, r->cancellable, on_sent,
                                     r);
}

static gboolean on_interval(gpointer data)
{
    pt_http_poll *p = data;
    p->next_id = 0;
    send_request(p);
    return G_SOURCE_REMOVE;
}

static void schedule_next(pt_http_poll *p)
{
    if (!p->running || p->next_id)
        return;
    p->next_id = g_timeout_add(p->interval_ms, on_interval, p);
}

void pt_http_poll_start(pt_http_poll *p)
{
    if (!p || p->running)
        return;
    p->running = TRUE;
    send_request(p);
}

void pt_http_poll_stop(pt_http_poll *p)
{
    if (!p)
        return;
    p->running = FALSE;
    if (p->next_id)
        g_source_remove(p->next_id);
    p->next_id = 0;
    if (!p->request)
        return;
    p->request->owner = NULL;
    if (p->request->timeout_id)
        g_source_remove(p->request->timeout_id);
    p->request->timeout_id = 0;
    g_cancellable_cancel(p->request->cancellable);
    p->request = NULL;
}

void pt_http_poll_free(pt_http_poll *p)
{
    if (!p)
        return;
    pt_http_poll_stop(p);
    g_object_unref(p->session);
    json_decref(p->headers);
    g_free(p->url);
    g_free(p);
}

bool pt_http_poll_bad_document(const char *error)
{
    return error && (strstr(error, REASON_NOT_JSON) || strstr(error, REASON_TOO_LARGE));
}

json_t *pt_http_headers_with_token(const json_t *headers, const char *token)
{
    json_t *h = json_is_object(headers) ? json_deep_copy(headers) : json_object();
    if (token && *token && !json_object_get(h, "Authorization")) {
        char *bearer = g_strdup_printf("Bearer %s", token);
        json_object_set_new(h, "Authorization", json_string(bearer));
        g_free(bearer);
    }
    return h;
}
