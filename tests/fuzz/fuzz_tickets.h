/* fuzz_tickets.h - the part the two ticket harnesses share: the services
 * plugin's settings (Jakarta time, two holidays, default deadlines) and
 * the report it computes from tickets read off a feed. */
#ifndef PANTAU_FUZZ_TICKETS_H
#define PANTAU_FUZZ_TICKETS_H

#include "tickets.h"

/* The zone the plugin is set to; the same for the whole process. Borrowed. */
GTimeZone *fuzz_tickets_zone(void);

/* Runs tickets_report on tickets (borrowed) at a fixed time, as the
 * widget does after each good read, and checks its shape. */
void fuzz_tickets_report(const GArray *tickets);

#endif
