#include "source.h"

#include "alarm_rules.h"
#include "bus.h"
#include "log.h"
#include "redact.h"

#include <stdbool.h>
#include <string.h>

const char *source_status_name(enum pantau_source_status status)
{
    switch (status) {
    case PANTAU_STATUS_LIVE:
        return "live";
    case PANTAU_STATUS_RECONNECTING:
        return "reconnecting";
    case PANTAU_STATUS_OFFLINE:
        return "offline";
    case PANTAU_STATUS_STALE:
        return "stale";
    case PANTAU_STATUS_IDLE:
        return "idle";
    case PANTAU_STATUS_ERROR:
    default:
        return "error";
    }
}

bool source_status_is_down(enum pantau_source_status status)
{
    return status != PANTAU_STATUS_LIVE && status != PANTAU_STATUS_IDLE;
}

bool source_is_camera(const pantau_source *src)
{
    return src && src->type && src->type->type.stream_open && src->type->type.stream_close;
}

void source_note_report(pantau_source *src, enum pantau_source_status status)
{
    if (source_is_camera(src) &&
        (status == PANTAU_STATUS_RECONNECTING || status == PANTAU_STATUS_ERROR))
        src->reconnects++;
}

static bool key_names_a_secret(const char *key)
{
    static const char *const words[] = {"password",   "passwd", "secret", "token",
                                        "credential", "apikey", "api_key"};
    char *lower = g_ascii_strdown(key, -1);
    bool secret = false;
    for (size_t i = 0; i < G_N_ELEMENTS(words) && !secret; i++)
        secret = strstr(lower, words[i]) != NULL;
    g_free(lower);
    return secret;
}

static bool schema_marks_secret(const json_t *schema, const char *key)
{
    const json_t *prop = json_object_get(json_object_get(schema, "properties"), key);
    return json_is_true(json_object_get(prop, "secret"));
}

static json_t *value_public(const json_t *v)
{
    if (json_is_string(v)) {
        char *clean = redact_setting_url(json_string_value(v));
        json_t *r = json_string(clean);
        g_free(clean);
        return r;
    }
    if (json_is_object(v))
        return settings_public(v, NULL);
    if (json_is_array(v)) {
        json_t *a = json_array();
        size_t i;
        const json_t *e;
        json_array_foreach(v, i, e) json_array_append_new(a, value_public(e));
        return a;
    }
    return json_deep_copy(v);
}

json_t *settings_public(const json_t *settings, const json_t *schema)
{
    json_t *out = json_object();
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)settings, key, v)
    {
        if (key_names_a_secret(key) || schema_marks_secret(schema, key))
            continue;
        json_object_set_new(out, key, value_public(v));
    }
    return out;
}

const char *source_kind(const pantau_source *src)
{
    return src->type ? src->type->type.kind : NULL;
}

json_t *source_to_json(const pantau_source *src)
{
    json_t *schema = NULL;
    const char *kind = "unknown", *plugin = NULL, *web_module = NULL;
    char *web_url = NULL;
    if (src->type) {
        kind = src->type->type.kind;
        plugin = src->type->plugin;
        web_module = src->type->type.web_module;
        schema = source_type_schema(src->type);
    }
    if (web_module)
        web_url = g_strdup_printf("/plugins/%s/%s", plugin, web_module);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s, s:I, s:s?, s:s?, s:o}", "id", src->id,
                          "name", src->name, "type", src->type_id, "kind", kind, "plugin", plugin,
                          "status", source_status_name(src->status), "status_since",
                          (json_int_t)src->status_since_ms, "reason", src->reason, "web_module",
                          web_url, "settings", settings_public(src->settings, schema));
    g_free(web_url);
    json_decref(schema);
    return j;
}

static json_t *merged_settings(const source_type_entry *type, const json_t *given)
{
    json_t *settings = type ? source_type_defaults(type) : NULL;
    if (!json_is_object(settings)) {
        json_decref(settings);
        settings = json_object();
    }
    if (json_is_object(given))
        json_object_update(settings, (json_t *)given);
    return settings;
}

static void source_fail(pantau_source *src, char *reason)
{
    src->status = PANTAU_STATUS_ERROR;
    src->reason = reason;
    log_error("source '%s' unavailable: %s", src->id, reason);
}

/* Why a source of type_id cannot be made, g_malloc'd: at start and in the
 * config checker alike. */
static char *no_type_reason(const char *type_id)
{
    return g_strdup_printf("no loaded plugin offers source type '%s'", type_id ? type_id : "");
}

static pantau_source *source_create(source_registry *reg, const json_t *entry)
{
    pantau_source *src = g_new0(pantau_source, 1);
    const char *id = json_string_value(json_object_get(entry, "id"));
    const char *name = json_string_value(json_object_get(entry, "name"));
    src->registry = reg;
    src->status_since_ms = g_get_real_time() / 1000;
    src->id = g_strdup(id);
    src->name = g_strdup(name ? name : id);
    src->type_id = g_strdup(json_string_value(json_object_get(entry, "type")));
    src->type = source_types_find(reg->types, src->type_id);
    src->settings = merged_settings(src->type, json_object_get(entry, "settings"));
    src->recording = json_incref(json_object_get(entry, "recording"));
    if (!src->type) {
        source_fail(src, no_type_reason(src->type_id));
        return src;
    }
    /* Nothing is known of a camera until a stream of it has run (the
     * plugin may still report something from create()). */
    if (source_is_camera(src))
        src->status = PANTAU_STATUS_IDLE;
    char *error = NULL;
    src->instance = source_type_create(src->type, src, src->settings, &error);
    if (!src->instance) {
        source_fail(src, g_strdup_printf("%s", error ? error : "create() failed"));
        free(error);
        return src;
    }
    if (src->status != PANTAU_STATUS_ERROR && src->type->type.start)
        src->type->type.start(src->instance);
    return src;
}

/* Stops and destroys src's plugin instance. */
static void source_stop(pantau_source *src)
{
    if (!src->instance)
        return;
    if (src->type->type.stop)
        src->type->type.stop(src->instance);
    src->type->type.destroy(src->instance);
    src->instance = NULL;
}

static void source_free(pantau_source *src)
{
    source_stop(src);
    json_decref(src->settings);
    json_decref(src->recording);
    json_decref(src->last_data);
    /* history is embedded: clear it, never free it (g_queue_free_full would). */
    g_queue_clear_full(&src->history, (GDestroyNotify)json_decref);
    g_free(src->id);
    g_free(src->name);
    g_free(src->type_id);
    g_free(src->reason);
    g_free(src);
}

void source_check_entry(const source_types *types, const json_t *entry, const char *at,
                        source_check_report report, void *user)
{
    const char *type_id = json_string_value(json_object_get(entry, "type"));
    const source_type_entry *type = source_types_find(types, type_id);
    if (!type) {
        char *path = g_strdup_printf("%s.type", at);
        char *message = no_type_reason(type_id);
        report(path, message, user);
        g_free(message);
        g_free(path);
        return;
    }
    if (!source_type_checks(type))
        return;
    json_t *settings = merged_settings(type, json_object_get(entry, "settings"));
    char *error = NULL;
    if (source_type_check(type, settings, &error)) {
        char *path = g_strdup_printf("%s.settings", at);
        report(path, error ? error : "refused by its plugin", user);
        g_free(path);
    }
    free(error);
    json_decref(settings);
}

void source_check_settings(const source_types *types, const json_t *config_sources,
                           source_check_report report, void *user)
{
    size_t i;
    const json_t *entry;
    json_array_foreach(config_sources, i, entry)
    {
        char *at = g_strdup_printf("sources[%zu]", i);
        source_check_entry(types, entry, at, report, user);
        g_free(at);
    }
}

source_registry *source_registry_new(const source_types *types, struct event_bus *bus)
{
    source_registry *reg = g_new0(source_registry, 1);
    reg->list = g_ptr_array_new();
    reg->by_id = g_hash_table_new(g_str_hash, g_str_equal);
    reg->retired = g_ptr_array_new();
    reg->types = types;
    reg->bus = bus;
    return reg;
}

void source_registry_add_config(source_registry *reg, const json_t *config_sources)
{
    size_t i;
    const json_t *entry;
    json_array_foreach(config_sources, i, entry)
    {
        pantau_source *src = source_create(reg, entry);
        g_ptr_array_add(reg->list, src);
        g_hash_table_insert(reg->by_id, src->id, src);
    }
}

void source_registry_free(source_registry *reg)
{
    if (!reg)
        return;
    for (guint i = 0; i < reg->list->len; i++)
        source_free(g_ptr_array_index(reg->list, i));
    for (guint i = 0; i < reg->retired->len; i++)
        source_free(g_ptr_array_index(reg->retired, i));
    g_ptr_array_free(reg->list, TRUE);
    g_ptr_array_free(reg->retired, TRUE);
    g_hash_table_destroy(reg->by_id);
    g_free(reg);
}

/* Takes src out of reg's list (at its index, returned) and stops it; it
 * stays allocated in reg->retired, telling nobody. */
static guint source_retire(source_registry *reg, pantau_source *src)
{
    guint at = 0;
    g_ptr_array_find(reg->list, src, &at);
    g_ptr_array_remove_index(reg->list, at);
    g_hash_table_remove(reg->by_id, src->id);
    source_stop(src);
    src->registry = NULL;
    /* Only the struct must stay: its published data goes now. */
    json_decref(src->last_data);
    src->last_data = NULL;
    g_queue_clear_full(&src->history, (GDestroyNotify)json_decref);
    g_ptr_array_add(reg->retired, src);
    return at;
}

/* Applies entry (borrowed) to src in place through its type's update()
 * (ABI 1.4): true when it took it; false when src must be recreated
 * instead (another type, no update(), no instance, or update() refused). */
static bool source_update_in_place(pantau_source *src, const json_t *entry)
{
    const char *type_id = json_string_value(json_object_get(entry, "type"));
    if (!src->instance || !src->type || !src->type->type.update ||
        g_strcmp0(type_id, src->type_id) != 0)
        return false;
    json_t *settings = merged_settings(src->type, json_object_get(entry, "settings"));
    char *error = NULL;
    if (src->type->type.update(src->instance, settings, &error)) {
        log_warn("source '%s': its plugin refused the new settings (%s); recreating it", src->id,
                 error ? error : "update() failed");
        free(error);
        json_decref(settings);
        return false;
    }
    json_decref(src->settings);
    src->settings = settings;
    const char *name = json_string_value(json_object_get(entry, "name"));
    g_free(src->name);
    src->name = g_strdup(name ? name : src->id);
    json_decref(src->recording);
    src->recording = json_incref(json_object_get(entry, "recording"));
    /* As a new camera: nothing is known until a stream runs again. */
    if (source_is_camera(src) && src->status != PANTAU_STATUS_IDLE) {
        src->status = PANTAU_STATUS_IDLE;
        src->status_since_ms = g_get_real_time() / 1000;
        g_clear_pointer(&src->reason, g_free);
    }
    return true;
}

pantau_source *source_registry_put(source_registry *reg, const json_t *entry)
{
    pantau_source *old = source_registry_find(reg, json_string_value(json_object_get(entry, "id")));
    if (old && source_update_in_place(old, entry)) {
        bus_emit(reg->bus, &(bus_event){.kind = BUS_SOURCE_ADDED, .source_added = {old}});
        return old;
    }
    guint at = old ? source_retire(reg, old) : reg->list->len;
    pantau_source *src = source_create(reg, entry);
    g_ptr_array_insert(reg->list, (gint)at, src);
    g_hash_table_insert(reg->by_id, src->id, src);
    bus_emit(reg->bus, &(bus_event){.kind = BUS_SOURCE_ADDED, .source_added = {src}});
    return src;
}

GPtrArray *source_registry_of_owner(const source_registry *reg, const void *owner,
                                    const source_types *coming)
{
    GPtrArray *out = g_ptr_array_new();
    for (guint i = 0; i < reg->list->len; i++) {
        pantau_source *src = g_ptr_array_index(reg->list, i);
        bool own = src->type && src->type->owner == owner;
        bool typeless = !src->type && source_types_find(coming, src->type_id);
        if (own || typeless)
            g_ptr_array_add(out, src);
    }
    return out;
}

void source_unbind(pantau_source *src)
{
    source_stop(src);
    src->type = NULL;
}

bool source_registry_remove(source_registry *reg, const char *id)
{
    pantau_source *src = source_registry_find(reg, id);
    if (!src)
        return false;
    char *gone = g_strdup(src->id);
    source_retire(reg, src);
    bus_emit(reg->bus, &(bus_event){.kind = BUS_SOURCE_REMOVED, .source_removed = {gone}});
    g_free(gone);
    return true;
}

json_t *source_entry_json(const pantau_source *src)
{
    return json_pack("{s:s, s:s, s:s, s:o, s:O*}", "id", src->id, "name", src->name, "type",
                     src->type_id ? src->type_id : "", "settings", json_deep_copy(src->settings),
                     "recording", src->recording);
}

pantau_source *source_registry_find(const source_registry *reg, const char *id)
{
    return reg ? g_hash_table_lookup(reg->by_id, id) : NULL;
}

void source_record_data(pantau_source *src, const json_t *data)
{
    json_decref(src->last_data);
    src->last_data = json_deep_copy(data);
    src->last_data_ms = g_get_real_time() / 1000;
    json_t *entry =
        json_pack("{s:O, s:I}", "data", src->last_data, "time", (json_int_t)src->last_data_ms);
    g_queue_push_tail(&src->history, entry);
    while (src->history.length > SOURCE_HISTORY_MAX)
        json_decref(g_queue_pop_head(&src->history));
}

/* The bus src's changes go to; NULL: nobody listens. */
static event_bus *bus_of(const pantau_source *src)
{
    return src->registry ? src->registry->bus : NULL;
}

void source_publish(pantau_source *src, const json_t *data)
{
    source_record_data(src, data);
    bus_emit(bus_of(src), &(bus_event){.kind = BUS_SOURCE_DATA, .source_data = {src}});
}

void source_report_status(pantau_source *src, enum pantau_source_status status, const char *reason)
{
    source_note_report(src, status);
    if (src->status == status && g_strcmp0(src->reason, reason) == 0)
        return;
    enum pantau_source_status old = src->status;
    if (old != status)
        src->status_since_ms = g_get_real_time() / 1000;
    src->status = status;
    g_free(src->reason);
    /* A plugin may quote a camera URL, or what a device sent, in its reason. */
    char *redacted = redact_url_passwords(reason);
    src->reason = redact_printable(redacted);
    g_free(redacted);
    /* app/events.c tells the clients, the alarms raise or clear theirs. */
    bus_emit(bus_of(src), &(bus_event){.kind = BUS_SOURCE_STATUS, .source_status = {src, old}});
}

void source_raise_event(pantau_source *src, enum pantau_severity severity, const char *message,
                        const json_t *details)
{
    enum pantau_severity s =
        severity <= PANTAU_SEVERITY_CRITICAL ? severity : PANTAU_SEVERITY_CRITICAL;
    char *text = redact_printable(message);
    log_write(PANTAU_LOG_INFO, src->id, "event (%s): %s", alarm_severity_name(s), text);
    bus_emit(bus_of(src),
             &(bus_event){.kind = BUS_SOURCE_EVENT,
                          .source_event = {src, s, text, details, g_get_real_time() / 1000}});
    g_free(text);
}

json_t *source_history_json(const pantau_source *src)
{
    json_t *list = json_array();
    for (const GList *l = src->history.head; l; l = l->next)
        json_array_append(list, l->data);
    return list;
}
