/* alarm.c - the alarm list: events raised by plugins and by the core (a
 * camera offline, a feed stale) become alarms (active -> acknowledged ->
 * cleared), fire the config's rules onto walls (alarm_wall.c), and are
 * emitted on the bus (BUS_ALARM). Main loop only. */
#include "alarm.h"
#include "alarm_internal.h"

#include "log.h"

#include <string.h>

#define CORE_CAMERA_OFFLINE "core.camera_offline"
#define CORE_FEED_STALE "core.feed_stale"
/* An operator's alarm.show wins over every rule. */
#define OPERATOR_PRIORITY (ALARM_PRIORITY_MAX + 1)

/* Wall-clock time in ms since the epoch. */
static gint64 now_ms(void)
{
    return g_get_real_time() / 1000;
}

/* ---- the list ---- */

/* Frees an alarm no list holds any more. */
static void alarm_free(alarm_entry *al)
{
    g_free(al->source);
    g_free(al->condition);
    g_free(al->message);
    g_free(al->acked_by);
    g_free(al->fired);
    g_free(al);
}

/* The key that makes a repeat the same alarm. g_free it. */
static char *alarm_key(const char *source, const char *condition, const char *message)
{
    if (condition)
        return g_strdup_printf("%s\n%s", source, condition);
    return g_strdup_printf("%s\n\001%s", source, message);
}

alarm_entry *alarm_find(const alarm_center *a, const char *id)
{
    return a && id ? g_hash_table_lookup(a->by_id, id) : NULL;
}

/* "active", "acknowledged", "cleared". */
static const char *state_name(enum alarm_state s)
{
    return s == ALARM_ACTIVE ? "active" : s == ALARM_ACKED ? "acknowledged" : "cleared";
}

/* An optional time: null when 0. New reference. */
static json_t *time_or_null(gint64 ms)
{
    return ms ? json_integer(ms) : json_null();
}

json_t *alarm_to_json(const alarm_center *a, const alarm_entry *al)
{
    return json_pack("{s:s, s:s, s:s, s:s?, s:s, s:I, s:I, s:I, s:s, s:s?, s:o, s:o, s:o}", "id",
                     al->id, "severity", alarm_severity_name(al->severity), "source", al->source,
                     "condition", al->condition, "message", al->message, "time",
                     (json_int_t)al->time_ms, "last_time", (json_int_t)al->last_ms, "count",
                     (json_int_t)al->count, "state", state_name(al->state), "acked_by",
                     al->acked_by, "acked_time", time_or_null(al->acked_ms), "cleared_time",
                     time_or_null(al->cleared_ms), "shown_on", alarm_wall_shown_on(a, al->id));
}

void alarm_mark(alarm_center *a, const char *id)
{
    g_hash_table_add(a->dirty, g_strdup(id));
}

/* An alarm as the cluster's store keeps it: alarm_to_json without what is
 * this node's own (its id, the walls it shows here). New reference. */
static json_t *alarm_record(const alarm_center *a, const alarm_entry *al)
{
    json_t *r = alarm_to_json(a, al);
    json_object_del(r, "id");
    json_object_del(r, "shown_on");
    return r;
}

/* Tells the share (if any) of al as it is now. */
static void share_alarm(const alarm_center *a, const alarm_entry *al)
{
    if (!a->share || a->taking)
        return;
    char *key = alarm_key(al->source, al->condition, al->message);
    json_t *record = alarm_record(a, al);
    a->share(key, record, a->share_data);
    json_decref(record);
    g_free(key);
}

void alarm_flush(alarm_center *a)
{
    GHashTableIter it;
    gpointer id;
    g_hash_table_iter_init(&it, a->dirty);
    while (g_hash_table_iter_next(&it, &id, NULL)) {
        const alarm_entry *al = alarm_find(a, id);
        if (!al)
            continue;
        json_t *alarm = alarm_to_json(a, al);
        bus_emit(a->bus, &(bus_event){.kind = BUS_ALARM, .alarm = {alarm}});
        json_decref(alarm);
        share_alarm(a, al);
    }
    g_hash_table_remove_all(a->dirty);
}

/* A new active alarm (not yet in any list). */
static alarm_entry *alarm_new(alarm_center *a, const char *source, enum pantau_severity severity,
                              const char *condition, const char *message)
{
    alarm_entry *al = g_new0(alarm_entry, 1);
    g_snprintf(al->id, sizeof al->id, "a%" G_GUINT64_FORMAT, ++a->next_id);
    al->severity = severity;
    al->source = g_strdup(source);
    al->condition = g_strdup(condition);
    al->message = g_strdup(message);
    al->time_ms = al->last_ms = now_ms();
    al->count = 1;
    al->state = ALARM_ACTIVE;
    al->fired = g_new0(guint8, a->rules->len + 1);
    return al;
}

/* Keeps at most ALARM_HISTORY_MAX cleared alarms, dropping the oldest. */
static void trim_history(alarm_center *a)
{
    while (a->cleared.length > ALARM_HISTORY_MAX) {
        alarm_entry *old = g_queue_pop_tail(&a->cleared);
        g_hash_table_remove(a->by_id, old->id);
        alarm_free(old);
    }
}

/* The alarm's condition is gone: it moves to the history, its walls go back. */
static void clear_alarm(alarm_center *a, alarm_entry *al)
{
    char *key = alarm_key(al->source, al->condition, al->message);
    g_hash_table_remove(a->by_key, key);
    g_free(key);
    g_ptr_array_remove(a->open, al);
    al->state = ALARM_CLEARED;
    al->cleared_ms = now_ms();
    g_queue_push_head(&a->cleared, al);
    alarm_mark(a, al->id);
    alarm_wall_alarm_changed(a, al);
    trim_history(a);
}

/* An operator (user) acknowledged al. */
static void ack_alarm(alarm_center *a, alarm_entry *al, const char *user)
{
    al->state = ALARM_ACKED;
    al->acked_by = g_strdup(user);
    al->acked_ms = now_ms();
    alarm_mark(a, al->id);
    log_write(PANTAU_LOG_INFO, "alarms", "alarm %s acknowledged by %s", al->id, user);
    /* Nothing else would ever clear an event without a condition. */
    if (!al->condition)
        clear_alarm(a, al);
    else
        alarm_wall_alarm_changed(a, al);
}

/* ---- rules ---- */

/* Rule r claims its wall for al (logged when it cannot). */
static void fire_rule(alarm_center *a, alarm_entry *al, const alarm_rule *r)
{
    const wall *w = walls_find(a->walls, r->wall);
    const preset *p = r->preset ? walls_preset_lookup(a->walls, r->preset) : NULL;
    if (!w || (r->preset && !p)) {
        log_write(PANTAU_LOG_WARN, "alarms", "rule '%s' cannot fire for alarm %s: no %s '%s'",
                  r->id, al->id, w ? "preset" : "wall", w ? r->preset : r->wall);
        return;
    }
    log_write(PANTAU_LOG_INFO, "alarms", "rule '%s' fires for alarm %s", r->id, al->id);
    layout *target = g_new(layout, 1);
    alarm_target_layout(target, alarm_wall_base(a, w), r->show, r->tile, p ? &p->layout : NULL);
    alarm_wall_claim(a, r->wall, al, r->id, target, r->until, r->until_s, r->priority);
    g_free(target);
}

/* Fires every rule that matches al and has not fired for it yet. */
static void fire_rules(alarm_center *a, alarm_entry *al)
{
    if (al->state != ALARM_ACTIVE)
        return;
    for (guint i = 0; i < a->rules->len; i++) {
        const alarm_rule *r = g_ptr_array_index(a->rules, i);
        if (al->fired[i] || !alarm_rule_matches(r, al->source, al->severity, al->condition))
            continue;
        al->fired[i] = 1;
        fire_rule(a, al, r);
    }
}

/* A new alarm, or a repeat of an open one (count + 1, the highest severity
 * and the latest message). */
static void raise_alarm(alarm_center *a, const char *source, enum pantau_severity severity,
                        const char *condition, const char *message, bool fire)
{
    char *key = alarm_key(source, condition, message);
    alarm_entry *al = g_hash_table_lookup(a->by_key, key);
    if (al) {
        g_free(key);
        al->count++;
        al->last_ms = now_ms();
        al->severity = MAX(al->severity, severity);
        g_free(al->message);
        al->message = g_strdup(message);
    } else {
        al = alarm_new(a, source, severity, condition, message);
        g_ptr_array_add(a->open, al);
        g_hash_table_insert(a->by_id, al->id, al);
        g_hash_table_insert(a->by_key, key, al);
        log_write(PANTAU_LOG_INFO, "alarms", "alarm %s (%s) %s: %s", al->id,
                  alarm_severity_name(severity), source, message);
    }
    alarm_mark(a, al->id);
    if (fire)
        fire_rules(a, al);
    alarm_flush(a);
}

/* The open alarm of source and condition, if any, is cleared. */
static void clear_condition(alarm_center *a, const char *source, const char *condition)
{
    char *key = alarm_key(source, condition, NULL);
    alarm_entry *al = g_hash_table_lookup(a->by_key, key);
    g_free(key);
    if (!al)
        return;
    clear_alarm(a, al);
    alarm_flush(a);
}

/* An event of source_id: raises (rules fire when fire) or clears. */
static void source_event(alarm_center *a, const char *source_id, enum pantau_severity severity,
                         const char *message, const json_t *details, bool fire)
{
    const char *condition = json_string_value(json_object_get(details, "condition"));
    if (json_is_false(json_object_get(details, "active"))) {
        if (condition)
            clear_condition(a, source_id, condition);
        return;
    }
    raise_alarm(a, source_id, severity, condition, message, fire);
}

void alarm_source_event(alarm_center *a, pantau_source *src, enum pantau_severity severity,
                        const char *message, const json_t *details)
{
    if (!a || !src || !message)
        return;
    source_event(a, src->id, severity, message, details, true);
}

void alarm_relayed_event(alarm_center *a, const char *source_id, enum pantau_severity severity,
                         const char *message, const json_t *details)
{
    if (!a || !source_id || !message)
        return;
    source_event(a, source_id, severity, message, details, false);
}

/* ---- the core's own alarms: a camera offline, a feed stale ---- */

typedef struct core_pending {
    alarm_center *a;
    char *source_id; /* owned */
    guint timer;
} core_pending;

/* Stops the debounce timer (if it still runs) and frees p. */
static void core_pending_free(core_pending *p)
{
    if (p->timer)
        g_source_remove(p->timer);
    g_free(p->source_id);
    g_free(p);
}

/* The condition the core raises for a source that is down, or NULL. */
static const char *core_condition(const pantau_source *src)
{
    const char *kind = source_kind(src);
    if (g_strcmp0(kind, "camera") == 0)
        return CORE_CAMERA_OFFLINE;
    if (g_strcmp0(kind, "widget") == 0)
        return CORE_FEED_STALE;
    return NULL;
}

/* Raises the core's alarm for src, which stayed down for the debounce. */
static void raise_core(alarm_center *a, const pantau_source *src)
{
    const char *condition = core_condition(src);
    bool camera = strcmp(condition, CORE_CAMERA_OFFLINE) == 0;
    char *message = g_strdup_printf(
        "%s: %s (%s%s%s)", src->name, camera ? "camera offline" : "feed stale",
        source_status_name(src->status), src->reason ? ": " : "", src->reason ? src->reason : "");
    raise_alarm(a, src->id, PANTAU_SEVERITY_WARNING, condition, message, true);
    g_free(message);
}

/* A source stayed down for the debounce (data: its core_pending). */
static gboolean core_debounced(gpointer data)
{
    core_pending *p = data;
    alarm_center *a = p->a;
    p->timer = 0; /* this source ends by returning G_SOURCE_REMOVE */
    pantau_source *src = a->sources ? source_registry_find(a->sources, p->source_id) : NULL;
    g_hash_table_remove(a->debounce, p->source_id);
    if (src && source_status_is_down(src->status))
        raise_core(a, src);
    return G_SOURCE_REMOVE;
}

void alarm_source_status(alarm_center *a, pantau_source *src, enum pantau_source_status old)
{
    (void)old;
    const char *condition = a && src ? core_condition(src) : NULL;
    if (!condition)
        return;
    if (!source_status_is_down(src->status)) {
        g_hash_table_remove(a->debounce, src->id);
        clear_condition(a, src->id, condition);
        return;
    }
    char *key = alarm_key(src->id, condition, NULL);
    bool raised = g_hash_table_contains(a->by_key, key);
    g_free(key);
    if (raised || g_hash_table_contains(a->debounce, src->id))
        return;
    core_pending *p = g_new0(core_pending, 1);
    p->a = a;
    p->source_id = g_strdup(src->id);
    p->timer = g_timeout_add((guint)(a->debounce_s * 1000.0 + 0.5), core_debounced, p);
    g_hash_table_insert(a->debounce, p->source_id, p);
}

/* ---- lifecycle ---- */

void alarm_config_check(config_checker *c, const json_t *section, const config_sections *ids)
{
    alarm_rules_check(c, section, ids);
}

/* Sources' statuses and events (bus.h) raise and clear alarms. */
static void on_source(const bus_event *ev, void *user)
{
    alarm_center *a = user;
    if (ev->kind == BUS_SOURCE_STATUS)
        alarm_source_status(a, ev->source_status.source, ev->source_status.old);
    else if (ev->kind == BUS_SOURCE_EVENT)
        alarm_source_event(a, ev->source_event.source, ev->source_event.severity,
                           ev->source_event.message, ev->source_event.details);
}

alarm_center *alarm_center_new(const alarm_deps *deps)
{
    alarm_center *a = g_new0(alarm_center, 1);
    a->walls = deps->walls;
    a->sources = deps->sources;
    a->bus = deps->bus;
    a->audit = deps->audit;
    a->state_dir = g_strdup(deps->state_dir);
    a->rules = alarm_rules_from_json(deps->section);
    a->debounce_s = alarm_debounce_from_json(deps->section);
    a->open = g_ptr_array_new();
    g_queue_init(&a->cleared);
    a->by_id = g_hash_table_new(g_str_hash, g_str_equal);
    a->by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    a->debounce =
        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)core_pending_free);
    a->dirty = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    bus_subscribe(a->bus, BUS_SOURCE_STATUS, on_source, a);
    bus_subscribe(a->bus, BUS_SOURCE_EVENT, on_source, a);
    /* Sources that were down before the alarms existed. */
    for (guint i = 0; a->sources && i < a->sources->list->len; i++)
        alarm_source_status(a, g_ptr_array_index(a->sources->list, i), PANTAU_STATUS_LIVE);
    alarm_wall_recover(a);
    return a;
}

void alarm_center_free(alarm_center *a)
{
    if (!a)
        return;
    /* Sources stopping after this must not reach a freed center. */
    bus_unsubscribe(a->bus, BUS_SOURCE_STATUS, on_source, a);
    bus_unsubscribe(a->bus, BUS_SOURCE_EVENT, on_source, a);
    alarm_wall_free_all(a);
    g_hash_table_destroy(a->debounce);
    g_hash_table_destroy(a->dirty);
    g_hash_table_destroy(a->by_key);
    g_hash_table_destroy(a->by_id);
    for (guint i = 0; i < a->open->len; i++)
        alarm_free(g_ptr_array_index(a->open, i));
    g_ptr_array_free(a->open, TRUE);
    g_queue_clear_full(&a->cleared, (GDestroyNotify)alarm_free);
    g_ptr_array_free(a->rules, TRUE);
    g_free(a->state_dir);
    g_free(a);
}

/* ---- the list as JSON ---- */

/* Open alarms newest first, then up to max_cleared cleared ones, newest
 * first. New reference. */
static json_t *alarm_list(const alarm_center *a, guint max_cleared)
{
    json_t *list = json_array();
    if (!a)
        return list;
    for (guint i = a->open->len; i-- > 0;)
        json_array_append_new(list, alarm_to_json(a, g_ptr_array_index(a->open, i)));
    guint n = 0;
    for (const GList *l = a->cleared.head; l && n < max_cleared; l = l->next, n++)
        json_array_append_new(list, alarm_to_json(a, l->data));
    return list;
}

json_t *alarm_snapshot(const alarm_center *a)
{
    return alarm_list(a, ALARM_SNAPSHOT_CLEARED);
}

json_t *alarm_history(const alarm_center *a)
{
    return alarm_list(a, ALARM_HISTORY_MAX);
}

/* ---- what operators do ---- */

json_t *alarm_shown_on(const alarm_center *a, const alarm_entry *al)
{
    return alarm_wall_shown_on(a, al->id);
}

void alarm_acknowledge(alarm_center *a, alarm_entry *al, const char *user)
{
    if (al->state != ALARM_ACTIVE)
        return;
    ack_alarm(a, al, user);
    alarm_flush(a);
}

int alarm_show(alarm_center *a, alarm_entry *al, wall *w, const char *tile, gint64 *version,
               pantau_error *err)
{
    if (tile && layout_find_tile(alarm_wall_base(a, w), tile) < 0)
        return error_set(err, ERR_NOT_FOUND, "tile", "wall '%s' has no tile '%.64s'", w->id, tile);
    if (al->state == ALARM_CLEARED)
        return error_set(err, ERR_BAD_REQUEST, "alarm", "alarm '%s' is cleared", al->id);
    if (!a->sources || !source_registry_find(a->sources, al->source))
        return error_set(err, ERR_NOT_FOUND, "alarm", "alarm '%s' names no source", al->id);
    layout *target = g_new(layout, 1);
    alarm_target_layout(target, alarm_wall_base(a, w), al->source, tile, NULL);
    enum alarm_until until = al->state == ALARM_ACKED ? ALARM_UNTIL_CLEAR : ALARM_UNTIL_ACK;
    /* The operation audits this change itself. */
    a->in_op = true;
    alarm_wall_claim(a, w->id, al, NULL, target, until, 0, OPERATOR_PRIORITY);
    a->in_op = false;
    g_free(target);
    *version = alarm_wall_version(a, w);
    alarm_flush(a);
    return 0;
}

/* ---- alarms of other nodes (cluster_alarms.h) ---- */

void alarm_set_share(alarm_center *a, alarm_share_fn fn, void *data)
{
    if (!a)
        return;
    a->share = fn;
    a->share_data = data;
}

static gint64 int_of(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* The alarm of record (valid), opened here as another node opened it. */
static alarm_entry *open_from(alarm_center *a, const json_t *record, enum pantau_severity severity,
                              const char *key)
{
    const char *source = json_string_value(json_object_get(record, "source"));
    const char *condition = json_string_value(json_object_get(record, "condition"));
    const char *message = json_string_value(json_object_get(record, "message"));
    alarm_entry *al = alarm_new(a, source, severity, condition, message);
    al->time_ms = int_of(record, "time");
    g_ptr_array_add(a->open, al);
    g_hash_table_insert(a->by_id, al->id, al);
    g_hash_table_insert(a->by_key, g_strdup(key), al);
    log_write(PANTAU_LOG_INFO, "alarms", "alarm %s (%s) %s from another node: %s", al->id,
              alarm_severity_name(severity), source, message);
    return al;
}

/* Takes record's count, times, severity, message and state onto al. */
static void take_state(alarm_center *a, alarm_entry *al, const json_t *record,
                       enum pantau_severity severity)
{
    const char *state = json_string_value(json_object_get(record, "state"));
    const char *by = json_string_value(json_object_get(record, "acked_by"));
    al->count = MAX(al->count, (unsigned)int_of(record, "count"));
    al->last_ms = MAX(al->last_ms, int_of(record, "last_time"));
    al->severity = MAX(al->severity, severity);
    alarm_mark(a, al->id);
    bool acked = g_strcmp0(state, "acknowledged") == 0 || (by && g_strcmp0(state, "cleared") == 0);
    if (acked && al->state == ALARM_ACTIVE) {
        al->state = ALARM_ACKED;
        al->acked_by = g_strdup(by ? by : "");
        al->acked_ms = int_of(record, "acked_time");
    }
    if (g_strcmp0(state, "cleared") == 0)
        clear_alarm(a, al);
    else if (acked)
        alarm_wall_alarm_changed(a, al);
}

int alarm_take(alarm_center *a, const json_t *record, pantau_error *err)
{
    const char *source = json_string_value(json_object_get(record, "source"));
    const char *condition = json_string_value(json_object_get(record, "condition"));
    const char *message = json_string_value(json_object_get(record, "message"));
    const char *state = json_string_value(json_object_get(record, "state"));
    int severity = alarm_severity_parse(json_string_value(json_object_get(record, "severity")));
    if (!a || !source || !message || !state || severity < 0)
        return error_set(err, ERR_BAD_REQUEST, "alarm", "not an alarm");
    char *key = alarm_key(source, condition, message);
    alarm_entry *al = g_hash_table_lookup(a->by_key, key);
    if (!al && strcmp(state, "cleared") != 0)
        al = open_from(a, record, (enum pantau_severity)severity, key);
    g_free(key);
    if (!al)
        return 0; /* cleared, and never open here */
    a->taking = true;
    take_state(a, al, record, (enum pantau_severity)severity);
    alarm_flush(a);
    a->taking = false;
    return 0;
}
