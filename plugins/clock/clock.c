/* clock - a clock/date widget for a time zone, with a label. Publishes the
 * server's time every second, so every wall shows the same, right time even
 * when a wall PC's own clock drifts. */
#include <pantau/plugin.h>

#include <glib.h>
#include <stdlib.h>
#include <string.h>

static const pantau_host *host;

typedef struct clock_widget {
    pantau_source *source;
    GTimeZone *zone;
    char *timezone;
    char *label;
    int show_seconds;
    unsigned timer;
} clock_widget;

static json_t *clock_defaults(void)
{
    return json_pack("{s:s, s:s, s:b}", "timezone", "UTC", "label", "", "show_seconds", 0);
}

static json_t *clock_schema(void)
{
    return json_pack("{s:s, s:{s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s}}}", "type", "object",
                     "properties", "timezone", "type", "string", "title",
                     "Time zone (IANA, e.g. Asia/Jakarta)", "label", "type", "string", "title",
                     "Label", "show_seconds", "type", "boolean", "title", "Show seconds");
}

/* Reads settings into the widget; on failure sets *error and leaves it as it was. */
static int clock_apply_settings(clock_widget *w, const json_t *settings, char **error)
{
    const char *tz = json_string_value(json_object_get(settings, "timezone"));
    const char *label = json_string_value(json_object_get(settings, "label"));
    const json_t *secs = json_object_get(settings, "show_seconds");
    if (!tz || !label || (secs && !json_is_boolean(secs))) {
        *error = strdup("settings need timezone (string), label (string), show_seconds (bool)");
        return -1;
    }
    GTimeZone *zone = g_time_zone_new_identifier(tz);
    if (!zone) {
        *error = malloc(160);
        if (*error)
            snprintf(*error, 160, "unknown time zone '%.100s'", tz);
        return -1;
    }
    if (w->zone)
        g_time_zone_unref(w->zone);
    free(w->timezone);
    free(w->label);
    w->zone = zone;
    w->timezone = strdup(tz);
    w->label = strdup(label);
    w->show_seconds = json_is_true(secs);
    return 0;
}

static void clock_publish(clock_widget *w)
{
    gint64 now_us = g_get_real_time();
    gint64 now_s = now_us / G_USEC_PER_SEC;
    int interval = g_time_zone_find_interval(w->zone, G_TIME_TYPE_UNIVERSAL, now_s);
    int offset_s = interval >= 0 ? g_time_zone_get_offset(w->zone, interval) : 0;
    json_t *data = json_pack("{s:I, s:s, s:s, s:i, s:b}", "time_ms", (json_int_t)(now_us / 1000),
                             "timezone", w->timezone, "label", w->label, "utc_offset_minutes",
                             offset_s / 60, "show_seconds", w->show_seconds);
    host->publish(w->source, data);
    json_decref(data);
}

static int clock_tick(void *user)
{
    clock_publish(user);
    return 1;
}

static int clock_check(const json_t *settings, char **error)
{
    clock_widget w = {0};
    if (clock_apply_settings(&w, settings, error))
        return -1;
    g_time_zone_unref(w.zone);
    free(w.timezone);
    free(w.label);
    return 0;
}

static void *clock_create(pantau_source *source, const json_t *settings, char **error)
{
    clock_widget *w = calloc(1, sizeof *w);
    if (!w) {
        *error = strdup("out of memory");
        return NULL;
    }
    w->source = source;
    if (clock_apply_settings(w, settings, error)) {
        free(w);
        return NULL;
    }
    host->set_status(source, PANTAU_STATUS_LIVE, NULL);
    return w;
}

static int clock_update(void *instance, const json_t *settings, char **error)
{
    clock_widget *w = instance;
    if (clock_apply_settings(w, settings, error))
        return -1;
    clock_publish(w);
    return 0;
}

static void clock_start(void *instance)
{
    clock_widget *w = instance;
    if (w->timer)
        return;
    clock_publish(w);
    w->timer = host->timer_add(1000, clock_tick, w);
}

static void clock_stop(void *instance)
{
    clock_widget *w = instance;
    if (w->timer)
        host->timer_remove(w->timer);
    w->timer = 0;
}

static void clock_destroy(void *instance)
{
    clock_widget *w = instance;
    clock_stop(w);
    g_time_zone_unref(w->zone);
    free(w->timezone);
    free(w->label);
    free(w);
}

static const pantau_source_type clock_type = {
    .size = sizeof(pantau_source_type),
    .id = "clock",
    .kind = "widget",
    .display_name = "Clock",
    .web_module = "clock.js",
    .defaults = clock_defaults,
    .schema = clock_schema,
    .create = clock_create,
    .check = clock_check,
    .destroy = clock_destroy,
    .update = clock_update,
    .start = clock_start,
    .stop = clock_stop,
};

static int clock_load(const pantau_host *h)
{
    host = h;
    return h->register_source_type(h, &clock_type, sizeof clock_type);
}

static void clock_unload(void)
{
    host = NULL;
}

PANTAU_PLUGIN_DEFINE("clock", "1.0.0", "Clock and date for a time zone, with a label", clock_load,
                     clock_unload)
