/* auth_util.c - cookies, origins, the login rate limiter. */
#include "auth_util.h"

#include <gio/gio.h>
#include <string.h>

#define LIMITER_MAX_ADDRESSES 10000

char *auth_cookie_get(const char *header, const char *name)
{
    if (!header || !name)
        return NULL;
    size_t n = strlen(name);
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == ';' || *p == '\t')
            p++;
        const char *end = strchr(p, ';');
        if (!end)
            end = p + strlen(p);
        if ((size_t)(end - p) > n && strncmp(p, name, n) == 0 && p[n] == '=') {
            const char *v = p + n + 1;
            size_t len = (size_t)(end - v);
            while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
                len--;
            if (len >= 2 && v[0] == '"' && v[len - 1] == '"')
                v++, len -= 2;
            return g_strndup(v, len);
        }
        p = end;
    }
    return NULL;
}

bool auth_origin_allowed(const char *origin, const char *host, bool tls, const json_t *allowed)
{
    if (!origin || !*origin)
        return false;
    if (host && *host) {
        char *own = g_strdup_printf("%s://%s", tls ? "https" : "http", host);
        bool same = g_ascii_strcasecmp(origin, own) == 0;
        g_free(own);
        if (same)
            return true;
    }
    size_t i;
    const json_t *v;
    json_array_foreach(allowed, i, v)
    {
        if (json_is_string(v) && g_ascii_strcasecmp(origin, json_string_value(v)) == 0)
            return true;
    }
    return false;
}

struct login_limiter {
    unsigned max;
    gint64 window;
    GHashTable *attempts; /* key (owned) -> GArray of gint64 times, oldest first */
};

login_limiter *login_limiter_new(unsigned max_attempts, gint64 window_us)
{
    login_limiter *l = g_new0(login_limiter, 1);
    l->max = max_attempts;
    l->window = window_us;
    l->attempts =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_array_unref);
    return l;
}

void login_limiter_free(login_limiter *l)
{
    if (!l)
        return;
    g_hash_table_destroy(l->attempts);
    g_free(l);
}

/* The address, or its /64 for IPv6 (one host has a whole /64). */
static char *limiter_key(const char *address)
{
    GInetAddress *a = g_inet_address_new_from_string(address ? address : "");
    if (!a || g_inet_address_get_family(a) != G_SOCKET_FAMILY_IPV6 ||
        g_inet_address_get_is_loopback(a)) {
        if (a)
            g_object_unref(a);
        return g_strdup(address ? address : "");
    }
    const guint8 *b = g_inet_address_to_bytes(a);
    char *key = g_strdup_printf("%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", b[0], b[1], b[2], b[3],
                                b[4], b[5], b[6], b[7]);
    g_object_unref(a);
    return key;
}

static void drop_old(GArray *times, gint64 since)
{
    guint n = 0;
    while (n < times->len && g_array_index(times, gint64, n) <= since)
        n++;
    if (n)
        g_array_remove_range(times, 0, n);
}

static gboolean is_stale(gpointer key, gpointer value, gpointer since)
{
    (void)key;
    GArray *times = value;
    return times->len == 0 || g_array_index(times, gint64, times->len - 1) <= *(gint64 *)since;
}

int login_limiter_take(login_limiter *l, const char *address, gint64 now_us)
{
    gint64 since = now_us - l->window;
    if (g_hash_table_size(l->attempts) >= LIMITER_MAX_ADDRESSES)
        g_hash_table_foreach_remove(l->attempts, is_stale, &since);
    char *key = limiter_key(address);
    GArray *times = g_hash_table_lookup(l->attempts, key);
    if (!times) {
        /* Too many addresses at once: refuse rather than grow. */
        if (g_hash_table_size(l->attempts) >= LIMITER_MAX_ADDRESSES) {
            g_free(key);
            return (int)(l->window / G_USEC_PER_SEC);
        }
        times = g_array_new(FALSE, FALSE, sizeof(gint64));
        g_hash_table_insert(l->attempts, g_strdup(key), times);
    }
    g_free(key);
    drop_old(times, since);
    if (times->len >= l->max) {
        gint64 wait = g_array_index(times, gint64, 0) + l->window - now_us;
        return (int)MAX(1, (wait + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
    }
    g_array_append_val(times, now_us);
    return 0;
}

void login_limiter_forgive(login_limiter *l, const char *address)
{
    char *key = limiter_key(address);
    GArray *times = g_hash_table_lookup(l->attempts, key);
    if (times && times->len)
        g_array_remove_index(times, times->len - 1);
    g_free(key);
}
