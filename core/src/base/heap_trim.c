/* heap_trim.c - few malloc arenas, and their free pages given back.
 *
 * Why: streaming threads (one set per GStreamer pipeline, new ones at each
 * camera restart) each get a glibc arena, and an arena keeps what its
 * threads freed below a live chunk. Over hundreds of restarts the arenas
 * reach ever new high-water marks with holes in them (the soak, issue 12).
 * Fewer arenas make those marks overlap; malloc_trim() hands the whole free
 * pages inside every arena back with madvise(MADV_DONTNEED). */
#include "heap_trim.h"

#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

struct heap_trim {
    guint timer;
    guint64 trims;
    gint64 busy_us;     /* time spent in malloc_trim, all trims */
    gint64 slowest_us;  /* the longest single trim */
    guint64 given_back; /* resident bytes given back, all trims */
};

void heap_limit_arenas(unsigned arena_max)
{
#ifdef M_ARENA_MAX
    if (arena_max == 0 || getenv("MALLOC_ARENA_MAX"))
        return;
    if (!mallopt(M_ARENA_MAX, (int)arena_max))
        log_warn("malloc: could not cap the arenas at %u", arena_max);
#else
    (void)arena_max;
#endif
}

size_t heap_resident_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    unsigned long size = 0, resident = 0;
    int n = fscanf(f, "%lu %lu", &size, &resident);
    fclose(f);
    if (n != 2)
        return 0;
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

size_t heap_trim_now(heap_trim *t)
{
    size_t before = heap_resident_bytes();
    gint64 start = g_get_monotonic_time();
#ifdef __GLIBC__
    malloc_trim(0);
#endif
    gint64 spent = g_get_monotonic_time() - start;
    size_t after = heap_resident_bytes();
    size_t given = before && after && after < before ? before - after : 0;
    if (t) {
        t->trims++;
        t->busy_us += spent;
        t->slowest_us = MAX(t->slowest_us, spent);
        t->given_back += given;
    }
    log_debug("malloc_trim: %zu KiB given back in %" G_GINT64_FORMAT " us", given / 1024, spent);
    return given;
}

static gboolean on_trim_timer(gpointer user)
{
    heap_trim_now(user);
    return G_SOURCE_CONTINUE;
}

heap_trim *heap_trim_start(unsigned period_s)
{
    heap_trim *t = g_new0(heap_trim, 1);
    if (period_s)
        t->timer = g_timeout_add_seconds(period_s, on_trim_timer, t);
    return t;
}

void heap_trim_free(heap_trim *t)
{
    if (!t)
        return;
    if (t->timer)
        g_source_remove(t->timer);
    g_free(t);
}

char *heap_trim_metrics_text(const heap_trim *t)
{
    if (!t)
        return g_strdup("");
    return g_strdup_printf(
        "# HELP pantau_heap_trims_total Times the free pages of malloc's arenas went back\n"
        "# TYPE pantau_heap_trims_total counter\npantau_heap_trims_total %" G_GUINT64_FORMAT "\n"
        "# HELP pantau_heap_trim_seconds_total Time spent giving free pages back\n"
        "# TYPE pantau_heap_trim_seconds_total counter\npantau_heap_trim_seconds_total %.6f\n"
        "# HELP pantau_heap_trim_seconds_max The longest single trim\n"
        "# TYPE pantau_heap_trim_seconds_max gauge\npantau_heap_trim_seconds_max %.6f\n"
        "# HELP pantau_heap_trimmed_bytes_total Resident bytes the trims gave back\n"
        "# TYPE pantau_heap_trimmed_bytes_total counter\npantau_heap_trimmed_bytes_total "
        "%" G_GUINT64_FORMAT "\n",
        t->trims, (double)t->busy_us / 1e6, (double)t->slowest_us / 1e6, t->given_back);
}
