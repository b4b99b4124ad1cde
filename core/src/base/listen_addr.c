#include "listen_addr.h"

#include <gio/gio.h>
#include <glib.h>
#include <string.h>

/* Fills out from a; false when a is not an internet address. */
static bool fill_from(GInetAddress *a, listen_addr *out)
{
    GSocketFamily family = g_inet_address_get_family(a);
    if (family != G_SOCKET_FAMILY_IPV4 && family != G_SOCKET_FAMILY_IPV6)
        return false;
    char *text = g_inet_address_to_string(a);
    g_strlcpy(out->numeric, text, sizeof out->numeric);
    g_free(text);
    out->ipv6 = family == G_SOCKET_FAMILY_IPV6;
    out->loopback = g_inet_address_get_is_loopback(a);
    out->any = g_inet_address_get_is_any(a);
    return true;
}

/* The first address of list of the wanted family, or NULL. Borrowed. */
static GInetAddress *first_of(GList *list, GSocketFamily family)
{
    for (GList *l = list; l; l = l->next)
        if (g_inet_address_get_family(l->data) == family)
            return l->data;
    return NULL;
}

int listen_addr_resolve(const char *text, listen_addr *out, char **why)
{
    memset(out, 0, sizeof *out);
    *why = NULL;
    if (!text || !*text) {
        *why = g_strdup("must be an address or a host name");
        return -1;
    }
    GInetAddress *literal = g_inet_address_new_from_string(text);
    if (literal) {
        bool ok = fill_from(literal, out);
        g_object_unref(literal);
        return ok ? 0 : -1;
    }
    GError *gerr = NULL;
    GResolver *resolver = g_resolver_get_default();
    GList *list = g_resolver_lookup_by_name(resolver, text, NULL, &gerr);
    g_object_unref(resolver);
    if (!list)
        goto unresolved;
    GInetAddress *a = first_of(list, G_SOCKET_FAMILY_IPV4);
    if (!a)
        a = first_of(list, G_SOCKET_FAMILY_IPV6);
    bool ok = a && fill_from(a, out);
    g_resolver_free_addresses(list);
    if (!ok)
        *why = g_strdup_printf("'%s' has no IPv4 or IPv6 address", text);
    return ok ? 0 : -1;
unresolved:
    *why = g_strdup_printf("cannot resolve '%s': %s", text, gerr->message);
    g_error_free(gerr);
    return -1;
}
