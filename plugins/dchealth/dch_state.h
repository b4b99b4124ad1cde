/* dch_state - the runtime state of one dchealth source, shared by the
 * plugin glue (dchealth.c), the probes (dch_poll.c) and the JSON snapshot
 * (dch_json.c). Main loop only. */
#ifndef DCH_STATE_H
#define DCH_STATE_H

#include "dch_config.h"
#include "dch_host.h"
#include "dch_net.h"
#include "dch_threshold.h"

#include <pantau/plugin.h>

typedef struct dch dch;

typedef struct dch_check_state {
    dch *w;
    const dch_check_cfg *cfg;
    bool busy, have, up;
    unsigned code;
    double latency_ms;
    char *reason; /* why it is down; NULL when up */
    gint64 updated_ms;
} dch_check_state;

typedef struct dch_metric_state {
    bool have;
    double value;
    size_t matches;
    pt_threshold thr;
} dch_metric_state;

typedef struct dch_exporter_state {
    dch *w;
    const dch_exporter_cfg *cfg;
    bool busy, have;
    char *error; /* last failure; NULL when the last scrape was good */
    gint64 updated_ms;
    size_t bad_lines;
    dch_metric_state *metrics;
} dch_exporter_state;

typedef struct dch_ups_part {
    dch *w;
    bool busy, have;
    dch_ups_state st;
    char *error;
    gint64 updated_ms;
} dch_ups_part;

typedef struct dch_history {
    unsigned cap, len, head; /* ring of cap points; head is the next slot */
    double *t, *cpu, *mem, *rx, *tx;
} dch_history;

struct dch {
    const pantau_host *host;
    pantau_source *source;
    dch_config *cfg;
    dch_ops *ops;
    SoupSession *session;
    unsigned timer, publish_timer;
    dch_host_sampler sampler;
    dch_host_metrics hm;
    bool host_have;
    gint64 host_updated_ms;
    pt_threshold thr_cpu, thr_mem, thr_load;
    pt_threshold *thr_disk; /* one per configured disk */
    dch_check_state *checks;
    dch_exporter_state *exporters;
    dch_ups_part ups;
    dch_conditions *conds;
    dch_history hist;
};

/* Milliseconds since the epoch. */
gint64 dch_now_ms(void);

/* Sets a condition and raises an event on its edges: severity and raised
 * message when it starts, info and cleared message when it ends. */
void dch_condition(dch *w, const char *key, bool active, enum pantau_severity severity,
                   const char *raised, const char *cleared);

/* Asks for a snapshot to be published soon (coalesced). */
void dch_schedule_publish(dch *w);

/* Samples the host and starts every probe that is not already running. */
void dch_poll(dch *w);

/* Builds the published snapshot. Returns a new reference. */
json_t *dch_snapshot_json(const dch *w);

/* The worst part status and its reason (g_malloc'd or NULL in *reason). */
enum pantau_source_status dch_overall_status(const dch *w, char **reason);

/* Appends one point to the history ring. */
void dch_history_push(dch_history *h, double t, double cpu, double mem, double rx, double tx);

#endif
