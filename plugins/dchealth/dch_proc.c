#include "dch_proc.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Reads an unsigned decimal at *p, skipping leading blanks; advances *p.
 * Returns 0, or -1 when there is no digit. */
static int read_u64(const char **p, uint64_t *out)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!isdigit((unsigned char)*s))
        return -1;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    *out = v;
    *p = end;
    return 0;
}

int dch_parse_stat(const char *text, dch_cpu_times *out)
{
    if (!text || strncmp(text, "cpu ", 4) != 0)
        return -1;
    const char *p = text + 4;
    uint64_t f[10] = {0};
    int n = 0;
    while (n < 10 && read_u64(&p, &f[n]) == 0)
        n++;
    if (n < 4)
        return -1;
    /* guest and guest_nice (f[8], f[9]) are already counted in user/nice. */
    out->total = 0;
    for (int i = 0; i < n && i < 8; i++)
        out->total += f[i];
    out->idle = f[3] + (n > 4 ? f[4] : 0);
    return 0;
}

double dch_cpu_percent(const dch_cpu_times *before, const dch_cpu_times *after)
{
    if (after->total <= before->total || after->idle < before->idle)
        return NAN;
    double total = (double)(after->total - before->total);
    double idle = (double)(after->idle - before->idle);
    if (idle > total)
        return NAN;
    return 100.0 * (total - idle) / total;
}

/* Finds "key:" at the start of a line of text; returns the text after it. */
static const char *line_value(const char *text, const char *key)
{
    size_t n = strlen(key);
    for (const char *line = text; line && *line; line = strchr(line, '\n')) {
        if (*line == '\n')
            line++;
        if (strncmp(line, key, n) == 0 && line[n] == ':')
            return line + n + 1;
    }
    return NULL;
}

/* Reads "key:   123 kB" as bytes. Returns 0, or -1 when absent. */
static int meminfo_bytes(const char *text, const char *key, uint64_t *out)
{
    const char *p = line_value(text, key);
    uint64_t kb;
    if (!p || read_u64(&p, &kb) != 0)
        return -1;
    *out = kb * 1024;
    return 0;
}

int dch_parse_meminfo(const char *text, dch_meminfo *out)
{
    if (!text || meminfo_bytes(text, "MemTotal", &out->total_bytes) != 0)
        return -1;
    if (meminfo_bytes(text, "MemAvailable", &out->available_bytes) == 0)
        goto clamp;
    uint64_t free_b = 0, buffers = 0, cached = 0;
    if (meminfo_bytes(text, "MemFree", &free_b) != 0)
        return -1;
    meminfo_bytes(text, "Buffers", &buffers);
    meminfo_bytes(text, "Cached", &cached);
    out->available_bytes = free_b + buffers + cached;
clamp:
    if (out->available_bytes > out->total_bytes)
        out->available_bytes = out->total_bytes;
    return 0;
}

/* Reads a finite non-negative decimal number; advances *p. */
static int read_load(const char **p, double *out)
{
    const char *s = *p;
    while (*s == ' ')
        s++;
    if (!isdigit((unsigned char)*s))
        return -1;
    char *end;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v) || (*end != ' ' && *end != '\n' && *end != '\0'))
        return -1;
    *out = v;
    *p = end;
    return 0;
}

int dch_parse_loadavg(const char *text, dch_loadavg *out)
{
    if (!text)
        return -1;
    const char *p = text;
    if (read_load(&p, &out->load1) || read_load(&p, &out->load5) || read_load(&p, &out->load15))
        return -1;
    return 0;
}

static bool wanted(const char *name, const char *const *only)
{
    if (!only)
        return strcmp(name, "lo") != 0;
    for (; *only; only++)
        if (strcmp(name, *only) == 0)
            return true;
    return false;
}

/* Parses one "  eth0: rx_bytes rx_packets ... tx_bytes ..." line. */
static int net_line(const char *line, const char *const *only, dch_net_totals *out)
{
    const char *colon = strchr(line, ':');
    const char *eol = strchr(line, '\n');
    if (!colon || (eol && colon > eol))
        return -1;
    while (*line == ' ')
        line++;
    char name[64];
    size_t n = (size_t)(colon - line);
    if (n == 0 || n >= sizeof name)
        return -1;
    memcpy(name, line, n);
    name[n] = '\0';
    const char *p = colon + 1;
    uint64_t f[9];
    for (int i = 0; i < 9; i++)
        if (read_u64(&p, &f[i]) != 0)
            return -1;
    if (!wanted(name, only))
        return 0;
    out->rx_bytes += f[0];
    out->tx_bytes += f[8];
    out->interfaces++;
    return 0;
}

int dch_parse_net_dev(const char *text, const char *const *only, dch_net_totals *out)
{
    memset(out, 0, sizeof *out);
    if (!text)
        return -1;
    bool any = false;
    for (const char *line = text; *line;) {
        if (net_line(line, only, out) == 0)
            any = true;
        const char *eol = strchr(line, '\n');
        if (!eol)
            break;
        line = eol + 1;
    }
    return any ? 0 : -1;
}

double dch_rate(uint64_t before, uint64_t after, double dt_s)
{
    if (!(dt_s > 0) || after < before)
        return NAN;
    return (double)(after - before) / dt_s;
}
