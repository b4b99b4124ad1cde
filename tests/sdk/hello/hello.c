/* hello - the smallest widget plugin, built out of tree against the
 * installed SDK only (tests/sdk/sdk.test.js): it publishes its greeting
 * and a counter every 200 ms. */
#include <pantau/plugin.h>

#include <stdlib.h>
#include <string.h>

static const pantau_host *host;

typedef struct hello {
    pantau_source *source;
    char *greeting;
    unsigned timer;
    int count;
} hello;

static int hello_tick(void *user)
{
    hello *h = user;
    json_t *data = json_pack("{s:s, s:i}", "greeting", h->greeting, "count", ++h->count);
    host->publish(h->source, data);
    json_decref(data);
    return 1;
}

static void *hello_create(pantau_source *source, const json_t *settings, char **error)
{
    const char *greeting = json_string_value(json_object_get(settings, "greeting"));
    if (!greeting) {
        *error = strdup("settings.greeting must be a string");
        return NULL;
    }
    hello *h = calloc(1, sizeof *h);
    if (!h || !(h->greeting = strdup(greeting))) {
        free(h);
        *error = strdup("out of memory");
        return NULL;
    }
    h->source = source;
    h->timer = host->timer_add(200, hello_tick, h);
    host->set_status(source, PANTAU_STATUS_LIVE, NULL);
    return h;
}

static void hello_destroy(void *instance)
{
    hello *h = instance;
    host->timer_remove(h->timer);
    free(h->greeting);
    free(h);
}

static const pantau_source_type hello_type = {
    .size = sizeof(pantau_source_type),
    .id = "hello",
    .kind = "widget",
    .display_name = "Hello",
    .web_module = "hello.js",
    .create = hello_create,
    .destroy = hello_destroy,
};

static int hello_load(const pantau_host *h)
{
    host = h;
    return host->register_source_type(host, &hello_type, sizeof hello_type);
}

PANTAU_PLUGIN_DEFINE("hello", "1.0.0", "Hello widget (SDK test)", hello_load, NULL)
