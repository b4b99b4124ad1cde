/* heap_trim.h - keeps a server that runs for months from holding freed
 * memory: glibc's malloc gets few arenas, and the free pages of every arena
 * go back to the system now and then (docs/reliability.md, "Memory over
 * months"). Without glibc both are no-ops. */
#ifndef PANTAU_HEAP_TRIM_H
#define PANTAU_HEAP_TRIM_H

#include <glib.h>

typedef struct heap_trim heap_trim;

/* Caps glibc's malloc arenas at arena_max (0: glibc's default) unless the
 * environment sets MALLOC_ARENA_MAX. Call before any thread starts. */
void heap_limit_arenas(unsigned arena_max);

/* Trims every period_s seconds on the default main context (0: never;
 * heap_trim_now still works). */
heap_trim *heap_trim_start(unsigned period_s);

/* Stops the timer and frees t. NULL is fine. */
void heap_trim_free(heap_trim *t);

/* Gives the free pages of every arena back to the system now. Returns the
 * resident bytes it gave back (0 when RSS cannot be read or did not fall).
 * t may be NULL (then nothing is counted). */
size_t heap_trim_now(heap_trim *t);

/* The trims, their time and what they gave back, as Prometheus text lines.
 * Returns a new string (g_free); "" for NULL. */
char *heap_trim_metrics_text(const heap_trim *t);

/* This process's resident set in bytes, or 0 when it cannot be read. */
size_t heap_resident_bytes(void);

#endif
