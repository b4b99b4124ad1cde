/* cctv_ptz.c - pan, tilt and zoom of an rtsp camera over ONVIF (the
 * camera's "onvif" setting): the control actions of plugins/cctv/README.md,
 * each answered once through the core's pantau_reply_fn. The camera's
 * abilities are asked once at create (GetDevice, then GetProfiles for the
 * PTZ profile's token) and published as the source's data
 * {"ptz": {...}}, which is how the console learns them. */
#include "cctv.h"
#include "onvif.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

/* A continuous move stops by itself after this long (ONVIF Timeout): a
 * stop lost with the network cannot leave the camera turning. The console
 * renews a held move well before. */
#define PTZ_MOVE_TIMEOUT_MS 10000
/* How long one ONVIF request may take. */
#define PTZ_REQUEST_TIMEOUT_MS 5000
/* A camera that could not be asked (down, wrong password) is asked again
 * after 2 s, then twice as long each time up to 30 s: steerable within
 * seconds of coming back from a short outage, without asking a long-dead
 * camera more than twice a minute. */
#define PTZ_RETRY_FIRST_S 2
#define PTZ_RETRY_MAX_S 30

enum ptz_state { PTZ_PROBING, PTZ_READY, PTZ_FAILED };

struct cctv_ptz {
    cctv_camera *cam;
    onvif_client *client;
    enum ptz_state state;
    onvif_device_info info;
    char *profile;  /* the PTZ profile's token once READY */
    char *failure;  /* why FAILED (no secrets: onvif.h) */
    guint retry;    /* asks again after a failure that may pass, or 0 */
    guint retry_s;  /* the wait before that: 0 after an answer */
    GList *pending; /* ptz_req *: requests waiting for the camera */
};

/* One request sent to the camera: answered once, by its callback or by
 * cctv_ptz_free. */
typedef struct ptz_req {
    cctv_ptz *ptz;
    pantau_reply_fn done;
    void *data;
} ptz_req;

static ptz_req *req_new(cctv_ptz *p, pantau_reply_fn done, void *data)
{
    ptz_req *r = g_new0(ptz_req, 1);
    *r = (ptz_req){p, done, data};
    p->pending = g_list_prepend(p->pending, r);
    return r;
}

/* Answers r (result borrowed, error NULL for success) and frees it. */
static void req_finish(ptz_req *r, const json_t *result, const char *error)
{
    r->ptz->pending = g_list_remove(r->ptz->pending, r);
    r->done(result, error, r->data);
    g_free(r);
}

/* The camera's abilities as published: a new reference. */
static json_t *abilities_json(const cctv_ptz *p)
{
    if (p->state == PTZ_FAILED)
        return json_pack("{s:{s:b, s:s}}", "ptz", "available", 0, "reason", p->failure);
    const onvif_device_info *i = &p->info;
    return json_pack("{s:{s:b, s:b, s:b, s:b, s:i}}", "ptz", "available", 1, "continuous",
                     i->ptz_continuous, "relative", i->ptz_relative, "zoom", i->ptz_zoom,
                     "max_presets", i->max_presets);
}

static void publish_abilities(const cctv_ptz *p)
{
    json_t *data = abilities_json(p);
    cctv_host->publish(p->cam->source, data);
    json_decref(data);
}

static void probe(cctv_ptz *p);

static gboolean retry_probe(gpointer data)
{
    cctv_ptz *p = data;
    p->retry = 0;
    probe(p);
    return G_SOURCE_REMOVE;
}

/* The camera could not be asked, or has no PTZ (then final: not asked
 * again by itself). */
static void probe_ended(cctv_ptz *p, const char *why, bool final)
{
    if (!final && p->client && !p->retry) {
        p->retry_s = p->retry_s ? MIN(p->retry_s * 2, PTZ_RETRY_MAX_S) : PTZ_RETRY_FIRST_S;
        p->retry = g_timeout_add_seconds(p->retry_s, retry_probe, p);
    }
    p->state = PTZ_FAILED;
    g_free(p->failure);
    p->failure = g_strdup(why);
    cctv_host->log(cctv_host, PANTAU_LOG_WARN, "PTZ of %s: %s",
                   cctv_host->source_id(p->cam->source), why);
    publish_abilities(p);
}

static void on_profiles(void *user, const onvif_profiles *profiles, const GError *err)
{
    cctv_ptz *p = user;
    if (err) {
        probe_ended(p, err->message, false);
        return;
    }
    const onvif_profile *chosen = NULL;
    for (gsize i = 0; i < profiles->n && !chosen; i++)
        if (profiles->items[i].ptz && profiles->items[i].token)
            chosen = &profiles->items[i];
    if (!chosen) {
        probe_ended(p, "the camera has no media profile with PTZ", true);
        return;
    }
    p->profile = g_strdup(chosen->token);
    p->state = PTZ_READY;
    p->retry_s = 0;
    publish_abilities(p);
}

static void on_device(void *user, const onvif_device_info *info, const GError *err)
{
    cctv_ptz *p = user;
    if (err) {
        probe_ended(p, err->message, false);
        return;
    }
    p->info = *info;
    p->info.manufacturer = g_strdup(info->manufacturer);
    p->info.model = g_strdup(info->model);
    p->info.firmware = g_strdup(info->firmware);
    p->info.serial = g_strdup(info->serial);
    p->info.hardware_id = g_strdup(info->hardware_id);
    if (!info->has_ptz) {
        probe_ended(p, "the camera has no PTZ", true);
        return;
    }
    onvif_get_profiles(p->client, on_profiles, p);
}

/* Asks the camera what it can do (again after a failure). */
static void probe(cctv_ptz *p)
{
    if (p->retry)
        g_source_remove(p->retry);
    p->retry = 0;
    p->state = PTZ_PROBING;
    onvif_device_info_clear(&p->info);
    g_clear_pointer(&p->profile, g_free);
    onvif_get_device(p->client, on_device, p);
}

void cctv_ptz_republish(const cctv_ptz *p)
{
    if (p && p->state != PTZ_PROBING)
        publish_abilities(p);
}

cctv_ptz *cctv_ptz_new(cctv_camera *cam)
{
    const cctv_config *cfg = &cam->cfg;
    if (cfg->kind != CCTV_RTSP || !cfg->onvif)
        return NULL;
    GError *err = NULL;
    cctv_ptz *p = g_new0(cctv_ptz, 1);
    p->cam = cam;
    p->client = onvif_client_new(cfg->onvif, cfg->username, cfg->password, &err);
    if (!p->client) {
        probe_ended(p, err->message, false);
        g_clear_error(&err);
        return p;
    }
    onvif_client_set_timeout(p->client, PTZ_REQUEST_TIMEOUT_MS);
    probe(p);
    return p;
}

void cctv_ptz_free(cctv_ptz *p)
{
    if (!p)
        return;
    onvif_client_free(p->client);
    if (p->retry)
        g_source_remove(p->retry);
    while (p->pending)
        req_finish(p->pending->data, NULL, "the camera was removed or its settings changed");
    onvif_device_info_clear(&p->info);
    g_free(p->profile);
    g_free(p->failure);
    g_free(p);
}

/* ---- answers of the camera ---- */

static void on_done(void *user, const GError *err)
{
    ptz_req *r = user;
    /* A move replaced by a later move or stop before it was sent: the
     * later one is what the operator wants. */
    if (err && g_error_matches(err, ONVIF_ERROR, ONVIF_ERROR_SUPERSEDED))
        err = NULL;
    req_finish(r, NULL, err ? err->message : NULL);
}

static void on_presets(void *user, const onvif_presets *presets, const GError *err)
{
    ptz_req *r = user;
    if (err) {
        req_finish(r, NULL, err->message);
        return;
    }
    json_t *list = json_array();
    for (gsize i = 0; i < presets->n; i++) {
        const onvif_preset *pr = &presets->items[i];
        json_array_append_new(
            list, json_pack("{s:s, s:s?}", "token", pr->token ? pr->token : "", "name", pr->name));
    }
    json_t *result = json_pack("{s:o}", "presets", list);
    req_finish(r, result, NULL);
    json_decref(result);
}

static void on_token(void *user, const char *token, const GError *err)
{
    ptz_req *r = user;
    if (err) {
        req_finish(r, NULL, err->message);
        return;
    }
    json_t *result = json_pack("{s:s?}", "preset", token);
    req_finish(r, result, NULL);
    json_decref(result);
}

/* ---- arguments ---- */

/* Reads the number args[key] in [lo, hi] into *out (0 when absent). */
static int arg_number(const json_t *args, const char *key, double lo, double hi, double *out,
                      char msg[128])
{
    const json_t *v = json_object_get(args, key);
    *out = 0;
    if (!v)
        return 0;
    if (!json_is_number(v) || json_number_value(v) < lo || json_number_value(v) > hi ||
        isnan(json_number_value(v))) {
        snprintf(msg, 128, "args.%s must be a number from %g to %g", key, lo, hi);
        return -1;
    }
    *out = json_number_value(v);
    return 0;
}

/* A string args[key] of 1..64 bytes into *out (borrowed); NULL when absent
 * and not required. */
static int arg_string(const json_t *args, const char *key, bool required, const char **out,
                      char msg[128])
{
    const json_t *v = json_object_get(args, key);
    *out = json_string_value(v);
    if (!v && !required)
        return 0;
    if (!*out || !**out || strlen(*out) > 64) {
        snprintf(msg, 128, "args.%s must be a string of 1 to 64 characters", key);
        return -1;
    }
    return 0;
}

typedef struct pan_tilt_zoom {
    double pan, tilt, zoom;
} pan_tilt_zoom;

static int arg_ptz(const json_t *args, pan_tilt_zoom *v, char msg[128])
{
    return arg_number(args, "pan", -1, 1, &v->pan, msg) ||
           arg_number(args, "tilt", -1, 1, &v->tilt, msg) ||
           arg_number(args, "zoom", -1, 1, &v->zoom, msg);
}

/* ---- actions ---- */

static const char *const actions[] = {"ptz.move",    "ptz.stop", "ptz.relative",
                                      "ptz.presets", "ptz.goto", "ptz.save"};

static bool known_action(const char *action)
{
    for (size_t i = 0; i < G_N_ELEMENTS(actions); i++)
        if (strcmp(actions[i], action) == 0)
            return true;
    return false;
}

/* Sends action to the camera for r; a refusal of the arguments is answered
 * at once. */
static void send_action(cctv_ptz *p, ptz_req *r, const char *action, const json_t *args)
{
    char msg[128] = "";
    pan_tilt_zoom v;
    const char *s1, *s2;
    if (strcmp(action, "ptz.stop") == 0) {
        onvif_ptz_stop(p->client, p->profile, on_done, r);
    } else if (strcmp(action, "ptz.move") == 0) {
        if (arg_ptz(args, &v, msg))
            goto refuse;
        onvif_ptz_continuous_move(p->client, p->profile, v.pan, v.tilt, v.zoom, PTZ_MOVE_TIMEOUT_MS,
                                  on_done, r);
    } else if (strcmp(action, "ptz.relative") == 0) {
        if (!p->info.ptz_relative) {
            snprintf(msg, sizeof msg, "this camera does not support relative moves");
            goto refuse;
        }
        if (arg_ptz(args, &v, msg))
            goto refuse;
        onvif_ptz_relative_move(p->client, p->profile, v.pan, v.tilt, v.zoom, on_done, r);
    } else if (strcmp(action, "ptz.presets") == 0) {
        onvif_ptz_get_presets(p->client, p->profile, on_presets, r);
    } else if (strcmp(action, "ptz.goto") == 0) {
        if (arg_string(args, "preset", true, &s1, msg))
            goto refuse;
        onvif_ptz_goto_preset(p->client, p->profile, s1, on_done, r);
    } else {
        if (arg_string(args, "name", true, &s1, msg) || arg_string(args, "preset", false, &s2, msg))
            goto refuse;
        onvif_ptz_set_preset(p->client, p->profile, s1, s2, on_token, r);
    }
    return;
refuse:
    req_finish(r, NULL, msg);
}

int cctv_ptz_control(cctv_ptz *p, const char *action, const json_t *args, pantau_reply_fn done,
                     void *data)
{
    if (!action || !known_action(action))
        return -1;
    if (!p) {
        done(NULL, "this camera has no ONVIF settings, so it cannot be steered", data);
        return 0;
    }
    if (p->state == PTZ_PROBING) {
        done(NULL, "still asking the camera whether it has PTZ: try again in a moment", data);
        return 0;
    }
    if (p->state == PTZ_FAILED) {
        char *why = g_strdup_printf("no PTZ: %s", p->failure);
        if (p->client)
            probe(p);
        done(NULL, why, data);
        g_free(why);
        return 0;
    }
    send_action(p, req_new(p, done, data), action, json_is_object(args) ? args : NULL);
    return 0;
}
