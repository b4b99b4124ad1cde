/* traffic_feed.h - traffic readings: parsing an HTTP JSON feed through a
 * field mapping, congestion levels, and the deterministic simulation. Pure
 * functions (no host, no I/O), unit-tested on their own. */
#ifndef PANTAU_TRAFFIC_FEED_H
#define PANTAU_TRAFFIC_FEED_H

#include <jansson.h>
#include <stdint.h>

#define TRAFFIC_MAX_ITEMS 200

typedef enum traffic_level {
    TRAFFIC_FREE = 0,
    TRAFFIC_DENSE = 1,
    TRAFFIC_JAMMED = 2,
} traffic_level;

/* One corridor or intersection at one moment. */
typedef struct traffic_reading {
    char id[64];
    char name[128];
    double count; /* vehicles in the last interval */
    double speed; /* average speed, km/h */
    traffic_level level;
} traffic_reading;

/* JSON pointers: list from the document root, the others inside each item.
 * An empty level pointer means "derive the level from the speed". */
typedef struct traffic_mapping {
    const char *list;
    const char *id;
    const char *name;
    const char *count;
    const char *speed;
    const char *level;
} traffic_mapping;

/* Speeds (km/h) under which a corridor counts as dense / jammed. */
typedef struct traffic_limits {
    double dense_below_kmh;
    double jammed_below_kmh;
} traffic_limits;

/* A corridor of the simulation. */
typedef struct traffic_sim_corridor {
    const char *id;
    const char *name;
    double capacity_vph;   /* vehicles per hour at saturation */
    double free_speed_kmh; /* speed on an empty road */
} traffic_sim_corridor;

/* "free", "dense", "jammed". */
const char *traffic_level_name(traffic_level level);

/* Parses a level: free/dense/jammed (also lancar/padat/macet, green/yellow/
 * red, 0/1/2), from a string or integer (borrowed). Returns 0 or -1. */
int traffic_level_parse(const json_t *value, traffic_level *out);

/* The level implied by a speed under limits. */
traffic_level traffic_level_from_speed(double speed_kmh, const traffic_limits *limits);

/* Reads the feed document doc (borrowed) through map into out[0..max).
 * Returns the number of readings (>= 0), or -1 with a reason in err (size
 * errlen) when the document has the wrong shape or no item is usable. Bad
 * items are skipped and counted in *skipped. */
int traffic_parse_feed(const json_t *doc, const traffic_mapping *map, const traffic_limits *limits,
                       traffic_reading *out, int max, int *skipped, char *err, size_t errlen);

/* The simulated reading of corridor c of source source_id at time t_ms, for
 * an interval of interval_s seconds, in a zone utc_offset_s east of UTC.
 * Deterministic in (source_id, c->id, t_ms / interval). */
void traffic_simulate(const char *source_id, const traffic_sim_corridor *c, int64_t t_ms,
                      int utc_offset_s, double interval_s, const traffic_limits *limits,
                      traffic_reading *out);

/* The daily demand curve (about 0.2 at night, near 1 at the 07:30 and 17:30
 * peaks) at a local hour in [0, 24). */
double traffic_demand(double local_hour);

#endif /* PANTAU_TRAFFIC_FEED_H */
