/* fuzz_config.c - the configuration loader and checker (core/src/config.c
 * and the sections it hands to auth, audit, alarms and presentations) on any
 * file contents, checked against an empty plugin directory, then the walls
 * made from an accepted configuration as the server does at start. Host
 * names in "listen" never reach DNS (fuzz_resolver_offline). */
#include "config.h"
#include "fuzz_util.h"
#include "log.h"
#include "wall.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *plugin_dir; /* an empty directory in scratch space */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    log_set_level(PANTAU_LOG_ERROR);
    fuzz_resolver_offline();
    plugin_dir = g_build_filename(fuzz_scratch_dir(), "plugins", NULL);
    g_mkdir_with_parents(plugin_dir, 0700);
    return 0;
}

/* Every error names file, line and column: "PATH:LINE:COL: ...". */
static void check_errors(const GPtrArray *errors, const char *path)
{
    if (errors->len == 0)
        abort();
    size_t n = strlen(path);
    for (guint i = 0; i < errors->len; i++) {
        const char *e = g_ptr_array_index(errors, i);
        if (strncmp(e, path, n) != 0 || e[n] != ':')
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = fuzz_write_file(fuzz_scratch_dir(), "pantau.json", data, size);
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    pantau_config *cfg = config_load_checked(path, plugin_dir, errors);
    if (!cfg) {
        check_errors(errors, path);
    } else {
        size_t i;
        const json_t *entry;
        json_array_foreach(cfg->walls, i, entry) wall_free(wall_from_config(entry));
    }
    config_free(cfg);
    g_ptr_array_free(errors, TRUE);
    g_free(path);
    return 0;
}
