#include "fuzz_tickets.h"

#include <stdlib.h>

/* Wednesday 2024-05-15 08:00 UTC: fixed, so a run is deterministic. */
#define NOW_MS INT64_C(1715760000000)

GTimeZone *fuzz_tickets_zone(void)
{
    static GTimeZone *zone;
    if (!zone)
        zone = g_time_zone_new_identifier("Asia/Jakarta");
    if (!zone)
        zone = g_time_zone_new_utc();
    return zone;
}

void fuzz_tickets_report(const GArray *tickets)
{
    GDate *day = g_date_new_dmy(9, G_DATE_MAY, 2024);
    guint32 holidays_days[2] = {g_date_get_julian(day), g_date_get_julian(day) + 14};
    g_date_free(day);
    GArray *holidays = g_array_new(FALSE, FALSE, sizeof(guint32));
    g_array_append_vals(holidays, holidays_days, 2);
    workdays wd = {fuzz_tickets_zone(), holidays};
    deadlines due = {3, 5, 10};
    json_t *report = tickets_report(tickets, NOW_MS, &due, &wd, 12);
    if (!json_is_object(report))
        abort();
    json_decref(report);
    g_array_unref(holidays);
}
