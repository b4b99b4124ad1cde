/* cctv_config.c - settings of the camera types: defaults, schema, parsing. */
#include "cctv.h"
#include "url_redact.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Sets *error to a malloc'd copy of msg; returns -1. */
static int fail(char **error, const char *msg)
{
    *error = strdup(msg);
    return -1;
}

/* A string setting, NULL when absent or empty. Borrowed from settings. */
static const char *opt_string(const json_t *settings, const char *key)
{
    const char *v = json_string_value(json_object_get(settings, key));
    return v && *v ? v : NULL;
}

/* Reads an integer setting in [lo, hi] into *out (def when absent). */
static int opt_uint(const json_t *settings, const char *key, unsigned def, unsigned lo, unsigned hi,
                    unsigned *out)
{
    const json_t *v = json_object_get(settings, key);
    if (!v || json_is_null(v)) {
        *out = def;
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return -1;
    *out = (unsigned)json_integer_value(v);
    return 0;
}

/* Whether host is a plain host name or address: no spaces, slashes or '@'. */
static bool plain_host(const char *host)
{
    return host && *host && strlen(host) < 256 && !strpbrk(host, " /@?#\t\r\n");
}

/* The "onvif" setting (absent or null: none) as the address the ONVIF client
 * takes, g_malloc'd in *out. */
static int parse_onvif(const json_t *settings, char **out, char **error)
{
    const json_t *o = json_object_get(settings, "onvif");
    if (!o || json_is_null(o))
        return 0;
    if (!json_is_object(o))
        return fail(error,
                    "onvif must be an object: {\"url\": \"http://host/onvif/device_service\"} "
                    "or {\"host\": \"10.0.0.5\", \"port\": 80}");
    const char *url = opt_string(o, "url"), *host = opt_string(o, "host");
    if (url) {
        if (!g_str_has_prefix(url, "http://") && !g_str_has_prefix(url, "https://"))
            return fail(error, "onvif.url must be an http:// or https:// URL");
        const char *rest = strstr(url, "//") + 2;
        if (!*rest || *rest == '/' || strchr(rest, '@') || strpbrk(rest, " \t\r\n"))
            return fail(error, "onvif.url must name a host, without user or password "
                               "(the camera's username and password settings are used)");
        *out = g_strdup(url);
        return 0;
    }
    if (!plain_host(host))
        return fail(error, "onvif needs url or host (a host name or address)");
    unsigned port;
    if (opt_uint(o, "port", 80, 1, 65535, &port))
        return fail(error, "onvif.port must be an integer from 1 to 65535");
    *out = strchr(host, ':') ? g_strdup_printf("[%s]:%u", host, port)
                             : g_strdup_printf("%s:%u", host, port);
    return 0;
}

static int parse_rtsp(cctv_config *c, const json_t *settings, char **error)
{
    const char *url = opt_string(settings, "url");
    const char *sub = opt_string(settings, "sub_url");
    const char *transport = opt_string(settings, "transport");
    if (!cctv_url_valid(url))
        return fail(error, "url must be an rtsp:// or rtsps:// URL with a host");
    if (sub && !cctv_url_valid(sub))
        return fail(error, "sub_url must be an rtsp:// or rtsps:// URL with a host");
    if (cctv_url_at_after_host(url) || cctv_url_at_after_host(sub))
        return fail(error, "an '@' after the host in url or sub_url: in a password, write "
                           "'/', '?' and '#' as %2F, %3F and %23 ('@', ':', quotes and angle "
                           "brackets may stay as they are), or use the username and password "
                           "settings");
    if (transport && strcmp(transport, "tcp") && strcmp(transport, "udp"))
        return fail(error, "transport must be \"tcp\" or \"udp\"");
    if (opt_uint(settings, "latency_ms", 200, 0, 10000, &c->latency_ms))
        return fail(error, "latency_ms must be an integer from 0 to 10000");
    if (parse_onvif(settings, &c->onvif, error))
        return -1;
    c->tcp = !transport || !strcmp(transport, "tcp");
    c->url = g_strdup(url);
    c->sub_url = g_strdup(sub);
    c->username = g_strdup(opt_string(settings, "username"));
    c->password = g_strdup(opt_string(settings, "password"));
    return 0;
}

static int parse_file(cctv_config *c, const json_t *settings, char **error)
{
    const char *path = opt_string(settings, "path");
    if (!path)
        return fail(error, "path (an H.264 MP4 file) is required");
    c->path = g_strdup(path);
    return 0;
}

static int parse_test(cctv_config *c, const json_t *settings, char **error)
{
    if (opt_uint(settings, "width", 640, 64, 3840, &c->width) ||
        opt_uint(settings, "height", 360, 64, 2160, &c->height))
        return fail(error, "width must be 64..3840 and height 64..2160");
    if (opt_uint(settings, "fps", 15, 1, 60, &c->fps))
        return fail(error, "fps must be an integer from 1 to 60");
    if (opt_uint(settings, "bitrate_kbps", 600, 50, 20000, &c->bitrate_kbps))
        return fail(error, "bitrate_kbps must be an integer from 50 to 20000");
    c->pattern = g_strdup(opt_string(settings, "pattern"));
    return 0;
}

int cctv_config_parse(cctv_config *cfg, cctv_kind kind, const json_t *settings, char **error)
{
    cctv_config c = {.kind = kind};
    int rc = -1;
    if (!json_is_object(settings)) {
        fail(error, "settings must be an object");
        goto out;
    }
    if (kind == CCTV_RTSP)
        rc = parse_rtsp(&c, settings, error);
    else if (kind == CCTV_FILE)
        rc = parse_file(&c, settings, error);
    else
        rc = parse_test(&c, settings, error);
    if (rc)
        goto out;
    c.label = g_strdup(opt_string(settings, "label"));
    cctv_config_clear(cfg);
    *cfg = c;
    return 0;
out:
    cctv_config_clear(&c);
    return -1;
}

void cctv_config_clear(cctv_config *cfg)
{
    g_free(cfg->label);
    g_free(cfg->url);
    g_free(cfg->sub_url);
    g_free(cfg->username);
    if (cfg->password)
        memset(cfg->password, 0, strlen(cfg->password));
    g_free(cfg->password);
    g_free(cfg->onvif);
    g_free(cfg->path);
    g_free(cfg->pattern);
    memset(cfg, 0, sizeof *cfg);
}

json_t *cctv_config_defaults(cctv_kind kind)
{
    if (kind == CCTV_RTSP)
        return json_pack("{s:s, s:s, s:s, s:i, s:s, s:s}", "url", "", "sub_url", "", "transport",
                         "tcp", "latency_ms", 200, "username", "", "password", "");
    if (kind == CCTV_FILE)
        return json_pack("{s:s}", "path", "");
    return json_pack("{s:i, s:i, s:i, s:i, s:s, s:s}", "width", 640, "height", 360, "fps", 15,
                     "bitrate_kbps", 600, "label", "", "pattern", "");
}

/* {"type": type, "title": title}: a new reference. */
static json_t *prop(const char *type, const char *title)
{
    return json_pack("{s:s, s:s}", "type", type, "title", title);
}

/* Like prop(), marked "secret": true (never sent to clients). */
static json_t *secret_prop(const char *title)
{
    return json_pack("{s:s, s:s, s:b}", "type", "string", "title", title, "secret", 1);
}

static json_t *rtsp_properties(void)
{
    json_t *onvif =
        json_pack("{s:s, s:s, s:{s:o, s:o, s:o}}", "type", "object", "title",
                  "ONVIF (PTZ, optional)", "properties", "url",
                  prop("string", "Device service URL (http://host/onvif/device_service)"), "host",
                  prop("string", "Host (instead of url)"), "port", prop("integer", "Port (80)"));
    return json_pack("{s:o, s:o, s:{s:s, s:s, s:[s,s]}, s:o, s:o, s:o, s:o}", "url",
                     prop("string", "Main stream URL (rtsp://host:554/...)"), "sub_url",
                     prop("string", "Substream URL (optional)"), "transport", "type", "string",
                     "title", "Transport", "enum", "tcp", "udp", "latency_ms",
                     prop("integer", "Jitter buffer latency (ms)"), "username",
                     secret_prop("User name"), "password", secret_prop("Password"), "onvif", onvif);
}

json_t *cctv_config_schema(cctv_kind kind)
{
    json_t *props;
    if (kind == CCTV_RTSP)
        props = rtsp_properties();
    else if (kind == CCTV_FILE)
        props = json_pack("{s:o}", "path", prop("string", "H.264 MP4 file, played in a loop"));
    else
        props =
            json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "width", prop("integer", "Width"), "height",
                      prop("integer", "Height"), "fps", prop("integer", "Frames per second"),
                      "bitrate_kbps", prop("integer", "Bit rate (kbit/s)"), "label",
                      prop("string", "Text drawn on the picture (default: source id)"), "pattern",
                      prop("string", "videotestsrc pattern (default: by id)"));
    return json_pack("{s:s, s:o}", "type", "object", "properties", props);
}
