/* transcode.h - one H.265 to H.264 conversion with GStreamer (decode, then
 * x264 as the cctv plugin's transcode does), for the clients that cannot
 * decode an H.265 camera and have no H.264 substream to take (issue 15).
 * It takes the access units the server already has: no new camera session. */
#ifndef PANTAU_TRANSCODE_H
#define PANTAU_TRANSCODE_H

#include <stddef.h>
#include <stdint.h>

typedef struct transcoder transcoder;

/* Called on a GStreamer streaming thread with each H.264 access unit
 * (Annex B, SPS and PPS before every IDR; borrowed for the call). */
typedef void (*transcoder_au_fn)(const uint8_t *au, size_t len, int64_t pts_us, void *user);

/* Starts a conversion handing its output to fn with user. Returns NULL and
 * sets *error (g_malloc'd) when GStreamer cannot build or start it. */
transcoder *transcoder_new(transcoder_au_fn fn, void *user, char **error);

/* Feeds one H.265 access unit (Annex B; copied). The first should be an
 * IRAP picture with its parameter sets. Drops units while more than a few
 * seconds of input wait (a machine too slow for the conversion). */
void transcoder_push(transcoder *t, const uint8_t *au, size_t len, int64_t pts_us);

/* Stops the conversion; no call of fn is running or comes after it
 * returns. NULL is ignored. */
void transcoder_free(transcoder *t);

#endif
