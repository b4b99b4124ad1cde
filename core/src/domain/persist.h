/* persist.h - the durable writes of changes, off the main loop
 * (disk_writer.h): a change's audit line first, then its state files, in
 * order with every other write, and a completion back on the main loop
 * that keeps the change or takes it back. A write fence counts the writes
 * made while one request is handled, so that its reply waits for them and
 * fails when one of them failed. Main loop only. */
#ifndef PANTAU_PERSIST_H
#define PANTAU_PERSIST_H

#include "audit.h"
#include "disk_writer.h"
#include "pantau_error.h"
#include "state_store.h"

#include <glib.h>
#include <stdbool.h>

typedef struct persister persister;

/* The writes of one request being handled: while it is set
 * (persist_fence_set), each write submitted counts on it, and the first
 * that fails sets failed and err. */
typedef struct write_fence {
    unsigned writes;
    bool failed;
    pantau_error err;
} write_fence;

/* What a completion does once a change's writes are on disk (ok) or not
 * (then it takes the change back). undo is the change's own data. */
typedef void (*persist_finish_fn)(void *undo, bool ok);

/* A persister writing through writer (borrowed, may be NULL: every write
 * runs at once, as in unit tests). */
persister *persister_new(disk_writer *writer);
/* Frees p (NULL is fine); its writes must have completed (the writer
 * flushed). */
void persister_free(persister *p);

/* Makes fence (borrowed, may be NULL) the one the next writes count on.
 * Returns the one set before, to be set back when the request is done. */
write_fence *persist_fence_set(persister *p, write_fence *fence);

/* The fence the writes count on now (borrowed), or NULL. */
const write_fence *persist_fence_get(const persister *p);

/* Calls done(data) on the main loop once every write counted on fence has
 * completed: at once when none was. */
void persist_fence_wait(persister *p, const write_fence *fence, void (*done)(void *data),
                        void *data);

/* Hands a change's audit line and files (both stolen, either may be NULL)
 * to the writer: the line first, so no state reaches disk unaudited; a
 * file that then fails gets its rolled_back line. what (a literal) names
 * the files in the error ("the wall state"). finish (may be NULL) then
 * runs with undo, which free_undo (may be NULL) frees. */
void persist_change(persister *p, audit_line *line, state_batch *files, const char *what,
                    persist_finish_fn finish, GDestroyNotify free_undo, void *undo);

/* A change's write to a cluster's shared store (kv_store.h), run on the
 * writer thread with undo (which holds copies of all it writes): 0, or -1
 * with err (ERR_CONFLICT, ERR_UNAVAILABLE). */
typedef int (*persist_remote_fn)(void *undo, pantau_error *err);

/* persist_change for a change kept in a shared store: its audit line
 * (stolen, may be NULL) first, then remote(undo), in order with every
 * other write. A remote that fails gets the line's rolled_back, and fails
 * the fenced request with its own error. finish (may be NULL) then runs
 * on the main loop; free_undo (may be NULL) frees undo. */
void persist_remote(persister *p, audit_line *line, persist_remote_fn remote,
                    persist_finish_fn finish, GDestroyNotify free_undo, void *undo);

/* Hands files (stolen) that need no audit line to the writer, in order
 * with every other write. A failure is logged (and fails the fenced
 * request). */
void persist_files(persister *p, state_batch *files);

#endif
