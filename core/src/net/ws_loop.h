/* ws_loop.h - libwebsockets on ONE GSource. lws runs its libuv event
 * library on a private libuv loop; GLib polls only that loop's epoll
 * descriptor, through one GSource, and runs the loop without waiting when
 * it is ready or has work that the descriptor cannot show yet. So a GLib
 * iteration costs the same with 5 clients as with 500: no GSource, poll
 * record or eventfd write per connection (docs/event-loop.md). Main loop
 * only. */
#ifndef PANTAU_WS_LOOP_H
#define PANTAU_WS_LOOP_H

#include <glib.h>

struct lws_context;

typedef struct ws_loop ws_loop;

/* Makes the libuv loop and attaches its GSource to context (NULL: the
 * default main context). Returns NULL, logged, when the loop cannot be
 * made or the libuv loaded is older than 1.44 (whose uv_backend_timeout()
 * does not count changes not yet applied to the epoll set). */
ws_loop *ws_loop_new(GMainContext *context);

/* The loop to give lws: info.foreign_loops[0], with
 * LWS_SERVER_OPTION_LIBUV. Borrowed: it lives as long as l. */
void *ws_loop_foreign(ws_loop *l);

/* Destroys the lws context in *pcontext, if any, and then l. *pcontext
 * must be what lws was given as info.pcontext: lws sets it to NULL once the
 * context is gone. Runs the libuv loop (without waiting) until lws has
 * closed every handle; never from inside the loop's own dispatch. l may be
 * NULL. */
void ws_loop_free(ws_loop *l, struct lws_context **pcontext);

#endif
