/* undefined_symbol.c - needs a function nothing defines, so
 * dlopen(RTLD_NOW) fails: refused. */
#include "common.h"

extern int pantau_test_function_that_does_not_exist(void);

static int undefined_load(const pantau_host *host)
{
    (void)host;
    return pantau_test_function_that_does_not_exist();
}

PANTAU_PLUGIN_DEFINE("undefined_symbol", "1.0.0", "Unresolved symbol", undefined_load, NULL)
