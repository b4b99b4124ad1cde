/* Unit tests of plugins/common: threshold crossing and clearing without
 * repeats, JSON pointers, the HTTP poller against a local SoupServer, and a
 * fed widget's status and failure logging against a fake host. */
#include "feed_state.h"
#include "http_poll.h"
#include "json_pointer.h"
#include "pt_check.h"
#include "threshold.h"

#include <glib.h>
#include <libsoup/soup.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

/* ---- threshold ---- */

START_TEST(raise_once_clear_once)
{
    pt_threshold t;
    pt_threshold_init(&t, 10, 10, 0);
    ck_assert_int_eq(pt_threshold_feed(&t, 5, 0), PT_UNCHANGED);
    ck_assert_int_eq(pt_threshold_feed(&t, 11, 1), PT_RAISED);
    for (int i = 0; i < 50; i++)
        ck_assert_int_eq(pt_threshold_feed(&t, 12 + i, 2 + i), PT_UNCHANGED);
    ck_assert(t.active);
    ck_assert_int_eq(pt_threshold_feed(&t, 10, 100), PT_CLEARED);
    for (int i = 0; i < 50; i++)
        ck_assert_int_eq(pt_threshold_feed(&t, 3, 101 + i), PT_UNCHANGED);
    ck_assert(!t.active);
}
END_TEST

START_TEST(hysteresis_band_keeps_state)
{
    pt_threshold t;
    pt_threshold_init(&t, 10, 7, 0);
    ck_assert_int_eq(pt_threshold_feed(&t, 11, 0), PT_RAISED);
    /* Hovering between 7 and 10 changes nothing, neither does going up again. */
    for (int i = 0; i < 20; i++)
        ck_assert_int_eq(pt_threshold_feed(&t, i % 2 ? 9 : 11, i + 1), PT_UNCHANGED);
    ck_assert_int_eq(pt_threshold_feed(&t, 7, 30), PT_CLEARED);
    ck_assert_int_eq(pt_threshold_feed(&t, 9, 31), PT_UNCHANGED);
    ck_assert_int_eq(pt_threshold_feed(&t, 10.5, 32), PT_RAISED);
}
END_TEST

START_TEST(hold_time)
{
    pt_threshold t;
    pt_threshold_init(&t, 0.5, 0.5, 1000);
    ck_assert_int_eq(pt_threshold_feed(&t, 1, 0), PT_UNCHANGED);
    ck_assert_int_eq(pt_threshold_feed(&t, 1, 999), PT_UNCHANGED);
    ck_assert_int_eq(pt_threshold_above_for(&t, 999), 999);
    /* A dip restarts the hold. */
    ck_assert_int_eq(pt_threshold_feed(&t, 0, 1000), PT_UNCHANGED);
    ck_assert_int_eq(pt_threshold_above_for(&t, 1000), 0);
    ck_assert_int_eq(pt_threshold_feed(&t, 1, 1100), PT_UNCHANGED);
    ck_assert_int_eq(pt_threshold_feed(&t, 1, 2099), PT_UNCHANGED);
    ck_assert_int_eq(pt_threshold_feed(&t, 1, 2100), PT_RAISED);
    ck_assert_int_eq(pt_threshold_feed(&t, 1, 9000), PT_UNCHANGED);
    ck_assert_int_eq(pt_threshold_feed(&t, 0, 9001), PT_CLEARED);
    ck_assert_int_eq(pt_threshold_feed(&t, 0, 9002), PT_UNCHANGED);
}
END_TEST

START_TEST(clear_level_capped_and_limits_change)
{
    pt_threshold t;
    pt_threshold_init(&t, 5, 50, -3);
    ck_assert(t.clear_at_or_below == 5);
    ck_assert_int_eq(t.hold_ms, 0);
    ck_assert_int_eq(pt_threshold_feed(&t, 6, 0), PT_RAISED);
    pt_threshold_set_limits(&t, 20, 10, 0);
    ck_assert(t.active);
    ck_assert_int_eq(pt_threshold_feed(&t, 15, 1), PT_UNCHANGED);
    ck_assert_int_eq(pt_threshold_feed(&t, 10, 2), PT_CLEARED);
}
END_TEST

START_TEST(nan_changes_nothing)
{
    pt_threshold t;
    pt_threshold_init(&t, 10, 5, 0);
    ck_assert_int_eq(pt_threshold_feed(&t, NAN, 0), PT_UNCHANGED);
    ck_assert_int_eq(pt_threshold_feed(&t, 11, 1), PT_RAISED);
    ck_assert_int_eq(pt_threshold_feed(&t, NAN, 2), PT_UNCHANGED);
    ck_assert(t.active);
    ck_assert_int_eq(pt_threshold_feed(&t, 5, 3), PT_CLEARED);
    pt_threshold none;
    pt_threshold_init(&none, NAN, NAN, 0);
    ck_assert_int_eq(pt_threshold_feed(&none, INFINITY, 0), PT_UNCHANGED);
}
END_TEST

/* ---- json pointer ---- */

START_TEST(pointer_lookups)
{
    json_t *doc = json_loads(
        "{\"a\":{\"b\":[10,{\"c\":true}]},\"x/y\":1,\"m~n\":2,\"\":3,\"01\":4}", 0, NULL);
    ck_assert_ptr_nonnull(doc);
    ck_assert_ptr_eq(pt_json_pointer(doc, ""), doc);
    ck_assert_int_eq(json_integer_value(pt_json_pointer(doc, "/a/b/0")), 10);
    ck_assert(json_is_true(pt_json_pointer(doc, "/a/b/1/c")));
    ck_assert_int_eq(json_integer_value(pt_json_pointer(doc, "/x~1y")), 1);
    ck_assert_int_eq(json_integer_value(pt_json_pointer(doc, "/m~0n")), 2);
    ck_assert_int_eq(json_integer_value(pt_json_pointer(doc, "/")), 3);
    ck_assert_int_eq(json_integer_value(pt_json_pointer(doc, "/01")), 4);
    json_decref(doc);
}
END_TEST

START_TEST(pointer_hostile)
{
    json_t *doc = json_loads("{\"a\":[1,2,3],\"s\":\"text\"}", 0, NULL);
    const char *bad[] = {"a",    "/a/3", "/a/-1", "/a/01",     "/a/1x",          "/a/~2",
                         "/a/~", "/s/0", "/nope", "/a/0/deep", "/a/99999999999", NULL};
    for (int i = 0; bad[i]; i++)
        ck_assert_msg(pt_json_pointer(doc, bad[i]) == NULL, "pointer %s", bad[i]);
    ck_assert_ptr_null(pt_json_pointer(NULL, "/a"));
    ck_assert_ptr_null(pt_json_pointer(doc, NULL));
    ck_assert(!pt_json_pointer_valid("x"));
    ck_assert(!pt_json_pointer_valid("/~3"));
    ck_assert(pt_json_pointer_valid("/a~0~1"));
    json_decref(doc);
}
END_TEST

/* ---- http poll against a local SoupServer ---- */

typedef struct served {
    const char *mode; /* "good", "garbage", "500", "hang", "big" */
    char *auth;       /* Authorization header the server received */
} served;

typedef struct outcome {
    int calls;
    json_t *body;
    char *error;
    GMainLoop *loop;
} outcome;

static void handler(SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *q,
                    gpointer data)
{
    (void)server, (void)path, (void)q;
    served *s = data;
    const char *auth =
        soup_message_headers_get_one(soup_server_message_get_request_headers(msg), "Authorization");
    g_free(s->auth);
    s->auth = g_strdup(auth);
    if (!strcmp(s->mode, "hang")) {
        soup_server_message_pause(msg);
        return;
    }
    if (!strcmp(s->mode, "500")) {
        soup_server_message_set_status(msg, 500, NULL);
        return;
    }
    const char *body = !strcmp(s->mode, "good") ? "{\"items\":[1,2]}" : "<html>oops</html>";
    if (!strcmp(s->mode, "big"))
        body = "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]";
    soup_server_message_set_status(msg, 200, NULL);
    soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_COPY, body, strlen(body));
}

static void on_poll(void *user, const json_t *body, const char *error)
{
    outcome *o = user;
    o->calls++;
    json_decref(o->body);
    o->body = body ? json_incref((json_t *)body) : NULL;
    g_free(o->error);
    o->error = g_strdup(error);
    g_main_loop_quit(o->loop);
}

static gboolean give_up(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

/* Polls the server once in mode; fills o. */
static void poll_once(SoupServer *server, served *s, const char *mode, size_t max_bytes, outcome *o)
{
    s->mode = mode;
    GSList *uris = soup_server_get_uris(server);
    char *url = g_uri_to_string(uris->data);
    g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
    json_t *headers = json_pack("{s:s}", "Authorization", "Bearer s3cr3t");
    pt_http_poll_options opt = {url, headers, 60000, 300, max_bytes};
    char *error = NULL;
    pt_http_poll *p = pt_http_poll_new(&opt, on_poll, o, &error);
    ck_assert_ptr_nonnull(p);
    o->loop = g_main_loop_new(NULL, FALSE);
    guint guard = g_timeout_add(5000, give_up, o->loop);
    pt_http_poll_start(p);
    g_main_loop_run(o->loop);
    g_source_remove(guard);
    pt_http_poll_free(p);
    g_main_loop_unref(o->loop);
    json_decref(headers);
    g_free(url);
}

static SoupServer *start_server(served *s)
{
    SoupServer *server = soup_server_new(NULL, NULL);
    soup_server_add_handler(server, NULL, handler, s, NULL);
    GError *err = NULL;
    ck_assert_msg(soup_server_listen_local(server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &err),
                  "listen");
    return server;
}

static void outcome_clear(outcome *o)
{
    json_decref(o->body);
    g_free(o->error);
    *o = (outcome){0};
}

START_TEST(poll_outcomes)
{
    served s = {0};
    SoupServer *server = start_server(&s);
    outcome o = {0};

    poll_once(server, &s, "good", 0, &o);
    ck_assert_int_eq(o.calls, 1);
    ck_assert_ptr_null(o.error);
    ck_assert_int_eq(json_array_size(pt_json_pointer(o.body, "/items")), 2);
    ck_assert_str_eq(s.auth, "Bearer s3cr3t");
    outcome_clear(&o);

    poll_once(server, &s, "garbage", 0, &o);
    ck_assert_ptr_null(o.body);
    ck_assert_msg(o.error && strstr(o.error, "not JSON"), "%s", o.error);
    ck_assert(pt_http_poll_bad_document(o.error));
    outcome_clear(&o);

    poll_once(server, &s, "500", 0, &o);
    ck_assert_msg(o.error && strstr(o.error, "HTTP 500"), "%s", o.error);
    ck_assert(!pt_http_poll_bad_document(o.error));
    outcome_clear(&o);

    poll_once(server, &s, "hang", 0, &o);
    ck_assert_msg(o.error && strstr(o.error, "timed out after 300 ms"), "%s", o.error);
    outcome_clear(&o);

    poll_once(server, &s, "big", 16, &o);
    ck_assert_msg(o.error && strstr(o.error, "larger than 16"), "%s", o.error);
    ck_assert(pt_http_poll_bad_document(o.error));
    ck_assert(!strstr(o.error, "s3cr3t"));
    outcome_clear(&o);

    g_free(s.auth);
    g_object_unref(server);
}
END_TEST

START_TEST(poll_refused_and_bad_options)
{
    char *error = NULL;
    pt_http_poll_options bad = {"ftp://example.org/x", NULL, 1000, 1000, 0};
    ck_assert_ptr_null(pt_http_poll_new(&bad, on_poll, NULL, &error));
    ck_assert_ptr_nonnull(strstr(error, "url"));
    free(error);
    error = NULL;
    json_t *headers = json_pack("{s:s}", "X-Evil", "a\r\nb");
    pt_http_poll_options evil = {"http://127.0.0.1:1/", headers, 1000, 1000, 0};
    ck_assert_ptr_null(pt_http_poll_new(&evil, on_poll, NULL, &error));
    free(error);
    json_decref(headers);

    /* Port 1 on loopback: nothing listens, the connection is refused. */
    outcome o = {0};
    pt_http_poll_options opt = {"http://127.0.0.1:1/feed", NULL, 60000, 2000, 0};
    pt_http_poll *p = pt_http_poll_new(&opt, on_poll, &o, &error);
    o.loop = g_main_loop_new(NULL, FALSE);
    guint guard = g_timeout_add(5000, give_up, o.loop);
    pt_http_poll_start(p);
    g_main_loop_run(o.loop);
    g_source_remove(guard);
    ck_assert_msg(o.error && strstr(o.error, "request failed"), "%s", o.error);
    /* Stopping while a request is in flight: no callback afterwards. */
    pt_http_poll_start(p);
    pt_http_poll_stop(p);
    pt_http_poll_free(p);
    int calls = o.calls;
    GMainContext *ctx = g_main_context_default();
    for (int i = 0; i < 100 && g_main_context_iteration(ctx, FALSE); i++)
        ;
    ck_assert_int_eq(o.calls, calls);
    g_main_loop_unref(o.loop);
    outcome_clear(&o);
}
END_TEST

START_TEST(headers_with_token)
{
    json_t *h = pt_http_headers_with_token(NULL, "t0k");
    ck_assert_str_eq(json_string_value(json_object_get(h, "Authorization")), "Bearer t0k");
    json_decref(h);
    json_t *given = json_pack("{s:s, s:s}", "Authorization", "Basic x", "X-A", "1");
    h = pt_http_headers_with_token(given, "t0k");
    ck_assert_str_eq(json_string_value(json_object_get(h, "Authorization")), "Basic x");
    ck_assert_int_eq(json_object_size(h), 2);
    json_decref(h);
    h = pt_http_headers_with_token(given, "");
    ck_assert(json_equal(h, given));
    ck_assert_ptr_ne(h, given);
    json_decref(h);
    json_decref(given);
}
END_TEST

/* ---- feed state ---- */

/* What the fake host was told. */
static struct {
    int logs;
    enum pantau_log_level level;
    char line[256];
    int statuses;
    enum pantau_source_status status;
    char reason[256];
} told;

static void fake_log(const pantau_host *h, enum pantau_log_level level, const char *fmt, ...)
{
    (void)h;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(told.line, sizeof told.line, fmt, ap);
    va_end(ap);
    told.level = level;
    told.logs++;
}

static void fake_set_status(pantau_source *s, enum pantau_source_status status, const char *reason)
{
    (void)s;
    told.status = status;
    g_strlcpy(told.reason, reason ? reason : "", sizeof told.reason);
    told.statuses++;
}

static const char *fake_source_id(const pantau_source *s)
{
    (void)s;
    return "feed-1";
}

static const pantau_host fake_host = {
    .log = fake_log, .set_status = fake_set_status, .source_id = fake_source_id};

START_TEST(feed_failures_logged_once)
{
    pt_feed_state f;
    memset(&told, 0, sizeof told);
    pt_feed_init(&f, &fake_host, NULL);
    /* No data yet: every failure is an error; a reason is logged once. */
    pt_feed_poll_failed(&f, "feed returned HTTP 500");
    pt_feed_poll_failed(&f, "feed returned HTTP 500");
    ck_assert_int_eq(told.logs, 1);
    ck_assert_int_eq(told.level, PANTAU_LOG_WARN);
    ck_assert_str_eq(told.line, "feed-1: feed returned HTTP 500");
    ck_assert_int_eq(told.statuses, 2);
    ck_assert_int_eq(told.status, PANTAU_STATUS_ERROR);
    ck_assert_str_eq(told.reason, "feed returned HTTP 500");
    /* Good data: recovered once, live. */
    pt_feed_good(&f);
    ck_assert_int_eq(told.logs, 2);
    ck_assert_str_eq(told.line, "feed-1: feed recovered");
    ck_assert_int_eq(told.status, PANTAU_STATUS_LIVE);
    pt_feed_good(&f);
    ck_assert_int_eq(told.logs, 2);
    /* With data: unreachable is stale, a bad document an error. */
    pt_feed_poll_failed(&f, "feed timed out after 300 ms");
    ck_assert_int_eq(told.status, PANTAU_STATUS_STALE);
    pt_feed_poll_failed(&f, "feed is not JSON: x");
    ck_assert_int_eq(told.status, PANTAU_STATUS_ERROR);
    ck_assert_int_eq(told.logs, 4);
    pt_feed_reset(&f);
    ck_assert(!f.has_data && !f.failure);
    pt_feed_failed(&f, PANTAU_STATUS_STALE, "feed timed out after 300 ms");
    ck_assert_int_eq(told.status, PANTAU_STATUS_ERROR);
    ck_assert_int_eq(told.logs, 5);
    pt_feed_reset(&f);
}
END_TEST

START_TEST(feed_poll_start)
{
    pt_feed_state f;
    memset(&told, 0, sizeof told);
    pt_feed_init(&f, &fake_host, NULL);
    pt_http_poll_options bad = {"ftp://example.org/x", NULL, 1000, 1000, 0};
    ck_assert_ptr_null(pt_feed_poll_start(&f, &bad, on_poll, NULL));
    ck_assert_int_eq(told.status, PANTAU_STATUS_ERROR);
    ck_assert_ptr_nonnull(strstr(told.reason, "url"));
    pt_http_poll_options opt = {"http://127.0.0.1:1/feed", NULL, 60000, 2000, 0};
    pt_http_poll *p = pt_feed_poll_start(&f, &opt, on_poll, NULL);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(told.status, PANTAU_STATUS_RECONNECTING);
    ck_assert_str_eq(told.reason, "waiting for the feed");
    pt_http_poll_free(p);
    /* With data the last status stands. */
    pt_feed_good(&f);
    p = pt_feed_poll_start(&f, &opt, on_poll, NULL);
    ck_assert_int_eq(told.status, PANTAU_STATUS_LIVE);
    pt_http_poll_free(p);
    pt_feed_reset(&f);
}
END_TEST

static Suite *common_suite(void)
{
    Suite *s = suite_create("plugin_common");
    TCase *tc = tcase_create("threshold");
    tcase_add_test(tc, raise_once_clear_once);
    tcase_add_test(tc, hysteresis_band_keeps_state);
    tcase_add_test(tc, hold_time);
    tcase_add_test(tc, clear_level_capped_and_limits_change);
    tcase_add_test(tc, nan_changes_nothing);
    suite_add_tcase(s, tc);
    tc = tcase_create("json_pointer");
    tcase_add_test(tc, pointer_lookups);
    tcase_add_test(tc, pointer_hostile);
    suite_add_tcase(s, tc);
    tc = tcase_create("http_poll");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, poll_outcomes);
    tcase_add_test(tc, poll_refused_and_bad_options);
    tcase_add_test(tc, headers_with_token);
    suite_add_tcase(s, tc);
    tc = tcase_create("feed_state");
    tcase_add_test(tc, feed_failures_logged_once);
    tcase_add_test(tc, feed_poll_start);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return pt_check_run(common_suite(), argc, argv);
}
