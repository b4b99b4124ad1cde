#include "dch_host.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* Reads a small /proc file (never blocks for long). Returns g_malloc'd text. */
static char *read_proc(const char *path, dch_host_metrics *out)
{
    char *text = NULL;
    if (g_file_get_contents(path, &text, NULL, NULL))
        return text;
    if (!out->error[0])
        snprintf(out->error, sizeof out->error, "cannot read %s", path);
    return NULL;
}

static void sample_cpu(dch_host_sampler *s, const char *text, dch_host_metrics *out)
{
    dch_cpu_times now;
    out->cpu_percent = NAN;
    if (dch_parse_stat(text, &now) != 0) {
        snprintf(out->error, sizeof out->error, "malformed /proc/stat");
        return;
    }
    if (s->have_cpu)
        out->cpu_percent = dch_cpu_percent(&s->cpu, &now);
    s->cpu = now;
    s->have_cpu = true;
}

static void sample_net(dch_host_sampler *s, const char *text, char *const *ifaces, double dt_s,
                       dch_host_metrics *out)
{
    dch_net_totals now;
    out->rx_bps = out->tx_bps = NAN;
    if (dch_parse_net_dev(text, (const char *const *)ifaces, &now) != 0) {
        snprintf(out->error, sizeof out->error, "malformed /proc/net/dev");
        return;
    }
    if (s->have_net) {
        out->rx_bps = dch_rate(s->net.rx_bytes, now.rx_bytes, dt_s);
        out->tx_bps = dch_rate(s->net.tx_bytes, now.tx_bytes, dt_s);
    }
    s->net = now;
    s->have_net = true;
}

static void sample_mem(const char *text, dch_host_metrics *out)
{
    dch_meminfo m;
    out->mem_total_bytes = out->mem_used_bytes = out->mem_percent = NAN;
    if (dch_parse_meminfo(text, &m) != 0 || m.total_bytes == 0) {
        snprintf(out->error, sizeof out->error, "malformed /proc/meminfo");
        return;
    }
    out->mem_total_bytes = (double)m.total_bytes;
    out->mem_used_bytes = (double)(m.total_bytes - m.available_bytes);
    out->mem_percent = 100.0 * out->mem_used_bytes / out->mem_total_bytes;
}

static void sample_disk(const char *path, dch_disk_metrics *d)
{
    struct statvfs v;
    d->total_bytes = d->used_bytes = d->percent = NAN;
    d->error[0] = '\0';
    if (statvfs(path, &v) != 0) {
        snprintf(d->error, sizeof d->error, "%s", strerror(errno));
        return;
    }
    double frsize = (double)v.f_frsize;
    double used = (double)(v.f_blocks - v.f_bfree) * frsize;
    double avail = (double)v.f_bavail * frsize;
    d->total_bytes = (double)v.f_blocks * frsize;
    d->used_bytes = used;
    /* As df does: used / (used + available to unprivileged users). */
    d->percent = used + avail > 0 ? 100.0 * used / (used + avail) : 0;
}

int dch_host_sample_local(dch_host_sampler *s, char *const *disks, char *const *interfaces,
                          dch_host_metrics *out)
{
    out->error[0] = '\0';
    gint64 now_us = g_get_monotonic_time();
    double dt_s = s->at_us ? (double)(now_us - s->at_us) / 1e6 : 0;
    s->at_us = now_us;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    out->cpus = ncpu > 0 ? (unsigned)ncpu : 1;
    char *stat = read_proc("/proc/stat", out);
    char *mem = read_proc("/proc/meminfo", out);
    char *load = read_proc("/proc/loadavg", out);
    char *net = read_proc("/proc/net/dev", out);
    sample_cpu(s, stat, out);
    sample_mem(mem, out);
    if (dch_parse_loadavg(load, &out->load) != 0) {
        out->load.load1 = out->load.load5 = out->load.load15 = NAN;
        snprintf(out->error, sizeof out->error, "malformed /proc/loadavg");
    }
    sample_net(s, net, interfaces, dt_s, out);
    for (size_t i = 0; i < out->ndisks && disks[i]; i++)
        sample_disk(disks[i], &out->disks[i]);
    g_free(stat);
    g_free(mem);
    g_free(load);
    g_free(net);
    return out->error[0] ? -1 : 0;
}

/* A bell around hour h (local), width w hours. */
static double peak(double hour, double h, double w)
{
    double d = fabs(hour - h);
    d = d > 12 ? 24 - d : d;
    return exp(-(d * d) / (2 * w * w));
}

double dch_daily_rhythm(gint64 now_ms)
{
    GDateTime *t = g_date_time_new_from_unix_local(now_ms / 1000);
    double hour = t ? g_date_time_get_hour(t) + g_date_time_get_minute(t) / 60.0 +
                          g_date_time_get_second(t) / 3600.0
                    : 12;
    if (t)
        g_date_time_unref(t);
    double night = 0.15;
    double v = night + 0.75 * peak(hour, 8.0, 1.5) + 0.85 * peak(hour, 17.5, 1.8) +
               0.35 * peak(hour, 12.5, 2.5);
    return v > 1 ? 1 : v;
}

void dch_host_sample_simulated(gint64 now_ms, dch_host_metrics *out)
{
    double r = dch_daily_rhythm(now_ms);
    double s = now_ms / 1000.0;
    double wiggle = 0.5 + 0.5 * sin(s / 7.0) * cos(s / 23.0);
    out->error[0] = '\0';
    out->cpus = 16;
    out->cpu_percent = 12 + 55 * r + 8 * wiggle;
    out->load.load1 = out->cpus * out->cpu_percent / 100.0;
    out->load.load5 = out->cpus * (12 + 55 * r + 4) / 100.0;
    out->load.load15 = out->cpus * (12 + 55 * r) / 100.0;
    out->mem_total_bytes = 64.0 * 1024 * 1024 * 1024;
    out->mem_percent = 48 + 22 * r + 3 * wiggle;
    out->mem_used_bytes = out->mem_total_bytes * out->mem_percent / 100.0;
    out->rx_bps = (20 + 180 * r + 15 * wiggle) * 1e6 / 8;
    out->tx_bps = (8 + 90 * r + 10 * wiggle) * 1e6 / 8;
    for (size_t i = 0; i < out->ndisks; i++) {
        dch_disk_metrics *d = &out->disks[i];
        d->error[0] = '\0';
        d->total_bytes = 2e12;
        d->percent = 55 + 10 * (double)i + 0.5 * sin(s / 3600.0);
        d->used_bytes = d->total_bytes * d->percent / 100.0;
    }
}
