/* cluster_events.c - see cluster_events.h. */
#include "cluster_events.h"

#include "alarm_rules.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

struct event_relay {
    alarm_center *a;
    source_registry *reg;
    event_bus *bus;
    kv_store *kv;
    char *prefix; /* "<bucket>.event." */
    char *node;
};

/* One of this node's sources raised an event: the other nodes get it. */
static void on_local(const bus_event *ev, void *user)
{
    event_relay *r = user;
    const pantau_source *src = ev->source_event.source;
    char *subject = kv_store_key(r->prefix, src->id);
    json_t *msg = json_pack("{s:s, s:s, s:s, s:s, s:O?, s:I}", "node", r->node, "source", src->id,
                            "severity", alarm_severity_name(ev->source_event.severity), "message",
                            ev->source_event.message, "details", ev->source_event.details, "time",
                            (json_int_t)ev->source_event.time_ms);
    char *text = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
    pantau_error err = {0};
    if (text && kv_store_publish(r->kv, subject, text, &err))
        log_warn("cluster: the event of source '%s' did not reach the other nodes: %s", src->id,
                 err.message);
    free(text);
    json_decref(msg);
    g_free(subject);
}

/* Whether this node runs source id itself and it is up. */
static bool runs_it(const event_relay *r, const char *id)
{
    const pantau_source *src = source_registry_find(r->reg, id);
    return src && !source_status_is_down(src->status);
}

/* Another node's event (or this node's own, which is left alone). */
static void on_remote(const char *subject, const char *data, uint64_t rev, void *user)
{
    (void)rev;
    event_relay *r = user;
    json_t *msg = json_loads(data, 0, NULL);
    const char *node = json_string_value(json_object_get(msg, "node"));
    const char *source = json_string_value(json_object_get(msg, "source"));
    const char *message = json_string_value(json_object_get(msg, "message"));
    int severity = alarm_severity_parse(json_string_value(json_object_get(msg, "severity")));
    const json_t *details = json_object_get(msg, "details");
    if (!node || !source || !message || severity < 0 || (details && !json_is_object(details)))
        log_warn("cluster: the message on '%s' is not an event; ignored", subject);
    else if (strcmp(node, r->node) != 0 && !runs_it(r, source))
        alarm_relayed_event(r->a, source, (enum pantau_severity)severity, message, details);
    json_decref(msg);
}

event_relay *event_relay_new(alarm_center *a, source_registry *reg, event_bus *bus, kv_store *kv,
                             const char *prefix, const char *node, pantau_error *err)
{
    if (!a)
        return NULL;
    event_relay *r = g_new0(event_relay, 1);
    *r = (event_relay){a, reg, bus, kv, g_strconcat(prefix, ".event.", NULL), g_strdup(node)};
    char *all = g_strconcat(r->prefix, ">", NULL);
    int rc = kv_store_subscribe(kv, all, on_remote, r, err);
    g_free(all);
    if (rc) {
        event_relay_free(r);
        return NULL;
    }
    bus_subscribe(bus, BUS_SOURCE_EVENT, on_local, r);
    return r;
}

void event_relay_free(event_relay *r)
{
    if (!r)
        return;
    bus_unsubscribe(r->bus, BUS_SOURCE_EVENT, on_local, r);
    g_free(r->prefix);
    g_free(r->node);
    g_free(r);
}
