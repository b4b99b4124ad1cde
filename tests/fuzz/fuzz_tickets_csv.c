/* fuzz_tickets_csv.c - the services plugin's CSV ticket file
 * (plugins/services/tickets.c): any bytes as the file's contents, then the
 * report. */
#include "fuzz_tickets.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Exact size, not NUL-terminated (g_file_load_contents adds a NUL, but
     * the parser is given the length and must keep to it). */
    char *text = g_memdup2(data, size);
    GArray *tickets = g_array_new(FALSE, FALSE, sizeof(ticket));
    char err[256];
    int skipped = 0;
    int n = tickets_from_csv(text ? text : "", size, fuzz_tickets_zone(), tickets, &skipped, err,
                             sizeof err);
    if (n >= 0 && (guint)n != tickets->len)
        abort();
    if (n >= 0)
        fuzz_tickets_report(tickets);
    g_array_unref(tickets);
    g_free(text);
    return 0;
}
