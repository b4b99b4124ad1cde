/* onvif.c - see onvif.h.
 *
 * A call is one public operation: a few SOAP requests in a row (the clock
 * and the service addresses first when the client does not know them yet,
 * then the operation's own, e.g. GetProfiles and a GetStreamUri per
 * profile). Calls wait in c->queue; only its head runs, one request in
 * flight. A finished call moves to c->done, and its callback runs from an
 * idle source of the client (c->kick), so a callback never runs inside a
 * public call and never in the middle of our own bookkeeping: it may free
 * the client. A call whose client is freed while its request is in flight
 * is detached (call->client NULL) and cancelled; its completion only frees
 * it. */
#include "onvif.h"
#include "onvif_soap.h"
#include "url_redact.h"

#include <libsoup/soup.h>
#include <stdarg.h>
#include <string.h>
#include <sys/random.h>

#define DEFAULT_TIMEOUT_MS 10000
#define DEFAULT_PATH "/onvif/device_service"
/* A camera's answer larger than this is refused, not kept growing. */
#define REPLY_MAX (1024 * 1024)
#define READ_CHUNK (16 * 1024)
/* The longest error message, in bytes. */
#define MESSAGE_MAX 300
/* GetStreamUri is asked for this many profiles at most. */
#define PROFILES_MAX 16

GQuark onvif_error_quark(void)
{
    return g_quark_from_static_string("onvif-error-quark");
}

typedef enum { SVC_DEVICE, SVC_MEDIA, SVC_PTZ } service;
typedef enum { OP_DONE, OP_DEVICE, OP_PROFILES, OP_STATUS, OP_PRESETS, OP_TOKEN } op_kind;

typedef struct onvif_call onvif_call;

/* Handles the SOAP answer to the call's request (NULL: not SOAP, for a
 * tolerant request). It finishes the call or sends its next request. */
typedef void (*reply_fn)(onvif_call *call, const onvif_reply *r);

/* One SOAP request. */
typedef struct request {
    service svc;
    const char *ns;     /* the service's namespace, for the SOAP action */
    const char *action; /* "GetProfiles" */
    char *body;
    reply_fn on_reply;
    gboolean auth;     /* with a UsernameToken */
    gboolean tolerant; /* a fault or a non-SOAP answer goes to on_reply too */
} request;

struct onvif_call {
    onvif_client *client; /* NULL once the client is freed */
    SoupSession *session; /* own reference */
    op_kind kind;
    union {
        onvif_done_cb done;
        onvif_device_cb device;
        onvif_profiles_cb profiles;
        onvif_status_cb status;
        onvif_presets_cb presets;
        onvif_token_cb token;
    } cb;
    void *user;
    request main;       /* the operation's first request */
    gboolean need_caps; /* the service addresses must be known first */
    char *profile;      /* PTZ calls */
    gboolean continuous;
    gboolean running;
    gboolean auth_retried;
    /* the request in flight, or to send again after the clock */
    request req;
    request retry;
    SoupMessage *msg;
    GCancellable *cancel;
    GInputStream *stream;
    GByteArray *data;
    GSource *timeout;
    gboolean timed_out;
    gint64 sent_us;
    /* the outcome */
    GError *error;
    onvif_device_info info;
    onvif_profiles profiles;
    gsize next_uri;
    onvif_ptz_status status;
    onvif_presets presets;
    char *token;
};

struct onvif_client {
    SoupSession *session;
    GMainContext *context;
    char *device_url;
    char *host; /* host:port, for messages */
    char *user;
    char *password;
    unsigned timeout_ms;
    gboolean clock_known;
    gint64 offset_s; /* the camera's clock minus ours */
    gboolean caps_known;
    onvif_capabilities caps;
    GQueue queue; /* onvif_call*, the head runs */
    GQueue done;  /* onvif_call*, callbacks to run */
    GSource *kick;
};

static void call_advance(onvif_call *call);
static void request_send(onvif_call *call);

/* ---- calls: creation, completion, delivery ---- */

static void request_clear(request *r)
{
    g_free(r->body);
    memset(r, 0, sizeof *r);
}

/* Drops what the request in flight holds (not the request itself). */
static void io_reset(onvif_call *call)
{
    if (call->timeout) {
        g_source_destroy(call->timeout);
        g_source_unref(call->timeout);
        call->timeout = NULL;
    }
    if (call->msg)
        g_signal_handlers_disconnect_by_data(call->msg, call);
    g_clear_object(&call->msg);
    g_clear_object(&call->stream);
    g_clear_object(&call->cancel);
    if (call->data)
        g_byte_array_unref(call->data);
    call->data = NULL;
    call->timed_out = FALSE;
}

static void call_free(onvif_call *call)
{
    io_reset(call);
    request_clear(&call->main);
    request_clear(&call->req);
    request_clear(&call->retry);
    g_clear_error(&call->error);
    onvif_device_info_clear(&call->info);
    onvif_profiles_clear(&call->profiles);
    onvif_presets_clear(&call->presets);
    g_free(call->token);
    g_free(call->profile);
    g_clear_object(&call->session);
    g_free(call);
}

static gboolean on_kick(gpointer data);

static void client_kick(onvif_client *c)
{
    if (c->kick)
        return;
    c->kick = g_idle_source_new();
    g_source_set_callback(c->kick, on_kick, c, NULL);
    g_source_attach(c->kick, c->context);
}

/* Runs call's callback and frees it (the callback may free its client). */
static void call_deliver(onvif_call *call)
{
    const GError *e = call->error;
    switch (call->kind) {
    case OP_DONE:
        call->cb.done(call->user, e);
        break;
    case OP_DEVICE:
        call->cb.device(call->user, e ? NULL : &call->info, e);
        break;
    case OP_PROFILES:
        call->cb.profiles(call->user, e ? NULL : &call->profiles, e);
        break;
    case OP_STATUS:
        call->cb.status(call->user, e ? NULL : &call->status, e);
        break;
    case OP_PRESETS:
        call->cb.presets(call->user, e ? NULL : &call->presets, e);
        break;
    case OP_TOKEN:
        call->cb.token(call->user, e ? NULL : call->token, e);
        break;
    }
    call_free(call);
}

/* Moves call from the queue to the callbacks to run. */
static void call_complete(onvif_call *call)
{
    onvif_client *c = call->client;
    io_reset(call);
    g_queue_remove(&c->queue, call);
    g_queue_push_tail(&c->done, call);
    client_kick(c);
}

static void call_finish(onvif_call *call)
{
    call_complete(call);
}

/* Sets call's error from fmt (redacted, printable, cut) and completes it. */
G_GNUC_PRINTF(3, 4)
static void call_fail(onvif_call *call, onvif_error_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *raw = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    /* Redacted on the bytes as they came, then made printable. */
    char *redacted = cctv_redact(raw, call->client ? call->client->password : NULL);
    g_free(raw);
    char *clean = cctv_printable(redacted ? redacted : "camera failed", MESSAGE_MAX);
    free(redacted);
    g_clear_error(&call->error);
    call->error = g_error_new_literal(ONVIF_ERROR, (gint)code, clean);
    g_free(clean);
    call_complete(call);
}

static gboolean on_kick(gpointer data)
{
    onvif_client *c = data;
    g_source_unref(c->kick);
    c->kick = NULL;
    onvif_call *done = g_queue_pop_head(&c->done);
    if (done) {
        /* The rest on the next turn: the callback may free c. */
        client_kick(c);
        call_deliver(done);
        return G_SOURCE_REMOVE;
    }
    onvif_call *head = g_queue_peek_head(&c->queue);
    if (head && !head->running) {
        head->running = TRUE;
        call_advance(head);
    }
    return G_SOURCE_REMOVE;
}

static onvif_call *call_new(onvif_client *c, op_kind kind, void *user)
{
    onvif_call *call = g_new0(onvif_call, 1);
    call->client = c;
    call->session = g_object_ref(c->session);
    call->kind = kind;
    call->user = user;
    call->profiles.main = call->profiles.sub = -1;
    return call;
}

/* Queues call with its first request and starts the queue. */
static void call_queue(onvif_call *call, service svc, const char *action, char *body,
                       reply_fn on_reply)
{
    static const char *const ns[] = {ONVIF_NS_DEVICE, ONVIF_NS_MEDIA, ONVIF_NS_PTZ};
    call->main = (request){.svc = svc,
                           .ns = ns[svc],
                           .action = action,
                           .body = body,
                           .on_reply = on_reply,
                           .auth = TRUE};
    call->need_caps = call->need_caps || svc != SVC_DEVICE;
    g_queue_push_tail(&call->client->queue, call);
    client_kick(call->client);
}

/* Completes call at once with an argument error (the callback still runs
 * from the loop). */
static void call_refuse(onvif_call *call, const char *message)
{
    call->error = g_error_new_literal(ONVIF_ERROR, ONVIF_ERROR_INVALID, message);
    g_queue_push_tail(&call->client->done, call);
    client_kick(call->client);
}

/* ---- the requests of a call ---- */

static const char *service_url(onvif_client *c, service svc)
{
    switch (svc) {
    case SVC_MEDIA:
        return c->caps.media_url;
    case SVC_PTZ:
        return c->caps.ptz_url;
    case SVC_DEVICE:
        break;
    }
    return c->device_url;
}

/* Makes r (body owned, moved in) the call's request and sends it. */
static void call_send(onvif_call *call, request r)
{
    request_clear(&call->req);
    call->req = r;
    request_send(call);
}

/* A device service request of the call itself (clock, capabilities). */
static void send_device(onvif_call *call, const char *action, const char *body, reply_fn fn,
                        gboolean auth, gboolean tolerant)
{
    call_send(call, (request){.svc = SVC_DEVICE,
                              .ns = ONVIF_NS_DEVICE,
                              .action = action,
                              .body = g_strdup(body),
                              .on_reply = fn,
                              .auth = auth,
                              .tolerant = tolerant});
}

/* The answer to GetSystemDateAndTime: the clock offset (0 when the camera
 * would not say), then on with the call. */
static void on_clock(onvif_call *call, const onvif_reply *r)
{
    onvif_client *c = call->client;
    gint64 utc = 0;
    const char *missing = NULL;
    c->clock_known = TRUE;
    if (r && r->body && onvif_reply_is(r, "GetSystemDateAndTime") &&
        !onvif_parse_date_time(r->body, &utc, &missing)) {
        /* Against the middle of the exchange; the camera says whole seconds. */
        gint64 mid_us = (call->sent_us + g_get_real_time()) / 2;
        c->offset_s = utc - (mid_us + G_USEC_PER_SEC / 2) / G_USEC_PER_SEC;
    }
    if (call->retry.action) {
        request again = call->retry;
        memset(&call->retry, 0, sizeof call->retry);
        call_send(call, again);
        return;
    }
    call_advance(call);
}

static void on_capabilities(onvif_call *call, const onvif_reply *r)
{
    onvif_client *c = call->client;
    const char *missing = NULL;
    onvif_capabilities caps;
    if (onvif_parse_capabilities(r->body, &caps, &missing)) {
        call_fail(call, ONVIF_ERROR_REPLY, "camera %s answered GetCapabilities without %s", c->host,
                  missing);
        return;
    }
    onvif_capabilities_clear(&c->caps);
    c->caps = caps;
    c->caps_known = TRUE;
    call_advance(call);
}

/* Sends what call needs next: the clock, the service addresses, or its
 * own first request. */
static void call_advance(onvif_call *call)
{
    onvif_client *c = call->client;
    if (!c->clock_known) {
        send_device(call, "GetSystemDateAndTime", "<tds:GetSystemDateAndTime/>", on_clock, FALSE,
                    TRUE);
        return;
    }
    if (call->need_caps && !c->caps_known) {
        send_device(call, "GetCapabilities",
                    "<tds:GetCapabilities><tds:Category>All</tds:Category></tds:GetCapabilities>",
                    on_capabilities, TRUE, FALSE);
        return;
    }
    if (!service_url(c, call->main.svc)) {
        call_fail(call, ONVIF_ERROR_UNSUPPORTED, "camera %s has no PTZ service", c->host);
        return;
    }
    request first = call->main;
    memset(&call->main, 0, sizeof call->main);
    call_send(call, first);
}

/* A NotAuthorized answer: the camera's clock may have moved, so ask it
 * again and send the request once more; the second refusal stands. */
static void on_auth_fault(onvif_call *call, const onvif_reply *r)
{
    onvif_client *c = call->client;
    if (!call->auth_retried && call->req.auth) {
        call->auth_retried = TRUE;
        call->retry = call->req;
        memset(&call->req, 0, sizeof call->req);
        c->clock_known = FALSE;
        send_device(call, "GetSystemDateAndTime", "<tds:GetSystemDateAndTime/>", on_clock, FALSE,
                    TRUE);
        return;
    }
    char *fault = r ? onvif_reply_fault_text(r) : g_strdup("HTTP 401");
    call_fail(call, ONVIF_ERROR_AUTH, "check username and password: camera %s refused them (%s)",
              c->host, fault);
    g_free(fault);
}

/* ---- I/O ---- */

static void fill_nonce(guint8 nonce[16])
{
    if (getrandom(nonce, 16, GRND_NONBLOCK) == 16)
        return;
    for (int i = 0; i < 16; i += 4) {
        guint32 r = g_random_int();
        memcpy(nonce + i, &r, 4);
    }
}

/* HTTP authentication, for cameras that want it besides (or instead of)
 * WS-Security: Digest always, Basic only over https. Once per request. */
static gboolean on_http_auth(SoupMessage *msg, SoupAuth *auth, gboolean retrying, gpointer data)
{
    (void)msg;
    onvif_call *call = data;
    onvif_client *c = call->client;
    if (!c || retrying || !c->user || !*c->user)
        return FALSE;
    gboolean digest = !g_ascii_strcasecmp(soup_auth_get_scheme_name(auth), "Digest");
    if (!digest && !g_str_has_prefix(c->device_url, "https://"))
        return FALSE;
    soup_auth_authenticate(auth, c->user, c->password ? c->password : "");
    return TRUE;
}

static gboolean on_timeout(gpointer data)
{
    onvif_call *call = data;
    call->timed_out = TRUE;
    g_cancellable_cancel(call->cancel);
    return G_SOURCE_CONTINUE; /* removed by io_reset */
}

static void on_sent(GObject *object, GAsyncResult *result, gpointer data);

static void request_send(onvif_call *call)
{
    onvif_client *c = call->client;
    io_reset(call); /* the answer before, when this is the next step */
    const request *r = &call->req;
    const char *url = service_url(c, r->svc);
    SoupMessage *msg = url ? soup_message_new(SOUP_METHOD_POST, url) : NULL;
    if (!msg) {
        call_fail(call, ONVIF_ERROR_REPLY, "camera %s gave a service address that is not a URL",
                  c->host);
        return;
    }
    guint8 nonce[16];
    fill_nonce(nonce);
    gint64 created = g_get_real_time() / G_USEC_PER_SEC + c->offset_s;
    char *envelope =
        onvif_soap_envelope(r->body, r->auth ? c->user : NULL, c->password, created, nonce);
    char *type =
        g_strdup_printf("application/soap+xml; charset=utf-8; action=\"%s/%s\"", r->ns, r->action);
    GBytes *bytes = g_bytes_new_take(envelope, strlen(envelope));
    soup_message_set_request_body_from_bytes(msg, type, bytes);
    g_bytes_unref(bytes);
    g_free(type);
    g_signal_connect(msg, "authenticate", G_CALLBACK(on_http_auth), call);
    call->msg = msg;
    call->cancel = g_cancellable_new();
    call->timeout = g_timeout_source_new(c->timeout_ms);
    g_source_set_callback(call->timeout, on_timeout, call, NULL);
    g_source_attach(call->timeout, c->context);
    call->sent_us = g_get_real_time();
    soup_session_send_async(call->session, msg, G_PRIORITY_DEFAULT, call->cancel, on_sent, call);
}

/* The request failed below HTTP: no connection, cut off, or timed out. */
static void request_failed(onvif_call *call, const GError *err)
{
    onvif_client *c = call->client;
    if (call->timed_out) {
        unsigned ms = c->timeout_ms;
        if (ms % 1000)
            call_fail(call, ONVIF_ERROR_UNREACHABLE, "camera %s did not answer %s in %u ms",
                      c->host, call->req.action, ms);
        else
            call_fail(call, ONVIF_ERROR_UNREACHABLE, "camera %s did not answer %s in %u s", c->host,
                      call->req.action, ms / 1000);
        return;
    }
    /* GIO says "Could not connect to HOST: why"; the host is said already. */
    const char *why = err ? g_strrstr(err->message, ": ") : NULL;
    call_fail(call, ONVIF_ERROR_UNREACHABLE, "cannot connect to camera %s: %s", c->host,
              why   ? why + 2
              : err ? err->message
                    : "unknown error");
}

/* The whole answer is in call->data: SOAP, a fault, or something else. */
static void request_done(onvif_call *call)
{
    onvif_client *c = call->client;
    const request *q = &call->req;
    guint status = soup_message_get_status(call->msg);
    onvif_reply r;
    if (onvif_reply_parse((const char *)call->data->data, call->data->len, &r)) {
        const char *phrase = soup_message_get_reason_phrase(call->msg);
        if (q->tolerant)
            q->on_reply(call, NULL);
        else if (status == SOUP_STATUS_UNAUTHORIZED)
            on_auth_fault(call, NULL);
        else if (!SOUP_STATUS_IS_SUCCESSFUL(status))
            call_fail(call, ONVIF_ERROR_REPLY, "camera %s answered %s with HTTP %u %s", c->host,
                      q->action, status, phrase ? phrase : "");
        else
            call_fail(call, ONVIF_ERROR_REPLY,
                      "camera %s answered %s with something that is not SOAP XML", c->host,
                      q->action);
        return;
    }
    if (r.fault && q->auth && onvif_reply_is_auth_fault(&r)) {
        on_auth_fault(call, &r);
    } else if (q->tolerant) {
        q->on_reply(call, &r);
    } else if (r.fault) {
        char *fault = onvif_reply_fault_text(&r);
        call_fail(call, ONVIF_ERROR_FAULT, "camera %s refused %s: %s", c->host, q->action, fault);
        g_free(fault);
    } else if (!onvif_reply_is(&r, q->action)) {
        call_fail(call, ONVIF_ERROR_REPLY, "camera %s answered %s with %s, not %sResponse", c->host,
                  q->action, (const char *)r.body->name, q->action);
    } else {
        q->on_reply(call, &r);
    }
    onvif_reply_clear(&r);
}

static void on_read(GObject *object, GAsyncResult *result, gpointer data);

static void read_more(onvif_call *call)
{
    g_input_stream_read_bytes_async(call->stream, READ_CHUNK, G_PRIORITY_DEFAULT, call->cancel,
                                    on_read, call);
}

static void on_read(GObject *object, GAsyncResult *result, gpointer data)
{
    onvif_call *call = data;
    GError *err = NULL;
    GBytes *bytes = g_input_stream_read_bytes_finish(G_INPUT_STREAM(object), result, &err);
    if (!call->client) {
        call_free(call);
    } else if (!bytes) {
        request_failed(call, err);
    } else if (g_bytes_get_size(bytes) == 0) {
        request_done(call);
    } else if (call->data->len + g_bytes_get_size(bytes) > REPLY_MAX) {
        call_fail(call, ONVIF_ERROR_REPLY, "camera %s answered %s with more than %d KiB",
                  call->client->host, call->req.action, REPLY_MAX / 1024);
    } else {
        gsize n = 0;
        const guint8 *p = g_bytes_get_data(bytes, &n);
        g_byte_array_append(call->data, p, (guint)n);
        read_more(call);
    }
    if (bytes)
        g_bytes_unref(bytes);
    g_clear_error(&err);
}

static void on_sent(GObject *object, GAsyncResult *result, gpointer data)
{
    onvif_call *call = data;
    GError *err = NULL;
    GInputStream *in = soup_session_send_finish(SOUP_SESSION(object), result, &err);
    if (!call->client) {
        if (in)
            g_object_unref(in);
        call_free(call);
    } else if (!in) {
        request_failed(call, err);
    } else {
        call->stream = in;
        call->data = g_byte_array_new();
        read_more(call);
    }
    g_clear_error(&err);
}

/* ---- the operations' answers ---- */

/* Fails call for an answer that lacks what it needs. */
static void fail_missing(onvif_call *call, const char *missing)
{
    call_fail(call, ONVIF_ERROR_REPLY, "camera %s answered %s without %s", call->client->host,
              call->req.action, missing);
}

static void on_done(onvif_call *call, const onvif_reply *r)
{
    (void)r;
    call_finish(call);
}

static void on_nodes(onvif_call *call, const onvif_reply *r)
{
    const char *missing = NULL;
    /* A PTZ service whose GetNodes fails or lists no node: no PTZ. */
    if (!r || r->fault || onvif_parse_nodes(r->body, &call->info, &missing))
        call->info.has_ptz = FALSE;
    call_finish(call);
}

static void on_device_info(onvif_call *call, const onvif_reply *r)
{
    onvif_client *c = call->client;
    const char *missing = NULL;
    if (onvif_parse_device_info(r->body, &call->info, &missing)) {
        fail_missing(call, missing);
        return;
    }
    call->info.clock_offset_s = c->offset_s;
    if (!c->caps.ptz_url) {
        call_finish(call);
        return;
    }
    call_send(call, (request){.svc = SVC_PTZ,
                              .ns = ONVIF_NS_PTZ,
                              .action = "GetNodes",
                              .body = g_strdup("<tptz:GetNodes/>"),
                              .on_reply = on_nodes,
                              .auth = TRUE,
                              .tolerant = TRUE});
}

static void on_stream_uri(onvif_call *call, const onvif_reply *r);

/* main: the first profile with a URI; sub: the next with a URI and a
 * smaller picture (or any, when the sizes are not known). */
static void choose_streams(onvif_profiles *p)
{
    for (gsize i = 0; i < p->n; i++) {
        const onvif_profile *x = &p->items[i];
        if (!x->uri)
            continue;
        if (p->main < 0) {
            p->main = (int)i;
            continue;
        }
        const onvif_profile *m = &p->items[p->main];
        gint64 area = (gint64)x->width * x->height, main_area = (gint64)m->width * m->height;
        if (p->sub < 0 && (area < main_area || !area || !main_area))
            p->sub = (int)i;
    }
}

/* Asks for the next profile's URI, or finishes. */
static void next_stream_uri(onvif_call *call)
{
    onvif_profiles *p = &call->profiles;
    if (call->next_uri < p->n && call->next_uri < PROFILES_MAX) {
        call_send(call, (request){.svc = SVC_MEDIA,
                                  .ns = ONVIF_NS_MEDIA,
                                  .action = "GetStreamUri",
                                  .body = onvif_body_stream_uri(p->items[call->next_uri].token),
                                  .on_reply = on_stream_uri,
                                  .auth = TRUE,
                                  .tolerant = TRUE});
        return;
    }
    choose_streams(p);
    if (p->main >= 0) {
        call_finish(call);
        return;
    }
    call_fail(call, ONVIF_ERROR_REPLY, "camera %s gave no stream URI for any of its %zu profiles",
              call->client->host, p->n);
}

static void on_stream_uri(onvif_call *call, const onvif_reply *r)
{
    const char *missing = NULL;
    char *uri = NULL;
    /* A profile the camera will not stream (a fault) keeps no URI. */
    if (r && r->body && onvif_reply_is(r, "GetStreamUri") &&
        !onvif_parse_stream_uri(r->body, &uri, &missing))
        call->profiles.items[call->next_uri].uri = uri;
    call->next_uri++;
    next_stream_uri(call);
}

static void on_profiles(onvif_call *call, const onvif_reply *r)
{
    const char *missing = NULL;
    if (onvif_parse_profiles(r->body, &call->profiles, &missing)) {
        fail_missing(call, missing);
        return;
    }
    next_stream_uri(call);
}

static void on_status(onvif_call *call, const onvif_reply *r)
{
    const char *missing = NULL;
    if (onvif_parse_status(r->body, &call->status, &missing)) {
        fail_missing(call, missing);
        return;
    }
    call_finish(call);
}

static void on_presets(onvif_call *call, const onvif_reply *r)
{
    const char *missing = NULL;
    if (onvif_parse_presets(r->body, &call->presets, &missing)) {
        fail_missing(call, missing);
        return;
    }
    call_finish(call);
}

static void on_token(onvif_call *call, const onvif_reply *r)
{
    const char *missing = NULL;
    if (onvif_parse_set_preset(r->body, &call->token, &missing)) {
        fail_missing(call, missing);
        return;
    }
    call_finish(call);
}

/* ---- the client ---- */

/* The device service URL of address (see onvif_client_new), g_malloc'd,
 * and its host:port into *host; NULL when address is not one. */
static char *device_url_of(const char *address, char **host)
{
    char *full = strstr(address, "://") ? g_strdup(address)
                                        : g_strconcat("http://", address, DEFAULT_PATH, NULL);
    GUri *uri = g_uri_parse(full, SOUP_HTTP_URI_FLAGS, NULL);
    g_free(full);
    const char *scheme = uri ? g_uri_get_scheme(uri) : NULL;
    const char *h = uri ? g_uri_get_host(uri) : NULL;
    if (!scheme || (g_ascii_strcasecmp(scheme, "http") && g_ascii_strcasecmp(scheme, "https")) ||
        !h || !*h) {
        if (uri)
            g_uri_unref(uri);
        return NULL;
    }
    gboolean tls = !g_ascii_strcasecmp(scheme, "https");
    int port = g_uri_get_port(uri) > 0 ? g_uri_get_port(uri) : (tls ? 443 : 80);
    const char *p = g_uri_get_path(uri);
    char *url = g_uri_join(G_URI_FLAGS_NONE, tls ? "https" : "http", NULL, h, port,
                           p && strcmp(p, "") && strcmp(p, "/") ? p : DEFAULT_PATH,
                           g_uri_get_query(uri), NULL);
    *host =
        strchr(h, ':') ? g_strdup_printf("[%s]:%d", h, port) : g_strdup_printf("%s:%d", h, port);
    g_uri_unref(uri);
    return url;
}

onvif_client *onvif_client_new(const char *address, const char *user, const char *password,
                               GError **error)
{
    char *host = NULL;
    char *url = address ? device_url_of(address, &host) : NULL;
    if (!url) {
        char *shown = cctv_redact(address ? address : "", password);
        char *clean = cctv_printable(shown ? shown : "", 120);
        g_set_error(error, ONVIF_ERROR, ONVIF_ERROR_INVALID,
                    "not a camera address: \"%s\" (give host, host:port or an http:// URL)", clean);
        g_free(clean);
        free(shown);
        return NULL;
    }
    onvif_client *c = g_new0(onvif_client, 1);
    /* Cameras are on the local network: no proxy, whatever the environment. */
    c->session = soup_session_new_with_options("proxy-resolver", NULL, NULL);
    c->context = g_main_context_ref_thread_default();
    c->device_url = url;
    c->host = host;
    c->user = g_strdup(user ? user : "");
    c->password = g_strdup(password ? password : "");
    c->timeout_ms = DEFAULT_TIMEOUT_MS;
    g_queue_init(&c->queue);
    g_queue_init(&c->done);
    return c;
}

void onvif_client_free(onvif_client *c)
{
    if (!c)
        return;
    if (c->kick) {
        g_source_destroy(c->kick);
        g_source_unref(c->kick);
    }
    onvif_call *call;
    while ((call = g_queue_pop_head(&c->done)))
        call_free(call);
    while ((call = g_queue_pop_head(&c->queue))) {
        if (!call->cancel) {
            call_free(call);
            continue;
        }
        /* In flight: its completion frees it. */
        call->client = NULL;
        if (call->timeout) {
            g_source_destroy(call->timeout);
            g_source_unref(call->timeout);
            call->timeout = NULL;
        }
        g_cancellable_cancel(call->cancel);
    }
    onvif_capabilities_clear(&c->caps);
    g_object_unref(c->session);
    g_main_context_unref(c->context);
    g_free(c->device_url);
    g_free(c->host);
    g_free(c->user);
    if (c->password)
        memset(c->password, 0, strlen(c->password));
    g_free(c->password);
    g_free(c);
}

void onvif_client_set_timeout(onvif_client *c, unsigned timeout_ms)
{
    c->timeout_ms = timeout_ms ? timeout_ms : DEFAULT_TIMEOUT_MS;
}

const char *onvif_client_host(const onvif_client *c)
{
    return c->host;
}

/* ---- operations ---- */

void onvif_get_device(onvif_client *c, onvif_device_cb cb, void *user)
{
    onvif_call *call = call_new(c, OP_DEVICE, user);
    call->cb.device = cb;
    call->need_caps = TRUE;
    call_queue(call, SVC_DEVICE, "GetDeviceInformation", g_strdup("<tds:GetDeviceInformation/>"),
               on_device_info);
}

void onvif_get_profiles(onvif_client *c, onvif_profiles_cb cb, void *user)
{
    onvif_call *call = call_new(c, OP_PROFILES, user);
    call->cb.profiles = cb;
    call_queue(call, SVC_MEDIA, "GetProfiles", g_strdup("<trt:GetProfiles/>"), on_profiles);
}

/* A PTZ call on profile (not queued yet). */
static onvif_call *ptz_call(onvif_client *c, op_kind kind, const char *profile, void *user)
{
    onvif_call *call = call_new(c, kind, user);
    call->profile = g_strdup(profile);
    return call;
}

/* Drops the ContinuousMoves of profile still waiting their turn. */
static void supersede(onvif_client *c, const char *profile)
{
    for (GList *l = c->queue.head; l;) {
        GList *next = l->next;
        onvif_call *call = l->data;
        if (!call->running && call->continuous && !g_strcmp0(call->profile, profile)) {
            g_queue_delete_link(&c->queue, l);
            call->error = g_error_new_literal(ONVIF_ERROR, ONVIF_ERROR_SUPERSEDED,
                                              "a newer move or Stop replaced this ContinuousMove "
                                              "before it was sent");
            g_queue_push_tail(&c->done, call);
            client_kick(c);
        }
        l = next;
    }
}

/* Queues a PTZ call with body, or refuses it when there is no profile. */
static void ptz_queue(onvif_call *call, const char *action, char *body, reply_fn fn)
{
    if (!call->profile || !*call->profile) {
        g_free(body);
        call_refuse(call, "no PTZ profile token given");
        return;
    }
    call_queue(call, SVC_PTZ, action, body, fn);
}

static onvif_call *done_call(onvif_client *c, const char *profile, onvif_done_cb cb, void *user)
{
    onvif_call *call = ptz_call(c, OP_DONE, profile, user);
    call->cb.done = cb;
    return call;
}

void onvif_ptz_continuous_move(onvif_client *c, const char *profile, double pan, double tilt,
                               double zoom, unsigned timeout_ms, onvif_done_cb cb, void *user)
{
    onvif_call *call = done_call(c, profile, cb, user);
    call->continuous = TRUE;
    supersede(c, profile);
    ptz_queue(call, "ContinuousMove",
              onvif_body_continuous_move(profile, CLAMP(pan, -1, 1), CLAMP(tilt, -1, 1),
                                         CLAMP(zoom, -1, 1), timeout_ms),
              on_done);
}

void onvif_ptz_stop(onvif_client *c, const char *profile, onvif_done_cb cb, void *user)
{
    onvif_call *call = done_call(c, profile, cb, user);
    supersede(c, profile);
    ptz_queue(call, "Stop", onvif_body_stop(profile), on_done);
}

void onvif_ptz_relative_move(onvif_client *c, const char *profile, double pan, double tilt,
                             double zoom, onvif_done_cb cb, void *user)
{
    onvif_call *call = done_call(c, profile, cb, user);
    ptz_queue(call, "RelativeMove", onvif_body_move_to("RelativeMove", profile, pan, tilt, zoom),
              on_done);
}

void onvif_ptz_absolute_move(onvif_client *c, const char *profile, double pan, double tilt,
                             double zoom, onvif_done_cb cb, void *user)
{
    onvif_call *call = done_call(c, profile, cb, user);
    ptz_queue(call, "AbsoluteMove", onvif_body_move_to("AbsoluteMove", profile, pan, tilt, zoom),
              on_done);
}

void onvif_ptz_get_status(onvif_client *c, const char *profile, onvif_status_cb cb, void *user)
{
    onvif_call *call = ptz_call(c, OP_STATUS, profile, user);
    call->cb.status = cb;
    ptz_queue(call, "GetStatus", onvif_body_profile_only("GetStatus", profile), on_status);
}

void onvif_ptz_get_presets(onvif_client *c, const char *profile, onvif_presets_cb cb, void *user)
{
    onvif_call *call = ptz_call(c, OP_PRESETS, profile, user);
    call->cb.presets = cb;
    ptz_queue(call, "GetPresets", onvif_body_profile_only("GetPresets", profile), on_presets);
}

void onvif_ptz_goto_preset(onvif_client *c, const char *profile, const char *preset,
                           onvif_done_cb cb, void *user)
{
    onvif_call *call = done_call(c, profile, cb, user);
    if (!preset || !*preset) {
        call_refuse(call, "no preset token given");
        return;
    }
    ptz_queue(call, "GotoPreset", onvif_body_goto_preset(profile, preset), on_done);
}

void onvif_ptz_set_preset(onvif_client *c, const char *profile, const char *name, const char *token,
                          onvif_token_cb cb, void *user)
{
    onvif_call *call = ptz_call(c, OP_TOKEN, profile, user);
    call->cb.token = cb;
    ptz_queue(call, "SetPreset", onvif_body_set_preset(profile, name, token), on_token);
}

void onvif_ptz_remove_preset(onvif_client *c, const char *profile, const char *preset,
                             onvif_done_cb cb, void *user)
{
    onvif_call *call = done_call(c, profile, cb, user);
    if (!preset || !*preset) {
        call_refuse(call, "no preset token given");
        return;
    }
    ptz_queue(call, "RemovePreset", onvif_body_remove_preset(profile, preset), on_done);
}
