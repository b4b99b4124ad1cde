#include "dch_config.h"

#include <glib.h>
#include <math.h>
#include <string.h>

json_t *dch_config_defaults(void)
{
    return json_pack("{s:s, s:i, s:i, s:{s:s, s:[s], s:[]}, s:{s:i, s:i, s:i, s:n}, s:i, s:[], "
                     "s:[], s:{s:s, s:s, s:i, s:s, s:i}}",
                     "label", "", "interval_ms", 2000, "history_points", 60, "host", "mode",
                     "local", "disks", "/", "interfaces", "thresholds", "cpu_percent", 90,
                     "mem_percent", 90, "disk_percent", 90, "load1", "hysteresis", 5, "checks",
                     "exporters", "ups", "mode", "off", "host", "127.0.0.1", "port", 3493, "name",
                     "ups", "timeout_ms", 3000);
}

/* A property {"type": type, "title": title}. Returns a new reference. */
static json_t *prop(const char *type, const char *title)
{
    return json_pack("{s:s, s:s}", "type", type, "title", title);
}

json_t *dch_config_schema(void)
{
    json_t *ups_props =
        json_pack("{s:o, s:o, s:o, s:o, s:o, s:{s:s, s:s, s:b}, s:o}", "mode",
                  prop("string", "UPS source: off, nut or simulated"), "host",
                  prop("string", "NUT server host"), "port", prop("integer", "NUT server port"),
                  "name", prop("string", "UPS name on the NUT server"), "username",
                  prop("string", "NUT user (optional)"), "password", "type", "string", "title",
                  "NUT password", "secret", 1, "timeout_ms", prop("integer", "Timeout (ms)"));
    json_t *props = json_pack(
        "{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:{s:s, s:s, s:o}}", "label",
        prop("string", "Label"), "interval_ms", prop("integer", "Sampling interval (ms)"),
        "history_points", prop("integer", "Points kept for the charts"), "host",
        prop("object", "This host: mode (local, simulated, off), disks, interfaces"), "thresholds",
        prop("object", "Event thresholds: cpu_percent, mem_percent, disk_percent, load1"),
        "hysteresis", prop("number", "Hysteresis below a threshold before it clears"), "checks",
        prop("array", "Checks: {name, type tcp|http|simulated, host, port, url, token (secret)}"),
        "exporters",
        prop("array", "Prometheus exporters: {name, url, metrics: [selector or {selector, label, "
                      "unit, above}]}"),
        "ups", "type", "object", "title", "UPS", "properties", ups_props);
    return json_pack("{s:s, s:o}", "type", "object", "properties", props);
}

typedef struct reader {
    char *error; /* the first error, g_malloc'd */
} reader;

static void fail(reader *r, const char *fmt, const char *path)
{
    if (!r->error)
        r->error = g_strdup_printf(fmt, path);
}

/* A string member, or def when absent or null; records an error otherwise. */
static char *read_string(reader *r, const json_t *obj, const char *key, const char *def,
                         const char *path)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return def ? g_strdup(def) : NULL;
    if (!json_is_string(v)) {
        fail(r, "%s must be a string", path);
        return def ? g_strdup(def) : NULL;
    }
    return g_strdup(json_string_value(v));
}

static unsigned read_uint(reader *r, const json_t *obj, const char *key, unsigned def, unsigned min,
                          unsigned max, const char *path)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return def;
    json_int_t i = json_is_integer(v) ? json_integer_value(v) : -1;
    if (i < (json_int_t)min || i > (json_int_t)max) {
        char *msg = g_strdup_printf("%%s must be an integer from %u to %u", min, max);
        fail(r, msg, path);
        g_free(msg);
        return def;
    }
    return (unsigned)i;
}

/* A number member; NaN when absent or null. */
static double read_number(reader *r, const json_t *obj, const char *key, const char *path)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return NAN;
    if (!json_is_number(v)) {
        fail(r, "%s must be a number or null", path);
        return NAN;
    }
    return json_number_value(v);
}

/* A NULL-terminated array of strings, or NULL when absent (or empty and
 * empty_is_null). */
static char **read_strings(reader *r, const json_t *obj, const char *key, bool empty_is_null,
                           const char *path)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v) || (empty_is_null && json_is_array(v) && !json_array_size(v)))
        return NULL;
    if (!json_is_array(v)) {
        fail(r, "%s must be an array of strings", path);
        return NULL;
    }
    char **out = g_new0(char *, json_array_size(v) + 1);
    size_t i, n = 0;
    const json_t *e;
    json_array_foreach(v, i, e)
    {
        if (json_is_string(e))
            out[n++] = g_strdup(json_string_value(e));
        else
            fail(r, "%s must be an array of strings", path);
    }
    return out;
}

static enum dch_mode read_mode(reader *r, const json_t *obj, const char *const *allowed,
                               const enum dch_mode *modes, enum dch_mode def, const char *path)
{
    const json_t *v = json_object_get(obj, "mode");
    if (!v)
        return def;
    const char *s = json_string_value(v);
    for (size_t i = 0; s && allowed[i]; i++)
        if (strcmp(s, allowed[i]) == 0)
            return modes[i];
    fail(r, "%s has an unknown mode", path);
    return def;
}

/* "http://user:pw@h:1/p?q" -> "http://h:1/p": safe to publish. */
static char *url_target(const char *url)
{
    GUri *uri = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
    if (!uri)
        return g_strdup("(invalid URL)");
    char *t = g_uri_join(G_URI_FLAGS_NONE, g_uri_get_scheme(uri), NULL, g_uri_get_host(uri),
                         g_uri_get_port(uri), g_uri_get_path(uri), NULL, NULL);
    g_uri_unref(uri);
    return t;
}

static bool http_url_ok(const char *url)
{
    if (!url)
        return false;
    GUri *uri = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
    bool ok =
        uri && g_uri_get_host(uri) && *g_uri_get_host(uri) &&
        (strcmp(g_uri_get_scheme(uri), "http") == 0 || strcmp(g_uri_get_scheme(uri), "https") == 0);
    if (uri)
        g_uri_unref(uri);
    return ok;
}

static void read_check(reader *r, const json_t *j, dch_check_cfg *c, size_t idx)
{
    char path[64];
    snprintf(path, sizeof path, "checks[%zu]", idx);
    if (!json_is_object(j)) {
        fail(r, "%s must be an object", path);
        return;
    }
    c->name = read_string(r, j, "name", NULL, path);
    char *type = read_string(r, j, "type", "tcp", path);
    c->timeout_ms = read_uint(r, j, "timeout_ms", 3000, 50, 120000, path);
    c->expect_status = read_uint(r, j, "expect_status", 0, 0, 599, path);
    c->latency_warn_ms = read_number(r, j, "latency_warn_ms", path);
    c->token = read_string(r, j, "token", NULL, path);
    if (!c->name || !*c->name)
        fail(r, "%s needs a name", path);
    if (strcmp(type, "tcp") == 0) {
        c->type = DCH_CHECK_TCP;
        c->host = read_string(r, j, "host", NULL, path);
        c->port = read_uint(r, j, "port", 0, 1, 65535, path);
        if (!c->host || !*c->host || !c->port)
            fail(r, "%s (tcp) needs host and port", path);
        c->target = g_strdup_printf("%s:%u", c->host ? c->host : "", c->port);
    } else if (strcmp(type, "http") == 0) {
        c->type = DCH_CHECK_HTTP;
        c->url = read_string(r, j, "url", NULL, path);
        if (!http_url_ok(c->url))
            fail(r, "%s (http) needs an http:// or https:// url", path);
        c->target = c->url ? url_target(c->url) : g_strdup("");
    } else if (strcmp(type, "simulated") == 0) {
        c->type = DCH_CHECK_SIMULATED;
        c->target = g_strdup("simulated");
    } else {
        fail(r, "%s.type must be tcp, http or simulated", path);
    }
    g_free(type);
}

static void read_metric(reader *r, const json_t *j, dch_metric_cfg *m, const char *path)
{
    const char *sel = json_is_string(j) ? json_string_value(j)
                                        : json_string_value(json_object_get(j, "selector"));
    if (!sel) {
        fail(r, "%s must be a selector string or an object with a selector", path);
        return;
    }
    char *err = NULL;
    if (dch_prom_selector_parse(sel, &m->sel, &err)) {
        if (!r->error)
            r->error = g_strdup_printf("%s: %s", path, err);
        g_free(err);
        return;
    }
    m->selector_text = g_strdup(sel);
    m->label = json_is_object(j) ? read_string(r, j, "label", sel, path) : g_strdup(sel);
    m->unit = json_is_object(j) ? read_string(r, j, "unit", "", path) : g_strdup("");
    m->above = json_is_object(j) ? read_number(r, j, "above", path) : NAN;
}

static void read_exporter(reader *r, const json_t *j, dch_exporter_cfg *e, size_t idx)
{
    char path[64];
    snprintf(path, sizeof path, "exporters[%zu]", idx);
    if (!json_is_object(j)) {
        fail(r, "%s must be an object", path);
        return;
    }
    e->name = read_string(r, j, "name", NULL, path);
    e->url = read_string(r, j, "url", NULL, path);
    e->token = read_string(r, j, "token", NULL, path);
    e->timeout_ms = read_uint(r, j, "timeout_ms", 3000, 50, 120000, path);
    if (!e->name || !*e->name || !http_url_ok(e->url))
        fail(r, "%s needs a name and an http:// url", path);
    const json_t *metrics = json_object_get(j, "metrics");
    if (!json_is_array(metrics) || json_array_size(metrics) == 0) {
        fail(r, "%s.metrics must be a non-empty array", path);
        return;
    }
    e->nmetrics = json_array_size(metrics);
    e->metrics = g_new0(dch_metric_cfg, e->nmetrics);
    for (size_t i = 0; i < e->nmetrics; i++) {
        char mpath[96];
        snprintf(mpath, sizeof mpath, "%s.metrics[%zu]", path, i);
        read_metric(r, json_array_get(metrics, i), &e->metrics[i], mpath);
    }
}

static void read_ups(reader *r, const json_t *j, dch_ups_cfg *u)
{
    static const char *const names[] = {"off", "nut", "simulated", NULL};
    static const enum dch_mode modes[] = {DCH_MODE_OFF, DCH_MODE_NUT, DCH_MODE_SIMULATED};
    if (j && !json_is_object(j)) {
        fail(r, "%s must be an object", "ups");
        return;
    }
    u->mode = read_mode(r, j, names, modes, DCH_MODE_OFF, "ups");
    u->host = read_string(r, j, "host", "127.0.0.1", "ups.host");
    u->port = read_uint(r, j, "port", 3493, 1, 65535, "ups.port");
    u->name = read_string(r, j, "name", "ups", "ups.name");
    u->username = read_string(r, j, "username", NULL, "ups.username");
    u->password = read_string(r, j, "password", NULL, "ups.password");
    u->timeout_ms = read_uint(r, j, "timeout_ms", 3000, 50, 120000, "ups.timeout_ms");
    if (u->mode == DCH_MODE_NUT && !dch_nut_name_ok(u->name))
        fail(r, "%s must be a NUT UPS name ([A-Za-z0-9_.-])", "ups.name");
}

static void read_host(reader *r, const json_t *j, dch_config *cfg)
{
    static const char *const names[] = {"off", "local", "simulated", NULL};
    static const enum dch_mode modes[] = {DCH_MODE_OFF, DCH_MODE_LOCAL, DCH_MODE_SIMULATED};
    if (j && !json_is_object(j)) {
        fail(r, "%s must be an object", "host");
        return;
    }
    cfg->host_mode = read_mode(r, j, names, modes, DCH_MODE_LOCAL, "host");
    cfg->disks = read_strings(r, j, "disks", false, "host.disks");
    cfg->interfaces = read_strings(r, j, "interfaces", true, "host.interfaces");
    if (!json_object_get(j, "disks"))
        cfg->disks = g_strsplit("/", ",", -1);
    if (!cfg->disks)
        cfg->disks = g_new0(char *, 1);
}

/* A threshold: def when absent, none (NaN) when null. */
static double read_threshold(reader *r, const json_t *j, const char *key, double def,
                             const char *path)
{
    return json_object_get(j, key) ? read_number(r, j, key, path) : def;
}

static void read_thresholds(reader *r, const json_t *j, dch_config *cfg)
{
    if (j && !json_is_object(j))
        fail(r, "%s must be an object", "thresholds");
    cfg->cpu_percent = read_threshold(r, j, "cpu_percent", 90, "thresholds.cpu_percent");
    cfg->mem_percent = read_threshold(r, j, "mem_percent", 90, "thresholds.mem_percent");
    cfg->disk_percent = read_threshold(r, j, "disk_percent", 90, "thresholds.disk_percent");
    cfg->load1 = read_threshold(r, j, "load1", NAN, "thresholds.load1");
}

static void read_lists(reader *r, const json_t *s, dch_config *cfg)
{
    const json_t *checks = json_object_get(s, "checks");
    const json_t *exporters = json_object_get(s, "exporters");
    if (checks && !json_is_array(checks))
        fail(r, "%s must be an array", "checks");
    if (exporters && !json_is_array(exporters))
        fail(r, "%s must be an array", "exporters");
    cfg->nchecks = json_array_size(checks);
    cfg->checks = g_new0(dch_check_cfg, cfg->nchecks + 1);
    for (size_t i = 0; i < cfg->nchecks; i++)
        read_check(r, json_array_get(checks, i), &cfg->checks[i], i);
    cfg->nexporters = json_array_size(exporters);
    cfg->exporters = g_new0(dch_exporter_cfg, cfg->nexporters + 1);
    for (size_t i = 0; i < cfg->nexporters; i++)
        read_exporter(r, json_array_get(exporters, i), &cfg->exporters[i], i);
}

dch_config *dch_config_read(const json_t *s, char **error)
{
    reader r = {0};
    dch_config *cfg = g_new0(dch_config, 1);
    if (!json_is_object(s))
        fail(&r, "%s must be an object", "settings");
    cfg->label = read_string(&r, s, "label", "", "label");
    cfg->interval_ms = read_uint(&r, s, "interval_ms", 2000, 200, 3600000, "interval_ms");
    cfg->history_points = read_uint(&r, s, "history_points", 60, 0, 600, "history_points");
    cfg->hysteresis = read_number(&r, s, "hysteresis", "hysteresis");
    if (isnan(cfg->hysteresis) || cfg->hysteresis < 0)
        cfg->hysteresis = 5;
    read_host(&r, json_object_get(s, "host"), cfg);
    read_thresholds(&r, json_object_get(s, "thresholds"), cfg);
    read_lists(&r, s, cfg);
    read_ups(&r, json_object_get(s, "ups"), &cfg->ups);
    if (!r.error)
        return cfg;
    dch_config_free(cfg);
    *error = r.error;
    return NULL;
}

static void free_secret(char *s)
{
    if (s)
        memset(s, 0, strlen(s));
    g_free(s);
}

static void check_free(dch_check_cfg *c)
{
    g_free(c->name);
    g_free(c->host);
    free_secret(c->url);
    free_secret(c->token);
    g_free(c->target);
}

static void exporter_free(dch_exporter_cfg *e)
{
    g_free(e->name);
    free_secret(e->url);
    free_secret(e->token);
    for (size_t i = 0; i < e->nmetrics; i++) {
        dch_prom_selector_clear(&e->metrics[i].sel);
        g_free(e->metrics[i].selector_text);
        g_free(e->metrics[i].label);
        g_free(e->metrics[i].unit);
    }
    g_free(e->metrics);
}

void dch_config_free(dch_config *cfg)
{
    if (!cfg)
        return;
    g_free(cfg->label);
    g_strfreev(cfg->disks);
    g_strfreev(cfg->interfaces);
    for (size_t i = 0; i < cfg->nchecks; i++)
        check_free(&cfg->checks[i]);
    g_free(cfg->checks);
    for (size_t i = 0; i < cfg->nexporters; i++)
        exporter_free(&cfg->exporters[i]);
    g_free(cfg->exporters);
    g_free(cfg->ups.host);
    g_free(cfg->ups.name);
    g_free(cfg->ups.username);
    free_secret(cfg->ups.password);
    g_free(cfg);
}
