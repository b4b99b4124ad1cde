/* test_plugin_loader.c - the loader refuses each broken plugin of
 * tests/tools/broken_plugins with -1 and one log line naming the file and
 * the reason, and loads the good one. */
#include "plugin_loader.h"
#include "test_util.h"

#include <glib.h>
#include <string.h>

static const char *const plugin_dir = PANTAU_TEST_PLUGIN_DIR;
/* What the loader is given: no server, no media, a type table of its own. */
static host_deps deps;
static plugin_loader *loader;

static void setup(void)
{
    deps = (host_deps){.types = source_types_new(), .state_dir = "/nonexistent/state"};
    json_t *none = json_array();
    loader = plugin_loader_load(&deps, plugin_dir, none);
    json_decref(none);
    ck_assert_int_eq(loader->plugins->len, 0);
}

static void teardown(void)
{
    plugin_loader_free(loader);
    ck_assert_uint_eq(source_types_count(deps.types), 0);
    source_types_free(deps.types);
}

static const source_type_entry *find_type(const char *id)
{
    return source_types_find(deps.types, id);
}

static int count_lines(const char *text, const char *part)
{
    int n = 0;
    char **lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++)
        n += strstr(*l, part) != NULL;
    g_strfreev(lines);
    return n;
}

/* Loads dir/name, which must return rc; returns the log it wrote. */
static char *load_logged(const char *name, int rc)
{
    char *file = g_build_filename(plugin_dir, name, NULL);
    tu_capture cap;
    tu_capture_begin(&cap);
    int got = plugin_loader_load_file(loader, file);
    char *log = tu_capture_end(&cap);
    ck_assert_msg(got == rc, "%s: returned %d, expected %d; log:\n%s", name, got, rc, log);
    g_free(file);
    return log;
}

/* name must be refused with one log line naming the file and the reason. */
static void assert_refused(const char *name, const char *reason)
{
    guint before = loader->plugins->len;
    char *log = load_logged(name, -1);
    char *line = g_strdup_printf("plugin refused: %s/%s: ", plugin_dir, name);
    ck_assert_msg(count_lines(log, line) == 1, "no refusal line for %s in:\n%s", name, log);
    ck_assert_msg(strstr(log, reason) != NULL, "reason '%s' missing for %s in:\n%s", reason, name,
                  log);
    ck_assert_int_eq(count_lines(log, "plugin refused"), 1);
    ck_assert_int_eq(loader->plugins->len, before);
    g_free(line);
    g_free(log);
}

static void load_ok(const char *name)
{
    g_free(load_logged(name, 0));
}

/* ---- one file at a time ---- */

START_TEST(good_plugin_loads)
{
    char *log = load_logged("good.so", 0);
    char *file = g_build_filename(plugin_dir, "good.so", NULL);
    char *loaded = g_strdup_printf("plugin 'good' 1.2.3 loaded from %s", file);
    ck_assert_msg(strstr(log, loaded) != NULL, "%s", log);
    char *data_dir = g_build_filename(plugin_dir, "good", NULL);
    char *own = g_strdup_printf("[good] host size %zu, data dir %s", sizeof(pantau_host), data_dir);
    ck_assert_msg(strstr(log, own) != NULL, "plugin's own log line missing:\n%s", log);
    loaded_plugin *p = plugin_loader_find(loader, "good");
    ck_assert_ptr_nonnull(p);
    ck_assert_str_eq(p->data_dir, data_dir);
    const source_type_entry *t = find_type("good_type");
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_eq(t->owner, p);
    ck_assert_str_eq(t->plugin, "good");
    ck_assert_str_eq(t->type.kind, "widget");
    ck_assert_uint_eq(t->type.size, sizeof(pantau_source_type));
    g_free(own);
    g_free(data_dir);
    g_free(loaded);
    g_free(file);
    g_free(log);
}
END_TEST

START_TEST(wrong_abi_major)
{
    assert_refused("abi_major.so", "major differs");
}
END_TEST

START_TEST(newer_abi_minor)
{
    assert_refused("abi_minor.so", "newer than this server's");
}
END_TEST

START_TEST(missing_load_callback)
{
    assert_refused("no_load.so", "lacks the required callback load");
}
END_TEST

START_TEST(type_missing_create)
{
    assert_refused("no_create.so",
                   "source type 'no_create_type' lacks the required callback create");
    ck_assert_ptr_null(find_type("no_create_type"));
}
END_TEST

START_TEST(failing_load_forgets_its_types)
{
    assert_refused("load_fails.so", "its load() returned 3");
    ck_assert_ptr_null(find_type("orphan_type"));
    ck_assert_ptr_null(plugin_loader_find(loader, "load_fails"));
}
END_TEST

START_TEST(duplicate_source_type)
{
    load_ok("dup_type_a.so");
    assert_refused("dup_type_b.so", "source type 'dup_type' is already registered");
    const source_type_entry *t = find_type("dup_type");
    ck_assert_ptr_nonnull(t);
    ck_assert_str_eq(t->plugin, "dup_type_a");
    ck_assert_ptr_null(plugin_loader_find(loader, "dup_type_b"));
}
END_TEST

START_TEST(missing_descriptor_symbol)
{
    assert_refused("no_descriptor.so", "does not export " PANTAU_PLUGIN_SYMBOL);
}
END_TEST

START_TEST(undefined_symbol)
{
    assert_refused("undefined_symbol.so", "pantau_test_function_that_does_not_exist");
}
END_TEST

START_TEST(not_a_shared_object)
{
    assert_refused("bad.so", "dlopen failed");
}
END_TEST

START_TEST(missing_file)
{
    assert_refused("does_not_exist.so", "dlopen failed");
}
END_TEST

START_TEST(duplicate_plugin_name)
{
    load_ok("good.so");
    assert_refused("zz_dup_name.so", "a plugin named 'good' is already loaded");
    assert_refused("good.so", "a plugin named 'good' is already loaded");
    ck_assert_ptr_nonnull(find_type("good_type"));
}
END_TEST

/* Live reload (issue 18): a staged new version sits next to the old one
 * until committed, then owns the types; a refused one changes nothing. */
START_TEST(stage_and_commit_a_new_version)
{
    char *error = NULL;
    ck_assert_ptr_null(plugin_loader_stage(loader, "good", &error));
    ck_assert_str_eq(error, "no plugin 'good' is loaded");
    g_free(error);
    load_ok("good.so");
    loaded_plugin *old = plugin_loader_find(loader, "good");
    loaded_plugin *staged = plugin_loader_stage(loader, "good", &error);
    ck_assert_msg(staged != NULL, "%s", error);
    ck_assert_ptr_ne(staged, old);
    ck_assert_ptr_eq(find_type("good_type")->owner, old); /* not yet */
    ck_assert_uint_eq(source_types_count(staged->types), 1);
    plugin_loader_commit(loader, staged);
    ck_assert_ptr_eq(plugin_loader_find(loader, "good"), staged);
    ck_assert_ptr_eq(find_type("good_type")->owner, staged);
    ck_assert_uint_eq(loader->plugins->len, 1);
    ck_assert_uint_eq(source_types_count(deps.types), 1);
    GPtrArray *changed = plugin_loader_changed(loader);
    ck_assert_uint_eq(changed->len, 0);
    g_ptr_array_free(changed, TRUE);
}
END_TEST

/* ---- whole directories ---- */

START_TEST(directory_scan_loads_only_the_good)
{
    tu_capture cap;
    tu_capture_begin(&cap);
    plugin_loader *all = plugin_loader_load(&deps, plugin_dir, NULL);
    char *log = tu_capture_end(&cap);
    ck_assert_int_eq(all->plugins->len, 2);
    ck_assert_ptr_nonnull(plugin_loader_find(all, "good"));
    ck_assert_ptr_nonnull(plugin_loader_find(all, "dup_type_a"));
    ck_assert_str_eq(plugin_loader_find(all, "good")->descriptor->version, "1.2.3");
    ck_assert_uint_eq(source_types_count(deps.types), 2);
    static const char *const refused[] = {
        "abi_major.so", "abi_minor.so",     "bad.so",     "dup_type_b.so",       "load_fails.so",
        "no_create.so", "no_descriptor.so", "no_load.so", "undefined_symbol.so", "zz_dup_name.so"};
    for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
        char *line = g_strdup_printf("plugin refused: %s/%s: ", plugin_dir, refused[i]);
        ck_assert_msg(count_lines(log, line) == 1, "%s not refused once:\n%s", refused[i], log);
        g_free(line);
    }
    ck_assert_int_eq(count_lines(log, "plugin refused"), G_N_ELEMENTS(refused));
    plugin_loader_free(all);
    g_free(log);
}
END_TEST

/* The plugin files in the order their "refused" or "loaded" lines appear. */
static GPtrArray *files_in_log_order(const char *log)
{
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    char *prefix = g_strdup_printf("%s/", plugin_dir);
    char **lines = g_strsplit(log, "\n", -1);
    for (char **l = lines; *l; l++) {
        const char *at = strstr(*l, "plugin refused: ");
        if (!at)
            at = strstr(*l, " loaded from ");
        at = at ? strstr(at, prefix) : NULL;
        if (!at)
            continue;
        at += strlen(prefix);
        size_t n = strcspn(at, ": ");
        g_ptr_array_add(files, g_strndup(at, n));
    }
    g_strfreev(lines);
    g_free(prefix);
    return files;
}

/* Files are tried in name order, so which of two duplicates wins does not
 * depend on the order of directory entries or on memory addresses. */
START_TEST(directory_scan_goes_in_name_order)
{
    tu_capture cap;
    tu_capture_begin(&cap);
    plugin_loader *all = plugin_loader_load(&deps, plugin_dir, NULL);
    char *log = tu_capture_end(&cap);
    GPtrArray *files = files_in_log_order(log);
    ck_assert_msg(files->len == 12, "%u files tried, expected 12:\n%s", files->len, log);
    for (guint i = 1; i < files->len; i++)
        ck_assert_msg(strcmp(files->pdata[i - 1], files->pdata[i]) < 0,
                      "%s was tried before %s:\n%s", (char *)files->pdata[i - 1],
                      (char *)files->pdata[i], log);
    g_ptr_array_free(files, TRUE);
    plugin_loader_free(all);
    g_free(log);
}
END_TEST

START_TEST(named_plugins_only)
{
    json_t *names = tu_json("[\"good\", \"missing\", \"abi_major\"]");
    tu_capture cap;
    tu_capture_begin(&cap);
    plugin_loader *some = plugin_loader_load(&deps, plugin_dir, names);
    char *log = tu_capture_end(&cap);
    ck_assert_int_eq(some->plugins->len, 1);
    ck_assert_ptr_nonnull(plugin_loader_find(some, "good"));
    char *missing = g_strdup_printf("plugin refused: %s/missing.so: no such file", plugin_dir);
    ck_assert_msg(strstr(log, missing) != NULL, "%s", log);
    ck_assert_int_eq(count_lines(log, "plugin refused"), 2);
    plugin_loader_free(some);
    json_decref(names);
    g_free(missing);
    g_free(log);
}
END_TEST

START_TEST(unreadable_directory_loads_nothing)
{
    tu_capture cap;
    tu_capture_begin(&cap);
    plugin_loader *none = plugin_loader_load(&deps, "/nonexistent/plugins", NULL);
    char *log = tu_capture_end(&cap);
    ck_assert_int_eq(none->plugins->len, 0);
    ck_assert_msg(strstr(log, "/nonexistent/plugins") != NULL, "%s", log);
    plugin_loader_free(none);
    g_free(log);
}
END_TEST

static Suite *plugin_loader_suite(void)
{
    Suite *s = suite_create("plugin_loader");
    TCase *tc = tcase_create("load_file");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, good_plugin_loads);
    tcase_add_test(tc, wrong_abi_major);
    tcase_add_test(tc, newer_abi_minor);
    tcase_add_test(tc, missing_load_callback);
    tcase_add_test(tc, type_missing_create);
    tcase_add_test(tc, failing_load_forgets_its_types);
    tcase_add_test(tc, duplicate_source_type);
    tcase_add_test(tc, missing_descriptor_symbol);
    tcase_add_test(tc, undefined_symbol);
    tcase_add_test(tc, not_a_shared_object);
    tcase_add_test(tc, missing_file);
    tcase_add_test(tc, duplicate_plugin_name);
    tcase_add_test(tc, stage_and_commit_a_new_version);
    suite_add_tcase(s, tc);

    tc = tcase_create("load_dir");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, directory_scan_loads_only_the_good);
    tcase_add_test(tc, directory_scan_goes_in_name_order);
    tcase_add_test(tc, named_plugins_only);
    tcase_add_test(tc, unreadable_directory_loads_nothing);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(plugin_loader_suite(), argc, argv);
}
