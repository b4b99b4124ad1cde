#include "plugin_loader.h"

#include "host.h"
#include "log.h"

#include <dlfcn.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <unistd.h>
#include <stdbool.h>
#include <string.h>

/* GPtrArray hands its compare function pointers to the elements. */
static gint compare_paths(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

void plugin_free(loaded_plugin *p)
{
    if (!p)
        return;
    if (p->handle) {
        host_remove_timers_of(p->base);
        dlclose(p->handle);
    }
    g_free(p->name);
    g_free(p->file);
    g_free(p->data_dir);
    g_free(p->web_dir);
    g_free(p->refusal);
    g_free(p->identity);
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
static char *check_descriptor(const plugin_loader *loader, const pantau_plugin_descriptor *d,
                              const char *replacing)
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
    if (replacing && strcmp(d->name, replacing) != 0)
        return g_strdup_printf("it is plugin '%s', not '%s'", d->name, replacing);
    if (!replacing && plugin_loader_find(loader, d->name))
        return g_strdup_printf("a plugin named '%s' is already loaded", d->name);
    return NULL;
}

/* dlopens file into p and checks its descriptor (replacing: the name it
 * must have, or NULL for a new plugin): NULL, or the reason it is refused
 * (g_malloc'd). */
static char *open_plugin(loaded_plugin *p, const char *file, const char *replacing)
{
    dlerror();
    p->handle = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    if (!p->handle)
        return g_strdup_printf("dlopen failed: %s", dlerror());
    pantau_plugin_describe_fn describe;
    *(void **)&describe = dlsym(p->handle, PANTAU_PLUGIN_SYMBOL);
    if (!describe)
        return g_strdup_printf("it does not export %s (not built with PANTAU_PLUGIN_DEFINE?)",
                               PANTAU_PLUGIN_SYMBOL);
    Dl_info info = {0};
    if (dladdr(*(void **)&describe, &info))
        p->base = info.dli_fbase;
    p->descriptor = describe();
    return check_descriptor(p->loader, p->descriptor, replacing);
}

/* Calls p's load(), its types going to p->types: NULL, or the reason it
 * refused (g_malloc'd; its types are then removed again). */
static char *run_load(loaded_plugin *p)
{
    p->name = g_strdup(p->descriptor->name);
    p->data_dir = g_build_filename(p->loader->dir, p->name, NULL);
    p->web_dir = g_build_filename(p->data_dir, "web", NULL);
    host_init(p);
    int rc = p->descriptor->load(&p->host);
    if (rc == 0 && !p->refusal)
        return NULL;
    char *reason =
        p->refusal ? g_strdup(p->refusal) : g_strdup_printf("its load() returned %d", rc);
    source_types_remove_owner(p->types, p);
    if (rc == 0 && p->descriptor->unload)
        p->descriptor->unload();
    return reason;
}

/* Notes what file is now, so that plugin_loader_changed sees a new one. */
static void note_identity(loaded_plugin *p)
{
    GStatBuf st;
    if (g_stat(p->file, &st) == 0)
        p->identity = g_strdup_printf("%ju:%ju:%jd:%jd", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino,
                                      (intmax_t)st.st_size, (intmax_t)st.st_mtime);
}

loaded_plugin *plugin_loader_try_file(plugin_loader *loader, const char *file, char **reason)
{
    loaded_plugin *p = g_new0(loaded_plugin, 1);
    p->file = g_strdup(file);
    p->loader = loader;
    p->types = loader->deps->types;
    *reason = open_plugin(p, file, NULL);
    if (!*reason)
        *reason = run_load(p);
    if (*reason) {
        plugin_free(p);
        return NULL;
    }
    note_identity(p);
    g_ptr_array_add(loader->plugins, p);
    return p;
}

int plugin_loader_load_file(plugin_loader *loader, const char *file)
{
    char *reason = NULL;
    loaded_plugin *p = plugin_loader_try_file(loader, file, &reason);
    if (!p) {
        log_error("plugin refused: %s: %s", file, reason);
        g_free(reason);
        return -1;
    }
    log_info("plugin '%s' %s loaded from %s", p->name,
             p->descriptor->version ? p->descriptor->version : "?", file);
    return 0;
}

/* Copies file to a private temporary path (so that dlopen maps the new
 * file, never the handle it has cached for the old one's path), for
 * open_plugin; the copy is unlinked once opened. NULL with *error set. */
static char *private_copy(const char *file, char **error)
{
    gchar *contents = NULL;
    gsize len = 0;
    GError *err = NULL;
    char *tmp = NULL;
    if (!g_file_get_contents(file, &contents, &len, &err))
        goto failed;
    int fd = g_file_open_tmp("pantau-plugin-XXXXXX.so", &tmp, &err);
    if (fd < 0)
        goto failed;
    close(fd);
    if (!g_file_set_contents(tmp, contents, (gssize)len, &err))
        goto failed;
    g_free(contents);
    return tmp;
failed:
    *error = g_strdup_printf("cannot copy %s: %s", file, err ? err->message : "?");
    if (tmp)
        g_unlink(tmp);
    g_free(tmp);
    g_clear_error(&err);
    g_free(contents);
    return NULL;
}

loaded_plugin *plugin_loader_stage(plugin_loader *loader, const char *name, char **error)
{
    loaded_plugin *old = plugin_loader_find(loader, name);
    if (!old) {
        *error = g_strdup_printf("no plugin '%s' is loaded", name);
        return NULL;
    }
    char *copy = private_copy(old->file, error);
    if (!copy)
        return NULL;
    loaded_plugin *p = g_new0(loaded_plugin, 1);
    p->file = g_strdup(old->file);
    p->loader = loader;
    p->types = source_types_new();
    *error = open_plugin(p, copy, name);
    if (*error && strstr(*error, copy)) {
        /* dlopen names the file it opened: name the real one. */
        char **parts = g_strsplit(*error, copy, -1);
        g_free(*error);
        *error = g_strjoinv(old->file, parts);
        g_strfreev(parts);
    }
    g_unlink(copy);
    g_free(copy);
    if (!*error)
        *error = run_load(p);
    const char *clash = *error ? NULL : source_types_clash(loader->deps->types, p->types, old);
    if (clash) {
        *error = g_strdup_printf("source type '%s' is already registered by another plugin", clash);
        if (p->descriptor->unload)
            p->descriptor->unload();
    }
    if (*error) {
        plugin_loader_discard(p);
        return NULL;
    }
    note_identity(p);
    return p;
}

void plugin_loader_discard(loaded_plugin *staged)
{
    if (!staged)
        return;
    source_types_free(staged->types);
    plugin_free(staged);
}

void plugin_loader_commit(plugin_loader *loader, loaded_plugin *staged)
{
    loaded_plugin *old = plugin_loader_find(loader, staged->name);
    guint at = 0;
    g_ptr_array_find(loader->plugins, old, &at);
    source_types_remove_owner(loader->deps->types, old);
    if (old->descriptor->unload)
        old->descriptor->unload();
    plugin_free(old);
    source_types_merge(loader->deps->types, staged->types);
    source_types_free(staged->types);
    staged->types = loader->deps->types;
    loader->plugins->pdata[at] = staged;
    log_info("plugin '%s' %s reloaded from %s", staged->name,
             staged->descriptor->version ? staged->descriptor->version : "?", staged->file);
}

GPtrArray *plugin_loader_changed(const plugin_loader *loader)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < loader->plugins->len; i++) {
        loaded_plugin *p = g_ptr_array_index(loader->plugins, i);
        char *was = p->identity;
        p->identity = NULL;
        note_identity(p);
        if (g_strcmp0(was, p->identity) != 0)
            g_ptr_array_add(names, g_strdup(p->name));
        g_free(p->identity);
        p->identity = was;
    }
    return names;
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
