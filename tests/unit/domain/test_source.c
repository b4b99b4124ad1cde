/* test_source.c - settings_public: secrets never leave the server; a
 * registry makes sources of a type table of its own (no plugin loader, no
 * server) and emits their changes on its bus. */
#include "bus.h"
#include "source.h"
#include "source_edit.h"
#include "state_store.h"
#include "test_util.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

/* settings_public(settings, schema) must equal expected (all JSON text;
 * schema may be NULL). */
static void assert_public(const char *settings, const char *schema, const char *expected)
{
    json_t *s = tu_json(settings), *sc = schema ? tu_json(schema) : NULL;
    json_t *want = tu_json(expected);
    json_t *got = settings_public(s, sc);
    char *got_text = tu_dump(got), *want_text = tu_dump(want);
    ck_assert_msg(json_equal(got, want), "got %s\nexpected %s", got_text, want_text);
    free(got_text);
    free(want_text);
    json_decref(got);
    json_decref(want);
    json_decref(s);
    json_decref(sc);
}

START_TEST(keys_naming_secrets_are_removed)
{
    assert_public("{\"password\": \"x\", \"Password\": \"x\", \"admin_password\": \"x\","
                  " \"passwd\": \"x\", \"token\": \"x\", \"api_token\": \"x\", \"secret\": \"x\","
                  " \"client_secret\": \"x\", \"credentials\": {\"u\": 1}, \"apikey\": \"x\","
                  " \"api_key\": \"x\", \"API_KEY\": \"x\", \"user\": \"admin\", \"port\": 554}",
                  NULL, "{\"user\": \"admin\", \"port\": 554}");
}
END_TEST

START_TEST(schema_secret_fields_are_removed)
{
    assert_public("{\"pin\": \"1234\", \"label\": \"Gate\", \"code\": 7}",
                  "{\"type\": \"object\", \"properties\": {"
                  "\"pin\": {\"type\": \"string\", \"secret\": true},"
                  "\"code\": {\"type\": \"integer\", \"secret\": false},"
                  "\"label\": {\"type\": \"string\"}}}",
                  "{\"label\": \"Gate\", \"code\": 7}");
}
END_TEST

START_TEST(url_passwords_are_removed)
{
    assert_public("{\"url\": \"rtsp://admin:12345@10.0.0.5:554/Streaming/Channels/101\","
                  " \"sub\": \"rtsp://10.0.0.5:554/cam/realmonitor?channel=1&subtype=1\","
                  " \"feed\": \"https://user:pw@example.org/api?x=1\","
                  " \"user_only\": \"rtsp://viewer@cam/1\","
                  " \"email\": \"ops@example.org\"}",
                  NULL,
                  "{\"url\": \"rtsp://admin@10.0.0.5:554/Streaming/Channels/101\","
                  " \"sub\": \"rtsp://10.0.0.5:554/cam/realmonitor?channel=1&subtype=1\","
                  " \"feed\": \"https://user@example.org/api?x=1\","
                  " \"user_only\": \"rtsp://viewer@cam/1\","
                  " \"email\": \"ops@example.org\"}");
}
END_TEST

START_TEST(nested_objects_and_arrays_are_cleaned)
{
    assert_public("{\"cameras\": [{\"name\": \"A\", \"url\": \"rtsp://u:p@a/1\", \"token\": \"t\"},"
                  "               [\"rtsp://u:p@b/1\", 5, null, true]],"
                  " \"auth\": {\"basic\": {\"username\": \"u\", \"password\": \"p\"}},"
                  " \"n\": 1.5}",
                  NULL,
                  "{\"cameras\": [{\"name\": \"A\", \"url\": \"rtsp://u@a/1\"},"
                  "               [\"rtsp://u@b/1\", 5, null, true]],"
                  " \"auth\": {\"basic\": {\"username\": \"u\"}},"
                  " \"n\": 1.5}");
}
END_TEST

/* A password containing an unescaped '@' (common in camera configs) must not
 * leak its tail: nothing of "p@ss" may remain. */
START_TEST(url_password_with_at_sign_is_removed_entirely)
{
    json_t *s = tu_json("{\"url\": \"rtsp://admin:p@ss@10.0.0.5/1\"}");
    json_t *got = settings_public(s, NULL);
    const char *url = json_string_value(json_object_get(got, "url"));
    ck_assert_ptr_nonnull(url);
    ck_assert_msg(strstr(url, "ss@") == NULL && strstr(url, "p@") == NULL, "password left in %s",
                  url);
    ck_assert_msg(g_str_has_suffix(url, "@10.0.0.5/1"), "host lost: %s", url);
    json_decref(got);
    json_decref(s);
}
END_TEST

START_TEST(input_is_not_modified)
{
    json_t *s =
        tu_json("{\"password\": \"x\", \"url\": \"rtsp://u:p@h/\", \"a\": [{\"token\": 1}]}");
    json_t *copy = json_deep_copy(s);
    json_t *got = settings_public(s, NULL);
    ck_assert(json_equal(s, copy));
    json_decref(got);
    json_decref(copy);
    json_decref(s);
}
END_TEST

START_TEST(source_to_json_hides_secrets)
{
    pantau_source src = {0};
    src.id = "cam1";
    src.name = "Simpang Lima";
    src.type_id = "cctv";
    src.status = PANTAU_STATUS_RECONNECTING;
    src.reason = "timeout";
    src.status_since_ms = 1795850000000;
    src.settings = tu_json("{\"url\": \"rtsp://admin:hunter2@cam/1\", \"password\": \"hunter2\"}");
    json_t *j = source_to_json(&src);
    char *text = tu_dump(j);
    ck_assert_msg(strstr(text, "hunter2") == NULL, "%s", text);
    ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "reconnecting");
    ck_assert_str_eq(json_string_value(json_object_get(j, "kind")), "unknown");
    ck_assert_str_eq(json_string_value(json_object_get(j, "reason")), "timeout");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "status_since")), 1795850000000);
    free(text);
    json_decref(j);
    json_decref(src.settings);
}
END_TEST

START_TEST(status_names)
{
    ck_assert_str_eq(source_status_name(PANTAU_STATUS_LIVE), "live");
    ck_assert_str_eq(source_status_name(PANTAU_STATUS_RECONNECTING), "reconnecting");
    ck_assert_str_eq(source_status_name(PANTAU_STATUS_OFFLINE), "offline");
    ck_assert_str_eq(source_status_name(PANTAU_STATUS_ERROR), "error");
    ck_assert_str_eq(source_status_name(PANTAU_STATUS_STALE), "stale");
}
END_TEST

/* Found by fuzz_ws_request: freeing a source handed its embedded history
 * queue to g_queue_free_full(), which frees the queue struct itself, an
 * address inside the source. GLib's slice allocator then gave that memory
 * out again; with G_SLICE=always-malloc (set for this suite) it is a bad
 * free, caught at once. */
START_TEST(registry_free_with_history)
{
    source_registry *reg = source_registry_new(NULL, NULL);
    pantau_source *src = g_new0(pantau_source, 1);
    src->id = g_strdup("feed");
    src->name = g_strdup("Feed");
    src->type_id = g_strdup("fake");
    tu_registry_add(reg, src);
    json_t *data = tu_json("{\"level\": 1}");
    source_record_data(src, data);
    source_record_data(src, data);
    json_decref(data);
    ck_assert_uint_eq(src->history.length, 2);
    source_registry_free(reg);
}
END_TEST

/* ---- a registry with a type table of its own ---- */

static int created, started, stopped, destroyed;
static json_t *created_with; /* the settings create() got, a copy */

static json_t *gauge_defaults(void)
{
    return json_pack("{s:s, s:i}", "unit", "cm", "max", 100);
}

static void *gauge_create(pantau_source *source, const json_t *settings, char **error)
{
    (void)error;
    created++;
    json_decref(created_with);
    created_with = json_deep_copy(settings);
    return source;
}

static void gauge_start(void *instance)
{
    (void)instance;
    started++;
}

static void gauge_stop(void *instance)
{
    (void)instance;
    stopped++;
}

static void gauge_destroy(void *instance)
{
    (void)instance;
    destroyed++;
}

static const pantau_source_type gauge_type = {.size = sizeof(pantau_source_type),
                                              .id = "gauge",
                                              .kind = "widget",
                                              .defaults = gauge_defaults,
                                              .create = gauge_create,
                                              .destroy = gauge_destroy,
                                              .start = gauge_start,
                                              .stop = gauge_stop};

static const char *const sources_config =
    "[{\"id\": \"river\", \"type\": \"gauge\", \"name\": \"River\", \"settings\": {\"max\": 5}},"
    " {\"id\": \"ghost\", \"type\": \"no_such_type\"}]";

/* The fixture: a type table with "gauge" alone, and the config above. */
static source_types *types;
static json_t *config;

static void own_types_setup(void)
{
    created = started = stopped = destroyed = 0;
    types = source_types_new();
    source_type_entry entry = {.type = gauge_type, .plugin = "test"};
    ck_assert_ptr_nonnull(source_types_add(types, &entry));
    ck_assert_ptr_null(source_types_add(types, &entry)); /* an id is registered once */
    config = tu_json(sources_config);
}

static void own_types_teardown(void)
{
    source_types_free(types);
    json_decref(config);
    json_decref(created_with);
    created_with = NULL;
}

/* A registry of the fixture's types (emitting on bus, may be NULL) with the
 * config's sources made; *log gets what that logged (g_free it). */
static source_registry *registry_of_config(event_bus *bus, char **log)
{
    source_registry *reg = source_registry_new(types, bus);
    tu_capture cap;
    tu_capture_begin(&cap);
    source_registry_add_config(reg, config);
    *log = tu_capture_end(&cap);
    return reg;
}

START_TEST(registry_makes_sources_of_own_types)
{
    char *log;
    source_registry *reg = registry_of_config(NULL, &log);

    pantau_source *river = source_registry_find(reg, "river");
    ck_assert_ptr_nonnull(river);
    ck_assert_ptr_eq(river->type, source_types_find(types, "gauge"));
    ck_assert_ptr_eq(river->registry, reg);
    ck_assert_ptr_eq(river->instance, river);
    ck_assert_int_eq(created, 1);
    ck_assert_int_eq(started, 1);
    ck_assert_int_eq(river->status, PANTAU_STATUS_LIVE);
    ck_assert_ptr_null(river->reason);
    json_t *want = tu_json("{\"unit\": \"cm\", \"max\": 5}");
    ck_assert(json_equal(created_with, want));
    ck_assert(json_equal(river->settings, want));
    json_decref(want);
    json_t *j = source_to_json(river);
    ck_assert_str_eq(json_string_value(json_object_get(j, "kind")), "widget");
    ck_assert_str_eq(json_string_value(json_object_get(j, "plugin")), "test");
    ck_assert_str_eq(json_string_value(json_object_get(j, "name")), "River");
    json_decref(j);

    /* An unknown type: kept, with status error and a reason naming it. */
    pantau_source *ghost = source_registry_find(reg, "ghost");
    ck_assert_ptr_nonnull(ghost);
    ck_assert_ptr_null(ghost->type);
    ck_assert_ptr_null(ghost->instance);
    ck_assert_int_eq(ghost->status, PANTAU_STATUS_ERROR);
    ck_assert_str_eq(ghost->reason, "no loaded plugin offers source type 'no_such_type'");
    ck_assert_msg(strstr(log, "source 'ghost' unavailable: no loaded plugin offers source type "
                              "'no_such_type'") != NULL,
                  "%s", log);
    ck_assert_int_eq(created, 1);

    source_registry_free(reg);
    ck_assert_int_eq(stopped, 1);
    ck_assert_int_eq(destroyed, 1);
    g_free(log);
}
END_TEST

static void record_report(const char *json_path, const char *message, void *user)
{
    g_ptr_array_add(user, g_strdup_printf("%s: %s", json_path, message));
}

/* The config checker's view: the same table, the field named. */
START_TEST(check_names_the_unknown_type_field)
{
    GPtrArray *reports = g_ptr_array_new_with_free_func(g_free);
    source_check_settings(types, config, record_report, reports);
    ck_assert_uint_eq(reports->len, 1);
    ck_assert_str_eq(g_ptr_array_index(reports, 0),
                     "sources[1].type: no loaded plugin offers source type 'no_such_type'");
    ck_assert_int_eq(created, 0); /* checking makes nothing */
    /* Without a table every type is unknown. */
    g_ptr_array_set_size(reports, 0);
    source_check_settings(NULL, config, record_report, reports);
    ck_assert_uint_eq(reports->len, 2);
    ck_assert_str_eq(g_ptr_array_index(reports, 0),
                     "sources[0].type: no loaded plugin offers source type 'gauge'");
    g_ptr_array_free(reports, TRUE);
}
END_TEST

/* What the bus heard, one line an event. */
static void record_event(const bus_event *ev, void *user)
{
    char *line = NULL;
    switch (ev->kind) {
    case BUS_SOURCE_DATA:
        line = g_strdup_printf("data %s", ev->source_data.source->id);
        break;
    case BUS_SOURCE_STATUS:
        line = g_strdup_printf("status %s %s->%s (%s)", ev->source_status.source->id,
                               source_status_name(ev->source_status.old),
                               source_status_name(ev->source_status.source->status),
                               ev->source_status.source->reason);
        break;
    case BUS_SOURCE_EVENT:
        line = g_strdup_printf("event %s %d %s", ev->source_event.source->id,
                               (int)ev->source_event.severity, ev->source_event.message);
        break;
    default:
        line = g_strdup("other");
    }
    g_ptr_array_add(user, line);
}

static void assert_heard(GPtrArray *heard, guint i, const char *line)
{
    ck_assert_uint_gt(heard->len, i);
    ck_assert_str_eq(g_ptr_array_index(heard, i), line);
}

START_TEST(changes_go_to_the_registry_bus)
{
    event_bus *bus = bus_new();
    GPtrArray *heard = g_ptr_array_new_with_free_func(g_free);
    bus_subscribe(bus, BUS_SOURCE_DATA, record_event, heard);
    bus_subscribe(bus, BUS_SOURCE_STATUS, record_event, heard);
    bus_subscribe(bus, BUS_SOURCE_EVENT, record_event, heard);
    char *log;
    source_registry *reg = registry_of_config(bus, &log);
    g_free(log);
    pantau_source *river = source_registry_find(reg, "river");

    json_t *data = tu_json("{\"level\": 3}");
    source_publish(river, data);
    json_decref(data);
    ck_assert_int_eq(json_integer_value(json_object_get(river->last_data, "level")), 3);
    ck_assert_uint_eq(river->history.length, 1);

    source_report_status(river, PANTAU_STATUS_OFFLINE, "rtsp://admin:hunter2@cam/1 timed out");
    source_report_status(river, PANTAU_STATUS_OFFLINE, "timed out");
    source_report_status(river, PANTAU_STATUS_OFFLINE, "timed out");
    source_report_status(river, PANTAU_STATUS_LIVE, NULL);
    tu_capture cap;
    tu_capture_begin(&cap);
    source_raise_event(river, (enum pantau_severity)9, "flood\x01 at gate", NULL);
    log = tu_capture_end(&cap);

    assert_heard(heard, 0, "data river");
    /* Told once per change of status or reason (a repeat is not one), the
     * password gone from the reason. */
    assert_heard(heard, 1, "status river live->offline (rtsp://admin@cam/1 timed out)");
    assert_heard(heard, 2, "status river offline->offline (timed out)");
    assert_heard(heard, 3, "status river offline->live ((null))");
    /* Severity capped at critical, the message made printable. */
    ck_assert_uint_eq(heard->len, 5);
    ck_assert_msg(g_str_has_prefix(g_ptr_array_index(heard, 4), "event river 2 flood"), "%s",
                  (char *)g_ptr_array_index(heard, 4));
    ck_assert(strchr(g_ptr_array_index(heard, 4), '\x01') == NULL);
    ck_assert_msg(strstr(log, "event (critical): flood") != NULL, "%s", log);

    source_registry_free(reg);
    bus_free(bus);
    g_ptr_array_free(heard, TRUE);
    g_free(log);
}
END_TEST

static void record_change(const bus_event *ev, void *user)
{
    g_ptr_array_add(user, ev->kind == BUS_SOURCE_ADDED
                              ? g_strdup_printf("added %s", ev->source_added.source->id)
                              : g_strdup_printf("removed %s", ev->source_removed.source_id));
}

/* Sources put and removed while the registry runs (issue 15): the old one
 * stopped and destroyed, the new one made in its place, each told once;
 * a late report for a retired source reaches nobody. */
START_TEST(put_and_remove_while_running)
{
    event_bus *bus = bus_new();
    GPtrArray *heard = g_ptr_array_new_with_free_func(g_free);
    bus_subscribe(bus, BUS_SOURCE_ADDED, record_change, heard);
    bus_subscribe(bus, BUS_SOURCE_REMOVED, record_change, heard);
    bus_subscribe(bus, BUS_SOURCE_STATUS, record_event, heard);
    char *log;
    source_registry *reg = registry_of_config(bus, &log);
    g_free(log);
    pantau_source *old = source_registry_find(reg, "river");

    json_t *entry = tu_json("{\"id\": \"river\", \"type\": \"gauge\", \"settings\": {\"max\": 7}}");
    pantau_source *river = source_registry_put(reg, entry);
    json_decref(entry);
    ck_assert_ptr_ne(river, old);
    ck_assert_int_eq(stopped, 1);
    ck_assert_int_eq(destroyed, 1);
    ck_assert_int_eq(created, 2);
    ck_assert_ptr_eq(g_ptr_array_index(reg->list, 0), river); /* in its place */
    ck_assert_int_eq(json_integer_value(json_object_get(river->settings, "max")), 7);
    ck_assert_ptr_eq(source_registry_find(reg, "river"), river);

    entry = tu_json("{\"id\": \"lake\", \"type\": \"gauge\"}");
    pantau_source *lake = source_registry_put(reg, entry);
    json_decref(entry);
    ck_assert_ptr_eq(g_ptr_array_index(reg->list, reg->list->len - 1), lake);

    ck_assert(source_registry_remove(reg, "river"));
    ck_assert(!source_registry_remove(reg, "river"));
    ck_assert_ptr_null(source_registry_find(reg, "river"));
    ck_assert_int_eq(destroyed, 2);
    source_report_status(old, PANTAU_STATUS_OFFLINE, "late"); /* retired: told to nobody */

    ck_assert_uint_eq(heard->len, 3);
    assert_heard(heard, 0, "added river");
    assert_heard(heard, 1, "added lake");
    assert_heard(heard, 2, "removed river");
    json_t *kept = source_entry_json(lake);
    ck_assert_str_eq(json_string_value(json_object_get(kept, "type")), "gauge");
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(kept, "settings"), "max")),
                     100);
    json_decref(kept);

    source_registry_free(reg);
    ck_assert_int_eq(destroyed, 3); /* lake; ghost never had an instance */
    bus_free(bus);
    g_ptr_array_free(heard, TRUE);
}
END_TEST

/* ABI 1.4: two types served by one set of functions, told apart by their
 * type_data, and a settings change applied through update() in place
 * (the same source, never stopped or destroyed) unless update() refuses. */
static int dial_updates;

static json_t *dial_defaults(void *type_data)
{
    return json_pack("{s:s}", "unit", (const char *)type_data);
}

static void *dial_create(void *type_data, pantau_source *source, const json_t *settings,
                         char **error)
{
    (void)settings, (void)error;
    created++;
    json_decref(created_with);
    created_with = json_pack("{s:s}", "type_data", (const char *)type_data);
    return source;
}

static int dial_update(void *instance, const json_t *settings, char **error)
{
    (void)instance;
    dial_updates++;
    if (json_is_true(json_object_get(settings, "refuse"))) {
        *error = strdup("refused");
        return -1;
    }
    return 0;
}

#define DIAL_TYPE(ID, DATA)                                                                        \
    {                                                                                              \
        .size = sizeof(pantau_source_type), .id = ID, .kind = "widget", .type_data = DATA,         \
        .defaults_for = dial_defaults, .create_for = dial_create, .destroy = gauge_destroy,        \
        .start = gauge_start, .stop = gauge_stop, .update = dial_update                            \
    }

START_TEST(type_data_and_update)
{
    static const pantau_source_type dials[] = {DIAL_TYPE("dial_c", "celsius"),
                                               DIAL_TYPE("dial_f", "fahrenheit")};
    for (size_t i = 0; i < 2; i++) {
        source_type_entry entry = {.type = dials[i], .plugin = "test"};
        ck_assert_ptr_nonnull(source_types_add(types, &entry));
    }
    dial_updates = 0;
    source_registry *reg = source_registry_new(types, NULL);
    json_t *entry = tu_json("{\"id\": \"t\", \"type\": \"dial_f\", \"settings\": {\"a\": 1}}");
    pantau_source *t = source_registry_put(reg, entry);
    json_decref(entry);
    ck_assert_str_eq(json_string_value(json_object_get(created_with, "type_data")), "fahrenheit");
    ck_assert_str_eq(json_string_value(json_object_get(t->settings, "unit")), "fahrenheit");

    entry = tu_json("{\"id\": \"t\", \"type\": \"dial_f\", \"name\": \"T\", "
                    "\"settings\": {\"a\": 2}}");
    ck_assert_ptr_eq(source_registry_put(reg, entry), t); /* changed in place */
    json_decref(entry);
    ck_assert_int_eq(dial_updates, 1);
    ck_assert_int_eq(created, 1);
    ck_assert_int_eq(stopped + destroyed, 0);
    ck_assert_int_eq(json_integer_value(json_object_get(t->settings, "a")), 2);
    ck_assert_str_eq(t->name, "T");

    entry = tu_json("{\"id\": \"t\", \"type\": \"dial_f\", \"settings\": {\"refuse\": true}}");
    tu_capture cap;
    tu_capture_begin(&cap);
    pantau_source *again = source_registry_put(reg, entry);
    g_free(tu_capture_end(&cap));
    json_decref(entry);
    ck_assert_ptr_ne(again, t); /* refused: recreated */
    ck_assert_int_eq(dial_updates, 2);
    ck_assert_int_eq(created, 2);
    ck_assert_int_eq(destroyed, 1);

    entry = tu_json("{\"id\": \"t\", \"type\": \"dial_c\"}");
    pantau_source *other = source_registry_put(reg, entry); /* another type: recreated */
    json_decref(entry);
    ck_assert_ptr_ne(other, again);
    ck_assert_int_eq(dial_updates, 2);
    ck_assert_str_eq(json_string_value(json_object_get(created_with, "type_data")), "celsius");
    source_registry_free(reg);
}
END_TEST

/* What the state directory's sources.json makes of the config's sources. */
START_TEST(state_changes_over_the_config)
{
    char *dir = g_dir_make_tmp("pantau-sources-XXXXXX", NULL);
    json_t *none = source_edit_effective(config, dir);
    ck_assert(json_equal(none, config)); /* no file: the config as it is */
    json_decref(none);
    json_t *doc = tu_json(
        "{\"put\": [{\"id\": \"lake\", \"type\": \"gauge\"},"
        " {\"id\": \"river\", \"type\": \"gauge\", \"name\": \"New\"}, \"river\", {\"id\": \"x\"}],"
        " \"removed\": [\"ghost\", 5]}");
    ck_assert_int_eq(state_store_write(dir, SOURCE_EDIT_FILE, doc), 0);
    json_decref(doc);
    tu_capture cap;
    tu_capture_begin(&cap);
    json_t *got = source_edit_effective(config, dir); /* what is not an entry or id: ignored */
    char *log = tu_capture_end(&cap);
    ck_assert_msg(strstr(log, "3 entries are not sources or ids") != NULL, "%s", log);
    g_free(log);
    char *text = tu_dump(got);
    ck_assert_str_eq(text, "[{\"id\":\"river\",\"name\":\"New\",\"type\":\"gauge\"},"
                           "{\"id\":\"lake\",\"type\":\"gauge\"}]");
    g_free(text);
    json_decref(got);
    ck_assert_int_eq(state_store_remove(dir, SOURCE_EDIT_FILE), 0);
    g_rmdir(dir);
    g_free(dir);
}
END_TEST

static Suite *source_suite(void)
{
    Suite *s = suite_create("source");
    TCase *tc = tcase_create("settings_public");
    tcase_add_test(tc, keys_naming_secrets_are_removed);
    tcase_add_test(tc, schema_secret_fields_are_removed);
    tcase_add_test(tc, url_passwords_are_removed);
    tcase_add_test(tc, nested_objects_and_arrays_are_cleaned);
    tcase_add_test(tc, url_password_with_at_sign_is_removed_entirely);
    tcase_add_test(tc, input_is_not_modified);
    suite_add_tcase(s, tc);

    tc = tcase_create("source_json");
    tcase_add_test(tc, source_to_json_hides_secrets);
    tcase_add_test(tc, status_names);
    suite_add_tcase(s, tc);

    tc = tcase_create("registry");
    tcase_add_test(tc, registry_free_with_history);
    suite_add_tcase(s, tc);

    tc = tcase_create("own_types");
    tcase_add_checked_fixture(tc, own_types_setup, own_types_teardown);
    tcase_add_test(tc, registry_makes_sources_of_own_types);
    tcase_add_test(tc, check_names_the_unknown_type_field);
    tcase_add_test(tc, changes_go_to_the_registry_bus);
    tcase_add_test(tc, put_and_remove_while_running);
    tcase_add_test(tc, type_data_and_update);
    tcase_add_test(tc, state_changes_over_the_config);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(source_suite(), argc, argv);
}
