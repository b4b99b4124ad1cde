/* example - a minimal widget plugin to copy from (docs/plugin-guide.md;
 * `pantau plugin new NAME` makes a renamed copy of this folder).
 *
 * A counter: every `interval_ms` it adds one and publishes
 * {"count": N, "label": "...", "alert_at": N}; when the count reaches
 * `alert_at` it raises a warning event, once. Its browser component is
 * web/example.js. Everything here runs on the core's main loop: nothing
 * may block, and time passes only through host->timer_add. */
#include <pantau/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The core's services; set in load(), valid until unload(). */
static const pantau_host *host;

/* One source of this type: what create() returns and the core hands back
 * to every other callback as `instance`. */
typedef struct example_widget {
    pantau_source *source; /* the core's handle, borrowed */
    char label[64];
    unsigned interval_ms;
    json_int_t alert_at; /* 0: never */
    json_int_t count;
    unsigned timer; /* 0 while stopped */
} example_widget;

/* Defaults, merged under the config's settings before create(). New reference. */
static json_t *example_defaults(void)
{
    return json_pack("{s:s, s:i, s:i}", "label", "Ticks", "interval_ms", 1000, "alert_at", 0);
}

/* What the console's settings form shows (a JSON Schema subset). New reference. */
static json_t *example_schema(void)
{
    return json_pack("{s:s, s:{s:{s:s, s:s}, s:{s:s, s:s, s:i, s:i}, s:{s:s, s:s, s:i}}}", "type",
                     "object", "properties", "label", "type", "string", "title", "Label",
                     "interval_ms", "type", "integer", "title", "Interval (ms)", "minimum", 100,
                     "maximum", 3600000, "alert_at", "type", "integer", "title",
                     "Warn at this count (0: never)", "minimum", 0);
}

/* A malloc'd error message: the core frees it and shows it to operators. */
static char *error_text(const char *what)
{
    size_t len = strlen(what) + 1;
    char *copy = malloc(len);
    return copy ? memcpy(copy, what, len) : NULL;
}

/* Reads settings (borrowed) into w, or sets *error naming the field and
 * leaves w as it was. create(), update() and check() share it. */
static int example_read(example_widget *w, const json_t *settings, char **error)
{
    const json_t *label = json_object_get(settings, "label");
    const json_t *interval = json_object_get(settings, "interval_ms");
    const json_t *alert = json_object_get(settings, "alert_at");
    if (!json_is_string(label) || json_string_length(label) >= sizeof w->label) {
        *error = error_text("label: a string of at most 63 bytes");
        return -1;
    }
    if (!json_is_integer(interval) || json_integer_value(interval) < 100 ||
        json_integer_value(interval) > 3600000) {
        *error = error_text("interval_ms: an integer from 100 to 3600000");
        return -1;
    }
    if (!json_is_integer(alert) || json_integer_value(alert) < 0) {
        *error = error_text("alert_at: an integer >= 0");
        return -1;
    }
    snprintf(w->label, sizeof w->label, "%s", json_string_value(label));
    w->interval_ms = (unsigned)json_integer_value(interval);
    w->alert_at = json_integer_value(alert);
    return 0;
}

/* Publishes the current snapshot; the core copies it to every wall showing it. */
static void example_publish(example_widget *w)
{
    json_t *data =
        json_pack("{s:I, s:s, s:I}", "count", w->count, "label", w->label, "alert_at", w->alert_at);
    host->publish(w->source, data);
    json_decref(data); /* publish() borrows */
}

/* The timer: called every interval_ms on the main loop. Returns 1 to keep going. */
static int example_tick(void *user)
{
    example_widget *w = user;
    w->count++;
    example_publish(w);
    if (w->alert_at && w->count == w->alert_at) {
        json_t *details = json_pack("{s:I}", "count", w->count);
        host->raise_event(w->source, PANTAU_SEVERITY_WARNING, "count reached alert_at", details);
        json_decref(details);
    }
    return 1;
}

static int example_check(const json_t *settings, char **error)
{
    example_widget scratch = {0};
    return example_read(&scratch, settings, error);
}

static void *example_create(pantau_source *source, const json_t *settings, char **error)
{
    example_widget *w = calloc(1, sizeof *w);
    if (!w) {
        *error = error_text("out of memory");
        return NULL;
    }
    w->source = source;
    if (example_read(w, settings, error)) {
        free(w);
        return NULL;
    }
    host->set_status(source, PANTAU_STATUS_LIVE, NULL);
    return w;
}

/* start(): the first wall shows the source. Publish now, then on the timer. */
static void example_start(void *instance)
{
    example_widget *w = instance;
    if (w->timer)
        return;
    example_publish(w);
    w->timer = host->timer_add(w->interval_ms, example_tick, w);
}

/* stop(): nobody shows it any more. A timer the plugin made, it removes. */
static void example_stop(void *instance)
{
    example_widget *w = instance;
    if (w->timer)
        host->timer_remove(w->timer);
    w->timer = 0;
}

/* New settings at run time; on failure the old ones stay in force. */
static int example_update(void *instance, const json_t *settings, char **error)
{
    example_widget *w = instance;
    unsigned old_interval = w->interval_ms;
    if (example_read(w, settings, error))
        return -1;
    if (w->timer && w->interval_ms != old_interval) {
        example_stop(w);
        example_start(w);
    } else if (w->timer) {
        example_publish(w);
    }
    return 0;
}

static void example_destroy(void *instance)
{
    example_stop(instance);
    free(instance);
}

/* The type: its id is what a config's "type" names. Strings must outlive
 * the plugin (literals). Fields left out are NULL. */
static const pantau_source_type example_type = {
    .size = sizeof(pantau_source_type),
    .id = "example",
    .kind = "widget",
    .display_name = "Example",
    .web_module = "example.js", /* in web/, served at /plugins/example/ */
    .defaults = example_defaults,
    .schema = example_schema,
    .check = example_check,
    .create = example_create,
    .destroy = example_destroy,
    .update = example_update,
    .start = example_start,
    .stop = example_stop,
};

static int example_load(const pantau_host *h)
{
    host = h;
    return h->register_source_type(h, &example_type, sizeof example_type);
}

static void example_unload(void)
{
    host = NULL;
}

PANTAU_PLUGIN_DEFINE("example", "1.0.0", "A counter widget to start a plugin from", example_load,
                     example_unload)
