#include "host.h"

#include "log.h"
#include "media.h"
#include "loaded_plugin.h"
#include "source.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>

#define PLUGIN_OF(host) ((loaded_plugin *)((char *)(host)-offsetof(loaded_plugin, host)))

static void host_log(const pantau_host *host, enum pantau_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_writev(level, PLUGIN_OF(host)->name, fmt, ap);
    va_end(ap);
}

/* The size a type struct must have to hold every required field. */
#define TYPE_MIN_SIZE (offsetof(pantau_source_type, destroy) + sizeof(void (*)(void *)))

static int refuse(loaded_plugin *p, const char *fmt, const char *detail)
{
    if (!p->refusal)
        p->refusal = g_strdup_printf(fmt, detail);
    return -1;
}

/* Checks and adds a type whose struct the plugin knows as size bytes. */
static int add_type(loaded_plugin *p, const pantau_source_type *type, size_t size)
{
    if (!type || size < TYPE_MIN_SIZE)
        return refuse(p, "%s", "a source type struct is too small (older than ABI 1.0?)");
    source_type_entry entry = {.plugin = p->name, .owner = p};
    memcpy(&entry.type, type, MIN(size, sizeof entry.type));
    entry.type.size = sizeof entry.type;
    const pantau_source_type *t = &entry.type; /* zero past the plugin's size */
    if (!t->id || !*t->id)
        return refuse(p, "%s", "a source type has no id");
    if (!t->kind)
        return refuse(p, "source type '%s' has no kind", t->id);
    if (!t->create && !t->create_for)
        return refuse(p, "source type '%s' lacks the required callback create", t->id);
    if (!t->destroy)
        return refuse(p, "source type '%s' lacks the required callback destroy", t->id);
    if (!source_types_add(p->types, &entry))
        return refuse(p, "source type '%s' is already registered by another plugin", t->id);
    return 0;
}

static int host_register_source_type(const pantau_host *host, const pantau_source_type *type,
                                     size_t type_size)
{
    return add_type(PLUGIN_OF(host), type, type ? MIN(type_size, type->size) : 0);
}

static int host_register_type(const pantau_host *host, const pantau_source_type *type)
{
    return add_type(PLUGIN_OF(host), type, type ? type->size : 0);
}

/* The dependencies of the loader whose plugin made source's type; NULL for
 * a source of no type or of a type made by hand (tests). */
static const host_deps *deps_of(const pantau_source *source)
{
    const loaded_plugin *p = source->type ? source->type->owner : NULL;
    return p ? p->loader->deps : NULL;
}

static void host_publish(pantau_source *source, const json_t *data)
{
    if (!source || !data)
        return;
    source_publish(source, data);
}

static void host_set_status(pantau_source *source, enum pantau_source_status status,
                            const char *reason)
{
    if (!source)
        return;
    source_report_status(source, status, reason);
    /* Told of every report, changed or not: whoever waits for a keyframe
     * of a camera that is down gives up. */
    const host_deps *deps = deps_of(source);
    media_status_reported(deps ? deps->media : NULL, source);
}

typedef struct status_change {
    pantau_source *source;
    enum pantau_source_status status;
    char *reason;
} status_change;

static gboolean status_change_apply(gpointer data)
{
    status_change *c = data;
    host_set_status(c->source, c->status, c->reason);
    return G_SOURCE_REMOVE;
}

static void status_change_free(gpointer data)
{
    status_change *c = data;
    g_free(c->reason);
    g_free(c);
}

static void host_set_status_async(pantau_source *source, enum pantau_source_status status,
                                  const char *reason)
{
    if (!source)
        return;
    status_change *c = g_new0(status_change, 1);
    c->source = source;
    c->status = status;
    c->reason = g_strdup(reason);
    g_idle_add_full(G_PRIORITY_DEFAULT, status_change_apply, c, status_change_free);
}

static void host_raise_event(pantau_source *source, enum pantau_severity severity,
                             const char *message, const json_t *details)
{
    if (!source || !message)
        return;
    source_raise_event(source, severity, message, details);
}

typedef struct plugin_timer {
    int (*cb)(void *user);
    void *user;
    guint id;
    const void *base; /* where the object holding cb is loaded: its plugin's base */
} plugin_timer;

static GHashTable *active_timers; /* id -> plugin_timer *; main loop only */

static gboolean timer_fire(gpointer data)
{
    plugin_timer *t = data;
    return t->cb(t->user) ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void timer_forget(gpointer data)
{
    plugin_timer *t = data;
    g_hash_table_remove(active_timers, GUINT_TO_POINTER(t->id));
    g_free(t);
}

static unsigned host_timer_add(unsigned interval_ms, int (*cb)(void *user), void *user)
{
    if (!cb)
        return 0;
    if (!active_timers)
        active_timers = g_hash_table_new(g_direct_hash, g_direct_equal);
    plugin_timer *t = g_new0(plugin_timer, 1);
    t->cb = cb;
    t->user = user;
    Dl_info info = {0};
    void *code;
    *(int (**)(void *)) & code = cb;
    if (dladdr(code, &info))
        t->base = info.dli_fbase;
    t->id = g_timeout_add_full(G_PRIORITY_DEFAULT, interval_ms, timer_fire, t, timer_forget);
    g_hash_table_insert(active_timers, GUINT_TO_POINTER(t->id), t);
    return t->id;
}

static void host_timer_remove(unsigned timer_id)
{
    if (active_timers && g_hash_table_contains(active_timers, GUINT_TO_POINTER(timer_id)))
        g_source_remove(timer_id);
}

void host_remove_timers_of(const void *base)
{
    if (!active_timers || !base)
        return;
    GPtrArray *ids = g_ptr_array_new();
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, active_timers);
    while (g_hash_table_iter_next(&it, &key, &value))
        if (((const plugin_timer *)value)->base == base)
            g_ptr_array_add(ids, key);
    for (guint i = 0; i < ids->len; i++)
        g_source_remove(GPOINTER_TO_UINT(g_ptr_array_index(ids, i)));
    if (ids->len)
        log_warn("removed %u timer(s) the unloaded plugin left running", ids->len);
    g_ptr_array_free(ids, TRUE);
}

void host_remove_all_timers(void)
{
    if (!active_timers)
        return;
    GList *ids = g_hash_table_get_keys(active_timers);
    for (GList *l = ids; l; l = l->next)
        g_source_remove(GPOINTER_TO_UINT(l->data));
    g_list_free(ids);
    g_hash_table_destroy(active_timers);
    active_timers = NULL;
}

static const char *host_source_id(const pantau_source *source)
{
    return source ? source->id : NULL;
}

static const char *host_state_dir(const pantau_host *host)
{
    return PLUGIN_OF(host)->loader->deps->state_dir;
}

static const char *host_plugin_data_dir(const pantau_host *host)
{
    return PLUGIN_OF(host)->data_dir;
}

void host_init(loaded_plugin *plugin)
{
    pantau_host *h = &plugin->host;
    memset(h, 0, sizeof *h);
    h->size = sizeof *h;
    h->abi_major = PANTAU_ABI_MAJOR;
    h->abi_minor = PANTAU_ABI_MINOR;
    h->log = host_log;
    h->register_source_type = host_register_source_type;
    h->publish = host_publish;
    h->set_status = host_set_status;
    h->raise_event = host_raise_event;
    h->timer_add = host_timer_add;
    h->timer_remove = host_timer_remove;
    h->source_id = host_source_id;
    h->state_dir = host_state_dir;
    h->plugin_data_dir = host_plugin_data_dir;
    h->media_push = media_push;
    h->set_status_async = host_set_status_async;
    h->register_type = host_register_type;
}
