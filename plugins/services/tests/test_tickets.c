/* Unit tests of the services tickets: statuses and times, the JSON list and
 * the CSV file on good and hostile input, working-day deadlines, overdue
 * tickets, the report and the simulation. */
#include "../../common/tests/pt_check.h"
#include "tickets.h"

#include <string.h>

static GTimeZone *wib;

static void setup(void)
{
    wib = g_time_zone_new_identifier("Asia/Jakarta");
}

static void teardown(void)
{
    g_time_zone_unref(wib);
}

/* ms of a local WIB time. */
static int64_t at(int y, int m, int d, int hh, int mm)
{
    GDateTime *dt = g_date_time_new(wib, y, m, d, hh, mm, 0);
    int64_t ms = g_date_time_to_unix(dt) * 1000;
    g_date_time_unref(dt);
    return ms;
}

START_TEST(statuses)
{
    ticket_status s;
    ck_assert_int_eq(ticket_status_parse(" Selesai ", &s), 0);
    ck_assert_int_eq(s, TICKET_CLOSED);
    ck_assert_int_eq(ticket_status_parse("in progress", &s), 0);
    ck_assert_int_eq(s, TICKET_IN_PROGRESS);
    ck_assert_int_eq(ticket_status_parse("DISPOSISI", &s), 0);
    ck_assert_int_eq(s, TICKET_FORWARDED);
    ck_assert_int_eq(ticket_status_parse("lost", &s), -1);
    ck_assert_int_eq(ticket_status_parse("", &s), -1);
    ck_assert_int_eq(ticket_status_parse(NULL, &s), -1);
    ck_assert_str_eq(ticket_status_name(TICKET_IN_PROGRESS), "in_progress");
}
END_TEST

START_TEST(times)
{
    int64_t ms;
    ck_assert_int_eq(ticket_time_parse("2024-05-15T08:30:00+07:00", wib, &ms), 0);
    ck_assert_int_eq(ms, at(2024, 5, 15, 8, 30));
    ck_assert_int_eq(ticket_time_parse("2024-05-15T01:30:00Z", wib, &ms), 0);
    ck_assert_int_eq(ms, at(2024, 5, 15, 8, 30));
    ck_assert_int_eq(ticket_time_parse("2024-05-15 08:30:00", wib, &ms), 0);
    ck_assert_int_eq(ms, at(2024, 5, 15, 8, 30));
    ck_assert_int_eq(ticket_time_parse("2024-05-15", wib, &ms), 0);
    ck_assert_int_eq(ms, at(2024, 5, 15, 0, 0));
    ck_assert_int_eq(ticket_time_parse("1715736600", wib, &ms), 0);
    ck_assert_int_eq(ms, 1715736600000LL);
    ck_assert_int_eq(ticket_time_parse("1715736600123", wib, &ms), 0);
    ck_assert_int_eq(ms, 1715736600123LL);
    const char *bad[] = {"",     "yesterday", "2024-13-45",           "2024-05-15T99:00",
                         "12ab", "-5",        "99999999999999999999", NULL};
    for (int i = 0; bad[i]; i++)
        ck_assert_msg(ticket_time_parse(bad[i], wib, &ms) == -1, "'%s'", bad[i]);
}
END_TEST

static int from_json(const char *text, const char *list, GArray *out, int *skipped, char *err)
{
    json_t *doc = json_loads(text, JSON_DECODE_ANY, NULL);
    ck_assert_msg(doc != NULL, "%s", text);
    int n = tickets_from_json(doc, list, wib, out, skipped, err, 256);
    json_decref(doc);
    return n;
}

START_TEST(json_good_and_bad)
{
    GArray *t = g_array_new(FALSE, FALSE, sizeof(ticket));
    int skipped;
    char err[256];
    int n = from_json("{\"tickets\":[{\"id\":\"A1\",\"title\":\"Jalan rusak\",\"status\":\"new\","
                      "\"agency\":\"PUPR\",\"channel\":\"LAPOR!\",\"created\":\"2024-05-15\"},"
                      "{\"id\":2,\"status\":\"closed\",\"created\":1715736600000},"
                      "{\"id\":\"bad\",\"status\":\"??\",\"created\":\"2024-05-15\"}, 7]}",
                      "/tickets", t, &skipped, err);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(skipped, 2);
    ticket *a = &g_array_index(t, ticket, 0), *b = &g_array_index(t, ticket, 1);
    ck_assert_str_eq(a->agency, "PUPR");
    ck_assert_str_eq(b->id, "2");
    ck_assert_str_eq(b->agency, "(unassigned)");
    ck_assert_int_eq(b->status, TICKET_CLOSED);
    g_array_set_size(t, 0);
    ck_assert_int_eq(from_json("{\"tickets\":{}}", "/tickets", t, &skipped, err), -1);
    ck_assert_msg(strstr(err, "no list of tickets at '/tickets'"), "%s", err);
    ck_assert_int_eq(from_json("{\"a\":1}", "", t, &skipped, err), -1);
    ck_assert_int_eq(from_json("[{\"id\":\"x\"},{\"status\":\"new\"}]", "", t, &skipped, err), -1);
    ck_assert_msg(strstr(err, "no usable ticket (ticket 0: status"), "%s", err);
    ck_assert_int_eq(from_json("[]", "", t, &skipped, err), 0);
    ck_assert_int_eq(t->len, 0);
    g_array_unref(t);
}
END_TEST

static int from_csv(const char *text, GArray *out, int *skipped, char *err)
{
    return tickets_from_csv(text, strlen(text), wib, out, skipped, err, 256);
}

START_TEST(csv_good)
{
    GArray *t = g_array_new(FALSE, FALSE, sizeof(ticket));
    int skipped;
    char err[256] = "";
    int n =
        from_csv("\xEF\xBB\xBFId,Title,Status,Agency,Channel,Created\r\n"
                 "T1,\"Lampu \"\"PJU\"\" mati, Jl. Merdeka\",new,Dishub,LAPOR!,2024-05-15 08:00\r\n"
                 "\r\n"
                 "T2,\"two\nlines\",in progress,,WhatsApp,2024-05-14\n"
                 "T3,x,closed,PDAM,Web,2024-05-13",
                 t, &skipped, err);
    ck_assert_msg(n == 3, "%d %s", n, err);
    ck_assert_int_eq(skipped, 0);
    ticket *a = &g_array_index(t, ticket, 0);
    ck_assert_str_eq(a->title, "Lampu \"PJU\" mati, Jl. Merdeka");
    ck_assert_int_eq(a->created_ms, at(2024, 5, 15, 8, 0));
    ck_assert_str_eq(g_array_index(t, ticket, 1).title, "two\nlines");
    ck_assert_str_eq(g_array_index(t, ticket, 1).agency, "(unassigned)");
    g_array_set_size(t, 0);
    /* Semicolons (spreadsheet exports), columns in another order, extra ones. */
    n = from_csv("created;status;id;note\n2024-05-15;baru;K-1;a;b\n", t, &skipped, err);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(g_array_index(t, ticket, 0).id, "K-1");
    g_array_unref(t);
}
END_TEST

START_TEST(csv_hostile)
{
    GArray *t = g_array_new(FALSE, FALSE, sizeof(ticket));
    int skipped;
    char err[256];
    struct {
        const char *text, *reason;
    } cases[] = {
        {"", "empty"},
        {"id,status\nA,new\n", "no column 'created'"},
        {"\"id,status,created\n", "open quote"},
        {"id,status,created\nA,new,\"2024-05-15\nB,new,2024-05-15\n", "not closed"},
        {"id,status,created\nA,zzz,2024-05-15\nB,new,never\n", "no usable ticket: line 2"},
        {"<html><body>502 Bad Gateway</body></html>", "no column 'id'"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        err[0] = '\0';
        ck_assert_int_eq(from_csv(cases[i].text, t, &skipped, err), -1);
        ck_assert_msg(strstr(err, cases[i].reason), "case %zu: %s", i, err);
        ck_assert_int_eq(t->len, 0);
    }
    const char binary[] = "id,status,created\nA\0B,new,2024-05-15\n";
    ck_assert_int_eq(tickets_from_csv(binary, sizeof binary - 1, wib, t, &skipped, err, 256), -1);
    ck_assert_msg(strstr(err, "binary"), "%s", err);
    /* Random bytes never crash; whatever they give is well formed. */
    GRand *rand = g_rand_new_with_seed(42);
    for (int round = 0; round < 300; round++) {
        char buf[512];
        size_t len = (size_t)g_rand_int_range(rand, 0, sizeof buf);
        const char alphabet[] = "id,status,created\"\r\n;new2024-05-15 x";
        for (size_t i = 0; i < len; i++)
            buf[i] = alphabet[g_rand_int_range(rand, 0, sizeof alphabet - 1)];
        int n = tickets_from_csv(buf, len, wib, t, &skipped, err, 256);
        ck_assert(n >= -1);
        for (guint i = 0; i < t->len; i++)
            ck_assert(strlen(g_array_index(t, ticket, i).id) < 64);
        g_array_set_size(t, 0);
    }
    g_rand_free(rand);
    g_array_unref(t);
}
END_TEST

START_TEST(working_days)
{
    GArray *holidays = g_array_new(FALSE, FALSE, sizeof(guint32));
    workdays w = {wib, holidays};
    /* Created Friday 2024-05-17: 3 working days are Mon, Tue, Wed -> Thu 00:00. */
    ck_assert_int_eq(workdays_deadline(&w, at(2024, 5, 17, 16, 0), 3), at(2024, 5, 23, 0, 0));
    /* Created Saturday: Monday is the first working day. */
    ck_assert_int_eq(workdays_deadline(&w, at(2024, 5, 18, 10, 0), 1), at(2024, 5, 21, 0, 0));
    ck_assert_int_eq(workdays_deadline(&w, at(2024, 5, 15, 10, 0), 0), at(2024, 5, 16, 0, 0));
    /* 10 working days from Wednesday 2024-05-15 -> Wednesday 2024-05-29 ends. */
    ck_assert_int_eq(workdays_deadline(&w, at(2024, 5, 15, 9, 0), 10), at(2024, 5, 30, 0, 0));
    /* A holiday on Monday 2024-05-20 pushes it a day. */
    GDate d;
    g_date_clear(&d, 1);
    g_date_set_dmy(&d, 20, 5, 2024);
    guint32 j = g_date_get_julian(&d);
    g_array_append_val(holidays, j);
    ck_assert_int_eq(workdays_deadline(&w, at(2024, 5, 17, 16, 0), 3), at(2024, 5, 24, 0, 0));
    ck_assert(!workdays_is_working(&w, j));
    /* Late: deadline end of Thu 23rd; Fri 24th = 1; Mon 27th = 2 (weekend skipped). */
    int64_t due = at(2024, 5, 24, 0, 0);
    ck_assert_int_eq(workdays_late(&w, due, due), 0);
    ck_assert_int_eq(workdays_late(&w, due, at(2024, 5, 24, 9, 0)), 1);
    ck_assert_int_eq(workdays_late(&w, due, at(2024, 5, 26, 9, 0)), 1);
    ck_assert_int_eq(workdays_late(&w, due, at(2024, 5, 27, 9, 0)), 2);
    g_array_unref(holidays);
}
END_TEST

static ticket make(const char *id, ticket_status s, int64_t created, const char *agency)
{
    ticket t = {0};
    g_strlcpy(t.id, id, sizeof t.id);
    g_strlcpy(t.agency, agency, sizeof t.agency);
    g_strlcpy(t.channel, "LAPOR!", sizeof t.channel);
    t.status = s;
    t.created_ms = created;
    return t;
}

START_TEST(overdue_kinds)
{
    workdays w = {wib, NULL};
    deadlines d = {3, 5, 10};
    int64_t created = at(2024, 5, 13, 9, 0); /* Monday */
    int64_t due;
    ticket t = make("x", TICKET_NEW, created, "A");
    ck_assert_int_eq(ticket_overdue(&t, at(2024, 5, 15, 23, 0), &d, &w, &due), OVERDUE_NONE);
    ck_assert_int_eq(ticket_overdue(&t, at(2024, 5, 17, 1, 0), &d, &w, &due), OVERDUE_FORWARD);
    ck_assert_int_eq(due, at(2024, 5, 17, 0, 0));
    ck_assert_int_eq(ticket_overdue(&t, at(2024, 5, 21, 1, 0), &d, &w, &due), OVERDUE_FOLLOW);
    ck_assert_int_eq(ticket_overdue(&t, at(2024, 5, 28, 1, 0), &d, &w, &due), OVERDUE_CLOSE);
    t.status = TICKET_FORWARDED;
    ck_assert_int_eq(ticket_overdue(&t, at(2024, 5, 17, 1, 0), &d, &w, &due), OVERDUE_NONE);
    ck_assert_int_eq(ticket_overdue(&t, at(2024, 5, 21, 1, 0), &d, &w, &due), OVERDUE_FOLLOW);
    t.status = TICKET_IN_PROGRESS;
    ck_assert_int_eq(ticket_overdue(&t, at(2024, 5, 21, 1, 0), &d, &w, &due), OVERDUE_NONE);
    ck_assert_int_eq(ticket_overdue(&t, at(2024, 5, 28, 1, 0), &d, &w, &due), OVERDUE_CLOSE);
    t.status = TICKET_CLOSED;
    ck_assert_int_eq(ticket_overdue(&t, at(2024, 9, 1, 1, 0), &d, &w, &due), OVERDUE_NONE);
}
END_TEST

START_TEST(report_counts)
{
    workdays w = {wib, NULL};
    deadlines d = {3, 5, 10};
    GArray *t = g_array_new(FALSE, FALSE, sizeof(ticket));
    ticket list[] = {
        make("a", TICKET_NEW, at(2024, 5, 1, 9, 0), "PUPR"),          /* close overdue */
        make("b", TICKET_NEW, at(2024, 5, 16, 9, 0), "PUPR"),         /* forward overdue */
        make("c", TICKET_FORWARDED, at(2024, 5, 20, 9, 0), "Dishub"), /* on time */
        make("d", TICKET_CLOSED, at(2024, 5, 1, 9, 0), "Dishub"),
        make("e", TICKET_IN_PROGRESS, at(2024, 5, 21, 9, 0), "PUPR"),
    };
    g_array_append_vals(t, list, G_N_ELEMENTS(list));
    json_t *r = tickets_report(t, at(2024, 5, 22, 12, 0), &d, &w, 1);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "total")), 5);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "open")), 4);
    json_t *by_status = json_object_get(r, "by_status");
    ck_assert_int_eq(json_integer_value(json_object_get(by_status, "new")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(by_status, "closed")), 1);
    json_t *overdue = json_object_get(r, "overdue");
    ck_assert_int_eq(json_integer_value(json_object_get(overdue, "count")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(overdue, "close")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(overdue, "forward")), 1);
    json_t *listed = json_object_get(overdue, "list");
    ck_assert_int_eq(json_array_size(listed), 1); /* capped at list_max, most late first */
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(listed, 0), "id")), "a");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(listed, 0), "missed")),
                     "close");
    json_t *agency0 = json_array_get(json_object_get(r, "by_agency"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(agency0, "name")), "PUPR");
    ck_assert_int_eq(json_integer_value(json_object_get(agency0, "open")), 3);
    ck_assert_int_eq(json_integer_value(json_object_get(agency0, "overdue")), 2);
    json_decref(r);
    g_array_unref(t);
}
END_TEST

START_TEST(simulation)
{
    workdays w = {wib, NULL};
    deadlines d = {3, 5, 10};
    int64_t now = at(2024, 5, 22, 10, 0);
    GArray *a = g_array_new(FALSE, FALSE, sizeof(ticket));
    GArray *b = g_array_new(FALSE, FALSE, sizeof(ticket));
    tickets_simulate("services-1", now, wib, 40, a);
    tickets_simulate("services-1", now, wib, 40, b);
    ck_assert_int_eq(a->len, b->len);
    ck_assert_mem_eq(a->data, b->data, a->len * sizeof(ticket));
    ck_assert_msg(a->len > 30 * 40 * 0.6 && a->len < 30 * 40 * 1.4, "tickets: %u", a->len);
    json_t *r = tickets_report(a, now, &d, &w, 10);
    json_t *st = json_object_get(r, "by_status");
    for (int s = 0; s < 4; s++)
        ck_assert_msg(json_integer_value(json_object_get(st, ticket_status_name(s))) > 0, "some %s",
                      ticket_status_name(s));
    int overdue = (int)json_integer_value(json_object_get(json_object_get(r, "overdue"), "count"));
    ck_assert_msg(overdue > 0 && overdue < 150, "overdue %d", overdue);
    json_decref(r);
    g_array_unref(a);
    g_array_unref(b);
}
END_TEST

static Suite *tickets_suite(void)
{
    Suite *s = suite_create("tickets");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"status_time", statuses},  {"status_time", times},       {"json", json_good_and_bad},
        {"csv", csv_good},          {"csv_hostile", csv_hostile}, {"workdays", working_days},
        {"overdue", overdue_kinds}, {"report", report_counts},    {"simulate", simulation},
    };
    TCase *tc = NULL;
    const char *current = "";
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        if (strcmp(current, cases[i].name)) {
            current = cases[i].name;
            tc = tcase_create(current);
            tcase_add_checked_fixture(tc, setup, teardown);
            suite_add_tcase(s, tc);
        }
        tcase_add_test(tc, cases[i].test);
    }
    return s;
}

int main(int argc, char **argv)
{
    return pt_check_run(tickets_suite(), argc, argv);
}
