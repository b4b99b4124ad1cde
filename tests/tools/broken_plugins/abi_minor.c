/* abi_minor.c - needs a newer ABI minor than the core has: refused. */
#include "common.h"

static int minor_load(const pantau_host *host)
{
    (void)host;
    return 0;
}

static const pantau_plugin_descriptor descriptor = {
    PANTAU_ABI_MAJOR,  PANTAU_ABI_MINOR + 1, "abi_minor", "1.0.0",
    "Newer ABI minor", minor_load,           NULL};
TEST_DESCRIBE(descriptor)
