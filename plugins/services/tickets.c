#include "tickets.h"

#include "json_pointer.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const status_names[] = {"new", "forwarded", "in_progress", "closed"};

const char *ticket_status_name(ticket_status status)
{
    return status <= TICKET_CLOSED ? status_names[status] : "new";
}

int ticket_status_parse(const char *text, ticket_status *out)
{
    static const struct {
        const char *word;
        ticket_status status;
    } words[] = {
        {"new", TICKET_NEW},
        {"baru", TICKET_NEW},
        {"open", TICKET_NEW},
        {"forwarded", TICKET_FORWARDED},
        {"diteruskan", TICKET_FORWARDED},
        {"disposisi", TICKET_FORWARDED},
        {"in_progress", TICKET_IN_PROGRESS},
        {"in progress", TICKET_IN_PROGRESS},
        {"in-progress", TICKET_IN_PROGRESS},
        {"diproses", TICKET_IN_PROGRESS},
        {"proses", TICKET_IN_PROGRESS},
        {"followed_up", TICKET_IN_PROGRESS},
        {"closed", TICKET_CLOSED},
        {"selesai", TICKET_CLOSED},
        {"ditutup", TICKET_CLOSED},
        {"done", TICKET_CLOSED},
    };
    if (!text)
        return -1;
    char *word = g_strstrip(g_strdup(text));
    int rc = -1;
    for (size_t i = 0; i < G_N_ELEMENTS(words) && rc; i++) {
        if (!strcasecmp(word, words[i].word)) {
            *out = words[i].status;
            rc = 0;
        }
    }
    g_free(word);
    return rc;
}

static int64_t local_ms(GTimeZone *zone, int y, int m, int d, int hh, int mm, double ss)
{
    GDateTime *dt = g_date_time_new(zone, y, m, d, hh, mm, ss);
    if (!dt)
        return -1;
    int64_t ms = g_date_time_to_unix(dt) * 1000 + g_date_time_get_microsecond(dt) / 1000;
    g_date_time_unref(dt);
    return ms;
}

static int parse_digits(const char *s, int64_t *out_ms)
{
    size_t n = strlen(s);
    if (n == 0 || n > 15 || strspn(s, "0123456789") != n)
        return -1;
    int64_t v = g_ascii_strtoll(s, NULL, 10);
    *out_ms = v < 100000000000LL ? v * 1000 : v; /* seconds or milliseconds */
    return 0;
}

int ticket_time_parse(const char *text, GTimeZone *zone, int64_t *out_ms)
{
    int y, m, d, used = 0;
    if (!text)
        return -1;
    char *s = g_strstrip(g_strdup(text));
    int rc = parse_digits(s, out_ms);
    if (rc && sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &used) == 3 && used == (int)strlen(s)) {
        *out_ms = local_ms(zone, y, m, d, 0, 0, 0);
        rc = *out_ms < 0 ? -1 : 0;
    }
    if (rc && strlen(s) > 10) {
        if (s[10] == ' ')
            s[10] = 'T';
        if (strlen(s) == 16) { /* "YYYY-MM-DDTHH:MM": GLib wants the seconds */
            char *full = g_strconcat(s, ":00", NULL);
            g_free(s);
            s = full;
        }
        GDateTime *dt = g_date_time_new_from_iso8601(s, zone);
        if (dt) {
            *out_ms = g_date_time_to_unix(dt) * 1000 + g_date_time_get_microsecond(dt) / 1000;
            g_date_time_unref(dt);
            rc = 0;
        }
    }
    g_free(s);
    return rc;
}

static void say(char *err, size_t errlen, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void say(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* The fields of one ticket as text (borrowed; NULL when absent). */
typedef struct ticket_fields {
    const char *id, *title, *status, *agency, *channel, *created;
} ticket_fields;

static int ticket_from_fields(const ticket_fields *f, GTimeZone *zone, ticket *t, char *why,
                              size_t whylen)
{
    memset(t, 0, sizeof *t);
    if (!f->id || !*f->id) {
        say(why, whylen, "id is missing");
        return -1;
    }
    if (ticket_status_parse(f->status, &t->status)) {
        say(why, whylen, "status '%.40s' is not new/forwarded/in_progress/closed",
            f->status ? f->status : "");
        return -1;
    }
    if (ticket_time_parse(f->created, zone, &t->created_ms)) {
        say(why, whylen, "created '%.40s' is not a time", f->created ? f->created : "");
        return -1;
    }
    g_strlcpy(t->id, f->id, sizeof t->id);
    g_strlcpy(t->title, f->title ? f->title : "", sizeof t->title);
    g_strlcpy(t->agency, f->agency && *f->agency ? f->agency : "(unassigned)", sizeof t->agency);
    g_strlcpy(t->channel, f->channel && *f->channel ? f->channel : "(unknown)", sizeof t->channel);
    return 0;
}

/* ---- JSON ---- */

/* item[key] (item borrowed) as text: a string (borrowed from item) or an
 * integer rendered into buf; NULL otherwise. */
static const char *json_text(const json_t *item, const char *key, char *buf, size_t len)
{
    const json_t *v = json_object_get(item, key);
    if (json_is_integer(v)) {
        snprintf(buf, len, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    return json_string_value(v);
}

/* Reads one ticket object (borrowed) into t; -1 with a reason in why. */
static int ticket_from_json(const json_t *item, GTimeZone *zone, ticket *t, char *why, size_t len)
{
    char id[32], created[32];
    if (!json_is_object(item)) {
        say(why, len, "is not an object");
        return -1;
    }
    ticket_fields f = {json_text(item, "id", id, sizeof id),
                       json_string_value(json_object_get(item, "title")),
                       json_string_value(json_object_get(item, "status")),
                       json_string_value(json_object_get(item, "agency")),
                       json_string_value(json_object_get(item, "channel")),
                       json_text(item, "created", created, sizeof created)};
    return ticket_from_fields(&f, zone, t, why, len);
}

int tickets_from_json(const json_t *doc, const char *list, GTimeZone *zone, GArray *out,
                      int *skipped, char *err, size_t errlen)
{
    char why[200] = "";
    *skipped = 0;
    const json_t *items = pt_json_pointer(doc, list ? list : "");
    if (!json_is_array(items)) {
        say(err, errlen, "feed JSON has no list of tickets at '%s'", list ? list : "");
        return -1;
    }
    int n = 0;
    size_t i;
    const json_t *item;
    json_array_foreach(items, i, item)
    {
        ticket t;
        char reason[160];
        if (n >= TICKETS_MAX)
            break;
        if (ticket_from_json(item, zone, &t, reason, sizeof reason)) {
            if (!(*skipped)++)
                say(why, sizeof why, "ticket %zu: %s", i, reason);
            continue;
        }
        g_array_append_val(out, t);
        n++;
    }
    if (n == 0 && *skipped) {
        say(err, errlen, "feed has no usable ticket (%s)", why);
        return -1;
    }
    return n;
}

/* ---- CSV ---- */

typedef struct csv_reader {
    const char *p, *end;
    char sep;
    int line;
} csv_reader;

#define CSV_MAX_FIELDS 64

/* Reads one quoted field body after the opening quote into buf. */
static int csv_quoted(csv_reader *r, GString *buf)
{
    while (r->p < r->end) {
        char c = *r->p++;
        if (c == '"' && r->p < r->end && *r->p == '"') {
            g_string_append_c(buf, '"');
            r->p++;
        } else if (c == '"') {
            return 0;
        } else {
            if (c == '\n')
                r->line++;
            g_string_append_c(buf, c);
        }
    }
    return -1;
}

/* Reads one row into fields (g_free'd strings). Returns 1 for a row, 0 at
 * the end, -1 for an unterminated quote. */
static int csv_row(csv_reader *r, GPtrArray *fields)
{
    g_ptr_array_set_size(fields, 0);
    if (r->p >= r->end)
        return 0;
    GString *buf = g_string_new(NULL);
    for (;;) {
        if (r->p < r->end && *r->p == '"') {
            r->p++;
            if (csv_quoted(r, buf)) {
                g_string_free(buf, TRUE);
                return -1;
            }
        }
        while (r->p < r->end && *r->p != r->sep && *r->p != '\n' && *r->p != '\r')
            g_string_append_c(buf, *r->p++);
        if (fields->len < CSV_MAX_FIELDS)
            g_ptr_array_add(fields, g_strdup(buf->str));
        g_string_truncate(buf, 0);
        if (r->p < r->end && *r->p == r->sep) {
            r->p++;
            continue;
        }
        break;
    }
    if (r->p < r->end && *r->p == '\r')
        r->p++;
    if (r->p < r->end && *r->p == '\n')
        r->p++;
    r->line++;
    g_string_free(buf, TRUE);
    return 1;
}

static const char *const csv_columns[] = {"id", "title", "status", "agency", "channel", "created"};

/* Column index of each known name in the header, -1 when absent. */
static int csv_header(GPtrArray *header, int idx[6], char *err, size_t errlen)
{
    for (int c = 0; c < 6; c++) {
        idx[c] = -1;
        for (guint i = 0; i < header->len; i++) {
            char *name = g_strstrip(g_strdup(g_ptr_array_index(header, i)));
            if (!g_ascii_strcasecmp(name, csv_columns[c]))
                idx[c] = (int)i;
            g_free(name);
        }
    }
    static const int required[] = {0, 2, 5};
    for (int k = 0; k < 3; k++) {
        if (idx[required[k]] < 0) {
            say(err, errlen, "CSV header has no column '%s'", csv_columns[required[k]]);
            return -1;
        }
    }
    return 0;
}

static const char *csv_field(GPtrArray *row, int idx)
{
    return idx >= 0 && (guint)idx < row->len ? g_ptr_array_index(row, idx) : NULL;
}

static char csv_separator(const char *p, const char *end)
{
    int commas = 0, semicolons = 0;
    for (; p < end && *p != '\n'; p++) {
        commas += *p == ',';
        semicolons += *p == ';';
    }
    return semicolons > commas ? ';' : ',';
}

static int csv_rows(csv_reader *r, const int idx[6], GTimeZone *zone, GArray *out, int *skipped,
                    char *why, size_t whylen)
{
    GPtrArray *row = g_ptr_array_new_with_free_func(g_free);
    int n = 0, rc;
    while ((rc = csv_row(r, row)) == 1 && n < TICKETS_MAX) {
        if (row->len == 1 && !*(char *)g_ptr_array_index(row, 0))
            continue; /* an empty line */
        ticket_fields f = {csv_field(row, idx[0]), csv_field(row, idx[1]), csv_field(row, idx[2]),
                           csv_field(row, idx[3]), csv_field(row, idx[4]), csv_field(row, idx[5])};
        ticket t;
        char reason[160];
        if (ticket_from_fields(&f, zone, &t, reason, sizeof reason)) {
            if (!(*skipped)++)
                say(why, whylen, "line %d: %s", r->line, reason);
            continue;
        }
        g_array_append_val(out, t);
        n++;
    }
    g_ptr_array_unref(row);
    if (rc < 0) {
        say(why, whylen, "line %d: a quoted field is not closed", r->line + 1);
        return -1;
    }
    return n;
}

int tickets_from_csv(const char *text, size_t len, GTimeZone *zone, GArray *out, int *skipped,
                     char *err, size_t errlen)
{
    csv_reader r = {text, text + len, ',', 0};
    char why[200] = "";
    int idx[6];
    *skipped = 0;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        r.p += 3;
    if (memchr(r.p, '\0', (size_t)(r.end - r.p))) {
        say(err, errlen, "CSV file is binary (it contains NUL bytes)");
        return -1;
    }
    r.sep = csv_separator(r.p, r.end);
    GPtrArray *header = g_ptr_array_new_with_free_func(g_free);
    int rc = csv_row(&r, header);
    if (rc != 1) {
        say(err, errlen, "%s", rc == 0 ? "CSV file is empty" : "CSV header has an open quote");
        g_ptr_array_unref(header);
        return -1;
    }
    rc = csv_header(header, idx, err, errlen);
    g_ptr_array_unref(header);
    if (rc)
        return -1;
    guint before = out->len;
    int n = csv_rows(&r, idx, zone, out, skipped, why, sizeof why);
    if (n < 0 || (n == 0 && *skipped)) {
        g_array_set_size(out, before);
        say(err, errlen, "%s%s", n < 0 ? "bad CSV: " : "CSV has no usable ticket: ", why);
        return -1;
    }
    return n;
}

/* ---- working days ---- */

static guint32 julian_of(GTimeZone *zone, int64_t ms)
{
    GDateTime *dt = g_date_time_new_from_unix_utc(ms / 1000);
    GDateTime *local = g_date_time_to_timezone(dt, zone);
    int y, m, d;
    g_date_time_get_ymd(local, &y, &m, &d);
    g_date_time_unref(local);
    g_date_time_unref(dt);
    GDate date;
    g_date_clear(&date, 1);
    g_date_set_dmy(&date, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
    return g_date_get_julian(&date);
}

static int64_t midnight_of(GTimeZone *zone, guint32 julian)
{
    GDate date;
    g_date_clear(&date, 1);
    g_date_set_julian(&date, julian);
    return local_ms(zone, g_date_get_year(&date), g_date_get_month(&date), g_date_get_day(&date), 0,
                    0, 0);
}

gboolean workdays_is_working(const workdays *w, guint32 julian)
{
    GDate date;
    g_date_clear(&date, 1);
    g_date_set_julian(&date, julian);
    GDateWeekday day = g_date_get_weekday(&date);
    if (day == G_DATE_SATURDAY || day == G_DATE_SUNDAY)
        return FALSE;
    for (guint i = 0; w->holidays && i < w->holidays->len; i++)
        if (g_array_index(w->holidays, guint32, i) == julian)
            return FALSE;
    return TRUE;
}

int64_t workdays_deadline(const workdays *w, int64_t from_ms, int n)
{
    guint32 j = julian_of(w->zone, from_ms);
    for (int k = 0; k < n; k++) {
        do
            j++;
        while (!workdays_is_working(w, j));
    }
    return midnight_of(w->zone, j + 1);
}

int workdays_late(const workdays *w, int64_t deadline_ms, int64_t now_ms)
{
    if (now_ms <= deadline_ms)
        return 0;
    guint32 from = julian_of(w->zone, deadline_ms - 1);
    guint32 to = julian_of(w->zone, now_ms);
    int late = 0;
    for (guint32 j = from + 1; j <= to && late < 100000; j++)
        late += workdays_is_working(w, j);
    return late;
}

overdue_kind ticket_overdue(const ticket *t, int64_t now_ms, const deadlines *d, const workdays *w,
                            int64_t *deadline_ms)
{
    if (t->status == TICKET_CLOSED)
        return OVERDUE_NONE;
    const int days[] = {0, d->forward_wd, d->follow_wd, d->close_wd};
    const ticket_status before[] = {0, TICKET_FORWARDED, TICKET_IN_PROGRESS, TICKET_CLOSED};
    for (int k = OVERDUE_CLOSE; k >= OVERDUE_FORWARD; k--) {
        if (t->status >= before[k])
            continue;
        int64_t due = workdays_deadline(w, t->created_ms, days[k]);
        if (now_ms > due) {
            *deadline_ms = due;
            return (overdue_kind)k;
        }
    }
    return OVERDUE_NONE;
}
