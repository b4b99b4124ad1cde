/* test_state_store.c - atomic JSON files in the state directory. */
#include "state_store.h"
#include "test_util.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir;

static void setup(void)
{
    dir = tu_temp_dir();
}

static void teardown(void)
{
    tu_remove_tree(dir);
    g_free(dir);
}

static void write_ok(const char *d, const char *name, const char *json)
{
    json_t *v = tu_json(json);
    ck_assert_msg(state_store_write(d, name, v) == 0, "write %s/%s: %s", d, name, strerror(errno));
    json_decref(v);
}

static void assert_file_json(const char *d, const char *name, const char *json)
{
    char *path = g_build_filename(d, name, NULL);
    char *text = tu_read_file(path);
    ck_assert_msg(text != NULL, "%s is missing", path);
    json_t *got = tu_json(text), *want = tu_json(json);
    ck_assert_msg(json_equal(got, want), "%s holds %s", path, text);
    json_decref(got);
    json_decref(want);
    g_free(text);
    g_free(path);
}

/* ---- write ---- */

START_TEST(write_creates_the_file)
{
    write_ok(dir, "x.json", "{\"a\": [1, 2], \"b\": \"\xc3\xa9\"}");
    assert_file_json(dir, "x.json", "{\"a\": [1, 2], \"b\": \"\xc3\xa9\"}");
    char *path = g_build_filename(dir, "x.json", NULL);
    char *text = tu_read_file(path);
    ck_assert(g_str_has_suffix(text, "}\n"));
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    ck_assert_int_eq(tu_count_entries(dir, ".tmp"), 0);
    ck_assert_int_eq(tu_count_entries(dir, ""), 1);
    g_free(text);
    g_free(path);
}
END_TEST

START_TEST(write_replaces_the_old_version)
{
    write_ok(dir, "x.json", "{\"v\": 1}");
    write_ok(dir, "x.json", "{\"v\": 2}");
    assert_file_json(dir, "x.json", "{\"v\": 2}");
    ck_assert_int_eq(tu_count_entries(dir, ""), 1);
}
END_TEST

START_TEST(write_creates_the_subdirectory)
{
    char *sub = g_build_filename(dir, "state", NULL);
    write_ok(sub, "walls/main.json", "{\"version\": 3}");
    char *walls = g_build_filename(sub, "walls", NULL);
    assert_file_json(walls, "main.json", "{\"version\": 3}");
    ck_assert_int_eq(tu_count_entries(walls, ".tmp"), 0);
    g_free(walls);
    g_free(sub);
}
END_TEST

START_TEST(write_fails_when_the_parent_is_a_file)
{
    char *file = tu_write_file(dir, "plain", "not a directory");
    json_t *v = tu_json("{\"a\": 1}");
    errno = 0;
    ck_assert_int_eq(state_store_write(file, "x.json", v), -1);
    ck_assert_int_ne(errno, 0);
    ck_assert_int_eq(state_store_write(dir, "plain/x.json", v), -1);
    char *text = tu_read_file(file);
    ck_assert_str_eq(text, "not a directory");
    json_decref(v);
    g_free(text);
    g_free(file);
}
END_TEST

/* Forces the temporary file to be unwritable (a directory sits at its name):
 * the write fails and the old file stays as it was. */
START_TEST(failed_write_keeps_the_old_file)
{
    write_ok(dir, "x.json", "{\"v\": \"old\"}");
    char *tmp = g_strdup_printf("%s/x.json.tmp.%d", dir, (int)getpid());
    ck_assert_int_eq(g_mkdir(tmp, 0700), 0);
    json_t *v = tu_json("{\"v\": \"new\"}");
    ck_assert_int_eq(state_store_write(dir, "x.json", v), -1);
    assert_file_json(dir, "x.json", "{\"v\": \"old\"}");
    json_decref(v);
    g_rmdir(tmp);
    g_free(tmp);
}
END_TEST

/* The rename fails (a directory is in the way): the temporary file is removed. */
START_TEST(failed_rename_leaves_no_temporary_file)
{
    char *blocker = g_build_filename(dir, "y.json", NULL);
    ck_assert_int_eq(g_mkdir(blocker, 0700), 0);
    g_free(tu_write_file(blocker, "keep", "x"));
    json_t *v = tu_json("{\"v\": 1}");
    ck_assert_int_eq(state_store_write(dir, "y.json", v), -1);
    ck_assert_int_eq(tu_count_entries(dir, ".tmp"), 0);
    ck_assert_int_eq(tu_count_entries(blocker, "keep"), 1);
    json_decref(v);
    g_free(blocker);
}
END_TEST

/* A failed write names the file and the reason in the server log. */
START_TEST(failed_write_is_logged)
{
    char *blocker = g_build_filename(dir, "walls", "main.json", NULL);
    ck_assert_int_eq(g_mkdir_with_parents(blocker, 0700), 0);
    json_t *v = tu_json("{\"v\": 1}");
    tu_capture cap;
    tu_capture_begin(&cap);
    int rc = state_store_write(dir, "walls/main.json", v);
    int saved = errno;
    char *log = tu_capture_end(&cap);
    ck_assert_int_eq(rc, -1);
    ck_assert_int_eq(saved, EISDIR);
    ck_assert_msg(strstr(log, blocker) && strstr(log, strerror(EISDIR)), "log: %s", log);
    json_decref(v);
    g_free(log);
    g_free(blocker);
}
END_TEST

START_TEST(remove_deletes_and_tolerates_a_missing_file)
{
    write_ok(dir, "presets/p1.json", "{\"v\": 1}");
    ck_assert_int_eq(state_store_remove(dir, "presets/p1.json"), 0);
    char *sub = g_build_filename(dir, "presets", NULL);
    ck_assert_int_eq(tu_count_entries(sub, "p1"), 0);
    ck_assert_int_eq(state_store_remove(dir, "presets/p1.json"), 0);
    g_free(sub);
}
END_TEST

START_TEST(init_creates_parents)
{
    char *deep = g_build_filename(dir, "a", "b", "c", NULL);
    ck_assert_int_eq(state_store_init(deep), 0);
    ck_assert(g_file_test(deep, G_FILE_TEST_IS_DIR));
    ck_assert_int_eq(state_store_init(deep), 0);
    g_free(deep);
}
END_TEST

/* ---- read ---- */

START_TEST(read_returns_what_was_written)
{
    write_ok(dir, "walls/w.json", "{\"layout\": {\"columns\": 1}, \"version\": 9}");
    json_t *v = state_store_read(dir, "walls/w.json");
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(json_integer_value(json_object_get(v, "version")), 9);
    json_decref(v);
}
END_TEST

START_TEST(read_missing_file_is_null)
{
    ck_assert_ptr_null(state_store_read(dir, "none.json"));
    ck_assert_ptr_null(state_store_read(dir, "walls/none.json"));
}
END_TEST

/* The only copy of the file as it was: the next write must not replace it. */
START_TEST(read_broken_file_is_null_logged_and_kept_aside)
{
    const char *text = "{\"version\": 3, \"layout\": {";
    g_free(tu_write_file(dir, "broken.json", text));
    tu_capture cap;
    tu_capture_begin(&cap);
    json_t *v = state_store_read(dir, "broken.json");
    char *log = tu_capture_end(&cap);
    ck_assert_ptr_null(v);
    ck_assert_msg(strstr(log, "broken.json.corrupt-") != NULL, "log: %s", log);
    ck_assert_int_eq(tu_count_entries(dir, "broken.json.corrupt-"), 1);
    ck_assert_int_eq(tu_count_entries(dir, ""), 1);
    write_ok(dir, "broken.json", "{\"version\": 4}");
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    while ((name = g_dir_read_name(d))) {
        if (!strstr(name, ".corrupt-"))
            continue;
        char *path = g_build_filename(dir, name, NULL);
        char *kept = tu_read_file(path);
        ck_assert_str_eq(kept, text);
        g_free(kept);
        g_free(path);
    }
    g_dir_close(d);
    g_free(log);
}
END_TEST

START_TEST(set_aside_never_replaces_an_earlier_one)
{
    tu_capture cap;
    tu_capture_begin(&cap);
    for (int i = 0; i < 3; i++) {
        char text[16];
        snprintf(text, sizeof text, "broken %d", i);
        g_free(tu_write_file(dir, "x.json", text));
        ck_assert_int_eq(state_store_set_aside(dir, "x.json", "broken"), 0);
    }
    ck_assert_int_eq(state_store_set_aside(dir, "missing.json", "broken"), -1);
    g_free(tu_capture_end(&cap));
    ck_assert_int_eq(tu_count_entries(dir, "x.json.corrupt-"), 3);
    ck_assert_int_eq(tu_count_entries(dir, ""), 3);
}
END_TEST

/* Only "<name>.json.tmp.<digits>", in the directory and one level below. */
START_TEST(init_removes_only_temporary_files_of_a_crash)
{
    const char *stray[] = {"a.json.tmp.1", "walls/main.json.tmp.4242", "presets/p1.json.tmp.7"};
    const char *others[] = {
        "a.json",        "walls/main.json.tmp.", "walls/main.json.tmp.1x", "walls/.json.tmp.1",
        "walls/x.tmp.1", "a/b/c.json.tmp.1"};
    for (size_t i = 0; i < G_N_ELEMENTS(stray); i++)
        write_ok(dir, stray[i], "{}");
    for (size_t i = 0; i < G_N_ELEMENTS(others); i++) {
        char *path = g_build_filename(dir, others[i], NULL);
        char *parent = g_path_get_dirname(path);
        ck_assert_int_eq(g_mkdir_with_parents(parent, 0700), 0);
        g_free(tu_write_file(parent, strrchr(path, '/') + 1, "{}"));
        g_free(parent);
        g_free(path);
    }
    tu_capture cap;
    tu_capture_begin(&cap);
    ck_assert_int_eq(state_store_init(dir), 0);
    char *log = tu_capture_end(&cap);
    for (size_t i = 0; i < G_N_ELEMENTS(stray); i++) {
        char *path = g_build_filename(dir, stray[i], NULL);
        ck_assert_msg(!tu_exists(path), "%s is left", stray[i]);
        ck_assert_msg(strstr(log, path) != NULL, "log: %s", log);
        g_free(path);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(others); i++) {
        char *path = g_build_filename(dir, others[i], NULL);
        ck_assert_msg(tu_exists(path), "%s is removed", others[i]);
        g_free(path);
    }
    g_free(log);
}
END_TEST

START_TEST(read_ignores_stray_temporary_files)
{
    g_free(tu_write_file(dir, "x.json.tmp.12345", "{\"v\": 1}"));
    ck_assert_ptr_null(state_store_read(dir, "x.json"));
}
END_TEST

static Suite *state_store_suite(void)
{
    Suite *s = suite_create("state_store");
    TCase *tc = tcase_create("write");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, write_creates_the_file);
    tcase_add_test(tc, write_replaces_the_old_version);
    tcase_add_test(tc, write_creates_the_subdirectory);
    tcase_add_test(tc, write_fails_when_the_parent_is_a_file);
    tcase_add_test(tc, failed_write_keeps_the_old_file);
    tcase_add_test(tc, failed_rename_leaves_no_temporary_file);
    tcase_add_test(tc, failed_write_is_logged);
    tcase_add_test(tc, remove_deletes_and_tolerates_a_missing_file);
    tcase_add_test(tc, init_creates_parents);
    tcase_add_test(tc, init_removes_only_temporary_files_of_a_crash);
    suite_add_tcase(s, tc);

    tc = tcase_create("read");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, read_returns_what_was_written);
    tcase_add_test(tc, read_missing_file_is_null);
    tcase_add_test(tc, read_broken_file_is_null_logged_and_kept_aside);
    tcase_add_test(tc, set_aside_never_replaces_an_earlier_one);
    tcase_add_test(tc, read_ignores_stray_temporary_files);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(state_store_suite(), argc, argv);
}
