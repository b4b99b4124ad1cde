/* fuzz_tickets_json.c - the services plugin's JSON ticket feed
 * (plugins/services/tickets.c): an HTTP body parsed as http_poll.c does,
 * the tickets read at "/tickets" and at the root, then the report. */
#include "fuzz_tickets.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_at(const json_t *doc, const char *list)
{
    GArray *tickets = g_array_new(FALSE, FALSE, sizeof(ticket));
    char err[256];
    int skipped = 0;
    int n = tickets_from_json(doc, list, fuzz_tickets_zone(), tickets, &skipped, err, sizeof err);
    if (n >= 0 && (guint)n != tickets->len)
        abort();
    if (n >= 0)
        fuzz_tickets_report(tickets);
    g_array_unref(tickets);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *doc = json_loadb((const char *)data, size, 0, NULL);
    if (!doc)
        return 0;
    read_at(doc, "/tickets");
    read_at(doc, "");
    json_decref(doc);
    return 0;
}
