/* Unit tests of traffic_feed: levels, the feed JSON with a field mapping on
 * good and hostile input, and the deterministic daily simulation. */
#include "../../common/tests/pt_check.h"
#include "traffic_feed.h"

#include <glib.h>

#include <math.h>
#include <string.h>

static const traffic_mapping default_map = {"/corridors", "/id",    "/name",
                                            "/count",     "/speed", "/level"};
static const traffic_limits limits = {30, 15};

static int parse(const char *text, const traffic_mapping *map, traffic_reading *out, int *skipped,
                 char *err)
{
    json_t *doc = json_loads(text, JSON_DECODE_ANY, NULL);
    ck_assert_msg(doc != NULL, "test JSON: %s", text);
    int n = traffic_parse_feed(doc, map, &limits, out, 8, skipped, err, 256);
    json_decref(doc);
    return n;
}

START_TEST(level_words)
{
    traffic_level l;
    json_t *v = json_string("MACET");
    ck_assert_int_eq(traffic_level_parse(v, &l), 0);
    ck_assert_int_eq(l, TRAFFIC_JAMMED);
    json_decref(v);
    v = json_integer(1);
    ck_assert_int_eq(traffic_level_parse(v, &l), 0);
    ck_assert_int_eq(l, TRAFFIC_DENSE);
    json_decref(v);
    v = json_integer(3);
    ck_assert_int_eq(traffic_level_parse(v, &l), -1);
    json_decref(v);
    v = json_string("chaos");
    ck_assert_int_eq(traffic_level_parse(v, &l), -1);
    json_decref(v);
    ck_assert_int_eq(traffic_level_parse(NULL, &l), -1);
    ck_assert_int_eq(traffic_level_from_speed(40, &limits), TRAFFIC_FREE);
    ck_assert_int_eq(traffic_level_from_speed(29.9, &limits), TRAFFIC_DENSE);
    ck_assert_int_eq(traffic_level_from_speed(14, &limits), TRAFFIC_JAMMED);
    ck_assert_str_eq(traffic_level_name(TRAFFIC_DENSE), "dense");
}
END_TEST

START_TEST(parse_good)
{
    traffic_reading r[8];
    int skipped = -1;
    char err[256] = "";
    int n = parse("{\"corridors\":[{\"id\":\"a\",\"name\":\"Jl. A\",\"count\":120,\"speed\":42.5,"
                  "\"level\":\"free\"},{\"id\":7,\"count\":10,\"speed\":10}]}",
                  &default_map, r, &skipped, err);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(skipped, 0);
    ck_assert_str_eq(r[0].id, "a");
    ck_assert_str_eq(r[0].name, "Jl. A");
    ck_assert(r[0].count == 120 && r[0].speed == 42.5 && r[0].level == TRAFFIC_FREE);
    ck_assert_str_eq(r[1].id, "7");
    ck_assert_str_eq(r[1].name, "7");             /* name defaults to the id */
    ck_assert_int_eq(r[1].level, TRAFFIC_JAMMED); /* no level: from the speed */
}
END_TEST

START_TEST(parse_mapping)
{
    traffic_mapping map = {"/data/segments", "/kode", "/info/nama", "/volume", "/kecepatan", ""};
    traffic_reading r[8];
    int skipped;
    char err[256];
    int n = parse("{\"data\":{\"segments\":[{\"kode\":\"S1\",\"info\":{\"nama\":\"Simpang Lima\"},"
                  "\"volume\":300,\"kecepatan\":22,\"level\":\"free\"}]}}",
                  &map, r, &skipped, err);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(r[0].name, "Simpang Lima");
    ck_assert_int_eq(r[0].level, TRAFFIC_DENSE); /* level pointer empty: from speed */
    /* A root array with list pointer "". */
    traffic_mapping root = {"", "/id", "/name", "/count", "/speed", "/level"};
    n = parse("[{\"id\":\"x\",\"count\":1,\"speed\":50,\"level\":2}]", &root, r, &skipped, err);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(r[0].level, TRAFFIC_JAMMED);
    /* An empty list is valid: no corridors. */
    ck_assert_int_eq(parse("{\"corridors\":[]}", &default_map, r, &skipped, err), 0);
}
END_TEST

START_TEST(parse_wrong_shape)
{
    traffic_reading r[8];
    int skipped;
    char err[256];
    const char *docs[] = {
        "{\"items\":[]}", "{\"corridors\":{\"id\":1}}", "[1,2]", "\"text\"", "null", "42", NULL};
    for (int i = 0; docs[i]; i++) {
        ck_assert_int_eq(parse(docs[i], &default_map, r, &skipped, err), -1);
        ck_assert_msg(strstr(err, "no list at '/corridors'"), "%s -> %s", docs[i], err);
    }
}
END_TEST

START_TEST(parse_bad_items)
{
    traffic_reading r[8];
    int skipped;
    char err[256];
    /* Every item unusable: an error naming the first bad one. */
    int n = parse("{\"corridors\":[{\"id\":\"a\",\"count\":\"many\",\"speed\":3},1,null,"
                  "{\"id\":\"b\",\"count\":1,\"speed\":-4},{\"id\":\"c\",\"count\":1,\"speed\":4,"
                  "\"level\":\"purple\"},{\"id\":{},\"count\":1,\"speed\":1}]}",
                  &default_map, r, &skipped, err);
    ck_assert_int_eq(n, -1);
    ck_assert_int_eq(skipped, 6);
    ck_assert_msg(strstr(err, "item 0: count (/count) is missing or not a number"), "%s", err);
    /* Some usable: those are kept, the rest counted. */
    n = parse("{\"corridors\":[{\"id\":\"a\",\"count\":1,\"speed\":1e300},{\"id\":\"ok\",\"count\":"
              "5,\"speed\":50}]}",
              &default_map, r, &skipped, err);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(skipped, 1);
    ck_assert_str_eq(r[0].id, "ok");
    /* Over-long ids and names are cut, never overflow. */
    char text[2048];
    char longs[600];
    memset(longs, 'x', sizeof longs - 1);
    longs[sizeof longs - 1] = '\0';
    snprintf(text, sizeof text,
             "{\"corridors\":[{\"id\":\"%s\",\"name\":\"%s\",\"count\":1,"
             "\"speed\":1}]}",
             longs, longs);
    ck_assert_int_eq(parse(text, &default_map, r, &skipped, err), 1);
    ck_assert_int_eq(strlen(r[0].id), sizeof r[0].id - 1);
}
END_TEST

START_TEST(parse_caps_items)
{
    GString *s = g_string_new("{\"corridors\":[");
    for (int i = 0; i < 20; i++)
        g_string_append_printf(s, "%s{\"id\":\"c%d\",\"count\":1,\"speed\":40}", i ? "," : "", i);
    g_string_append(s, "]}");
    traffic_reading r[8];
    int skipped;
    char err[256];
    ck_assert_int_eq(parse(s->str, &default_map, r, &skipped, err), 8);
    g_string_free(s, TRUE);
}
END_TEST

static const traffic_sim_corridor road = {"dago", "Simpang Dago", 2400, 45};

/* 2024-05-15 (a Wednesday) at hh:mm WIB, in ms. */
static int64_t wib(int hh, int mm)
{
    return ((int64_t)1715706000 + hh * 3600 + mm * 60) * 1000; /* 2024-05-15 00:00 WIB */
}

START_TEST(simulate_deterministic)
{
    traffic_reading a, b, c;
    traffic_simulate("traffic-1", &road, wib(8, 0), 7 * 3600, 10, &limits, &a);
    traffic_simulate("traffic-1", &road, wib(8, 0) + 3, 7 * 3600, 10, &limits, &b);
    ck_assert_mem_eq(&a, &b, sizeof a);
    traffic_simulate("traffic-2", &road, wib(8, 0), 7 * 3600, 10, &limits, &c);
    ck_assert_msg(a.count != c.count || a.speed != c.speed, "another source id, other numbers");
    ck_assert_str_eq(a.id, "dago");
    ck_assert_str_eq(a.name, "Simpang Dago");
}
END_TEST

START_TEST(simulate_daily_rhythm)
{
    ck_assert(traffic_demand(7.5) > 0.8 && traffic_demand(17.5) > 0.8);
    ck_assert(traffic_demand(3) < 0.25 && traffic_demand(12.5) < traffic_demand(7.5));
    /* Over many corridors: slower and busier at the peaks than at night. */
    double night_speed = 0, peak_speed = 0, night_count = 0, peak_count = 0;
    int jammed_at_peak = 0;
    for (int i = 0; i < 40; i++) {
        char id[16];
        snprintf(id, sizeof id, "c%d", i);
        traffic_sim_corridor c = {id, id, 2000, 45};
        traffic_reading n, p;
        traffic_simulate("src", &c, wib(3, 0), 7 * 3600, 60, &limits, &n);
        traffic_simulate("src", &c, wib(17, 30), 7 * 3600, 60, &limits, &p);
        night_speed += n.speed, peak_speed += p.speed;
        night_count += n.count, peak_count += p.count;
        jammed_at_peak += p.level == TRAFFIC_JAMMED;
        ck_assert_int_eq(n.level, TRAFFIC_FREE);
        ck_assert(p.speed > 0 && p.count >= 0);
    }
    ck_assert(peak_speed < night_speed * 0.6);
    ck_assert(peak_count > night_count * 2);
    ck_assert_msg(jammed_at_peak > 5 && jammed_at_peak < 40, "jammed at peak: %d", jammed_at_peak);
}
END_TEST

static Suite *traffic_suite(void)
{
    Suite *s = suite_create("traffic_feed");
    TCase *tc = tcase_create("levels");
    tcase_add_test(tc, level_words);
    suite_add_tcase(s, tc);
    tc = tcase_create("parse");
    tcase_add_test(tc, parse_good);
    tcase_add_test(tc, parse_mapping);
    suite_add_tcase(s, tc);
    tc = tcase_create("hostile");
    tcase_add_test(tc, parse_wrong_shape);
    tcase_add_test(tc, parse_bad_items);
    tcase_add_test(tc, parse_caps_items);
    suite_add_tcase(s, tc);
    tc = tcase_create("simulate");
    tcase_add_test(tc, simulate_deterministic);
    tcase_add_test(tc, simulate_daily_rhythm);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return pt_check_run(traffic_suite(), argc, argv);
}
