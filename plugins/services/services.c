/* services - citizen complaint tickets: open tickets by status, agency and
 * channel, working-day deadlines (forwarded within 3, followed up within 5,
 * closed within 10 by default), overdue tickets counted and listed. Feeds: a
 * simulation with a daily rhythm, an HTTP JSON list of tickets, or a CSV file
 * watched for changes. Raises an event when the overdue count passes a
 * threshold, and one when it is back under. */
#include <pantau/plugin.h>

#include "feed_state.h"
#include "http_poll.h"
#include "json_pointer.h"
#include "threshold.h"
#include "tickets.h"

#include <gio/gio.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <stdbool.h>
#include <string.h>

static const pantau_host *host;

enum feed_kind { FEED_SIMULATED, FEED_HTTP, FEED_CSV };

typedef struct services_settings {
    enum feed_kind feed;
    char *url;
    json_t *headers; /* incl. Authorization from token: secret */
    char *list;
    char *path;
    double interval_s;
    double timeout_s;
    GTimeZone *zone;
    GArray *holidays; /* guint32 Julian days */
    deadlines due;
    int overdue_alert;
    int overdue_list;
    double per_day;
} services_settings;

typedef struct services_widget {
    pantau_source *source;
    services_settings cfg;
    GArray *tickets; /* the last good tickets */
    int64_t updated_ms;
    int skipped;
    json_t *published; /* the last data published (own reference) */
    pt_threshold overdue;
    pt_http_poll *poll;
    unsigned timer;
    bool running;
    GFileMonitor *monitor;
    GCancellable *loading; /* the CSV read in flight */
    guint reload_id;       /* debounce of file monitor events */
    int64_t csv_mtime_us;
    int64_t csv_size;
    pt_feed_state feed;
} services_widget;

/* ---- settings ---- */

/* New reference. */
static json_t *services_defaults(void)
{
    return json_pack("{s:s, s:s, s:{}, s:s, s:s, s:s, s:f, s:f, s:s, s:{s:i, s:i, s:i}, s:[],"
                     " s:i, s:i, s:f}",
                     "feed", "simulated", "url", "", "headers", "token", "", "list", "", "path", "",
                     "interval_s", 10.0, "timeout_s", 5.0, "timezone", "Asia/Jakarta", "deadlines",
                     "forward_wd", 3, "follow_up_wd", 5, "close_wd", 10, "holidays",
                     "overdue_alert", 40, "overdue_list", 12, "tickets_per_day", 40.0);
}

/* New reference. */
static json_t *services_schema(void)
{
    return json_pack(
        "{s:s, s:{s:{s:s,s:[s,s,s],s:s}, s:{s:s,s:s}, s:{s:s,s:s,s:b}, s:{s:s,s:s,s:b},"
        " s:{s:s,s:s}, s:{s:s,s:s}, s:{s:s,s:s}, s:{s:s,s:s}, s:{s:s,s:s}, s:{s:s,s:s},"
        " s:{s:s,s:s}, s:{s:s,s:s}, s:{s:s,s:s}, s:{s:s,s:s}}}",
        "type", "object", "properties", "feed", "type", "string", "enum", "simulated", "http",
        "csv", "title", "Feed", "url", "type", "string", "title", "Feed URL (http feed)", "headers",
        "type", "object", "title", "Request headers", "secret", 1, "token", "type", "string",
        "title", "Bearer token", "secret", 1, "list", "type", "string", "title",
        "JSON pointer to the list of tickets", "path", "type", "string", "title",
        "CSV file (csv feed)", "interval_s", "type", "number", "title", "Refresh interval (s)",
        "timeout_s", "type", "number", "title", "Request timeout (s)", "timezone", "type", "string",
        "title", "Time zone of working days", "deadlines", "type", "object", "title",
        "Working days to forward, follow up, close", "holidays", "type", "array", "title",
        "Public holidays (YYYY-MM-DD)", "overdue_alert", "type", "integer", "title",
        "Event when more tickets are overdue than", "overdue_list", "type", "integer", "title",
        "Overdue tickets listed", "tickets_per_day", "type", "number", "title",
        "Simulated tickets per day");
}

static void settings_clear(services_settings *s)
{
    g_free(s->url);
    json_decref(s->headers);
    g_free(s->list);
    g_free(s->path);
    if (s->zone)
        g_time_zone_unref(s->zone);
    if (s->holidays)
        g_array_unref(s->holidays);
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

/* v (borrowed) as an integer, or fallback. */
static int int_or(const json_t *v, int fallback)
{
    return json_is_integer(v) ? (int)json_integer_value(v) : fallback;
}

/* Reads feed, url, path, list, headers and token from st (borrowed). */
static int read_feed(services_settings *s, const json_t *st, char **error)
{
    const char *feed = json_string_value(json_object_get(st, "feed"));
    static const char *const names[] = {"simulated", "http", "csv"};
    int i = 0;
    while (i < 3 && (!feed || strcmp(feed, names[i])))
        i++;
    if (i == 3)
        return fail(error, "%sfeed must be \"simulated\", \"http\" or \"csv\"", NULL);
    s->feed = (enum feed_kind)i;
    const char *url = json_string_value(json_object_get(st, "url"));
    const char *path = json_string_value(json_object_get(st, "path"));
    const char *list = json_string_value(json_object_get(st, "list"));
    s->url = g_strdup(url ? url : "");
    s->path = g_strdup(path ? path : "");
    s->list = g_strdup(list ? list : "");
    if (s->feed == FEED_HTTP && !*s->url)
        return fail(error, "%sfeed \"http\" needs a url", NULL);
    if (s->feed == FEED_CSV && !*s->path)
        return fail(error, "%sfeed \"csv\" needs a path", NULL);
    if (!pt_json_pointer_valid(s->list))
        return fail(error, "%slist must be a JSON pointer such as \"/tickets\"", NULL);
    const json_t *headers = json_object_get(st, "headers");
    if (headers && !json_is_object(headers))
        return fail(error, "%sheaders must be an object of strings", NULL);
    s->headers =
        pt_http_headers_with_token(headers, json_string_value(json_object_get(st, "token")));
    return 0;
}

/* Reads the holidays list (borrowed, may be NULL) as Julian days. */
static int read_holidays(services_settings *s, const json_t *list, char **error)
{
    size_t i;
    const json_t *v;
    s->holidays = g_array_new(FALSE, FALSE, sizeof(guint32));
    if (list && !json_is_array(list))
        return fail(error, "%sholidays must be a list of dates \"YYYY-MM-DD\"", NULL);
    json_array_foreach(list, i, v)
    {
        GDate d;
        int y = 0, m = 0, day = 0;
        const char *text = json_string_value(v);
        g_date_clear(&d, 1);
        if (!text || sscanf(text, "%4d-%2d-%2d", &y, &m, &day) != 3 ||
            !g_date_valid_dmy((GDateDay)day, (GDateMonth)m, (GDateYear)y))
            return fail(error, "holiday '%.40s' is not a date YYYY-MM-DD", text ? text : "?");
        g_date_set_dmy(&d, (GDateDay)day, (GDateMonth)m, (GDateYear)y);
        guint32 julian = g_date_get_julian(&d);
        g_array_append_val(s->holidays, julian);
    }
    return 0;
}

/* Reads and checks deadlines and numeric settings of st (borrowed). */
static int read_numbers(services_settings *s, const json_t *st, char **error)
{
    const json_t *due = json_object_get(st, "deadlines");
    s->due.forward_wd = int_or(json_object_get(due, "forward_wd"), 3);
    s->due.follow_wd = int_or(json_object_get(due, "follow_up_wd"), 5);
    s->due.close_wd = int_or(json_object_get(due, "close_wd"), 10);
    s->interval_s = number_or(json_object_get(st, "interval_s"), 10);
    s->timeout_s = number_or(json_object_get(st, "timeout_s"), 5);
    s->overdue_alert = int_or(json_object_get(st, "overdue_alert"), 40);
    s->overdue_list = int_or(json_object_get(st, "overdue_list"), 12);
    s->per_day = number_or(json_object_get(st, "tickets_per_day"), 40);
    if (s->due.forward_wd < 0 || s->due.follow_wd < 0 || s->due.close_wd < 0 ||
        s->due.close_wd > 365 || s->due.follow_wd > 365 || s->due.forward_wd > 365)
        return fail(error, "%sdeadlines must be working days between 0 and 365", NULL);
    if (s->interval_s < 0.1 || s->interval_s > 86400)
        return fail(error, "%sinterval_s must be between 0.1 and 86400", NULL);
    if (s->timeout_s < 0.1 || s->timeout_s > 600)
        return fail(error, "%stimeout_s must be between 0.1 and 600", NULL);
    if (s->overdue_alert < 0 || s->overdue_list < 0 || s->overdue_list > 200)
        return fail(error, "%soverdue_alert must be >= 0 and overdue_list 0..200", NULL);
    if (s->per_day < 0 || s->per_day > 500)
        return fail(error, "%stickets_per_day must be between 0 and 500", NULL);
    return 0;
}

/* Reads settings (borrowed) into s; on failure clears s and sets *error. */
static int settings_read(services_settings *s, const json_t *st, char **error)
{
    memset(s, 0, sizeof *s);
    const char *tz = json_string_value(json_object_get(st, "timezone"));
    s->zone = g_time_zone_new_identifier(tz ? tz : "Asia/Jakarta");
    if (!s->zone) {
        fail(error, "unknown time zone '%.100s'", tz);
        goto fail;
    }
    if (read_feed(s, st, error) || read_numbers(s, st, error) ||
        read_holidays(s, json_object_get(st, "holidays"), error))
        goto fail;
    return 0;
fail:
    settings_clear(s);
    return -1;
}

/* ---- report and events ---- */

static void raise_overdue(services_widget *w, int count, bool active)
{
    char *message = active ? g_strdup_printf("%d complaint tickets overdue (more than %d)", count,
                                             w->cfg.overdue_alert)
                           : g_strdup_printf("overdue complaint tickets back to %d (limit %d)",
                                             count, w->cfg.overdue_alert);
    json_t *details = json_pack("{s:s, s:b, s:i, s:i}", "condition", "services.overdue", "active",
                                active, "overdue", count, "threshold", w->cfg.overdue_alert);
    host->raise_event(w->source, active ? PANTAU_SEVERITY_WARNING : PANTAU_SEVERITY_INFO, message,
                      details);
    json_decref(details);
    g_free(message);
}

static const char *feed_name(enum feed_kind feed)
{
    return feed == FEED_HTTP ? "http" : feed == FEED_CSV ? "csv" : "simulated";
}

/* Recomputes the report from the last good tickets; publishes it when it
 * changed and raises the overdue event on a crossing. */
static void services_refresh(services_widget *w)
{
    if (!w->feed.has_data)
        return;
    int64_t now_ms = g_get_real_time() / 1000;
    workdays wd = {w->cfg.zone, w->cfg.holidays};
    json_t *data = tickets_report(w->tickets, now_ms, &w->cfg.due, &wd, w->cfg.overdue_list);
    json_t *overdue = json_object_get(data, "overdue");
    int count = (int)json_integer_value(json_object_get(overdue, "count"));
    json_object_set_new(overdue, "threshold", json_integer(w->cfg.overdue_alert));
    json_object_set_new(data, "feed", json_string(feed_name(w->cfg.feed)));
    json_object_set_new(data, "updated_ms", json_integer(w->updated_ms));
    json_object_set_new(data, "skipped", json_integer(w->skipped));
    pt_change change = pt_threshold_feed(&w->overdue, count, now_ms);
    if (change != PT_UNCHANGED)
        raise_overdue(w, count, change == PT_RAISED);
    if (w->published && json_equal(w->published, data)) {
        json_decref(data);
        return;
    }
    host->publish(w->source, data);
    json_decref(w->published);
    w->published = data;
}

/* Takes tickets (stolen) as the new good data, updated at updated_ms. */
static void services_take(services_widget *w, GArray *tickets, int skipped, int64_t updated_ms)
{
    g_array_unref(w->tickets);
    w->tickets = tickets;
    w->skipped = skipped;
    w->updated_ms = updated_ms;
    pt_feed_good(&w->feed);
    services_refresh(w);
}

static GArray *ticket_array(void)
{
    return g_array_new(FALSE, FALSE, sizeof(ticket));
}

/* ---- simulated ---- */

static void simulate(services_widget *w)
{
    int64_t now_ms = g_get_real_time() / 1000;
    GArray *tickets = ticket_array();
    tickets_simulate(host->source_id(w->source), now_ms, w->cfg.zone, w->cfg.per_day, tickets);
    services_take(w, tickets, 0, now_ms);
}

/* ---- http ---- */

/* A poll finished: body (borrowed) is the document, or NULL with error. */
static void on_feed(void *user, const json_t *body, const char *error)
{
    services_widget *w = user;
    if (!body) {
        pt_feed_poll_failed(&w->feed, error);
        return;
    }
    GArray *tickets = ticket_array();
    char err[256];
    int skipped = 0;
    if (tickets_from_json(body, w->cfg.list, w->cfg.zone, tickets, &skipped, err, sizeof err) < 0) {
        g_array_unref(tickets);
        pt_feed_failed(&w->feed, PANTAU_STATUS_ERROR, err);
        return;
    }
    services_take(w, tickets, skipped, g_get_real_time() / 1000);
}

static void start_http(services_widget *w)
{
    pt_http_poll_options o = {w->cfg.url, w->cfg.headers, (unsigned)(w->cfg.interval_s * 1000),
                              (unsigned)(w->cfg.timeout_s * 1000), 0};
    w->poll = pt_feed_poll_start(&w->feed, &o, on_feed, w);
}

/* ---- csv ---- */

/* One read of the CSV file. Outlives the widget if stopped meanwhile: then
 * owner is NULL and the completion only frees. */
typedef struct csv_load {
    services_widget *owner;
    GCancellable *cancellable;
    int64_t mtime_us;
    int64_t size;
} csv_load;

static void on_csv_loaded(GObject *object, GAsyncResult *result, gpointer data)
{
    csv_load *load = data;
    char *text = NULL;
    gsize len = 0;
    GError *err = NULL;
    gboolean ok = g_file_load_contents_finish(G_FILE(object), result, &text, &len, NULL, &err);
    services_widget *w = load->owner;
    if (!w)
        goto out;
    g_clear_object(&w->loading);
    if (!ok) {
        char *reason = g_strdup_printf("cannot read CSV file: %.120s", err->message);
        pt_feed_failed(&w->feed, PANTAU_STATUS_STALE, reason);
        g_free(reason);
        goto out;
    }
    w->csv_mtime_us = load->mtime_us;
    w->csv_size = load->size;
    GArray *tickets = ticket_array();
    char reason[256];
    int skipped = 0;
    if (tickets_from_csv(text, len, w->cfg.zone, tickets, &skipped, reason, sizeof reason) < 0) {
        g_array_unref(tickets);
        pt_feed_failed(&w->feed, PANTAU_STATUS_ERROR, reason);
        goto out;
    }
    services_take(w, tickets, skipped, load->mtime_us / 1000);
out:
    g_clear_error(&err);
    g_free(text);
    g_object_unref(load->cancellable);
    g_free(load);
}

/* Starts reading the file unless a read is already running. The stat is a
 * local metadata lookup, quick enough for the loop. */
static void csv_load_start(services_widget *w)
{
    GStatBuf st;
    if (w->loading)
        return;
    if (g_stat(w->cfg.path, &st) != 0) {
        char *reason = g_strdup_printf("cannot read CSV file: %s", g_strerror(errno));
        pt_feed_failed(&w->feed, PANTAU_STATUS_STALE, reason);
        g_free(reason);
        return;
    }
    csv_load *load = g_new0(csv_load, 1);
    load->owner = w;
    load->cancellable = g_cancellable_new();
    load->mtime_us = (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000;
    load->size = (int64_t)st.st_size;
    w->loading = g_object_ref(load->cancellable);
    g_object_set_data(G_OBJECT(w->loading), "pantau-csv-load", load);
    GFile *file = g_file_new_for_path(w->cfg.path);
    g_file_load_contents_async(file, load->cancellable, on_csv_loaded, load);
    g_object_unref(file);
}

/* Whether the file's mtime or size differs from the last read (or it is gone). */
static bool csv_changed(services_widget *w)
{
    GStatBuf st;
    if (g_stat(w->cfg.path, &st) != 0)
        return true;
    int64_t mtime_us = (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000;
    return mtime_us != w->csv_mtime_us || (int64_t)st.st_size != w->csv_size;
}

static gboolean on_reload(gpointer data)
{
    services_widget *w = data;
    w->reload_id = 0;
    csv_load_start(w);
    return G_SOURCE_REMOVE;
}

static void on_file_changed(GFileMonitor *monitor, GFile *file, GFile *other,
                            GFileMonitorEvent event, gpointer data)
{
    (void)monitor, (void)file, (void)other, (void)event;
    services_widget *w = data;
    if (!w->reload_id)
        w->reload_id = g_timeout_add(150, on_reload, w);
}

static void csv_cancel(services_widget *w)
{
    if (w->reload_id)
        g_source_remove(w->reload_id);
    w->reload_id = 0;
    if (w->monitor) {
        g_signal_handlers_disconnect_by_data(w->monitor, w);
        g_file_monitor_cancel(w->monitor);
        g_clear_object(&w->monitor);
    }
    if (!w->loading)
        return;
    csv_load *load = g_object_get_data(G_OBJECT(w->loading), "pantau-csv-load");
    load->owner = NULL;
    g_cancellable_cancel(w->loading);
    g_clear_object(&w->loading);
}

static void start_csv(services_widget *w)
{
    GFile *file = g_file_new_for_path(w->cfg.path);
    w->monitor = g_file_monitor_file(file, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
    g_object_unref(file);
    if (w->monitor)
        g_signal_connect(w->monitor, "changed", G_CALLBACK(on_file_changed), w);
    csv_load_start(w);
}

/* ---- lifecycle ---- */

static int services_tick(void *user)
{
    services_widget *w = user;
    if (w->cfg.feed == FEED_SIMULATED)
        simulate(w);
    else if (w->cfg.feed == FEED_CSV && csv_changed(w))
        csv_load_start(w);
    services_refresh(w); /* deadlines pass with time even when the data stays */
    return 1;
}

static void services_start(void *instance)
{
    services_widget *w = instance;
    if (w->running)
        return;
    w->running = true;
    if (w->cfg.feed == FEED_HTTP)
        start_http(w);
    else if (w->cfg.feed == FEED_CSV)
        start_csv(w);
    else
        simulate(w);
    w->timer = host->timer_add((unsigned)(w->cfg.interval_s * 1000), services_tick, w);
}

static void services_stop(void *instance)
{
    services_widget *w = instance;
    w->running = false;
    if (w->timer)
        host->timer_remove(w->timer);
    w->timer = 0;
    pt_http_poll_free(w->poll);
    w->poll = NULL;
    csv_cancel(w);
}

static int services_check(const json_t *settings, char **error)
{
    services_settings s;
    if (settings_read(&s, settings, error))
        return -1;
    settings_clear(&s);
    return 0;
}

static void *services_create(pantau_source *source, const json_t *settings, char **error)
{
    services_widget *w = g_new0(services_widget, 1);
    w->source = source;
    if (settings_read(&w->cfg, settings, error)) {
        g_free(w);
        return NULL;
    }
    w->tickets = ticket_array();
    pt_feed_init(&w->feed, host, source);
    pt_threshold_init(&w->overdue, w->cfg.overdue_alert, w->cfg.overdue_alert, 0);
    return w;
}

static int services_update(void *instance, const json_t *settings, char **error)
{
    services_widget *w = instance;
    services_settings next;
    if (settings_read(&next, settings, error))
        return -1;
    bool was_running = w->running;
    services_stop(w);
    settings_clear(&w->cfg);
    w->cfg = next;
    pt_threshold_set_limits(&w->overdue, w->cfg.overdue_alert, w->cfg.overdue_alert, 0);
    g_array_set_size(w->tickets, 0);
    pt_feed_reset(&w->feed);
    w->csv_mtime_us = 0;
    if (was_running)
        services_start(w);
    return 0;
}

static void services_destroy(void *instance)
{
    services_widget *w = instance;
    services_stop(w);
    g_array_unref(w->tickets);
    json_decref(w->published);
    settings_clear(&w->cfg);
    pt_feed_reset(&w->feed);
    g_free(w);
}

static const pantau_source_type services_type = {
    .size = sizeof(pantau_source_type),
    .id = "services",
    .kind = "widget",
    .display_name = "Public services",
    .web_module = "services.js",
    .defaults = services_defaults,
    .schema = services_schema,
    .create = services_create,
    .check = services_check,
    .destroy = services_destroy,
    .update = services_update,
    .start = services_start,
    .stop = services_stop,
};

static int services_load(const pantau_host *h)
{
    host = h;
    return h->register_source_type(h, &services_type, sizeof services_type);
}

static void services_unload(void)
{
    host = NULL;
}

PANTAU_PLUGIN_DEFINE("services", "1.0.0", "Citizen complaint tickets and their deadlines",
                     services_load, services_unload)
