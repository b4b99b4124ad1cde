/* test_bus.c - the domain's event bus (bus.h): delivery order, nested
 * emits, subscribing and unsubscribing during a delivery; and what changes
 * emit, seen by a recording subscriber: a refused tile.merge emits nothing,
 * an accepted one exactly one wall-changed event; presets likewise. */
#include "bus.h"
#include "ops.h"
#include "test_util.h"

#include <glib.h>
#include <string.h>

/* ---- a recording subscriber ---- */

typedef struct recorder {
    GPtrArray *lines; /* char *, owned: one per event received */
} recorder;

static void record(const bus_event *ev, void *user)
{
    recorder *r = user;
    switch (ev->kind) {
    case BUS_WALL_CHANGED:
        g_ptr_array_add(r->lines, g_strdup_printf("wall %s v%" G_GINT64_FORMAT " tiles %d",
                                                  ev->wall_changed.wall->id,
                                                  (gint64)ev->wall_changed.wall->version,
                                                  ev->wall_changed.wall->layout.n_tiles));
        return;
    case BUS_PRESET_SAVED:
        g_ptr_array_add(r->lines, g_strdup_printf("preset %s", ev->preset_saved.preset->name));
        return;
    case BUS_PRESET_DELETED:
        g_ptr_array_add(r->lines, g_strdup_printf("deleted %s", ev->preset_deleted.preset_id));
        return;
    case BUS_PRESENTATION:
        g_ptr_array_add(r->lines, g_strdup_printf("presentation %s", ev->presentation.wall_id));
        return;
    case BUS_LOGIN_ENDED:
        g_ptr_array_add(r->lines, g_strdup("login ended"));
        return;
    case BUS_PTZ_HELD:
        g_ptr_array_add(r->lines, g_strdup_printf("ptz held %s", ev->ptz_held.source_id));
        return;
    case BUS_SOURCE_DATA:
    case BUS_SOURCE_STATUS:
    case BUS_SOURCE_EVENT:
    case BUS_SOURCE_ADDED:
    case BUS_SOURCE_REMOVED:
        g_ptr_array_add(r->lines, g_strdup("source"));
        return;
    case BUS_STATS:
        g_ptr_array_add(r->lines, g_strdup("stats"));
        return;
    case BUS_ALARM:
        g_ptr_array_add(
            r->lines, g_strdup_printf(
                          "alarm %s %s", json_string_value(json_object_get(ev->alarm.alarm, "id")),
                          json_string_value(json_object_get(ev->alarm.alarm, "state"))));
        return;
    case BUS_NODES:
    case BUS_HANDOVER:
        g_ptr_array_add(r->lines, g_strdup("cluster"));
        return;
    case BUS_KIND_COUNT:
        ck_abort_msg("no such kind");
    }
}

static void recorder_init(recorder *r)
{
    r->lines = g_ptr_array_new_with_free_func(g_free);
}

static const char *line_at(const recorder *r, guint i)
{
    ck_assert_uint_gt(r->lines->len, i);
    return g_ptr_array_index(r->lines, i);
}

static void subscribe_all(event_bus *bus, bus_fn fn, void *user)
{
    for (int k = 0; k < BUS_KIND_COUNT; k++)
        bus_subscribe(bus, (enum bus_kind)k, fn, user);
}

/* ---- the bus itself ---- */

static const wall *a_wall(void)
{
    static wall w = {.id = "w1", .version = 7};
    return &w;
}

static void emit_wall(event_bus *bus)
{
    bus_emit(bus, &(bus_event){.kind = BUS_WALL_CHANGED, .wall_changed = {a_wall()}});
}

START_TEST(order_and_kinds)
{
    event_bus *bus = bus_new();
    recorder first, second;
    recorder_init(&first);
    recorder_init(&second);
    bus_subscribe(bus, BUS_WALL_CHANGED, record, &first);
    bus_subscribe(bus, BUS_PRESET_DELETED, record, &second);
    emit_wall(bus);
    bus_emit(bus, &(bus_event){.kind = BUS_PRESET_DELETED, .preset_deleted = {"p9"}});
    ck_assert_uint_eq(first.lines->len, 1);
    ck_assert_str_eq(line_at(&first, 0), "wall w1 v7 tiles 0");
    ck_assert_uint_eq(second.lines->len, 1);
    ck_assert_str_eq(line_at(&second, 0), "deleted p9");
    bus_unsubscribe(bus, BUS_WALL_CHANGED, record, &first);
    emit_wall(bus);
    ck_assert_uint_eq(first.lines->len, 1);
    bus_emit(NULL, &(bus_event){.kind = BUS_PRESET_DELETED, .preset_deleted = {"p9"}});
    bus_free(bus);
    g_ptr_array_free(first.lines, TRUE);
    g_ptr_array_free(second.lines, TRUE);
}
END_TEST

/* A subscriber that reacts to a wall change: it emits a preset deletion
 * (nested), unsubscribes the victim and subscribes a late recorder. */
typedef struct reactor {
    event_bus *bus;
    recorder *victim, *late, *log;
} reactor;

static void react(const bus_event *ev, void *user)
{
    reactor *x = user;
    record(ev, x->log);
    if (ev->kind != BUS_WALL_CHANGED)
        return;
    bus_emit(x->bus, &(bus_event){.kind = BUS_PRESET_DELETED, .preset_deleted = {"nested"}});
    bus_unsubscribe(x->bus, BUS_WALL_CHANGED, record, x->victim);
    bus_subscribe(x->bus, BUS_WALL_CHANGED, record, x->late);
}

START_TEST(nested_and_changes_during_delivery)
{
    event_bus *bus = bus_new();
    recorder log, victim, late;
    recorder_init(&log);
    recorder_init(&victim);
    recorder_init(&late);
    reactor x = {bus, &victim, &late, &log};
    subscribe_all(bus, react, &x);
    bus_subscribe(bus, BUS_WALL_CHANGED, record, &victim);
    emit_wall(bus);
    /* The nested event is delivered inside the outer one, before it ends. */
    ck_assert_uint_eq(log.lines->len, 2);
    ck_assert_str_eq(line_at(&log, 0), "wall w1 v7 tiles 0");
    ck_assert_str_eq(line_at(&log, 1), "deleted nested");
    /* Unsubscribed before its turn: not called; subscribed during: not yet. */
    ck_assert_uint_eq(victim.lines->len, 0);
    ck_assert_uint_eq(late.lines->len, 0);
    bus_unsubscribe(bus, BUS_WALL_CHANGED, react, &x);
    emit_wall(bus);
    ck_assert_uint_eq(late.lines->len, 1);
    ck_assert_uint_eq(victim.lines->len, 0);
    ck_assert_uint_eq(log.lines->len, 2);
    bus_free(bus);
    g_ptr_array_free(log.lines, TRUE);
    g_ptr_array_free(victim.lines, TRUE);
    g_ptr_array_free(late.lines, TRUE);
}
END_TEST

/* ---- what changes emit ---- */

/* main: 2x2 grid, t1 t2 / t3 t4. */
static const char *const walls_config =
    "[{\"id\": \"main\", \"name\": \"Main\", \"displays\": {\"columns\": 1, \"rows\": 1, "
    "\"width\": 1920, \"height\": 1080},"
    " \"layout\": {\"columns\": 2, \"rows\": 2, \"tiles\": ["
    "  {\"id\": \"t1\", \"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1},"
    "  {\"id\": \"t2\", \"x\": 1, \"y\": 0, \"w\": 1, \"h\": 1},"
    "  {\"id\": \"t3\", \"x\": 0, \"y\": 1, \"w\": 1, \"h\": 1},"
    "  {\"id\": \"t4\", \"x\": 1, \"y\": 1, \"w\": 1, \"h\": 1}]}}]";

static char *dir;
static pantau_server *srv;
static recorder seen;

static void setup(void)
{
    dir = tu_temp_dir();
    srv = tu_server_new(dir, walls_config);
    recorder_init(&seen);
    subscribe_all(srv->bus, record, &seen);
}

static void teardown(void)
{
    g_ptr_array_free(seen.lines, TRUE);
    tu_server_free(srv);
    tu_remove_tree(dir);
    g_free(dir);
}

/* Sends a request with the main wall's version; returns whether it was ok. */
static bool request_ok(const char *op_and_fields)
{
    char *text =
        g_strdup_printf("{\"id\": 1, \"wall\": \"main\", \"version\": %" G_GINT64_FORMAT ", %s}",
                        (gint64)wall_list_find(srv->walls, "main")->version, op_and_fields);
    json_t *reply = ops_handle_text(srv, NULL, text, strlen(text));
    bool ok = json_object_get(reply, "ok") != NULL;
    json_decref(reply);
    g_free(text);
    return ok;
}

START_TEST(refused_merge_emits_nothing)
{
    /* t1 and t4 do not form a rectangle. */
    ck_assert(!request_ok("\"op\": \"tile.merge\", \"tiles\": [\"t1\", \"t4\"]"));
    ck_assert(!request_ok("\"op\": \"tile.merge\", \"tiles\": [\"t1\", \"zz\"]"));
    ck_assert_uint_eq(seen.lines->len, 0);
}
END_TEST

START_TEST(accepted_merge_emits_one_wall_change)
{
    gint64 before = wall_list_find(srv->walls, "main")->version;
    ck_assert(request_ok("\"op\": \"tile.merge\", \"tiles\": [\"t1\", \"t2\"]"));
    ck_assert_uint_eq(seen.lines->len, 1);
    char *want = g_strdup_printf("wall main v%" G_GINT64_FORMAT " tiles 3", before + 1);
    ck_assert_str_eq(line_at(&seen, 0), want);
    g_free(want);
}
END_TEST

START_TEST(presets_emit_saved_and_deleted)
{
    ck_assert(request_ok("\"op\": \"preset.save\", \"name\": \"Morning\""));
    ck_assert_uint_eq(seen.lines->len, 1);
    ck_assert_str_eq(line_at(&seen, 0), "preset Morning");
    ck_assert(!request_ok("\"op\": \"preset.delete\", \"preset\": \"nope\""));
    ck_assert_uint_eq(seen.lines->len, 1);
    const preset *p = g_ptr_array_index(srv->presets->presets, 0);
    char *fields = g_strdup_printf("\"op\": \"preset.delete\", \"preset\": \"%s\"", p->id);
    char *want = g_strdup_printf("deleted %s", p->id);
    ck_assert(request_ok(fields));
    ck_assert_uint_eq(seen.lines->len, 2);
    ck_assert_str_eq(line_at(&seen, 1), want);
    g_free(fields);
    g_free(want);
}
END_TEST

static Suite *bus_suite(void)
{
    Suite *s = suite_create("bus");
    TCase *tc = tcase_create("delivery");
    tcase_add_test(tc, order_and_kinds);
    tcase_add_test(tc, nested_and_changes_during_delivery);
    suite_add_tcase(s, tc);
    tc = tcase_create("changes");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, refused_merge_emits_nothing);
    tcase_add_test(tc, accepted_merge_emits_one_wall_change);
    tcase_add_test(tc, presets_emit_saved_and_deleted);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(bus_suite(), argc, argv);
}
