/* close_hold.h - a stretch of code in which the calling thread's close()
 * keeps the descriptor's number taken until the stretch ends.
 *
 * For a library that closes the same number twice: libwebsockets 4.1's
 * context destroy with its libuv event library closes its event eventfd in
 * lws_destroy_event_pipe() and again in the libuv close callback of that
 * descriptor's handle (docs/event-loop.md, "Shutdown"). Between the two, any
 * other thread that opens a descriptor (a GStreamer bus's socket pair, a
 * recording's file) gets that number, lowest free, and the second close()
 * closes it behind its owner's back. Held, the number is never free until
 * every close of the stretch is over.
 *
 * This file defines close() itself, in front of libc's (and of a preloaded
 * tool's): outside a stretch, and in every other thread, it is the same
 * close(). */
#ifndef PANTAU_CLOSE_HOLD_H
#define PANTAU_CLOSE_HOLD_H

#include <stdbool.h>

/* From here until close_hold_end(), a close(fd) by the calling thread puts
 * /dev/null in fd's place (dup3: the number is never free) instead of
 * freeing the number; a close of a number held already does nothing.
 * False (nothing held: close() closes as usual) when /dev/null cannot be
 * opened or a stretch is open already in this thread. */
bool close_hold_begin(void);

/* Ends the stretch: every number held is closed, once. */
void close_hold_end(void);

#endif
