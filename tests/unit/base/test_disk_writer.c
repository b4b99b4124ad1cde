/* test_disk_writer.c - the writer thread: jobs run off the main loop, their
 * completions come back on it in submission order, fences after them; and
 * state batches, the files such a job writes. */
#include "disk_writer.h"
#include "state_store.h"
#include "test_util.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#define JOBS 20

typedef struct record {
    GThread *main_thread;
    int ran_off_main; /* jobs whose run was not on the main thread */
    int order[JOBS + 1];
    int done;
} record;

typedef struct job {
    record *r;
    int index;
    int sleep_ms;
} job;

static int job_run(void *data)
{
    job *j = data;
    if (g_thread_self() != j->r->main_thread)
        g_atomic_int_inc(&j->r->ran_off_main);
    g_usleep((gulong)j->sleep_ms * 1000);
    return j->index % 2 ? 5 : 0;
}

static void job_done(void *data, int status)
{
    job *j = data;
    ck_assert_ptr_eq(g_thread_self(), j->r->main_thread);
    ck_assert_int_eq(status, j->index % 2 ? 5 : 0);
    j->r->order[j->r->done++] = j->index;
    g_free(j);
}

static void submit_jobs(disk_writer *w, record *r)
{
    for (int i = 0; i < JOBS; i++) {
        job *j = g_new0(job, 1);
        j->r = r;
        j->index = i;
        /* The first ones slow: later ones must still complete after them. */
        j->sleep_ms = i < 3 ? 30 : 0;
        disk_writer_submit(w, job_run, job_done, j);
    }
}

static void fence_done(void *data, int status)
{
    record *r = data;
    ck_assert_int_eq(status, 0);
    r->order[r->done++] = JOBS;
}

static void assert_in_order(const record *r, int n)
{
    ck_assert_int_eq(r->done, n);
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(r->order[i], i);
}

START_TEST(completions_come_on_the_main_loop_in_order_then_the_fence)
{
    record r = {.main_thread = g_thread_self()};
    disk_writer *w = disk_writer_new(NULL);
    submit_jobs(w, &r);
    disk_writer_submit(w, NULL, fence_done, &r);
    /* Nothing completes outside the main loop. */
    ck_assert_int_eq(r.done, 0);
    gint64 until = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (r.done < JOBS + 1 && g_get_monotonic_time() < until)
        g_main_context_iteration(NULL, TRUE);
    assert_in_order(&r, JOBS + 1);
    ck_assert_int_eq(r.ran_off_main, JOBS);
    disk_writer_free(w);
}
END_TEST

START_TEST(flush_waits_and_completes_everything)
{
    record r = {.main_thread = g_thread_self()};
    disk_writer *w = disk_writer_new(NULL);
    submit_jobs(w, &r);
    disk_writer_submit(w, NULL, fence_done, &r);
    disk_writer_flush(w);
    assert_in_order(&r, JOBS + 1);
    /* The wake-up left behind finds nothing more to complete. */
    while (g_main_context_iteration(NULL, FALSE))
        ;
    ck_assert_int_eq(r.done, JOBS + 1);
    disk_writer_free(w);
}
END_TEST

START_TEST(without_a_writer_jobs_run_at_once)
{
    record r = {.main_thread = g_thread_self()};
    submit_jobs(NULL, &r);
    assert_in_order(&r, JOBS);
    ck_assert_int_eq(r.ran_off_main, 0);
}
END_TEST

START_TEST(free_completes_what_is_queued)
{
    record r = {.main_thread = g_thread_self()};
    disk_writer *w = disk_writer_new(NULL);
    submit_jobs(w, &r);
    disk_writer_free(w);
    assert_in_order(&r, JOBS);
}
END_TEST

/* ---- state batches ---- */

static char *dir;

static void setup(void)
{
    dir = tu_temp_dir();
}

static void teardown(void)
{
    tu_remove_tree(dir);
    g_free(dir);
}

static bool exists(const char *name)
{
    char *path = g_build_filename(dir, name, NULL);
    bool there = g_file_test(path, G_FILE_TEST_EXISTS);
    g_free(path);
    return there;
}

START_TEST(a_batch_writes_its_copies_in_order)
{
    json_t *doc = tu_json("{\"a\": 1}");
    state_batch *b = state_batch_new(dir);
    state_batch_write(b, "x/one.json", doc);
    /* A copy: a change after it was added is not written. */
    json_object_set_new(doc, "a", json_integer(2));
    state_batch_write(b, "two.json", doc);
    state_batch_remove(b, "two.json");
    json_decref(doc);
    ck_assert_int_eq(state_batch_run(b), 0);
    state_batch_free(b);
    json_t *one = state_store_read(dir, "x/one.json");
    ck_assert_int_eq(json_integer_value(json_object_get(one, "a")), 1);
    json_decref(one);
    ck_assert(!exists("two.json"));
}
END_TEST

START_TEST(a_batch_stops_at_its_first_failure)
{
    json_t *doc = tu_json("{\"a\": 1}");
    char *blocker = g_build_filename(dir, "bad.json", NULL);
    g_mkdir(blocker, 0700); /* the rename fails, even as root */
    state_batch *b = state_batch_new(dir);
    state_batch_write(b, "bad.json", doc);
    state_batch_write(b, "after.json", doc);
    ck_assert_int_ne(state_batch_run(b), 0);
    state_batch_free(b);
    ck_assert(!exists("after.json"));
    json_decref(doc);
    g_free(blocker);
}
END_TEST

static Suite *disk_writer_suite(void)
{
    Suite *s = suite_create("disk_writer");
    TCase *tc = tcase_create("order");
    tcase_add_test(tc, completions_come_on_the_main_loop_in_order_then_the_fence);
    tcase_add_test(tc, flush_waits_and_completes_everything);
    tcase_add_test(tc, without_a_writer_jobs_run_at_once);
    tcase_add_test(tc, free_completes_what_is_queued);
    suite_add_tcase(s, tc);

    tc = tcase_create("batch");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, a_batch_writes_its_copies_in_order);
    tcase_add_test(tc, a_batch_stops_at_its_first_failure);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(disk_writer_suite(), argc, argv);
}
