/* test_preset_store.c - named layouts kept in state_dir/presets/<id>.json. */
#include "preset_store.h"
#include "test_util.h"

#include <glib.h>
#include <string.h>

static char *dir;
static preset_store *ps;
static layout *one, *two; /* a 1x1 and a 2x1 layout */

static void make_layout(layout *l, const char *text)
{
    json_t *j = tu_json(text);
    ck_assert_int_eq(layout_from_json(l, j, NULL), 0);
    json_decref(j);
}

static void setup(void)
{
    dir = tu_temp_dir();
    ps = preset_store_open(dir);
    one = g_new0(layout, 1);
    two = g_new0(layout, 1);
    make_layout(one, "{\"columns\": 1, \"rows\": 1, \"tiles\": [{\"x\": 0, \"y\": 0, \"w\": 1, "
                     "\"h\": 1, \"source\": \"cam\"}]}");
    make_layout(two, "{\"columns\": 2, \"rows\": 1, \"tiles\": []}");
}

static void teardown(void)
{
    preset_store_free(ps);
    g_free(one);
    g_free(two);
    tu_remove_tree(dir);
    g_free(dir);
}

static preset *save_ok(const char *name, const layout *l, bool overwrite)
{
    preset *p = NULL;
    pantau_error err = {0};
    ck_assert_msg(preset_store_save(ps, name, l, overwrite, &p, &err) == 0, "save %s: %s", name,
                  err.message);
    ck_assert_ptr_nonnull(p);
    return p;
}

static void reopen(void)
{
    preset_store_free(ps);
    ps = preset_store_open(dir);
}

static void assert_ids(const char *expected)
{
    GString *ids = g_string_new(NULL);
    for (guint i = 0; i < ps->presets->len; i++) {
        preset *p = g_ptr_array_index(ps->presets, i);
        g_string_append_printf(ids, "%s%s=%s", i ? " " : "", p->id, p->name);
    }
    ck_assert_str_eq(ids->str, expected);
    g_string_free(ids, TRUE);
}

static void assert_refused(int rc, const pantau_error *err, const char *code, const char *field)
{
    ck_assert_int_eq(rc, -1);
    ck_assert_str_eq(err->code, code);
    ck_assert_str_eq(err->field, field);
}

/* Points the store at a directory that cannot be created, so writes fail. */
static char *break_state_dir(void)
{
    char *file = tu_write_file(dir, "plain", "x");
    g_free(ps->state_dir);
    ps->state_dir = g_build_filename(file, "state", NULL);
    return file;
}

/* ---- save ---- */

START_TEST(save_gives_ids_in_creation_order)
{
    preset *a = save_ok("Morning briefing", one, false);
    ck_assert_str_eq(a->id, "p1");
    ck_assert_str_eq(a->name, "Morning briefing");
    preset *b = save_ok("Banjir", two, false);
    ck_assert_str_eq(b->id, "p2");
    ck_assert_ptr_eq(preset_store_find(ps, "p1"), a);
    ck_assert_ptr_null(preset_store_find(ps, "p3"));
    ck_assert_int_eq(a->layout.n_tiles, 1);
    ck_assert_str_eq(a->layout.tiles[0].source, "cam");
    json_t *j = preset_store_to_json(ps);
    ck_assert_int_eq(json_array_size(j), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 1), "name")), "Banjir");
    json_decref(j);
}
END_TEST

START_TEST(save_existing_name_needs_overwrite)
{
    save_ok("A", one, false);
    preset *p = NULL;
    pantau_error err = {0};
    assert_refused(preset_store_save(ps, "A", two, false, &p, &err), &err, ERR_EXISTS, "name");
    ck_assert_int_eq(preset_store_find(ps, "p1")->layout.columns, 1);
    preset *again = save_ok("A", two, true);
    ck_assert_str_eq(again->id, "p1");
    ck_assert_int_eq(again->layout.columns, 2);
    ck_assert_int_eq(ps->presets->len, 1);
    ck_assert_str_eq(save_ok("B", one, false)->id, "p2");
}
END_TEST

START_TEST(save_checks_the_name)
{
    preset *p = NULL;
    pantau_error err = {0};
    assert_refused(preset_store_save(ps, "", one, false, &p, &err), &err, ERR_BAD_REQUEST, "name");
    char long_name[PRESET_NAME_MAX + 2];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[PRESET_NAME_MAX + 1] = '\0';
    assert_refused(preset_store_save(ps, long_name, one, false, &p, &err), &err, ERR_BAD_REQUEST,
                   "name");
    assert_refused(preset_store_save(ps, "bad \xff utf8", one, false, &p, &err), &err,
                   ERR_BAD_REQUEST, "name");
    long_name[PRESET_NAME_MAX] = '\0';
    save_ok(long_name, one, false);
    save_ok("Rapat \xe2\x80\x94 pagi", one, false);
    ck_assert_int_eq(ps->presets->len, 2);
}
END_TEST

START_TEST(failed_save_changes_nothing)
{
    save_ok("A", one, false);
    char *file = break_state_dir();
    preset *p = NULL;
    pantau_error err = {0};
    assert_refused(preset_store_save(ps, "B", two, false, &p, &err), &err, ERR_INTERNAL, "");
    assert_refused(preset_store_save(ps, "A", two, true, &p, &err), &err, ERR_INTERNAL, "");
    assert_ids("p1=A");
    ck_assert_int_eq(preset_store_find(ps, "p1")->layout.columns, 1);
    ck_assert_uint_eq(ps->next_id, 2);
    g_free(file);
}
END_TEST

/* ---- rename and delete ---- */

START_TEST(rename_keeps_the_id)
{
    save_ok("A", one, false);
    save_ok("B", two, false);
    preset *r = NULL;
    pantau_error err = {0};
    ck_assert_int_eq(preset_store_rename(ps, "p1", "Alpha", &r, &err), 0);
    ck_assert_str_eq(r->id, "p1");
    ck_assert_int_eq(preset_store_rename(ps, "p1", "Alpha", &r, &err), 0);
    assert_ids("p1=Alpha p2=B");
}
END_TEST

START_TEST(rename_refusals)
{
    save_ok("A", one, false);
    save_ok("B", two, false);
    preset *r = NULL;
    pantau_error err = {0};
    assert_refused(preset_store_rename(ps, "p1", "B", &r, &err), &err, ERR_EXISTS, "name");
    assert_refused(preset_store_rename(ps, "p9", "C", &r, &err), &err, ERR_NOT_FOUND, "preset");
    assert_refused(preset_store_rename(ps, "p1", "", &r, &err), &err, ERR_BAD_REQUEST, "name");
    char *file = break_state_dir();
    assert_refused(preset_store_rename(ps, "p1", "C", &r, &err), &err, ERR_INTERNAL, "");
    assert_ids("p1=A p2=B");
    g_free(file);
}
END_TEST

START_TEST(delete_removes_and_refuses_unknown)
{
    save_ok("A", one, false);
    save_ok("B", two, false);
    save_ok("C", two, false);
    pantau_error err = {0};
    ck_assert_int_eq(preset_store_delete(ps, "p2", &err), 0);
    assert_ids("p1=A p3=C");
    assert_refused(preset_store_delete(ps, "p2", &err), &err, ERR_NOT_FOUND, "preset");
    char *file = break_state_dir();
    assert_refused(preset_store_delete(ps, "p1", &err), &err, ERR_INTERNAL, "");
    assert_ids("p1=A p3=C");
    g_free(file);
}
END_TEST

/* ---- persistence ---- */

START_TEST(presets_survive_reopen)
{
    save_ok("A", one, false);
    save_ok("B", two, false);
    preset *r = NULL;
    ck_assert_int_eq(preset_store_rename(ps, "p2", "Beta", &r, NULL), 0);
    save_ok("A", two, true);
    reopen();
    assert_ids("p1=A p2=Beta");
    ck_assert_int_eq(preset_store_find(ps, "p1")->layout.columns, 2);
    ck_assert_uint_eq(ps->next_id, 3);
}
END_TEST

START_TEST(deleted_ids_are_never_reused)
{
    save_ok("A", one, false);
    save_ok("B", one, false);
    ck_assert_int_eq(preset_store_delete(ps, "p2", NULL), 0);
    ck_assert_int_eq(preset_store_delete(ps, "p1", NULL), 0);
    reopen();
    assert_ids("");
    ck_assert_str_eq(save_ok("C", one, false)->id, "p3");
    reopen();
    assert_ids("p3=C");
}
END_TEST

START_TEST(open_without_file_is_empty)
{
    assert_ids("");
    ck_assert_uint_eq(ps->next_id, 1);
    char *path = g_build_filename(dir, "presets", "p1.json", NULL);
    ck_assert(!tu_exists(path));
    save_ok("A", one, false);
    ck_assert(tu_exists(path));
    g_free(path);
}
END_TEST

/* The cost of a save must not grow with the number of presets: it writes
 * its own file and no other (a marker in another file survives it). */
START_TEST(a_change_writes_only_its_preset)
{
    save_ok("A", one, false);
    save_ok("B", one, false);
    char *sub = g_build_filename(dir, "presets", NULL);
    char *marked = tu_write_file(sub, "p1.json", "marker");
    save_ok("C", two, false);
    save_ok("B", two, true);
    preset *r = NULL;
    ck_assert_int_eq(preset_store_rename(ps, "p3", "C2", &r, NULL), 0);
    ck_assert_int_eq(preset_store_delete(ps, "p2", NULL), 0);
    char *text = tu_read_file(marked);
    ck_assert_str_eq(text, "marker");
    ck_assert_int_eq(tu_count_entries(sub, ".json"), 2);
    g_free(text);
    g_free(marked);
    g_free(sub);
}
END_TEST

START_TEST(broken_file_gives_an_empty_store_and_is_kept)
{
    g_free(tu_write_file(dir, "presets.json", "{\"next_id\": 4, \"presets\": [{"));
    tu_capture cap;
    tu_capture_begin(&cap);
    reopen();
    g_free(tu_capture_end(&cap));
    assert_ids("");
    save_ok("A", one, false);
    ck_assert_int_eq(tu_count_entries(dir, "presets.json.corrupt-"), 1);
}
END_TEST

/* presets.json of older versions: moved to presets/ once, kept renamed. */
START_TEST(old_presets_file_is_moved_once)
{
    const char *old = "{\"next_id\": 9, \"presets\": ["
                      "{\"id\": \"p4\", \"name\": \"A\", \"layout\": {\"columns\": 2, \"rows\": "
                      "1, \"tiles\": []}},"
                      "{\"id\": \"p2\", \"name\": \"B\", \"layout\": {\"columns\": 1, \"rows\": "
                      "1, \"tiles\": []}}]}";
    g_free(tu_write_file(dir, "presets.json", old));
    tu_capture cap;
    tu_capture_begin(&cap);
    reopen();
    char *log = tu_capture_end(&cap);
    ck_assert_msg(strstr(log, "presets.json.moved-") != NULL, "log: %s", log);
    assert_ids("p2=B p4=A");
    ck_assert_int_eq(preset_store_find(ps, "p4")->layout.columns, 2);
    ck_assert_int_eq(tu_count_entries(dir, "presets.json.moved-"), 1);
    ck_assert_int_eq(tu_count_entries(dir, "presets.json"), 1);
    ck_assert_str_eq(save_ok("C", one, false)->id, "p9");
    ck_assert_int_eq(preset_store_delete(ps, "p2", NULL), 0);
    reopen();
    assert_ids("p4=A p9=C");
    g_free(log);
}
END_TEST

START_TEST(broken_preset_file_is_kept_aside)
{
    save_ok("A", one, false);
    save_ok("B", one, false);
    char *sub = g_build_filename(dir, "presets", NULL);
    g_free(tu_write_file(sub, "p2.json", "{\"id\": \"p2\", \"na"));
    g_free(tu_write_file(sub, "x.json",
                         "{\"id\": \"p7\", \"name\": \"X\", \"layout\": "
                         "{\"columns\": 1, \"rows\": 1, \"tiles\": []}}"));
    tu_capture cap;
    tu_capture_begin(&cap);
    reopen();
    g_free(tu_capture_end(&cap));
    assert_ids("p1=A");
    ck_assert_int_eq(tu_count_entries(sub, "p2.json.corrupt-"), 1);
    ck_assert_int_eq(tu_count_entries(sub, "x.json.corrupt-"), 1);
    g_free(sub);
}
END_TEST

START_TEST(broken_entries_are_skipped)
{
    g_free(
        tu_write_file(dir, "presets.json",
                      "{\"next_id\": 4, \"presets\": ["
                      "{\"id\": \"p1\", \"name\": \"A\", \"layout\": {\"columns\": 0}},"
                      "{\"id\": \"p2\", \"layout\": {\"columns\": 1, \"rows\": 1, \"tiles\": []}},"
                      "{\"id\": \"p3\", \"name\": \"C\", \"layout\": {\"columns\": 1, \"rows\": "
                      "1, \"tiles\": []}}]}"));
    tu_capture cap;
    tu_capture_begin(&cap);
    reopen();
    g_free(tu_capture_end(&cap));
    assert_ids("p3=C");
    ck_assert_str_eq(save_ok("D", one, false)->id, "p4");
}
END_TEST

/* A presets.json without next_id (or with one too small, e.g. written by
 * hand) must not make a new preset reuse an existing id. */
START_TEST(new_ids_never_collide_with_loaded_ones)
{
    g_free(tu_write_file(dir, "presets.json",
                         "{\"presets\": [{\"id\": \"p1\", \"name\": \"A\", \"layout\": "
                         "{\"columns\": 1, \"rows\": 1, \"tiles\": []}}]}"));
    reopen();
    assert_ids("p1=A");
    preset *b = save_ok("B", one, false);
    ck_assert_str_ne(b->id, "p1");
}
END_TEST

/* ---- limits ---- */

START_TEST(presets_past_the_limit_are_refused)
{
    ck_assert_uint_eq(ps->max_presets, PRESET_DEFAULT_MAX);
    ck_assert_int_eq(ps->max_tiles, LAYOUT_MAX_TILES);
    preset_store_set_limits(ps, 2, LAYOUT_MAX_TILES);
    save_ok("A", one, false);
    save_ok("B", one, false);
    preset *p = NULL;
    pantau_error err = {0};
    assert_refused(preset_store_save(ps, "C", one, false, &p, &err), &err, ERR_LIMIT, "");
    ck_assert_msg(strstr(err.message, "2") != NULL, "%s", err.message);
    assert_ids("p1=A p2=B");
    ck_assert_uint_eq(ps->next_id, 3);
    save_ok("B", two, true);
    ck_assert_int_eq(preset_store_delete(ps, "p1", NULL), 0);
    ck_assert_str_eq(save_ok("C", one, false)->id, "p3");
}
END_TEST

START_TEST(layouts_past_the_tile_limit_are_refused)
{
    preset_store_set_limits(ps, 10, 1);
    layout *three = g_new0(layout, 1);
    make_layout(three, "{\"columns\": 3, \"rows\": 1, \"tiles\": [{\"x\": 0, \"y\": 0, \"w\": 1, "
                       "\"h\": 1}, {\"x\": 1, \"y\": 0, \"w\": 1, \"h\": 1}, {\"x\": 2, \"y\": 0, "
                       "\"w\": 1, \"h\": 1}]}");
    save_ok("A", one, false);
    preset *p = NULL;
    pantau_error err = {0};
    assert_refused(preset_store_save(ps, "B", three, false, &p, &err), &err, ERR_LIMIT, "layout");
    assert_refused(preset_store_save(ps, "A", three, true, &p, &err), &err, ERR_LIMIT, "layout");
    assert_ids("p1=A");
    ck_assert_int_eq(preset_store_find(ps, "p1")->layout.n_tiles, 1);
    g_free(three);
}
END_TEST

/* A lowered limit drops nothing: what is saved loads, only growth is refused. */
START_TEST(a_store_over_a_lowered_limit_loads_whole)
{
    save_ok("A", one, false);
    save_ok("B", one, false);
    save_ok("C", one, false);
    reopen();
    preset_store_set_limits(ps, 2, LAYOUT_MAX_TILES);
    assert_ids("p1=A p2=B p3=C");
    preset *p = NULL;
    pantau_error err = {0};
    assert_refused(preset_store_save(ps, "D", one, false, &p, &err), &err, ERR_LIMIT, "");
    save_ok("A", two, true);
    ck_assert_int_eq(preset_store_delete(ps, "p1", NULL), 0);
    assert_refused(preset_store_save(ps, "D", one, false, &p, &err), &err, ERR_LIMIT, "");
    ck_assert_int_eq(preset_store_delete(ps, "p2", NULL), 0);
    save_ok("D", one, false);
}
END_TEST

/* ---- the write hook (the writer thread, after the audit line) ---- */

typedef struct hook_log {
    int submitted;
    bool refuse;
    preset_undo *undo; /* the last change's */
} hook_log;

/* Writes the files at once (as the writer thread would, later) and keeps
 * the change's undo. */
static int hook_submit(void *data, state_batch *files, preset_undo *undo, pantau_error *err)
{
    hook_log *h = data;
    int rc = 0;
    if (h->refuse) {
        preset_undo_free(undo);
        rc = error_set(err, ERR_INTERNAL, "", "refused by the hook");
    } else {
        h->submitted++;
        state_batch_run(files);
        preset_undo_free(h->undo);
        h->undo = undo;
    }
    state_batch_free(files);
    return rc;
}

/* Takes back the last change, as when its write failed. */
static bool undo_last(hook_log *h, const preset **now)
{
    bool undone = preset_store_undo(ps, h->undo, now);
    preset_undo_free(h->undo);
    h->undo = NULL;
    return undone;
}

START_TEST(the_hook_takes_every_write_and_undo_takes_it_back)
{
    hook_log h = {0};
    preset_store_set_hook(ps, &(preset_write_hook){hook_submit, &h});
    preset *p = NULL;
    const preset *now = NULL;
    pantau_error err = {0};
    /* A refused request writes nothing: no hook. */
    assert_refused(preset_store_save(ps, "", one, false, &p, &err), &err, ERR_BAD_REQUEST, "name");
    ck_assert_int_eq(h.submitted, 0);
    save_ok("A", one, false);
    ck_assert(undo_last(&h, &now));
    ck_assert_ptr_null(now);
    assert_ids("");
    save_ok("A", one, false);
    save_ok("A", two, true);
    ck_assert(undo_last(&h, &now));
    ck_assert_int_eq(now->layout.n_tiles, one->n_tiles);
    ck_assert_int_eq(preset_store_rename(ps, "p2", "B", &p, NULL), 0);
    ck_assert(undo_last(&h, &now));
    assert_ids("p2=A");
    ck_assert_int_eq(preset_store_delete(ps, "p2", NULL), 0);
    ck_assert(undo_last(&h, &now));
    ck_assert_str_eq(now->name, "A");
    assert_ids("p2=A");
    /* Changed again since: the later change decides. */
    ck_assert_int_eq(preset_store_rename(ps, "p2", "C", &p, NULL), 0);
    preset_undo *first = h.undo;
    h.undo = NULL;
    ck_assert_int_eq(preset_store_rename(ps, "p2", "D", &p, NULL), 0);
    ck_assert(!preset_store_undo(ps, first, &now));
    preset_undo_free(first);
    assert_ids("p2=D");
    ck_assert_int_eq(h.submitted, 7);
    h.refuse = true;
    assert_refused(preset_store_save(ps, "E", one, false, &p, &err), &err, ERR_INTERNAL, "");
    assert_refused(preset_store_delete(ps, "p2", &err), &err, ERR_INTERNAL, "");
    assert_ids("p2=D");
    preset_undo_free(h.undo);
}
END_TEST

/* ---- presets another node changed (a cluster) ---- */

static void take_ok(const char *text, bool changed_expected)
{
    json_t *pj = tu_json(text);
    preset *p = NULL;
    bool changed = !changed_expected;
    pantau_error err = {0};
    ck_assert_int_eq(preset_store_take(ps, pj, &p, &changed, &err), 0);
    ck_assert(changed == changed_expected);
    ck_assert_str_eq(p->id, json_string_value(json_object_get(pj, "id")));
    json_decref(pj);
}

START_TEST(take_adds_replaces_and_counts_past_the_id)
{
    save_ok("A", one, false);
    take_ok("{\"id\": \"p5\", \"name\": \"E\", \"layout\": {\"columns\": 2, \"rows\": 1, "
            "\"tiles\": []}}",
            true);
    take_ok("{\"id\": \"p3\", \"name\": \"C\", \"layout\": {\"columns\": 2, \"rows\": 1, "
            "\"tiles\": []}}",
            true);
    assert_ids("p1=A p3=C p5=E");
    /* The same again changes nothing; a new name replaces in place. */
    take_ok("{\"id\": \"p3\", \"name\": \"C\", \"layout\": {\"columns\": 2, \"rows\": 1, "
            "\"tiles\": []}}",
            false);
    take_ok("{\"id\": \"p3\", \"name\": \"Cee\", \"layout\": {\"columns\": 2, \"rows\": 1, "
            "\"tiles\": []}}",
            true);
    save_ok("F", two, false);
    assert_ids("p1=A p3=Cee p5=E p6=F");
}
END_TEST

START_TEST(take_refuses_what_is_not_a_preset)
{
    json_t *pj = tu_json("{\"id\": \"../x\", \"name\": \"X\", \"layout\": {}}");
    preset *p = NULL;
    bool changed = false;
    pantau_error err = {0};
    ck_assert_int_eq(preset_store_take(ps, pj, &p, &changed, &err), -1);
    ck_assert_uint_eq(ps->presets->len, 0);
    json_decref(pj);
}
END_TEST

START_TEST(forget_removes_and_never_reuses_the_id)
{
    save_ok("A", one, false);
    ck_assert(preset_store_forget(ps, "p1"));
    ck_assert(!preset_store_forget(ps, "p1"));
    ck_assert(!preset_store_forget(ps, "p7")); /* another node's, never seen here */
    save_ok("B", one, false);
    assert_ids("p8=B");
}
END_TEST

static Suite *preset_store_suite(void)
{
    Suite *s = suite_create("preset_store");
    TCase *tc = tcase_create("save");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, save_gives_ids_in_creation_order);
    tcase_add_test(tc, save_existing_name_needs_overwrite);
    tcase_add_test(tc, save_checks_the_name);
    tcase_add_test(tc, failed_save_changes_nothing);
    suite_add_tcase(s, tc);

    tc = tcase_create("rename_delete");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, rename_keeps_the_id);
    tcase_add_test(tc, rename_refusals);
    tcase_add_test(tc, delete_removes_and_refuses_unknown);
    suite_add_tcase(s, tc);

    tc = tcase_create("persistence");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, presets_survive_reopen);
    tcase_add_test(tc, deleted_ids_are_never_reused);
    tcase_add_test(tc, open_without_file_is_empty);
    tcase_add_test(tc, a_change_writes_only_its_preset);
    tcase_add_test(tc, broken_file_gives_an_empty_store_and_is_kept);
    tcase_add_test(tc, old_presets_file_is_moved_once);
    tcase_add_test(tc, broken_preset_file_is_kept_aside);
    tcase_add_test(tc, broken_entries_are_skipped);
    tcase_add_test(tc, new_ids_never_collide_with_loaded_ones);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, presets_past_the_limit_are_refused);
    tcase_add_test(tc, layouts_past_the_tile_limit_are_refused);
    tcase_add_test(tc, a_store_over_a_lowered_limit_loads_whole);
    tcase_add_test(tc, the_hook_takes_every_write_and_undo_takes_it_back);
    suite_add_tcase(s, tc);

    tc = tcase_create("take");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, take_adds_replaces_and_counts_past_the_id);
    tcase_add_test(tc, take_refuses_what_is_not_a_preset);
    tcase_add_test(tc, forget_removes_and_never_reuses_the_id);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(preset_store_suite(), argc, argv);
}
