/* test_ops.c - every protocol operation through ops_handle_text, on a
 * server made by hand: two walls, a preset store in a temporary directory
 * and a registry with two fake sources. */
#include "ops.h"
#include "source.h"
#include "test_util.h"
#include "walls.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

/* main: 2x2 grid, t1 (cam1) t2 / t3 t4; side: 1x1, one tile. */
static const char *const walls_config =
    "[{\"id\": \"main\", \"name\": \"Main\", \"displays\": {\"columns\": 2, \"rows\": 1, "
    "\"width\": 1920, \"height\": 1080, \"bezel\": {\"x\": 8, \"y\": 0}},"
    " \"layout\": {\"columns\": 2, \"rows\": 2, \"tiles\": ["
    "  {\"id\": \"t1\", \"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1, \"source\": \"cam1\"},"
    "  {\"id\": \"t2\", \"x\": 1, \"y\": 0, \"w\": 1, \"h\": 1},"
    "  {\"id\": \"t3\", \"x\": 0, \"y\": 1, \"w\": 1, \"h\": 1},"
    "  {\"id\": \"t4\", \"x\": 1, \"y\": 1, \"w\": 1, \"h\": 1}]}},"
    " {\"id\": \"side\", \"displays\": {\"columns\": 1, \"rows\": 1, \"width\": 1920, "
    "\"height\": 1080},"
    " \"layout\": {\"columns\": 1, \"rows\": 1, \"tiles\": [{\"id\": \"s1\", \"x\": 0, \"y\": 0, "
    "\"w\": 1, \"h\": 1}]}}]";

static char *dir;
static pantau_server *srv;

static pantau_source *fake_source(const char *id)
{
    pantau_source *s = g_new0(pantau_source, 1);
    s->id = g_strdup(id);
    s->name = g_strdup(id);
    s->type_id = g_strdup("fake");
    s->settings = json_pack("{s:s, s:s}", "url", "rtsp://admin:hunter2@cam/1", "label", id);
    return s;
}

static void setup(void)
{
    dir = tu_temp_dir();
    srv = tu_server_new(dir, walls_config);
    const char *ids[] = {"cam1", "cam2"};
    for (size_t i = 0; i < G_N_ELEMENTS(ids); i++)
        tu_registry_add(srv->sources, fake_source(ids[i]));
}

static void teardown(void)
{
    tu_server_free(srv);
    tu_remove_tree(dir);
    g_free(dir);
}

static wall *main_wall(void)
{
    wall *w = wall_list_find(srv->walls, "main");
    ck_assert_ptr_nonnull(w);
    return w;
}

/* The request text with every "@V" replaced by the main wall's version. */
static char *with_version(const char *tmpl)
{
    char *v = g_strdup_printf("%" G_GINT64_FORMAT, (gint64)main_wall()->version);
    char **parts = g_strsplit(tmpl, "@V", -1);
    char *text = g_strjoinv(v, parts);
    g_strfreev(parts);
    g_free(v);
    return text;
}

/* Sends a request (with @V filled in). Returns the reply. */
static json_t *request(const char *tmpl)
{
    char *text = with_version(tmpl);
    json_t *reply = ops_handle_text(srv, NULL, text, strlen(text));
    ck_assert_ptr_nonnull(reply);
    g_free(text);
    return reply;
}

/* Checks an ok reply to request id re; returns its "ok" (borrowed from reply). */
static json_t *assert_ok(json_t *reply, int re)
{
    char *dump = tu_dump(reply);
    ck_assert_msg(json_is_object(json_object_get(reply, "ok")), "not ok: %s", dump);
    ck_assert_msg(json_integer_value(json_object_get(reply, "re")) == re, "re: %s", dump);
    free(dump);
    return json_object_get(reply, "ok");
}

static void assert_error(const json_t *reply, const char *code, const char *field)
{
    char *dump = tu_dump(reply);
    const json_t *e = json_object_get(reply, "error");
    ck_assert_msg(json_is_object(e), "not an error: %s", dump);
    ck_assert_msg(json_object_get(reply, "ok") == NULL, "ok and error: %s", dump);
    ck_assert_msg(g_strcmp0(json_string_value(json_object_get(e, "code")), code) == 0,
                  "code is not %s: %s", code, dump);
    const char *got = json_string_value(json_object_get(e, "field"));
    ck_assert_msg(g_strcmp0(got ? got : "", field) == 0, "field is not '%s': %s", field, dump);
    ck_assert_msg(json_string_length(json_object_get(e, "message")) > 0, "no message: %s", dump);
    free(dump);
}

/* Sends a wall change that must succeed; checks the reply and the version. */
static void change_ok(const char *tmpl)
{
    gint64 before = main_wall()->version;
    json_t *reply = request(tmpl);
    json_t *ok = assert_ok(reply, 1);
    ck_assert_str_eq(json_string_value(json_object_get(ok, "wall")), "main");
    ck_assert_int_eq(json_integer_value(json_object_get(ok, "version")), before + 1);
    ck_assert_int_eq(main_wall()->version, before + 1);
    json_decref(reply);
}

static const layout_tile *main_tile(const char *id)
{
    const layout *l = &main_wall()->layout;
    int i = layout_find_tile(l, id);
    ck_assert_msg(i >= 0, "no tile %s on main", id);
    return &l->tiles[i];
}

/* ---- protocol ---- */

START_TEST(ping_replies_with_time_and_echoes_id)
{
    json_t *reply = request("{\"op\": \"ping\", \"id\": 41}");
    json_t *ok = assert_ok(reply, 41);
    ck_assert_int_gt(json_integer_value(json_object_get(ok, "time")), 1600000000000LL);
    json_decref(reply);
}
END_TEST

START_TEST(non_numeric_or_missing_id_gives_null_re)
{
    const char *requests[] = {"{\"op\": \"ping\"}", "{\"op\": \"ping\", \"id\": \"x\"}"};
    for (size_t i = 0; i < G_N_ELEMENTS(requests); i++) {
        json_t *reply = request(requests[i]);
        ck_assert(json_is_null(json_object_get(reply, "re")));
        ck_assert(json_is_object(json_object_get(reply, "ok")));
        json_decref(reply);
    }
    json_t *reply = request("{\"op\": \"ping\", \"id\": 2.5}");
    ck_assert(json_real_value(json_object_get(reply, "re")) == 2.5);
    json_decref(reply);
}
END_TEST

START_TEST(snapshot_has_everything_without_secrets)
{
    json_t *reply = request("{\"op\": \"snapshot\", \"id\": 1}");
    json_t *ok = assert_ok(reply, 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(ok, "server"), "name")),
                     "pantau");
    ck_assert_int_eq(json_array_size(json_object_get(ok, "walls")), 2);
    ck_assert_int_eq(json_array_size(json_object_get(ok, "sources")), 2);
    ck_assert(json_is_array(json_object_get(ok, "presets")));
    ck_assert(json_is_object(json_object_get(ok, "data")));
    char *dump = tu_dump(ok);
    ck_assert_msg(strstr(dump, "hunter2") == NULL, "secret in snapshot: %s", dump);
    free(dump);
    json_decref(reply);
}
END_TEST

START_TEST(bad_json)
{
    const char *requests[] = {"{\"op\": \"ping\", \"id\": 1", "[{\"op\": \"ping\"}]",
                              "{\"op\": \"ping\", \"op\": \"ping\"}", "", "\"ping\""};
    for (size_t i = 0; i < G_N_ELEMENTS(requests); i++) {
        json_t *reply = request(requests[i]);
        assert_error(reply, ERR_BAD_JSON, "");
        ck_assert(json_is_null(json_object_get(reply, "re")));
        json_decref(reply);
    }
}
END_TEST

START_TEST(unknown_and_missing_op)
{
    json_t *reply = request("{\"op\": \"wall.explode\", \"id\": 3}");
    assert_error(reply, ERR_UNKNOWN_OP, "op");
    ck_assert_int_eq(json_integer_value(json_object_get(reply, "re")), 3);
    json_decref(reply);
    reply = request("{\"id\": 3}");
    assert_error(reply, ERR_BAD_REQUEST, "op");
    json_decref(reply);
    reply = request("{\"op\": 7, \"id\": 3}");
    assert_error(reply, ERR_BAD_REQUEST, "op");
    json_decref(reply);
}
END_TEST

START_TEST(conflict_reports_current_version)
{
    change_ok("{\"op\": \"wall.clear\", \"id\": 1, \"wall\": \"main\", \"version\": @V}");
    json_t *reply =
        request("{\"op\": \"wall.clear\", \"id\": 2, \"wall\": \"main\", \"version\": 1}");
    assert_error(reply, ERR_CONFLICT, "version");
    const json_t *e = json_object_get(reply, "error");
    ck_assert_int_eq(json_integer_value(json_object_get(e, "current")), 2);
    ck_assert_str_eq(json_string_value(json_object_get(e, "message")),
                     "wall 'main' is at version 2, the request was based on 1");
    json_decref(reply);
}
END_TEST

/* ---- wall operations ---- */

START_TEST(layout_apply)
{
    change_ok("{\"op\": \"layout.apply\", \"id\": 1, \"wall\": \"main\", \"version\": @V,"
              " \"layout\": {\"columns\": 3, \"rows\": 1, \"tiles\": ["
              "  {\"x\": 0, \"y\": 0, \"w\": 2, \"h\": 1, \"source\": \"cam2\"},"
              "  {\"id\": \"t1\", \"x\": 2, \"y\": 0, \"w\": 1, \"h\": 1, \"source\": null}]}}");
    const layout *l = &main_wall()->layout;
    ck_assert_int_eq(l->columns, 3);
    ck_assert_int_eq(l->n_tiles, 2);
    ck_assert_str_eq(l->tiles[0].id, "t2");
    ck_assert_str_eq(l->tiles[0].source, "cam2");
    ck_assert_str_eq(main_tile("t1")->source, "");
}
END_TEST

START_TEST(set_source_sets_and_clears)
{
    change_ok("{\"op\": \"tile.set_source\", \"id\": 1, \"wall\": \"main\", \"version\": @V,"
              " \"tile\": \"t4\", \"source\": \"cam2\"}");
    ck_assert_str_eq(main_tile("t4")->source, "cam2");
    change_ok("{\"op\": \"tile.set_source\", \"id\": 1, \"wall\": \"main\", \"version\": @V,"
              " \"tile\": \"t1\", \"source\": null}");
    ck_assert_str_eq(main_tile("t1")->source, "");
}
END_TEST

START_TEST(split_merge_resize_swap_clear_in_sequence)
{
    change_ok("{\"op\": \"tile.split\", \"id\": 1, \"wall\": \"main\", \"version\": @V,"
              " \"tile\": \"t4\", \"columns\": 2, \"rows\": 1}");
    ck_assert_int_eq(main_wall()->layout.columns, 4);
    ck_assert_int_eq(main_wall()->layout.n_tiles, 5);
    change_ok("{\"op\": \"tile.merge\", \"id\": 1, \"wall\": \"main\", \"version\": @V,"
              " \"tiles\": [\"t2\", \"t1\"]}");
    ck_assert_int_eq(main_tile("t2")->w, 4);
    ck_assert_str_eq(main_tile("t2")->source, "");
    change_ok("{\"op\": \"tile.resize\", \"id\": 1, \"wall\": \"main\", \"version\": @V,"
              " \"tile\": \"t2\", \"x\": 1, \"y\": 0, \"w\": 3, \"h\": 1}");
    ck_assert_int_eq(main_tile("t2")->x, 1);
    change_ok("{\"op\": \"tile.set_source\", \"id\": 1, \"wall\": \"main\", \"version\": @V,"
              " \"tile\": \"t3\", \"source\": \"cam1\"}");
    change_ok("{\"op\": \"tile.swap\", \"id\": 1, \"wall\": \"main\", \"version\": @V,"
              " \"a\": \"t3\", \"b\": \"t2\"}");
    ck_assert_str_eq(main_tile("t2")->source, "cam1");
    ck_assert_str_eq(main_tile("t3")->source, "");
    change_ok("{\"op\": \"wall.clear\", \"id\": 1, \"wall\": \"main\", \"version\": @V}");
    ck_assert_str_eq(main_tile("t2")->source, "");
    ck_assert_int_eq(main_wall()->version, 7);
    ck_assert_int_eq(wall_list_find(srv->walls, "side")->version, 1);
}
END_TEST

START_TEST(changes_are_persisted)
{
    change_ok("{\"op\": \"tile.set_source\", \"id\": 1, \"wall\": \"main\", \"version\": @V,"
              " \"tile\": \"t2\", \"source\": \"cam2\"}");
    wall *copy = g_new0(wall, 1);
    copy->id = g_strdup("main");
    wall_restore(copy, dir);
    ck_assert_int_eq(copy->version, 2);
    ck_assert_str_eq(copy->layout.tiles[1].source, "cam2");
    wall_free(copy);
}
END_TEST

START_TEST(restore_ignores_a_broken_state_file)
{
    char *walls = g_build_filename(dir, "walls", NULL);
    g_mkdir(walls, 0700);
    g_free(tu_write_file(walls, "main.json", "{\"version\": 5, \"layout\": {\"columns\": 0}}"));
    json_t *before = wall_to_json(main_wall());
    tu_capture cap;
    tu_capture_begin(&cap);
    wall_restore(main_wall(), dir);
    char *log = tu_capture_end(&cap);
    ck_assert_msg(strstr(log, "main.json") != NULL, "%s", log);
    json_t *after = wall_to_json(main_wall());
    ck_assert(json_equal(before, after));
    json_decref(before);
    json_decref(after);
    g_free(log);
    g_free(walls);
}
END_TEST

/* The walls saw the change while it was being written, so a failed write
 * is taken back as one more change: the layout is what it was, the version
 * has moved on by two (clients never step back). */
START_TEST(failed_persist_is_internal_and_changes_nothing)
{
    /* The wall service writes below a plain file: every write fails. */
    char *file = tu_write_file(dir, "plain", "x");
    char *state = g_build_filename(file, "state", NULL);
    wall_service_free(srv->wall_service);
    srv->wall_service = wall_service_new(srv->walls, srv->presets, srv->bus, srv->persist, NULL,
                                         state, LAYOUT_MAX_TILES);
    g_free(state);
    json_t *before = wall_to_json(main_wall());
    json_t *reply =
        request("{\"op\": \"wall.clear\", \"id\": 1, \"wall\": \"main\", \"version\": @V}");
    assert_error(reply, ERR_INTERNAL, "");
    json_t *after = wall_to_json(main_wall());
    ck_assert(json_equal(json_object_get(before, "layout"), json_object_get(after, "layout")));
    ck_assert_int_eq(json_integer_value(json_object_get(after, "version")),
                     json_integer_value(json_object_get(before, "version")) + 2);
    json_decref(reply);
    json_decref(before);
    json_decref(after);
    g_free(file);
}
END_TEST

/* ---- presets ---- */

static json_t *preset_of(json_t *reply)
{
    return json_object_get(assert_ok(reply, 1), "preset");
}

START_TEST(preset_save_recall_rename_delete)
{
    json_t *reply =
        request("{\"op\": \"preset.save\", \"id\": 1, \"wall\": \"main\", \"name\": \"Pagi\"}");
    json_t *p = preset_of(reply);
    ck_assert_str_eq(json_string_value(json_object_get(p, "id")), "p1");
    ck_assert_int_eq(json_array_size(json_object_get(json_object_get(p, "layout"), "tiles")), 4);
    json_decref(reply);
    ck_assert_int_eq(main_wall()->version, 1); /* saving does not change the wall */

    change_ok("{\"op\": \"wall.clear\", \"id\": 1, \"wall\": \"main\", \"version\": @V}");
    change_ok("{\"op\": \"preset.recall\", \"id\": 1, \"wall\": \"main\", \"version\": @V,"
              " \"preset\": \"p1\"}");
    ck_assert_str_eq(main_tile("t1")->source, "cam1");

    reply =
        request("{\"op\": \"preset.rename\", \"id\": 1, \"preset\": \"p1\", \"name\": \"Siang\"}");
    ck_assert_str_eq(json_string_value(json_object_get(preset_of(reply), "name")), "Siang");
    json_decref(reply);

    reply = request("{\"op\": \"preset.delete\", \"id\": 1, \"preset\": \"p1\"}");
    ck_assert_str_eq(json_string_value(json_object_get(assert_ok(reply, 1), "preset")), "p1");
    json_decref(reply);
    ck_assert_int_eq(srv->presets->presets->len, 0);
}
END_TEST

START_TEST(preset_save_exists_and_overwrite)
{
    json_decref(
        request("{\"op\": \"preset.save\", \"id\": 1, \"wall\": \"main\", \"name\": \"A\"}"));
    json_decref(
        request("{\"op\": \"preset.save\", \"id\": 1, \"wall\": \"side\", \"name\": \"B\"}"));
    json_t *reply =
        request("{\"op\": \"preset.save\", \"id\": 1, \"wall\": \"side\", \"name\": \"A\"}");
    assert_error(reply, ERR_EXISTS, "name");
    json_decref(reply);
    reply = request("{\"op\": \"preset.save\", \"id\": 1, \"wall\": \"side\", \"name\": \"A\","
                    " \"overwrite\": true}");
    json_t *p = preset_of(reply);
    ck_assert_str_eq(json_string_value(json_object_get(p, "id")), "p1");
    ck_assert_int_eq(json_array_size(json_object_get(json_object_get(p, "layout"), "tiles")), 1);
    json_decref(reply);
    reply = request("{\"op\": \"preset.rename\", \"id\": 1, \"preset\": \"p2\", \"name\": \"A\"}");
    assert_error(reply, ERR_EXISTS, "name");
    json_decref(reply);
}
END_TEST

/* ---- refusals change nothing ---- */

typedef struct refusal {
    const char *request;
    const char *code;
    const char *field;
} refusal;

#define MAIN_OP(op) "{\"op\": \"" op "\", \"id\": 9, \"wall\": \"main\", \"version\": @V, "

static const refusal refusals[] = {
    {"{\"op\": \"tile.swap\", \"id\": 9", ERR_BAD_JSON, ""},
    {"[1, 2]", ERR_BAD_JSON, ""},
    {"{\"op\": \"tile.explode\", \"id\": 9}", ERR_UNKNOWN_OP, "op"},
    {"{\"op\": \"tile.swap\", \"id\": 9, \"version\": @V, \"a\": \"t1\", \"b\": \"t2\"}",
     ERR_BAD_REQUEST, "wall"},
    {"{\"op\": \"tile.swap\", \"id\": 9, \"wall\": 1, \"version\": @V}", ERR_BAD_REQUEST, "wall"},
    {"{\"op\": \"tile.swap\", \"id\": 9, \"wall\": \"nope\", \"version\": @V, \"a\": \"t1\","
     " \"b\": \"t2\"}",
     ERR_NOT_FOUND, "wall"},
    {"{\"op\": \"tile.swap\", \"id\": 9, \"wall\": \"main\", \"a\": \"t1\", \"b\": \"t2\"}",
     ERR_BAD_REQUEST, "version"},
    {"{\"op\": \"tile.swap\", \"id\": 9, \"wall\": \"main\", \"version\": \"1\", \"a\": \"t1\","
     " \"b\": \"t2\"}",
     ERR_BAD_REQUEST, "version"},
    {"{\"op\": \"tile.swap\", \"id\": 9, \"wall\": \"main\", \"version\": 0, \"a\": \"t1\","
     " \"b\": \"t2\"}",
     ERR_CONFLICT, "version"},
    {MAIN_OP("tile.swap") "\"a\": \"t1\", \"b\": \"zz\"}", ERR_NOT_FOUND, "b"},
    {MAIN_OP("tile.swap") "\"a\": \"t1\"}", ERR_BAD_REQUEST, "b"},
    {MAIN_OP("tile.swap") "\"a\": 5, \"b\": \"t2\"}", ERR_BAD_REQUEST, "a"},
    {MAIN_OP("tile.set_source") "\"tile\": \"t2\", \"source\": \"ghost\"}", ERR_NOT_FOUND,
     "source"},
    {MAIN_OP("tile.set_source") "\"tile\": \"t2\", \"source\": 5}", ERR_BAD_REQUEST, "source"},
    {MAIN_OP("tile.set_source") "\"tile\": \"t2\"}", ERR_BAD_REQUEST, "source"},
    {MAIN_OP("tile.set_source") "\"tile\": \"zz\", \"source\": \"cam2\"}", ERR_NOT_FOUND, "tile"},
    {MAIN_OP("tile.set_source") "\"source\": \"cam2\"}", ERR_BAD_REQUEST, "tile"},
    {MAIN_OP("tile.split") "\"tile\": \"t1\", \"columns\": \"2\", \"rows\": 1}", ERR_BAD_REQUEST,
     "columns"},
    {MAIN_OP("tile.split") "\"tile\": \"t1\", \"columns\": 5000, \"rows\": 1}", ERR_BAD_REQUEST,
     "columns"},
    {MAIN_OP("tile.split") "\"tile\": \"t1\", \"columns\": 2, \"rows\": 49}", ERR_BAD_REQUEST,
     "rows"},
    {MAIN_OP("tile.split") "\"tile\": \"t1\", \"columns\": 48, \"rows\": 1}", ERR_INVALID_LAYOUT,
     "tile"},
    {MAIN_OP("tile.split") "\"tile\": \"zz\", \"columns\": 2, \"rows\": 1}", ERR_NOT_FOUND, "tile"},
    {MAIN_OP("tile.merge") "\"tiles\": \"t1\"}", ERR_BAD_REQUEST, "tiles"},
    {MAIN_OP("tile.merge") "\"tiles\": [\"t1\", 3]}", ERR_BAD_REQUEST, "tiles[1]"},
    {MAIN_OP("tile.merge") "\"tiles\": [\"t1\", \"zz\"]}", ERR_NOT_FOUND, "tiles[1]"},
    {MAIN_OP("tile.merge") "\"tiles\": [\"t1\", \"t1\"]}", ERR_BAD_REQUEST, "tiles[1]"},
    {MAIN_OP("tile.merge") "\"tiles\": [\"t1\"]}", ERR_BAD_REQUEST, "tiles"},
    {MAIN_OP("tile.merge") "\"tiles\": [\"t1\", \"t4\"]}", ERR_INVALID_LAYOUT, "tiles"},
    {MAIN_OP("tile.resize") "\"tile\": \"t1\", \"x\": 0, \"y\": 0, \"w\": 2, \"h\": 1}",
     ERR_INVALID_LAYOUT, "tile"},
    {MAIN_OP("tile.resize") "\"tile\": \"t1\", \"x\": 0, \"y\": 0, \"w\": 0, \"h\": 1}",
     ERR_INVALID_LAYOUT, "w"},
    {MAIN_OP("tile.resize") "\"tile\": \"t1\", \"x\": 0, \"y\": 0, \"w\": 1}", ERR_BAD_REQUEST,
     "h"},
    {MAIN_OP("tile.resize") "\"tile\": \"t1\", \"x\": -5000, \"y\": 0, \"w\": 1, \"h\": 1}",
     ERR_BAD_REQUEST, "x"},
    {MAIN_OP("tile.resize") "\"tile\": \"t1\", \"x\": 2, \"y\": 0, \"w\": 1, \"h\": 1}",
     ERR_INVALID_LAYOUT, "tile"},
    {MAIN_OP("layout.apply") "\"layuot\": {}}", ERR_BAD_REQUEST, "layout"},
    {MAIN_OP("layout.apply") "\"layout\": []}", ERR_BAD_REQUEST, "layout"},
    {MAIN_OP("layout.apply") "\"layout\": {\"columns\": 2, \"rows\": 1, \"tiles\": ["
                             "{\"x\": 0, \"y\": 0, \"w\": \"2\", \"h\": 1}]}}",
     ERR_BAD_REQUEST, "layout.tiles[0].w"},
    {MAIN_OP("layout.apply") "\"layout\": {\"columns\": 2, \"rows\": 1, \"tiles\": ["
                             "{\"x\": 0, \"y\": 0, \"w\": 2, \"h\": 1},"
                             "{\"x\": 1, \"y\": 0, \"w\": 1, \"h\": 1}]}}",
     ERR_INVALID_LAYOUT, "layout.tiles[1]"},
    {MAIN_OP("layout.apply") "\"layout\": {\"columns\": 2, \"rows\": 1, \"tiles\": ["
                             "{\"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1, \"source\": \"ghost\"}]}}",
     ERR_NOT_FOUND, "layout.tiles[0].source"},
    {MAIN_OP("layout.apply") "\"layout\": {\"columns\": 60, \"rows\": 1, \"tiles\": []}}",
     ERR_INVALID_LAYOUT, "layout.columns"},
    {MAIN_OP("preset.recall") "\"preset\": \"p9\"}", ERR_NOT_FOUND, "preset"},
    {MAIN_OP("preset.recall") "\"preset\": 1}", ERR_BAD_REQUEST, "preset"},
    {"{\"op\": \"wall.clear\", \"id\": 9, \"wall\": \"main\", \"version\": 2}", ERR_CONFLICT,
     "version"},
    {"{\"op\": \"preset.save\", \"id\": 9, \"wall\": \"main\", \"name\": \"\"}", ERR_BAD_REQUEST,
     "name"},
    {"{\"op\": \"preset.save\", \"id\": 9, \"wall\": \"main\"}", ERR_BAD_REQUEST, "name"},
    {"{\"op\": \"preset.save\", \"id\": 9, \"wall\": \"nope\", \"name\": \"x\"}", ERR_NOT_FOUND,
     "wall"},
    {"{\"op\": \"preset.save\", \"id\": 9, \"wall\": \"main\", \"name\": \"x\", \"overwrite\": 1}",
     ERR_BAD_REQUEST, "overwrite"},
    {"{\"op\": \"preset.rename\", \"id\": 9, \"preset\": \"p9\", \"name\": \"x\"}", ERR_NOT_FOUND,
     "preset"},
    {"{\"op\": \"preset.rename\", \"id\": 9, \"preset\": \"p9\"}", ERR_BAD_REQUEST, "name"},
    {"{\"op\": \"preset.delete\", \"id\": 9, \"preset\": \"p9\"}", ERR_NOT_FOUND, "preset"},
    {"{\"op\": \"preset.delete\", \"id\": 9}", ERR_BAD_REQUEST, "preset"},
};

START_TEST(refused_request_changes_nothing)
{
    const refusal *r = &refusals[_i];
    json_t *before = wall_to_json(main_wall());
    char *before_text = tu_dump(before);
    int64_t version = main_wall()->version;
    json_t *reply = request(r->request);
    assert_error(reply, r->code, r->field);
    if (json_is_number(json_object_get(reply, "re")))
        ck_assert_int_eq(json_integer_value(json_object_get(reply, "re")), 9);
    json_t *after = wall_to_json(main_wall());
    char *after_text = tu_dump(after);
    ck_assert_str_eq(before_text, after_text);
    ck_assert_int_eq(main_wall()->version, version);
    ck_assert_int_eq(srv->presets->presets->len, 0);
    ck_assert_int_eq(tu_count_entries(dir, ""), 0); /* nothing persisted */
    json_decref(reply);
    json_decref(before);
    json_decref(after);
    free(before_text);
    free(after_text);
}
END_TEST

static Suite *ops_suite(void)
{
    Suite *s = suite_create("ops");
    TCase *tc = tcase_create("protocol");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, ping_replies_with_time_and_echoes_id);
    tcase_add_test(tc, non_numeric_or_missing_id_gives_null_re);
    tcase_add_test(tc, snapshot_has_everything_without_secrets);
    tcase_add_test(tc, bad_json);
    tcase_add_test(tc, unknown_and_missing_op);
    tcase_add_test(tc, conflict_reports_current_version);
    suite_add_tcase(s, tc);

    tc = tcase_create("wall_ops");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, layout_apply);
    tcase_add_test(tc, set_source_sets_and_clears);
    tcase_add_test(tc, split_merge_resize_swap_clear_in_sequence);
    tcase_add_test(tc, changes_are_persisted);
    tcase_add_test(tc, restore_ignores_a_broken_state_file);
    tcase_add_test(tc, failed_persist_is_internal_and_changes_nothing);
    suite_add_tcase(s, tc);

    tc = tcase_create("presets");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, preset_save_recall_rename_delete);
    tcase_add_test(tc, preset_save_exists_and_overwrite);
    suite_add_tcase(s, tc);

    tc = tcase_create("unchanged_on_refusal");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, refused_request_changes_nothing, 0, (int)G_N_ELEMENTS(refusals));
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(ops_suite(), argc, argv);
}
