/* fuzz_prom.c - the Prometheus text parser of the dchealth plugin
 * (plugins/dchealth/dch_prom.c) on a scrape body, with the samples matched
 * against selectors as dch_poll.c does. */
#include "dch_prom.h"

#include <glib.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const selectors[] = {
    "node_load1",
    "node_filesystem_avail_bytes{mountpoint=\"/\"}",
    "node_network_up{device!=\"lo\",operstate=\"up\"}",
};

typedef struct scan {
    dch_prom_selector sel[G_N_ELEMENTS(selectors)];
    size_t matches;
} scan;

static void on_sample(const dch_prom_sample *sample, void *user)
{
    scan *s = user;
    if (!sample->name || !*sample->name || sample->nlabels > DCH_PROM_MAX_LABELS)
        abort();
    for (size_t i = 0; i < sample->nlabels; i++)
        if (!sample->labels[i].name || !sample->labels[i].value)
            abort();
    for (size_t i = 0; i < G_N_ELEMENTS(s->sel); i++)
        if (dch_prom_selector_matches(&s->sel[i], sample))
            s->matches++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    scan s = {0};
    for (size_t i = 0; i < G_N_ELEMENTS(selectors); i++) {
        char *error = NULL;
        if (dch_prom_selector_parse(selectors[i], &s.sel[i], &error))
            abort();
    }
    /* Exact size, not NUL-terminated: an HTTP body is neither. */
    char *text = g_memdup2(data, size);
    dch_prom_stats stats = {0};
    dch_prom_parse(text, size, on_sample, &s, &stats);
    g_free(text);
    for (size_t i = 0; i < G_N_ELEMENTS(s.sel); i++)
        dch_prom_selector_clear(&s.sel[i]);
    return 0;
}
