/* dchealth - the health of the city data centre: this host's CPU, memory,
 * disks, load and network; TCP and HTTP checks of other services; metrics
 * scraped from Prometheus exporters; UPS status from a NUT server. Raises
 * events when a check goes down, the UPS goes on battery, or a threshold is
 * crossed, and once more when that ends. */
#include "dch_state.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const pantau_host *host;

static json_t *dch_defaults(void)
{
    return dch_config_defaults();
}

static json_t *dch_schema(void)
{
    return dch_config_schema();
}

static void publish_now(dch *w)
{
    char *reason = NULL;
    enum pantau_source_status status = dch_overall_status(w, &reason);
    json_t *data = dch_snapshot_json(w);
    host->publish(w->source, data);
    json_decref(data);
    host->set_status(w->source, status, reason);
    g_free(reason);
}

static int publish_soon_fire(void *user)
{
    dch *w = user;
    w->publish_timer = 0;
    publish_now(w);
    return 0;
}

void dch_schedule_publish(dch *w)
{
    if (!w->publish_timer)
        w->publish_timer = host->timer_add(50, publish_soon_fire, w);
}

/* One round: sample, start the probes, and publish once the quick ones
 * have answered (results arriving later publish again). */
static int tick(void *user)
{
    dch *w = user;
    dch_poll(w);
    dch_schedule_publish(w);
    return 1;
}

static void history_init(dch_history *h, unsigned cap)
{
    memset(h, 0, sizeof *h);
    h->cap = cap;
    if (!cap)
        return;
    h->t = g_new0(double, cap);
    h->cpu = g_new0(double, cap);
    h->mem = g_new0(double, cap);
    h->rx = g_new0(double, cap);
    h->tx = g_new0(double, cap);
}

static void history_clear(dch_history *h)
{
    g_free(h->t);
    g_free(h->cpu);
    g_free(h->mem);
    g_free(h->rx);
    g_free(h->tx);
    memset(h, 0, sizeof *h);
}

/* Builds the per-part state for w->cfg; the parts start pending. */
static void parts_init(dch *w)
{
    const dch_config *cfg = w->cfg;
    double hyst = cfg->hysteresis;
    size_t ndisks = g_strv_length(cfg->disks);
    memset(&w->sampler, 0, sizeof w->sampler);
    memset(&w->hm, 0, sizeof w->hm);
    w->hm.cpu_percent = w->hm.mem_percent = w->hm.rx_bps = w->hm.tx_bps = NAN;
    w->hm.ndisks = ndisks;
    w->hm.disks = g_new0(dch_disk_metrics, ndisks + 1);
    w->thr_disk = g_new0(pt_threshold, ndisks + 1);
    for (size_t i = 0; i < ndisks; i++)
        dch_threshold_init(&w->thr_disk[i], cfg->disk_percent, hyst);
    dch_threshold_init(&w->thr_cpu, cfg->cpu_percent, hyst);
    dch_threshold_init(&w->thr_mem, cfg->mem_percent, hyst);
    dch_threshold_init(&w->thr_load, cfg->load1, cfg->load1 * hyst / 100.0);
    w->checks = g_new0(dch_check_state, cfg->nchecks + 1);
    for (size_t i = 0; i < cfg->nchecks; i++)
        w->checks[i] = (dch_check_state){.w = w, .cfg = &cfg->checks[i], .latency_ms = NAN};
    w->exporters = g_new0(dch_exporter_state, cfg->nexporters + 1);
    for (size_t i = 0; i < cfg->nexporters; i++) {
        dch_exporter_state *e = &w->exporters[i];
        *e = (dch_exporter_state){.w = w, .cfg = &cfg->exporters[i]};
        e->metrics = g_new0(dch_metric_state, e->cfg->nmetrics + 1);
        for (size_t m = 0; m < e->cfg->nmetrics; m++) {
            double above = e->cfg->metrics[m].above;
            e->metrics[m].value = NAN;
            dch_threshold_init(&e->metrics[m].thr, above, fabs(above) * hyst / 100.0);
        }
    }
    memset(&w->ups, 0, sizeof w->ups);
    w->ups.w = w;
    history_init(&w->hist, cfg->history_points);
}

static void parts_clear(dch *w)
{
    for (size_t i = 0; w->checks && i < w->cfg->nchecks; i++)
        g_free(w->checks[i].reason);
    for (size_t i = 0; w->exporters && i < w->cfg->nexporters; i++) {
        g_free(w->exporters[i].error);
        g_free(w->exporters[i].metrics);
    }
    g_clear_pointer(&w->checks, g_free);
    g_clear_pointer(&w->exporters, g_free);
    g_clear_pointer(&w->thr_disk, g_free);
    g_clear_pointer(&w->hm.disks, g_free);
    g_clear_pointer(&w->ups.error, g_free);
    history_clear(&w->hist);
}

static int dch_check(const json_t *settings, char **error)
{
    dch_config *cfg = dch_config_read(settings, error);
    if (!cfg)
        return -1;
    dch_config_free(cfg);
    return 0;
}

static void *dch_create(pantau_source *source, const json_t *settings, char **error)
{
    dch_config *cfg = dch_config_read(settings, error);
    if (!cfg)
        return NULL;
    dch *w = g_new0(dch, 1);
    w->host = host;
    w->source = source;
    w->cfg = cfg;
    w->ops = dch_ops_new();
    w->session = soup_session_new_with_options("user-agent", "pantau-dchealth/1.0", NULL);
    w->conds = dch_conditions_new();
    parts_init(w);
    return w;
}

static void dch_start(void *instance)
{
    dch *w = instance;
    if (w->timer)
        return;
    tick(w);
    w->timer = host->timer_add(w->cfg->interval_ms, tick, w);
}

/* Stops sampling; probes in flight are cancelled and never call back. */
static void dch_stop(void *instance)
{
    dch *w = instance;
    if (w->timer)
        host->timer_remove(w->timer);
    if (w->publish_timer)
        host->timer_remove(w->publish_timer);
    w->timer = w->publish_timer = 0;
    dch_ops_cancel_all(w->ops);
    for (size_t i = 0; i < w->cfg->nchecks; i++)
        w->checks[i].busy = false;
    for (size_t i = 0; i < w->cfg->nexporters; i++)
        w->exporters[i].busy = false;
    w->ups.busy = false;
}

static int dch_update(void *instance, const json_t *settings, char **error)
{
    dch *w = instance;
    dch_config *cfg = dch_config_read(settings, error);
    if (!cfg)
        return -1;
    bool running = w->timer != 0;
    dch_stop(w);
    parts_clear(w);
    dch_config_free(w->cfg);
    w->cfg = cfg;
    parts_init(w);
    if (running)
        dch_start(w);
    return 0;
}

static void dch_destroy(void *instance)
{
    dch *w = instance;
    dch_stop(w);
    dch_ops_free(w->ops);
    soup_session_abort(w->session);
    g_object_unref(w->session);
    parts_clear(w);
    dch_conditions_free(w->conds);
    dch_config_free(w->cfg);
    g_free(w);
}

static const pantau_source_type dch_type = {
    .size = sizeof(pantau_source_type),
    .id = "dchealth",
    .kind = "widget",
    .display_name = "Data-centre health",
    .web_module = "dchealth.js",
    .defaults = dch_defaults,
    .schema = dch_schema,
    .create = dch_create,
    .check = dch_check,
    .destroy = dch_destroy,
    .update = dch_update,
    .start = dch_start,
    .stop = dch_stop,
};

static int dch_load(const pantau_host *h)
{
    host = h;
    return h->register_source_type(h, &dch_type, sizeof dch_type);
}

static void dch_unload(void)
{
    host = NULL;
}

PANTAU_PLUGIN_DEFINE("dchealth", "1.0.0",
                     "Data-centre health: host metrics, service checks, Prometheus, NUT UPS",
                     dch_load, dch_unload)
