/* test_ptz.c - domain/ptz.c with a source type of its own that records
 * each control and answers at once or later: the ptz.* vocabulary is
 * checked before anything reaches the plugin, a session's moves are
 * stopped when it closes, and every request is answered exactly once, also
 * when the center goes away first. */
#include "ptz.h"
#include "test_util.h"

#include <glib.h>
#include <string.h>

/* ---- a camera type that records its controls ---- */

typedef struct control_call {
    char action[32];
    json_t *args; /* new reference */
    pantau_reply_fn done;
    void *data;
} control_call;

static GArray *calls;            /* control_call */
static bool answer_now;          /* answer inside control(), else keep done for later */
static const char *answer_error; /* what an answer inside control() says */

static int arm_control(void *instance, const char *action, const json_t *args, pantau_reply_fn done,
                       void *done_data)
{
    (void)instance;
    if (strcmp(action, "ptz.fly") == 0)
        return -1;
    control_call c = {.args = json_deep_copy(args), .done = done, .data = done_data};
    g_strlcpy(c.action, action, sizeof c.action);
    g_array_append_val(calls, c);
    if (answer_now) {
        json_t *result = answer_error ? NULL : json_pack("{s:s}", "said", action);
        done(result, answer_error, done_data);
        json_decref(result);
    }
    return 0;
}

static void *arm_create(pantau_source *s, const json_t *settings, char **error)
{
    (void)settings, (void)error;
    return s;
}

static void arm_destroy(void *instance)
{
    (void)instance;
}

static const source_type_entry arm_type = {
    .type = {.size = sizeof(pantau_source_type),
             .id = "arm",
             .kind = "camera",
             .create = arm_create,
             .destroy = arm_destroy,
             .control = arm_control},
    .plugin = "test",
};
static const source_type_entry dumb_type = {
    .type = {.size = sizeof(pantau_source_type),
             .id = "dumb",
             .kind = "widget",
             .create = arm_create,
             .destroy = arm_destroy},
    .plugin = "test",
};

/* ---- answers the tests receive ---- */

typedef struct answer {
    int count;
    json_t *result; /* new reference */
    pantau_error err;
    bool failed;
} answer;

static void on_done(const json_t *result, const pantau_error *err, void *data)
{
    answer *a = data;
    a->count++;
    json_decref(a->result);
    a->result = result ? json_deep_copy(result) : NULL;
    a->failed = err != NULL;
    if (err)
        a->err = *err;
}

/* ---- fixture ---- */

static source_registry *reg;
static ptz_center *pc;
static pantau_source *cam, *cam2, *clock_src;

static pantau_source *add_source(const char *id, const source_type_entry *type)
{
    pantau_source *s = g_new0(pantau_source, 1);
    s->id = g_strdup(id);
    s->name = g_strdup(id);
    s->type_id = g_strdup(type->type.id);
    s->type = type;
    s->instance = s;
    tu_registry_add(reg, s);
    return s;
}

static void setup(void)
{
    calls = g_array_new(FALSE, TRUE, sizeof(control_call));
    answer_now = true;
    answer_error = NULL;
    reg = source_registry_new(NULL, NULL);
    cam = add_source("cam", &arm_type);
    cam2 = add_source("cam2", &arm_type);
    clock_src = add_source("clock", &dumb_type);
    pc = ptz_center_new(reg, NULL);
}

static void teardown(void)
{
    ptz_center_free(pc);
    /* Answers kept for later: given now, after the center is gone (dropped). */
    for (guint i = 0; i < calls->len; i++) {
        control_call *c = &g_array_index(calls, control_call, i);
        if (!answer_now && c->done)
            c->done(NULL, NULL, c->data);
        json_decref(c->args);
    }
    g_array_free(calls, TRUE);
    source_registry_free(reg);
}

static control_call *call_at(guint i)
{
    ck_assert_uint_gt(calls->len, i);
    return &g_array_index(calls, control_call, i);
}

/* ptz_control(action, args JSON or NULL) by s must be refused at field. */
static void assert_refused(const session *s, pantau_source *src, const char *action,
                           const char *args, const char *code, const char *field)
{
    json_t *a = args ? tu_json(args) : NULL;
    pantau_error err = {0};
    answer ans = {0};
    ck_assert_int_eq(ptz_control(pc, s, src, action, a, on_done, &ans, &err), -1);
    ck_assert_str_eq(err.code, code);
    ck_assert_msg(strcmp(err.field, field) == 0, "field '%s', expected '%s' (%s)", err.field, field,
                  err.message);
    ck_assert_int_eq(ans.count, 0);
    json_decref(a);
}

START_TEST(bad_actions_and_args_reach_nothing)
{
    session *s = session_new(NULL);
    assert_refused(s, cam, "ptz.spin", NULL, ERR_BAD_REQUEST, "action");
    assert_refused(s, cam, NULL, NULL, ERR_BAD_REQUEST, "action");
    assert_refused(s, cam, "ptz.move", "{\"pan\": 1.5}", ERR_BAD_REQUEST, "args.pan");
    assert_refused(s, cam, "ptz.move", "{\"tilt\": \"up\"}", ERR_BAD_REQUEST, "args.tilt");
    assert_refused(s, cam, "ptz.relative", "{\"zoom\": -2}", ERR_BAD_REQUEST, "args.zoom");
    assert_refused(s, cam, "ptz.move", "[1, 2]", ERR_BAD_REQUEST, "args");
    assert_refused(s, cam, "ptz.goto", "{}", ERR_BAD_REQUEST, "args.preset");
    assert_refused(s, cam, "ptz.goto", "{\"preset\": 3}", ERR_BAD_REQUEST, "args.preset");
    assert_refused(s, cam, "ptz.save", "{\"name\": \"\"}", ERR_BAD_REQUEST, "args.name");
    assert_refused(s, cam, "ptz.save", "{\"name\": \"a\", \"preset\": \"\"}", ERR_BAD_REQUEST,
                   "args.preset");
    ck_assert_uint_eq(calls->len, 0);
    /* A type without control, and an action its plugin does not know. */
    assert_refused(s, clock_src, "ptz.stop", NULL, ERR_BAD_REQUEST, "source");
    ck_assert_uint_eq(calls->len, 0);
    ck_assert(ptz_action_changes("ptz.save"));
    ck_assert(!ptz_action_changes("ptz.move"));
    ck_assert(!ptz_action_changes(NULL));
    /* No move was sent: closing stops nothing. */
    ptz_session_closed(pc, s);
    ck_assert_uint_eq(calls->len, 0);
    session_free(s);
}
END_TEST

START_TEST(answers_pass_through_once)
{
    session *s = session_new(NULL);
    answer ans = {0};
    pantau_error err = {0};
    json_t *args = tu_json("{\"pan\": -0.5, \"zoom\": 1}");
    ck_assert_int_eq(ptz_control(pc, s, cam, "ptz.move", args, on_done, &ans, &err), 0);
    ck_assert_int_eq(ans.count, 1);
    ck_assert(!ans.failed);
    ck_assert_str_eq(json_string_value(json_object_get(ans.result, "said")), "ptz.move");
    ck_assert(json_equal(call_at(0)->args, args));
    /* No args: the plugin gets an empty object. */
    ck_assert_int_eq(ptz_control(pc, s, cam, "ptz.presets", NULL, on_done, &ans, &err), 0);
    ck_assert(json_is_object(call_at(1)->args));
    /* The plugin's refusal: code device, its message. */
    answer_error = "camera 10.0.0.5:80 did not answer";
    ck_assert_int_eq(ptz_control(pc, s, cam, "ptz.stop", NULL, on_done, &ans, &err), 0);
    ck_assert_int_eq(ans.count, 3);
    ck_assert(ans.failed);
    ck_assert_str_eq(ans.err.code, ERR_DEVICE);
    ck_assert_str_eq(ans.err.message, "camera 10.0.0.5:80 did not answer");
    json_decref(args);
    json_decref(ans.result);
    session_free(s);
}
END_TEST

START_TEST(a_closing_session_stops_what_it_moved)
{
    session *mover = session_new(NULL), *stopper = session_new(NULL), *idle = session_new(NULL);
    answer ans = {0};
    pantau_error err = {0};
    json_t *pan = tu_json("{\"pan\": 1}");
    ck_assert_int_eq(ptz_control(pc, mover, cam, "ptz.move", pan, on_done, &ans, &err), 0);
    ck_assert_int_eq(ptz_control(pc, stopper, cam2, "ptz.move", pan, on_done, &ans, &err), 0);
    ck_assert_int_eq(ptz_control(pc, stopper, cam2, "ptz.stop", NULL, on_done, &ans, &err), 0);
    ck_assert_uint_eq(calls->len, 3);
    ptz_session_closed(pc, idle);
    ptz_session_closed(pc, stopper); /* stopped already: nothing more */
    ck_assert_uint_eq(calls->len, 3);
    tu_capture cap;
    tu_capture_begin(&cap);
    ptz_session_closed(pc, mover);
    char *log = tu_capture_end(&cap);
    ck_assert_uint_eq(calls->len, 4);
    ck_assert_str_eq(call_at(3)->action, "ptz.stop");
    ck_assert_msg(strstr(log, "camera cam: stopped, the session that moved it closed"), "%s", log);
    g_free(log);
    /* Once only. */
    ptz_session_closed(pc, mover);
    ck_assert_uint_eq(calls->len, 4);
    json_decref(pan);
    json_decref(ans.result);
    session_free(mover);
    session_free(stopper);
    session_free(idle);
}
END_TEST

START_TEST(waiting_answers_end_with_the_center)
{
    answer_now = false;
    session *s = session_new(NULL);
    answer ans = {0};
    pantau_error err = {0};
    ck_assert_int_eq(ptz_control(pc, s, cam, "ptz.move", NULL, on_done, &ans, &err), 0);
    ck_assert_int_eq(ans.count, 0);
    /* A later answer arrives. */
    call_at(0)->done(NULL, NULL, call_at(0)->data);
    call_at(0)->done = NULL;
    ck_assert_int_eq(ans.count, 1);
    ck_assert(!ans.failed);
    /* Another waits when the center goes: answered "stopping", once; the
     * plugin's late answer (teardown) is dropped. The session's move is
     * stopped too. */
    json_t *goto_args = tu_json("{\"preset\": \"1\"}");
    ck_assert_int_eq(ptz_control(pc, s, cam, "ptz.goto", goto_args, on_done, &ans, &err), 0);
    json_decref(goto_args);
    tu_capture cap;
    tu_capture_begin(&cap);
    ptz_center_free(pc);
    g_free(tu_capture_end(&cap));
    pc = NULL;
    ck_assert_int_eq(ans.count, 2);
    ck_assert(ans.failed);
    ck_assert_str_eq(ans.err.code, ERR_DEVICE);
    ck_assert_uint_eq(calls->len, 3);
    ck_assert_str_eq(call_at(2)->action, "ptz.stop");
    session_free(s);
}
END_TEST

/* A session of user with role. */
static session *person(const char *user, enum session_role role)
{
    session *s = session_new(NULL);
    g_free(s->user);
    s->user = g_strdup(user);
    s->role = role;
    return s;
}

START_TEST(one_operator_holds_a_camera_and_an_admin_may_take_it_over)
{
    session *otto = person("otto", ROLE_OPERATOR), *rina = person("rina", ROLE_OPERATOR);
    session *ana = person("ana", ROLE_ADMIN);
    answer ans = {0};
    pantau_error err = {0};
    json_t *pan = tu_json("{\"pan\": 1}");
    ck_assert_int_eq(ptz_control(pc, otto, cam, "ptz.move", pan, on_done, &ans, &err), 0);
    /* Another operator's move and stop are refused, naming the holder;
     * nothing reaches the camera. Lists need no hold. */
    assert_refused(rina, cam, "ptz.move", "{\"pan\": -1}", ERR_BUSY, "source");
    ck_assert_uint_eq(calls->len, 1);
    pantau_error busy = {0};
    ck_assert_int_eq(ptz_control(pc, rina, cam, "ptz.stop", NULL, on_done, &ans, &busy), -1);
    ck_assert_msg(strstr(busy.message, "steered by otto"), "%s", busy.message);
    ck_assert_int_eq(ptz_control(pc, rina, cam, "ptz.presets", NULL, on_done, &ans, &err), 0);
    /* Another camera is free. */
    ck_assert_int_eq(ptz_control(pc, rina, cam2, "ptz.move", pan, on_done, &ans, &err), 0);
    /* After the holder's stop the camera stays held for a few seconds. */
    ck_assert_int_eq(ptz_control(pc, otto, cam, "ptz.stop", NULL, on_done, &ans, &err), 0);
    assert_refused(rina, cam, "ptz.goto", "{\"preset\": \"1\"}", ERR_BUSY, "source");
    /* An admin takes it over: the old holder is refused, and its socket
     * closing does not stop the admin's move. */
    ck_assert_int_eq(ptz_control(pc, otto, cam, "ptz.move", pan, on_done, &ans, &err), 0);
    guint before = calls->len;
    ck_assert_int_eq(ptz_control(pc, ana, cam, "ptz.move", pan, on_done, &ans, &err), 0);
    assert_refused(otto, cam, "ptz.move", NULL, ERR_BUSY, "source");
    tu_capture cap;
    tu_capture_begin(&cap);
    ptz_session_closed(pc, otto);
    g_free(tu_capture_end(&cap));
    ck_assert_uint_eq(calls->len, before + 1);
    /* A closed holder frees the camera at once. */
    ptz_session_closed(pc, ana);
    ptz_session_closed(pc, rina);
    ck_assert_int_eq(ptz_control(pc, otto, cam, "ptz.relative", pan, on_done, &ans, &err), 0);
    json_decref(pan);
    json_decref(ans.result);
    session_free(otto);
    session_free(rina);
    session_free(ana);
}
END_TEST

static Suite *ptz_suite(void)
{
    Suite *s = suite_create("ptz");
    TCase *tc = tcase_create("vocabulary");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, bad_actions_and_args_reach_nothing);
    tcase_add_test(tc, answers_pass_through_once);
    suite_add_tcase(s, tc);
    tc = tcase_create("sessions");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, a_closing_session_stops_what_it_moved);
    tcase_add_test(tc, waiting_answers_end_with_the_center);
    tcase_add_test(tc, one_operator_holds_a_camera_and_an_admin_may_take_it_over);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(ptz_suite(), argc, argv);
}
