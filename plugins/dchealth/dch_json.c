/* dch_json - the published snapshot of a dchealth source, its overall
 * status, and the history ring behind its charts. */
#include "dch_state.h"

#include <math.h>
#include <string.h>

/* A number rounded to `decimals`, or null when not finite. New reference. */
static json_t *num(double v, int decimals)
{
    if (!isfinite(v))
        return json_null();
    double scale = pow(10, decimals);
    double r = round(v * scale) / scale;
    if (decimals == 0 && fabs(r) < 9e15)
        return json_integer((json_int_t)r);
    return json_real(r);
}

/* "ok", "warn" (within 80% of the threshold) or "crit" (threshold active). */
static const char *level_of(double value, const pt_threshold *t)
{
    if (t->active)
        return "crit";
    if (isnan(t->raise_above) || !isfinite(value))
        return "ok";
    return value >= 0.8 * t->raise_above ? "warn" : "ok";
}

/* The disks part. Returns a new reference. */
static json_t *disks_json(const dch *w)
{
    json_t *a = json_array();
    for (size_t i = 0; i < w->hm.ndisks; i++) {
        const dch_disk_metrics *d = &w->hm.disks[i];
        json_array_append_new(
            a, json_pack("{s:s, s:o, s:o, s:o, s:s, s:s?}", "path", w->cfg->disks[i], "total_bytes",
                         num(d->total_bytes, 0), "used_bytes", num(d->used_bytes, 0), "percent",
                         num(d->percent, 1), "level", level_of(d->percent, &w->thr_disk[i]),
                         "error", d->error[0] ? d->error : NULL));
    }
    return a;
}

/* The host part; new reference, or null when the host mode is off. */
static json_t *host_json(const dch *w)
{
    const dch_host_metrics *m = &w->hm;
    if (w->cfg->host_mode == DCH_MODE_OFF)
        return json_null();
    const char *mode = w->cfg->host_mode == DCH_MODE_LOCAL ? "local" : "simulated";
    const char *name = w->cfg->host_mode == DCH_MODE_LOCAL ? g_get_host_name() : "simulated";
    json_t *mem = json_pack("{s:o, s:o, s:o, s:s}", "total_bytes", num(m->mem_total_bytes, 0),
                            "used_bytes", num(m->mem_used_bytes, 0), "percent",
                            num(m->mem_percent, 1), "level", level_of(m->mem_percent, &w->thr_mem));
    json_t *load = json_pack("[o, o, o]", num(m->load.load1, 2), num(m->load.load5, 2),
                             num(m->load.load15, 2));
    json_t *net = json_pack("{s:o, s:o}", "rx_bps", num(m->rx_bps, 0), "tx_bps", num(m->tx_bps, 0));
    return json_pack("{s:s, s:s, s:s?, s:o, s:o, s:s, s:i, s:o, s:s, s:o, s:o, s:o}", "mode", mode,
                     "name", name, "error", m->error[0] ? m->error : NULL, "updated_ms",
                     w->host_have ? json_integer(w->host_updated_ms) : json_null(), "cpu_percent",
                     num(m->cpu_percent, 1), "cpu_level", level_of(m->cpu_percent, &w->thr_cpu),
                     "cpus", (int)m->cpus, "load", load, "load_level",
                     level_of(m->load.load1, &w->thr_load), "mem", mem, "net", net, "disks",
                     disks_json(w));
}

/* The series in time order; new reference. */
static json_t *series(const dch_history *h, const double *values, int decimals)
{
    json_t *a = json_array();
    for (unsigned i = 0; i < h->len; i++) {
        unsigned at = (h->head + h->cap - h->len + i) % h->cap;
        json_array_append_new(a, num(values[at], decimals));
    }
    return a;
}

/* The chart series, or null without history. Returns a new reference. */
static json_t *history_json(const dch_history *h)
{
    if (!h->cap)
        return json_null();
    return json_pack("{s:o, s:o, s:o, s:o, s:o}", "t", series(h, h->t, 0), "cpu",
                     series(h, h->cpu, 1), "mem", series(h, h->mem, 1), "rx", series(h, h->rx, 0),
                     "tx", series(h, h->tx, 0));
}

static const char *type_name(enum dch_check_type t)
{
    return t == DCH_CHECK_TCP ? "tcp" : t == DCH_CHECK_HTTP ? "http" : "simulated";
}

static const char *check_level(const dch_check_state *c)
{
    if (!c->have)
        return "unknown";
    if (!c->up)
        return "crit";
    return c->latency_ms > c->cfg->latency_warn_ms ? "warn" : "ok";
}

/* The checks part. Returns a new reference. */
static json_t *checks_json(const dch *w)
{
    json_t *a = json_array();
    for (size_t i = 0; i < w->cfg->nchecks; i++) {
        const dch_check_state *c = &w->checks[i];
        const char *state = !c->have ? "pending" : c->up ? "up" : "down";
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s?, s:o}", "name",
                                           c->cfg->name, "type", type_name(c->cfg->type), "target",
                                           c->cfg->target, "state", state, "level", check_level(c),
                                           "code", c->code ? json_integer(c->code) : json_null(),
                                           "latency_ms", num(c->latency_ms, 1), "reason", c->reason,
                                           "updated_ms",
                                           c->have ? json_integer(c->updated_ms) : json_null()));
    }
    return a;
}

/* One exporter's metrics. Returns a new reference. */
static json_t *metrics_json(const dch_exporter_state *e)
{
    json_t *a = json_array();
    for (size_t i = 0; i < e->cfg->nmetrics; i++) {
        const dch_metric_cfg *mc = &e->cfg->metrics[i];
        const dch_metric_state *m = &e->metrics[i];
        const char *text = !m->have          ? NULL
                           : isnan(m->value) ? "NaN"
                           : isinf(m->value) ? (m->value > 0 ? "+Inf" : "-Inf")
                                             : NULL;
        json_array_append_new(a,
                              json_pack("{s:s, s:s, s:s, s:o, s:s?, s:I, s:o, s:s}", "selector",
                                        mc->selector_text, "label", mc->label, "unit", mc->unit,
                                        "value", m->have ? num(m->value, 3) : json_null(), "text",
                                        text, "matches", (json_int_t)m->matches, "above",
                                        num(mc->above, 3), "level", level_of(m->value, &m->thr)));
    }
    return a;
}

static const char *part_state(bool have, const char *error)
{
    if (!error)
        return have ? "ok" : "pending";
    return have ? "stale" : "error";
}

/* The exporters part. Returns a new reference. */
static json_t *exporters_json(const dch *w)
{
    json_t *a = json_array();
    for (size_t i = 0; i < w->cfg->nexporters; i++) {
        const dch_exporter_state *e = &w->exporters[i];
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:s?, s:o, s:I, s:o}", "name", e->cfg->name, "state",
                         part_state(e->have, e->error), "reason", e->error, "updated_ms",
                         e->have ? json_integer(e->updated_ms) : json_null(), "bad_lines",
                         (json_int_t)e->bad_lines, "metrics", metrics_json(e)));
    }
    return a;
}

static const char *ups_power(const dch_ups_state *s, bool have)
{
    if (!have)
        return "unknown";
    if (s->low_battery)
        return "low_battery";
    if (s->on_battery)
        return "on_battery";
    return s->online ? "online" : "unknown";
}

/* The UPS part, or null when off. Returns a new reference. */
static json_t *ups_json(const dch *w)
{
    const dch_ups_cfg *cfg = &w->cfg->ups;
    const dch_ups_part *u = &w->ups;
    if (cfg->mode == DCH_MODE_OFF)
        return json_null();
    const char *power = ups_power(&u->st, u->have);
    const char *level = !u->have                                            ? "unknown"
                        : strcmp(power, "low_battery") == 0                 ? "crit"
                        : strcmp(power, "on_battery") == 0 || !u->st.online ? "warn"
                                                                            : "ok";
    return json_pack(
        "{s:s, s:s, s:s, s:s?, s:s, s:s, s:o, s:o, s:o, s:s?, s:o}", "mode",
        cfg->mode == DCH_MODE_NUT ? "nut" : "simulated", "name", cfg->name, "state",
        part_state(u->have, u->error), "status", u->have ? u->st.status : NULL, "power", power,
        "level", level, "charge", u->have && u->st.charge >= 0 ? num(u->st.charge, 0) : json_null(),
        "runtime_s", u->have && u->st.runtime_s >= 0 ? num(u->st.runtime_s, 0) : json_null(),
        "load", u->have && u->st.load >= 0 ? num(u->st.load, 0) : json_null(), "reason", u->error,
        "updated_ms", u->have ? json_integer(u->updated_ms) : json_null());
}

/* The configured thresholds. Returns a new reference. */
static json_t *thresholds_json(const dch_config *cfg)
{
    return json_pack("{s:o, s:o, s:o, s:o}", "cpu_percent", num(cfg->cpu_percent, 1), "mem_percent",
                     num(cfg->mem_percent, 1), "disk_percent", num(cfg->disk_percent, 1), "load1",
                     num(cfg->load1, 2));
}

json_t *dch_snapshot_json(const dch *w)
{
    return json_pack("{s:s, s:I, s:i, s:o, s:o, s:o, s:o, s:o, s:o}", "label", w->cfg->label,
                     "updated_ms", (json_int_t)dch_now_ms(), "interval_ms",
                     (int)w->cfg->interval_ms, "host", host_json(w), "history",
                     history_json(&w->hist), "checks", checks_json(w), "exporters",
                     exporters_json(w), "ups", ups_json(w), "thresholds", thresholds_json(w->cfg));
}

/* Adds a failing part to the status: stale when it has good data, else error. */
static void add_part(enum pantau_source_status *worst, GString *reason, bool have, const char *what,
                     const char *error)
{
    if (!error)
        return;
    enum pantau_source_status s = have ? PANTAU_STATUS_STALE : PANTAU_STATUS_ERROR;
    if (*worst == PANTAU_STATUS_LIVE || s == PANTAU_STATUS_ERROR)
        *worst = s;
    g_string_append_printf(reason, "%s%s: %s", reason->len ? "; " : "", what, error);
}

enum pantau_source_status dch_overall_status(const dch *w, char **reason)
{
    enum pantau_source_status worst = PANTAU_STATUS_LIVE;
    GString *r = g_string_new(NULL);
    add_part(&worst, r, w->host_have, "host", w->hm.error[0] ? w->hm.error : NULL);
    for (size_t i = 0; i < w->cfg->nexporters; i++) {
        const dch_exporter_state *e = &w->exporters[i];
        char *what = g_strdup_printf("exporter %s", e->cfg->name);
        add_part(&worst, r, e->have, what, e->error);
        g_free(what);
    }
    char *ups = g_strdup_printf("ups %s", w->cfg->ups.name);
    add_part(&worst, r, w->ups.have, ups, w->ups.error);
    g_free(ups);
    bool any = r->len > 0;
    *reason = g_string_free(r, !any);
    return worst;
}

void dch_history_push(dch_history *h, double t, double cpu, double mem, double rx, double tx)
{
    if (!h->cap)
        return;
    h->t[h->head] = t;
    h->cpu[h->head] = cpu;
    h->mem[h->head] = mem;
    h->rx[h->head] = rx;
    h->tx[h->head] = tx;
    h->head = (h->head + 1) % h->cap;
    if (h->len < h->cap)
        h->len++;
}
