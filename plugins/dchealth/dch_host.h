/* dch_host - this machine's CPU, memory, load, network and disks, sampled
 * from /proc and statvfs(), or simulated with a daily rhythm. */
#ifndef DCH_HOST_H
#define DCH_HOST_H

#include "dch_proc.h"

#include <glib.h>
#include <stdbool.h>

typedef struct dch_disk_metrics {
    double total_bytes, used_bytes, percent; /* NaN when unknown */
    char error[96];                          /* "" when fine */
} dch_disk_metrics;

typedef struct dch_host_metrics {
    char error[160];    /* "" when every /proc file read fine */
    double cpu_percent; /* NaN until two samples exist */
    unsigned cpus;
    dch_loadavg load;
    double mem_total_bytes, mem_used_bytes, mem_percent;
    double rx_bps, tx_bps; /* NaN until two samples exist */
    size_t ndisks;
    dch_disk_metrics *disks; /* ndisks entries, owned by the caller */
} dch_host_metrics;

/* The previous counters, for rates. Zero-initialise. */
typedef struct dch_host_sampler {
    dch_cpu_times cpu;
    dch_net_totals net;
    gint64 at_us;
    bool have_cpu, have_net;
} dch_host_sampler;

/* Samples this machine. disks, interfaces: NULL-terminated (interfaces NULL:
 * all but lo). out->disks must hold one entry per disk. Returns 0, or -1
 * when a /proc file could not be read (out->error says which). */
int dch_host_sample_local(dch_host_sampler *s, char *const *disks, char *const *interfaces,
                          dch_host_metrics *out);

/* Plausible, deterministic metrics for the time now_ms (local daily rhythm). */
void dch_host_sample_simulated(gint64 now_ms, dch_host_metrics *out);

/* 0..1: the city's daily activity at now_ms, with morning and evening peaks. */
double dch_daily_rhythm(gint64 now_ms);

#endif
