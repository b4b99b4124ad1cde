/* Threshold crossing and clearing with hysteresis, and named conditions:
 * one edge per change, never a repeat while a condition holds. */
#include "../dch_threshold.h"
#include "pt_check.h"

#include <math.h>

START_TEST(test_crossing_once_with_hysteresis)
{
    pt_threshold t;
    dch_threshold_init(&t, 90, 5);
    const double values[] = {50,   89.9, 90, 90.1, 95, 99,   91,  86,
                             85.5, 84.9, 80, 84,   89, 90.5, 90.5};
    const pt_change want[] = {PT_UNCHANGED, PT_UNCHANGED, PT_UNCHANGED, PT_RAISED,    PT_UNCHANGED,
                              PT_UNCHANGED, PT_UNCHANGED, PT_UNCHANGED, PT_UNCHANGED, PT_CLEARED,
                              PT_UNCHANGED, PT_UNCHANGED, PT_UNCHANGED, PT_RAISED,    PT_UNCHANGED};
    int raised = 0, cleared = 0;
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        pt_change e = pt_threshold_feed(&t, values[i], (int64_t)i);
        ck_assert_msg(e == want[i], "value %zu (%.1f): change %d, want %d", i, values[i], e,
                      want[i]);
        raised += e == PT_RAISED;
        cleared += e == PT_CLEARED;
    }
    ck_assert_int_eq(raised, 2);
    ck_assert_int_eq(cleared, 1);
    ck_assert(t.active);
}
END_TEST

START_TEST(test_flapping_around_the_threshold)
{
    /* Noise of +-2 around the threshold raises once and never clears. */
    pt_threshold t;
    dch_threshold_init(&t, 90, 5);
    int edges = 0;
    for (int i = 0; i < 1000; i++)
        edges += pt_threshold_feed(&t, 90 + 2 * sin(i), i) != PT_UNCHANGED;
    ck_assert_int_eq(edges, 1);
}
END_TEST

START_TEST(test_nan_and_no_hysteresis)
{
    /* No hysteresis: raises above 10, clears only below 10. */
    pt_threshold t;
    dch_threshold_init(&t, 10, -3);
    ck_assert_int_eq(pt_threshold_feed(&t, NAN, 0), PT_UNCHANGED);
    ck_assert_int_eq(pt_threshold_feed(&t, 11, 1), PT_RAISED);
    ck_assert_int_eq(pt_threshold_feed(&t, NAN, 2), PT_UNCHANGED);
    ck_assert(t.active);
    ck_assert_int_eq(pt_threshold_feed(&t, 10, 3), PT_UNCHANGED);
    ck_assert_int_eq(pt_threshold_feed(&t, 9.99, 4), PT_CLEARED);
    /* A NaN threshold never raises. */
    pt_threshold none;
    dch_threshold_init(&none, NAN, 5);
    ck_assert_int_eq(pt_threshold_feed(&none, 1e300, 0), PT_UNCHANGED);
    ck_assert_int_eq(pt_threshold_feed(&none, INFINITY, 1), PT_UNCHANGED);
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
    return pt_check_run(threshold_suite(), argc, argv);
}
