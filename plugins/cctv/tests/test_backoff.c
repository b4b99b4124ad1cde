/* Unit tests of the cctv plugin's pure helpers: the reconnect backoff
 * schedule and the redaction of credentials from URLs and messages. */
#include "backoff.h"
#include "pt_check.h"
#include "url_redact.h"

#include <stdlib.h>
#include <string.h>

/* ---- backoff ---- */

START_TEST(schedule_doubles_to_cap)
{
    static const unsigned want[] = {1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
    for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_uint_eq(cctv_backoff_ms(i), want[i]);
}
END_TEST

START_TEST(schedule_never_overflows)
{
    ck_assert_uint_eq(cctv_backoff_ms(31), 30000);
    ck_assert_uint_eq(cctv_backoff_ms(64), 30000);
    ck_assert_uint_eq(cctv_backoff_ms(~0u), 30000);
}
END_TEST

START_TEST(schedule_is_monotonic)
{
    for (unsigned i = 0; i < 100; i++)
        ck_assert_uint_le(cctv_backoff_ms(i), cctv_backoff_ms(i + 1));
}
END_TEST

/* ---- redaction ---- */

/* Asserts that redacting text with secret gives want. */
static void check_redact(const char *text, const char *secret, const char *want)
{
    char *got = cctv_redact(text, secret);
    ck_assert_ptr_nonnull(got);
    ck_assert_str_eq(got, want);
    free(got);
}

START_TEST(strips_userinfo)
{
    check_redact("rtsp://admin:s3cret@10.0.0.5:554/Streaming/Channels/101", NULL,
                 "rtsp://10.0.0.5:554/Streaming/Channels/101");
    check_redact("rtsp://admin@cam/x", NULL, "rtsp://cam/x");
    check_redact("rtsp://u:p@ss@cam:554/a?b=c@d", NULL, "rtsp://cam:554/a?b=c@d");
    check_redact("rtsp://cam.example/cam/realmonitor?channel=1&subtype=0", NULL,
                 "rtsp://cam.example/cam/realmonitor?channel=1&subtype=0");
}
END_TEST

START_TEST(strips_userinfo_with_quotes_and_brackets)
{
    /* Quotes and angle brackets in a password do not end the userinfo. */
    check_redact("opening main stream: rtsp://admin:pa\"ss@cam/main", NULL,
                 "opening main stream: rtsp://cam/main");
    check_redact("rtsp://admin:pa'ss@cam/main", NULL, "rtsp://cam/main");
    check_redact("rtsp://admin:p<a>ss@cam:554", NULL, "rtsp://cam:554");
}
END_TEST

START_TEST(finds_an_at_after_the_host)
{
    /* A password with '/', '?' or '#' unencoded ends the host early. */
    ck_assert_int_eq(cctv_url_at_after_host("rtsp://admin:pa/ss@cam/main"), 1);
    ck_assert_int_eq(cctv_url_at_after_host("rtsp://admin:pa?ss@cam/main"), 1);
    ck_assert_int_eq(cctv_url_at_after_host("rtsp://admin:pa#ss@cam/main"), 1);
    ck_assert_int_eq(cctv_url_at_after_host("rtsp://admin:pa%2Fss@cam/main"), 0);
    ck_assert_int_eq(cctv_url_at_after_host("rtsp://u:p@ss@cam/main"), 0);
    ck_assert_int_eq(cctv_url_at_after_host("rtsp://cam/main"), 0);
    ck_assert_int_eq(cctv_url_at_after_host(NULL), 0);
}
END_TEST

START_TEST(strips_every_url_in_a_message)
{
    check_redact("failed rtsp://a:b@h1/x then rtsps://c:d@h2 ok", NULL,
                 "failed rtsp://h1/x then rtsps://h2 ok");
    check_redact("no url here", NULL, "no url here");
    check_redact("", NULL, "");
    check_redact(NULL, NULL, "");
}
END_TEST

START_TEST(masks_the_password)
{
    check_redact("auth failed for pw hunter2, hunter2!", "hunter2", "auth failed for pw ***, ***!");
    check_redact("rtsp://u:hunter2@h/x hunter2", "hunter2", "rtsp://h/x ***");
    check_redact("nothing", "", "nothing");
}
END_TEST

START_TEST(validates_urls)
{
    ck_assert_int_eq(cctv_url_valid("rtsp://10.0.0.5:554/Streaming/Channels/101"), 1);
    ck_assert_int_eq(cctv_url_valid("rtsps://u:p@cam/x"), 1);
    ck_assert_int_eq(cctv_url_valid("rtsp://"), 0);
    ck_assert_int_eq(cctv_url_valid("rtsp://u:p@/x"), 0);
    ck_assert_int_eq(cctv_url_valid("rtsp://:554/x"), 0);
    ck_assert_int_eq(cctv_url_valid("http://cam/x"), 0);
    ck_assert_int_eq(cctv_url_valid(""), 0);
    ck_assert_int_eq(cctv_url_valid(NULL), 0);
}
END_TEST

static Suite *cctv_suite(void)
{
    Suite *s = suite_create("cctv");
    TCase *backoff = tcase_create("backoff");
    tcase_add_test(backoff, schedule_doubles_to_cap);
    tcase_add_test(backoff, schedule_never_overflows);
    tcase_add_test(backoff, schedule_is_monotonic);
    suite_add_tcase(s, backoff);
    TCase *redact = tcase_create("redact");
    tcase_add_test(redact, strips_userinfo);
    tcase_add_test(redact, strips_userinfo_with_quotes_and_brackets);
    tcase_add_test(redact, finds_an_at_after_the_host);
    tcase_add_test(redact, strips_every_url_in_a_message);
    tcase_add_test(redact, masks_the_password);
    tcase_add_test(redact, validates_urls);
    suite_add_tcase(s, redact);
    return s;
}

int main(int argc, char **argv)
{
    return pt_check_run(cctv_suite(), argc, argv);
}
