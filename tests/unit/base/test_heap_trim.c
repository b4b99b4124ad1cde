/* test_heap_trim.c - free pages of a thread's malloc arena go back to the
 * system, and the trims are counted for /metrics. */
#include "heap_trim.h"
#include "test_util.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#define BLOCKS 2048
#define BLOCK_BYTES (8 * 1024) /* below the mmap threshold: from the arena */

/* On its own thread (so in a thread arena, as a streaming thread's frames
 * are): 16 MiB allocated and touched, then all freed but the last block,
 * which pins the top of the heap so that free() alone cannot shrink it. */
static gpointer fill_and_free(gpointer user)
{
    char **blocks = g_new(char *, BLOCKS);
    for (int i = 0; i < BLOCKS; i++) {
        blocks[i] = malloc(BLOCK_BYTES);
        memset(blocks[i], i & 0xff, BLOCK_BYTES);
    }
    for (int i = 0; i < BLOCKS - 1; i++)
        free(blocks[i]);
    *(char **)user = blocks[BLOCKS - 1];
    g_free(blocks);
    return NULL;
}

START_TEST(trim_gives_free_arena_pages_back)
{
    char *pinned = NULL;
    g_thread_join(g_thread_new("fill", fill_and_free, &pinned));
    size_t before = heap_resident_bytes();
    ck_assert_uint_gt(before, 0);
    heap_trim *t = heap_trim_start(0);
    size_t given = heap_trim_now(t);
    ck_assert_msg(given > 8u * 1024 * 1024, "only %zu bytes given back of 16 MiB freed", given);
    ck_assert_uint_lt(heap_resident_bytes(), before - 8u * 1024 * 1024);
    free(pinned);
    heap_trim_free(t);
}
END_TEST

START_TEST(trims_are_counted_for_metrics)
{
    heap_trim *t = heap_trim_start(0);
    heap_trim_now(t);
    heap_trim_now(t);
    char *text = heap_trim_metrics_text(t);
    ck_assert_ptr_nonnull(strstr(text, "\npantau_heap_trims_total 2\n"));
    ck_assert_ptr_nonnull(strstr(text, "\npantau_heap_trim_seconds_max "));
    ck_assert_ptr_nonnull(strstr(text, "\npantau_heap_trimmed_bytes_total "));
    g_free(text);
    heap_trim_free(t);
    text = heap_trim_metrics_text(NULL);
    ck_assert_str_eq(text, "");
    g_free(text);
}
END_TEST

static Suite *heap_trim_suite(void)
{
    Suite *s = suite_create("heap_trim");
    TCase *tc = tcase_create("gives_back");
    tcase_add_test(tc, trim_gives_free_arena_pages_back);
    suite_add_tcase(s, tc);
    tc = tcase_create("metrics");
    tcase_add_test(tc, trims_are_counted_for_metrics);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(heap_trim_suite(), argc, argv);
}
