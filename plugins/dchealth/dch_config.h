/* dch_config - the settings of a dchealth source, read from JSON and
 * checked, with the defaults and the schema the console shows. */
#ifndef DCH_CONFIG_H
#define DCH_CONFIG_H

#include "dch_nut.h"
#include "dch_prom.h"

#include <jansson.h>
#include <stdbool.h>

enum dch_mode { DCH_MODE_OFF = 0, DCH_MODE_LOCAL, DCH_MODE_SIMULATED, DCH_MODE_NUT };
enum dch_check_type { DCH_CHECK_TCP = 0, DCH_CHECK_HTTP, DCH_CHECK_SIMULATED };

typedef struct dch_check_cfg {
    char *name;
    enum dch_check_type type;
    char *host; /* tcp */
    unsigned port;
    char *url;    /* http; may hold credentials: never published */
    char *token;  /* http bearer token; secret */
    char *target; /* what the UI shows: host:port, or the URL without credentials or query */
    unsigned timeout_ms;
    unsigned expect_status; /* 0: any 2xx or 3xx */
    double latency_warn_ms; /* NaN: none */
} dch_check_cfg;

typedef struct dch_metric_cfg {
    char *selector_text;
    char *label;
    char *unit;
    dch_prom_selector sel;
    double above; /* threshold; NaN: none */
} dch_metric_cfg;

typedef struct dch_exporter_cfg {
    char *name;
    char *url;
    char *token;
    unsigned timeout_ms;
    size_t nmetrics;
    dch_metric_cfg *metrics;
} dch_exporter_cfg;

typedef struct dch_ups_cfg {
    enum dch_mode mode; /* OFF, NUT or SIMULATED */
    char *host;
    unsigned port;
    char *name;
    char *username;
    char *password; /* secret */
    unsigned timeout_ms;
} dch_ups_cfg;

typedef struct dch_config {
    char *label;
    unsigned interval_ms;
    unsigned history_points;
    enum dch_mode host_mode;                              /* OFF, LOCAL or SIMULATED */
    char **disks;                                         /* NULL-terminated mount points */
    char **interfaces;                                    /* NULL-terminated, or NULL: all but lo */
    double cpu_percent, mem_percent, disk_percent, load1; /* thresholds, NaN: none */
    double hysteresis;
    size_t nchecks;
    dch_check_cfg *checks;
    size_t nexporters;
    dch_exporter_cfg *exporters;
    dch_ups_cfg ups;
} dch_config;

/* Default settings. Returns a new reference. */
json_t *dch_config_defaults(void);

/* The settings schema. Returns a new reference. */
json_t *dch_config_schema(void);

/* Reads settings (borrowed) into a new config. Returns NULL with *error set
 * (malloc'd, for the core to free()) when they are invalid. */
dch_config *dch_config_read(const json_t *settings, char **error);

void dch_config_free(dch_config *cfg);

#endif
