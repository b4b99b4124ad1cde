/* tickets.h - citizen complaint tickets: parsing them from a JSON list or a
 * CSV file, working-day deadlines, and the report the widget shows. Pure
 * functions (no host, no I/O), unit-tested on their own. Main-loop agnostic. */
#ifndef PANTAU_SERVICES_TICKETS_H
#define PANTAU_SERVICES_TICKETS_H

#include <glib.h>
#include <jansson.h>
#include <stdint.h>

#define TICKETS_MAX 20000

typedef enum ticket_status {
    TICKET_NEW = 0,
    TICKET_FORWARDED = 1,
    TICKET_IN_PROGRESS = 2,
    TICKET_CLOSED = 3,
} ticket_status;

typedef struct ticket {
    char id[64];
    char title[160];
    char agency[96];
    char channel[48];
    ticket_status status;
    int64_t created_ms;
} ticket;

/* Working-day rules: Monday to Friday, minus holidays. */
typedef struct workdays {
    GTimeZone *zone;  /* borrowed: the city's zone, days start at local midnight */
    GArray *holidays; /* borrowed, may be NULL: guint32 Julian day numbers (GDate) */
} workdays;

/* Deadlines in working days after the day a ticket was created. */
typedef struct deadlines {
    int forward_wd; /* forwarded to an agency within (default 3) */
    int follow_wd;  /* followed up (in progress) within (default 5) */
    int close_wd;   /* closed within (default 10) */
} deadlines;

/* Which deadline an open ticket has missed, the most serious one. */
typedef enum overdue_kind {
    OVERDUE_NONE = 0,
    OVERDUE_FORWARD = 1,
    OVERDUE_FOLLOW = 2,
    OVERDUE_CLOSE = 3,
} overdue_kind;

/* "new", "forwarded", "in_progress", "closed". */
const char *ticket_status_name(ticket_status status);

/* Parses a status word (English or Indonesian, case-insensitive: new/baru,
 * forwarded/diteruskan/disposisi, in_progress/"in progress"/diproses/proses,
 * closed/selesai/ditutup/done). Returns 0 or -1. */
int ticket_status_parse(const char *text, ticket_status *out);

/* Parses a time: ISO 8601 with or without zone ("2024-05-15T08:30:00+07:00",
 * "2024-05-15 08:30", local to zone), a date "2024-05-15" (local midnight),
 * or epoch milliseconds as digits. Returns 0 or -1. */
int ticket_time_parse(const char *text, GTimeZone *zone, int64_t *out_ms);

/* Reads a JSON list of ticket objects at pointer list inside doc (borrowed)
 * and appends them to out (GArray of ticket). Fields: id, title, status,
 * agency, channel, created (string or epoch ms). Returns the number read, or
 * -1 with a reason in err for a wrong shape or no usable ticket. */
int tickets_from_json(const json_t *doc, const char *list, GTimeZone *zone, GArray *out,
                      int *skipped, char *err, size_t errlen);

/* Reads CSV text (RFC 4180 quoting; ',' or ';' separated, picked from the
 * header; optional UTF-8 BOM) with a header row naming the columns id,
 * status, created (required) and title, agency, channel. Appends to out.
 * Returns the number read, or -1 with a reason in err. */
int tickets_from_csv(const char *text, size_t len, GTimeZone *zone, GArray *out, int *skipped,
                     char *err, size_t errlen);

/* Whether the local day of julian (a GDate Julian day) is a working day. */
gboolean workdays_is_working(const workdays *w, guint32 julian);

/* The end (next local midnight) of the n-th working day after the local day
 * of from_ms (n >= 0; n = 0 is the end of that day). */
int64_t workdays_deadline(const workdays *w, int64_t from_ms, int n);

/* Working days from the day after the deadline's day up to and including
 * now's day; 0 when now_ms <= deadline_ms. */
int workdays_late(const workdays *w, int64_t deadline_ms, int64_t now_ms);

/* The most serious deadline t has missed at now_ms; *deadline_ms gets it. */
overdue_kind ticket_overdue(const ticket *t, int64_t now_ms, const deadlines *d, const workdays *w,
                            int64_t *deadline_ms);

/* The report of tickets at now_ms: counts by status, by agency and channel,
 * overdue counted by kind and listed (at most list_max, most late first).
 * Returns a new reference. */
json_t *tickets_report(const GArray *tickets, int64_t now_ms, const deadlines *d, const workdays *w,
                       int list_max);

/* Appends the simulated tickets of source_id open or closed at now_ms (the
 * last 30 days of arrivals with a daily rhythm), deterministic in
 * (source_id, now_ms): the same call gives the same tickets. */
void tickets_simulate(const char *source_id, int64_t now_ms, GTimeZone *zone, double per_day,
                      GArray *out);

#endif /* PANTAU_SERVICES_TICKETS_H */
