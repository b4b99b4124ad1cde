/* dup_type_a.c - registers source type "dup_type"; with dup_type_a loaded
 * first, dup_type_b is refused. */
#include "common.h"

static const pantau_source_type dup_type = {
    .size = sizeof(pantau_source_type),
    .id = "dup_type",
    .kind = "widget",
    .create = test_create,
    .destroy = test_destroy,
};

static int dup_load(const pantau_host *host)
{
    return host->register_source_type(host, &dup_type, sizeof dup_type);
}

PANTAU_PLUGIN_DEFINE("dup_type_a", "1.0.0", "Registers dup_type", dup_load, NULL)
