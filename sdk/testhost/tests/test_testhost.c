/* test_testhost.c - libpantau-testhost refuses what the server's loader
 * refuses, with the reason, and loads the good test plugin (the plugins of
 * tests/tools/broken_plugins; the example plugin's tests drive a plugin
 * through it). */
#include <pantau/testhost.h>

#include <check.h>
#include <pantau/testhost_check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The reason the test host gives for refusing plugin FILE of the test plugins. */
static char *refusal(const char *file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", TEST_PLUGIN_DIR, file);
    char *error = NULL;
    pantau_testhost *th = pantau_testhost_new(path, &error);
    ck_assert_msg(!th, "%s loaded", file);
    ck_assert_ptr_nonnull(error);
    return error;
}

static void assert_refused(const char *file, const char *reason)
{
    char *error = refusal(file);
    ck_assert_msg(strstr(error, reason), "%s: '%s' lacks '%s'", file, error, reason);
    free(error);
}

START_TEST(refuses_with_the_reason)
{
    assert_refused("abi_major.so", "ABI 2.");
    assert_refused("no_descriptor.so", "no plugin descriptor");
    assert_refused("no_load.so", "no load()");
    assert_refused("no_create.so", "lacks create");
    assert_refused("load_fails.so", "refused to load");
    assert_refused("bad.so", "cannot load");
    assert_refused("missing.so", "cannot load");
}
END_TEST

START_TEST(loads_one_at_a_time)
{
    char *error = NULL;
    pantau_testhost *th = pantau_testhost_new(TEST_PLUGIN_DIR "/good.so", &error);
    ck_assert_msg(th, "%s", error);
    ck_assert_str_eq(pantau_testhost_plugin(th)->name, "good");
    ck_assert_ptr_null(pantau_testhost_new(TEST_PLUGIN_DIR "/good.so", &error));
    ck_assert_ptr_nonnull(strstr(error, "one test host at a time"));
    free(error);
    ck_assert_ptr_null(pantau_testhost_create(th, "nope", "n1", NULL, &error));
    ck_assert_ptr_nonnull(strstr(error, "no source type 'nope'"));
    free(error);
    pantau_testhost_advance(th, 1000);
    ck_assert_int_eq(pantau_testhost_now_ms(th), 1000);
    pantau_testhost_free(th);
    pantau_testhost_free(NULL);
}
END_TEST

START_TEST(runs_timers_in_virtual_time)
{
    char *error = NULL;
    pantau_testhost *th = pantau_testhost_new(TIMERS_PLUGIN, &error);
    ck_assert_msg(th, "%s", error);
    pantau_source *s = pantau_testhost_create(th, "t", "t1", NULL, &error);
    ck_assert_msg(s, "%s", error);
    pantau_testhost_start(th, s);
    /* a@200, b@300, and c@350: b made it, and it falls due in the window */
    pantau_testhost_advance(th, 399);
    ck_assert_int_eq(pantau_testhost_publish_count(s), 3);
    /* At 400 a (older) before c; at 600 b before c, and b removes c. */
    pantau_testhost_advance(th, 801);
    char *got = json_dumps(pantau_testhost_data(s), JSON_COMPACT);
    ck_assert_str_eq(got, "[\"a@200\",\"b@300\",\"c@350\",\"a@400\",\"c@400\",\"c@450\","
                          "\"c@500\",\"c@550\",\"b@600\",\"b@900\",\"b@1200\"]");
    free(got);
    ck_assert_int_eq(pantau_testhost_now_ms(th), 1200);
    ck_assert_int_eq(pantau_testhost_timer_count(th), 1); /* b */
    pantau_testhost_free(th);
}
END_TEST

/* The answer to action as text: the result's JSON, or "error: ...". */
static char *answer(pantau_testhost *th, pantau_source *s, const char *action, unsigned wait_ms)
{
    json_t *args = json_pack("{s:i}", "n", 1), *result = NULL;
    char *error = NULL;
    int rc = s ? pantau_testhost_control(th, s, action, args, wait_ms, &result, &error)
               : pantau_testhost_type_control(th, "t", action, args, wait_ms, &result, &error);
    json_decref(args);
    char *text = NULL;
    if (rc == 0) {
        text = result ? json_dumps(result, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("null");
        ck_assert_ptr_null(error);
    } else {
        ck_assert_ptr_null(result);
        ck_assert_int_gt(asprintf(&text, "error: %s", error), 0);
    }
    json_decref(result);
    free(error);
    return text;
}

static void assert_answer(pantau_testhost *th, pantau_source *s, const char *action,
                          unsigned wait_ms, const char *expected)
{
    char *got = answer(th, s, action, wait_ms);
    ck_assert_str_eq(got, expected);
    free(got);
}

START_TEST(control_actions)
{
    char *error = NULL;
    pantau_testhost *th = pantau_testhost_new(TIMERS_PLUGIN, &error);
    ck_assert_msg(th, "%s", error);
    pantau_source *s = pantau_testhost_create(th, "t", "t1", NULL, &error);
    ck_assert_msg(s, "%s", error);
    assert_answer(th, s, "echo", 0, "{\"n\":1}");
    assert_answer(th, s, "fail", 0, "error: it failed");
    assert_answer(th, s, "twice", 0, "error: the plugin answered 2 times");
    assert_answer(th, s, "nope", 0, "error: unknown action 'nope'");
    assert_answer(th, s, "later", 50, "error: no answer within 50 ms");
    assert_answer(th, s, "later", 200, "\"late\"");
    ck_assert_int_eq(pantau_testhost_now_ms(th), 150); /* 50, then until the answer at 100 */
    assert_answer(th, NULL, "ping", 0, "\"pong\"");
    pantau_testhost_free(th); /* the late answer to the first "later" is freed here */
}
END_TEST

int main(int argc, char **argv)
{
    /* The TCases, one ctest entry each (CMakeLists.txt). */
    const pantau_testhost_tcase tcases[] = {
        {"refusals", refuses_with_the_reason},
        {"lifecycle", loads_one_at_a_time},
        {"timers", runs_timers_in_virtual_time},
        {"control", control_actions},
    };
    return pantau_testhost_run_tcases("testhost", tcases, sizeof tcases / sizeof tcases[0], NULL,
                                      NULL, argc, argv);
}
