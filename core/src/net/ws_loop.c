#include "ws_loop.h"

#include "close_hold.h"
#include "log.h"

#include <libwebsockets.h>
#include <uv.h>

/* libuv 1.44 is the first whose uv_backend_timeout() is 0 while changes to
 * the epoll set wait for uv_run (libuv pull request 3466). */
#define WS_LOOP_MIN_UV 0x012c00

/* How many passes of the libuv loop shutdown may take before we give up
 * on a handle lws does not close. */
#define WS_LOOP_CLOSE_PASSES 1000

/* The GSource: one descriptor, the libuv loop's epoll set. */
typedef struct uv_source {
    GSource base;
    uv_loop_t *uv;
    gpointer tag; /* of the epoll descriptor */
} uv_source;

struct ws_loop {
    uv_loop_t uv;
    uv_source *source; /* owned */
};

/* Milliseconds until the loop has work without its epoll descriptor
 * becoming readable: 0 for work now, -1 for none. libuv counts as work now
 * what the descriptor cannot show: changes of what a descriptor waits for
 * that are not yet in the epoll set (libuv applies them only inside
 * uv_run, wherever lws made them), callbacks pending, idle handles (lws'
 * pass for buffered TLS and rx flow), handles closing, and timers due. */
static int wait_ms(uv_loop_t *uv)
{
    if (!uv_loop_alive(uv))
        return -1; /* nothing in it: uv_backend_timeout() would say 0 */
    uv_update_time(uv);
    return uv_backend_timeout(uv);
}

static gboolean uv_source_prepare(GSource *base, gint *timeout)
{
    uv_source *s = (uv_source *)base;
    *timeout = wait_ms(s->uv);
    return *timeout == 0;
}

static gboolean uv_source_check(GSource *base)
{
    uv_source *s = (uv_source *)base;
    if (g_source_query_unix_fd(base, s->tag) & G_IO_IN)
        return TRUE;
    return wait_ms(s->uv) == 0;
}

/* Runs what is ready: the timers due, lws' idle pass, the changes to the
 * epoll set, then every ready descriptor (lws_service_fd for each) and the
 * handles closing. Never waits. */
static gboolean uv_source_dispatch(GSource *base, GSourceFunc callback, gpointer data)
{
    (void)callback;
    (void)data;
    uv_source *s = (uv_source *)base;
    uv_run(s->uv, UV_RUN_NOWAIT);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs uv_source_funcs = {
    .prepare = uv_source_prepare,
    .check = uv_source_check,
    .dispatch = uv_source_dispatch,
};

ws_loop *ws_loop_new(GMainContext *context)
{
    if (uv_version() < WS_LOOP_MIN_UV) {
        log_error("libuv %s is too old for the WebSocket event loop: 1.44 or later is needed",
                  uv_version_string());
        return NULL;
    }
    ws_loop *l = g_new0(ws_loop, 1);
    int rc = uv_loop_init(&l->uv);
    if (rc < 0) {
        log_error("cannot make the WebSocket event loop: %s", uv_strerror(rc));
        g_free(l);
        return NULL;
    }
    l->source = (uv_source *)g_source_new(&uv_source_funcs, sizeof(uv_source));
    l->source->uv = &l->uv;
    g_source_set_static_name(&l->source->base, "ws_loop");
    l->source->tag = g_source_add_unix_fd(&l->source->base, uv_backend_fd(&l->uv), G_IO_IN);
    g_source_attach(&l->source->base, context);
    return l;
}

void *ws_loop_foreign(ws_loop *l)
{
    return &l->uv;
}

/* Runs the loop without waiting until nothing is left in it, or for at
 * most WS_LOOP_CLOSE_PASSES passes. */
static void run_until_idle(ws_loop *l)
{
    for (int i = 0; i < WS_LOOP_CLOSE_PASSES && uv_loop_alive(&l->uv); i++)
        uv_run(&l->uv, UV_RUN_NOWAIT);
}

static void close_handle(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

void ws_loop_free(ws_loop *l, struct lws_context **pcontext)
{
    if (!l)
        return;
    /* lws 4.1 closes its event eventfd twice here (close_hold.h): until
     * the second close, no other thread may be given that number. */
    bool holding = close_hold_begin();
    if (*pcontext) {
        /* On a foreign loop, lws closes its handles in the loop and frees
         * the context only when it is destroyed again after that. */
        lws_context_destroy(*pcontext);
        run_until_idle(l);
        if (*pcontext)
            lws_context_destroy(*pcontext);
    }
    uv_walk(&l->uv, close_handle, NULL);
    run_until_idle(l);
    if (holding)
        close_hold_end();
    if (uv_loop_close(&l->uv) < 0)
        log_warn("the WebSocket event loop still had handles at shutdown");
    g_source_destroy(&l->source->base);
    g_source_unref(&l->source->base);
    g_free(l);
}
