/* ops_plugins.c - see ops_plugins.h; and the plugin.reload op
 * (docs/protocol.md). */
#include "ops_plugins.h"

#include "log.h"
#include "media.h"
#include "op_def.h"
#include "plugin_loader.h"
#include "source.h"

/* A source of the reloaded plugin while its plugin changes. */
typedef struct moving {
    json_t *entry;      /* its config entry, owned */
    GPtrArray *viewers; /* session *, borrowed: who watched its streams */
} moving;

/* Takes the sources of old's types off their plugin (viewers released,
 * instances destroyed), and those of no type that staged offers. Returns
 * what to make them anew with (moving *). */
static GPtrArray *take_sources(pantau_server *srv, const loaded_plugin *old,
                               const loaded_plugin *staged)
{
    GPtrArray *out = g_ptr_array_new();
    GPtrArray *srcs = source_registry_of_owner(srv->sources, old, staged->types);
    for (guint i = 0; i < srcs->len; i++) {
        pantau_source *src = g_ptr_array_index(srcs, i);
        moving *m = g_new0(moving, 1);
        m->viewers = media_source_release(srv->media, src);
        m->entry = source_entry_json(src);
        source_unbind(src);
        g_ptr_array_add(out, m);
    }
    g_ptr_array_free(srcs, TRUE);
    return out;
}

/* Makes the sources taken (frees them) anew of the types now registered. */
static void remake_sources(pantau_server *srv, GPtrArray *taken)
{
    for (guint i = 0; i < taken->len; i++) {
        moving *m = g_ptr_array_index(taken, i);
        pantau_source *src = source_registry_put(srv->sources, m->entry);
        media_source_reattach(srv->media, src, m->viewers);
        g_ptr_array_free(m->viewers, TRUE);
        json_decref(m->entry);
        g_free(m);
    }
    g_ptr_array_free(taken, TRUE);
}

int plugin_reload(pantau_server *srv, const char *name, char **error)
{
    *error = NULL;
    loaded_plugin *staged = srv->plugins ? plugin_loader_stage(srv->plugins, name, error) : NULL;
    if (!staged) {
        if (!*error)
            *error = g_strdup("no plugins are loaded");
        log_error("plugin '%s' not reloaded: %s; the loaded version keeps running", name, *error);
        return -1;
    }
    GPtrArray *taken = take_sources(srv, plugin_loader_find(srv->plugins, name), staged);
    guint count = taken->len;
    plugin_loader_commit(srv->plugins, staged);
    remake_sources(srv, taken);
    log_info("plugin '%s' reloaded: %u source(s) made anew", name, count);
    return 0;
}

unsigned plugin_reload_changed(pantau_server *srv)
{
    if (!srv->plugins)
        return 0;
    GPtrArray *names = plugin_loader_changed(srv->plugins);
    unsigned done = 0;
    for (guint i = 0; i < names->len; i++) {
        char *error = NULL;
        if (plugin_reload(srv, g_ptr_array_index(names, i), &error) == 0)
            done++;
        g_free(error);
    }
    if (!names->len)
        log_info("SIGHUP: no plugin file changed; nothing reloaded");
    g_ptr_array_free(names, TRUE);
    return done;
}

/* plugin.reload {plugin}: reloads it from its file. */
static int op_plugin_reload(op_call *call, json_t **ok, pantau_error *err)
{
    const char *name;
    if (op_get_string(call->req, "plugin", &name, err))
        return -1;
    if (!call->srv->plugins || !plugin_loader_find(call->srv->plugins, name))
        return error_set(err, ERR_NOT_FOUND, "plugin", "no plugin '%s' is loaded", name);
    char *error = NULL;
    if (plugin_reload(call->srv, name, &error)) {
        error_set(err, ERR_BAD_REQUEST, "plugin", "plugin '%s' not reloaded: %s", name, error);
        g_free(error);
        return -1;
    }
    const loaded_plugin *p = plugin_loader_find(call->srv->plugins, name);
    *ok = json_pack("{s:s, s:s?}", "plugin", name, "version", p->descriptor->version);
    return 0;
}

const op_def plugin_ops[] = {
    {"plugin.reload", op_plugin_reload, OP_ADMIN, OP_CHANGES},
    {NULL, NULL, OP_READ},
};
