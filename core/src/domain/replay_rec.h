/* replay_rec.h - replay's reader over the recordings (recordings.h). */
#ifndef PANTAU_REPLAY_REC_H
#define PANTAU_REPLAY_REC_H

#include "recordings.h"
#include "replay.h"

/* Gaps shorter than this between kept segments are not listed. */
#define REPLAY_GAP_MIN_MS 2000
/* recording.span lists at most this many gaps (the newest). */
#define REPLAY_GAPS_MAX 100

/* The reader functions of replay_deps over r (borrowed, outlives the
 * replay center; NULL: nothing is kept of any camera). */
replay_reader_fns replay_rec_reader(recordings *r);

#endif
