/* test_alarm.c - the alarm center on a server made by hand (two walls, a
 * preset store in a temporary directory, fake camera and widget sources):
 * the list, rules taking over walls and giving them back, priorities,
 * operator changes, expiry on the main loop, the core's own alarms and the
 * alarm operations through ops_handle_text. */
#include "alarm.h"
#include "alarm_internal.h"
#include "bus.h"
#include "ops.h"
#include "plugin_loader.h"
#include "source.h"
#include "test_util.h"

#include <glib.h>
#include <string.h>

static const char *const walls_config =
    "[{\"id\": \"main\", \"displays\": {\"columns\": 1, \"rows\": 1, \"width\": 1920, "
    "\"height\": 1080}, \"layout\": {\"columns\": 2, \"rows\": 1, \"tiles\": ["
    "  {\"id\": \"t1\", \"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1, \"source\": \"feed\"},"
    "  {\"id\": \"t2\", \"x\": 1, \"y\": 0, \"w\": 1, \"h\": 1}]}},"
    " {\"id\": \"side\", \"displays\": {\"columns\": 1, \"rows\": 1, \"width\": 1920, "
    "\"height\": 1080}, \"layout\": {\"columns\": 1, \"rows\": 1, \"tiles\": []}}]";

static const char *const alarms_config =
    "{\"debounce_s\": 0.05, \"rules\": ["
    " {\"id\": \"low\", \"match\": {\"condition\": \"low.*\"},"
    "  \"action\": {\"wall\": \"main\", \"show\": \"cam1\"}, \"priority\": 1},"
    " {\"id\": \"high\", \"match\": {\"condition\": \"high.*\"},"
    "  \"action\": {\"wall\": \"main\", \"show\": \"cam2\"}, \"priority\": 9},"
    " {\"id\": \"same\", \"match\": {\"condition\": \"same.*\"},"
    "  \"action\": {\"wall\": \"main\", \"show\": \"cam1\"}, \"priority\": 5},"
    " {\"id\": \"tile\", \"match\": {\"condition\": \"tile\"},"
    "  \"action\": {\"wall\": \"main\", \"show\": \"cam2\", \"tile\": \"t2\"}, \"until\": "
    "\"clear\"},"
    " {\"id\": \"timed\", \"match\": {\"condition\": \"timed\"},"
    "  \"action\": {\"wall\": \"main\", \"show\": \"cam1\"}, \"until\": 0.1},"
    " {\"id\": \"preset\", \"match\": {\"condition\": \"preset\"},"
    "  \"action\": {\"wall\": \"side\", \"preset\": \"Night\"}},"
    " {\"id\": \"critical\", \"match\": {\"source\": \"feed\", \"severity_at_least\": "
    "\"critical\"},"
    "  \"action\": {\"wall\": \"side\", \"show\": \"feed\"}}]}";

static char *dir;
static pantau_server *srv;
static source_type_entry camera_type = {.type = {.id = "cam", .kind = "camera"}};
static source_type_entry widget_type = {.type = {.id = "feed", .kind = "widget"}};

static pantau_source *fake_source(const char *id, const source_type_entry *type)
{
    pantau_source *s = g_new0(pantau_source, 1);
    s->id = g_strdup(id);
    s->name = g_strdup(id);
    s->type_id = g_strdup(type->type.id);
    s->type = type;
    return s;
}

static json_t *section; /* the config's "alarms" */

/* The alarm center of srv, given what main gives it. */
static alarm_center *center_new(void)
{
    return alarm_center_new(&(alarm_deps){
        .section = section,
        .walls = srv->wall_service,
        .sources = srv->sources,
        .bus = srv->bus,
        .state_dir = srv->state_dir,
    });
}

static void setup(void)
{
    dir = tu_temp_dir();
    srv = tu_server_new(dir, walls_config);
    tu_registry_add(srv->sources, fake_source("cam1", &camera_type));
    tu_registry_add(srv->sources, fake_source("cam2", &camera_type));
    tu_registry_add(srv->sources, fake_source("feed", &widget_type));
    section = tu_json(alarms_config);
    srv->alarms = center_new();
    ck_assert_ptr_nonnull(srv->alarms);
}

static void teardown(void)
{
    alarm_center_free(srv->alarms);
    srv->alarms = NULL;
    json_decref(section);
    tu_server_free(srv);
    tu_remove_tree(dir);
    g_free(dir);
}

/* ---- helpers ---- */

static wall *wall_named(const char *id)
{
    wall *w = wall_list_find(srv->walls, id);
    ck_assert_ptr_nonnull(w);
    return w;
}

static pantau_source *source(const char *id)
{
    pantau_source *s = source_registry_find(srv->sources, id);
    ck_assert_ptr_nonnull(s);
    return s;
}

/* A plugin raises (active) or clears a condition of source id. */
static void event(const char *id, enum pantau_severity sev, const char *condition, bool active)
{
    json_t *details = json_pack("{s:s, s:b}", "condition", condition, "active", active);
    alarm_source_event(srv->alarms, source(id), sev, active ? "it happened" : "it is over",
                       details);
    json_decref(details);
}

/* The newest alarm of condition in the snapshot (borrowed from *list;
 * json_decref *list), or NULL. */
static json_t *alarm_of(const char *condition, json_t **list)
{
    *list = alarm_snapshot(srv->alarms);
    size_t i;
    json_t *a;
    json_array_foreach(*list, i,
                       a) if (g_strcmp0(json_string_value(json_object_get(a, "condition")),
                                        condition) == 0) return a;
    return NULL;
}

static char *alarm_id_of(const char *condition)
{
    json_t *list;
    json_t *a = alarm_of(condition, &list);
    ck_assert_msg(a != NULL, "no alarm of %s", condition);
    char *id = g_strdup(json_string_value(json_object_get(a, "id")));
    json_decref(list);
    return id;
}

static char *state_of(const char *condition)
{
    json_t *list;
    json_t *a = alarm_of(condition, &list);
    char *state = a ? g_strdup(json_string_value(json_object_get(a, "state"))) : NULL;
    json_decref(list);
    return state;
}

static void assert_state(const char *condition, const char *want)
{
    char *got = state_of(condition);
    ck_assert_msg(g_strcmp0(got, want) == 0, "%s is %s, not %s", condition, got, want);
    g_free(got);
}

/* What the wall shows, as text: "source,source" (tile order), "-" for empty. */
static char *shows(const char *wall_id)
{
    const layout *l = &wall_named(wall_id)->layout;
    GString *s = g_string_new(NULL);
    for (int i = 0; i < l->n_tiles; i++)
        g_string_append_printf(s, "%s%s", i ? "," : "",
                               l->tiles[i].source[0] ? l->tiles[i].source : "-");
    return g_string_free(s, FALSE);
}

static void assert_shows(const char *wall_id, const char *want)
{
    char *got = shows(wall_id);
    ck_assert_msg(strcmp(got, want) == 0, "wall %s shows %s, not %s", wall_id, got, want);
    g_free(got);
}

static void assert_version(const char *wall_id, gint64 want)
{
    ck_assert_int_eq(wall_named(wall_id)->version, want);
}

static json_t *request(const char *text)
{
    json_t *reply = ops_handle_text(srv, NULL, text, strlen(text));
    ck_assert_ptr_nonnull(reply);
    return reply;
}

static void ack(const char *condition)
{
    char *id = alarm_id_of(condition);
    char *text = g_strdup_printf("{\"op\": \"alarm.ack\", \"id\": 1, \"alarm\": \"%s\"}", id);
    json_t *reply = request(text);
    char *dump = tu_dump(reply);
    ck_assert_msg(json_object_get(reply, "ok") != NULL, "ack refused: %s", dump);
    free(dump);
    json_decref(reply);
    g_free(text);
    g_free(id);
}

static void assert_error(const char *text, const char *code, const char *field)
{
    json_t *reply = request(text);
    char *dump = tu_dump(reply);
    const json_t *e = json_object_get(reply, "error");
    ck_assert_msg(e != NULL, "not an error: %s", dump);
    ck_assert_msg(g_strcmp0(json_string_value(json_object_get(e, "code")), code) == 0, "code: %s",
                  dump);
    ck_assert_msg(g_strcmp0(json_string_value(json_object_get(e, "field")), field) == 0,
                  "field: %s", dump);
    free(dump);
    json_decref(reply);
}

/* ---- the list ---- */

START_TEST(raise_repeat_clear)
{
    event("feed", PANTAU_SEVERITY_WARNING, "x.one", true);
    event("feed", PANTAU_SEVERITY_WARNING, "x.one", true);
    json_t *list;
    json_t *a = alarm_of("x.one", &list);
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(json_array_size(list), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(a, "count")), 2);
    ck_assert_str_eq(json_string_value(json_object_get(a, "state")), "active");
    ck_assert_str_eq(json_string_value(json_object_get(a, "severity")), "warning");
    ck_assert_str_eq(json_string_value(json_object_get(a, "source")), "feed");
    ck_assert(json_integer_value(json_object_get(a, "time")) > 0);
    json_decref(list);
    /* A higher severity repeat raises the alarm's severity. */
    event("feed", PANTAU_SEVERITY_CRITICAL, "x.one", true);
    a = alarm_of("x.one", &list);
    ck_assert_str_eq(json_string_value(json_object_get(a, "severity")), "critical");
    json_decref(list);
    event("feed", PANTAU_SEVERITY_INFO, "x.one", false);
    assert_state("x.one", "cleared");
    /* Raised again after clearing: a new alarm. */
    event("feed", PANTAU_SEVERITY_WARNING, "x.one", true);
    a = alarm_of("x.one", &list);
    ck_assert_int_eq(json_array_size(list), 2);
    ck_assert_str_eq(json_string_value(json_object_get(a, "state")), "active");
    ck_assert_int_eq(json_integer_value(json_object_get(a, "count")), 1);
    json_decref(list);
    /* Clearing an unknown condition changes nothing. */
    event("feed", PANTAU_SEVERITY_INFO, "x.never", false);
    assert_state("x.never", NULL);
}
END_TEST

START_TEST(acknowledged_still_clears)
{
    event("feed", PANTAU_SEVERITY_WARNING, "x.two", true);
    ack("x.two");
    json_t *list;
    json_t *a = alarm_of("x.two", &list);
    ck_assert_str_eq(json_string_value(json_object_get(a, "state")), "acknowledged");
    ck_assert_str_eq(json_string_value(json_object_get(a, "acked_by")), "local");
    json_decref(list);
    event("feed", PANTAU_SEVERITY_WARNING, "x.two", true);
    a = alarm_of("x.two", &list);
    ck_assert_int_eq(json_integer_value(json_object_get(a, "count")), 2);
    ck_assert_str_eq(json_string_value(json_object_get(a, "state")), "acknowledged");
    json_decref(list);
    event("feed", PANTAU_SEVERITY_INFO, "x.two", false);
    assert_state("x.two", "cleared");
}
END_TEST

START_TEST(event_without_condition_clears_at_ack)
{
    alarm_source_event(srv->alarms, source("feed"), PANTAU_SEVERITY_WARNING, "once", NULL);
    alarm_source_event(srv->alarms, source("feed"), PANTAU_SEVERITY_WARNING, "once", NULL);
    json_t *list = alarm_snapshot(srv->alarms);
    ck_assert_int_eq(json_array_size(list), 1);
    json_t *a = json_array_get(list, 0);
    ck_assert(json_is_null(json_object_get(a, "condition")));
    ck_assert_int_eq(json_integer_value(json_object_get(a, "count")), 2);
    char *text = g_strdup_printf("{\"op\": \"alarm.ack\", \"id\": 1, \"alarm\": \"%s\"}",
                                 json_string_value(json_object_get(a, "id")));
    json_decref(list);
    json_decref(request(text));
    g_free(text);
    list = alarm_snapshot(srv->alarms);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "state")),
                     "cleared");
    json_decref(list);
}
END_TEST

START_TEST(history_is_bounded)
{
    for (int i = 0; i < ALARM_HISTORY_MAX + 20; i++) {
        char cond[32];
        g_snprintf(cond, sizeof cond, "h.%d", i);
        event("feed", PANTAU_SEVERITY_INFO, cond, true);
        event("feed", PANTAU_SEVERITY_INFO, cond, false);
    }
    event("feed", PANTAU_SEVERITY_INFO, "h.open", true);
    json_t *list = alarm_snapshot(srv->alarms);
    ck_assert_int_eq(json_array_size(list), 1 + ALARM_SNAPSHOT_CLEARED);
    json_decref(list);
    json_t *reply = request("{\"op\": \"alarm.list\", \"id\": 1}");
    json_t *all = json_object_get(json_object_get(reply, "ok"), "alarms");
    ck_assert_int_eq(json_array_size(all), 1 + ALARM_HISTORY_MAX);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(all, 0), "state")), "active");
    char want[32];
    g_snprintf(want, sizeof want, "h.%d", ALARM_HISTORY_MAX + 19);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(all, 1), "condition")), want);
    json_decref(reply);
}
END_TEST

/* ---- rules on walls ---- */

START_TEST(rule_takes_over_and_ack_restores)
{
    assert_shows("main", "feed,-");
    gint64 v = wall_named("main")->version;
    event("cam1", PANTAU_SEVERITY_WARNING, "low.a", true);
    assert_shows("main", "cam1");
    assert_version("main", v + 1);
    json_t *list;
    json_t *a = alarm_of("low.a", &list);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(a, "shown_on"), 0)), "main");
    json_decref(list);
    /* A repeat changes nothing on the wall. */
    event("cam1", PANTAU_SEVERITY_WARNING, "low.a", true);
    assert_version("main", v + 1);
    ack("low.a");
    assert_shows("main", "feed,-");
    assert_version("main", v + 2);
    a = alarm_of("low.a", &list);
    ck_assert_int_eq(json_array_size(json_object_get(a, "shown_on")), 0);
    json_decref(list);
}
END_TEST

START_TEST(operator_change_is_left_alone)
{
    event("cam1", PANTAU_SEVERITY_WARNING, "low.a", true);
    assert_shows("main", "cam1");
    char *text = g_strdup_printf("{\"op\": \"tile.set_source\", \"id\": 1, \"wall\": "
                                 "\"main\", \"version\": %" G_GINT64_FORMAT
                                 ", \"tile\": \"alarm\", \"source\": \"cam2\"}",
                                 (gint64)wall_named("main")->version);
    json_t *reply = request(text);
    ck_assert_ptr_nonnull(json_object_get(reply, "ok"));
    json_decref(reply);
    g_free(text);
    gint64 v = wall_named("main")->version;
    ack("low.a");
    assert_shows("main", "cam2");
    assert_version("main", v);
    /* The next alarm starts from what the operator left. */
    event("cam1", PANTAU_SEVERITY_WARNING, "low.b", true);
    assert_shows("main", "cam1");
    ack("low.b");
    assert_shows("main", "cam2");
}
END_TEST

START_TEST(priorities_then_newest)
{
    gint64 v = wall_named("main")->version;
    event("cam1", PANTAU_SEVERITY_WARNING, "low.a", true);
    event("cam2", PANTAU_SEVERITY_WARNING, "high.a", true);
    assert_shows("main", "cam2");
    /* A lower one waits without touching the wall. */
    event("cam1", PANTAU_SEVERITY_WARNING, "low.b", true);
    assert_shows("main", "cam2");
    assert_version("main", v + 2);
    ack("high.a");
    assert_shows("main", "cam1");
    assert_version("main", v + 3);
    /* Two lows: the newer shows; it is the same camera, so no change. */
    ack("low.b");
    assert_shows("main", "cam1");
    assert_version("main", v + 3);
    event("cam1", PANTAU_SEVERITY_INFO, "low.a", false);
    assert_shows("main", "feed,-");
    assert_version("main", v + 4);
}
END_TEST

START_TEST(same_picture_never_flickers)
{
    gint64 v = wall_named("main")->version;
    event("cam1", PANTAU_SEVERITY_WARNING, "low.a", true);
    event("cam1", PANTAU_SEVERITY_WARNING, "same.a", true);
    assert_version("main", v + 1);
    ack("same.a");
    assert_version("main", v + 1);
    ack("low.a");
    assert_version("main", v + 2);
    assert_shows("main", "feed,-");
}
END_TEST

START_TEST(tile_until_clear)
{
    event("cam2", PANTAU_SEVERITY_WARNING, "tile", true);
    assert_shows("main", "feed,cam2");
    ack("tile");
    assert_shows("main", "feed,cam2");
    event("cam2", PANTAU_SEVERITY_INFO, "tile", false);
    assert_shows("main", "feed,-");
}
END_TEST

START_TEST(timed_rule_expires)
{
    gint64 v = wall_named("main")->version;
    event("cam1", PANTAU_SEVERITY_WARNING, "timed", true);
    assert_shows("main", "cam1");
    tu_loop_for(40);
    assert_shows("main", "cam1");
    tu_loop_for(200);
    assert_shows("main", "feed,-");
    assert_version("main", v + 2);
    assert_state("timed", "active");
}
END_TEST

START_TEST(preset_rule_and_severity)
{
    assert_shows("side", "");
    /* No preset named Night yet: the rule cannot fire (logged). */
    event("cam1", PANTAU_SEVERITY_WARNING, "preset", true);
    assert_shows("side", "");
    event("cam1", PANTAU_SEVERITY_INFO, "preset", false);
    layout *l = g_new0(layout, 1);
    json_t *j = tu_json("{\"columns\": 1, \"rows\": 2, \"tiles\": [{\"id\": \"n1\", \"x\": 0, "
                        "\"y\": 0, \"w\": 1, \"h\": 1, \"source\": \"cam2\"}]}");
    pantau_error err = {0};
    ck_assert_int_eq(layout_from_json(l, j, &err), 0);
    preset *saved;
    ck_assert_int_eq(preset_store_save(srv->presets, "Night", l, false, &saved, &err), 0);
    json_decref(j);
    g_free(l);
    event("cam1", PANTAU_SEVERITY_WARNING, "preset", true);
    assert_shows("side", "cam2");
    ack("preset");
    assert_shows("side", "");
    /* severity_at_least: a warning does not fire, critical does. */
    event("feed", PANTAU_SEVERITY_WARNING, "sev", true);
    assert_shows("side", "");
    event("feed", PANTAU_SEVERITY_CRITICAL, "sev", true);
    assert_shows("side", "feed");
}
END_TEST

/* ---- the core's own alarms ---- */

static void set_status(const char *id, enum pantau_source_status status)
{
    pantau_source *s = source(id);
    enum pantau_source_status old = s->status;
    s->status = status;
    alarm_source_status(srv->alarms, s, old);
}

START_TEST(camera_offline_after_debounce)
{
    set_status("cam1", PANTAU_STATUS_RECONNECTING);
    assert_state("core.camera_offline", NULL);
    tu_loop_for(120);
    assert_state("core.camera_offline", "active");
    set_status("cam1", PANTAU_STATUS_OFFLINE);
    tu_loop_for(120);
    json_t *list = alarm_snapshot(srv->alarms);
    ck_assert_int_eq(json_array_size(list), 1);
    json_decref(list);
    set_status("cam1", PANTAU_STATUS_LIVE);
    assert_state("core.camera_offline", "cleared");
    /* A quick reconnect raises nothing. */
    set_status("cam2", PANTAU_STATUS_RECONNECTING);
    set_status("cam2", PANTAU_STATUS_LIVE);
    tu_loop_for(120);
    list = alarm_snapshot(srv->alarms);
    ck_assert_int_eq(json_array_size(list), 1);
    json_decref(list);
    /* A widget: feed stale. */
    set_status("feed", PANTAU_STATUS_STALE);
    tu_loop_for(120);
    assert_state("core.feed_stale", "active");
    set_status("feed", PANTAU_STATUS_LIVE);
    assert_state("core.feed_stale", "cleared");
    /* An error (a feed that never had data) is "feed stale" too. */
    set_status("feed", PANTAU_STATUS_ERROR);
    tu_loop_for(120);
    assert_state("core.feed_stale", "active");
}
END_TEST

/* ---- operations ---- */

START_TEST(op_errors)
{
    event("cam1", PANTAU_SEVERITY_WARNING, "x.a", true);
    char *id = alarm_id_of("x.a");
    assert_error("{\"op\": \"alarm.ack\", \"id\": 1}", ERR_BAD_REQUEST, "alarm");
    assert_error("{\"op\": \"alarm.ack\", \"id\": 1, \"alarm\": 3}", ERR_BAD_REQUEST, "alarm");
    assert_error("{\"op\": \"alarm.ack\", \"id\": 1, \"alarm\": \"a999\"}", ERR_NOT_FOUND, "alarm");
    char *text = g_strdup_printf("{\"op\": \"alarm.show\", \"id\": 1, \"alarm\": \"%s\"}", id);
    assert_error(text, ERR_BAD_REQUEST, "wall");
    g_free(text);
    text = g_strdup_printf("{\"op\": \"alarm.show\", \"id\": 1, \"alarm\": \"%s\", \"wall\": "
                           "\"nowhere\"}",
                           id);
    assert_error(text, ERR_NOT_FOUND, "wall");
    g_free(text);
    text = g_strdup_printf("{\"op\": \"alarm.show\", \"id\": 1, \"alarm\": \"%s\", \"wall\": "
                           "\"main\", \"tile\": \"t9\"}",
                           id);
    assert_error(text, ERR_NOT_FOUND, "tile");
    g_free(text);
    text = g_strdup_printf("{\"op\": \"alarm.show\", \"id\": 1, \"alarm\": \"%s\", \"wall\": "
                           "\"main\", \"tile\": 2}",
                           id);
    assert_error(text, ERR_BAD_REQUEST, "tile");
    g_free(text);
    event("cam1", PANTAU_SEVERITY_INFO, "x.a", false);
    text = g_strdup_printf("{\"op\": \"alarm.show\", \"id\": 1, \"alarm\": \"%s\", \"wall\": "
                           "\"main\"}",
                           id);
    assert_error(text, ERR_BAD_REQUEST, "alarm");
    g_free(text);
    g_free(id);
    assert_shows("main", "feed,-");
}
END_TEST

START_TEST(operator_show_until_ack)
{
    event("cam2", PANTAU_SEVERITY_WARNING, "x.b", true);
    char *id = alarm_id_of("x.b");
    gint64 v = wall_named("main")->version;
    char *text = g_strdup_printf("{\"op\": \"alarm.show\", \"id\": 1, \"alarm\": \"%s\", \"wall\": "
                                 "\"main\", \"tile\": \"t1\"}",
                                 id);
    json_t *reply = request(text);
    json_t *ok = json_object_get(reply, "ok");
    ck_assert_ptr_nonnull(ok);
    ck_assert_int_eq(json_integer_value(json_object_get(ok, "version")), v + 1);
    json_decref(reply);
    g_free(text);
    assert_shows("main", "cam2,-");
    /* Above every rule: a high alarm waits. */
    event("cam2", PANTAU_SEVERITY_WARNING, "high.z", true);
    assert_shows("main", "cam2,-");
    ack("x.b");
    assert_shows("main", "cam2");
    ack("high.z");
    assert_shows("main", "feed,-");
    g_free(id);
}
END_TEST

/* ---- what alarms emit on the bus ---- */

/* Records BUS_ALARM ("alarm STATE on WALLS") and BUS_WALL_CHANGED ("wall ID"). */
static void record(const bus_event *ev, void *user)
{
    GPtrArray *lines = user;
    if (ev->kind == BUS_WALL_CHANGED) {
        g_ptr_array_add(lines, g_strdup_printf("wall %s", ev->wall_changed.wall->id));
        return;
    }
    const json_t *shown = json_object_get(ev->alarm.alarm, "shown_on");
    GString *line = g_string_new("alarm ");
    g_string_append(line, json_string_value(json_object_get(ev->alarm.alarm, "state")));
    g_string_append(line, " on");
    size_t i;
    const json_t *w;
    json_array_foreach(shown, i, w) g_string_append_printf(line, " %s", json_string_value(w));
    g_ptr_array_add(lines, g_string_free(line, FALSE));
}

static char *joined(GPtrArray *lines)
{
    g_ptr_array_add(lines, NULL);
    char *text = g_strjoinv(" | ", (char **)lines->pdata);
    g_ptr_array_remove_index(lines, lines->len - 1);
    return text;
}

START_TEST(raise_takeover_ack_emit)
{
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    bus_subscribe(srv->bus, BUS_ALARM, record, lines);
    bus_subscribe(srv->bus, BUS_WALL_CHANGED, record, lines);
    /* No rule: the alarm alone. */
    event("feed", PANTAU_SEVERITY_WARNING, "x.plain", true);
    char *text = joined(lines);
    ck_assert_str_eq(text, "alarm active on");
    g_free(text);
    g_ptr_array_set_size(lines, 0);
    /* A rule takes over main: the wall first, then the alarm showing on it. */
    event("cam1", PANTAU_SEVERITY_WARNING, "low.a", true);
    text = joined(lines);
    ck_assert_str_eq(text, "wall main | alarm active on main");
    g_free(text);
    g_ptr_array_set_size(lines, 0);
    /* Acknowledged: the wall goes back, the alarm shows nowhere. */
    ack("low.a");
    text = joined(lines);
    ck_assert_str_eq(text, "wall main | alarm acknowledged on");
    g_free(text);
    g_ptr_array_set_size(lines, 0);
    /* Acknowledging again changes nothing: nothing emitted. */
    ack("low.a");
    ck_assert_uint_eq(lines->len, 0);
    bus_unsubscribe(srv->bus, BUS_ALARM, record, lines);
    bus_unsubscribe(srv->bus, BUS_WALL_CHANGED, record, lines);
    g_ptr_array_free(lines, TRUE);
}
END_TEST

static Suite *alarm_suite(void)
{
    Suite *s = suite_create("alarm");
    TCase *tc = tcase_create("list");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, raise_repeat_clear);
    tcase_add_test(tc, acknowledged_still_clears);
    tcase_add_test(tc, event_without_condition_clears_at_ack);
    tcase_add_test(tc, history_is_bounded);
    suite_add_tcase(s, tc);

    tc = tcase_create("walls");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, rule_takes_over_and_ack_restores);
    tcase_add_test(tc, operator_change_is_left_alone);
    tcase_add_test(tc, priorities_then_newest);
    tcase_add_test(tc, same_picture_never_flickers);
    tcase_add_test(tc, tile_until_clear);
    tcase_add_test(tc, timed_rule_expires);
    tcase_add_test(tc, preset_rule_and_severity);
    suite_add_tcase(s, tc);

    tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, camera_offline_after_debounce);
    suite_add_tcase(s, tc);

    tc = tcase_create("ops");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, op_errors);
    tcase_add_test(tc, operator_show_until_ack);
    suite_add_tcase(s, tc);

    tc = tcase_create("bus");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, raise_takeover_ack_emit);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(alarm_suite(), argc, argv);
}
