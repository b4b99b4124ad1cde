/* The services report and the simulated tickets (see tickets.h). */
#include "tickets.h"

#include <math.h>
#include <string.h>

static const char *const overdue_names[] = {"none", "forward", "follow_up", "close"};

typedef struct group {
    const char *name; /* borrowed from a ticket */
    int total, open, overdue;
} group;

typedef struct late_ticket {
    const ticket *t;
    overdue_kind kind;
    int64_t deadline_ms;
    int late_wd;
} late_ticket;

static group *group_of(GHashTable *groups, const char *name)
{
    group *g = g_hash_table_lookup(groups, name);
    if (!g) {
        g = g_new0(group, 1);
        g->name = name;
        g_hash_table_insert(groups, (gpointer)name, g);
    }
    return g;
}

static gint group_cmp(gconstpointer a, gconstpointer b)
{
    const group *x = *(group *const *)a, *y = *(group *const *)b;
    if (x->open != y->open)
        return y->open - x->open;
    return strcmp(x->name, y->name);
}

/* New reference: the groups as a list, most open first. */
static json_t *groups_json(GHashTable *groups)
{
    GPtrArray *list = g_ptr_array_new();
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, groups);
    while (g_hash_table_iter_next(&it, NULL, &value))
        g_ptr_array_add(list, value);
    g_ptr_array_sort(list, group_cmp);
    json_t *out = json_array();
    for (guint i = 0; i < list->len; i++) {
        group *g = g_ptr_array_index(list, i);
        json_array_append_new(out, json_pack("{s:s, s:i, s:i, s:i}", "name", g->name, "total",
                                             g->total, "open", g->open, "overdue", g->overdue));
    }
    g_ptr_array_unref(list);
    return out;
}

static gint late_cmp(gconstpointer a, gconstpointer b)
{
    const late_ticket *x = a, *y = b;
    if (x->late_wd != y->late_wd)
        return y->late_wd - x->late_wd;
    if (x->t->created_ms != y->t->created_ms)
        return x->t->created_ms < y->t->created_ms ? -1 : 1;
    return strcmp(x->t->id, y->t->id);
}

/* New reference. */
static json_t *late_json(const late_ticket *l)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:i}", "id", l->t->id, "title",
                     l->t->title, "agency", l->t->agency, "channel", l->t->channel, "status",
                     ticket_status_name(l->t->status), "missed", overdue_names[l->kind],
                     "created_ms", (json_int_t)l->t->created_ms, "deadline_ms",
                     (json_int_t)l->deadline_ms, "late_wd", l->late_wd);
}

/* New reference: the overdue block (counts by kind and the list). */
static json_t *overdue_json(GArray *late, int list_max)
{
    int by_kind[4] = {0, 0, 0, 0};
    json_t *list = json_array();
    g_array_sort(late, late_cmp);
    for (guint i = 0; i < late->len; i++) {
        late_ticket *l = &g_array_index(late, late_ticket, i);
        by_kind[l->kind]++;
        if ((int)i < list_max)
            json_array_append_new(list, late_json(l));
    }
    return json_pack("{s:i, s:i, s:i, s:i, s:o}", "count", (int)late->len, "forward",
                     by_kind[OVERDUE_FORWARD], "follow_up", by_kind[OVERDUE_FOLLOW], "close",
                     by_kind[OVERDUE_CLOSE], "list", list);
}

json_t *tickets_report(const GArray *tickets, int64_t now_ms, const deadlines *d, const workdays *w,
                       int list_max)
{
    int by_status[4] = {0, 0, 0, 0};
    GHashTable *agencies = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    GHashTable *channels = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    GArray *late = g_array_new(FALSE, FALSE, sizeof(late_ticket));
    for (guint i = 0; i < tickets->len; i++) {
        const ticket *t = &g_array_index(tickets, ticket, i);
        late_ticket l = {t, OVERDUE_NONE, 0, 0};
        l.kind = ticket_overdue(t, now_ms, d, w, &l.deadline_ms);
        group *ga = group_of(agencies, t->agency), *gc = group_of(channels, t->channel);
        by_status[t->status]++;
        ga->total++, gc->total++;
        ga->open += t->status != TICKET_CLOSED, gc->open += t->status != TICKET_CLOSED;
        if (l.kind == OVERDUE_NONE)
            continue;
        ga->overdue++, gc->overdue++;
        l.late_wd = workdays_late(w, l.deadline_ms, now_ms);
        g_array_append_val(late, l);
    }
    json_t *report = json_pack(
        "{s:i, s:i, s:{s:i, s:i, s:i, s:i}, s:o, s:o, s:o, s:{s:i, s:i, s:i}}", "total",
        (int)tickets->len, "open", (int)tickets->len - by_status[TICKET_CLOSED], "by_status", "new",
        by_status[0], "forwarded", by_status[1], "in_progress", by_status[2], "closed",
        by_status[3], "by_agency", groups_json(agencies), "by_channel", groups_json(channels),
        "overdue", overdue_json(late, list_max), "deadlines", "forward_wd", d->forward_wd,
        "follow_up_wd", d->follow_wd, "close_wd", d->close_wd);
    g_array_unref(late);
    g_hash_table_unref(agencies);
    g_hash_table_unref(channels);
    return report;
}

/* ---- simulation ---- */

static const char *const agencies[] = {
    "Dinas PUPR",
    "Dinas Lingkungan Hidup",
    "Dinas Perhubungan",
    "Disdukcapil",
    "Satpol PP",
    "Dinas Kesehatan",
    "PDAM",
};
static const char *const channels[] = {"LAPOR!", "Aplikasi kota", "WhatsApp", "Call center 112",
                                       "Media sosial"};
static const char *const titles[] = {
    "Jalan berlubang",       "Lampu PJU mati",         "Sampah menumpuk",
    "Saluran air tersumbat", "Pohon tumbang",          "Parkir liar",
    "Genangan banjir",       "Antrean KTP-el lama",    "Air PDAM tidak mengalir",
    "Pedagang di trotoar",   "Lampu lalu lintas mati", "Puskesmas penuh",
};

static uint64_t mix(uint64_t seed, uint64_t n)
{
    uint64_t z = seed + n * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double unit(uint64_t seed, uint64_t n)
{
    return (double)(mix(seed, n) >> 11) / 9007199254740992.0;
}

/* Reports per hour of the day: morning and evening peaks. */
static double rhythm(double h)
{
    double m = (h - 9.5) / 1.6, e = (h - 19.5) / 1.8;
    return 0.08 + exp(-m * m) + 0.8 * exp(-e * e);
}

#define HOUR_MS 3600000LL
#define DAY_MS (24 * HOUR_MS)

/* One simulated ticket k of the hour starting at start_ms (local hour h). */
static void simulate_ticket(uint64_t seed, int64_t start_ms, int k, int64_t now_ms, ticket *t)
{
    uint64_t key = mix(seed, (uint64_t)(start_ms / HOUR_MS) * 64 + (uint64_t)k);
    memset(t, 0, sizeof *t);
    t->created_ms = start_ms + (int64_t)(unit(key, 1) * HOUR_MS);
    g_snprintf(t->id, sizeof t->id, "LPR-%05u", (unsigned)(key % 100000));
    g_strlcpy(t->title, titles[mix(key, 2) % G_N_ELEMENTS(titles)], sizeof t->title);
    g_strlcpy(t->agency, agencies[mix(key, 3) % G_N_ELEMENTS(agencies)], sizeof t->agency);
    g_strlcpy(t->channel, channels[mix(key, 4) % G_N_ELEMENTS(channels)], sizeof t->channel);
    /* Most are handled fast; a long tail is slow (and so overdue). */
    double fwd = 1 + pow(unit(key, 5), 7) * 9 * 24;
    double follow = fwd + 4 + pow(unit(key, 6), 6) * 8 * 24;
    double close = follow + 12 + pow(unit(key, 7), 3) * 13 * 24;
    double age_h = (double)(now_ms - t->created_ms) / HOUR_MS;
    t->status = age_h < fwd      ? TICKET_NEW
                : age_h < follow ? TICKET_FORWARDED
                : age_h < close  ? TICKET_IN_PROGRESS
                                 : TICKET_CLOSED;
}

void tickets_simulate(const char *source_id, int64_t now_ms, GTimeZone *zone, double per_day,
                      GArray *out)
{
    uint64_t seed = 1469598103934665603ull;
    for (const char *s = source_id; s && *s; s++)
        seed = (seed ^ (unsigned char)*s) * 1099511628211ull;
    double sum = 0;
    for (int h = 0; h < 24; h++)
        sum += rhythm(h + 0.5);
    int64_t first = (now_ms / HOUR_MS - 30 * 24) * HOUR_MS;
    for (int64_t start = first; start <= now_ms; start += HOUR_MS) {
        GDateTime *dt = g_date_time_new_from_unix_utc(start / 1000);
        GDateTime *local = g_date_time_to_timezone(dt, zone);
        double h = g_date_time_get_hour(local) + 0.5;
        int weekday = g_date_time_get_day_of_week(local);
        g_date_time_unref(local);
        g_date_time_unref(dt);
        double rate = per_day * rhythm(h) / sum * (weekday >= 6 ? 0.6 : 1.0);
        int n = (int)floor(rate + unit(seed, (uint64_t)(start / HOUR_MS)));
        for (int k = 0; k < n && k < 64; k++) {
            ticket t;
            simulate_ticket(seed, start, k, now_ms, &t);
            if (t.created_ms <= now_ms)
                g_array_append_val(out, t);
        }
    }
}
