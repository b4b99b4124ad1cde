/* plugin_cli.c - see plugin_cli.h. The plugins are loaded by the real
 * loader (their load() runs, as at start), into a type table of their own;
 * nothing else of a server is made. */
#include "plugin_cli.h"

#include "log.h"
#include "plugin_loader.h"

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLUGIN_CLI_USAGE                                                                           \
    "usage: pantau plugin list [--plugin-dir DIR]\n"                                               \
    "       pantau plugin check FILE.so [--plugin-dir DIR]\n"                                      \
    "       pantau plugin new NAME [--dir DIR] [--template DIR]\n"

/* Prints one loaded plugin: name, version, ABI, types, file. */
static void print_plugin(const plugin_loader *loader, const loaded_plugin *p)
{
    GPtrArray *ids = source_types_of_owner(loader->deps->types, p);
    g_ptr_array_add(ids, NULL);
    char *types = g_strjoinv(",", (char **)ids->pdata);
    printf("%s\t%s\tABI %u.%u\t%s\t%s\n", p->name,
           p->descriptor->version ? p->descriptor->version : "?", p->descriptor->abi_major,
           p->descriptor->abi_minor, *types ? types : "-", p->file);
    g_free(types);
    g_ptr_array_free(ids, TRUE);
}

/* GPtrArray hands its compare function pointers to the elements. */
static gint compare_paths(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

/* The *.so files of dir, sorted (g_malloc'd paths), or NULL when it
 * cannot be read. */
static GPtrArray *plugin_files(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    if (!d)
        return NULL;
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    const char *entry;
    while ((entry = g_dir_read_name(d)))
        if (g_str_has_suffix(entry, ".so"))
            g_ptr_array_add(files, g_build_filename(dir, entry, NULL));
    g_dir_close(d);
    g_ptr_array_sort(files, compare_paths);
    return files;
}

/* Whether a and b name the same file. */
static bool same_file(const char *a, const char *b)
{
    char *ra = realpath(a, NULL), *rb = realpath(b, NULL);
    bool same = ra && rb && strcmp(ra, rb) == 0;
    free(ra);
    free(rb);
    return same;
}

/* Loads the installed plugins of dir into loader, but skip (may be NULL);
 * with print, lists each (refusals on stderr). -1: dir unreadable. */
static int load_installed(plugin_loader *loader, const char *dir, const char *skip, bool print)
{
    GPtrArray *files = plugin_files(dir);
    if (!files) {
        fprintf(stderr, "pantau plugin: cannot read the plugin directory %s\n", dir);
        return -1;
    }
    for (guint i = 0; i < files->len; i++) {
        const char *file = g_ptr_array_index(files, i);
        if (skip && same_file(file, skip))
            continue;
        char *reason = NULL;
        loaded_plugin *p = plugin_loader_try_file(loader, file, &reason);
        if (print && p)
            print_plugin(loader, p);
        if (print && !p)
            fprintf(stderr, "%s: refused: %s\n", file, reason);
        g_free(reason);
    }
    g_ptr_array_free(files, TRUE);
    return 0;
}

/* `list`: 0, or 1 when the directory cannot be read. */
static int cli_list(plugin_loader *loader, const char *dir)
{
    return load_installed(loader, dir, NULL, true) ? 1 : 0;
}

/* `check FILE`: 0 when it would load next to the installed plugins. */
static int cli_check(plugin_loader *loader, const char *dir, const char *file)
{
    if (!g_file_test(file, G_FILE_TEST_IS_REGULAR)) {
        fprintf(stderr, "%s: would not load: no such file\n", file);
        return 1;
    }
    if (load_installed(loader, dir, file, false))
        return 1;
    /* dlopen needs a path, or it searches the library path instead. */
    char *path = g_path_is_absolute(file) ? g_strdup(file) : g_build_filename(".", file, NULL);
    char *reason = NULL;
    loaded_plugin *p = plugin_loader_try_file(loader, path, &reason);
    g_free(path);
    if (!p) {
        fprintf(stderr, "%s: would not load: %s\n", file, reason);
        g_free(reason);
        return 1;
    }
    printf("%s: would load: ", file);
    print_plugin(loader, p);
    return 0;
}

int plugin_cli_main(int argc, char **argv, const char *default_dir)
{
    const char *dir = default_dir, *command = NULL, *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--plugin-dir") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (!command)
            command = argv[i];
        else if (!file)
            file = argv[i];
        else
            command = "";
    }
    bool list = g_strcmp0(command, "list") == 0 && !file;
    bool check = g_strcmp0(command, "check") == 0 && file;
    if (!list && !check) {
        fputs(PLUGIN_CLI_USAGE, stderr);
        return 1;
    }
    log_set_level(PANTAU_LOG_ERROR); /* the plugins' own errors, not the loading */
    host_deps deps = {.types = source_types_new()};
    json_t *none = json_array();
    plugin_loader *loader = plugin_loader_load(&deps, dir, none);
    json_decref(none);
    int rc = list ? cli_list(loader, dir) : cli_check(loader, dir, file);
    plugin_loader_free(loader);
    source_types_free(deps.types);
    return rc;
}
