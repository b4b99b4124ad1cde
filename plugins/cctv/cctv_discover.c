/* cctv_discover.c - see cctv_discover.h. */
#include "cctv_discover.h"

#include "onvif.h"
#include "onvif_discovery.h"

#include <jansson.h>
#include <string.h>

#define DISCOVER_DEFAULT_MS 3000
#define DISCOVER_MIN_MS 100
#define DISCOVER_MAX_MS 10000
#define PROBE_TIMEOUT_MS 8000

/* One action waiting for its answer. */
typedef struct pending {
    pantau_reply_fn done;
    void *data;
    onvif_discovery *discovery;
    onvif_client *client;
    json_t *result; /* probe: what is known so far (owned) */
} pending;

static pending *pending_new(pantau_reply_fn done, void *data)
{
    pending *p = g_new0(pending, 1);
    p->done = done;
    p->data = data;
    return p;
}

/* Answers (result borrowed, or error) and frees p: from a callback of
 * p's own discovery or client, which are safe to free there. */
static void pending_finish(pending *p, const json_t *result, const char *error)
{
    p->done(result, error, p->data);
    onvif_discovery_free(p->discovery);
    onvif_client_free(p->client);
    json_decref(p->result);
    g_free(p);
}

/* Answers an error at once: the reply function may run before the action
 * returns (plugin.h). */
static int fail_now(pantau_reply_fn done, void *data, const char *error)
{
    done(NULL, error, data);
    return 0;
}

/* ---- discover ---- */

static void on_found(void *user, const onvif_found *found, gsize n, const GError *err)
{
    pending *p = user;
    if (err) {
        pending_finish(p, NULL, err->message);
        return;
    }
    json_t *devices = json_array();
    for (gsize i = 0; i < n; i++)
        json_array_append_new(devices, json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?}", "endpoint",
                                                 found[i].endpoint, "address", found[i].xaddr,
                                                 "name", found[i].name, "hardware",
                                                 found[i].hardware, "location", found[i].location));
    json_t *result = json_pack("{s:o}", "devices", devices);
    pending_finish(p, result, NULL);
    json_decref(result);
}

/* An optional integer member within [min, max]: 0, or -1 (error set). */
static int get_uint(const json_t *args, const char *key, unsigned min, unsigned max, unsigned *out,
                    char **error)
{
    const json_t *v = json_object_get(args, key);
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        *error = g_strdup_printf("'%s' must be an integer from %u to %u", key, min, max);
        return -1;
    }
    *out = (unsigned)json_integer_value(v);
    return 0;
}

static int discover(const json_t *args, pantau_reply_fn done, void *data)
{
    unsigned timeout_ms = DISCOVER_DEFAULT_MS, port = 0;
    char *error = NULL;
    const json_t *iface = json_object_get(args, "interface");
    if (get_uint(args, "timeout_ms", DISCOVER_MIN_MS, DISCOVER_MAX_MS, &timeout_ms, &error) ||
        get_uint(args, "port", 1, 65535, &port, &error)) {
        fail_now(done, data, error);
        g_free(error);
        return 0;
    }
    if (iface && !json_is_string(iface))
        return fail_now(done, data, "'interface' must be an IPv4 address");
    pending *p = pending_new(done, data);
    p->discovery = onvif_discover(json_string_value(iface), port, timeout_ms, on_found, p);
    return 0;
}

/* ---- probe ---- */

static void on_profiles(void *user, const onvif_profiles *profiles, const GError *err)
{
    pending *p = user;
    if (err) {
        pending_finish(p, NULL, err->message);
        return;
    }
    json_t *list = json_array();
    for (gsize i = 0; i < profiles->n; i++) {
        const onvif_profile *pr = &profiles->items[i];
        json_array_append_new(list, json_pack("{s:s?, s:s?, s:s?, s:i, s:i, s:b, s:s?}", "token",
                                              pr->token, "name", pr->name, "encoding", pr->encoding,
                                              "width", pr->width, "height", pr->height, "ptz",
                                              pr->ptz, "uri", pr->uri));
    }
    json_object_set_new(p->result, "profiles", list);
    const char *main_url = profiles->main >= 0 ? profiles->items[profiles->main].uri : NULL;
    const char *sub_url = profiles->sub >= 0 ? profiles->items[profiles->sub].uri : NULL;
    json_object_set_new(p->result, "main_url", main_url ? json_string(main_url) : json_null());
    json_object_set_new(p->result, "sub_url",
                        sub_url && g_strcmp0(sub_url, main_url) ? json_string(sub_url)
                                                                : json_null());
    pending_finish(p, p->result, NULL);
}

static void on_device(void *user, const onvif_device_info *info, const GError *err)
{
    pending *p = user;
    if (err) {
        pending_finish(p, NULL, err->message);
        return;
    }
    p->result =
        json_pack("{s:s?, s:s?, s:s?, s:s?, s:b, s:{s:b, s:b, s:b, s:b, s:b, s:i}}", "manufacturer",
                  info->manufacturer, "model", info->model, "firmware", info->firmware, "serial",
                  info->serial, "has_ptz", info->has_ptz, "ptz", "continuous", info->ptz_continuous,
                  "relative", info->ptz_relative, "absolute", info->ptz_absolute, "zoom",
                  info->ptz_zoom, "home", info->ptz_home, "max_presets", info->max_presets);
    onvif_get_profiles(p->client, on_profiles, p);
}

static int probe(const json_t *args, pantau_reply_fn done, void *data)
{
    const json_t *address = json_object_get(args, "address");
    const json_t *user = json_object_get(args, "username");
    const json_t *password = json_object_get(args, "password");
    if (!json_is_string(address) || !*json_string_value(address))
        return fail_now(done, data, "'address' is required: host, host:port or a device URL");
    if ((user && !json_is_string(user)) || (password && !json_is_string(password)))
        return fail_now(done, data, "'username' and 'password' must be strings");
    GError *err = NULL;
    onvif_client *client = onvif_client_new(json_string_value(address), json_string_value(user),
                                            json_string_value(password), &err);
    if (!client) {
        fail_now(done, data, err->message);
        g_error_free(err);
        return 0;
    }
    onvif_client_set_timeout(client, PROBE_TIMEOUT_MS);
    pending *p = pending_new(done, data);
    p->client = client;
    onvif_get_device(client, on_device, p);
    return 0;
}

int cctv_type_control(const char *action, const json_t *args, pantau_reply_fn done, void *data)
{
    if (g_strcmp0(action, "discover") == 0)
        return discover(args, done, data);
    if (g_strcmp0(action, "probe") == 0)
        return probe(args, done, data);
    return -1;
}
