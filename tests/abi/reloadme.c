/* reloadme.c - a widget plugin built in versions for the live reload test
 * (tests/integration/plugin-reload.test.js): RELOADME_VERSION is published
 * as {"version", "n"} every 50 ms by each source of type "reloadme".
 * RELOADME_BROKEN calls a function nobody defines, so dlopen refuses it;
 * RELOADME_ABI2 claims ABI 2.0, so the loader refuses it.
 * RELOADME_SECOND_TYPE also offers type "reloadme2" (version 2 does).
 * Each version also leaves a timer running at unload (as a careless plugin
 * would): the core must remove it before closing the plugin, or the next
 * tick jumps into unmapped code. */
#include <pantau/plugin.h>

#include <stdlib.h>

#ifndef RELOADME_VERSION
#define RELOADME_VERSION "1"
#endif

static const pantau_host *host;

typedef struct ticker {
    pantau_source *source;
    unsigned timer;
    int n;
} ticker;

static int tick(void *user)
{
    ticker *t = user;
    json_t *data = json_pack("{s:s, s:i}", "version", RELOADME_VERSION, "n", ++t->n);
    host->publish(t->source, data);
    json_decref(data);
    return 1;
}

static int left_running(void *user)
{
    (void)user;
    return 1;
}

#ifdef RELOADME_BROKEN
extern int reloadme_no_such_function(void);
#endif

static void *reloadme_create(void *type_data, pantau_source *source, const json_t *settings,
                             char **error)
{
    (void)type_data, (void)settings, (void)error;
#ifdef RELOADME_BROKEN
    if (reloadme_no_such_function())
        return NULL;
#endif
    ticker *t = calloc(1, sizeof *t);
    t->source = source;
    return t;
}

static void reloadme_start(void *instance)
{
    ticker *t = instance;
    host->set_status(t->source, PANTAU_STATUS_LIVE, NULL);
    t->timer = host->timer_add(50, tick, t);
}

static void reloadme_stop(void *instance)
{
    ticker *t = instance;
    host->timer_remove(t->timer);
}

static void reloadme_destroy(void *instance)
{
    free(instance);
}

static const pantau_source_type reloadme_type = {
    .size = sizeof(pantau_source_type),
    .id = "reloadme",
    .kind = "widget",
    .display_name = "Reload test",
    .create_for = reloadme_create,
    .destroy = reloadme_destroy,
    .start = reloadme_start,
    .stop = reloadme_stop,
};

#ifdef RELOADME_SECOND_TYPE
static const pantau_source_type second_type = {
    .size = sizeof(pantau_source_type),
    .id = "reloadme2",
    .kind = "widget",
    .create_for = reloadme_create,
    .destroy = reloadme_destroy,
    .start = reloadme_start,
    .stop = reloadme_stop,
};
#endif

static int reloadme_load(const pantau_host *h)
{
    host = h;
    h->timer_add(20, left_running, NULL);
#ifdef RELOADME_SECOND_TYPE
    if (h->register_type(h, &second_type))
        return -1;
#endif
    return h->register_type(h, &reloadme_type);
}

static void reloadme_unload(void)
{
}

#ifdef RELOADME_ABI2
__attribute__((visibility("default"))) const pantau_plugin_descriptor *pantau_plugin_describe(void);
const pantau_plugin_descriptor *pantau_plugin_describe(void)
{
    static const pantau_plugin_descriptor d = {2,
                                               0,
                                               "reloadme",
                                               RELOADME_VERSION,
                                               "Live reload test plugin",
                                               reloadme_load,
                                               reloadme_unload};
    return &d;
}
#else
PANTAU_PLUGIN_DEFINE("reloadme", RELOADME_VERSION, "Live reload test plugin", reloadme_load,
                     reloadme_unload)
#endif
