/* no_create.c - registers a source type without create: refused. */
#include "common.h"

static const pantau_source_type no_create_type = {
    .size = sizeof(pantau_source_type),
    .id = "no_create_type",
    .kind = "widget",
    .destroy = test_destroy,
};

static int no_create_load(const pantau_host *host)
{
    return host->register_source_type(host, &no_create_type, sizeof no_create_type);
}

PANTAU_PLUGIN_DEFINE("no_create", "1.0.0", "Type lacks create", no_create_load, NULL)
