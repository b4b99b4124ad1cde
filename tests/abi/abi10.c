/* abi10.c - a widget plugin built against the frozen ABI 1.0 header
 * (plugin-1.0.h, never the current one): the core must still load it and
 * publish its data (tests/integration/plugin-abi.test.js). Type "abi10":
 * publishes {"abi": "1.0", "greeting", "n"} every 100 ms. */
#include "plugin-1.0.h"

#include <stdio.h>
#include <stdlib.h>

static const pantau_host *host;

typedef struct ticker {
    pantau_source *source;
    char greeting[64];
    unsigned timer;
    int n;
} ticker;

static json_t *abi10_defaults(void)
{
    return json_pack("{s:s}", "greeting", "hello");
}

static int tick(void *user)
{
    ticker *t = user;
    json_t *data = json_pack("{s:s, s:s, s:i}", "abi", "1.0", "greeting", t->greeting, "n", ++t->n);
    host->publish(t->source, data);
    json_decref(data);
    return 1;
}

static void *abi10_create(pantau_source *source, const json_t *settings, char **error)
{
    (void)error;
    ticker *t = calloc(1, sizeof *t);
    t->source = source;
    const char *greeting = json_string_value(json_object_get(settings, "greeting"));
    snprintf(t->greeting, sizeof t->greeting, "%s", greeting ? greeting : "");
    return t;
}

static void abi10_start(void *instance)
{
    ticker *t = instance;
    host->set_status(t->source, PANTAU_STATUS_LIVE, NULL);
    t->timer = host->timer_add(100, tick, t);
}

static void abi10_stop(void *instance)
{
    ticker *t = instance;
    host->timer_remove(t->timer);
    t->timer = 0;
}

static void abi10_destroy(void *instance)
{
    free(instance);
}

static const pantau_source_type abi10_type = {
    .size = sizeof(pantau_source_type),
    .id = "abi10",
    .kind = "widget",
    .display_name = "ABI 1.0 ticker",
    .defaults = abi10_defaults,
    .create = abi10_create,
    .destroy = abi10_destroy,
    .start = abi10_start,
    .stop = abi10_stop,
};

static int abi10_load(const pantau_host *h)
{
    host = h;
    return h->register_source_type(h, &abi10_type, sizeof abi10_type);
}

static void abi10_unload(void)
{
    host = NULL;
}

PANTAU_PLUGIN_DEFINE("abi10", "1.0.0", "Built against ABI 1.0", abi10_load, abi10_unload)
