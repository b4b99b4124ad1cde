/* good.c - a plugin the loader accepts: one source type, logs its paths. */
#include "common.h"

static const pantau_source_type good_type = {
    .size = sizeof(pantau_source_type),
    .id = "good_type",
    .kind = "widget",
    .display_name = "Good",
    .create = test_create,
    .destroy = test_destroy,
};

static int good_load(const pantau_host *host)
{
    host->log(host, PANTAU_LOG_INFO, "host size %zu, data dir %s", host->size,
              host->plugin_data_dir(host));
    return host->register_source_type(host, &good_type, sizeof good_type);
}

static void good_unload(void)
{
}

PANTAU_PLUGIN_DEFINE("good", "1.2.3", "Loads fine", good_load, good_unload)
