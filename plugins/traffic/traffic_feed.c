#include "traffic_feed.h"

#include "json_pointer.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const level_names[] = {"free", "dense", "jammed"};

const char *traffic_level_name(traffic_level level)
{
    return level >= TRAFFIC_FREE && level <= TRAFFIC_JAMMED ? level_names[level] : "free";
}

int traffic_level_parse(const json_t *value, traffic_level *out)
{
    static const struct {
        const char *word;
        traffic_level level;
    } words[] = {
        {"free", TRAFFIC_FREE},     {"lancar", TRAFFIC_FREE},  {"green", TRAFFIC_FREE},
        {"dense", TRAFFIC_DENSE},   {"padat", TRAFFIC_DENSE},  {"yellow", TRAFFIC_DENSE},
        {"jammed", TRAFFIC_JAMMED}, {"macet", TRAFFIC_JAMMED}, {"red", TRAFFIC_JAMMED},
    };
    if (json_is_integer(value)) {
        json_int_t v = json_integer_value(value);
        if (v < 0 || v > 2)
            return -1;
        *out = (traffic_level)v;
        return 0;
    }
    const char *s = json_string_value(value);
    for (size_t i = 0; s && i < sizeof words / sizeof words[0]; i++) {
        if (!strcasecmp(s, words[i].word)) {
            *out = words[i].level;
            return 0;
        }
    }
    return -1;
}

traffic_level traffic_level_from_speed(double speed_kmh, const traffic_limits *limits)
{
    if (speed_kmh < limits->jammed_below_kmh)
        return TRAFFIC_JAMMED;
    if (speed_kmh < limits->dense_below_kmh)
        return TRAFFIC_DENSE;
    return TRAFFIC_FREE;
}

static void say(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* A finite, non-negative number at pointer in item (borrowed), or -1 with
 * *why set. */
static int read_number(const json_t *item, const char *pointer, double *out, const char **why)
{
    const json_t *v = pt_json_pointer(item, pointer);
    if (!json_is_number(v)) {
        *why = "is missing or not a number";
        return -1;
    }
    double d = json_number_value(v);
    if (!isfinite(d) || d < 0 || d > 1e9) {
        *why = "is out of range";
        return -1;
    }
    *out = d;
    return 0;
}

/* Copies the string or integer at pointer in item (borrowed) into buf; -1 if
 * it is neither. */
static int read_text(const json_t *item, const char *pointer, char *buf, size_t len)
{
    const json_t *v = pt_json_pointer(item, pointer);
    if (json_is_integer(v)) {
        snprintf(buf, len, "%lld", (long long)json_integer_value(v));
        return 0;
    }
    const char *s = json_string_value(v);
    if (!s || !*s)
        return -1;
    snprintf(buf, len, "%s", s);
    return 0;
}

/* Reads one item (borrowed); returns 0, or -1 with a reason (field and what
 * is wrong). */
static int parse_item(const json_t *item, const traffic_mapping *map, const traffic_limits *limits,
                      traffic_reading *r, char *why, size_t whylen)
{
    const char *what = NULL;
    memset(r, 0, sizeof *r);
    if (read_text(item, map->id, r->id, sizeof r->id)) {
        say(why, whylen, "id (%s) is missing or not a string", map->id);
        return -1;
    }
    if (read_text(item, map->name, r->name, sizeof r->name))
        snprintf(r->name, sizeof r->name, "%s", r->id);
    if (read_number(item, map->count, &r->count, &what)) {
        say(why, whylen, "count (%s) %s", map->count, what);
        return -1;
    }
    if (read_number(item, map->speed, &r->speed, &what)) {
        say(why, whylen, "speed (%s) %s", map->speed, what);
        return -1;
    }
    r->level = traffic_level_from_speed(r->speed, limits);
    if (!map->level || !*map->level)
        return 0;
    const json_t *level = pt_json_pointer(item, map->level);
    if (level && traffic_level_parse(level, &r->level)) {
        say(why, whylen, "level (%s) is not free/dense/jammed", map->level);
        return -1;
    }
    return 0;
}

int traffic_parse_feed(const json_t *doc, const traffic_mapping *map, const traffic_limits *limits,
                       traffic_reading *out, int max, int *skipped, char *err, size_t errlen)
{
    char why[160] = "";
    *skipped = 0;
    const json_t *list = pt_json_pointer(doc, map->list);
    if (!json_is_array(list)) {
        say(err, errlen, "feed JSON has no list at '%s'", map->list);
        return -1;
    }
    int n = 0;
    size_t i;
    const json_t *item;
    json_array_foreach(list, i, item)
    {
        if (n >= max)
            break;
        char reason[160];
        if (parse_item(item, map, limits, &out[n], reason, sizeof reason)) {
            if (!*skipped)
                say(why, sizeof why, "item %zu: %s", i, reason);
            (*skipped)++;
            continue;
        }
        n++;
    }
    if (n == 0 && *skipped > 0) {
        say(err, errlen, "feed has no usable item (%s)", why);
        return -1;
    }
    return n;
}

/* ---- simulation ---- */

/* FNV-1a over a string, continuing from h. */
static uint64_t hash_str(uint64_t h, const char *s)
{
    for (; s && *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

/* A well-mixed 64-bit value of (seed, n) (splitmix64). */
static uint64_t mix(uint64_t seed, uint64_t n)
{
    uint64_t z = seed + n * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A uniform number in [0, 1) from (seed, n). */
static double unit(uint64_t seed, uint64_t n)
{
    return (double)(mix(seed, n) >> 11) / 9007199254740992.0;
}

static double bump(double h, double centre, double width)
{
    double d = (h - centre) / width;
    return exp(-d * d);
}

double traffic_demand(double h)
{
    return 0.18 + 0.72 * bump(h, 7.5, 1.3) + 0.78 * bump(h, 17.5, 1.6) + 0.22 * bump(h, 12.5, 2.2);
}

void traffic_simulate(const char *source_id, const traffic_sim_corridor *c, int64_t t_ms,
                      int utc_offset_s, double interval_s, const traffic_limits *limits,
                      traffic_reading *out)
{
    uint64_t seed = hash_str(hash_str(1469598103934665603ull, source_id), c->id);
    double factor = 0.8 + 0.45 * unit(seed, 1); /* how busy this corridor is */
    double shift = unit(seed, 2) - 0.5;         /* its peaks come up to 30 min off */
    int64_t interval_ms = interval_s >= 1 ? (int64_t)(interval_s * 1000) : 1000;
    int64_t bucket = t_ms / interval_ms;
    int64_t local_s = t_ms / 1000 + utc_offset_s;
    double hour = (double)(((local_s % 86400) + 86400) % 86400) / 3600.0;
    int64_t day = (local_s >= 0 ? local_s : local_s - 86399) / 86400;
    int weekday = (int)(((day + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday: 0 = Sunday */
    double weekend = weekday == 0 || weekday == 6 ? 0.7 : 1.0;
    double noise = (unit(seed, (uint64_t)bucket) - 0.5) * 0.1;
    double load = traffic_demand(hour + shift) * factor * weekend + noise;
    load = load < 0.02 ? 0.02 : load > 1.2 ? 1.2 : load;
    double flow = load < 0.9 ? load : fmax(0.45, 0.9 - (load - 0.9) * 1.5);
    double speed = c->free_speed_kmh * fmax(0.08, 1.0 - 0.9 * load * load * load);

    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "%s", c->id);
    snprintf(out->name, sizeof out->name, "%s", c->name ? c->name : c->id);
    out->count = round(c->capacity_vph * flow * interval_s / 3600.0);
    out->speed = round(speed * 10) / 10;
    out->level = traffic_level_from_speed(out->speed, limits);
}
