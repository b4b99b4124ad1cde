/* test_redact.c - removing URL passwords from text (log lines, error
 * messages, JSON) before it leaves the server. */
#include "redact.h"
#include "test_util.h"

#include <glib.h>
#include <string.h>

static void assert_redacted(const char *in, const char *expected)
{
    char *out = redact_url_passwords(in);
    ck_assert_ptr_nonnull(out);
    ck_assert_msg(strcmp(out, expected) == 0, "redact(\"%s\") = \"%s\", expected \"%s\"", in, out,
                  expected);
    ck_assert_ptr_ne(out, in);
    g_free(out);
}

static void assert_unchanged(const char *in)
{
    assert_redacted(in, in);
}

/* ---- passwords ---- */

START_TEST(passwords_rtsp_and_http)
{
    assert_redacted("rtsp://admin:secret@192.168.1.10:554/Streaming/Channels/101",
                    "rtsp://admin@192.168.1.10:554/Streaming/Channels/101");
    assert_redacted("http://user:pw@cam.local/snapshot.jpg", "http://user@cam.local/snapshot.jpg");
    assert_redacted("https://u:p@example.org", "https://u@example.org");
    assert_redacted("rtsps://viewer:x@[fe80::1]:322/live", "rtsps://viewer@[fe80::1]:322/live");
    /* An empty password or user name. */
    assert_redacted("rtsp://admin:@cam/", "rtsp://admin@cam/");
    assert_redacted("rtsp://:secret@cam/", "rtsp://@cam/");
}
END_TEST

START_TEST(passwords_with_at_and_colon)
{
    assert_redacted("rtsp://admin:p@ss@10.0.0.5/live", "rtsp://admin@10.0.0.5/live");
    assert_redacted("rtsp://admin:a:b:c@10.0.0.5:8554/live", "rtsp://admin@10.0.0.5:8554/live");
    assert_redacted("rtsp://admin:@:@:@@cam:554", "rtsp://admin@cam:554");
    assert_redacted("rtsp://admin:p@ss:w0rd@@cam/x", "rtsp://admin@cam/x");
}
END_TEST

START_TEST(passwords_with_quotes_and_brackets)
{
    assert_redacted("opening rtsp://admin:pa\"ss@cam/main", "opening rtsp://admin@cam/main");
    assert_redacted("rtsp://admin:pa'ss@cam/main", "rtsp://admin@cam/main");
    assert_redacted("rtsp://admin:p<a>ss@cam:554", "rtsp://admin@cam:554");
}
END_TEST

START_TEST(setting_urls_with_a_password_that_ends_the_host)
{
    static const char *const cases[][2] = {
        {"rtsp://admin:Rahasia/77@10.0.0.9/main", "rtsp://admin@10.0.0.9/main"},
        {"rtsp://admin:pa?ss@cam/main", "rtsp://admin@cam/main"},
        {"rtsp://admin:pa#ss@cam/main", "rtsp://admin@cam/main"},
        {"rtsp://admin:secret@cam/main", "rtsp://admin@cam/main"},
        {"rtsp://cam/main", "rtsp://cam/main"},
        {"rtsp://admin@cam/main", "rtsp://admin@cam/main"},
        {"not a url", "not a url"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *out = redact_setting_url(cases[i][0]);
        ck_assert_str_eq(out, cases[i][1]);
        g_free(out);
    }
    ck_assert_ptr_null(redact_setting_url(NULL));
}
END_TEST

START_TEST(passwords_several_in_a_line)
{
    assert_redacted("2024-06-01 12:00:00 warn cam1: cannot open rtsp://a:one@10.0.0.1/s "
                    "(falling back to http://b:t:wo@10.0.0.2:8080/mjpg): timeout",
                    "2024-06-01 12:00:00 warn cam1: cannot open rtsp://a@10.0.0.1/s "
                    "(falling back to http://b@10.0.0.2:8080/mjpg): timeout");
    /* Quoted in JSON, and one without a password in between. */
    assert_redacted("{\"main\":\"rtsp://u:p1@h1/a\",\"sub\":\"rtsp://u@h2/b\","
                    "\"snap\":\"http://v:p@3@h3/c\"}",
                    "{\"main\":\"rtsp://u@h1/a\",\"sub\":\"rtsp://u@h2/b\","
                    "\"snap\":\"http://v@h3/c\"}");
    assert_redacted("rtsp://a:1@h1 rtsp://b:2@h2\trtsp://c:3@h3\nrtsp://d:4@h4",
                    "rtsp://a@h1 rtsp://b@h2\trtsp://c@h3\nrtsp://d@h4");
    assert_redacted("'rtsp://a:1@h1'<rtsp://b:2@h2>", "'rtsp://a@h1'<rtsp://b@h2>");
}
END_TEST

START_TEST(passwords_url_at_end)
{
    assert_redacted("connecting to rtsp://admin:secret@10.0.0.5",
                    "connecting to rtsp://admin@10.0.0.5");
    assert_redacted("connecting to rtsp://admin:secret@", "connecting to rtsp://admin@");
}
END_TEST

START_TEST(passwords_query_and_fragment_kept)
{
    assert_redacted("http://u:p@cam/cgi-bin/snap.cgi?channel=1&user=a:b@c#top",
                    "http://u@cam/cgi-bin/snap.cgi?channel=1&user=a:b@c#top");
    assert_redacted("http://u:p@cam?x=1:2@3", "http://u@cam?x=1:2@3");
    assert_redacted("http://u:p@cam#a:b@c", "http://u@cam#a:b@c");
}
END_TEST

/* ---- unchanged ---- */

START_TEST(unchanged_without_password)
{
    assert_unchanged("");
    assert_unchanged("no URL here");
    assert_unchanged("rtsp://10.0.0.5:554/live");
    assert_unchanged("rtsp://admin@10.0.0.5:554/live");
    assert_unchanged("http://cam.local/path/with:colon@at");
    assert_unchanged("http://cam.local:8080?user=admin:pw@x");
    assert_unchanged("file:///etc/pantau/pantau.json");
}
END_TEST

START_TEST(unchanged_email)
{
    assert_unchanged("mail admin@example.com about it");
    assert_unchanged("mailto:admin@example.com");
    assert_unchanged("user:admin@example.com");
    assert_unchanged("see http://example.com/help or write to ops:team@example.com");
}
END_TEST

START_TEST(unchanged_scheme_without_authority)
{
    assert_unchanged("://");
    assert_unchanged("a :// b:c@d");
    assert_unchanged("text ending in rtsp://");
    assert_unchanged("::// ://:// x://");
    assert_unchanged("rtsp:///path:x@y");
}
END_TEST

START_TEST(null_gives_null)
{
    ck_assert_ptr_null(redact_url_passwords(NULL));
}
END_TEST

START_TEST(long_text)
{
    GString *in = g_string_new(NULL), *want = g_string_new(NULL);
    for (int i = 0; i < 2000; i++) {
        g_string_append_printf(in, "cam%d rtsp://u%d:p%d@@h%d:554/s ", i, i, i, i);
        g_string_append_printf(want, "cam%d rtsp://u%d@h%d:554/s ", i, i, i);
    }
    assert_redacted(in->str, want->str);
    g_string_free(in, TRUE);
    g_string_free(want, TRUE);
}
END_TEST

START_TEST(printable_keeps_text)
{
    char *out = redact_printable("Jl. Sudirman – kamera 3: 401 Unauthorized");
    ck_assert_str_eq(out, "Jl. Sudirman – kamera 3: 401 Unauthorized");
    g_free(out);
    ck_assert_ptr_null(redact_printable(NULL));
}
END_TEST

START_TEST(printable_replaces_controls_and_bad_bytes)
{
    /* An escape sequence, a bell, DEL, a C1 control, and bytes that are not UTF-8. */
    char *out = redact_printable("a\x1b[2Jb\x07"
                                 "c\x7f\xc2\x9b\xff\xfe\n");
    ck_assert(g_utf8_validate(out, -1, NULL));
    ck_assert_str_eq(out, "a?[2Jb?c??\xef\xbf\xbd\xef\xbf\xbd?");
    g_free(out);
}
END_TEST

static Suite *redact_suite(void)
{
    Suite *s = suite_create("redact");
    TCase *tc = tcase_create("passwords");
    tcase_add_test(tc, passwords_rtsp_and_http);
    tcase_add_test(tc, passwords_with_at_and_colon);
    tcase_add_test(tc, passwords_with_quotes_and_brackets);
    tcase_add_test(tc, setting_urls_with_a_password_that_ends_the_host);
    tcase_add_test(tc, passwords_several_in_a_line);
    tcase_add_test(tc, passwords_url_at_end);
    tcase_add_test(tc, passwords_query_and_fragment_kept);
    tcase_add_test(tc, long_text);
    suite_add_tcase(s, tc);

    tc = tcase_create("unchanged");
    tcase_add_test(tc, unchanged_without_password);
    tcase_add_test(tc, unchanged_email);
    tcase_add_test(tc, unchanged_scheme_without_authority);
    tcase_add_test(tc, null_gives_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("printable");
    tcase_add_test(tc, printable_keeps_text);
    tcase_add_test(tc, printable_replaces_controls_and_bad_bytes);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(redact_suite(), argc, argv);
}
