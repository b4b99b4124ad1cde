#include "plugin_loader.h"

#include "host.h"
#include "log.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <string.h>

/* GPtrArray hands its compare function pointers to the elements. */
static gint compare_paths(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

static void plugin_free(loaded_plugin *p)
{
    if (!p)
        return;
    if (p->handle)
        dlclose(p->handle);
    g_free(p->name);
    g_free(p->file);
    g_free(p->data_dir);
    g_free(p->web_dir);
    g_free(p->refusal);
    g_free(p);
}

static bool name_is_valid(const char *name)
{
    if (!name || !*name || strlen(name) > 64)
        return false;
    for (const char *c = name; *c; c++)
        if (!g_ascii_isalnum(*c) && *c != '_' && *c != '-')
            return false;
    return true;
}

/* Checks the descriptor; returns the reason for refusing it, or NULL. */
static char *check_descriptor(const plugin_loader *loader, const pantau_plugin_descriptor *d)
{
    if (!d)
        return g_strdup("its descriptor function returned NULL");
    if (d->abi_major != PANTAU_ABI_MAJOR)
        return g_strdup_printf(
            "it was built for ABI %u.%u, this server has ABI %d.%d (major differs)", d->abi_major,
            d->abi_minor, PANTAU_ABI_MAJOR, PANTAU_ABI_MINOR);
    if (d->abi_minor > PANTAU_ABI_MINOR)
        return g_strdup_printf("it needs ABI %u.%u, newer than this server's %d.%d", d->abi_major,
                               d->abi_minor, PANTAU_ABI_MAJOR, PANTAU_ABI_MINOR);
    if (!name_is_valid(d->name))
        return g_strdup("its name is missing or not [A-Za-z0-9_-]{1,64}");
    if (!d->load)
        return g_strdup_printf("plugin '%s' lacks the required callback load", d->name);
    if (plugin_loader_find(loader, d->name))
        return g_strdup_printf("a plugin named '%s' is already loaded", d->name);
    return NULL;
}

int plugin_loader_load_file(plugin_loader *loader, const char *file)
{
    char *reason = NULL;
    loaded_plugin *p = g_new0(loaded_plugin, 1);
    p->file = g_strdup(file);
    p->loader = loader;
    dlerror();
    p->handle = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    if (!p->handle) {
        reason = g_strdup_printf("dlopen failed: %s", dlerror());
        goto refused;
    }
    pantau_plugin_describe_fn describe;
    *(void **)&describe = dlsym(p->handle, PANTAU_PLUGIN_SYMBOL);
    if (!describe) {
        reason = g_strdup_printf("it does not export %s (not built with PANTAU_PLUGIN_DEFINE?)",
                                 PANTAU_PLUGIN_SYMBOL);
        goto refused;
    }
    p->descriptor = describe();
    reason = check_descriptor(loader, p->descriptor);
    if (reason)
        goto refused;
    p->name = g_strdup(p->descriptor->name);
    p->data_dir = g_build_filename(loader->dir, p->name, NULL);
    p->web_dir = g_build_filename(p->data_dir, "web", NULL);
    host_init(p);
    int rc = p->descriptor->load(&p->host);
    if (rc != 0 || p->refusal) {
        reason = p->refusal ? g_strdup(p->refusal) : g_strdup_printf("its load() returned %d", rc);
        source_types_remove_owner(loader->deps->types, p);
        if (rc == 0 && p->descriptor->unload)
            p->descriptor->unload();
        goto refused;
    }
    g_ptr_array_add(loader->plugins, p);
    log_info("plugin '%s' %s loaded from %s", p->name,
             p->descriptor->version ? p->descriptor->version : "?", file);
    return 0;
refused:
    log_error("plugin refused: %s: %s", file, reason);
    g_free(reason);
    plugin_free(p);
    return -1;
}

static void load_named(plugin_loader *loader, const json_t *names)
{
    size_t i;
    const json_t *name;
    json_array_foreach(names, i, name)
    {
        char *file = g_strdup_printf("%s/%s.so", loader->dir, json_string_value(name));
        if (g_file_test(file, G_FILE_TEST_EXISTS))
            plugin_loader_load_file(loader, file);
        else
            log_error("plugin refused: %s: no such file", file);
        g_free(file);
    }
}

static void load_all(plugin_loader *loader)
{
    GDir *dir = g_dir_open(loader->dir, 0, NULL);
    if (!dir) {
        log_warn("plugin directory %s cannot be read; no plugins loaded", loader->dir);
        return;
    }
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    const char *entry;
    while ((entry = g_dir_read_name(dir)))
        if (g_str_has_suffix(entry, ".so"))
            g_ptr_array_add(files, g_build_filename(loader->dir, entry, NULL));
    g_dir_close(dir);
    /* Sorted, so which of two duplicates wins does not depend on the disk. */
    g_ptr_array_sort(files, compare_paths);
    for (guint i = 0; i < files->len; i++)
        plugin_loader_load_file(loader, *(char **)&files->pdata[i]);
    g_ptr_array_free(files, TRUE);
}

plugin_loader *plugin_loader_load(const host_deps *deps, const char *dir, const json_t *names)
{
    plugin_loader *loader = g_new0(plugin_loader, 1);
    loader->deps = deps;
    loader->dir = g_strdup(dir);
    loader->plugins = g_ptr_array_new();
    if (names)
        load_named(loader, names);
    else
        load_all(loader);
    return loader;
}

loaded_plugin *plugin_loader_find(const plugin_loader *loader, const char *name)
{
    for (guint i = 0; i < loader->plugins->len; i++) {
        loaded_plugin *p = g_ptr_array_index(loader->plugins, i);
        if (strcmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

void plugin_loader_free(plugin_loader *loader)
{
    if (!loader)
        return;
    for (guint i = 0; i < loader->plugins->len; i++)
        source_types_remove_owner(loader->deps->types, g_ptr_array_index(loader->plugins, i));
    for (guint i = loader->plugins->len; i-- > 0;) {
        loaded_plugin *p = g_ptr_array_index(loader->plugins, i);
        if (p->descriptor->unload)
            p->descriptor->unload();
        plugin_free(p);
    }
    g_ptr_array_free(loader->plugins, TRUE);
    g_free(loader->dir);
    g_free(loader);
}
