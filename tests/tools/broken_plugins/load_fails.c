/* load_fails.c - registers a type, then its load() fails: refused, and the
 * type it registered is forgotten. */
#include "common.h"

static const pantau_source_type orphan_type = {
    .size = sizeof(pantau_source_type),
    .id = "orphan_type",
    .kind = "widget",
    .create = test_create,
    .destroy = test_destroy,
};

static int load_fails_load(const pantau_host *host)
{
    host->register_source_type(host, &orphan_type, sizeof orphan_type);
    return 3;
}

PANTAU_PLUGIN_DEFINE("load_fails", "1.0.0", "load() returns 3", load_fails_load, NULL)
