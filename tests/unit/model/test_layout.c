/* test_layout.c - the layout model: reading, validating and every operation,
 * plus random operation sequences that must never break the invariants. */
#include "layout.h"
#include "test_util.h"

#include <glib.h>
#include <string.h>

/* A layout from JSON text that must be valid. */
static void parse_ok(layout *l, const char *text)
{
    json_t *j = tu_json(text);
    pantau_error err = {0};
    int rc = layout_from_json(l, j, &err);
    json_decref(j);
    ck_assert_msg(rc == 0, "layout refused: %s: %s", err.field, err.message);
}

/* Reads JSON text that must be refused; checks code and field. */
static void parse_refused(const char *text, const char *code, const char *field)
{
    json_t *j = tu_json(text);
    layout *l = g_new0(layout, 1);
    pantau_error err = {0};
    int rc = layout_from_json(l, j, &err);
    json_decref(j);
    g_free(l);
    ck_assert_msg(rc == -1, "layout accepted: %s", text);
    ck_assert_str_eq(err.code, code);
    ck_assert_str_eq(err.field, field);
    ck_assert_msg(err.message[0] != '\0', "no message for %s", text);
}

/* 2x2 grid of four 1x1 tiles t1..t4 showing a, b, nothing, d. */
static void make_quad(layout *l)
{
    parse_ok(l, "{\"columns\": 2, \"rows\": 2, \"tiles\": ["
                "{\"id\": \"t1\", \"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1, \"source\": \"a\"},"
                "{\"id\": \"t2\", \"x\": 1, \"y\": 0, \"w\": 1, \"h\": 1, \"source\": \"b\"},"
                "{\"id\": \"t3\", \"x\": 0, \"y\": 1, \"w\": 1, \"h\": 1, \"source\": null},"
                "{\"id\": \"t4\", \"x\": 1, \"y\": 1, \"w\": 1, \"h\": 1, \"source\": \"d\"}]}");
}

static void assert_valid(const layout *l)
{
    pantau_error err = {0};
    ck_assert_msg(layout_validate(l, &err) == 0, "invalid layout: %s: %s", err.field, err.message);
}

/* Checks that an operation was refused with code and field and changed nothing. */
static void assert_refused(int rc, const pantau_error *err, const layout *before,
                           const layout *after, const char *code, const char *field)
{
    ck_assert_int_eq(rc, -1);
    ck_assert_str_eq(err->code, code);
    ck_assert_str_eq(err->field, field);
    ck_assert_msg(memcmp(before, after, sizeof *before) == 0,
                  "a refused change changed the layout");
}

static const layout_tile *tile(const layout *l, const char *id)
{
    int i = layout_find_tile(l, id);
    ck_assert_msg(i >= 0, "no tile %s", id);
    return &l->tiles[i];
}

static void assert_rect(const layout *l, const char *id, int x, int y, int w, int h)
{
    const layout_tile *t = tile(l, id);
    ck_assert_msg(t->x == x && t->y == y && t->w == w && t->h == h,
                  "tile %s is %d,%d %dx%d, expected %d,%d %dx%d", id, t->x, t->y, t->w, t->h, x, y,
                  w, h);
}

/* ---- layout_from_json ---- */

START_TEST(from_json_reads_tiles_and_sources)
{
    layout l;
    make_quad(&l);
    ck_assert_int_eq(l.columns, 2);
    ck_assert_int_eq(l.rows, 2);
    ck_assert_int_eq(l.n_tiles, 4);
    assert_rect(&l, "t4", 1, 1, 1, 1);
    ck_assert_str_eq(tile(&l, "t1")->source, "a");
    ck_assert_str_eq(tile(&l, "t3")->source, "");
}
END_TEST

START_TEST(from_json_gives_fresh_ids_that_do_not_collide)
{
    layout l;
    parse_ok(&l, "{\"columns\": 3, \"rows\": 1, \"tiles\": ["
                 "{\"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1},"
                 "{\"id\": \"t1\", \"x\": 1, \"y\": 0, \"w\": 1, \"h\": 1},"
                 "{\"id\": null, \"x\": 2, \"y\": 0, \"w\": 1, \"h\": 1}]}");
    ck_assert_str_eq(l.tiles[0].id, "t2");
    ck_assert_str_eq(l.tiles[1].id, "t1");
    ck_assert_str_eq(l.tiles[2].id, "t3");
}
END_TEST

START_TEST(from_json_round_trips_through_to_json)
{
    layout l, again;
    make_quad(&l);
    json_t *j = layout_to_json(&l);
    pantau_error err = {0};
    ck_assert_int_eq(layout_from_json(&again, j, &err), 0);
    json_t *j2 = layout_to_json(&again);
    ck_assert(json_equal(j, j2));
    ck_assert(
        json_is_null(json_object_get(json_array_get(json_object_get(j, "tiles"), 2), "source")));
    json_decref(j);
    json_decref(j2);
}
END_TEST

START_TEST(from_json_accepts_an_empty_layout)
{
    layout l;
    parse_ok(&l, "{\"columns\": 48, \"rows\": 48, \"tiles\": []}");
    ck_assert_int_eq(l.n_tiles, 0);
}
END_TEST

START_TEST(from_json_names_the_bad_field)
{
    parse_refused("[]", ERR_BAD_REQUEST, "");
    parse_refused("{\"rows\": 1, \"tiles\": []}", ERR_BAD_REQUEST, "columns");
    parse_refused("{\"columns\": \"2\", \"rows\": 1, \"tiles\": []}", ERR_BAD_REQUEST, "columns");
    parse_refused("{\"columns\": 49, \"rows\": 1, \"tiles\": []}", ERR_INVALID_LAYOUT, "columns");
    parse_refused("{\"columns\": 2, \"rows\": 0, \"tiles\": []}", ERR_INVALID_LAYOUT, "rows");
    parse_refused("{\"columns\": 2, \"rows\": 1}", ERR_BAD_REQUEST, "tiles");
    parse_refused("{\"columns\": 2, \"rows\": 1, \"tiles\": {}}", ERR_BAD_REQUEST, "tiles");
    parse_refused("{\"columns\": 4, \"rows\": 1, \"tiles\": ["
                  "{\"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1},"
                  "{\"x\": 1, \"y\": 0, \"w\": 1, \"h\": 1},"
                  "{\"x\": 2, \"y\": 0, \"w\": 0, \"h\": 1}]}",
                  ERR_INVALID_LAYOUT, "tiles[2].w");
    parse_refused("{\"columns\": 4, \"rows\": 1, \"tiles\": ["
                  "{\"x\": 0, \"y\": 0, \"w\": 1.5, \"h\": 1}]}",
                  ERR_BAD_REQUEST, "tiles[0].w");
    parse_refused("{\"columns\": 4, \"rows\": 1, \"tiles\": [{\"x\": 0, \"w\": 1, \"h\": 1}]}",
                  ERR_BAD_REQUEST, "tiles[0].y");
    parse_refused("{\"columns\": 4, \"rows\": 1, \"tiles\": ["
                  "{\"id\": \"a b\", \"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1}]}",
                  ERR_BAD_REQUEST, "tiles[0].id");
    parse_refused("{\"columns\": 4, \"rows\": 1, \"tiles\": ["
                  "{\"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1, \"source\": 7}]}",
                  ERR_BAD_REQUEST, "tiles[0].source");
    parse_refused("{\"columns\": 4, \"rows\": 1, \"tiles\": ["
                  "{\"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1, \"source\": \"\"}]}",
                  ERR_BAD_REQUEST, "tiles[0].source");
}
END_TEST

/* A tile that is not an object is named "tiles[1]", like every other field
 * path; "tiles[1]." is not a path. */
START_TEST(from_json_names_a_non_object_tile_without_trailing_dot)
{
    parse_refused("{\"columns\": 4, \"rows\": 1, \"tiles\": ["
                  "{\"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1}, 5]}",
                  ERR_BAD_REQUEST, "tiles[1]");
}
END_TEST

START_TEST(from_json_checks_invariants)
{
    parse_refused("{\"columns\": 2, \"rows\": 2, \"tiles\": ["
                  "{\"x\": 0, \"y\": 0, \"w\": 2, \"h\": 1},"
                  "{\"x\": 1, \"y\": 0, \"w\": 1, \"h\": 2}]}",
                  ERR_INVALID_LAYOUT, "tiles[1]");
    parse_refused("{\"columns\": 2, \"rows\": 2, \"tiles\": ["
                  "{\"x\": 1, \"y\": 0, \"w\": 2, \"h\": 1}]}",
                  ERR_INVALID_LAYOUT, "tiles[0]");
    parse_refused("{\"columns\": 2, \"rows\": 2, \"tiles\": ["
                  "{\"id\": \"x\", \"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1},"
                  "{\"id\": \"x\", \"x\": 1, \"y\": 0, \"w\": 1, \"h\": 1}]}",
                  ERR_INVALID_LAYOUT, "tiles[1].id");
}
END_TEST

START_TEST(from_json_refuses_more_than_256_tiles)
{
    json_t *tiles = json_array();
    for (int i = 0; i < LAYOUT_MAX_TILES + 1; i++)
        json_array_append_new(
            tiles, json_pack("{s:i, s:i, s:i, s:i}", "x", i % 48, "y", i / 48, "w", 1, "h", 1));
    json_t *j = json_pack("{s:i, s:i, s:o}", "columns", 48, "rows", 48, "tiles", tiles);
    layout *l = g_new0(layout, 1);
    pantau_error err = {0};
    ck_assert_int_eq(layout_from_json(l, j, &err), -1);
    ck_assert_str_eq(err.code, ERR_INVALID_LAYOUT);
    ck_assert_str_eq(err.field, "tiles");
    json_array_remove(tiles, 0);
    ck_assert_int_eq(layout_from_json(l, j, &err), 0);
    ck_assert_int_eq(l->n_tiles, LAYOUT_MAX_TILES);
    json_decref(j);
    g_free(l);
}
END_TEST

/* ---- layout_validate ---- */

START_TEST(validate_detects_overlap_bounds_and_duplicates)
{
    layout l;
    pantau_error err = {0};
    make_quad(&l);
    assert_valid(&l);
    l.tiles[3].x = 0; /* t4 onto t3 */
    ck_assert_int_eq(layout_validate(&l, &err), -1);
    ck_assert_str_eq(err.code, ERR_INVALID_LAYOUT);
    ck_assert_str_eq(err.field, "tiles[3]");
    make_quad(&l);
    l.tiles[1].w = 2;
    ck_assert_int_eq(layout_validate(&l, &err), -1);
    ck_assert_str_eq(err.field, "tiles[1]");
    make_quad(&l);
    l.tiles[0].y = -1;
    ck_assert_int_eq(layout_validate(&l, &err), -1);
    ck_assert_str_eq(err.field, "tiles[0]");
    make_quad(&l);
    strcpy(l.tiles[2].id, "t1");
    ck_assert_int_eq(layout_validate(&l, &err), -1);
    ck_assert_str_eq(err.field, "tiles[2].id");
    make_quad(&l);
    l.tiles[2].h = 0;
    ck_assert_int_eq(layout_validate(&l, &err), -1);
    ck_assert_str_eq(err.field, "tiles[2].h");
}
END_TEST

START_TEST(validate_checks_grid_size)
{
    layout l;
    pantau_error err = {0};
    make_quad(&l);
    l.columns = 0;
    ck_assert_int_eq(layout_validate(&l, &err), -1);
    ck_assert_str_eq(err.field, "columns");
    make_quad(&l);
    l.rows = LAYOUT_MAX_CELLS + 1;
    ck_assert_int_eq(layout_validate(&l, &err), -1);
    ck_assert_str_eq(err.field, "rows");
}
END_TEST

START_TEST(id_validity)
{
    ck_assert(layout_id_is_valid("cam-01_a.b:c", 32));
    ck_assert(!layout_id_is_valid("", 32));
    ck_assert(!layout_id_is_valid("a b", 32));
    ck_assert(!layout_id_is_valid("a/b", 32));
    ck_assert(!layout_id_is_valid("\xc3\xa9", 32));
    ck_assert(layout_id_is_valid("abcd", 4));
    ck_assert(!layout_id_is_valid("abcde", 4));
}
END_TEST

/* ---- split ---- */

START_TEST(split_even)
{
    layout l;
    parse_ok(&l,
             "{\"columns\": 4, \"rows\": 2, \"tiles\": ["
             "{\"id\": \"big\", \"x\": 0, \"y\": 0, \"w\": 4, \"h\": 2, \"source\": \"cam\"}]}");
    pantau_error err = {0};
    ck_assert_int_eq(layout_split(&l, "big", 2, 2, &err), 0);
    assert_valid(&l);
    ck_assert_int_eq(l.columns, 4);
    ck_assert_int_eq(l.rows, 2);
    ck_assert_int_eq(l.n_tiles, 4);
    assert_rect(&l, "big", 0, 0, 2, 1);
    ck_assert_str_eq(tile(&l, "big")->source, "cam");
    assert_rect(&l, "t1", 2, 0, 2, 1);
    assert_rect(&l, "t2", 0, 1, 2, 1);
    assert_rect(&l, "t3", 2, 1, 2, 1);
    ck_assert_str_eq(tile(&l, "t1")->source, "");
}
END_TEST

START_TEST(split_uneven_refines_the_grid)
{
    layout l;
    make_quad(&l);
    pantau_error err = {0};
    ck_assert_int_eq(layout_split(&l, "t2", 3, 2, &err), 0);
    assert_valid(&l);
    ck_assert_int_eq(l.columns, 6);
    ck_assert_int_eq(l.rows, 4);
    ck_assert_int_eq(l.n_tiles, 9);
    assert_rect(&l, "t1", 0, 0, 3, 2); /* scaled with the grid */
    assert_rect(&l, "t4", 3, 2, 3, 2);
    assert_rect(&l, "t2", 3, 0, 1, 1);
    ck_assert_str_eq(tile(&l, "t2")->source, "b");
    int cells = 0;
    for (int i = 0; i < l.n_tiles; i++)
        cells += l.tiles[i].w * l.tiles[i].h;
    ck_assert_int_eq(cells, 6 * 4); /* the quad covered everything; so does the result */
}
END_TEST

START_TEST(split_refuses_a_grid_over_48_cells)
{
    layout l, before;
    parse_ok(&l, "{\"columns\": 10, \"rows\": 1, \"tiles\": ["
                 "{\"id\": \"a\", \"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1}]}");
    memcpy(&before, &l, sizeof l);
    pantau_error err = {0};
    int rc = layout_split(&l, "a", 5, 1, &err); /* needs 50 columns */
    assert_refused(rc, &err, &before, &l, ERR_INVALID_LAYOUT, "tile");
    ck_assert_int_eq(layout_split(&l, "a", 4, 1, &err), 0); /* 40 columns is fine */
    ck_assert_int_eq(l.columns, 40);
}
END_TEST

START_TEST(split_refuses_bad_arguments)
{
    layout l, before;
    make_quad(&l);
    memcpy(&before, &l, sizeof l);
    pantau_error err = {0};
    assert_refused(layout_split(&l, "t1", 0, 1, &err), &err, &before, &l, ERR_BAD_REQUEST,
                   "columns");
    assert_refused(layout_split(&l, "t1", 1, 49, &err), &err, &before, &l, ERR_BAD_REQUEST, "rows");
    assert_refused(layout_split(&l, "nope", 2, 1, &err), &err, &before, &l, ERR_NOT_FOUND, "tile");
}
END_TEST

START_TEST(split_refuses_more_than_256_tiles)
{
    layout l, before;
    parse_ok(&l, "{\"columns\": 48, \"rows\": 48, \"tiles\": ["
                 "{\"id\": \"a\", \"x\": 0, \"y\": 0, \"w\": 48, \"h\": 48}]}");
    memcpy(&before, &l, sizeof l);
    pantau_error err = {0};
    assert_refused(layout_split(&l, "a", 24, 12, &err), &err, &before, &l, ERR_INVALID_LAYOUT,
                   "tile");
    ck_assert_int_eq(layout_split(&l, "a", 16, 16, &err), 0);
    ck_assert_int_eq(l.n_tiles, 256);
    assert_valid(&l);
}
END_TEST

/* ---- merge ---- */

START_TEST(merge_rectangle)
{
    layout l;
    make_quad(&l);
    pantau_error err = {0};
    const char *ids[] = {"t2", "t1"};
    ck_assert_int_eq(layout_merge(&l, ids, 2, &err), 0);
    assert_valid(&l);
    ck_assert_int_eq(l.n_tiles, 3);
    assert_rect(&l, "t2", 0, 0, 2, 1);
    ck_assert_str_eq(tile(&l, "t2")->source, "b"); /* the first listed tile's */
    ck_assert_int_lt(layout_find_tile(&l, "t1"), 0);
}
END_TEST

START_TEST(merge_refuses_a_box_covering_another_tile)
{
    layout l, before;
    make_quad(&l);
    memcpy(&before, &l, sizeof l);
    pantau_error err = {0};
    const char *diagonal[] = {"t1", "t4"};
    assert_refused(layout_merge(&l, diagonal, 2, &err), &err, &before, &l, ERR_INVALID_LAYOUT,
                   "tiles");
    /* b sticks out of the box of a and d: partly covered is still refused */
    parse_ok(&l, "{\"columns\": 3, \"rows\": 2, \"tiles\": ["
                 "{\"id\": \"a\", \"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1},"
                 "{\"id\": \"b\", \"x\": 1, \"y\": 0, \"w\": 2, \"h\": 1},"
                 "{\"id\": \"d\", \"x\": 1, \"y\": 1, \"w\": 1, \"h\": 1}]}");
    memcpy(&before, &l, sizeof l);
    const char *a_d[] = {"a", "d"};
    assert_refused(layout_merge(&l, a_d, 2, &err), &err, &before, &l, ERR_INVALID_LAYOUT, "tiles");
    ck_assert_msg(strstr(err.message, "'b'") != NULL, "message does not name b: %s", err.message);
}
END_TEST

START_TEST(merge_refuses_unknown_and_repeated_tiles)
{
    layout l, before;
    make_quad(&l);
    memcpy(&before, &l, sizeof l);
    pantau_error err = {0};
    const char *unknown[] = {"t1", "zz"};
    assert_refused(layout_merge(&l, unknown, 2, &err), &err, &before, &l, ERR_NOT_FOUND,
                   "tiles[1]");
    const char *twice[] = {"t1", "t2", "t1"};
    assert_refused(layout_merge(&l, twice, 3, &err), &err, &before, &l, ERR_BAD_REQUEST,
                   "tiles[2]");
    const char *one[] = {"t1"};
    assert_refused(layout_merge(&l, one, 1, &err), &err, &before, &l, ERR_BAD_REQUEST, "tiles");
}
END_TEST

START_TEST(merge_all_tiles_gives_one)
{
    layout l;
    make_quad(&l);
    pantau_error err = {0};
    const char *all[] = {"t3", "t1", "t2", "t4"};
    ck_assert_int_eq(layout_merge(&l, all, 4, &err), 0);
    ck_assert_int_eq(l.n_tiles, 1);
    assert_rect(&l, "t3", 0, 0, 2, 2);
    ck_assert_str_eq(l.tiles[0].source, "");
}
END_TEST

/* ---- resize ---- */

START_TEST(resize_moves_into_free_cells)
{
    layout l;
    parse_ok(&l, "{\"columns\": 3, \"rows\": 2, \"tiles\": ["
                 "{\"id\": \"a\", \"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1}]}");
    pantau_error err = {0};
    ck_assert_int_eq(layout_resize(&l, "a", 1, 0, 2, 2, &err), 0);
    assert_rect(&l, "a", 1, 0, 2, 2);
}
END_TEST

START_TEST(resize_refusals_leave_the_layout_unchanged)
{
    layout l, before;
    parse_ok(&l, "{\"columns\": 3, \"rows\": 2, \"tiles\": ["
                 "{\"id\": \"a\", \"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1},"
                 "{\"id\": \"b\", \"x\": 2, \"y\": 1, \"w\": 1, \"h\": 1}]}");
    memcpy(&before, &l, sizeof l);
    pantau_error err = {0};
    assert_refused(layout_resize(&l, "a", 2, 0, 2, 1, &err), &err, &before, &l, ERR_INVALID_LAYOUT,
                   "tile");
    assert_refused(layout_resize(&l, "a", -1, 0, 1, 1, &err), &err, &before, &l, ERR_INVALID_LAYOUT,
                   "tile");
    assert_refused(layout_resize(&l, "a", 0, 0, 3, 2, &err), &err, &before, &l, ERR_INVALID_LAYOUT,
                   "tile");
    assert_refused(layout_resize(&l, "a", 0, 0, 0, 1, &err), &err, &before, &l, ERR_INVALID_LAYOUT,
                   "w");
    assert_refused(layout_resize(&l, "a", 0, 0, 1, 0, &err), &err, &before, &l, ERR_INVALID_LAYOUT,
                   "h");
    assert_refused(layout_resize(&l, "c", 0, 0, 1, 1, &err), &err, &before, &l, ERR_NOT_FOUND,
                   "tile");
}
END_TEST

/* ---- swap, clear, set_source ---- */

START_TEST(swap_exchanges_sources_only)
{
    layout l;
    make_quad(&l);
    pantau_error err = {0};
    ck_assert_int_eq(layout_swap(&l, "t1", "t3", &err), 0);
    ck_assert_str_eq(tile(&l, "t1")->source, "");
    ck_assert_str_eq(tile(&l, "t3")->source, "a");
    assert_rect(&l, "t1", 0, 0, 1, 1);
    ck_assert_int_eq(layout_swap(&l, "t2", "t2", &err), 0);
    ck_assert_str_eq(tile(&l, "t2")->source, "b");
}
END_TEST

START_TEST(swap_refuses_unknown_tiles)
{
    layout l, before;
    make_quad(&l);
    memcpy(&before, &l, sizeof l);
    pantau_error err = {0};
    assert_refused(layout_swap(&l, "x", "t1", &err), &err, &before, &l, ERR_NOT_FOUND, "a");
    assert_refused(layout_swap(&l, "t1", "x", &err), &err, &before, &l, ERR_NOT_FOUND, "b");
}
END_TEST

START_TEST(clear_keeps_tiles)
{
    layout l;
    make_quad(&l);
    layout_clear(&l);
    ck_assert_int_eq(l.n_tiles, 4);
    for (int i = 0; i < l.n_tiles; i++)
        ck_assert_str_eq(l.tiles[i].source, "");
    assert_rect(&l, "t4", 1, 1, 1, 1);
}
END_TEST

START_TEST(set_source_sets_and_clears)
{
    layout l, before;
    make_quad(&l);
    pantau_error err = {0};
    ck_assert_int_eq(layout_set_source(&l, "t3", "cam-9", &err), 0);
    ck_assert_str_eq(tile(&l, "t3")->source, "cam-9");
    ck_assert_int_eq(layout_set_source(&l, "t3", NULL, &err), 0);
    ck_assert_str_eq(tile(&l, "t3")->source, "");
    memcpy(&before, &l, sizeof l);
    assert_refused(layout_set_source(&l, "t9", "cam", &err), &err, &before, &l, ERR_NOT_FOUND,
                   "tile");
}
END_TEST

/* ---- random operation sequences ---- */

static const char *random_tile_id(const layout *l, GRand *r)
{
    if (l->n_tiles == 0 || g_rand_int_range(r, 0, 20) == 0)
        return "missing";
    return l->tiles[g_rand_int_range(r, 0, l->n_tiles)].id;
}

static int random_merge(layout *l, GRand *r, pantau_error *err)
{
    const char *ids[4];
    int n = g_rand_int_range(r, 1, 5);
    for (int k = 0; k < n; k++)
        ids[k] = random_tile_id(l, r);
    return layout_merge(l, ids, n, err);
}

static int random_op(layout *l, GRand *r, pantau_error *err)
{
    switch (g_rand_int_range(r, 0, 7)) {
    case 0:
        return layout_split(l, random_tile_id(l, r), g_rand_int_range(r, 0, 5),
                            g_rand_int_range(r, 0, 5), err);
    case 1:
        return random_merge(l, r, err);
    case 2:
        return layout_resize(l, random_tile_id(l, r), g_rand_int_range(r, -1, l->columns),
                             g_rand_int_range(r, -1, l->rows), g_rand_int_range(r, 0, 6),
                             g_rand_int_range(r, 0, 6), err);
    case 3:
        return layout_swap(l, random_tile_id(l, r), random_tile_id(l, r), err);
    case 4:
        return layout_set_source(l, random_tile_id(l, r), g_rand_boolean(r) ? "cam" : NULL, err);
    case 5:
        layout_clear(l);
        return 0;
    default: /* shrink back so splits keep being possible */
        return l->n_tiles > 40 ? random_merge(l, r, err) : 0;
    }
}

START_TEST(random_operations_keep_the_layout_valid)
{
    GRand *r = g_rand_new_with_seed(20240601u + (guint32)_i);
    layout *l = g_new0(layout, 1), *before = g_new0(layout, 1);
    make_quad(l);
    int ok = 0;
    for (int step = 0; step < 2000; step++) {
        memcpy(before, l, sizeof *l);
        pantau_error err = {0};
        if (random_op(l, r, &err) == 0) {
            ok++;
        } else {
            ck_assert_msg(err.code != NULL, "step %d: refused without a code", step);
            ck_assert_msg(memcmp(before, l, sizeof *l) == 0, "step %d: refused op changed it",
                          step);
        }
        pantau_error verr = {0};
        ck_assert_msg(layout_validate(l, &verr) == 0, "step %d: %s: %s", step, verr.field,
                      verr.message);
    }
    ck_assert_int_gt(ok, 100);
    g_free(l);
    g_free(before);
    g_rand_free(r);
}
END_TEST

static Suite *layout_suite(void)
{
    Suite *s = suite_create("layout");
    TCase *tc = tcase_create("from_json");
    tcase_add_test(tc, from_json_reads_tiles_and_sources);
    tcase_add_test(tc, from_json_gives_fresh_ids_that_do_not_collide);
    tcase_add_test(tc, from_json_round_trips_through_to_json);
    tcase_add_test(tc, from_json_accepts_an_empty_layout);
    tcase_add_test(tc, from_json_names_the_bad_field);
    tcase_add_test(tc, from_json_names_a_non_object_tile_without_trailing_dot);
    tcase_add_test(tc, from_json_checks_invariants);
    tcase_add_test(tc, from_json_refuses_more_than_256_tiles);
    suite_add_tcase(s, tc);

    tc = tcase_create("validate");
    tcase_add_test(tc, validate_detects_overlap_bounds_and_duplicates);
    tcase_add_test(tc, validate_checks_grid_size);
    tcase_add_test(tc, id_validity);
    suite_add_tcase(s, tc);

    tc = tcase_create("split");
    tcase_add_test(tc, split_even);
    tcase_add_test(tc, split_uneven_refines_the_grid);
    tcase_add_test(tc, split_refuses_a_grid_over_48_cells);
    tcase_add_test(tc, split_refuses_bad_arguments);
    tcase_add_test(tc, split_refuses_more_than_256_tiles);
    suite_add_tcase(s, tc);

    tc = tcase_create("merge");
    tcase_add_test(tc, merge_rectangle);
    tcase_add_test(tc, merge_refuses_a_box_covering_another_tile);
    tcase_add_test(tc, merge_refuses_unknown_and_repeated_tiles);
    tcase_add_test(tc, merge_all_tiles_gives_one);
    suite_add_tcase(s, tc);

    tc = tcase_create("resize");
    tcase_add_test(tc, resize_moves_into_free_cells);
    tcase_add_test(tc, resize_refusals_leave_the_layout_unchanged);
    suite_add_tcase(s, tc);

    tc = tcase_create("swap_clear_source");
    tcase_add_test(tc, swap_exchanges_sources_only);
    tcase_add_test(tc, swap_refuses_unknown_tiles);
    tcase_add_test(tc, clear_keeps_tiles);
    tcase_add_test(tc, set_source_sets_and_clears);
    suite_add_tcase(s, tc);

    tc = tcase_create("random_ops");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, random_operations_keep_the_layout_valid, 0, 3);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(layout_suite(), argc, argv);
}
