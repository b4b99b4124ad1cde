/* test_example.c - the example plugin in libpantau-testhost's fake core:
 * settings, the timer's data, the event, update() and stop(). Run as
 * `test_example TCASE` (ctest runs each TCase on its own). */
#include <pantau/testhost.h>

#include <check.h>
#include <pantau/testhost_check.h>
#include <stdlib.h>
#include <string.h>

static pantau_testhost *th;

static void setup(void)
{
    char *error = NULL;
    th = pantau_testhost_new(EXAMPLE_SO, &error); /* the path comes from CMakeLists.txt */
    ck_assert_msg(th, "%s", error);
}

static void teardown(void)
{
    pantau_testhost_free(th);
}

/* A started source with settings given as JSON text. */
static pantau_source *started(const char *settings_json)
{
    json_t *settings = json_loads(settings_json, 0, NULL);
    char *error = NULL;
    pantau_source *s = pantau_testhost_create(th, "example", "ex-1", settings, &error);
    json_decref(settings);
    ck_assert_msg(s, "%s", error);
    pantau_testhost_start(th, s);
    return s;
}

static json_int_t count_of(const pantau_source *s)
{
    return json_integer_value(json_object_get(pantau_testhost_data(s), "count"));
}

START_TEST(defaults_and_bad_settings)
{
    json_t *merged = pantau_testhost_settings(th, "example", NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(merged, "interval_ms")), 1000);
    json_decref(merged);

    json_t *bad = json_pack("{s:i}", "interval_ms", 5);
    char *error = NULL;
    ck_assert_int_eq(pantau_testhost_check(th, "example", bad, &error), -1);
    ck_assert_ptr_nonnull(strstr(error, "interval_ms: "));
    free(error);
    ck_assert_ptr_null(pantau_testhost_create(th, "example", "ex-bad", bad, &error));
    ck_assert_ptr_nonnull(strstr(error, "interval_ms: "));
    free(error);
    json_decref(bad);
}
END_TEST

START_TEST(publishes_on_its_timer)
{
    pantau_source *s = started("{\"label\": \"Gate 3\", \"interval_ms\": 500}");
    ck_assert_int_eq(pantau_testhost_status(s, NULL), PANTAU_STATUS_LIVE);
    ck_assert_int_eq(count_of(s), 0); /* start() publishes at once */
    pantau_testhost_advance(th, 2400);
    ck_assert_int_eq(count_of(s), 4);
    ck_assert_str_eq(json_string_value(json_object_get(pantau_testhost_data(s), "label")),
                     "Gate 3");
}
END_TEST

START_TEST(raises_an_event_once)
{
    pantau_source *s = started("{\"alert_at\": 3}");
    pantau_testhost_advance(th, 10000);
    const json_t *events = pantau_testhost_events(s);
    ck_assert_int_eq(json_array_size(events), 1);
    const json_t *ev = json_array_get(events, 0);
    ck_assert_str_eq(json_string_value(json_object_get(ev, "severity")), "warning");
    ck_assert_int_eq(json_integer_value(json_object_get(ev, "time_ms")), 3000);
}
END_TEST

START_TEST(update_changes_the_interval_or_keeps_the_old)
{
    pantau_source *s = started("{}");
    json_t *faster = json_pack("{s:i}", "interval_ms", 100);
    char *error = NULL;
    ck_assert_int_eq(pantau_testhost_update(th, s, faster, &error), 0);
    pantau_testhost_advance(th, 1000);
    ck_assert_int_eq(count_of(s), 10);
    json_t *bad = json_pack("{s:s}", "alert_at", "soon");
    ck_assert_int_eq(pantau_testhost_update(th, s, bad, &error), -1);
    ck_assert_ptr_nonnull(strstr(error, "alert_at: "));
    free(error);
    pantau_testhost_advance(th, 1000);
    ck_assert_int_eq(count_of(s), 20); /* still every 100 ms */
    json_decref(faster);
    json_decref(bad);
}
END_TEST

START_TEST(stop_removes_its_timer)
{
    pantau_source *s = started("{}");
    ck_assert_int_eq(pantau_testhost_timer_count(th), 1);
    pantau_testhost_stop(th, s);
    ck_assert_int_eq(pantau_testhost_timer_count(th), 0);
    size_t published = pantau_testhost_publish_count(s);
    pantau_testhost_advance(th, 5000);
    ck_assert_uint_eq(pantau_testhost_publish_count(s), published);
}
END_TEST

int main(int argc, char **argv)
{
    /* The TCases, one ctest entry each (CMakeLists.txt). */
    const pantau_testhost_tcase tcases[] = {
        {"settings", defaults_and_bad_settings},
        {"publish", publishes_on_its_timer},
        {"event", raises_an_event_once},
        {"update", update_changes_the_interval_or_keeps_the_old},
        {"stop", stop_removes_its_timer},
    };
    return pantau_testhost_run_tcases("example", tcases, sizeof tcases / sizeof tcases[0], setup,
                                      teardown, argc, argv);
}
