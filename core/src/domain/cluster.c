/* cluster.c - the "cluster" section: its check, and the shared store it
 * opens (kv_store.h). */
#include "cluster.h"

#include <stdbool.h>
#include <string.h>

#define CLUSTER_MAX_URLS 16
#define CLUSTER_NAME_MAX 64

/* 1 to max of A-Z a-z 0-9 _ - (NATS bucket and connection names). */
static bool name_is_valid(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return false;
    for (const char *p = s; *p; p++)
        if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
            return false;
    return true;
}

static void check_urls(config_checker *c, const json_t *urls)
{
    if (!urls) {
        config_fail(c, "cluster", "'nats' is required: the NATS servers' URLs");
        return;
    }
    if (!json_is_array(urls) || json_array_size(urls) == 0 ||
        json_array_size(urls) > CLUSTER_MAX_URLS) {
        config_fail(c, "cluster.nats",
                    "must be an array of 1 to %d URLs such as "
                    "\"nats://127.0.0.1:4222\"",
                    CLUSTER_MAX_URLS);
        return;
    }
    size_t i;
    const json_t *u;
    json_array_foreach(urls, i, u)
    {
        const char *s = json_string_value(u);
        if (s && (g_str_has_prefix(s, "nats://") || g_str_has_prefix(s, "tls://")) &&
            strlen(s) > strlen("nats://") && !strpbrk(s, " \t\r\n,"))
            continue;
        char *at = g_strdup_printf("cluster.nats[%zu]", i);
        config_fail(c, at, "must be a URL such as \"nats://127.0.0.1:4222\" (nats:// or tls://)");
        g_free(at);
    }
}

static void check_name(config_checker *c, const json_t *section, const char *key, bool required)
{
    const json_t *v = json_object_get(section, key);
    char *at = g_strdup_printf("cluster.%s", key);
    if (!v && required)
        config_fail(c, "cluster", "'%s' is required", key);
    else if (v && (!json_is_string(v) || !name_is_valid(json_string_value(v), CLUSTER_NAME_MAX)))
        config_fail(c, at, "must be 1-%d of A-Z a-z 0-9 _ -", CLUSTER_NAME_MAX);
    g_free(at);
}

/* cluster.public_url: how browsers reach this node, http(s)://host[:port]
 * with no path, no user and no spaces (docs/cluster.md). */
static void check_public_url(config_checker *c, const json_t *section)
{
    const json_t *v = json_object_get(section, "public_url");
    if (!v)
        return;
    const char *s = json_string_value(v);
    const char *rest = !s                                ? NULL
                       : g_str_has_prefix(s, "http://")  ? s + strlen("http://")
                       : g_str_has_prefix(s, "https://") ? s + strlen("https://")
                                                         : NULL;
    size_t host = rest ? strcspn(rest, "/") : 0;
    if (rest && host > 0 && host < 200 && strlen(rest + host) <= 1 &&
        !strpbrk(rest, " \t\r\n@?#\"'<>\\"))
        return;
    config_fail(c, "cluster.public_url",
                "must be how browsers reach this node, such as \"http://10.0.0.2:8080\" "
                "(http:// or https://, no path)");
}

static void check_int(config_checker *c, const json_t *section, const char *key, long min, long max)
{
    const json_t *v = json_object_get(section, key);
    if (!v)
        return;
    char *at = g_strdup_printf("cluster.%s", key);
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        config_fail(c, at, "must be an integer, %ld to %ld", min, max);
    g_free(at);
}

void cluster_config_check(config_checker *c, const json_t *section)
{
    if (!section)
        return;
    if (!json_is_object(section)) {
        config_fail(c, "cluster",
                    "must be an object such as {\"nats\": "
                    "[\"nats://127.0.0.1:4222\"], \"node\": \"a\"}");
        return;
    }
    static const char *const keys[] = {"nats", "node", "bucket", "replicas", "timeout_ms", "audit_stream", "public_url", NULL};
    config_check_keys(c, section, "cluster", keys);
    check_urls(c, json_object_get(section, "nats"));
    check_name(c, section, "node", true);
    check_name(c, section, "bucket", false);
    check_name(c, section, "audit_stream", false);
    check_int(c, section, "replicas", 1, 5);
    check_int(c, section, "timeout_ms", 100, 60000);
    check_public_url(c, section);
}

static int int_or(const json_t *section, const char *key, int fallback)
{
    const json_t *v = json_object_get(section, key);
    return v ? (int)json_integer_value(v) : fallback;
}

kv_store *cluster_open(const json_t *section, const char *suffix, gint64 ttl_ms, pantau_error *err)
{
    const json_t *urls = json_object_get(section, "nats");
    size_t n = json_array_size(urls);
    const char **list = g_new0(const char *, n + 1);
    for (size_t i = 0; i < n; i++)
        list[i] = json_string_value(json_array_get(urls, i));
    const char *name = json_string_value(json_object_get(section, "bucket"));
    char *bucket = g_strconcat(name ? name : CLUSTER_BUCKET_DEFAULT, suffix, NULL);
    kv_store_options o = {
        .urls = list,
        .n_urls = n,
        .node = json_string_value(json_object_get(section, "node")),
        .bucket = bucket,
        .ttl_ms = ttl_ms,
        .replicas = int_or(section, "replicas", CLUSTER_REPLICAS_DEFAULT),
        .timeout_ms = int_or(section, "timeout_ms", CLUSTER_TIMEOUT_MS_DEFAULT),
    };
    kv_store *kv = kv_store_open(&o, err);
    g_free(bucket);
    g_free(list);
    return kv;
}

kv_log *cluster_open_audit(const json_t *section, kv_store *kv, pantau_error *err)
{
    const char *name = json_string_value(json_object_get(section, "audit_stream"));
    const char *bucket = json_string_value(json_object_get(section, "bucket"));
    char *stream = name ? g_strdup(name)
                        : g_strconcat(bucket ? bucket : CLUSTER_BUCKET_DEFAULT, "-audit", NULL);
    kv_log *l = kv_log_open(kv, stream, int_or(section, "replicas", CLUSTER_REPLICAS_DEFAULT), err);
    g_free(stream);
    return l;
}
