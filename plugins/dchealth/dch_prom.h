/* dch_prom - a parser for the Prometheus text exposition format (0.0.4) and
 * metric selectors like node_filesystem_avail_bytes{mountpoint="/"}. Built
 * for hostile input: bounded line length and label count, strict numbers,
 * escapes, comments, CRLF, a missing final newline, embedded NULs. */
#ifndef DCH_PROM_H
#define DCH_PROM_H

#include <stdbool.h>
#include <stddef.h>

#define DCH_PROM_MAX_LABELS 32
#define DCH_PROM_MAX_LINE (64 * 1024)

typedef struct dch_prom_label {
    const char *name;
    const char *value; /* unescaped */
} dch_prom_label;

/* One sample; every string is borrowed and valid only during the callback. */
typedef struct dch_prom_sample {
    const char *name;
    size_t nlabels;
    dch_prom_label labels[DCH_PROM_MAX_LABELS];
    double value; /* may be NaN or +-Inf */
} dch_prom_sample;

typedef struct dch_prom_stats {
    size_t samples;   /* well-formed sample lines */
    size_t bad_lines; /* malformed lines, skipped (long ones included) */
    size_t long_lines;
} dch_prom_stats;

typedef void (*dch_prom_cb)(const dch_prom_sample *sample, void *user);

/* Parses len bytes of text, calling cb for every well-formed sample line.
 * Malformed lines are skipped and counted; never fails otherwise. */
void dch_prom_parse(const char *text, size_t len, dch_prom_cb cb, void *user,
                    dch_prom_stats *stats);

typedef struct dch_prom_matcher {
    char *name;
    char *value;
    bool negate; /* != instead of = */
} dch_prom_matcher;

typedef struct dch_prom_selector {
    char *name;
    size_t nmatchers;
    dch_prom_matcher matchers[DCH_PROM_MAX_LABELS];
} dch_prom_selector;

/* Parses "name" or "name{l=\"v\",l2!=\"w\"}". Returns 0, or -1 with *error
 * set (g_malloc'd) and *out cleared. */
int dch_prom_selector_parse(const char *text, dch_prom_selector *out, char **error);

/* Frees what a parsed selector holds (the struct itself is the caller's). */
void dch_prom_selector_clear(dch_prom_selector *sel);

/* Whether a sample has the selector's name and satisfies all its matchers
 * (a missing label counts as ""). */
bool dch_prom_selector_matches(const dch_prom_selector *sel, const dch_prom_sample *sample);

#endif
