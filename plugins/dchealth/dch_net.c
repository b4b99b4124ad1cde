#include "dch_net.h"

#include <gio/gio.h>
#include <string.h>

#define NUT_MAX_REPLY (256 * 1024)
#define READ_CHUNK 65536

struct dch_ops {
    GHashTable *live; /* dch_op * set; ops remove themselves when they end */
};

/* What every probe has: cancellation, a timeout, and its owner. */
typedef struct dch_op {
    dch_ops *owner; /* NULL once orphaned by dch_ops_cancel_all */
    GCancellable *cancel;
    guint timer;
    unsigned timeout_ms;
    bool timed_out;
    gint64 start_us;
    void *user;
    void (*free_extra)(struct dch_op *op);
} dch_op;

dch_ops *dch_ops_new(void)
{
    dch_ops *ops = g_new0(dch_ops, 1);
    ops->live = g_hash_table_new(g_direct_hash, g_direct_equal);
    return ops;
}

void dch_ops_cancel_all(dch_ops *ops)
{
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, ops->live);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        dch_op *op = key;
        op->owner = NULL;
        if (op->timer)
            g_source_remove(op->timer);
        op->timer = 0;
        g_cancellable_cancel(op->cancel);
        g_hash_table_iter_remove(&it);
    }
}

void dch_ops_free(dch_ops *ops)
{
    if (!ops)
        return;
    dch_ops_cancel_all(ops);
    g_hash_table_destroy(ops->live);
    g_free(ops);
}

static gboolean op_timeout(gpointer data)
{
    dch_op *op = data;
    op->timer = 0;
    op->timed_out = true;
    g_cancellable_cancel(op->cancel);
    return G_SOURCE_REMOVE;
}

/* Registers op (allocated by the caller with g_malloc0, base first). */
static void op_begin(dch_op *op, dch_ops *ops, unsigned timeout_ms, void *user)
{
    op->owner = ops;
    op->cancel = g_cancellable_new();
    op->timeout_ms = timeout_ms ? timeout_ms : 5000;
    op->timer = g_timeout_add(op->timeout_ms, op_timeout, op);
    op->start_us = g_get_monotonic_time();
    op->user = user;
    g_hash_table_add(ops->live, op);
}

/* True when the op's callback must still be called (not orphaned). Stops
 * the timer and unregisters it. */
static bool op_end(dch_op *op)
{
    if (op->timer)
        g_source_remove(op->timer);
    op->timer = 0;
    if (!op->owner)
        return false;
    g_hash_table_remove(op->owner->live, op);
    op->owner = NULL;
    return true;
}

static void op_free(dch_op *op)
{
    if (op->free_extra)
        op->free_extra(op);
    g_object_unref(op->cancel);
    g_free(op);
}

static double op_elapsed_ms(const dch_op *op)
{
    return (double)(g_get_monotonic_time() - op->start_us) / 1000.0;
}

/* A short reason for a failed step; never contains a URL or password. */
static char *op_reason(const dch_op *op, const GError *err)
{
    if (op->timed_out)
        return g_strdup_printf("timeout after %u ms", op->timeout_ms);
    if (!err)
        return g_strdup("failed");
    if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
        return g_strdup("connection refused");
    return g_strdup(err->message);
}

/* ---- HTTP ---- */

typedef struct http_op {
    dch_op base;
    SoupSession *session;
    SoupMessage *msg;
    GInputStream *stream;
    GByteArray *body;
    size_t max_body;
    unsigned status;
    double latency_ms;
    dch_http_cb cb;
} http_op;

static void http_free_extra(dch_op *base)
{
    http_op *op = (http_op *)base;
    g_clear_object(&op->stream);
    g_clear_object(&op->msg);
    g_clear_object(&op->session);
    if (op->body)
        g_byte_array_free(op->body, TRUE);
}

/* Ends an HTTP probe with an error (reason) or its body. */
static void http_finish(http_op *op, const char *reason)
{
    if (op_end(&op->base)) {
        dch_http_result r = {op->status, op->latency_ms, NULL, 0, reason};
        if (!reason && op->body) {
            g_byte_array_append(op->body, (const guint8 *)"", 1);
            r.body = (const char *)op->body->data;
            r.body_len = op->body->len - 1;
        }
        op->cb(&r, op->base.user);
    }
    op_free(&op->base);
}

static void http_fail(http_op *op, const GError *err)
{
    char *reason = op_reason(&op->base, err);
    http_finish(op, reason);
    g_free(reason);
}

static void http_read_more(http_op *op);

static void http_on_read(GObject *obj, GAsyncResult *res, gpointer data)
{
    http_op *op = data;
    GError *err = NULL;
    GBytes *chunk = g_input_stream_read_bytes_finish(G_INPUT_STREAM(obj), res, &err);
    if (!chunk) {
        http_fail(op, err);
        g_error_free(err);
        return;
    }
    gsize n;
    const guint8 *bytes = g_bytes_get_data(chunk, &n);
    if (n == 0) {
        g_bytes_unref(chunk);
        http_finish(op, NULL);
        return;
    }
    if (op->body->len + n > op->max_body) {
        g_bytes_unref(chunk);
        char *reason = g_strdup_printf("response larger than %zu bytes", op->max_body);
        http_finish(op, reason);
        g_free(reason);
        return;
    }
    g_byte_array_append(op->body, bytes, (guint)n);
    g_bytes_unref(chunk);
    http_read_more(op);
}

static void http_read_more(http_op *op)
{
    g_input_stream_read_bytes_async(op->stream, READ_CHUNK, G_PRIORITY_DEFAULT, op->base.cancel,
                                    http_on_read, op);
}

static void http_on_closed(GObject *obj, GAsyncResult *res, gpointer data)
{
    g_input_stream_close_finish(G_INPUT_STREAM(obj), res, NULL);
    http_finish(data, NULL);
}

static void http_on_sent(GObject *obj, GAsyncResult *res, gpointer data)
{
    http_op *op = data;
    GError *err = NULL;
    op->stream = soup_session_send_finish(SOUP_SESSION(obj), res, &err);
    if (!op->stream) {
        http_fail(op, err);
        g_error_free(err);
        return;
    }
    op->status = soup_message_get_status(op->msg);
    op->latency_ms = op_elapsed_ms(&op->base);
    if (op->max_body == 0) {
        g_input_stream_close_async(op->stream, G_PRIORITY_DEFAULT, NULL, http_on_closed, op);
        return;
    }
    op->body = g_byte_array_new();
    http_read_more(op);
}

void dch_http_get(dch_ops *ops, SoupSession *session, const char *url, const char *token,
                  unsigned timeout_ms, size_t max_body, dch_http_cb cb, void *user)
{
    http_op *op = g_new0(http_op, 1);
    op_begin(&op->base, ops, timeout_ms, user);
    op->base.free_extra = http_free_extra;
    op->cb = cb;
    op->max_body = max_body;
    op->session = g_object_ref(session);
    op->msg = soup_message_new(SOUP_METHOD_GET, url);
    if (!op->msg) {
        http_finish(op, "invalid URL");
        return;
    }
    if (token && *token) {
        char *auth = g_strdup_printf("Bearer %s", token);
        soup_message_headers_replace(soup_message_get_request_headers(op->msg), "Authorization",
                                     auth);
        g_free(auth);
    }
    soup_session_send_async(session, op->msg, G_PRIORITY_DEFAULT, op->base.cancel, http_on_sent,
                            op);
}

/* ---- TCP ---- */

typedef struct tcp_op {
    dch_op base;
    GSocketClient *client;
    dch_tcp_cb cb;
} tcp_op;

static void tcp_free_extra(dch_op *base)
{
    g_clear_object(&((tcp_op *)base)->client);
}

static void tcp_on_connected(GObject *obj, GAsyncResult *res, gpointer data)
{
    tcp_op *op = data;
    GError *err = NULL;
    GSocketConnection *conn =
        g_socket_client_connect_to_host_finish(G_SOCKET_CLIENT(obj), res, &err);
    dch_tcp_result r = {op_elapsed_ms(&op->base), NULL};
    char *reason = conn ? NULL : op_reason(&op->base, err);
    r.error = reason;
    if (conn)
        g_io_stream_close(G_IO_STREAM(conn), NULL, NULL); /* a socket close never blocks */
    g_clear_object(&conn);
    g_clear_error(&err);
    if (op_end(&op->base))
        op->cb(&r, op->base.user);
    g_free(reason);
    op_free(&op->base);
}

void dch_tcp_connect(dch_ops *ops, const char *host, unsigned port, unsigned timeout_ms,
                     dch_tcp_cb cb, void *user)
{
    tcp_op *op = g_new0(tcp_op, 1);
    op_begin(&op->base, ops, timeout_ms, user);
    op->base.free_extra = tcp_free_extra;
    op->cb = cb;
    op->client = g_socket_client_new();
    g_socket_client_connect_to_host_async(op->client, host, (guint16)port, op->base.cancel,
                                          tcp_on_connected, op);
}

/* ---- NUT ---- */

typedef struct nut_op {
    dch_op base;
    GSocketClient *client;
    GSocketConnection *conn;
    char *request; /* holds the password: zeroed before it is freed */
    char *ups;
    GByteArray *reply;
    guint8 chunk[4096];
    dch_nut_cb cb;
} nut_op;

static void nut_free_extra(dch_op *base)
{
    nut_op *op = (nut_op *)base;
    if (op->conn)
        g_io_stream_close(G_IO_STREAM(op->conn), NULL, NULL);
    g_clear_object(&op->conn);
    g_clear_object(&op->client);
    if (op->request)
        memset(op->request, 0, strlen(op->request));
    g_free(op->request);
    g_free(op->ups);
    g_byte_array_free(op->reply, TRUE);
}

static void nut_finish(nut_op *op, const dch_ups_state *state, const char *reason)
{
    if (op_end(&op->base)) {
        dch_nut_poll_result r = {.latency_ms = op_elapsed_ms(&op->base), .error = reason};
        if (state)
            r.state = *state;
        op->cb(&r, op->base.user);
    }
    op_free(&op->base);
}

static void nut_fail(nut_op *op, const GError *err)
{
    char *reason = op_reason(&op->base, err);
    nut_finish(op, NULL, reason);
    g_free(reason);
}

static void nut_read_more(nut_op *op);

static void nut_on_read(GObject *obj, GAsyncResult *res, gpointer data)
{
    nut_op *op = data;
    GError *err = NULL;
    gssize n = g_input_stream_read_finish(G_INPUT_STREAM(obj), res, &err);
    if (n < 0) {
        nut_fail(op, err);
        g_error_free(err);
        return;
    }
    if (n == 0) {
        nut_finish(op, NULL, "connection closed by the NUT server");
        return;
    }
    g_byte_array_append(op->reply, op->chunk, (guint)n);
    dch_ups_state state;
    char *error = NULL;
    enum dch_nut_result r =
        dch_nut_parse((const char *)op->reply->data, op->reply->len, op->ups, &state, &error);
    if (r == DCH_NUT_INCOMPLETE && op->reply->len > NUT_MAX_REPLY)
        error = g_strdup("reply from the NUT server too long");
    if (r == DCH_NUT_DONE || error) {
        nut_finish(op, error ? NULL : &state, error);
        g_free(error);
        return;
    }
    nut_read_more(op);
}

static void nut_read_more(nut_op *op)
{
    GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(op->conn));
    g_input_stream_read_async(in, op->chunk, sizeof op->chunk, G_PRIORITY_DEFAULT, op->base.cancel,
                              nut_on_read, op);
}

static void nut_on_written(GObject *obj, GAsyncResult *res, gpointer data)
{
    nut_op *op = data;
    GError *err = NULL;
    if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(obj), res, NULL, &err)) {
        nut_fail(op, err);
        g_error_free(err);
        return;
    }
    nut_read_more(op);
}

static void nut_on_connected(GObject *obj, GAsyncResult *res, gpointer data)
{
    nut_op *op = data;
    GError *err = NULL;
    op->conn = g_socket_client_connect_to_host_finish(G_SOCKET_CLIENT(obj), res, &err);
    if (!op->conn) {
        nut_fail(op, err);
        g_error_free(err);
        return;
    }
    GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(op->conn));
    g_output_stream_write_all_async(out, op->request, strlen(op->request), G_PRIORITY_DEFAULT,
                                    op->base.cancel, nut_on_written, op);
}

void dch_nut_poll(dch_ops *ops, const char *host, unsigned port, const char *ups,
                  const char *username, const char *password, unsigned timeout_ms, dch_nut_cb cb,
                  void *user)
{
    nut_op *op = g_new0(nut_op, 1);
    op_begin(&op->base, ops, timeout_ms, user);
    op->base.free_extra = nut_free_extra;
    op->cb = cb;
    op->ups = g_strdup(ups);
    op->reply = g_byte_array_new();
    op->request = dch_nut_request(ups, username, password);
    op->client = g_socket_client_new();
    g_socket_client_connect_to_host_async(op->client, host, (guint16)port, op->base.cancel,
                                          nut_on_connected, op);
}
