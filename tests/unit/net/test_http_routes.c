/* test_http_routes.c - which file a request path maps to, and that no path
 * ever leads outside the served folders (traversal, encodings, symlinks). */
#include "http_routes.h"
#include "plugin_loader.h"
#include "test_util.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *root;
static http_routes routes;
static char *web_dir, *vendor_dir;
static plugin_loader *loader;

static void make_file(const char *rel, const char *text)
{
    char *path = g_build_filename(root, rel, NULL);
    char *parent = g_path_get_dirname(path);
    ck_assert_int_eq(g_mkdir_with_parents(parent, 0700), 0);
    ck_assert(g_file_set_contents(path, text, -1, NULL));
    g_free(parent);
    g_free(path);
}

static void make_link(const char *target, const char *rel)
{
    char *path = g_build_filename(root, rel, NULL);
    ck_assert_int_eq(symlink(target, path), 0);
    g_free(path);
}

/* A plugin loader made by hand with one plugin, "clock", and its web dir. */
static plugin_loader *fake_loader(void)
{
    plugin_loader *l = g_new0(plugin_loader, 1);
    l->plugins = g_ptr_array_new();
    loaded_plugin *p = g_new0(loaded_plugin, 1);
    p->name = g_strdup("clock");
    p->web_dir = g_build_filename(root, "plugins", "clock", "web", NULL);
    g_ptr_array_add(l->plugins, p);
    return l;
}

static void fake_loader_free(plugin_loader *l)
{
    loaded_plugin *p = g_ptr_array_index(l->plugins, 0);
    g_free(p->name);
    g_free(p->web_dir);
    g_free(p);
    g_ptr_array_free(l->plugins, TRUE);
    g_free(l);
}

static void setup(void)
{
    root = tu_temp_dir();
    make_file("web/index.html", "<!doctype html>");
    make_file("web/wall.html", "wall");
    make_file("web/console.html", "console");
    make_file("web/js/app.js", "export {};");
    make_file("web/css/site.css", "body{}");
    make_file("vendor/gridstack/dist/gridstack.js", "gs");
    make_file("vendor/gridstack/package.json", "{}");
    make_file("vendor/other/dist/x.js", "x");
    make_file("plugins/clock/web/clock.js", "clock");
    make_file("plugins/clock/secret.txt", "plugin private");
    make_file("outside/secret.txt", "top secret");
    make_link("../outside/secret.txt", "web/leak.txt");
    make_link("../outside", "web/linkdir");
    make_link("/etc/passwd", "web/passwd");
    make_link("app.js", "web/js/alias.js");
    web_dir = g_build_filename(root, "web", NULL);
    vendor_dir = g_build_filename(root, "vendor", NULL);
    loader = fake_loader();
    routes = (http_routes){.web_dir = web_dir, .vendor_dir = vendor_dir, .plugins = loader};
}

static void teardown(void)
{
    fake_loader_free(loader);
    g_free(web_dir);
    g_free(vendor_dir);
    tu_remove_tree(root);
    g_free(root);
}

/* uri must map to root/rel with the given MIME type. */
static void assert_serves(const char *uri, const char *rel, const char *mime)
{
    const char *got_mime = NULL;
    int status = 0;
    char *file = http_route_file(&routes, uri, &got_mime, &status);
    ck_assert_msg(file != NULL, "%s not served (status %d)", uri, status);
    char *want = g_build_filename(root, rel, NULL);
    char *real_file = realpath(file, NULL), *real_want = realpath(want, NULL);
    ck_assert_msg(real_file && real_want && strcmp(real_file, real_want) == 0,
                  "%s served %s, expected %s", uri, file, want);
    ck_assert_str_eq(got_mime, mime);
    free(real_file);
    free(real_want);
    g_free(want);
    g_free(file);
}

static void assert_refused(const char *uri, int want_status)
{
    const char *mime = NULL;
    int status = 0;
    char *file = http_route_file(&routes, uri, &mime, &status);
    ck_assert_msg(file == NULL, "%s served %s", uri, file);
    ck_assert_msg(status == want_status, "%s: status %d, expected %d", uri, status, want_status);
}

#define HTML "text/html; charset=utf-8"
#define JS "text/javascript; charset=utf-8"

START_TEST(pages_map_to_their_files)
{
    assert_serves("/", "web/index.html", HTML);
    assert_serves("/wall", "web/wall.html", HTML);
    assert_serves("/console", "web/console.html", HTML);
    assert_refused("/wall/", 404);
    assert_refused("/index.html", 404);
    assert_refused("/nothing", 404);
    assert_refused("", 404);
}
END_TEST

START_TEST(static_files)
{
    assert_serves("/static/js/app.js", "web/js/app.js", JS);
    assert_serves("/static/css/site.css", "web/css/site.css", "text/css; charset=utf-8");
    assert_serves("/static/index.html", "web/index.html", HTML);
    assert_serves("/static/js/alias.js", "web/js/app.js", JS); /* a link inside the folder */
    assert_refused("/static/missing.js", 404);
    assert_refused("/static/js", 404);
}
END_TEST

START_TEST(vendor_whitelist)
{
    assert_serves("/vendor/gridstack/gridstack.js", "vendor/gridstack/dist/gridstack.js", JS);
    assert_refused("/vendor/other/x.js", 404);
    assert_refused("/vendor/other/dist/x.js", 404);
    assert_refused("/vendor/gridstack", 404);
    assert_refused("/vendor/gridstackx/gridstack.js", 404);
    assert_refused("/vendor/gridstack/missing.js", 404);
}
END_TEST

START_TEST(plugin_web_folders)
{
    assert_serves("/plugins/clock/clock.js", "plugins/clock/web/clock.js", JS);
    assert_refused("/plugins/clock/secret.txt", 404);
    assert_refused("/plugins/clock", 404);
    assert_refused("/plugins/none/clock.js", 404);
    routes.plugins = NULL;
    assert_refused("/plugins/clock/clock.js", 404);
}
END_TEST

START_TEST(mime_types)
{
    ck_assert_str_eq(http_mime_type("a/b.mjs"), JS);
    ck_assert_str_eq(http_mime_type("x.svg"), "image/svg+xml");
    ck_assert_str_eq(http_mime_type("x.json"), "application/json");
    ck_assert_str_eq(http_mime_type("x.woff2"), "font/woff2");
    ck_assert_str_eq(http_mime_type("x"), "application/octet-stream");
    ck_assert_str_eq(http_mime_type("x.html.bak"), "application/octet-stream");
}
END_TEST

START_TEST(traversal_is_forbidden)
{
    static const char *const forbidden[] = {
        "/static/../outside/secret.txt",
        "/static/js/../../outside/secret.txt",
        "/static/..",
        "/static/%2e%2e/outside/secret.txt",
        "/static/%2E%2E/outside/secret.txt",
        "/static/.%2e/outside/secret.txt",
        "/static/js%2fapp.js",
        "/static//etc/passwd",
        "/static/js//app.js",
        "/static/js\\..\\..\\outside\\secret.txt",
        "/static/./index.html",
        "/static/js/.",
        "/vendor/gridstack/../package.json",
        "/vendor/gridstack//etc/passwd",
        "/plugins/clock/../secret.txt",
        "/plugins/clock/%2e%2e/secret.txt",
        "/..",
        "/wall/../../outside/secret.txt",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(forbidden); i++)
        assert_refused(forbidden[i], 403);
}
END_TEST

START_TEST(links_out_of_the_folder_are_not_served)
{
    assert_refused("/static/leak.txt", 404);
    assert_refused("/static/linkdir/secret.txt", 404);
    assert_refused("/static/passwd", 404);
}
END_TEST

/* Whatever the path, a file served lies inside one of the served folders. */
static bool inside(const char *real, const char *dir)
{
    char *real_dir = realpath(dir, NULL);
    bool ok = real_dir && g_str_has_prefix(real, real_dir) && real[strlen(real_dir)] == '/';
    free(real_dir);
    return ok;
}

static char *random_uri(GRand *r)
{
    static const char *const starts[] = {
        "/static/", "/vendor/gridstack/", "/plugins/clock/", "/", "/wall", "/static", "//"};
    static const char *const parts[] = {
        "..",       ".",          "/",        "%2e",          "%2f",        "\\",
        "js",       "app.js",     "leak.txt", "linkdir",      "secret.txt", "outside",
        "passwd",   "index.html", "alias.js", "gridstack.js", "web",        "dist",
        "clock.js", "",           "%00",      "..%2f",        "etc"};
    GString *uri = g_string_new(starts[g_rand_int_range(r, 0, G_N_ELEMENTS(starts))]);
    int n = g_rand_int_range(r, 0, 6);
    for (int k = 0; k < n; k++) {
        if (k)
            g_string_append_c(uri, '/');
        g_string_append(uri, parts[g_rand_int_range(r, 0, G_N_ELEMENTS(parts))]);
    }
    return g_string_free(uri, FALSE);
}

START_TEST(random_paths_never_leave_the_roots)
{
    GRand *r = g_rand_new_with_seed(7);
    char *plugin_web = g_build_filename(root, "plugins", "clock", "web", NULL);
    int served = 0;
    for (int i = 0; i < 5000; i++) {
        char *uri = random_uri(r);
        const char *mime = NULL;
        int status = 0;
        char *file = http_route_file(&routes, uri, &mime, &status);
        if (file) {
            char *real = realpath(file, NULL);
            ck_assert_msg(real && (inside(real, web_dir) || inside(real, vendor_dir) ||
                                   inside(real, plugin_web)),
                          "%s served %s", uri, file);
            free(real);
            served++;
        } else {
            ck_assert_msg(status == 403 || status == 404, "%s: status %d", uri, status);
        }
        g_free(file);
        g_free(uri);
    }
    ck_assert_int_gt(served, 0);
    g_free(plugin_web);
    g_rand_free(r);
}
END_TEST

static Suite *http_routes_suite(void)
{
    Suite *s = suite_create("http_routes");
    TCase *tc = tcase_create("pages");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, pages_map_to_their_files);
    tcase_add_test(tc, mime_types);
    suite_add_tcase(s, tc);

    tc = tcase_create("static");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, static_files);
    suite_add_tcase(s, tc);

    tc = tcase_create("vendor");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, vendor_whitelist);
    suite_add_tcase(s, tc);

    tc = tcase_create("plugins");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, plugin_web_folders);
    suite_add_tcase(s, tc);

    tc = tcase_create("traversal");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, traversal_is_forbidden);
    tcase_add_test(tc, links_out_of_the_folder_are_not_served);
    tcase_add_test(tc, random_paths_never_leave_the_roots);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(http_routes_suite(), argc, argv);
}
