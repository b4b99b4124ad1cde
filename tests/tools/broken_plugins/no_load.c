/* no_load.c - no load callback: refused. */
#include "common.h"

static const pantau_plugin_descriptor descriptor = {
    PANTAU_ABI_MAJOR, PANTAU_ABI_MINOR, "no_load", "1.0.0", "Lacks load", NULL, NULL};
TEST_DESCRIBE(descriptor)
