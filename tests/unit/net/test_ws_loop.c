/* test_ws_loop.c - libwebsockets' libuv loop under one GSource (ws_loop.h):
 * what a descriptor waits for, changed from a GLib callback outside uv_run
 * with no other traffic, takes effect at once; timers and readable
 * descriptors wake GLib; an idle loop does not spin; freeing closes what is
 * left. */
#include "test_util.h"
#include "ws_loop.h"

#include <glib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

/* How long a change made outside uv_run may take to act: GLib's next
 * iteration, with a margin for a loaded machine. Without ws_loop's care it
 * never acts (the test gives up). */
#define PROMPT_US (500 * 1000)
/* How long a test waits before it gives up. */
#define GIVE_UP_MS 2000

typedef struct fixture {
    GMainContext *ctx;
    ws_loop *loop;
    int fds[2]; /* a socket pair: [0] watched, [1] the peer */
    uv_poll_t poll;
    uv_timer_t timer;
    gint64 asked; /* monotonic us: when the GLib callback made the change */
    gint64 fired; /* monotonic us: when libuv called back; 0: not yet */
    bool gave_up;
} fixture;

static fixture f;

static void setup(void)
{
    memset(&f, 0, sizeof f);
    f.ctx = g_main_context_new();
    f.loop = ws_loop_new(f.ctx);
    ck_assert_ptr_nonnull(f.loop);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, f.fds), 0);
    ck_assert_int_eq(uv_poll_init(ws_loop_foreign(f.loop), &f.poll, f.fds[0]), 0);
    f.poll.data = &f;
    ck_assert_int_eq(uv_timer_init(ws_loop_foreign(f.loop), &f.timer), 0);
    f.timer.data = &f;
}

static void teardown(void)
{
    struct lws_context *none = NULL;
    ws_loop_free(f.loop, &none); /* closes the poll and the timer */
    close(f.fds[0]);
    close(f.fds[1]);
    g_main_context_unref(f.ctx);
}

static gboolean give_up(gpointer data)
{
    (void)data;
    f.gave_up = true;
    return G_SOURCE_REMOVE;
}

/* Iterates f.ctx until libuv called back or GIVE_UP_MS passed. */
static void run_until_fired(void)
{
    GSource *guard = g_timeout_source_new(GIVE_UP_MS);
    g_source_set_callback(guard, give_up, NULL, NULL);
    g_source_attach(guard, f.ctx);
    while (!f.fired && !f.gave_up)
        g_main_context_iteration(f.ctx, TRUE);
    g_source_destroy(guard);
    g_source_unref(guard);
}

/* Runs fn on f.ctx after ms, as a GLib timer, outside uv_run. */
static void later(int ms, GSourceFunc fn)
{
    GSource *s = g_timeout_source_new((guint)ms);
    g_source_set_callback(s, fn, NULL, NULL);
    g_source_attach(s, f.ctx);
    g_source_unref(s);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    (void)status;
    (void)events;
    if (!f.fired)
        f.fired = g_get_monotonic_time();
    uv_poll_stop(h);
}

static void on_timer(uv_timer_t *t)
{
    (void)t;
    f.fired = g_get_monotonic_time();
}

/* As lws_callback_on_writable() from a GLib timer: libuv takes the
 * descriptor out of its epoll set now and puts it back only in uv_run. */
static gboolean want_writable(gpointer data)
{
    (void)data;
    f.asked = g_get_monotonic_time();
    uv_poll_start(&f.poll, UV_WRITABLE, on_poll);
    return G_SOURCE_REMOVE;
}

START_TEST(writable_asked_outside_uv_run_acts_at_once)
{
    later(50, want_writable);
    run_until_fired();
    ck_assert_msg(f.fired, "the descriptor was never served (waited %d ms)", GIVE_UP_MS);
    ck_assert_int_lt(f.fired - f.asked, PROMPT_US);
}
END_TEST

/* As a client that is read from while it also waits to write (lws turns
 * POLLOUT on for a descriptor it already reads). */
static gboolean add_writable(gpointer data)
{
    (void)data;
    f.asked = g_get_monotonic_time();
    uv_poll_start(&f.poll, UV_READABLE | UV_WRITABLE, on_poll);
    return G_SOURCE_REMOVE;
}

static void on_read_only(uv_poll_t *h, int status, int events)
{
    (void)h;
    (void)status;
    (void)events;
    ck_abort_msg("the quiet descriptor was called readable");
}

START_TEST(writable_added_to_a_read_watch_acts_at_once)
{
    ck_assert_int_eq(uv_poll_start(&f.poll, UV_READABLE, on_read_only), 0);
    for (int i = 0; i < 5; i++)
        g_main_context_iteration(f.ctx, FALSE); /* the read watch is in the epoll set */
    later(50, add_writable);
    run_until_fired();
    ck_assert_msg(f.fired, "the descriptor was never served (waited %d ms)", GIVE_UP_MS);
    ck_assert_int_lt(f.fired - f.asked, PROMPT_US);
}
END_TEST

static gboolean peer_writes(gpointer data)
{
    (void)data;
    f.asked = g_get_monotonic_time();
    ck_assert_int_eq(write(f.fds[1], "x", 1), 1);
    return G_SOURCE_REMOVE;
}

START_TEST(readable_descriptor_wakes_glib)
{
    ck_assert_int_eq(uv_poll_start(&f.poll, UV_READABLE, on_poll), 0);
    later(50, peer_writes);
    run_until_fired();
    ck_assert_msg(f.fired, "the readable descriptor was never served");
    ck_assert_int_lt(f.fired - f.asked, PROMPT_US);
}
END_TEST

static gboolean start_timer(gpointer data)
{
    (void)data;
    f.asked = g_get_monotonic_time();
    uv_timer_start(&f.timer, on_timer, 100, 0);
    return G_SOURCE_REMOVE;
}

START_TEST(timer_started_outside_uv_run_fires_on_time)
{
    later(20, start_timer);
    run_until_fired();
    ck_assert_msg(f.fired, "the timer never fired");
    /* libuv counts from its loop time, taken before GLib waited: early by
     * at most the 20 ms the GLib timer waited for. */
    ck_assert_int_ge(f.fired - f.asked, 75 * 1000);
    ck_assert_int_lt(f.fired - f.asked, 100 * 1000 + PROMPT_US);
}
END_TEST

START_TEST(idle_loop_does_not_spin)
{
    /* Empty: nothing in the loop, nothing to dispatch. */
    ck_assert(!g_main_context_iteration(f.ctx, FALSE));
    /* A quiet read watch: once it is in the epoll set, nothing either. */
    ck_assert_int_eq(uv_poll_start(&f.poll, UV_READABLE, on_read_only), 0);
    ck_assert(g_main_context_iteration(f.ctx, FALSE)); /* applies the change */
    for (int i = 0; i < 3; i++)
        ck_assert(!g_main_context_iteration(f.ctx, FALSE));
}
END_TEST

START_TEST(free_closes_what_is_left)
{
    /* teardown frees the loop with a poll and a timer still active; the
     * sanitized build's leak check and uv_loop_close's result judge it. */
    ck_assert_int_eq(uv_poll_start(&f.poll, UV_READABLE, on_read_only), 0);
    ck_assert_int_eq(uv_timer_start(&f.timer, on_timer, 60000, 0), 0);
    struct lws_context *none = NULL;
    ws_loop_free(NULL, &none);
}
END_TEST

static Suite *ws_loop_suite(void)
{
    Suite *s = suite_create("ws_loop");
    TCase *tc = tcase_create("outside_uv_run");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, writable_asked_outside_uv_run_acts_at_once);
    tcase_add_test(tc, writable_added_to_a_read_watch_acts_at_once);
    tcase_add_test(tc, timer_started_outside_uv_run_fires_on_time);
    suite_add_tcase(s, tc);
    tc = tcase_create("wakeups");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, readable_descriptor_wakes_glib);
    tcase_add_test(tc, idle_loop_does_not_spin);
    tcase_add_test(tc, free_closes_what_is_left);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(ws_loop_suite(), argc, argv);
}
