/* fuzz_traffic_feed.c - the traffic plugin's feed (plugins/traffic/
 * traffic_feed.c): an HTTP body parsed as http_poll.c does, read through
 * the default field mapping and through one that derives levels from
 * speeds and reads the list at the root. */
#include "traffic_feed.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const traffic_limits limits = {30, 15};
static const traffic_mapping mappings[] = {
    {"/corridors", "/id", "/name", "/count", "/speed", "/level"},
    {"", "/kode", "/info/nama", "/volume", "/kecepatan", ""},
};

static traffic_reading readings[TRAFFIC_MAX_ITEMS];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *doc = json_loadb((const char *)data, size, 0, NULL);
    if (!doc)
        return 0;
    for (size_t m = 0; m < sizeof mappings / sizeof mappings[0]; m++) {
        char err[256];
        int skipped = 0;
        int n = traffic_parse_feed(doc, &mappings[m], &limits, readings, TRAFFIC_MAX_ITEMS,
                                   &skipped, err, sizeof err);
        if (n > TRAFFIC_MAX_ITEMS)
            abort();
        for (int i = 0; i < n; i++)
            if (!memchr(readings[i].id, '\0', sizeof readings[i].id) ||
                !memchr(readings[i].name, '\0', sizeof readings[i].name) ||
                (unsigned)readings[i].level > TRAFFIC_JAMMED)
                abort();
    }
    json_decref(doc);
    return 0;
}
