/* test_config.c - config_load accepts good files and reports each error of a
 * bad one as "FILE:LINE:COL: PATH: message"; json_locate finds positions. */
#include "config.h"
#include "json_locate.h"
#include "test_util.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

/* One valid wall entry, as lines of a config file. */
#define WALL_LINES                                                                                 \
    "    {\"id\": \"main\", \"displays\": {\"columns\": 1, \"rows\": 1, \"width\": 1920, "         \
    "\"height\": 1080},\n"                                                                         \
    "     \"layout\": {\"columns\": 2, \"rows\": 1, \"tiles\": []}}\n"

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

static pantau_config *load_text(const char *text, GPtrArray *errors, char **path)
{
    *path = tu_write_file(dir, "site.json", text);
    return config_load(*path, errors);
}

/* Loads text that must be refused with exactly the given errors (each without
 * the "FILE:" prefix), in order. */
static void assert_errors(const char *text, const char *const *expected, guint n)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    char *path;
    pantau_config *cfg = load_text(text, errors, &path);
    ck_assert_msg(cfg == NULL, "config accepted:\n%s", text);
    GString *all = g_string_new(NULL);
    for (guint i = 0; i < errors->len; i++)
        g_string_append_printf(all, "  %s\n", (char *)errors->pdata[i]);
    ck_assert_msg(errors->len == n, "%u errors, expected %u:\n%s", errors->len, n, all->str);
    for (guint i = 0; i < n; i++) {
        char *want = g_strdup_printf("%s:%s", path, expected[i]);
        ck_assert_msg(strcmp(errors->pdata[i], want) == 0, "error %u is\n  %s\nexpected\n  %s", i,
                      (char *)errors->pdata[i], want);
        g_free(want);
    }
    g_string_free(all, TRUE);
    g_free(path);
    g_ptr_array_free(errors, TRUE);
}

static void assert_error(const char *text, const char *expected)
{
    assert_errors(text, &expected, 1);
}

/* ---- good files ---- */

START_TEST(full_config_loads)
{
    const char *text =
        "{\"server\": {\"listen\": \"0.0.0.0\", \"port\": 0, \"state_dir\": \"st\"},\n"
        " \"auth\": {\"anonymous_role\": \"viewer\"},\n"
        " \"plugins\": {\"dir\": \"/opt/pantau/plugins\", \"load\": [\"clock\"]},\n"
        " \"sources\": [{\"id\": \"cam1\", \"type\": \"clock\", \"name\": \"Cam\", "
        "\"settings\": {\"label\": \"x\"}}],\n"
        " \"walls\": [{\"id\": \"main\", \"name\": \"Main\",\n"
        "   \"displays\": {\"columns\": 2, \"rows\": 1, \"width\": 1920, \"height\": 1080,\n"
        "                \"bezel\": {\"x\": 4, \"y\": 0}},\n"
        "   \"layout\": {\"columns\": 2, \"rows\": 1, \"tiles\": [\n"
        "     {\"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1, \"source\": \"cam1\"}]}}]}\n";
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    char *path;
    pantau_config *cfg = load_text(text, errors, &path);
    ck_assert_msg(cfg != NULL, "refused: %s", errors->len ? (char *)errors->pdata[0] : "?");
    ck_assert_str_eq(cfg->listen, "0.0.0.0");
    ck_assert(cfg->bind.any && !cfg->bind.ipv6 && !cfg->bind.loopback);
    ck_assert_int_eq(cfg->port, 0);
    char *state = g_build_filename(dir, "st", NULL);
    ck_assert_str_eq(cfg->state_dir, state);
    ck_assert_str_eq(cfg->plugin_dir, "/opt/pantau/plugins");
    ck_assert_int_eq(json_array_size(cfg->plugin_names), 1);
    ck_assert_int_eq(json_array_size(cfg->sources), 1);
    ck_assert_int_eq(json_array_size(cfg->walls), 1);
    ck_assert_int_eq(errors->len, 0);
    g_free(state);
    g_free(path);
    config_free(cfg);
    g_ptr_array_free(errors, TRUE);
}
END_TEST

START_TEST(minimal_config_gets_defaults)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    char *path;
    pantau_config *cfg =
        load_text("{\"sources\": [], \"walls\": [\n" WALL_LINES "]}", errors, &path);
    ck_assert_ptr_nonnull(cfg);
    ck_assert_str_eq(cfg->listen, "127.0.0.1");
    ck_assert_int_eq(cfg->port, 8080);
    ck_assert_ptr_null(cfg->state_dir);
    ck_assert_ptr_null(cfg->plugin_dir);
    ck_assert_ptr_null(cfg->plugin_names);
    ck_assert_str_eq(cfg->path, path);
    ck_assert_str_eq(cfg->dir, dir);
    g_free(path);
    config_free(cfg);
    g_ptr_array_free(errors, TRUE);
}
END_TEST

START_TEST(repository_config_loads)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    pantau_config *cfg = config_load(PANTAU_TEST_REPO_CONFIG, errors);
    ck_assert_msg(cfg != NULL, "%s", errors->len ? (char *)errors->pdata[0] : "?");
    ck_assert_int_ge(json_array_size(cfg->walls), 1);
    ck_assert_int_ge(json_array_size(cfg->sources), 1);
    config_free(cfg);
    g_ptr_array_free(errors, TRUE);
}
END_TEST

START_TEST(check_plugins_names_missing_files)
{
    char *pdir = g_build_filename(dir, "plugins", NULL);
    g_mkdir(pdir, 0700);
    g_free(tu_write_file(pdir, "clock.so", "not really"));
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    char *path;
    pantau_config *cfg = load_text("{\"plugins\": {\"load\": [\"clock\",\n"
                                   "                        \"nope\"]},\n"
                                   " \"sources\": [], \"walls\": [\n" WALL_LINES "]}",
                                   errors, &path);
    ck_assert_ptr_nonnull(cfg);
    ck_assert_int_eq(config_check_plugins(cfg, pdir, errors), 1);
    ck_assert_int_eq(errors->len, 1);
    char *want = g_strdup_printf("%s:2:25: plugins.load[1]: no plugin 'nope' in %s", path, pdir);
    ck_assert_str_eq(errors->pdata[0], want);
    g_free(want);
    g_free(path);
    g_free(pdir);
    config_free(cfg);
    g_ptr_array_free(errors, TRUE);
}
END_TEST

/* ---- bad files ---- */

START_TEST(missing_file)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    char *path = g_build_filename(dir, "none.json", NULL);
    ck_assert_ptr_null(config_load(path, errors));
    ck_assert_int_eq(errors->len, 1);
    char *prefix = g_strdup_printf("%s:1:1: (file): ", path);
    ck_assert_msg(g_str_has_prefix(errors->pdata[0], prefix), "%s", (char *)errors->pdata[0]);
    g_free(prefix);
    g_free(path);
    g_ptr_array_free(errors, TRUE);
}
END_TEST

START_TEST(syntax_error_has_jansson_position)
{
    assert_error("{\n  \"sources\": [],\n  \"walls\": [,]\n}\n",
                 "3:13: (syntax): unexpected token near ','");
    assert_error("{\"sources\": [], \"sources\": []}",
                 "1:25: (syntax): duplicate object key near '\"sources\"'");
}
END_TEST

START_TEST(wrong_type_points_at_the_value)
{
    assert_error(
        "{\n  \"server\": {\"port\": \"80\"},\n  \"sources\": [],\n  \"walls\": [\n" WALL_LINES
        "  ]\n}\n",
        "2:22: server.port: must be an integer");
    assert_error("{\"server\": {\"port\": 70000}, \"sources\": [], \"walls\": [\n" WALL_LINES "]}",
                 "1:21: server.port: must be 0 to 65535");
    assert_error("{\"sources\": {}, \"walls\": [\n" WALL_LINES "]}",
                 "1:13: sources: must be an array");
}
END_TEST

START_TEST(client_queue_budget)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    char *path;
    pantau_config *cfg =
        load_text("{\"sources\": [], \"walls\": [\n" WALL_LINES "]}", errors, &path);
    ck_assert_int_eq(cfg->client_queue_budget_mib, CONFIG_CLIENT_QUEUE_BUDGET_MIB);
    config_free(cfg);
    g_free(path);
    cfg = load_text("{\"server\": {\"client_queue_budget_mib\": 4}, \"sources\": [], "
                    "\"walls\": [\n" WALL_LINES "]}",
                    errors, &path);
    ck_assert_int_eq(cfg->client_queue_budget_mib, 4);
    config_free(cfg);
    g_free(path);
    g_ptr_array_free(errors, TRUE);
    assert_error(
        "{\"server\": {\"client_queue_budget_mib\": 0}, \"sources\": [], \"walls\": [\n" WALL_LINES
        "]}",
        "1:40: server.client_queue_budget_mib: must be 1 to 65536");
}
END_TEST

/* Issue 13: how far the operators sit, per wall; the wall page sizes its
 * text by it. */
START_TEST(viewing_distance_is_checked)
{
    const char *head = "{\"sources\": [], \"walls\": [\n"
                       "    {\"id\": \"main\", \"displays\": {\"columns\": 1, \"rows\": 1, "
                       "\"width\": 1920, \"height\": 1080},\n";
    const char *tail = "     \"layout\": {\"columns\": 2, \"rows\": 1, \"tiles\": []}}\n]}";
    char *text = g_strdup_printf("%s     \"viewing_distance_m\": 0.2,\n%s", head, tail);
    assert_error(text, "3:28: walls[0].viewing_distance_m: must be a number of metres from 0.5 "
                       "to 50 (how far the operators sit)");
    g_free(text);
    text = g_strdup_printf("%s     \"viewing_distance_m\": \"4 m\",\n%s", head, tail);
    assert_error(text, "3:28: walls[0].viewing_distance_m: must be a number of metres from 0.5 "
                       "to 50 (how far the operators sit)");
    g_free(text);
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    char *path;
    text = g_strdup_printf("%s     \"viewing_distance_m\": 6.5,\n%s", head, tail);
    pantau_config *cfg = load_text(text, errors, &path);
    ck_assert_msg(cfg != NULL, "6.5 m refused: %s",
                  errors->len ? (char *)errors->pdata[0] : "no error");
    config_free(cfg);
    g_free(path);
    g_free(text);
    g_ptr_array_free(errors, TRUE);
}
END_TEST

START_TEST(overlapping_tiles)
{
    assert_error("{\n"
                 "  \"sources\": [],\n"
                 "  \"walls\": [{\n"
                 "    \"id\": \"main\",\n"
                 "    \"displays\": {\"columns\": 1, \"rows\": 1, \"width\": 1920, \"height\": "
                 "1080},\n"
                 "    \"layout\": {\"columns\": 2, \"rows\": 2, \"tiles\": [\n"
                 "      {\"id\": \"t1\", \"x\": 0, \"y\": 0, \"w\": 2, \"h\": 1},\n"
                 "      {\"id\": \"t2\", \"x\": 1, \"y\": 0, \"w\": 1, \"h\": 2}\n"
                 "    ]}\n"
                 "  }]\n"
                 "}\n",
                 "8:7: walls[0].layout.tiles[1]: tiles 't1' and 't2' overlap");
}
END_TEST

START_TEST(unknown_source_in_a_tile)
{
    assert_error(
        "{\n"
        "  \"sources\": [{\"id\": \"cam\", \"type\": \"clock\"}],\n"
        "  \"walls\": [{\n"
        "    \"id\": \"main\", \"name\": \"Ruang Kendali \xe2\x80\x94 Utama\",\n"
        "    \"displays\": {\"columns\": 1, \"rows\": 1, \"width\": 1920, \"height\": 1080},\n"
        "    \"layout\": {\"columns\": 2, \"rows\": 1, \"tiles\": [\n"
        "      {\"id\": \"t1\", \"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1, \"source\": \"cam\"},\n"
        "      {\"id\": \"t2\", \"x\": 1, \"y\": 0, \"w\": 1, \"h\": 1, \"source\": \"ghost\"}\n"
        "    ]}\n"
        "  }]\n"
        "}\n",
        "8:62: walls[0].layout.tiles[1].source: no source 'ghost' is configured");
}
END_TEST

START_TEST(duplicate_source_id)
{
    assert_error("{\n"
                 "  \"sources\": [\n"
                 "    {\"id\": \"cam\", \"type\": \"clock\"},\n"
                 "    {\"id\": \"cam\", \"type\": \"clock\"}\n"
                 "  ],\n"
                 "  \"walls\": [\n" WALL_LINES "  ]\n"
                 "}\n",
                 "4:12: sources[1].id: source id 'cam' is used twice");
}
END_TEST

START_TEST(duplicate_wall_id)
{
    assert_error("{\"sources\": [], \"walls\": [\n" WALL_LINES ",\n" WALL_LINES "]}",
                 "5:12: walls[1].id: wall id 'main' is used twice");
}
END_TEST

/* A wall's "alarms.display" names one of its displays, as "column,row". */
START_TEST(alarm_display_must_be_on_the_wall)
{
#define ALARM_WALL(alarms)                                                                         \
    "{\"sources\": [], \"walls\": [{\"id\": \"main\", \"displays\": {\"columns\": 3, \"rows\": "   \
    "2, "                                                                                          \
    "\"width\": 1920, \"height\": 1080},\n"                                                        \
    " \"alarms\": " alarms ",\n"                                                                   \
    " \"layout\": {\"columns\": 2, \"rows\": 1, \"tiles\": []}}]}"
    assert_error(
        ALARM_WALL("{\"display\": \"3,0\"}"),
        "2:24: walls[0].alarms.display: display 3,0 is not on this wall of 3 x 2 displays");
    assert_error(ALARM_WALL("{\"display\": \"top\"}"),
                 "2:24: walls[0].alarms.display: 'top' is not a display: write \"column,row\", "
                 "counted from 0 (\"0,0\" is the top-left display)");
    assert_error(ALARM_WALL("{\"screen\": \"1,0\"}"),
                 "2:23: walls[0].alarms.screen: unknown key 'screen'");
    assert_error(ALARM_WALL("\"1,0\""),
                 "2:12: walls[0].alarms: must be an object like {\"display\": \"2,0\"}");
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    char *path;
    pantau_config *cfg = load_text(ALARM_WALL("{\"display\": \" 0, 1\"}"), errors, &path);
    ck_assert_msg(cfg != NULL, "%s", errors->len ? (char *)errors->pdata[0] : "");
    config_free(cfg);
    g_free(path);
    g_ptr_array_free(errors, TRUE);
#undef ALARM_WALL
}
END_TEST

START_TEST(unknown_key)
{
    assert_error("{\n  \"sources\": [],\n  \"walls\": [\n" WALL_LINES "  ],\n  \"wals\": 1\n}\n",
                 "7:11: wals: unknown key 'wals'");
}
END_TEST

START_TEST(missing_walls)
{
    assert_error("{\n  \"sources\": []\n}\n", "1:1: (root): 'walls' is required");
    assert_error("  {\"sources\": [], \"walls\": []}", "1:28: walls: at least one wall is needed");
}
END_TEST

START_TEST(every_error_is_reported)
{
    static const char *const expected[] = {
        "1:21: server.prot: unknown key 'prot'",
        "1:1: (root): 'walls' is required",
    };
    assert_errors("{\"server\": {\"prot\": 1}, \"sources\": []}", expected, 2);
}
END_TEST

START_TEST(columns_count_characters_not_bytes)
{
    assert_error("{\"sources\": [], \"walls\": [{\"id\": \"main\", \"name\": \"Caf\xc3\xa9 "
                 "\xe2\x80\x94 \xf0\x9f\x98\x80\", \"displays\": {\"columns\": 1, \"rows\": 1, "
                 "\"width\": 1920, \"height\": 1080}, \"layout\": {\"columns\": 2, \"rows\": 1, "
                 "\"tiles\": [{\"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1}, {\"x\": 1, \"y\": 0, "
                 "\"w\": 0, \"h\": 1}]}}]}",
                 "1:234: walls[0].layout.tiles[1].w: 'tiles[1].w' must be 1 to 48");
}
END_TEST

/* The path of a tile that is not an object is "...tiles[1]", not "...tiles[1].". */
START_TEST(tile_that_is_not_an_object)
{
    assert_error("{\"sources\": [], \"walls\": [{\"id\": \"main\", \"displays\": {\"columns\": 1, "
                 "\"rows\": 1, \"width\": 1920, \"height\": 1080}, \"layout\": {\"columns\": 2, "
                 "\"rows\": 1, \"tiles\": [{\"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1}, 7]}}]}",
                 "1:192: walls[0].layout.tiles[1]: tiles[1] must be an object");
}
END_TEST

START_TEST(missing_required_member_points_at_its_object)
{
    assert_error("{\"sources\": [{\"type\": \"clock\"}], \"walls\": [\n" WALL_LINES "]}",
                 "1:14: sources[0]: 'id' is required");
}
END_TEST

/* ---- json_locate ---- */

static const char *const locate_text =
    "{\"a\": {\"b\": [10, {\"c\": \"x\"}, [1, 2]]},\n"
    " \"q\\\"k\": \"v\\\"}\", \"s\": \"\xc3\xa9\xc3\xa9\xf0\x9f\x98\x80\", \"t\": 5}";

static void assert_locate(const char *text, const char *path, int rc, int line, int column)
{
    int l = 0, c = 0;
    int r = json_locate(text, strlen(text), path, &l, &c);
    ck_assert_msg(r == rc && l == line && c == column, "%s: got %d at %d:%d, expected %d at %d:%d",
                  path, r, l, c, rc, line, column);
}

START_TEST(locate_nested_paths_and_arrays)
{
    assert_locate(locate_text, "", 0, 1, 1);
    assert_locate(locate_text, "a", 0, 1, 7);
    assert_locate(locate_text, "a.b", 0, 1, 13);
    assert_locate(locate_text, "a.b[0]", 0, 1, 14);
    assert_locate(locate_text, "a.b[1]", 0, 1, 18);
    assert_locate(locate_text, "a.b[1].c", 0, 1, 24);
    assert_locate(locate_text, "a.b[2][1]", 0, 1, 34);
    assert_locate("\n\n   [\n 1,\n\t[true, null]]", "[1][1]", 0, 5, 9);
}
END_TEST

START_TEST(locate_skips_escaped_quotes_and_counts_utf8_characters)
{
    assert_locate(locate_text, "q\"k", 0, 2, 10);
    assert_locate(locate_text, "s", 0, 2, 23);
    assert_locate(locate_text, "t", 0, 2, 35);
    assert_locate("{\"k\": \"a\\\\\", \"t\": 1}", "t", 0, 1, 19);
    assert_locate("{\r\n  \"a\": 1\r\n}", "a", 0, 2, 8);
}
END_TEST

START_TEST(locate_missing_returns_enclosing_position)
{
    assert_locate(locate_text, "zz", 1, 1, 1);
    assert_locate(locate_text, "a.zz", 1, 1, 7);
    assert_locate(locate_text, "a.b[5]", 1, 1, 13);
    assert_locate(locate_text, "a.b[0].c", 1, 1, 14);
    assert_locate(locate_text, "a.b.c", 1, 1, 13);
    assert_locate(locate_text, "a.b[1].c.d", 1, 1, 24);
    assert_locate("{\"x\": {}}", "x.y", 1, 1, 7);
    assert_locate("{\"x\": []}", "x[0]", 1, 1, 7);
}
END_TEST

START_TEST(locate_broken_text)
{
    int l, c;
    const char *broken = "{\"x\": [1, 2";
    ck_assert_int_eq(json_locate(broken, strlen(broken), "y", &l, &c), -1);
}
END_TEST

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("good");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, full_config_loads);
    tcase_add_test(tc, minimal_config_gets_defaults);
    tcase_add_test(tc, repository_config_loads);
    tcase_add_test(tc, check_plugins_names_missing_files);
    suite_add_tcase(s, tc);

    tc = tcase_create("bad");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, missing_file);
    tcase_add_test(tc, syntax_error_has_jansson_position);
    tcase_add_test(tc, wrong_type_points_at_the_value);
    tcase_add_test(tc, client_queue_budget);
    tcase_add_test(tc, viewing_distance_is_checked);
    tcase_add_test(tc, overlapping_tiles);
    tcase_add_test(tc, unknown_source_in_a_tile);
    tcase_add_test(tc, duplicate_source_id);
    tcase_add_test(tc, duplicate_wall_id);
    tcase_add_test(tc, unknown_key);
    tcase_add_test(tc, alarm_display_must_be_on_the_wall);
    tcase_add_test(tc, missing_walls);
    tcase_add_test(tc, every_error_is_reported);
    tcase_add_test(tc, columns_count_characters_not_bytes);
    tcase_add_test(tc, missing_required_member_points_at_its_object);
    tcase_add_test(tc, tile_that_is_not_an_object);
    suite_add_tcase(s, tc);

    tc = tcase_create("json_locate");
    tcase_add_test(tc, locate_nested_paths_and_arrays);
    tcase_add_test(tc, locate_skips_escaped_quotes_and_counts_utf8_characters);
    tcase_add_test(tc, locate_missing_returns_enclosing_position);
    tcase_add_test(tc, locate_broken_text);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(config_suite(), argc, argv);
}
