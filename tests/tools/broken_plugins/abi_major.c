/* abi_major.c - built for another ABI major: refused. */
#include "common.h"

static int major_load(const pantau_host *host)
{
    (void)host;
    return 0;
}

static const pantau_plugin_descriptor descriptor = {
    PANTAU_ABI_MAJOR + 1, 0, "abi_major", "1.0.0", "Wrong ABI major", major_load, NULL};
TEST_DESCRIBE(descriptor)
