#include "host.h"

#include "alarm_rules.h"
#include "bus.h"
#include "log.h"
#include "media.h"
#include "plugin_loader.h"
#include "redact.h"
#include "server.h"
#include "source.h"

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

static int host_register_source_type(const pantau_host *host, const pantau_source_type *type,
                                     size_t type_size)
{
    loaded_plugin *p = PLUGIN_OF(host);
    if (!type || type_size < TYPE_MIN_SIZE || type->size < TYPE_MIN_SIZE)
        return refuse(p, "%s", "a source type struct is too small (older than ABI 1.0?)");
    if (!type->id || !*type->id)
        return refuse(p, "%s", "a source type has no id");
    if (!type->kind)
        return refuse(p, "source type '%s' has no kind", type->id);
    if (!type->create)
        return refuse(p, "source type '%s' lacks the required callback create", type->id);
    if (!type->destroy)
        return refuse(p, "source type '%s' lacks the required callback destroy", type->id);
    if (plugin_loader_find_type(p->loader, type->id))
        return refuse(p, "source type '%s' is already registered by another plugin", type->id);
    source_type_entry *entry = g_new0(source_type_entry, 1);
    size_t n = MIN(MIN(type_size, type->size), sizeof entry->type);
    memcpy(&entry->type, type, n);
    entry->type.size = sizeof entry->type;
    entry->plugin = p;
    g_hash_table_insert(p->loader->types, (gpointer)entry->type.id, entry);
    return 0;
}

static void host_publish(pantau_source *source, const json_t *data)
{
    if (!source || !data)
        return;
    source_record_data(source, data);
    bus_emit(source->server->bus, &(bus_event){.kind = BUS_SOURCE_DATA, .source_data = {source}});
}

static void host_set_status(pantau_source *source, enum pantau_source_status status,
                            const char *reason)
{
    if (!source)
        return;
    source_note_report(source, status);
    bool same_reason = g_strcmp0(source->reason, reason) == 0;
    if (source->status == status && same_reason) {
        media_status_reported(source->server->media, source);
        return;
    }
    enum pantau_source_status old = source->status;
    if (old != status)
        source->status_since_ms = g_get_real_time() / 1000;
    source->status = status;
    g_free(source->reason);
    /* A plugin may quote a camera URL, or what a device sent, in its reason. */
    char *redacted = redact_url_passwords(reason);
    source->reason = redact_printable(redacted);
    g_free(redacted);
    /* app/events.c tells the clients, the alarms raise or clear theirs. */
    bus_emit(source->server->bus,
             &(bus_event){.kind = BUS_SOURCE_STATUS, .source_status = {source, old}});
    media_status_reported(source->server->media, source);
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
    int s = severity <= PANTAU_SEVERITY_CRITICAL ? (int)severity : PANTAU_SEVERITY_CRITICAL;
    char *text = redact_printable(message);
    log_write(PANTAU_LOG_INFO, source->id, "event (%s): %s",
              alarm_severity_name((enum pantau_severity)s), text);
    bus_emit(source->server->bus,
             &(bus_event){.kind = BUS_SOURCE_EVENT,
                          .source_event = {source, (enum pantau_severity)s, text, details,
                                           g_get_real_time() / 1000}});
    g_free(text);
}

typedef struct plugin_timer {
    int (*cb)(void *user);
    void *user;
    guint id;
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
    t->id = g_timeout_add_full(G_PRIORITY_DEFAULT, interval_ms, timer_fire, t, timer_forget);
    g_hash_table_insert(active_timers, GUINT_TO_POINTER(t->id), t);
    return t->id;
}

static void host_timer_remove(unsigned timer_id)
{
    if (active_timers && g_hash_table_contains(active_timers, GUINT_TO_POINTER(timer_id)))
        g_source_remove(timer_id);
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
    return PLUGIN_OF(host)->loader->server->state_dir;
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
}
