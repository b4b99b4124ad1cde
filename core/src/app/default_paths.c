/* default_paths.c - the default directories of an installed or a built
 * pantau (default_paths.h). The relative install directories and the build
 * tree's absolute ones come from core/CMakeLists.txt. */
#include "default_paths.h"

#include <glib.h>
#include <string.h>

typedef struct paths {
    char *plugin_dir;
    char *web_dir;
    char *vendor_dir;
    char *config;
} paths;

char *default_paths_prefix_of(const char *exe)
{
    if (!exe || !g_path_is_absolute(exe))
        return NULL;
    char *bindir = g_path_get_dirname(exe);
    char *prefix = NULL;
    if (g_str_has_suffix(bindir, "/" PANTAU_INSTALL_BINDIR)) {
        prefix = g_strndup(bindir, strlen(bindir) - strlen("/" PANTAU_INSTALL_BINDIR));
        if (!*prefix) { /* installed in /bin */
            g_free(prefix);
            prefix = g_strdup("/");
        }
    }
    g_free(bindir);
    if (!prefix)
        return NULL;
    char *web = g_build_filename(prefix, PANTAU_INSTALL_DATADIR, "web", NULL);
    if (!g_file_test(web, G_FILE_TEST_IS_DIR)) {
        g_free(prefix);
        prefix = NULL;
    }
    g_free(web);
    return prefix;
}

char *default_paths_config_of(const char *prefix)
{
    /* GNUInstallDirs' rule: prefix /usr keeps its configuration in /etc. */
    if (strcmp(prefix, "/usr") == 0 || strcmp(prefix, "/") == 0)
        return g_strdup("/etc/pantau/pantau.json");
    return g_build_filename(prefix, "etc", "pantau", "pantau.json", NULL);
}

static void find_installed(paths *p, const char *prefix)
{
    p->plugin_dir = g_build_filename(prefix, PANTAU_INSTALL_PLUGINDIR, NULL);
    p->web_dir = g_build_filename(prefix, PANTAU_INSTALL_DATADIR, "web", NULL);
    p->vendor_dir = g_build_filename(prefix, PANTAU_INSTALL_DATADIR, "vendor", NULL);
    p->config = default_paths_config_of(prefix);
}

static void find_built(paths *p)
{
    p->plugin_dir = g_strdup(PANTAU_BUILD_PLUGIN_DIR);
    p->web_dir = g_strdup(PANTAU_SOURCE_DIR "/web");
    p->vendor_dir = g_strdup(PANTAU_SOURCE_DIR "/node_modules");
    p->config = g_strdup(PANTAU_SOURCE_DIR "/config/pantau.json");
}

static const paths *found(void)
{
    static paths p;
    if (p.plugin_dir)
        return &p;
    char *exe = g_file_read_link("/proc/self/exe", NULL);
    char *prefix = default_paths_prefix_of(exe);
    if (prefix)
        find_installed(&p, prefix);
    else
        find_built(&p);
    g_free(prefix);
    g_free(exe);
    return &p;
}

const char *default_plugin_dir(void)
{
    return found()->plugin_dir;
}

const char *default_web_dir(void)
{
    return found()->web_dir;
}

const char *default_vendor_dir(void)
{
    return found()->vendor_dir;
}

const char *default_config(void)
{
    return found()->config;
}
