/* dch_poll - one sampling round: the host, the checks, the exporters and
 * the UPS, and the events their results raise. */
#include "dch_state.h"

#include <math.h>
#include <string.h>

#define MAX_SCRAPE_BYTES (16 * 1024 * 1024)

gint64 dch_now_ms(void)
{
    return g_get_real_time() / 1000;
}

void dch_condition(dch *w, const char *key, bool active, enum pantau_severity severity,
                   const char *raised, const char *cleared)
{
    enum dch_edge e = dch_conditions_set(w->conds, key, active);
    if (e == DCH_EDGE_NONE)
        return;
    json_t *details = json_pack("{s:s, s:b}", "condition", key, "active", active);
    bool up = e == DCH_EDGE_RAISED;
    w->host->raise_event(w->source, up ? severity : PANTAU_SEVERITY_INFO, up ? raised : cleared,
                         details);
    json_decref(details);
}

/* Feeds a threshold and mirrors its state into the condition key. */
static void threshold_condition(dch *w, pt_threshold *t, const char *key, const char *what,
                                double value, const char *unit)
{
    if (isnan(t->raise_above) || isnan(value))
        return;
    pt_threshold_feed(t, value, 0); /* no hold time: the time does not matter */
    char *raised =
        g_strdup_printf("%s %.1f%s above %.1f%s", what, value, unit, t->raise_above, unit);
    char *cleared = g_strdup_printf("%s back to %.1f%s (threshold %.1f%s)", what, value, unit,
                                    t->raise_above, unit);
    dch_condition(w, key, t->active, PANTAU_SEVERITY_WARNING, raised, cleared);
    g_free(raised);
    g_free(cleared);
}

/* ---- host ---- */

static void host_thresholds(dch *w)
{
    const dch_host_metrics *m = &w->hm;
    threshold_condition(w, &w->thr_cpu, "threshold:cpu_percent", "CPU", m->cpu_percent, "%");
    threshold_condition(w, &w->thr_mem, "threshold:mem_percent", "Memory", m->mem_percent, "%");
    threshold_condition(w, &w->thr_load, "threshold:load1", "Load", m->load.load1, "");
    for (size_t i = 0; i < m->ndisks; i++) {
        char *key = g_strdup_printf("threshold:disk_percent:%s", w->cfg->disks[i]);
        char *what = g_strdup_printf("Disk %s", w->cfg->disks[i]);
        threshold_condition(w, &w->thr_disk[i], key, what, m->disks[i].percent, "%");
        g_free(key);
        g_free(what);
    }
}

static void host_sample(dch *w)
{
    const dch_config *cfg = w->cfg;
    if (cfg->host_mode == DCH_MODE_OFF)
        return;
    gint64 now = dch_now_ms();
    int rc = 0;
    if (cfg->host_mode == DCH_MODE_LOCAL)
        rc = dch_host_sample_local(&w->sampler, cfg->disks, cfg->interfaces, &w->hm);
    else
        dch_host_sample_simulated(now, &w->hm);
    if (rc == 0) {
        w->host_have = true;
        w->host_updated_ms = now;
    }
    dch_history_push(&w->hist, (double)now, w->hm.cpu_percent, w->hm.mem_percent, w->hm.rx_bps,
                     w->hm.tx_bps);
    host_thresholds(w);
}

/* ---- checks ---- */

static void check_result(dch_check_state *c, bool up, unsigned code, double latency_ms,
                         const char *reason)
{
    c->busy = false;
    c->have = true;
    c->up = up;
    c->code = code;
    c->latency_ms = latency_ms;
    g_free(c->reason);
    c->reason = up ? NULL : g_strdup(reason ? reason : "failed");
    c->updated_ms = dch_now_ms();
    char *key = g_strdup_printf("check:%s:down", c->cfg->name);
    char *raised = g_strdup_printf("Check '%s' (%s) is down: %s", c->cfg->name, c->cfg->target,
                                   c->reason ? c->reason : "");
    char *cleared = g_strdup_printf("Check '%s' (%s) is up again", c->cfg->name, c->cfg->target);
    dch_condition(c->w, key, !up, PANTAU_SEVERITY_CRITICAL, raised, cleared);
    g_free(key);
    g_free(raised);
    g_free(cleared);
    dch_schedule_publish(c->w);
}

static void on_tcp(const dch_tcp_result *r, void *user)
{
    check_result(user, r->error == NULL, 0, r->latency_ms, r->error);
}

static void on_http_check(const dch_http_result *r, void *user)
{
    dch_check_state *c = user;
    if (r->error) {
        check_result(c, false, 0, NAN, r->error);
        return;
    }
    unsigned want = c->cfg->expect_status;
    bool up = want ? r->status == want : r->status >= 200 && r->status < 400;
    char reason[48];
    snprintf(reason, sizeof reason, "HTTP %u", r->status);
    check_result(c, up, r->status, r->latency_ms, reason);
}

/* Deterministic latency with the daily rhythm; always up. */
static void check_simulated(dch_check_state *c, size_t index)
{
    double r = dch_daily_rhythm(dch_now_ms());
    double latency = 8 + 6 * (double)(index % 5) + 40 * r;
    check_result(c, true, 200, latency, NULL);
}

static void check_start(dch *w, size_t i)
{
    dch_check_state *c = &w->checks[i];
    const dch_check_cfg *cfg = c->cfg;
    if (c->busy)
        return;
    c->busy = true;
    if (cfg->type == DCH_CHECK_TCP)
        dch_tcp_connect(w->ops, cfg->host, cfg->port, cfg->timeout_ms, on_tcp, c);
    else if (cfg->type == DCH_CHECK_HTTP)
        dch_http_get(w->ops, w->session, cfg->url, cfg->token, cfg->timeout_ms, 0, on_http_check,
                     c);
    else
        check_simulated(c, i);
}

/* ---- Prometheus exporters ---- */

typedef struct scrape {
    const dch_exporter_cfg *cfg;
    dch_metric_state *found; /* one per metric, filled by the parse */
} scrape;

static void on_sample(const dch_prom_sample *s, void *user)
{
    scrape *sc = user;
    for (size_t i = 0; i < sc->cfg->nmetrics; i++) {
        if (!dch_prom_selector_matches(&sc->cfg->metrics[i].sel, s))
            continue;
        if (sc->found[i].matches++ == 0)
            sc->found[i].value = s->value;
        sc->found[i].have = true;
    }
}

static void exporter_fail(dch_exporter_state *e, const char *reason)
{
    g_free(e->error);
    e->error = g_strdup(reason);
    dch_schedule_publish(e->w);
}

static void exporter_commit(dch_exporter_state *e, const dch_metric_state *found)
{
    const dch_exporter_cfg *cfg = e->cfg;
    g_clear_pointer(&e->error, g_free);
    e->have = true;
    e->updated_ms = dch_now_ms();
    for (size_t i = 0; i < cfg->nmetrics; i++) {
        dch_metric_state *m = &e->metrics[i];
        m->have = found[i].have;
        m->value = found[i].have ? found[i].value : NAN;
        m->matches = found[i].matches;
        char *key =
            g_strdup_printf("threshold:metric:%s:%s", cfg->name, cfg->metrics[i].selector_text);
        char *what = g_strdup_printf("%s %s", cfg->name, cfg->metrics[i].label);
        threshold_condition(e->w, &m->thr, key, what, m->value, cfg->metrics[i].unit);
        g_free(key);
        g_free(what);
    }
    dch_schedule_publish(e->w);
}

static void on_scrape(const dch_http_result *r, void *user)
{
    dch_exporter_state *e = user;
    e->busy = false;
    if (r->error) {
        exporter_fail(e, r->error);
        return;
    }
    if (r->status != 200) {
        char reason[48];
        snprintf(reason, sizeof reason, "HTTP %u", r->status);
        exporter_fail(e, reason);
        return;
    }
    scrape sc = {e->cfg, g_new0(dch_metric_state, e->cfg->nmetrics)};
    dch_prom_stats stats;
    dch_prom_parse(r->body, r->body_len, on_sample, &sc, &stats);
    e->bad_lines = stats.bad_lines;
    if (stats.samples == 0) {
        char *reason = g_strdup_printf("not Prometheus text (%zu malformed lines, no samples)",
                                       stats.bad_lines);
        exporter_fail(e, reason);
        g_free(reason);
    } else {
        exporter_commit(e, sc.found);
    }
    g_free(sc.found);
}

static void exporter_start(dch *w, dch_exporter_state *e)
{
    if (e->busy)
        return;
    e->busy = true;
    dch_http_get(w->ops, w->session, e->cfg->url, e->cfg->token, e->cfg->timeout_ms,
                 MAX_SCRAPE_BYTES, on_scrape, e);
}

/* ---- UPS ---- */

static void ups_events(dch *w)
{
    const dch_ups_state *s = &w->ups.st;
    const char *name = w->cfg->ups.name;
    char *ob = g_strdup_printf("UPS '%s' is on battery (charge %.0f%%, runtime %.0f s)", name,
                               s->charge, s->runtime_s);
    char *ol = g_strdup_printf("UPS '%s' is back on line power", name);
    char *lb = g_strdup_printf("UPS '%s' battery is low (charge %.0f%%, runtime %.0f s)", name,
                               s->charge, s->runtime_s);
    char *lbok = g_strdup_printf("UPS '%s' battery is no longer low", name);
    dch_condition(w, "ups:on_battery", s->on_battery, PANTAU_SEVERITY_WARNING, ob, ol);
    dch_condition(w, "ups:low_battery", s->low_battery, PANTAU_SEVERITY_CRITICAL, lb, lbok);
    g_free(ob);
    g_free(ol);
    g_free(lb);
    g_free(lbok);
}

static void on_ups(const dch_nut_poll_result *r, void *user)
{
    dch_ups_part *u = user;
    u->busy = false;
    if (r->error) {
        g_free(u->error);
        u->error = g_strdup(r->error);
        dch_schedule_publish(u->w);
        return;
    }
    g_clear_pointer(&u->error, g_free);
    u->st = r->state;
    u->have = true;
    u->updated_ms = dch_now_ms();
    ups_events(u->w);
    dch_schedule_publish(u->w);
}

static void ups_simulated(dch *w)
{
    double r = dch_daily_rhythm(dch_now_ms());
    dch_nut_poll_result res = {.latency_ms = 1};
    dch_nut_status_flags("OL", &res.state);
    res.state.charge = 100;
    res.state.load = 25 + 35 * r;
    res.state.runtime_s = floor(3600 - 2400 * r);
    w->ups.busy = true;
    on_ups(&res, &w->ups);
}

static void ups_start(dch *w)
{
    const dch_ups_cfg *u = &w->cfg->ups;
    if (u->mode == DCH_MODE_OFF || w->ups.busy)
        return;
    if (u->mode == DCH_MODE_SIMULATED) {
        ups_simulated(w);
        return;
    }
    w->ups.busy = true;
    dch_nut_poll(w->ops, u->host, u->port, u->name, u->username, u->password, u->timeout_ms, on_ups,
                 &w->ups);
}

void dch_poll(dch *w)
{
    host_sample(w);
    for (size_t i = 0; i < w->cfg->nchecks; i++)
        check_start(w, i);
    for (size_t i = 0; i < w->cfg->nexporters; i++)
        exporter_start(w, &w->exporters[i]);
    ups_start(w);
}
