/* dup_name.c - built as zz_dup_name.so but named "good" like good.so: the
 * second of the two to load is refused. */
#include "common.h"

static int dup_name_load(const pantau_host *host)
{
    (void)host;
    return 0;
}

PANTAU_PLUGIN_DEFINE("good", "9.9.9", "Same name as good.so", dup_name_load, NULL)
