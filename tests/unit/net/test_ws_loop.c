/* test_ws_loop.c - libwebsockets' libuv loop under one GSource (ws_loop.h):
 * what a descriptor waits for, changed from a GLib callback outside uv_run
 * with no other traffic, takes effect at once; timers and readable
 * descriptors wake GLib; an idle loop does not spin; freeing closes what is
 * left, and destroying an lws context on it never closes a descriptor that
 * another thread opened meanwhile. */
#include "test_util.h"
#include "ws_loop.h"

#include <glib.h>
#include <libwebsockets.h>
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
    gint64 due;   /* monotonic us: when the timer is due by libuv's loop time */
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
    f.due = (gint64)(uv_now(f.timer.loop) + 100) * 1000;
    uv_timer_start(&f.timer, on_timer, 100, 0);
    return G_SOURCE_REMOVE;
}

START_TEST(timer_started_outside_uv_run_fires_on_time)
{
    later(20, start_timer);
    run_until_fired();
    ck_assert_msg(f.fired, "the timer never fired");
    /* libuv counts from its loop time, taken before GLib waited (20 ms,
     * more on a busy machine): never before that time plus 100 ms (both
     * clocks are CLOCK_MONOTONIC; libuv's is in whole milliseconds). */
    ck_assert_int_ge(f.fired, f.due - 1000);
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

/* ---- destroying the lws context (docs/event-loop.md, "Shutdown") ---- */

/* Another thread opens socket pairs, as GStreamer does for each pipeline's
 * bus, when the test asks: from inside the context's destroy, at each
 * connection lws frees (LWS_CALLBACK_WSI_DESTROY). lws 4.1 has closed its
 * event eventfd by then and closes that number again at the end of the
 * destroy: without close_hold.h the thread's pair gets it (the lowest free
 * number) and loses a descriptor to lws, as a pipeline's bus did in a stop
 * of the server ("failed to wake event: Broken pipe", then a hang). */
static struct {
    GMutex lock;
    GCond cond;
    bool destroying;
    int asked, made;
    bool quit;
    GArray *pairs; /* int: the other thread's descriptors, kept open */
} other;

static gpointer open_when_asked(gpointer data)
{
    (void)data;
    g_mutex_lock(&other.lock);
    while (!other.quit) {
        if (other.made < other.asked) {
            int sv[2];
            if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0)
                g_array_append_vals(other.pairs, sv, 2);
            other.made++;
            g_cond_broadcast(&other.cond);
        } else {
            g_cond_wait(&other.cond, &other.lock);
        }
    }
    g_mutex_unlock(&other.lock);
    return NULL;
}

/* Main thread: has the other thread open a pair, and waits until it has. */
static void other_opens(void)
{
    g_mutex_lock(&other.lock);
    int want = ++other.asked;
    g_cond_broadcast(&other.cond);
    while (other.made < want)
        g_cond_wait(&other.cond, &other.lock);
    g_mutex_unlock(&other.lock);
}

static int on_lws(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                  size_t len)
{
    if (reason == LWS_CALLBACK_WSI_DESTROY && other.destroying)
        other_opens();
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols test_protocols[] = {
    {"http", on_lws, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* An lws context listening on loopback, on loop, made as ws_server_start
 * makes it. */
static struct lws_context *lws_on(ws_loop *loop, struct lws_context **pcontext)
{
    void *foreign_loops[1] = {ws_loop_foreign(loop)};
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.iface = "127.0.0.1";
    info.protocols = test_protocols;
    info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_DISABLE_IPV6;
    info.foreign_loops = foreign_loops;
    info.pcontext = pcontext;
    *pcontext = lws_create_context(&info);
    return *pcontext;
}

/* How many calls on the other thread's descriptors fail: none while they
 * are all its own. */
static int others_lost(void)
{
    int lost = 0;
    for (guint i = 0; i < other.pairs->len; i += 2) {
        int *sv = &g_array_index(other.pairs, int, i);
        /* Its peer closed, a socket says EPIPE; closed itself, EBADF. */
        if (send(sv[1], "W", 1, MSG_NOSIGNAL) != 1)
            lost++;
        lost += (close(sv[0]) < 0) + (close(sv[1]) < 0);
    }
    return lost;
}

START_TEST(destroy_closes_only_its_own_descriptors)
{
    lws_set_log_level(LLL_ERR, NULL);
    other.pairs = g_array_new(FALSE, FALSE, sizeof(int));
    GThread *thread = g_thread_new("other", open_when_asked, NULL);
    GMainContext *ctx = g_main_context_new();
    ws_loop *loop = ws_loop_new(ctx);
    struct lws_context *context = NULL;
    ck_assert_ptr_nonnull(lws_on(loop, &context));
    for (int k = 0; k < 5; k++)
        g_main_context_iteration(ctx, FALSE);
    other.destroying = true;
    ws_loop_free(loop, &context);
    other.destroying = false;
    ck_assert_ptr_null(context);
    ck_assert_msg(other.made > 0, "lws freed no connection: nothing was opened meanwhile");
    g_mutex_lock(&other.lock);
    other.quit = true;
    g_cond_broadcast(&other.cond);
    g_mutex_unlock(&other.lock);
    g_thread_join(thread);
    int lost = others_lost();
    ck_assert_msg(lost == 0,
                  "the destroy closed descriptors another thread opened (%d of %u calls failed)",
                  lost, other.pairs->len * 3 / 2);
    g_array_free(other.pairs, TRUE);
    g_main_context_unref(ctx);
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
    tc = tcase_create("context_destroy");
    tcase_add_test(tc, destroy_closes_only_its_own_descriptors);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(ws_loop_suite(), argc, argv);
}
