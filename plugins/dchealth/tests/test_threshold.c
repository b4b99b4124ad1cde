/* Threshold crossing and clearing with hysteresis, and named conditions:
 * one edge per change, never a repeat while a condition holds. */
#include "../dch_threshold.h"
#include "dch_test_run.h"

#include <math.h>

START_TEST(test_crossing_once_with_hysteresis)
{
    dch_threshold t = dch_threshold_make(90, 5);
    const double values[] = {50,   89.9, 90, 90.1, 95, 99,   91,  86,
                             85.5, 84.9, 80, 84,   89, 90.5, 90.5};
    const enum dch_edge want[] = {DCH_EDGE_NONE, DCH_EDGE_NONE,    DCH_EDGE_NONE, DCH_EDGE_RAISED,
                                  DCH_EDGE_NONE, DCH_EDGE_NONE,    DCH_EDGE_NONE, DCH_EDGE_NONE,
                                  DCH_EDGE_NONE, DCH_EDGE_CLEARED, DCH_EDGE_NONE, DCH_EDGE_NONE,
                                  DCH_EDGE_NONE, DCH_EDGE_RAISED,  DCH_EDGE_NONE};
    int raised = 0, cleared = 0;
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        enum dch_edge e = dch_threshold_feed(&t, values[i]);
        ck_assert_msg(e == want[i], "value %zu (%.1f): edge %d, want %d", i, values[i], e, want[i]);
        raised += e == DCH_EDGE_RAISED;
        cleared += e == DCH_EDGE_CLEARED;
    }
    ck_assert_int_eq(raised, 2);
    ck_assert_int_eq(cleared, 1);
    ck_assert(t.active);
}
END_TEST

START_TEST(test_flapping_around_the_threshold)
{
    /* Noise of +-2 around the threshold raises once and never clears. */
    dch_threshold t = dch_threshold_make(90, 5);
    int edges = 0;
    for (int i = 0; i < 1000; i++)
        edges += dch_threshold_feed(&t, 90 + 2 * sin(i)) != DCH_EDGE_NONE;
    ck_assert_int_eq(edges, 1);
}
END_TEST

START_TEST(test_nan_and_no_hysteresis)
{
    dch_threshold t = dch_threshold_make(10, -3);
    ck_assert_double_eq(t.clear_at, 10);
    ck_assert_int_eq(dch_threshold_feed(&t, NAN), DCH_EDGE_NONE);
    ck_assert_int_eq(dch_threshold_feed(&t, 11), DCH_EDGE_RAISED);
    ck_assert_int_eq(dch_threshold_feed(&t, NAN), DCH_EDGE_NONE);
    ck_assert(t.active);
    ck_assert_int_eq(dch_threshold_feed(&t, 10), DCH_EDGE_NONE);
    ck_assert_int_eq(dch_threshold_feed(&t, 9.99), DCH_EDGE_CLEARED);
    /* A NaN threshold never raises. */
    dch_threshold none = dch_threshold_make(NAN, 5);
    ck_assert_int_eq(dch_threshold_feed(&none, 1e300), DCH_EDGE_NONE);
    ck_assert_int_eq(dch_threshold_feed(&none, INFINITY), DCH_EDGE_NONE);
}
END_TEST

START_TEST(test_conditions)
{
    dch_conditions *c = dch_conditions_new();
    ck_assert(!dch_conditions_get(c, "check:web:down"));
    ck_assert_int_eq(dch_conditions_set(c, "check:web:down", false), DCH_EDGE_NONE);
    ck_assert_int_eq(dch_conditions_set(c, "check:web:down", true), DCH_EDGE_RAISED);
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(dch_conditions_set(c, "check:web:down", true), DCH_EDGE_NONE);
    ck_assert_int_eq(dch_conditions_set(c, "ups:on_battery", true), DCH_EDGE_RAISED);
    ck_assert(dch_conditions_get(c, "check:web:down"));
    ck_assert_int_eq(dch_conditions_set(c, "check:web:down", false), DCH_EDGE_CLEARED);
    ck_assert_int_eq(dch_conditions_set(c, "check:web:down", false), DCH_EDGE_NONE);
    ck_assert(dch_conditions_get(c, "ups:on_battery"));
    dch_conditions_free(c);
    dch_conditions_free(NULL);
}
END_TEST

static Suite *threshold_suite(void)
{
    Suite *s = suite_create("threshold");
    TCase *crossing = tcase_create("crossing");
    tcase_add_test(crossing, test_crossing_once_with_hysteresis);
    tcase_add_test(crossing, test_flapping_around_the_threshold);
    tcase_add_test(crossing, test_nan_and_no_hysteresis);
    suite_add_tcase(s, crossing);
    TCase *conditions = tcase_create("conditions");
    tcase_add_test(conditions, test_conditions);
    suite_add_tcase(s, conditions);
    return s;
}

int main(int argc, char **argv)
{
    return dch_test_run(threshold_suite(), argc, argv);
}
