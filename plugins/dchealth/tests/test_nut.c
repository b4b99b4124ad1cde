/* The NUT reply parser, status flags and the request text. */
#include "../dch_nut.h"
#include "pt_check.h"

#include <glib.h>
#include <string.h>

static enum dch_nut_result parse(const char *text, dch_ups_state *st, char **err)
{
    return dch_nut_parse(text, strlen(text), "dummy", st, err);
}

static const char *LIST = "BEGIN LIST VAR dummy\n"
                          "VAR dummy battery.charge \"87\"\n"
                          "VAR dummy battery.runtime \"1800\"\n"
                          "VAR dummy device.model \"Smart \\\"UPS\\\" 1500\"\n"
                          "VAR dummy ups.load \"23.5\"\n"
                          "VAR dummy ups.status \"OL CHRG\"\n"
                          "END LIST VAR dummy\n";

START_TEST(test_list_var_complete)
{
    dch_ups_state st;
    char *err = NULL;
    ck_assert_int_eq(parse(LIST, &st, &err), DCH_NUT_DONE);
    ck_assert_ptr_null(err);
    ck_assert(st.online && !st.on_battery && !st.low_battery);
    ck_assert_double_eq(st.charge, 87);
    ck_assert_double_eq(st.runtime_s, 1800);
    ck_assert_double_eq(st.load, 23.5);
    ck_assert_str_eq(st.status, "OL CHRG");
}
END_TEST

START_TEST(test_list_var_in_pieces)
{
    size_t len = strlen(LIST);
    for (size_t cut = 0; cut < len; cut++) {
        dch_ups_state st;
        char *err = NULL;
        ck_assert_int_eq(dch_nut_parse(LIST, cut, "dummy", &st, &err), DCH_NUT_INCOMPLETE);
        ck_assert_ptr_null(err);
    }
}
END_TEST

START_TEST(test_login_then_list_crlf)
{
    const char *text = "OK\r\nOK\r\nBEGIN LIST VAR dummy\r\n"
                       "VAR dummy ups.status \"OB DISCHRG LB\"\r\n"
                       "VAR dummy battery.charge \"not a number\"\r\n"
                       "END LIST VAR dummy\r\nOK Goodbye\r\n";
    dch_ups_state st;
    char *err = NULL;
    ck_assert_int_eq(parse(text, &st, &err), DCH_NUT_DONE);
    ck_assert(!st.online && st.on_battery && st.low_battery);
    ck_assert_double_eq(st.charge, -1);
    ck_assert_double_eq(st.runtime_s, -1);
}
END_TEST

START_TEST(test_err_replies)
{
    const char *cases[][2] = {
        {"ERR UNKNOWN-UPS\n", "UNKNOWN-UPS"},
        {"OK\nERR ACCESS-DENIED\n", "ACCESS-DENIED"},
        {"BEGIN LIST VAR dummy\nERR DATA-STALE\n", "DATA-STALE"},
        {"ERR\n", "unknown error"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        dch_ups_state st;
        char *err = NULL;
        ck_assert_int_eq(parse(cases[i][0], &st, &err), DCH_NUT_ERROR);
        ck_assert_str_eq(err, cases[i][1]);
        g_free(err);
    }
}
END_TEST

START_TEST(test_malformed_replies)
{
    const char *cases[] = {
        "HTTP/1.1 400 Bad Request\n",
        "BEGIN LIST VAR dummy\nVAR other ups.status \"OL\"\n",
        "BEGIN LIST VAR dummy\nVAR dummy ups.status \"OL\n",
        "BEGIN LIST VAR dummy\nVAR dummy ups.status OL\n",
        "BEGIN LIST VAR dummy\nEND LIST VAR dummy\n", /* no ups.status */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        dch_ups_state st;
        char *err = NULL;
        ck_assert_msg(parse(cases[i], &st, &err) == DCH_NUT_ERROR, "case %zu", i);
        ck_assert_ptr_nonnull(err);
        g_free(err);
    }
    /* A huge line without a newline is refused rather than buffered forever. */
    GString *huge = g_string_new("VAR dummy ups.status \"");
    for (int i = 0; i < 10000; i++)
        g_string_append_c(huge, 'O');
    dch_ups_state st;
    char *err = NULL;
    ck_assert_int_eq(dch_nut_parse(huge->str, huge->len, "dummy", &st, &err), DCH_NUT_ERROR);
    g_free(err);
    g_string_free(huge, TRUE);
    /* NUL bytes inside a line. */
    err = NULL;
    ck_assert_int_eq(dch_nut_parse("OK\0junk\n", 8, "dummy", &st, &err), DCH_NUT_ERROR);
    g_free(err);
}
END_TEST

START_TEST(test_status_flags)
{
    dch_ups_state st;
    dch_nut_status_flags("OL", &st);
    ck_assert(st.online && !st.on_battery && !st.low_battery);
    dch_nut_status_flags("OB DISCHRG", &st);
    ck_assert(!st.online && st.on_battery && !st.low_battery);
    dch_nut_status_flags("OB LB", &st);
    ck_assert(st.on_battery && st.low_battery);
    dch_nut_status_flags("  OLD LBX  OL ", &st);
    ck_assert(st.online && !st.low_battery);
    dch_nut_status_flags("", &st);
    ck_assert(!st.online && !st.on_battery && !st.low_battery);
    dch_nut_status_flags(NULL, &st);
    ck_assert_str_eq(st.status, "");
}
END_TEST

START_TEST(test_request_text)
{
    char *r = dch_nut_request("dummy", NULL, NULL);
    ck_assert_str_eq(r, "LIST VAR dummy\nLOGOUT\n");
    g_free(r);
    r = dch_nut_request("ups1", "mon", "pa\"ss\nword");
    ck_assert_str_eq(r, "USERNAME \"mon\"\nPASSWORD \"pa\\\"ssword\"\nLIST VAR ups1\nLOGOUT\n");
    g_free(r);
    ck_assert(dch_nut_name_ok("ups-1.main_2"));
    ck_assert(!dch_nut_name_ok(""));
    ck_assert(!dch_nut_name_ok("ups\nLOGOUT"));
    ck_assert(!dch_nut_name_ok("a b"));
}
END_TEST

static Suite *nut_suite(void)
{
    Suite *s = suite_create("nut");
    TCase *list = tcase_create("list_var");
    tcase_add_test(list, test_list_var_complete);
    tcase_add_test(list, test_list_var_in_pieces);
    tcase_add_test(list, test_login_then_list_crlf);
    suite_add_tcase(s, list);
    TCase *errors = tcase_create("errors");
    tcase_add_test(errors, test_err_replies);
    tcase_add_test(errors, test_malformed_replies);
    suite_add_tcase(s, errors);
    TCase *flags = tcase_create("status_flags");
    tcase_add_test(flags, test_status_flags);
    suite_add_tcase(s, flags);
    TCase *request = tcase_create("request");
    tcase_add_test(request, test_request_text);
    suite_add_tcase(s, request);
    return s;
}

int main(int argc, char **argv)
{
    return pt_check_run(nut_suite(), argc, argv);
}
