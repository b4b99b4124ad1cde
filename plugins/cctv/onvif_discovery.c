/* onvif_discovery.c - see onvif_discovery.h. One UDP socket bound to an
 * ephemeral port: the Probe goes to the group, the ProbeMatches come back
 * to that port by unicast. */
#include "onvif_discovery.h"
#include "onvif.h"
#include "onvif_soap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gio/gio.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

/* A WS-Discovery datagram is far smaller; a larger one is cut and refused. */
#define DATAGRAM_MAX 65536
/* Devices answered at most this many (a flood is not kept growing). */
#define FOUND_MAX 1024

struct onvif_discovery {
    onvif_discovery_cb cb;
    void *user;
    GMainContext *context;
    GSocket *sock;
    GSocketAddress *group;
    char *message_id;
    char *probe;
    GSource *readable;
    GSource *resend;
    GSource *finish;
    GArray *found; /* onvif_found */
    GError *error;
};

static GSource *add_timeout(onvif_discovery *d, unsigned ms, GSourceFunc fn)
{
    GSource *s = ms ? g_timeout_source_new(ms) : g_idle_source_new();
    g_source_set_callback(s, fn, d, NULL);
    g_source_attach(s, d->context);
    return s;
}

static void drop_source(GSource **s)
{
    if (!*s)
        return;
    g_source_destroy(*s);
    g_source_unref(*s);
    *s = NULL;
}

static gboolean already_found(const onvif_discovery *d, const onvif_found *f)
{
    for (guint i = 0; i < d->found->len; i++)
        if (!g_strcmp0(g_array_index(d->found, onvif_found, i).endpoint, f->endpoint))
            return TRUE;
    return FALSE;
}

/* Keeps the matches in data that are new. */
static void take_matches(onvif_discovery *d, const char *data, gsize len)
{
    GArray *matches = g_array_new(FALSE, TRUE, sizeof(onvif_found));
    onvif_parse_probe_matches(data, len, d->message_id, matches);
    for (guint i = 0; i < matches->len; i++) {
        onvif_found *f = &g_array_index(matches, onvif_found, i);
        if (already_found(d, f) || d->found->len >= FOUND_MAX) {
            onvif_found_clear(f);
            continue;
        }
        g_array_append_val(d->found, *f);
    }
    g_array_free(matches, TRUE);
}

static gboolean on_readable(GSocket *sock, GIOCondition cond, gpointer data)
{
    (void)cond;
    onvif_discovery *d = data;
    char *buf = g_malloc(DATAGRAM_MAX);
    gssize n;
    while ((n = g_socket_receive_from(sock, NULL, buf, DATAGRAM_MAX, NULL, NULL)) > 0)
        if (n < DATAGRAM_MAX)
            take_matches(d, buf, (gsize)n);
    g_free(buf);
    return G_SOURCE_CONTINUE;
}

static int send_probe(onvif_discovery *d, GError **error)
{
    gsize len = strlen(d->probe);
    return g_socket_send_to(d->sock, d->group, d->probe, len, NULL, error) == (gssize)len ? 0 : -1;
}

static gboolean on_finish(gpointer data)
{
    onvif_discovery *d = data;
    g_source_unref(d->finish);
    d->finish = NULL;
    drop_source(&d->readable);
    drop_source(&d->resend);
    onvif_discovery_cb cb = d->cb;
    d->cb = NULL;
    if (cb && d->error)
        cb(d->user, NULL, 0, d->error);
    else if (cb)
        cb(d->user, (const onvif_found *)(void *)d->found->data, d->found->len, NULL);
    return G_SOURCE_REMOVE;
}

/* Ends d soon with an error (the callback runs from the loop). */
static void fail_soon(onvif_discovery *d, GError *error)
{
    d->error = error;
    drop_source(&d->readable);
    drop_source(&d->resend);
    drop_source(&d->finish);
    d->finish = add_timeout(d, 0, on_finish);
}

static gboolean on_resend(gpointer data)
{
    onvif_discovery *d = data;
    g_source_unref(d->resend);
    d->resend = NULL;
    GError *err = NULL;
    if (send_probe(d, &err))
        g_error_free(err); /* the first one went out; keep listening */
    return G_SOURCE_REMOVE;
}

/* Multicast out of iface (an IPv4 address), looped back to this host,
 * one hop. */
static int set_multicast(GSocket *sock, const struct in_addr *iface, GError **error)
{
    int fd = g_socket_get_fd(sock);
    unsigned char loop = 1, ttl = 1;
    if ((iface && setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, iface, sizeof *iface)) ||
        setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop) ||
        setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl)) {
        int e = errno;
        g_set_error(error, ONVIF_ERROR, ONVIF_ERROR_UNREACHABLE,
                    "cannot send WS-Discovery probes from this interface: %s", g_strerror(e));
        return -1;
    }
    return 0;
}

/* The socket, bound to an ephemeral port, ready to probe. */
static GSocket *open_socket(const char *iface, GError **error)
{
    struct in_addr addr = {0};
    if (iface && *iface && inet_pton(AF_INET, iface, &addr) != 1) {
        char *shown = g_strescape(iface, NULL);
        g_set_error(error, ONVIF_ERROR, ONVIF_ERROR_INVALID,
                    "not an IPv4 interface address: \"%.60s\"", shown);
        g_free(shown);
        return NULL;
    }
    GSocket *sock =
        g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, error);
    if (!sock)
        return NULL;
    GInetAddress *any = g_inet_address_new_any(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *local = g_inet_socket_address_new(any, 0);
    gboolean ok = g_socket_bind(sock, local, FALSE, error) &&
                  !set_multicast(sock, iface && *iface ? &addr : NULL, error);
    g_object_unref(local);
    g_object_unref(any);
    if (!ok) {
        g_object_unref(sock);
        return NULL;
    }
    g_socket_set_blocking(sock, FALSE);
    return sock;
}

/* Opens the socket and sends the first Probe. */
static int start(onvif_discovery *d, const char *iface, unsigned port, GError **error)
{
    d->sock = open_socket(iface, error);
    if (!d->sock)
        return -1;
    GInetAddress *group = g_inet_address_new_from_string(ONVIF_DISCOVERY_GROUP);
    d->group = g_inet_socket_address_new(group, (guint16)(port ? port : ONVIF_DISCOVERY_PORT));
    g_object_unref(group);
    GError *err = NULL;
    if (send_probe(d, &err)) {
        g_set_error(error, ONVIF_ERROR, ONVIF_ERROR_UNREACHABLE,
                    "cannot send a WS-Discovery probe from %s: %s",
                    iface && *iface ? iface : "the default interface", err->message);
        g_error_free(err);
        return -1;
    }
    d->readable = g_socket_create_source(d->sock, G_IO_IN, NULL);
    g_source_set_callback(d->readable, G_SOURCE_FUNC(on_readable), d, NULL);
    g_source_attach(d->readable, d->context);
    return 0;
}

onvif_discovery *onvif_discover(const char *iface, unsigned port, unsigned duration_ms,
                                onvif_discovery_cb cb, void *user)
{
    onvif_discovery *d = g_new0(onvif_discovery, 1);
    d->cb = cb;
    d->user = user;
    d->context = g_main_context_ref_thread_default();
    d->found = g_array_new(FALSE, TRUE, sizeof(onvif_found));
    char *uuid = g_uuid_string_random();
    d->message_id = g_strconcat("uuid:", uuid, NULL);
    g_free(uuid);
    d->probe = onvif_probe_message(d->message_id);
    GError *err = NULL;
    if (start(d, iface, port, &err)) {
        fail_soon(d, err);
        return d;
    }
    d->resend = add_timeout(d, duration_ms / 4 < 500 ? duration_ms / 4 + 1 : 500, on_resend);
    d->finish = add_timeout(d, duration_ms ? duration_ms : 1, on_finish);
    return d;
}

void onvif_discovery_free(onvif_discovery *d)
{
    if (!d)
        return;
    drop_source(&d->readable);
    drop_source(&d->resend);
    drop_source(&d->finish);
    for (guint i = 0; i < d->found->len; i++)
        onvif_found_clear(&g_array_index(d->found, onvif_found, i));
    g_array_free(d->found, TRUE);
    g_clear_object(&d->sock);
    g_clear_object(&d->group);
    g_clear_error(&d->error);
    g_main_context_unref(d->context);
    g_free(d->message_id);
    g_free(d->probe);
    g_free(d);
}
