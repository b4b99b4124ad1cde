/* snapshot.h - a still picture of a camera: decodes the frames since the
 * last keyframe (off the main loop) and encodes the last one as JPEG. */
#ifndef PANTAU_SNAPSHOT_H
#define PANTAU_SNAPSHOT_H

#include <glib.h>

/* Called on the main loop with the JPEG (borrowed; ref to keep) or NULL
 * when the frames could not be decoded. */
typedef void (*snapshot_done_fn)(GBytes *jpeg, void *user);

/* Decodes gop (H.264 or H.265 Annex B, starting with a keyframe; borrowed, ref'd
 * for the work) on a worker thread and calls done on the main loop. */
void snapshot_jpeg_async(GBytes *gop, snapshot_done_fn done, void *user);

/* The same, blocking (for the worker and for tests). Returns the JPEG or
 * NULL. */
GBytes *snapshot_jpeg(GBytes *gop);

#endif
