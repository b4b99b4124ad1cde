/* test_presentation.c - presentations on a server made by hand (one wall,
 * a preset store in a temporary directory, no connections): definitions
 * checked with exact paths, step moves, live runs changing the wall,
 * rehearsals leaving it alone, dwell on the main loop, and snapshots that
 * never carry notes. */
#include "ops.h"
#include "presentation.h"
#include "test_util.h"

#include <glib.h>
#include <string.h>

static const char *const wall_config =
    "{\"id\": \"main\", \"displays\": {\"columns\": 1, \"rows\": 1, \"width\": 1920, "
    "\"height\": 1080}, \"layout\": {\"columns\": 1, \"rows\": 1, \"tiles\": []}}";

static const char *const presentations_config =
    "[{\"id\": \"demo\", \"name\": {\"en\": \"Demo\", \"id\": \"Demo\"}, \"steps\": ["
    "  {\"layout\": {\"columns\": 1, \"rows\": 1, \"tiles\": [{\"id\": \"a\", \"x\": 0, \"y\": 0,"
    "   \"w\": 1, \"h\": 1, \"source\": \"cam\"}]}, \"caption\": {\"en\": \"One\", \"id\": "
    "\"Satu\"},"
    "   \"notes\": \"SECRET-NOTE-1\"},"
    "  {\"layout\": {\"columns\": 2, \"rows\": 1, \"tiles\": []}, \"caption\": \"Two\","
    "   \"notes\": {\"en\": \"SECRET-NOTE-2\"}, \"dwell_s\": 0.05},"
    "  {\"preset\": \"Evening\", \"caption\": \"Three\"}]}]";

static char *dir;
static pantau_server *srv;
static json_t *section; /* the config's "presentations" */

static void setup(void)
{
    dir = tu_temp_dir();
    char *walls = g_strdup_printf("[%s]", wall_config);
    srv = tu_server_new(dir, walls);
    g_free(walls);
    section = tu_json(presentations_config);
    srv->presentations = presentation_center_new(section, srv->wall_service, srv->bus, NULL);
    ck_assert_ptr_nonnull(srv->presentations);
}

static void teardown(void)
{
    presentation_center_free(srv->presentations);
    json_decref(section);
    tu_server_free(srv);
    tu_remove_tree(dir);
    g_free(dir);
}

/* ---- helpers ---- */

static wall *main_wall(void)
{
    return wall_list_find(srv->walls, "main");
}

/* Runs text through the ops; the reply is a new reference. */
static json_t *request(const char *text)
{
    json_t *reply = ops_handle_text(srv, NULL, text, strlen(text));
    ck_assert_ptr_nonnull(reply);
    return reply;
}

/* The step of a successful reply's state (and frees the reply). */
static int ok_step(const char *text)
{
    json_t *reply = request(text);
    json_t *state = json_object_get(json_object_get(reply, "ok"), "state");
    ck_assert_msg(state != NULL, "no state in %s", tu_dump(reply));
    int step = (int)json_integer_value(json_object_get(state, "step"));
    json_decref(reply);
    return step;
}

/* Asserts an error reply of code at field. */
static void assert_error(const char *text, const char *code, const char *field)
{
    json_t *reply = request(text);
    json_t *e = json_object_get(reply, "error");
    ck_assert_msg(e != NULL, "%s: no error", text);
    ck_assert_str_eq(json_string_value(json_object_get(e, "code")), code);
    ck_assert_str_eq(json_string_value(json_object_get(e, "field")), field);
    json_decref(reply);
}

/* Parses presentations[0] from text; NULL with err on failure. */
static pres_def *parse(const char *text, pantau_error *err)
{
    json_t *entry = tu_json(text);
    GHashTable *ids = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_add(ids, "cam");
    pres_def *d = pres_def_parse(entry, 0, ids, err);
    g_hash_table_destroy(ids);
    json_decref(entry);
    return d;
}

/* ---- definitions ---- */

START_TEST(parse_good)
{
    pantau_error err = {0};
    pres_def *d = parse("{\"id\": \"p\", \"steps\": [{\"preset\": \"Morning\", \"dwell_s\": 2.5},"
                        " {\"layout\": {\"columns\": 1, \"rows\": 1, \"tiles\": []},"
                        "  \"caption\": {\"id\": \"Hanya\"}}]}",
                        &err);
    ck_assert_msg(d != NULL, "%s: %s", err.field, err.message);
    ck_assert_int_eq(d->n_steps, 2);
    ck_assert_str_eq(d->steps[0].preset, "Morning");
    ck_assert_int_eq(d->steps[0].dwell_ms, 2500);
    ck_assert_ptr_nonnull(d->steps[1].layout);
    ck_assert_int_eq(d->steps[1].dwell_ms, 0);
    json_t *j = pres_def_to_json(d);
    ck_assert_str_eq(json_string_value(
                         json_object_get(json_array_get(json_object_get(j, "steps"), 0), "preset")),
                     "Morning");
    json_decref(j);
    pres_def_free(d);
}
END_TEST

START_TEST(parse_paths)
{
    static const struct {
        const char *text, *field;
    } cases[] = {
        {"[]", "presentations[0]"},
        {"{\"steps\": [{\"preset\": \"x\"}]}", "presentations[0]"},
        {"{\"id\": \"a b\", \"steps\": [{\"preset\": \"x\"}]}", "presentations[0].id"},
        {"{\"id\": \"p\", \"steps\": [{\"preset\": \"x\"}], \"extra\": 1}",
         "presentations[0].extra"},
        {"{\"id\": \"p\"}", "presentations[0]"},
        {"{\"id\": \"p\", \"steps\": []}", "presentations[0].steps"},
        {"{\"id\": \"p\", \"steps\": [{\"preset\": \"x\"}, 3]}", "presentations[0].steps[1]"},
        {"{\"id\": \"p\", \"steps\": [{\"caption\": \"x\"}]}", "presentations[0].steps[0]"},
        {"{\"id\": \"p\", \"steps\": [{\"preset\": \"\"}]}", "presentations[0].steps[0].preset"},
        {"{\"id\": \"p\", \"steps\": [{\"preset\": \"x\", \"layout\": {}}]}",
         "presentations[0].steps[0]"},
        {"{\"id\": \"p\", \"steps\": [{\"preset\": \"x\"}, {\"preset\": \"y\", \"caption\": 1}]}",
         "presentations[0].steps[1].caption"},
        {"{\"id\": \"p\", \"steps\": [{\"preset\": \"x\", \"notes\": {\"en\": 2}}]}",
         "presentations[0].steps[0].notes.en"},
        {"{\"id\": \"p\", \"steps\": [{\"preset\": \"x\", \"notes\": {}}]}",
         "presentations[0].steps[0].notes"},
        {"{\"id\": \"p\", \"steps\": [{\"preset\": \"x\", \"dwell_s\": 0}]}",
         "presentations[0].steps[0].dwell_s"},
        {"{\"id\": \"p\", \"steps\": [{\"preset\": \"x\", \"dwell_s\": \"5\"}]}",
         "presentations[0].steps[0].dwell_s"},
        {"{\"id\": \"p\", \"steps\": [{\"layout\": {\"columns\": 1, \"rows\": 1, \"tiles\": "
         "[{\"x\": 0, "
         "\"y\": 0, \"w\": 1, \"h\": 1, \"source\": \"nope\"}]}}]}",
         "presentations[0].steps[0].layout.tiles[0].source"},
        {"{\"id\": \"p\", \"steps\": [{\"layout\": {\"columns\": 0, \"rows\": 1, \"tiles\": []}}]}",
         "presentations[0].steps[0].layout.columns"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        pantau_error err = {0};
        pres_def *d = parse(cases[i].text, &err);
        ck_assert_msg(d == NULL, "case %zu is refused", i);
        ck_assert_msg(strcmp(err.field, cases[i].field) == 0, "case %zu: field %s, not %s (%s)", i,
                      err.field, cases[i].field, err.message);
    }
}
END_TEST

/* ---- moves ---- */

START_TEST(moves)
{
    ck_assert_int_eq(pres_step_after(0, 3, PRES_NEXT), 1);
    ck_assert_int_eq(pres_step_after(2, 3, PRES_NEXT), 2);
    ck_assert_int_eq(pres_step_after(0, 3, PRES_PREV), 0);
    ck_assert_int_eq(pres_step_after(2, 3, PRES_PREV), 1);
    ck_assert_int_eq(pres_step_after(1, 3, PRES_FIRST), 0);
    ck_assert_int_eq(pres_step_after(0, 3, PRES_LAST), 2);
    ck_assert_int_eq(pres_step_after(0, 1, PRES_NEXT), 0);
    pantau_error err = {0};
    ck_assert_int_eq(pres_step_check(2, 3, &err), 0);
    ck_assert_int_eq(pres_step_check(2, 2, &err), -1);
    ck_assert_str_eq(err.field, "step");
    ck_assert_int_eq(pres_step_check(-1, 2, &err), -1);
}
END_TEST

/* ---- runs ---- */

START_TEST(live_run)
{
    int64_t v0 = main_wall()->version;
    ck_assert_int_eq(ok_step("{\"op\": \"presentation.start\", \"presentation\": \"demo\", "
                             "\"wall\": \"main\"}"),
                     0);
    ck_assert_int_eq(main_wall()->version, v0 + 1);
    ck_assert_int_eq(main_wall()->layout.n_tiles, 1);
    ck_assert_str_eq(main_wall()->layout.tiles[0].source, "cam");
    ck_assert_int_eq(ok_step("{\"op\": \"presentation.prev\", \"wall\": \"main\"}"), 0);
    ck_assert_int_eq(main_wall()->version, v0 + 1);
    ck_assert_int_eq(ok_step("{\"op\": \"presentation.goto\", \"wall\": \"main\", \"step\": 0}"),
                     0);
    ck_assert_int_eq(main_wall()->version, v0 + 2);
    /* Step 2's preset is not saved: refused, nothing changes. */
    assert_error("{\"op\": \"presentation.goto\", \"wall\": \"main\", \"step\": 2}", ERR_NOT_FOUND,
                 "presentation");
    ck_assert_int_eq(main_wall()->version, v0 + 2);
    ck_assert_int_eq(ok_step("{\"op\": \"presentation.next\", \"wall\": \"main\"}"), 1);
    ck_assert_int_eq(main_wall()->layout.columns, 2);
    /* Dwell: step 1 would advance to step 2, whose preset is missing: it stays. */
    tu_loop_for(150);
    ck_assert_int_eq(ok_step("{\"op\": \"presentation.goto\", \"wall\": \"main\", \"step\": 1}"),
                     1);
    json_t *reply = request("{\"op\": \"presentation.stop\", \"wall\": \"main\"}");
    ck_assert(json_is_null(json_object_get(json_object_get(reply, "ok"), "state")));
    json_decref(reply);
    assert_error("{\"op\": \"presentation.next\", \"wall\": \"main\"}", ERR_NOT_FOUND, "wall");
}
END_TEST

START_TEST(dwell_advances)
{
    preset *saved;
    pantau_error err = {0};
    ck_assert_int_eq(
        preset_store_save(srv->presets, "Evening", &main_wall()->layout, false, &saved, &err), 0);
    ck_assert_int_eq(ok_step("{\"op\": \"presentation.start\", \"presentation\": \"demo\", "
                             "\"wall\": \"main\", \"step\": 1}"),
                     1);
    int64_t v = main_wall()->version;
    tu_loop_for(200);
    ck_assert_int_eq(main_wall()->version, v + 1);
    json_t *snap = presentation_snapshot(srv->presentations);
    json_t *run = json_array_get(json_object_get(snap, "running"), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(run, "step")), 2);
    json_decref(snap);
}
END_TEST

START_TEST(rehearsal_leaves_wall)
{
    int64_t v0 = main_wall()->version;
    json_t *reply = request("{\"op\": \"presentation.start\", \"presentation\": \"demo\", "
                            "\"wall\": \"main\", \"rehearsal\": true}");
    json_t *state = json_object_get(json_object_get(reply, "ok"), "state");
    ck_assert_str_eq(json_string_value(json_object_get(state, "mode")), "rehearsal");
    ck_assert_str_eq(json_string_value(json_object_get(state, "notes")), "SECRET-NOTE-1");
    ck_assert_int_eq(json_array_size(json_object_get(json_object_get(state, "layout"), "tiles")),
                     1);
    json_decref(reply);
    ck_assert_int_eq(ok_step("{\"op\": \"presentation.next\", \"rehearsal\": true}"), 1);
    tu_loop_for(150); /* step 2's preset is missing: the rehearsal stays too */
    ck_assert_int_eq(main_wall()->version, v0);
    json_t *snap = presentation_snapshot(srv->presentations);
    ck_assert_int_eq(json_array_size(json_object_get(snap, "running")), 0);
    json_decref(snap);
    reply = request("{\"op\": \"presentation.stop\", \"rehearsal\": true}");
    ck_assert_ptr_nonnull(json_object_get(reply, "ok"));
    json_decref(reply);
    ck_assert_int_eq(main_wall()->version, v0);
}
END_TEST

START_TEST(snapshot_has_no_notes)
{
    ok_step("{\"op\": \"presentation.start\", \"presentation\": \"demo\", \"wall\": \"main\"}");
    ok_step("{\"op\": \"presentation.next\", \"wall\": \"main\"}");
    json_t *snap = presentation_snapshot(srv->presentations);
    char *text = tu_dump(snap);
    ck_assert_msg(strstr(text, "SECRET") == NULL, "notes in %s", text);
    ck_assert_msg(strstr(text, "\"Two\"") != NULL, "the caption in %s", text);
    free(text);
    json_decref(snap);
    json_t *list = request("{\"op\": \"presentation.list\"}");
    text = tu_dump(list);
    ck_assert_msg(strstr(text, "SECRET-NOTE-2") != NULL, "presenters get the notes");
    free(text);
    json_decref(list);
}
END_TEST

START_TEST(bad_requests)
{
    assert_error("{\"op\": \"presentation.start\", \"wall\": \"main\"}", ERR_BAD_REQUEST,
                 "presentation");
    assert_error("{\"op\": \"presentation.start\", \"presentation\": \"x\", \"wall\": \"main\"}",
                 ERR_NOT_FOUND, "presentation");
    assert_error("{\"op\": \"presentation.start\", \"presentation\": \"demo\", \"wall\": \"x\"}",
                 ERR_NOT_FOUND, "wall");
    assert_error("{\"op\": \"presentation.start\", \"presentation\": \"demo\", \"wall\": \"main\", "
                 "\"rehearsal\": 1}",
                 ERR_BAD_REQUEST, "rehearsal");
    assert_error("{\"op\": \"presentation.goto\", \"rehearsal\": true, \"step\": 0}", ERR_NOT_FOUND,
                 "rehearsal");
}
END_TEST

static Suite *presentation_suite(void)
{
    Suite *s = suite_create("presentation");
    TCase *tc = tcase_create("definitions");
    tcase_add_test(tc, parse_good);
    tcase_add_test(tc, parse_paths);
    tcase_add_test(tc, moves);
    suite_add_tcase(s, tc);
    tc = tcase_create("runs");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, live_run);
    tcase_add_test(tc, dwell_advances);
    tcase_add_test(tc, rehearsal_leaves_wall);
    tcase_add_test(tc, snapshot_has_no_notes);
    tcase_add_test(tc, bad_requests);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(presentation_suite(), argc, argv);
}
