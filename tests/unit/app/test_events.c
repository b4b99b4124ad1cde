/* test_events.c - what a client would receive, seen without a network:
 * app/events.c attached to a bus with a recording outlet (events_out) turns
 * each domain event into its protocol message, byte for byte as the
 * clients get it, and sends it to the right clients (everyone, a source's
 * viewers, one rehearsing session through its sink). */
#include "bus.h"
#include "events.h"
#include "ops.h"
#include "session.h"
#include "test_util.h"

#include <glib.h>
#include <string.h>

/* Every message sent, in order: "all <json>", "viewers <source> <json>",
 * "close <login>", "session <json>". The JSON as serialised for clients
 * (compact, in the message's own key order). */
static GPtrArray *sent;

static void note(const char *to, const json_t *msg)
{
    char *text = json_dumps(msg, JSON_COMPACT);
    g_ptr_array_add(sent, g_strdup_printf("%s %s", to, text));
    free(text);
}

static void rec_broadcast(void *user, const json_t *msg)
{
    (void)user;
    note("all", msg);
}

static void rec_to_viewers(void *user, const char *source_id, const json_t *msg)
{
    (void)user;
    char *to = g_strdup_printf("viewers %s", source_id);
    note(to, msg);
    g_free(to);
}

static void rec_close_login(void *user, const char *login_id)
{
    (void)user;
    g_ptr_array_add(sent, g_strdup_printf("close %s", login_id));
}

static void rec_session_json(void *peer, const json_t *msg)
{
    (void)peer;
    note("session", msg);
}

static const session_sink session_recorder = {.send_json = rec_session_json};

static const char *sent_at(guint i)
{
    ck_assert_msg(sent->len > i, "%u messages sent, wanted message %u", sent->len, i);
    return g_ptr_array_index(sent, i);
}

static event_bus *bus;
static events *protocol;

static void setup(void)
{
    sent = g_ptr_array_new_with_free_func(g_free);
    bus = bus_new();
    events_out out = {rec_broadcast, rec_to_viewers, rec_close_login, NULL};
    protocol = events_attach(bus, &out);
}

static void teardown(void)
{
    events_detach(protocol);
    bus_free(bus);
    g_ptr_array_free(sent, TRUE);
}

START_TEST(make_puts_the_name_first)
{
    json_t *msg = events_make("media", json_pack("{s:s, s:i}", "source", "cam1", "stream", 3));
    char *text = json_dumps(msg, JSON_COMPACT);
    ck_assert_str_eq(text, "{\"ev\":\"media\",\"source\":\"cam1\",\"stream\":3}");
    free(text);
    json_decref(msg);
    msg = events_make("snapshot", NULL);
    text = json_dumps(msg, JSON_COMPACT);
    ck_assert_str_eq(text, "{\"ev\":\"snapshot\"}");
    free(text);
    json_decref(msg);
}
END_TEST

START_TEST(stats_to_everyone)
{
    json_t *stats = tu_json("{\"cam1\": {\"status\": \"live\", \"fps\": 25.0}}");
    bus_emit(bus, &(bus_event){.kind = BUS_STATS, .stats = {stats}});
    json_decref(stats);
    ck_assert_uint_eq(sent->len, 1);
    ck_assert_str_eq(
        sent_at(0),
        "all {\"ev\":\"stats\",\"sources\":{\"cam1\":{\"status\":\"live\",\"fps\":25.0}}}");
}
END_TEST

START_TEST(rehearsal_only_to_its_session)
{
    session *owner = session_new(NULL), *other = session_new(NULL);
    session_set_sink(owner, &session_recorder, NULL);
    session_set_sink(other, &session_recorder, NULL);
    json_t *state = tu_json("{\"step\": 1, \"notes\": \"secret\"}");
    bus_emit(bus,
             &(bus_event){.kind = BUS_PRESENTATION, .presentation = {"main", true, state, owner}});
    ck_assert_uint_eq(sent->len, 1);
    ck_assert_str_eq(sent_at(0), "session {\"ev\":\"presentation\",\"wall\":\"main\",\"mode\":"
                                 "\"rehearsal\",\"state\":{\"step\":1,\"notes\":\"secret\"}}");
    bus_emit(bus,
             &(bus_event){.kind = BUS_PRESENTATION, .presentation = {"main", false, NULL, NULL}});
    ck_assert_str_eq(sent_at(1), "all {\"ev\":\"presentation\",\"wall\":\"main\",\"mode\":"
                                 "\"live\",\"state\":null}");
    ck_assert_uint_eq(sent->len, 2);
    json_decref(state);
    session_free(owner);
    session_free(other);
}
END_TEST

START_TEST(login_ended_closes)
{
    bus_emit(bus, &(bus_event){.kind = BUS_LOGIN_ENDED, .login_ended = {"L1"}});
    ck_assert_uint_eq(sent->len, 1);
    ck_assert_str_eq(sent_at(0), "close L1");
}
END_TEST

/* ---- a change, from request to what every client gets ---- */

static const char *const walls_config =
    "[{\"id\": \"main\", \"name\": \"Main\", \"displays\": {\"columns\": 1, \"rows\": 1, "
    "\"width\": 1920, \"height\": 1080},"
    " \"layout\": {\"columns\": 2, \"rows\": 1, \"tiles\": ["
    "  {\"id\": \"t1\", \"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1},"
    "  {\"id\": \"t2\", \"x\": 1, \"y\": 0, \"w\": 1, \"h\": 1}]}}]";

START_TEST(merge_reaches_every_client)
{
    char *dir = tu_temp_dir();
    pantau_server *srv = tu_server_new(dir, walls_config);
    /* The wall service emits on the server's bus: the writer listens there. */
    events_out out = {rec_broadcast, rec_to_viewers, rec_close_login, NULL};
    events *writer = events_attach(srv->bus, &out);
    const char *bad = "{\"op\": \"tile.merge\", \"id\": 1, \"wall\": \"main\", \"version\": 99, "
                      "\"tiles\": [\"t1\", \"t2\"]}";
    json_t *reply = ops_handle_text(srv, NULL, bad, strlen(bad));
    ck_assert_ptr_nonnull(json_object_get(reply, "error"));
    json_decref(reply);
    ck_assert_uint_eq(sent->len, 0); /* a refused change sends nothing */
    const char *good = "{\"op\": \"tile.merge\", \"id\": 2, \"wall\": \"main\", \"version\": 1, "
                       "\"tiles\": [\"t1\", \"t2\"]}";
    reply = ops_handle_text(srv, NULL, good, strlen(good));
    ck_assert_ptr_nonnull(json_object_get(reply, "ok"));
    json_decref(reply);
    ck_assert_uint_eq(sent->len, 1);
    ck_assert(g_str_has_prefix(sent_at(0), "all {\"ev\":\"wall\",\"wall\":{\"id\":\"main\""));
    json_t *msg = tu_json(sent_at(0) + strlen("all "));
    json_t *changed = json_object_get(msg, "wall");
    ck_assert_int_eq(json_integer_value(json_object_get(changed, "version")), 2);
    ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(changed, "layout"), "tiles")),
                      1);
    json_decref(msg);
    events_detach(writer);
    tu_server_free(srv);
    tu_remove_tree(dir);
    g_free(dir);
}
END_TEST

static Suite *events_suite(void)
{
    Suite *s = suite_create("events");
    TCase *tc = tcase_create("messages");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, make_puts_the_name_first);
    tcase_add_test(tc, stats_to_everyone);
    tcase_add_test(tc, rehearsal_only_to_its_session);
    tcase_add_test(tc, login_ended_closes);
    suite_add_tcase(s, tc);
    tc = tcase_create("changes");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, merge_reaches_every_client);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(events_suite(), argc, argv);
}
