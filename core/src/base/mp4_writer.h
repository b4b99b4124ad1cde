/* mp4_writer.h - H.264/H.265 access units (Annex B) into an MP4 file
 * through GStreamer (appsrc ! h26xparse ! mp4mux ! filesink), remuxed,
 * never re-encoded: fragmented (a moof+mdat every fragment_ms, so a crash
 * keeps what was written) or, for export, one moov first (faststart).
 * The muxing and the file writes run on GStreamer's streaming thread
 * behind the appsrc's queue: a push never blocks the caller unless the
 * writer is synchronous. */
#ifndef PANTAU_MP4_WRITER_H
#define PANTAU_MP4_WRITER_H

#include "media_frame.h"

#include <gio/gio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mp4_writer mp4_writer;

/* Called on the main loop once the file is complete (error NULL) or has
 * failed (error: why, borrowed), after which the writer is gone. */
typedef void (*mp4_writer_done)(const char *error, void *user);

/* Starts writing path (created or truncated). fragment_ms > 0: fragmented;
 * 0: moov first. sync: pushes wait while the queue is full (until the
 * writer is cancelled) and finish is mp4_writer_finish_sync (any thread);
 * else the writer reports to the thread-default main context, and its
 * pipeline is built and started on a worker thread (frames wait in the
 * batch until then; a failure to build or open shows in
 * mp4_writer_failed). NULL with *error (g_free it). */
mp4_writer *mp4_writer_new(const char *path, bool h265, unsigned fragment_ms, bool sync,
                           char **error);

/* A sync writer stops waiting (a push on a full queue, the finish) once
 * cancel (a new reference; NULL: none) is cancelled: the push or finish
 * fails with "cancelled". */
void mp4_writer_set_cancel(mp4_writer *w, GCancellable *cancel);

/* Queues one access unit (copied) at time_us from the file's start.
 * False when it was not taken: the writer failed (see mp4_writer_failed).
 * An async writer keeps it until mp4_writer_flush (or the finish). */
bool mp4_writer_push(mp4_writer *w, const void *data, size_t len, int64_t time_us, bool key);

/* Queues the access unit of f (a new reference of f, dropped on
 * GStreamer's thread once it is muxed: not copied) at time_us from the
 * file's start, a keyframe when f is. As mp4_writer_push otherwise. */
bool mp4_writer_push_frame(mp4_writer *w, media_frame *f, int64_t time_us);

/* Hands the frames pushed since the last flush to the streaming thread in
 * one go (one wakeup: call it a few times a second, not per frame). */
void mp4_writer_flush(mp4_writer *w);

/* What waits, not yet muxed and written (flushed or not). */
uint64_t mp4_writer_queued_bytes(const mp4_writer *w);
int64_t mp4_writer_queued_ms(const mp4_writer *w);

/* The error that stopped the writer (borrowed), or NULL while it works. */
const char *mp4_writer_failed(mp4_writer *w);

/* Ends the file: done runs on the main loop when it is complete (or
 * failed); the writer frees itself then. Not for a sync writer. */
void mp4_writer_finish(mp4_writer *w, mp4_writer_done done, void *user);

/* Ends the file and waits until it is complete, at most timeout_ms (then
 * stops, the file cut where it was): 0, or -1 with *error (g_free it).
 * Frees w. Also for an async writer, finishing or not (shutdown). */
int mp4_writer_finish_sync(mp4_writer *w, unsigned timeout_ms, char **error);

/* Waits (at most 3 s) until the writers that finished are taken down
 * (and those started are started):
 * their pipelines stop on a thread of their own. For the shutdown. */
void mp4_writer_settle(void);

/* From now on the writers' threads run at the process's own priority, not
 * idle: a shutdown on a saturated CPU must not wait on starved threads. */
void mp4_writer_hurry(void);

/* Stops at once without finishing the file (shutdown of a failed one). */
void mp4_writer_abort(mp4_writer *w);

#endif
