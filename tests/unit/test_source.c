/* test_source.c - settings_public: secrets never leave the server. */
#include "source.h"
#include "test_util.h"

#include <glib.h>
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
    source_registry *reg = g_new0(source_registry, 1);
    reg->list = g_ptr_array_new();
    reg->by_id = g_hash_table_new(g_str_hash, g_str_equal);
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
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(source_suite(), argc, argv);
}
