/* The Prometheus text format parser and metric selectors. */
#include "../dch_prom.h"
#include "pt_check.h"

#include <glib.h>
#include <math.h>
#include <string.h>

typedef struct collected {
    GPtrArray *lines; /* "name{a=v,b=w} value" per sample */
    double values[64];
    size_t n;
} collected;

static void collect(const dch_prom_sample *s, void *user)
{
    collected *c = user;
    GString *line = g_string_new(s->name);
    g_string_append_c(line, '{');
    for (size_t i = 0; i < s->nlabels; i++)
        g_string_append_printf(line, "%s%s=%s", i ? "," : "", s->labels[i].name,
                               s->labels[i].value);
    g_string_append_c(line, '}');
    g_ptr_array_add(c->lines, g_string_free(line, FALSE));
    if (c->n < 64)
        c->values[c->n++] = s->value;
}

static collected *parse(const char *text, size_t len, dch_prom_stats *stats)
{
    collected *c = g_new0(collected, 1);
    c->lines = g_ptr_array_new_with_free_func(g_free);
    dch_prom_parse(text, len, collect, c, stats);
    return c;
}

static void collected_free(collected *c)
{
    g_ptr_array_free(c->lines, TRUE);
    g_free(c);
}

#define LINE(c, i) ((const char *)g_ptr_array_index((c)->lines, (i)))

START_TEST(test_node_exporter_sample)
{
    const char *text = "# HELP node_load1 1m load average.\n"
                       "# TYPE node_load1 gauge\n"
                       "node_load1 0.42\n"
                       "node_filesystem_avail_bytes{device=\"/dev/"
                       "sda1\",fstype=\"ext4\",mountpoint=\"/\"} 1.2345e+10\n"
                       "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 12345.67 1700000000000\n"
                       "\n"
                       "http_requests_total{method=\"post\",code=\"200\",} 1027\n"
                       "metric_without_newline{a=\"b\"} -3";
    dch_prom_stats st;
    collected *c = parse(text, strlen(text), &st);
    ck_assert_uint_eq(st.samples, 5);
    ck_assert_uint_eq(st.bad_lines, 0);
    ck_assert_str_eq(LINE(c, 0), "node_load1{}");
    ck_assert_double_eq_tol(c->values[0], 0.42, 1e-12);
    ck_assert_str_eq(LINE(c, 1),
                     "node_filesystem_avail_bytes{device=/dev/sda1,fstype=ext4,mountpoint=/}");
    ck_assert_double_eq(c->values[1], 1.2345e10);
    ck_assert_double_eq_tol(c->values[2], 12345.67, 1e-9);
    ck_assert_str_eq(LINE(c, 3), "http_requests_total{method=post,code=200}");
    ck_assert_str_eq(LINE(c, 4), "metric_without_newline{a=b}");
    ck_assert_double_eq(c->values[4], -3);
    collected_free(c);
}
END_TEST

START_TEST(test_special_values_and_escapes)
{
    const char *text = "a NaN\r\nb +Inf\nc -Inf\n"
                       "d{path=\"C:\\\\dir\",msg=\"say \\\"hi\\\"\\nbye\"} 1\n"
                       "  e\t2\n";
    dch_prom_stats st;
    collected *c = parse(text, strlen(text), &st);
    ck_assert_uint_eq(st.samples, 5);
    ck_assert_uint_eq(st.bad_lines, 0);
    ck_assert(isnan(c->values[0]));
    ck_assert(isinf(c->values[1]) && c->values[1] > 0);
    ck_assert(isinf(c->values[2]) && c->values[2] < 0);
    ck_assert_str_eq(LINE(c, 3), "d{path=C:\\dir,msg=say \"hi\"\nbye}");
    ck_assert_double_eq(c->values[4], 2);
    collected_free(c);
}
END_TEST

START_TEST(test_bad_lines_are_skipped)
{
    const char *text = "good 1\n"
                       "bad_number 1.2.3\n"
                       "hex 0x10\n"
                       "word inf\n"
                       "no_value\n"
                       "{a=\"b\"} 1\n"
                       "9starts_with_digit 1\n"
                       "x{a=\"unterminated} 1\n"
                       "x{a=\"bad escape \\q\"} 1\n"
                       "x{a=b} 1\n"
                       "x{a=\"b\" c=\"d\"} 1\n"
                       "x 1 2 3\n"
                       "x 1 12ab\n"
                       "x 1e999\n"
                       "<html><body>Oops</body></html>\n"
                       "good2 2\n";
    dch_prom_stats st;
    collected *c = parse(text, strlen(text), &st);
    ck_assert_uint_eq(st.samples, 2);
    ck_assert_uint_eq(st.bad_lines, 14);
    ck_assert_str_eq(LINE(c, 0), "good{}");
    ck_assert_str_eq(LINE(c, 1), "good2{}");
    collected_free(c);
}
END_TEST

START_TEST(test_huge_line_nul_and_many_labels)
{
    size_t big = DCH_PROM_MAX_LINE * 3;
    GString *s = g_string_new("before 1\nhuge{a=\"");
    for (size_t i = 0; i < big; i++)
        g_string_append_c(s, 'x');
    g_string_append(s, "\"} 1\n");
    g_string_append(s, "many{");
    for (int i = 0; i < DCH_PROM_MAX_LABELS + 1; i++)
        g_string_append_printf(s, "l%d=\"v\",", i);
    g_string_append(s, "} 1\n");
    g_string_append_len(s, "nul\0byte 1\n", 11);
    g_string_append(s, "after 2");
    dch_prom_stats st;
    collected *c = parse(s->str, s->len, &st);
    ck_assert_uint_eq(st.samples, 2);
    ck_assert_uint_eq(st.long_lines, 1);
    ck_assert_uint_eq(st.bad_lines, 3);
    ck_assert_str_eq(LINE(c, 1), "after{}");
    collected_free(c);
    g_string_free(s, TRUE);
}
END_TEST

START_TEST(test_empty_and_binary)
{
    dch_prom_stats st;
    collected *c = parse("", 0, &st);
    ck_assert_uint_eq(st.samples, 0);
    collected_free(c);
    c = parse(NULL, 10, &st);
    ck_assert_uint_eq(st.samples, 0);
    collected_free(c);
    unsigned char junk[4096];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 7919 + 13);
    c = parse((const char *)junk, sizeof junk, &st);
    ck_assert_uint_eq(st.samples, 0);
    ck_assert_uint_gt(st.bad_lines, 0);
    collected_free(c);
}
END_TEST

typedef struct match_ctx {
    const dch_prom_selector *sel;
    int matches;
    double value;
} match_ctx;

static void count_matches(const dch_prom_sample *s, void *user)
{
    match_ctx *m = user;
    if (!dch_prom_selector_matches(m->sel, s))
        return;
    m->matches++;
    m->value = s->value;
}

static int matches_in(const char *selector, const char *text, double *value)
{
    dch_prom_selector sel;
    char *err = NULL;
    ck_assert_int_eq(dch_prom_selector_parse(selector, &sel, &err), 0);
    match_ctx m = {&sel, 0, NAN};
    dch_prom_stats st;
    dch_prom_parse(text, strlen(text), count_matches, &m, &st);
    dch_prom_selector_clear(&sel);
    if (value)
        *value = m.value;
    return m.matches;
}

START_TEST(test_selectors)
{
    const char *text = "fs{mountpoint=\"/\",fstype=\"ext4\"} 10\n"
                       "fs{mountpoint=\"/boot\",fstype=\"vfat\"} 20\n"
                       "fs{mountpoint=\"/run\",fstype=\"tmpfs\"} 30\n"
                       "fsx 40\n";
    double v;
    ck_assert_int_eq(matches_in("fs", text, NULL), 3);
    ck_assert_int_eq(matches_in("fs{mountpoint=\"/boot\"}", text, &v), 1);
    ck_assert_double_eq(v, 20);
    ck_assert_int_eq(matches_in(" fs{ fstype != \"tmpfs\" , mountpoint=\"/\" } ", text, &v), 1);
    ck_assert_double_eq(v, 10);
    ck_assert_int_eq(matches_in("fs{fstype!=\"tmpfs\"}", text, NULL), 2);
    ck_assert_int_eq(matches_in("fs{missing=\"\"}", text, NULL), 3);
    ck_assert_int_eq(matches_in("fsx", text, &v), 1);
    ck_assert_double_eq(v, 40);

    const char *bad[] = {"", "9x", "fs{", "fs{a}", "fs{a=b}", "fs{a=\"b\"} junk", "fs x", NULL};
    for (int i = 0; bad[i]; i++) {
        dch_prom_selector sel;
        char *err = NULL;
        ck_assert_msg(dch_prom_selector_parse(bad[i], &sel, &err) == -1, "accepted '%s'", bad[i]);
        ck_assert_ptr_nonnull(err);
        g_free(err);
    }
}
END_TEST

static Suite *prom_suite(void)
{
    Suite *s = suite_create("prom");
    TCase *good = tcase_create("good");
    tcase_add_test(good, test_node_exporter_sample);
    tcase_add_test(good, test_special_values_and_escapes);
    suite_add_tcase(s, good);
    TCase *hostile = tcase_create("hostile");
    tcase_add_test(hostile, test_bad_lines_are_skipped);
    tcase_add_test(hostile, test_huge_line_nul_and_many_labels);
    tcase_add_test(hostile, test_empty_and_binary);
    suite_add_tcase(s, hostile);
    TCase *selectors = tcase_create("selectors");
    tcase_add_test(selectors, test_selectors);
    suite_add_tcase(s, selectors);
    return s;
}

int main(int argc, char **argv)
{
    return pt_check_run(prom_suite(), argc, argv);
}
