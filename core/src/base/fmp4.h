/* fmp4.h - a reader of fragmented MP4 files as GStreamer's mp4mux writes
 * them (ftyp, moov with one video track, then moof+mdat pairs): it walks
 * the samples of every fragment that is complete on disk, so that a file
 * still being written, or cut short by a crash, gives what is readable of
 * it, and it turns each sample back into an Annex B access unit with the
 * parameter sets (avcC / hvcC) in front of each keyframe. */
#ifndef PANTAU_FMP4_H
#define PANTAU_FMP4_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct fmp4_reader fmp4_reader;

/* One sample of a fragment. */
typedef struct fmp4_sample {
    uint64_t offset; /* in the file */
    uint32_t size;
    int64_t time_us; /* presentation time from the file's first sample */
    int64_t duration_us;
} fmp4_sample;

/* Opens path and reads its header (ftyp, moov). NULL with *error (g_free
 * it) when the file cannot be read or its header is not complete (yet). */
fmp4_reader *fmp4_open(const char *path, char **error);

/* Whether the track is H.265 (hvc1/hev1), else H.264. */
bool fmp4_is_h265(const fmp4_reader *rd);

/* The next sample: 1, or 0 when no further complete fragment is on disk
 * now (call again later: the file may grow), -1 when the file is broken. */
int fmp4_next(fmp4_reader *rd, fmp4_sample *out);

/* Reads sample s as Annex B into out (replacing its contents), with the
 * parameter sets in front when it is a keyframe that has none. Sets *key
 * and *config. Returns false when it cannot be read. */
bool fmp4_read_au(fmp4_reader *rd, const fmp4_sample *s, GByteArray *out, bool *key, bool *config);

void fmp4_close(fmp4_reader *rd);

#endif
