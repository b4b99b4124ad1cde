/* media_gate.h - the rule that decides, per client, which video frames go
 * into its queue: a client that falls behind loses frames of a stream up to
 * that stream's next keyframe, and only for itself. */
#ifndef PANTAU_MEDIA_GATE_H
#define PANTAU_MEDIA_GATE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct media_gate {
    GHashTable *waiting; /* stream id -> 1: dropping until a keyframe */
    uint64_t dropped;    /* frames dropped so far */
} media_gate;

void media_gate_init(media_gate *g);
void media_gate_clear(media_gate *g);

/* Whether a frame of `stream` (keyframe or not, frame_len bytes) may join a
 * client queue that holds queued_bytes of video, with room for max_bytes.
 * A refused frame puts the stream into "wait for a keyframe"; a keyframe
 * that fits ends the wait. */
bool media_gate_admit(media_gate *g, uint32_t stream, bool keyframe, size_t frame_len,
                      size_t queued_bytes, size_t max_bytes);

/* Whether media_gate_admit drops this frame whatever room there is: a delta
 * frame while its stream waits for a keyframe. */
bool media_gate_skips(const media_gate *g, uint32_t stream, bool keyframe);

/* Drops the stream's frames until its next keyframe (a new viewer that
 * joins between keyframes). */
void media_gate_wait_for_keyframe(media_gate *g, uint32_t stream);

/* Forgets the stream (the client stopped watching it). */
void media_gate_forget(media_gate *g, uint32_t stream);

#endif
