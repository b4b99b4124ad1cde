/* test_default_paths.c - where pantau looks by default (app/default_paths.c):
 * an executable at P/bin/pantau with P/share/pantau/web beside it is an
 * installation under P; anything else (the build tree) uses the build and
 * source trees. */
#include "default_paths.h"
#include "test_util.h"

#include <glib.h>
#include <glib/gstdio.h>

static char *root;

static void setup(void)
{
    root = g_dir_make_tmp("pantau-paths-XXXXXX", NULL);
    ck_assert_ptr_nonnull(root);
}

static void teardown(void)
{
    tu_remove_tree(root);
    g_free(root);
}

/* Makes root/rel as a directory. */
static void make_dir(const char *rel)
{
    char *dir = g_build_filename(root, rel, NULL);
    ck_assert_int_eq(g_mkdir_with_parents(dir, 0755), 0);
    g_free(dir);
}

static void assert_prefix(const char *exe_rel, const char *want_rel)
{
    char *exe = g_build_filename(root, exe_rel, NULL);
    char *prefix = default_paths_prefix_of(exe);
    if (want_rel) {
        char *want = g_build_filename(root, want_rel, NULL);
        ck_assert_str_eq(prefix, want);
        g_free(want);
    } else {
        ck_assert_msg(prefix == NULL, "%s is no installation, not under %s", exe_rel, prefix);
    }
    g_free(prefix);
    g_free(exe);
}

START_TEST(installed_under_its_prefix)
{
    make_dir("p/bin");
    make_dir("p/" PANTAU_INSTALL_DATADIR "/web");
    assert_prefix("p/" PANTAU_INSTALL_BINDIR "/pantau", "p");
}
END_TEST

START_TEST(not_installed_without_the_pages)
{
    make_dir("p/bin");
    assert_prefix("p/bin/pantau", NULL);
    make_dir("q/core");
    make_dir("q/" PANTAU_INSTALL_DATADIR "/web");
    assert_prefix("q/core/pantau", NULL); /* a build tree: not in bin/ */
    ck_assert_ptr_null(default_paths_prefix_of("bin/pantau"));
    ck_assert_ptr_null(default_paths_prefix_of(NULL));
}
END_TEST

START_TEST(config_under_etc)
{
    char *usr = default_paths_config_of("/usr");
    char *opt = default_paths_config_of("/opt/pantau");
    ck_assert_str_eq(usr, "/etc/pantau/pantau.json");
    ck_assert_str_eq(opt, "/opt/pantau/etc/pantau/pantau.json");
    g_free(usr);
    g_free(opt);
}
END_TEST

START_TEST(build_tree_defaults)
{
    /* This test binary runs from the build tree. */
    ck_assert_str_eq(default_plugin_dir(), PANTAU_BUILD_PLUGIN_DIR);
    ck_assert_str_eq(default_web_dir(), PANTAU_SOURCE_DIR "/web");
    ck_assert_str_eq(default_vendor_dir(), PANTAU_SOURCE_DIR "/node_modules");
    ck_assert_str_eq(default_config(), PANTAU_SOURCE_DIR "/config/pantau.json");
}
END_TEST

static Suite *paths_suite(void)
{
    Suite *s = suite_create("default_paths");
    TCase *tc = tcase_create("paths");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, installed_under_its_prefix);
    tcase_add_test(tc, not_installed_without_the_pages);
    tcase_add_test(tc, config_under_etc);
    tcase_add_test(tc, build_tree_defaults);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(paths_suite(), argc, argv);
}
