/* dch_proc - parsers for /proc/stat, /proc/meminfo, /proc/loadavg and
 * /proc/net/dev text, and rates from two samples. Pure functions on text, so
 * they are tested on sample files; dch_host.c reads the real ones. */
#ifndef DCH_PROC_H
#define DCH_PROC_H

#include <stdbool.h>
#include <stdint.h>

/* Aggregate CPU jiffies from the first "cpu " line of /proc/stat. */
typedef struct dch_cpu_times {
    uint64_t total;
    uint64_t idle; /* idle + iowait */
} dch_cpu_times;

typedef struct dch_meminfo {
    uint64_t total_bytes;
    uint64_t available_bytes;
} dch_meminfo;

typedef struct dch_loadavg {
    double load1, load5, load15;
} dch_loadavg;

typedef struct dch_net_totals {
    uint64_t rx_bytes;
    uint64_t tx_bytes;
    unsigned interfaces; /* how many interfaces were summed */
} dch_net_totals;

/* Parses /proc/stat text. Returns 0, or -1 when there is no valid cpu line. */
int dch_parse_stat(const char *text, dch_cpu_times *out);

/* Busy percentage between two samples (0-100), or NaN when no time passed
 * or the counters went backwards. */
double dch_cpu_percent(const dch_cpu_times *before, const dch_cpu_times *after);

/* Parses /proc/meminfo text (MemTotal, MemAvailable; MemFree+Buffers+Cached
 * when MemAvailable is missing). Returns 0, or -1 without MemTotal. */
int dch_parse_meminfo(const char *text, dch_meminfo *out);

/* Parses /proc/loadavg text. Returns 0, or -1 on malformed text. */
int dch_parse_loadavg(const char *text, dch_loadavg *out);

/* Sums /proc/net/dev counters. only: NULL-terminated interface names to
 * include, or NULL for every interface except "lo". Returns 0, or -1 when
 * the text has no interface line at all. */
int dch_parse_net_dev(const char *text, const char *const *only, dch_net_totals *out);

/* Bytes per second from two counter readings dt_s apart; NaN when dt_s <= 0
 * or the counter went backwards (wrap or interface reset). */
double dch_rate(uint64_t before, uint64_t after, double dt_s);

#endif
