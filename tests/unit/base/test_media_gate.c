/* test_media_gate.c - per-client video frame admission: frames join while
 * they fit, a refused frame makes its stream (and only that stream) wait for
 * a keyframe that fits, and every refusal is counted. */
#include "media_gate.h"
#include "test_util.h"

#include <glib.h>

#define QUEUE_MAX 1000

static media_gate gate;

static void setup(void)
{
    media_gate_init(&gate);
}

static void teardown(void)
{
    media_gate_clear(&gate);
}

static bool admit(uint32_t stream, bool keyframe, size_t len, size_t queued)
{
    return media_gate_admit(&gate, stream, keyframe, len, queued, QUEUE_MAX);
}

/* ---- admit ---- */

START_TEST(admit_while_fitting)
{
    ck_assert(admit(1, true, 400, 0));
    ck_assert(admit(1, false, 300, 400));
    ck_assert(admit(1, false, 300, 700)); /* exactly full */
    ck_assert(admit(1, false, 0, 1000));  /* nothing more still fits */
    ck_assert_uint_eq(gate.dropped, 0);
    ck_assert_uint_eq(g_hash_table_size(gate.waiting), 0);
}
END_TEST

START_TEST(admit_drops_until_keyframe)
{
    ck_assert(admit(1, false, 200, 700));
    ck_assert(!admit(1, false, 200, 900)); /* does not fit */
    ck_assert_uint_eq(gate.dropped, 1);
    /* The queue drained, but delta frames would decode to garbage now. */
    ck_assert(!admit(1, false, 10, 0));
    ck_assert(!admit(1, false, 10, 0));
    ck_assert_uint_eq(gate.dropped, 3);
    /* A keyframe that fits ends the wait. */
    ck_assert(admit(1, true, 500, 0));
    ck_assert(admit(1, false, 10, 500));
    ck_assert(admit(1, false, 10, 510));
    ck_assert_uint_eq(gate.dropped, 3);
}
END_TEST

START_TEST(admit_big_keyframe_keeps_waiting)
{
    ck_assert(!admit(1, false, 600, 600));
    ck_assert(!admit(1, true, 900, 200)); /* keyframe, but it does not fit */
    ck_assert(!admit(1, false, 1, 0));    /* still waiting */
    ck_assert(!admit(1, true, 1001, 0));  /* larger than the whole queue */
    ck_assert(!admit(1, false, 1, 0));
    ck_assert_uint_eq(gate.dropped, 5);
    ck_assert(admit(1, true, 1000, 0));
    ck_assert(admit(1, false, 1, 0));
    ck_assert_uint_eq(gate.dropped, 5);
}
END_TEST

START_TEST(admit_keyframe_that_does_not_fit_starts_wait)
{
    ck_assert(!admit(1, true, 800, 300));
    ck_assert(!admit(1, false, 10, 0));
    ck_assert(admit(1, true, 10, 0));
    ck_assert_uint_eq(gate.dropped, 2);
}
END_TEST

START_TEST(skips_only_delta_frames_of_a_waiting_stream)
{
    ck_assert(!media_gate_skips(&gate, 1, false));
    media_gate_wait_for_keyframe(&gate, 1);
    ck_assert(media_gate_skips(&gate, 1, false));
    ck_assert(!media_gate_skips(&gate, 1, true));
    ck_assert(!media_gate_skips(&gate, 2, false));
    ck_assert_uint_eq(gate.dropped, 0); /* asking drops nothing */
    ck_assert(admit(1, true, 1, 0));
    ck_assert(!media_gate_skips(&gate, 1, false));
}
END_TEST

/* ---- streams ---- */

START_TEST(streams_are_independent)
{
    ck_assert(!admit(1, false, 600, 600)); /* stream 1 starts waiting */
    ck_assert(admit(2, false, 100, 0));    /* stream 2 goes on */
    ck_assert(admit(2, false, 100, 100));
    ck_assert(!admit(1, false, 100, 0));
    ck_assert(!admit(2, false, 900, 200)); /* now stream 2 waits as well */
    ck_assert(admit(1, true, 100, 0));     /* stream 1's keyframe ends only its wait */
    ck_assert(admit(1, false, 100, 100));
    ck_assert(!admit(2, false, 1, 0));
    ck_assert(admit(2, true, 1, 0));
    ck_assert(admit(3, false, 1, 0)); /* a stream never seen */
    ck_assert(admit(0, false, 1, 0)); /* id 0 is a stream like any other */
    ck_assert(admit(UINT32_MAX, false, 1, 0));
    ck_assert_uint_eq(gate.dropped, 4);
}
END_TEST

START_TEST(streams_id_zero_and_max)
{
    /* Ids stored as pointers: 0 and UINT32_MAX must work like the rest. */
    ck_assert(!admit(0, false, 2000, 0));
    ck_assert(!admit(0, false, 1, 0));
    ck_assert(admit(UINT32_MAX, false, 1, 0));
    ck_assert(!admit(UINT32_MAX, false, 2000, 0));
    ck_assert(!admit(UINT32_MAX, false, 1, 0));
    ck_assert(admit(0, true, 1, 0));
    ck_assert(!admit(UINT32_MAX, false, 1, 0));
    ck_assert(admit(UINT32_MAX, true, 1, 0));
    ck_assert_uint_eq(gate.dropped, 5);
}
END_TEST

/* ---- wait_for_keyframe and forget ---- */

START_TEST(wait_for_keyframe)
{
    media_gate_wait_for_keyframe(&gate, 5);
    ck_assert(!admit(5, false, 1, 0));
    ck_assert(!admit(5, false, 1, 0));
    ck_assert(admit(6, false, 1, 0));
    ck_assert(admit(5, true, 1, 0));
    ck_assert(admit(5, false, 1, 0));
    ck_assert_uint_eq(gate.dropped, 2);
    /* Twice is the same as once. */
    media_gate_wait_for_keyframe(&gate, 5);
    media_gate_wait_for_keyframe(&gate, 5);
    ck_assert(!admit(5, false, 1, 0));
    ck_assert(admit(5, true, 1, 0));
    ck_assert_uint_eq(g_hash_table_size(gate.waiting), 0);
}
END_TEST

START_TEST(forget_clears_wait)
{
    ck_assert(!admit(1, false, 2000, 0));
    media_gate_wait_for_keyframe(&gate, 2);
    media_gate_forget(&gate, 1);
    ck_assert(admit(1, false, 1, 0));
    ck_assert(!admit(2, false, 1, 0)); /* the other stream still waits */
    media_gate_forget(&gate, 2);
    media_gate_forget(&gate, 2); /* forgetting an unknown stream is harmless */
    media_gate_forget(&gate, 99);
    ck_assert(admit(2, false, 1, 0));
    ck_assert_uint_eq(g_hash_table_size(gate.waiting), 0);
    ck_assert_uint_eq(gate.dropped, 2); /* forgetting does not reset the count */
}
END_TEST

START_TEST(clear_and_init_again)
{
    ck_assert(!admit(1, false, 2000, 0));
    media_gate_clear(&gate);
    ck_assert_ptr_null(gate.waiting);
    media_gate_clear(&gate); /* twice is harmless */
    media_gate_init(&gate);
    ck_assert_uint_eq(gate.dropped, 0);
    ck_assert(admit(1, false, 1, 0));
}
END_TEST

/* ---- counter ---- */

START_TEST(dropped_counts_every_refusal)
{
    uint64_t expected = 0;
    GRand *rng = g_rand_new_with_seed(3);
    bool waiting[4] = {false};
    for (int i = 0; i < 10000; i++) {
        uint32_t stream = (uint32_t)g_rand_int_range(rng, 0, 4);
        bool key = g_rand_int_range(rng, 0, 10) == 0;
        size_t len = (size_t)g_rand_int_range(rng, 0, 600);
        size_t queued = (size_t)g_rand_int_range(rng, 0, 1000);
        /* The rule, written out. */
        bool fits = queued + len <= QUEUE_MAX;
        bool want = fits && (key || !waiting[stream]);
        if (!fits)
            waiting[stream] = true;
        else if (key)
            waiting[stream] = false;
        if (!want)
            expected++;
        ck_assert_int_eq(admit(stream, key, len, queued), want);
        ck_assert_uint_eq(gate.dropped, expected);
    }
    ck_assert_uint_gt(expected, 0);
    g_rand_free(rng);
}
END_TEST

static Suite *media_gate_suite(void)
{
    Suite *s = suite_create("media_gate");
    TCase *tc = tcase_create("admit");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, admit_while_fitting);
    tcase_add_test(tc, admit_drops_until_keyframe);
    tcase_add_test(tc, admit_big_keyframe_keeps_waiting);
    tcase_add_test(tc, skips_only_delta_frames_of_a_waiting_stream);
    tcase_add_test(tc, admit_keyframe_that_does_not_fit_starts_wait);
    suite_add_tcase(s, tc);

    tc = tcase_create("streams");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, streams_are_independent);
    tcase_add_test(tc, streams_id_zero_and_max);
    suite_add_tcase(s, tc);

    tc = tcase_create("wait_forget");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, wait_for_keyframe);
    tcase_add_test(tc, forget_clears_wait);
    tcase_add_test(tc, clear_and_init_again);
    suite_add_tcase(s, tc);

    tc = tcase_create("counter");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, dropped_counts_every_refusal);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(media_gate_suite(), argc, argv);
}
