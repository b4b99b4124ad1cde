/* port_probe.c - whether a camera's port answers: one TCP connect, closed
 * at once. */
#include "port_probe.h"

#include <string.h>

/* Owned by the async connect: released in its callback, also after a
 * cancel (done is then NULL). */
struct cctv_port_probe {
    cctv_port_probe_done done;
    void *user;
    GCancellable *cancel;
};

const char *cctv_connect_detail(const GError *err)
{
    const char *msg = err->message;
    const char *colon = g_str_has_prefix(msg, "Could not connect") ? strstr(msg, ": ") : NULL;
    return colon ? colon + 2 : msg;
}

static void on_connected(GObject *source, GAsyncResult *res, gpointer user)
{
    cctv_port_probe *p = user;
    GError *err = NULL;
    GSocketConnection *conn = g_socket_client_connect_finish(G_SOCKET_CLIENT(source), res, &err);
    if (conn)
        g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
    if (p->done)
        p->done(p->user, conn != NULL, conn ? NULL : cctv_connect_detail(err));
    g_clear_object(&conn);
    g_clear_error(&err);
    g_object_unref(p->cancel);
    g_free(p);
}

cctv_port_probe *cctv_port_probe_start(const char *host, uint16_t port, unsigned timeout_s,
                                       cctv_port_probe_done done, void *user)
{
    cctv_port_probe *p = g_new0(cctv_port_probe, 1);
    p->done = done;
    p->user = user;
    p->cancel = g_cancellable_new();
    GSocketClient *client = g_socket_client_new();
    /* Cameras are reached directly, as the RTSP paths do: no desktop proxy. */
    g_socket_client_set_enable_proxy(client, FALSE);
    g_socket_client_set_timeout(client, timeout_s);
    GSocketConnectable *addr = g_network_address_new(host, port);
    g_socket_client_connect_async(client, addr, p->cancel, on_connected, p);
    g_object_unref(addr);
    g_object_unref(client);
    return p;
}

void cctv_port_probe_cancel(cctv_port_probe *p)
{
    if (!p)
        return;
    p->done = NULL;
    g_cancellable_cancel(p->cancel);
}
