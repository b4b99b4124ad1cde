/* The /proc parsers, on sample text. */
#include "../dch_proc.h"
#include "pt_check.h"

#include <math.h>

START_TEST(test_stat)
{
    const char *a = "cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\nintr 1 2\n";
    const char *b = "cpu  160 0 70 900 70 0 0 0 0 0\ncpu0 80 0 35 450 35 0 0 0 0 0\n";
    dch_cpu_times ta, tb;
    ck_assert_int_eq(dch_parse_stat(a, &ta), 0);
    ck_assert_int_eq(dch_parse_stat(b, &tb), 0);
    ck_assert_uint_eq(ta.total, 1000);
    ck_assert_uint_eq(ta.idle, 850);
    /* 200 jiffies passed, 120 of them idle or iowait: 40% busy. */
    ck_assert_double_eq_tol(dch_cpu_percent(&ta, &tb), 40.0, 1e-9);
    ck_assert(isnan(dch_cpu_percent(&tb, &ta)));
    ck_assert(isnan(dch_cpu_percent(&ta, &ta)));
    /* An old kernel with only four fields. */
    ck_assert_int_eq(dch_parse_stat("cpu 1 2 3 4\n", &ta), 0);
    ck_assert_uint_eq(ta.total, 10);
    ck_assert_uint_eq(ta.idle, 4);
    ck_assert_int_eq(dch_parse_stat("cpu0 1 2 3 4\n", &ta), -1);
    ck_assert_int_eq(dch_parse_stat("cpu  1 2 x\n", &ta), -1);
    ck_assert_int_eq(dch_parse_stat("", &ta), -1);
    ck_assert_int_eq(dch_parse_stat(NULL, &ta), -1);
}
END_TEST

START_TEST(test_meminfo)
{
    const char *text = "MemTotal:       16318480 kB\nMemFree:          512000 kB\n"
                       "MemAvailable:    8159240 kB\nBuffers:          100000 kB\n";
    dch_meminfo m;
    ck_assert_int_eq(dch_parse_meminfo(text, &m), 0);
    ck_assert_uint_eq(m.total_bytes, 16318480ull * 1024);
    ck_assert_uint_eq(m.available_bytes, 8159240ull * 1024);
    /* No MemAvailable (kernels before 3.14): free + buffers + cached. */
    const char *old = "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n";
    ck_assert_int_eq(dch_parse_meminfo(old, &m), 0);
    ck_assert_uint_eq(m.available_bytes, 400 * 1024);
    /* Not fooled by a key that merely starts the same. */
    ck_assert_int_eq(dch_parse_meminfo("MemTotalX: 5 kB\n", &m), -1);
    ck_assert_int_eq(dch_parse_meminfo("MemTotal: lots\n", &m), -1);
    ck_assert_int_eq(dch_parse_meminfo("MemTotal: 10 kB\nMemAvailable: 99 kB\n", &m), 0);
    ck_assert_uint_eq(m.available_bytes, m.total_bytes);
}
END_TEST

START_TEST(test_loadavg)
{
    dch_loadavg l;
    ck_assert_int_eq(dch_parse_loadavg("0.52 1.03 2.50 3/456 7890\n", &l), 0);
    ck_assert_double_eq_tol(l.load1, 0.52, 1e-12);
    ck_assert_double_eq_tol(l.load5, 1.03, 1e-12);
    ck_assert_double_eq_tol(l.load15, 2.50, 1e-12);
    ck_assert_int_eq(dch_parse_loadavg("0.52 1.03", &l), -1);
    ck_assert_int_eq(dch_parse_loadavg("nan 1 2 3/4 5", &l), -1);
    ck_assert_int_eq(dch_parse_loadavg("0.5x 1 2", &l), -1);
    ck_assert_int_eq(dch_parse_loadavg(NULL, &l), -1);
}
END_TEST

static const char *NET =
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop "
    "fifo colls carrier compressed\n"
    "    lo:  500000    1000    0    0    0     0          0         0   500000    1000    0    "
    "0    0     0       0          0\n"
    "  eth0: 1000000    2000    0    0    0     0          0         0   200000    1500    0    "
    "0    0     0       0          0\n"
    "  wlan0:   30000     300    0    0    0     0          0         0    4000      40    0    "
    "0    0     0       0          0";

START_TEST(test_net_dev)
{
    dch_net_totals t;
    ck_assert_int_eq(dch_parse_net_dev(NET, NULL, &t), 0);
    ck_assert_uint_eq(t.interfaces, 2);
    ck_assert_uint_eq(t.rx_bytes, 1030000);
    ck_assert_uint_eq(t.tx_bytes, 204000);
    const char *only[] = {"eth0", NULL};
    ck_assert_int_eq(dch_parse_net_dev(NET, only, &t), 0);
    ck_assert_uint_eq(t.interfaces, 1);
    ck_assert_uint_eq(t.rx_bytes, 1000000);
    ck_assert_int_eq(dch_parse_net_dev("garbage\nmore: x y\n", NULL, &t), -1);
    ck_assert_double_eq(dch_rate(1000, 3000, 2.0), 1000);
    ck_assert(isnan(dch_rate(3000, 1000, 2.0)));
    ck_assert(isnan(dch_rate(1000, 3000, 0)));
}
END_TEST

static Suite *proc_suite(void)
{
    Suite *s = suite_create("proc");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {{"stat", test_stat},
                 {"meminfo", test_meminfo},
                 {"loadavg", test_loadavg},
                 {"net_dev", test_net_dev}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(int argc, char **argv)
{
    return pt_check_run(proc_suite(), argc, argv);
}
