/* test_walls.c - the wall service (domain/walls.h) and its durable writes
 * (domain/persist.h) on their own, without dispatch: a recording bus
 * subscriber sees what each change emits (a refused change nothing, an
 * accepted one exactly one event with the new version, a failed write the
 * change and its taking back), and a write fence counts a request's writes
 * and its first failure. */
#include "bus.h"
#include "disk_writer.h"
#include "persist.h"
#include "test_util.h"
#include "walls.h"

#include <glib.h>
#include <string.h>

/* main: 2x2 grid, t1 t2 / t3 t4. */
static const char *const walls_config =
    "[{\"id\": \"main\", \"displays\": {\"columns\": 1, \"rows\": 1, \"width\": 1920, "
    "\"height\": 1080}, \"layout\": {\"columns\": 2, \"rows\": 2, \"tiles\": ["
    "  {\"id\": \"t1\", \"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1},"
    "  {\"id\": \"t2\", \"x\": 1, \"y\": 0, \"w\": 1, \"h\": 1},"
    "  {\"id\": \"t3\", \"x\": 0, \"y\": 1, \"w\": 1, \"h\": 1},"
    "  {\"id\": \"t4\", \"x\": 1, \"y\": 1, \"w\": 1, \"h\": 1}]}}]";

static char *dir;
static GPtrArray *walls;
static preset_store *presets;
static event_bus *bus;
static persister *persist;
static wall_service *ws;
static GPtrArray *seen; /* char *, owned: one line per event */

static void record(const bus_event *ev, void *user)
{
    (void)user;
    switch (ev->kind) {
    case BUS_WALL_CHANGED:
        g_ptr_array_add(seen, g_strdup_printf("wall %s v%" G_GINT64_FORMAT " tiles %d",
                                              ev->wall_changed.wall->id,
                                              (gint64)ev->wall_changed.wall->version,
                                              ev->wall_changed.wall->layout.n_tiles));
        return;
    case BUS_PRESET_SAVED:
        g_ptr_array_add(seen, g_strdup_printf("preset %s", ev->preset_saved.preset->name));
        return;
    case BUS_PRESET_DELETED:
        g_ptr_array_add(seen, g_strdup_printf("deleted %s", ev->preset_deleted.preset_id));
        return;
    default:
        g_ptr_array_add(seen, g_strdup("other"));
        return;
    }
}

static const char *seen_at(guint i)
{
    ck_assert_uint_gt(seen->len, i);
    return g_ptr_array_index(seen, i);
}

/* The service over the walls and presets, writing to state_dir through
 * writer (NULL: at once). */
static void service_start(const char *state_dir, disk_writer *writer)
{
    persist = persister_new(writer);
    ws = wall_service_new(walls, presets, bus, persist, NULL, state_dir, 5);
}

static void service_stop(void)
{
    wall_service_free(ws);
    persister_free(persist);
    ws = NULL;
    persist = NULL;
}

static void setup(void)
{
    dir = tu_temp_dir();
    walls = g_ptr_array_new_with_free_func((GDestroyNotify)wall_free);
    json_t *config = tu_json(walls_config);
    g_ptr_array_add(walls, wall_from_config(json_array_get(config, 0)));
    json_decref(config);
    presets = preset_store_open(dir);
    bus = bus_new();
    seen = g_ptr_array_new_with_free_func(g_free);
    for (int k = 0; k < BUS_KIND_COUNT; k++)
        bus_subscribe(bus, (enum bus_kind)k, record, NULL);
    service_start(dir, NULL);
}

static void teardown(void)
{
    service_stop();
    bus_free(bus);
    preset_store_free(presets);
    g_ptr_array_free(walls, TRUE);
    g_ptr_array_free(seen, TRUE);
    tu_remove_tree(dir);
    g_free(dir);
}

static wall *main_wall(void)
{
    wall *w = walls_find(ws, "main");
    ck_assert_ptr_nonnull(w);
    return w;
}

/* ---- edits handed to walls_change (data: the tile ids) ---- */

static int merge(layout *l, void *data, pantau_error *err)
{
    const char **ids = data;
    return layout_merge(l, ids, 2, err);
}

static int split_3x3(layout *l, void *data, pantau_error *err)
{
    return layout_split(l, data, 3, 3, err);
}

static int refuse(layout *l, void *data, pantau_error *err)
{
    (void)l, (void)data;
    return error_set(err, ERR_BAD_REQUEST, "tile", "no");
}

/* ---- finding ---- */

START_TEST(find)
{
    ck_assert_ptr_eq(walls_find(ws, "main"), g_ptr_array_index(walls, 0));
    ck_assert_ptr_null(walls_find(ws, "nope"));
    ck_assert_ptr_null(walls_find(ws, NULL));
    ck_assert_ptr_eq(walls_all(ws), walls);
    ck_assert_ptr_eq(wall_list_find(walls, "main"), main_wall());
    ck_assert_ptr_null(wall_list_find(NULL, "main"));
}
END_TEST

/* ---- changes and what they emit ---- */

START_TEST(refused_change_emits_nothing)
{
    pantau_error err = {0};
    const char *apart[] = {"t1", "t4"}; /* no rectangle */
    gint64 v = main_wall()->version;
    ck_assert_int_eq(walls_change(ws, main_wall(), v, merge, apart, "tiles", &err), -1);
    ck_assert_int_eq(walls_change(ws, main_wall(), v, refuse, NULL, "tiles", &err), -1);
    ck_assert_str_eq(err.field, "tile");
    /* A stale version is a conflict before anything is edited. */
    const char *pair[] = {"t1", "t2"};
    ck_assert_int_eq(walls_change(ws, main_wall(), v - 1, merge, pair, "tiles", &err), -1);
    ck_assert_str_eq(err.code, ERR_CONFLICT);
    /* More tiles than the limit (5): refused at the field given. */
    ck_assert_int_eq(
        walls_change(ws, main_wall(), v, split_3x3, (void *)"t1", "layout.tiles", &err), -1);
    ck_assert_str_eq(err.code, ERR_LIMIT);
    ck_assert_str_eq(err.field, "layout.tiles");
    ck_assert_int_eq(main_wall()->version, v);
    ck_assert_int_eq(main_wall()->layout.n_tiles, 4);
    ck_assert_uint_eq(seen->len, 0);
}
END_TEST

START_TEST(accepted_change_emits_one_wall_change)
{
    pantau_error err = {0};
    const char *pair[] = {"t1", "t2"};
    gint64 v = main_wall()->version;
    ck_assert_int_eq(walls_change(ws, main_wall(), v, merge, pair, "tiles", &err), 0);
    ck_assert_uint_eq(seen->len, 1);
    char *want = g_strdup_printf("wall main v%" G_GINT64_FORMAT " tiles 3", v + 1);
    ck_assert_str_eq(seen_at(0), want);
    g_free(want);
    /* Written: the state file holds the new version. */
    char *path = g_build_filename(dir, "walls", "main.json", NULL);
    json_t *saved = json_load_file(path, 0, NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(saved, "version")), v + 1);
    json_decref(saved);
    g_free(path);
}
END_TEST

/* The walls saw the change while it was written: a failed write takes it
 * back as one more change, and fails the fenced request. */
START_TEST(failed_write_is_taken_back_and_fails_the_fence)
{
    service_stop();
    char *file = tu_write_file(dir, "plain", "x");
    char *state = g_build_filename(file, "state", NULL);
    service_start(state, NULL);
    write_fence fence = {0};
    ck_assert_ptr_null(persist_fence_set(persist, &fence));
    layout cleared = main_wall()->layout;
    layout_clear(&cleared);
    gint64 v = main_wall()->version;
    walls_apply(ws, main_wall(), &cleared);
    ck_assert_ptr_eq(persist_fence_set(persist, NULL), &fence);
    ck_assert_uint_eq(fence.writes, 1);
    ck_assert(fence.failed);
    ck_assert_str_eq(fence.err.code, ERR_INTERNAL);
    ck_assert_msg(strstr(fence.err.message, "the wall state") != NULL, "%s", fence.err.message);
    ck_assert_uint_eq(seen->len, 2);
    char *first = g_strdup_printf("wall main v%" G_GINT64_FORMAT " tiles 4", v + 1);
    char *back = g_strdup_printf("wall main v%" G_GINT64_FORMAT " tiles 4", v + 2);
    ck_assert_str_eq(seen_at(0), first);
    ck_assert_str_eq(seen_at(1), back);
    ck_assert_int_eq(main_wall()->layout.n_tiles, 4);
    ck_assert_str_eq(main_wall()->layout.tiles[0].id, "t1");
    g_free(first);
    g_free(back);
    g_free(state);
    g_free(file);
}
END_TEST

/* ---- the fence with a writer thread ---- */

static void count_done(void *data)
{
    ++*(int *)data;
}

START_TEST(fence_waits_for_the_writer)
{
    service_stop();
    disk_writer *writer = disk_writer_new(NULL);
    service_start(dir, writer);
    int done = 0;
    write_fence none = {0};
    persist_fence_wait(persist, &none, count_done, &done);
    ck_assert_int_eq(done, 1); /* nothing written: at once */
    write_fence fence = {0};
    persist_fence_set(persist, &fence);
    layout cleared = main_wall()->layout;
    layout_clear(&cleared);
    walls_apply(ws, main_wall(), &cleared);
    persist_fence_set(persist, NULL);
    /* Emitted at once, written later: the fence waits for the writer. */
    ck_assert_uint_eq(seen->len, 1);
    persist_fence_wait(persist, &fence, count_done, &done);
    ck_assert_int_eq(done, 1);
    disk_writer_flush(writer);
    ck_assert_int_eq(done, 2);
    ck_assert(!fence.failed);
    ck_assert_uint_eq(fence.writes, 1);
    service_stop();
    disk_writer_free(writer);
    service_start(dir, NULL);
}
END_TEST

/* ---- presets ---- */

START_TEST(presets_emit_and_refusals_do_not)
{
    pantau_error err = {0};
    preset *saved, *renamed;
    ck_assert_int_eq(walls_preset_save(ws, main_wall(), "Night", false, &saved, &err), 0);
    ck_assert_int_eq(walls_preset_save(ws, main_wall(), "Night", false, &saved, &err), -1);
    ck_assert_int_eq(walls_preset_rename(ws, "nope", "Day", &renamed, &err), -1);
    ck_assert_int_eq(walls_preset_delete(ws, "nope", &err), -1);
    ck_assert_uint_eq(seen->len, 1);
    ck_assert_str_eq(seen_at(0), "preset Night");
    char id[sizeof saved->id];
    g_strlcpy(id, saved->id, sizeof id);
    ck_assert_ptr_eq(walls_preset_lookup(ws, id), saved);
    ck_assert_ptr_eq(walls_preset_lookup(ws, "Night"), saved);
    ck_assert_ptr_null(walls_preset_lookup(ws, "Day"));
    ck_assert_int_eq(walls_preset_rename(ws, id, "Day", &renamed, &err), 0);
    ck_assert_ptr_eq(walls_preset_lookup(ws, "Day"), renamed);
    ck_assert_int_eq(walls_preset_delete(ws, id, &err), 0);
    ck_assert_uint_eq(seen->len, 3);
    ck_assert_str_eq(seen_at(1), "preset Day");
    char *want = g_strdup_printf("deleted %s", id);
    ck_assert_str_eq(seen_at(2), want);
    g_free(want);
    /* A wall with more tiles than a preset may hold: refused, nothing emitted. */
    preset_store_set_limits(presets, PRESET_DEFAULT_MAX, 3);
    ck_assert_int_eq(walls_preset_save(ws, main_wall(), "Big", false, &saved, &err), -1);
    ck_assert_str_eq(err.code, ERR_LIMIT);
    ck_assert_str_eq(err.field, "wall");
    ck_assert_uint_eq(seen->len, 3);
}
END_TEST

static Suite *walls_suite(void)
{
    Suite *s = suite_create("walls");
    TCase *tc = tcase_create("changes");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, find);
    tcase_add_test(tc, refused_change_emits_nothing);
    tcase_add_test(tc, accepted_change_emits_one_wall_change);
    tcase_add_test(tc, failed_write_is_taken_back_and_fails_the_fence);
    tcase_add_test(tc, fence_waits_for_the_writer);
    suite_add_tcase(s, tc);
    tc = tcase_create("presets");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, presets_emit_and_refusals_do_not);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(walls_suite(), argc, argv);
}
