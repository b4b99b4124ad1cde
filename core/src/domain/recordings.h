/* recordings.h - the rolling recording of cameras' main streams (issue 16):
 * each recorded camera has an always-on viewer in the media engine (a
 * session whose sink takes the untouched H.264/H.265 access units), whose
 * frames go into fragmented MP4 segments of a few seconds, each starting at
 * a keyframe, in <dir>/<source id>/. The index of the segments, retention
 * (by time per camera and by a byte budget for the whole folder, oldest
 * first), and a reader that gives the access units back as Annex B.
 *
 * Files: <dir>/<id>/<start_ms>-<end_ms>.mp4 once closed (wall-clock unix
 * ms of the first frame and of the end of the last one); the segment being
 * written is <dir>/<id>/<start_ms>.part.mp4. After a crash (kill -9, full
 * disk) a .part file keeps the fragments written before it (fragments of
 * RECORDINGS_FRAGMENT_MS); on start it is renamed after what is readable
 * of it, or deleted when nothing is (see docs/replay.md).
 *
 * Threads: everything is for the main loop except the reader and
 * recordings_segments / recordings_span, which may be called from any
 * thread (the index has its own lock). Writes happen on GStreamer's
 * streaming threads behind a bounded queue; deletions on a disk_writer. */
#ifndef PANTAU_RECORDINGS_H
#define PANTAU_RECORDINGS_H

#include "bus.h"
#include "media.h"
#include "pantau_error.h"
#include "source.h"

#include <gio/gio.h>
#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct recordings recordings;
typedef struct rec_reader rec_reader;
typedef struct rec_gate rec_gate;
struct disk_writer;

/* A segment is closed at the first keyframe after this long. */
#define RECORDINGS_SEGMENT_MS 4000
/* mp4mux writes a fragment (moof+mdat) this often: the most a crash
 * loses of the segment being written, and how soon a reader sees frames. */
#define RECORDINGS_FRAGMENT_MS 500

/* What recordings_new needs. */
typedef struct recordings_deps {
    /* server.recording (borrowed, may be NULL: record nothing unless a
     * camera's own "recording" says so): {"enabled", "path",
     * "retention_minutes" | "retention_days", "budget_mb"}. Checked by
     * recordings_check_config. */
    const json_t *section;
    const char *config_dir;     /* a relative "path" is taken from here */
    const char *state_dir;      /* default folder: <state_dir>/recordings */
    source_registry *sources;   /* borrowed, outlives it; a camera's settings.recording */
    media_engine *media;        /* borrowed, outlives it; NULL: nothing is recorded */
    event_bus *bus;             /* borrowed; NULL: status told to nobody */
    struct disk_writer *writer; /* borrowed; deletions (NULL: at once) */
} recordings_deps;

/* Reports one refusal of recordings_check_config: the JSON path
 * ("server.recording.budget_mb") and the message (both borrowed). */
typedef void (*recordings_report)(const char *json_path, const char *message, void *user);

/* Checks server.recording (section, borrowed, may be NULL) at path `at`, and
 * a camera's "recording" object (camera, borrowed, may be NULL) at `at`:
 * reports each bad field; returns how many. */
int recordings_check_config(const json_t *section, const char *at, recordings_report report,
                            void *user);
int recordings_check_camera(const json_t *camera, const char *at, recordings_report report,
                            void *user);

/* Opens the recordings folder, rebuilds the index from its files (closing
 * what a crash left), and starts recording every camera that is to be
 * recorded (recordings_sync). Returns NULL (logged) only when the folder
 * cannot be made and recording is on. */
recordings *recordings_new(const recordings_deps *deps);

/* Stops every recording (closing its segment) and frees r. NULL is ignored.
 * Call before the media engine is freed. */
void recordings_free(recordings *r);

/* Starts and stops the cameras' recorders after the sources changed (a
 * camera added, removed or recreated). Main loop. */
void recordings_sync(recordings *r);

/* One segment of the index (a copy). */
typedef struct rec_segment {
    int64_t start_ms; /* wall clock, unix ms, of its first frame (a keyframe) */
    int64_t end_ms;   /* of the end of its last frame; for the one being written: so far */
    uint64_t bytes;
    char *path;
    bool open; /* the one being written */
} rec_segment;

/* The segments of source_id overlapping [from_ms, to_ms], oldest first:
 * rec_segment * copies (the array frees them). Never NULL. Any thread. */
GPtrArray *recordings_segments(recordings *r, const char *source_id, int64_t from_ms,
                               int64_t to_ms);

/* Sets the oldest and newest time kept of source_id; false (nothing set)
 * when nothing is kept. Any thread. */
bool recordings_span(recordings *r, const char *source_id, int64_t *oldest_ms, int64_t *newest_ms);

/* The statistics in the Prometheus text format. g_free the result. */
char *recordings_metrics_text(recordings *r);

/* The recording of one camera as its "stats" show it (new reference), or
 * NULL when it is not recorded: {"state": "on"|"behind"|"error", "reason"
 * (absent when on), "oldest_ms", "newest_ms", "write_lag_ms", "dropped"}.
 * Main loop. */
json_t *recordings_camera_status(recordings *r, const char *source_id);

/* ---- the reader ----
 * Blocking file reads (a few hundred KB per call at most): use it from one
 * thread at a time, any thread. It may outlive r: once r is freed it gives
 * what its open segment's file holds, then -1. */

/* Opens the recording of source_id at at_ms: the first frame next() gives
 * is the keyframe at or before at_ms (or the oldest kept when at_ms is
 * older). NULL with err set (ERR_NOT_FOUND: nothing kept there). */
rec_reader *rec_reader_open(recordings *r, const char *source_id, int64_t at_ms, pantau_error *err);

/* The next access unit, as Annex B, with the parameter sets before each
 * keyframe (the bytes live video carries): *out (g_free it), *len,
 * *time_us (wall clock, unix us), *flags (enum media_frame_flags:
 * KEYFRAME, CONFIG, H265). Returns 1 for a frame, 0 when it has reached
 * the newest frame written so far (call again later: it looks for new
 * fragments of the open segment and for new segments each time), -1 on
 * error (a segment deleted by retention under it: open again). */
int rec_reader_next(rec_reader *rd, uint8_t **out, size_t *len, int64_t *time_us, unsigned *flags);

void rec_reader_free(rec_reader *rd);

/* ---- export ---- */

/* What a thread of its own (an export's) keeps of r instead of r: it may
 * outlive r (a stop does not wait for a slow disk); once r is freed, reads
 * through it fail ("the recordings are closed") and never reach freed
 * memory. A new reference (rec_gate_unref, any thread). Main loop. */
rec_gate *recordings_gate(recordings *r);
void rec_gate_unref(rec_gate *g);

/* Writes source_id's frames from the keyframe at or before from_ms up to
 * to_ms, read through gate (borrowed), into one MP4 file at path (remuxed,
 * not re-encoded; moov first). Blocks (run it off the main loop) until done
 * or cancel (borrowed, may be NULL) is cancelled. Returns 0, or -1 with err
 * set. */
int recordings_export(rec_gate *gate, const char *source_id, int64_t from_ms, int64_t to_ms,
                      const char *path, GCancellable *cancel, pantau_error *err);

#endif
