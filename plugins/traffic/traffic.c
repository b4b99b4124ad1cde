/* traffic - congestion of corridors and intersections: level (free / dense /
 * jammed), vehicles per interval, average speed and a short history, from a
 * simulation with a daily rhythm or from an HTTP JSON feed read through a
 * field mapping. Raises an event when a corridor stays jammed too long. */
#include <pantau/plugin.h>

#include "feed_state.h"
#include "http_poll.h"
#include "json_pointer.h"
#include "threshold.h"
#include "traffic_feed.h"

#include <glib.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

static const pantau_host *host;

#define MAX_HISTORY 720

typedef struct traffic_settings {
    bool simulated;
    char *url;
    json_t *headers; /* request headers incl. Authorization from token; secret */
    double interval_s;
    double timeout_s;
    char *map[6]; /* list, id, name, count, speed, level */
    traffic_limits limits;
    traffic_sim_corridor *sim;
    int n_sim;
    char *timezone;
    int history_points;
    double jam_alert_s;
    double incident_every_s; /* simulated jams: one every this many seconds (0: none) */
    double incident_s;       /* how long each lasts */
} traffic_settings;

typedef struct corridor {
    traffic_reading now;
    int64_t *t;
    double *count;
    double *speed;
    int len; /* points held, oldest first */
    pt_threshold jam;
    bool seen;
} corridor;

typedef struct traffic_widget {
    pantau_source *source;
    traffic_settings cfg;
    GPtrArray *corridors; /* corridor *, in feed order */
    pt_http_poll *poll;
    unsigned timer;
    bool running;
    int64_t updated_ms;
    int skipped;
    pt_feed_state feed;
} traffic_widget;

/* ---- settings ---- */

static json_t *default_corridors(void)
{
    return json_pack("[{s:s,s:s,s:i,s:i},{s:s,s:s,s:i,s:i},{s:s,s:s,s:i,s:i},"
                     "{s:s,s:s,s:i,s:i},{s:s,s:s,s:i,s:i}]",
                     "id", "simpang-dago", "name", "Simpang Dago", "capacity_vph", 2400,
                     "free_speed_kmh", 45, "id", "asia-afrika", "name", "Jl. Asia Afrika",
                     "capacity_vph", 1800, "free_speed_kmh", 40, "id", "pasteur", "name",
                     "Gerbang Tol Pasteur", "capacity_vph", 3600, "free_speed_kmh", 60, "id",
                     "soekarno-hatta", "name", "Jl. Soekarno-Hatta", "capacity_vph", 3000,
                     "free_speed_kmh", 55, "id", "buah-batu", "name", "Simpang Buah Batu",
                     "capacity_vph", 2000, "free_speed_kmh", 40);
}

/* New reference. */
static json_t *traffic_defaults(void)
{
    return json_pack("{s:s, s:s, s:{}, s:s, s:f, s:f, s:{s:s,s:s,s:s,s:s,s:s,s:s}, s:{s:f,s:f},"
                     " s:o, s:s, s:i, s:f, s:f, s:f}",
                     "feed", "simulated", "url", "", "headers", "token", "", "interval_s", 10.0,
                     "timeout_s", 5.0, "mapping", "list", "/corridors", "id", "/id", "name",
                     "/name", "count", "/count", "speed", "/speed", "level", "/level", "levels",
                     "dense_below_kmh", 30.0, "jammed_below_kmh", 15.0, "corridors",
                     default_corridors(), "timezone", "Asia/Jakarta", "history_points", 60,
                     "jam_alert_s", 600.0, "incident_every_s", 0.0, "incident_s", 60.0);
}

/* New reference. */
static json_t *traffic_schema(void)
{
    return json_pack(
        "{s:s, s:{s:{s:s,s:[s,s],s:s}, s:{s:s,s:s}, s:{s:s,s:s,s:b}, s:{s:s,s:s,s:b},"
        " s:{s:s,s:s}, s:{s:s,s:s}, s:{s:s,s:s}, s:{s:s,s:s}, s:{s:s,s:s}, s:{s:s,s:s},"
        " s:{s:s,s:s}, s:{s:s,s:s}, s:{s:s,s:s}, s:{s:s,s:s}}}",
        "type", "object", "properties", "feed", "type", "string", "enum", "simulated", "http",
        "title", "Feed", "url", "type", "string", "title", "Feed URL (http feed)", "headers",
        "type", "object", "title", "Request headers", "secret", 1, "token", "type", "string",
        "title", "Bearer token", "secret", 1, "interval_s", "type", "number", "title",
        "Poll interval (s)", "timeout_s", "type", "number", "title", "Request timeout (s)",
        "mapping", "type", "object", "title", "JSON pointers: list, id, name, count, speed, level",
        "levels", "type", "object", "title", "Speeds under which dense / jammed (km/h)",
        "corridors", "type", "array", "title", "Simulated corridors", "timezone", "type", "string",
        "title", "Time zone of the daily rhythm", "history_points", "type", "integer", "title",
        "Points in the history chart", "jam_alert_s", "type", "number", "title",
        "Event when jammed longer than (s)", "incident_every_s", "type", "number", "title",
        "Simulation: a corridor jams every (s), 0 never", "incident_s", "type", "number", "title",
        "Simulation: each jam lasts (s)");
}

static void settings_clear(traffic_settings *s)
{
    g_free(s->url);
    json_decref(s->headers);
    for (int i = 0; i < 6; i++)
        g_free(s->map[i]);
    for (int i = 0; i < s->n_sim; i++) {
        g_free((char *)s->sim[i].id);
        g_free((char *)s->sim[i].name);
    }
    g_free(s->sim);
    g_free(s->timezone);
    memset(s, 0, sizeof *s);
}

static int fail(char **error, const char *fmt, const char *detail)
{
    *error = g_strdup_printf(fmt, detail ? detail : "");
    return -1;
}

/* v (borrowed) as a number, or fallback. */
static double number_or(const json_t *v, double fallback)
{
    return json_is_number(v) ? json_number_value(v) : fallback;
}

/* Reads mapping (borrowed, may be NULL) into s->map. */
static int read_mapping(traffic_settings *s, const json_t *mapping, char **error)
{
    static const char *const keys[] = {"list", "id", "name", "count", "speed", "level"};
    static const char *const fallback[] = {"/corridors", "/id", "/name", "/count", "/speed", ""};
    if (mapping && !json_is_object(mapping))
        return fail(error, "%smapping must be an object of JSON pointers", NULL);
    for (int i = 0; i < 6; i++) {
        const json_t *v = json_object_get(mapping, keys[i]);
        const char *p = v ? json_string_value(v) : fallback[i];
        if (!p || !pt_json_pointer_valid(p))
            return fail(error, "mapping.%s must be a JSON pointer such as \"/name\"", keys[i]);
        s->map[i] = g_strdup(p);
    }
    return 0;
}

/* Reads the simulated corridors list (borrowed) into s->sim. */
static int read_corridors(traffic_settings *s, const json_t *list, char **error)
{
    size_t i;
    const json_t *c;
    if (!json_is_array(list) || json_array_size(list) > TRAFFIC_MAX_ITEMS)
        return fail(error, "%scorridors must be a list of up to 200 {id, name}", NULL);
    s->sim = g_new0(traffic_sim_corridor, json_array_size(list) + 1);
    json_array_foreach(list, i, c)
    {
        const char *id = json_string_value(json_object_get(c, "id"));
        if (!id || !*id || strlen(id) >= 64)
            return fail(error, "%severy corridor needs an id (string, < 64 characters)", NULL);
        const char *name = json_string_value(json_object_get(c, "name"));
        traffic_sim_corridor *sc = &s->sim[s->n_sim++];
        sc->id = g_strdup(id);
        sc->name = g_strdup(name ? name : id);
        sc->capacity_vph = number_or(json_object_get(c, "capacity_vph"), 2000);
        sc->free_speed_kmh = number_or(json_object_get(c, "free_speed_kmh"), 45);
    }
    return 0;
}

/* Reads feed, url, headers and token from settings st (borrowed). */
static int read_feed(traffic_settings *s, const json_t *st, char **error)
{
    const char *feed = json_string_value(json_object_get(st, "feed"));
    if (!feed || (strcmp(feed, "simulated") && strcmp(feed, "http")))
        return fail(error, "%sfeed must be \"simulated\" or \"http\"", NULL);
    s->simulated = !strcmp(feed, "simulated");
    const char *url = json_string_value(json_object_get(st, "url"));
    s->url = g_strdup(url ? url : "");
    if (!s->simulated && !*s->url)
        return fail(error, "%sfeed \"http\" needs a url", NULL);
    const json_t *headers = json_object_get(st, "headers");
    if (headers && !json_is_object(headers))
        return fail(error, "%sheaders must be an object of strings", NULL);
    s->headers =
        pt_http_headers_with_token(headers, json_string_value(json_object_get(st, "token")));
    return 0;
}

/* Reads and checks the numeric settings of st (borrowed). */
static int read_numbers(traffic_settings *s, const json_t *st, char **error)
{
    s->interval_s = number_or(json_object_get(st, "interval_s"), 10);
    s->timeout_s = number_or(json_object_get(st, "timeout_s"), 5);
    s->jam_alert_s = number_or(json_object_get(st, "jam_alert_s"), 600);
    s->incident_every_s = number_or(json_object_get(st, "incident_every_s"), 0);
    s->incident_s = number_or(json_object_get(st, "incident_s"), 60);
    const json_t *hp = json_object_get(st, "history_points");
    s->history_points = json_is_integer(hp) ? (int)json_integer_value(hp) : 60;
    const json_t *lv = json_object_get(st, "levels");
    s->limits.dense_below_kmh = number_or(json_object_get(lv, "dense_below_kmh"), 30);
    s->limits.jammed_below_kmh = number_or(json_object_get(lv, "jammed_below_kmh"), 15);
    if (s->interval_s < 0.1 || s->interval_s > 86400)
        return fail(error, "%sinterval_s must be between 0.1 and 86400", NULL);
    if (s->timeout_s < 0.1 || s->timeout_s > 600)
        return fail(error, "%stimeout_s must be between 0.1 and 600", NULL);
    if (s->jam_alert_s < 0)
        return fail(error, "%sjam_alert_s must not be negative", NULL);
    /* Whole milliseconds at least: the schedule divides by the period. */
    if (s->incident_every_s != 0 && (s->incident_every_s < 1 || s->incident_every_s > 86400 * 7))
        return fail(error, "%sincident_every_s must be 0 (never) or between 1 and 604800", NULL);
    if (s->incident_s <= 0 || (s->incident_every_s > 0 && s->incident_s >= s->incident_every_s))
        return fail(error, "%sincident_s must be positive and less than incident_every_s", NULL);
    if (s->history_points < 1 || s->history_points > MAX_HISTORY)
        return fail(error, "%shistory_points must be between 1 and 720", NULL);
    if (s->limits.jammed_below_kmh > s->limits.dense_below_kmh)
        return fail(error, "%slevels.jammed_below_kmh must not exceed dense_below_kmh", NULL);
    return 0;
}

/* Reads settings (borrowed) into s; on failure clears s and sets *error. */
static int settings_read(traffic_settings *s, const json_t *st, char **error)
{
    memset(s, 0, sizeof *s);
    const char *tz = json_string_value(json_object_get(st, "timezone"));
    s->timezone = g_strdup(tz ? tz : "Asia/Jakarta");
    if (read_feed(s, st, error) || read_numbers(s, st, error) ||
        read_mapping(s, json_object_get(st, "mapping"), error) ||
        read_corridors(s, json_object_get(st, "corridors"), error))
        goto fail;
    GTimeZone *zone = g_time_zone_new_identifier(s->timezone);
    if (!zone) {
        fail(error, "unknown time zone '%.100s'", s->timezone);
        goto fail;
    }
    g_time_zone_unref(zone);
    return 0;
fail:
    settings_clear(s);
    return -1;
}

/* ---- corridors and history ---- */

static void corridor_free(gpointer data)
{
    corridor *c = data;
    g_free(c->t);
    g_free(c->count);
    g_free(c->speed);
    g_free(c);
}

static corridor *corridor_new(const traffic_reading *r, const traffic_settings *cfg)
{
    corridor *c = g_new0(corridor, 1);
    c->now = *r;
    c->t = g_new0(int64_t, cfg->history_points);
    c->count = g_new0(double, cfg->history_points);
    c->speed = g_new0(double, cfg->history_points);
    pt_threshold_init(&c->jam, 0.5, 0.5, (int64_t)(cfg->jam_alert_s * 1000));
    return c;
}

static corridor *corridor_find(traffic_widget *w, const char *id)
{
    for (guint i = 0; i < w->corridors->len; i++) {
        corridor *c = g_ptr_array_index(w->corridors, i);
        if (!strcmp(c->now.id, id))
            return c;
    }
    return NULL;
}

static void history_push(corridor *c, int cap, int64_t t_ms, const traffic_reading *r)
{
    if (c->len == cap) {
        memmove(c->t, c->t + 1, sizeof *c->t * (cap - 1));
        memmove(c->count, c->count + 1, sizeof *c->count * (cap - 1));
        memmove(c->speed, c->speed + 1, sizeof *c->speed * (cap - 1));
        c->len--;
    }
    c->t[c->len] = t_ms;
    c->count[c->len] = r->count;
    c->speed[c->len] = r->speed;
    c->len++;
}

static void raise_jam(traffic_widget *w, const corridor *c, bool active)
{
    char *condition = g_strdup_printf("traffic.jammed.%s", c->now.id);
    char *message =
        active ? g_strdup_printf("%s jammed for more than %.0f s", c->now.name, w->cfg.jam_alert_s)
               : g_strdup_printf("%s no longer jammed", c->now.name);
    json_t *details = json_pack("{s:s, s:b, s:s, s:s}", "condition", condition, "active", active,
                                "corridor", c->now.id, "name", c->now.name);
    host->raise_event(w->source, active ? PANTAU_SEVERITY_WARNING : PANTAU_SEVERITY_INFO, message,
                      details);
    json_decref(details);
    g_free(message);
    g_free(condition);
}

static void check_jam(traffic_widget *w, corridor *c, int64_t now_ms)
{
    double jammed = c->seen && c->now.level == TRAFFIC_JAMMED ? 1 : 0;
    pt_change change = pt_threshold_feed(&c->jam, jammed, now_ms);
    if (change != PT_UNCHANGED)
        raise_jam(w, c, change == PT_RAISED);
}

/* Takes a new set of good readings: history and thresholds; corridors no
 * longer reported are dropped (clearing their event first). */
static void apply_readings(traffic_widget *w, const traffic_reading *r, int n, int64_t now_ms)
{
    for (guint i = 0; i < w->corridors->len; i++)
        ((corridor *)g_ptr_array_index(w->corridors, i))->seen = false;
    for (int i = 0; i < n; i++) {
        corridor *c = corridor_find(w, r[i].id);
        if (!c) {
            c = corridor_new(&r[i], &w->cfg);
            g_ptr_array_add(w->corridors, c);
        }
        if (c->seen)
            continue; /* a duplicate id in the feed: the first one counts */
        c->now = r[i];
        c->seen = true;
        history_push(c, w->cfg.history_points, now_ms, &r[i]);
    }
    for (guint i = 0; i < w->corridors->len; i++)
        check_jam(w, g_ptr_array_index(w->corridors, i), now_ms);
    for (guint i = w->corridors->len; i-- > 0;) {
        corridor *c = g_ptr_array_index(w->corridors, i);
        if (!c->seen)
            g_ptr_array_remove_index(w->corridors, i);
    }
    w->updated_ms = now_ms;
}

/* ---- publishing ---- */

/* New reference. */
static json_t *history_json(const corridor *c)
{
    json_t *t = json_array(), *count = json_array(), *speed = json_array();
    for (int i = 0; i < c->len; i++) {
        json_array_append_new(t, json_integer(c->t[i]));
        json_array_append_new(count, json_real(c->count[i]));
        json_array_append_new(speed, json_real(c->speed[i]));
    }
    return json_pack("{s:o, s:o, s:o}", "t", t, "count", count, "speed", speed);
}

/* New reference. */
static json_t *corridor_json(const corridor *c, int64_t now_ms)
{
    int64_t jammed_ms =
        c->now.level == TRAFFIC_JAMMED ? pt_threshold_above_for(&c->jam, now_ms) : 0;
    return json_pack("{s:s, s:s, s:s, s:f, s:f, s:I, s:b, s:o}", "id", c->now.id, "name",
                     c->now.name, "level", traffic_level_name(c->now.level), "count", c->now.count,
                     "speed", c->now.speed, "jammed_for_s", (json_int_t)(jammed_ms / 1000), "alert",
                     c->jam.active, "history", history_json(c));
}

static void traffic_publish(traffic_widget *w)
{
    int levels[3] = {0, 0, 0};
    json_t *list = json_array();
    for (guint i = 0; i < w->corridors->len; i++) {
        corridor *c = g_ptr_array_index(w->corridors, i);
        levels[c->now.level]++;
        json_array_append_new(list, corridor_json(c, w->updated_ms));
    }
    json_t *data = json_pack(
        "{s:s, s:I, s:f, s:{s:i, s:i, s:i}, s:{s:f, s:f}, s:i, s:o}", "feed",
        w->cfg.simulated ? "simulated" : "http", "updated_ms", (json_int_t)w->updated_ms,
        "interval_s", w->cfg.interval_s, "summary", "free", levels[0], "dense", levels[1], "jammed",
        levels[2], "levels", "dense_below_kmh", w->cfg.limits.dense_below_kmh, "jammed_below_kmh",
        w->cfg.limits.jammed_below_kmh, "skipped", w->skipped, "corridors", list);
    host->publish(w->source, data);
    json_decref(data);
}

/* ---- feeds ---- */

static int utc_offset_s(const char *timezone, int64_t t_ms)
{
    GTimeZone *zone = g_time_zone_new_identifier(timezone);
    if (!zone)
        return 0;
    int interval = g_time_zone_find_interval(zone, G_TIME_TYPE_UNIVERSAL, t_ms / 1000);
    int offset = interval >= 0 ? g_time_zone_get_offset(zone, interval) : 0;
    g_time_zone_unref(zone);
    return offset;
}

/* A simulated incident: during the first incident_s of every
 * incident_every_s (counted from the epoch), one corridor after the other
 * crawls at a third of the jammed speed. */
static void simulate_incident(const traffic_settings *cfg, int64_t t_ms, traffic_reading *r, int n)
{
    if (cfg->incident_every_s <= 0 || n <= 0)
        return;
    int64_t every_ms = (int64_t)(cfg->incident_every_s * 1000);
    int64_t period = t_ms / every_ms;
    if (t_ms - period * every_ms >= (int64_t)(cfg->incident_s * 1000))
        return;
    traffic_reading *jam = &r[period % n];
    jam->speed = cfg->limits.jammed_below_kmh / 3;
    jam->count /= 3;
    jam->level = TRAFFIC_JAMMED;
}

static int simulate_at(traffic_widget *w, int64_t t_ms, traffic_reading *out)
{
    int offset = utc_offset_s(w->cfg.timezone, t_ms);
    for (int i = 0; i < w->cfg.n_sim; i++)
        traffic_simulate(host->source_id(w->source), &w->cfg.sim[i], t_ms, offset,
                         w->cfg.interval_s, &w->cfg.limits, &out[i]);
    simulate_incident(&w->cfg, t_ms, out, w->cfg.n_sim);
    return w->cfg.n_sim;
}

/* Fills the history with the simulation's past, so the chart is full at once. */
static void simulate_backfill(traffic_widget *w, int64_t now_ms)
{
    traffic_reading *r = g_new0(traffic_reading, w->cfg.n_sim + 1);
    int64_t step = (int64_t)(w->cfg.interval_s * 1000);
    for (int k = w->cfg.history_points - 1; k >= 1; k--) {
        int n = simulate_at(w, now_ms - k * step, r);
        for (int i = 0; i < n; i++) {
            corridor *c = corridor_find(w, r[i].id);
            if (!c)
                g_ptr_array_add(w->corridors, c = corridor_new(&r[i], &w->cfg));
            history_push(c, w->cfg.history_points, now_ms - k * step, &r[i]);
        }
    }
    g_free(r);
}

static int simulate_tick(void *user)
{
    traffic_widget *w = user;
    traffic_reading *r = g_new0(traffic_reading, w->cfg.n_sim + 1);
    int64_t now_ms = g_get_real_time() / 1000;
    int n = simulate_at(w, now_ms, r);
    apply_readings(w, r, n, now_ms);
    g_free(r);
    w->skipped = 0;
    pt_feed_good(&w->feed);
    traffic_publish(w);
    return 1;
}

/* A poll finished: body (borrowed) is the document, or NULL with error. */
static void on_feed(void *user, const json_t *body, const char *error)
{
    traffic_widget *w = user;
    if (!body) {
        pt_feed_poll_failed(&w->feed, error);
        return;
    }
    traffic_mapping map = {w->cfg.map[0], w->cfg.map[1], w->cfg.map[2],
                           w->cfg.map[3], w->cfg.map[4], w->cfg.map[5]};
    traffic_reading *r = g_new0(traffic_reading, TRAFFIC_MAX_ITEMS);
    char err[256];
    int skipped = 0;
    int n = traffic_parse_feed(body, &map, &w->cfg.limits, r, TRAFFIC_MAX_ITEMS, &skipped, err,
                               sizeof err);
    if (n < 0) {
        pt_feed_failed(&w->feed, PANTAU_STATUS_ERROR, err);
        g_free(r);
        return;
    }
    apply_readings(w, r, n, g_get_real_time() / 1000);
    g_free(r);
    w->skipped = skipped;
    pt_feed_good(&w->feed);
    traffic_publish(w);
}

static void traffic_stop(void *instance)
{
    traffic_widget *w = instance;
    w->running = false;
    if (w->timer)
        host->timer_remove(w->timer);
    w->timer = 0;
    pt_http_poll_free(w->poll);
    w->poll = NULL;
}

static void start_http(traffic_widget *w)
{
    pt_http_poll_options o = {w->cfg.url, w->cfg.headers, (unsigned)(w->cfg.interval_s * 1000),
                              (unsigned)(w->cfg.timeout_s * 1000), 0};
    w->poll = pt_feed_poll_start(&w->feed, &o, on_feed, w);
}

static void traffic_start(void *instance)
{
    traffic_widget *w = instance;
    if (w->running)
        return;
    w->running = true;
    if (!w->cfg.simulated) {
        start_http(w);
        return;
    }
    if (w->corridors->len == 0)
        simulate_backfill(w, g_get_real_time() / 1000);
    simulate_tick(w);
    w->timer = host->timer_add((unsigned)(w->cfg.interval_s * 1000), simulate_tick, w);
}

/* ---- lifecycle ---- */

static int traffic_check(const json_t *settings, char **error)
{
    traffic_settings s;
    if (settings_read(&s, settings, error))
        return -1;
    settings_clear(&s);
    return 0;
}

static void *traffic_create(pantau_source *source, const json_t *settings, char **error)
{
    traffic_widget *w = g_new0(traffic_widget, 1);
    w->source = source;
    if (settings_read(&w->cfg, settings, error)) {
        g_free(w);
        return NULL;
    }
    pt_feed_init(&w->feed, host, source);
    w->corridors = g_ptr_array_new_with_free_func(corridor_free);
    return w;
}

static int traffic_update(void *instance, const json_t *settings, char **error)
{
    traffic_widget *w = instance;
    traffic_settings next;
    if (settings_read(&next, settings, error))
        return -1;
    bool was_running = w->running;
    traffic_stop(w);
    settings_clear(&w->cfg);
    w->cfg = next;
    g_ptr_array_set_size(w->corridors, 0);
    w->updated_ms = 0;
    pt_feed_reset(&w->feed);
    if (was_running)
        traffic_start(w);
    return 0;
}

static void traffic_destroy(void *instance)
{
    traffic_widget *w = instance;
    traffic_stop(w);
    g_ptr_array_unref(w->corridors);
    settings_clear(&w->cfg);
    pt_feed_reset(&w->feed);
    g_free(w);
}

static const pantau_source_type traffic_type = {
    .size = sizeof(pantau_source_type),
    .id = "traffic",
    .kind = "widget",
    .display_name = "Traffic",
    .web_module = "traffic.js",
    .defaults = traffic_defaults,
    .schema = traffic_schema,
    .create = traffic_create,
    .check = traffic_check,
    .destroy = traffic_destroy,
    .update = traffic_update,
    .start = traffic_start,
    .stop = traffic_stop,
};

static int traffic_load(const pantau_host *h)
{
    host = h;
    return h->register_source_type(h, &traffic_type, sizeof traffic_type);
}

static void traffic_unload(void)
{
    host = NULL;
}

PANTAU_PLUGIN_DEFINE("traffic", "1.0.0", "Traffic congestion of corridors and intersections",
                     traffic_load, traffic_unload)
