/* fuzz_fmp4.c - the reader of recorded segments (core/src/base/fmp4.c) on
 * any file, as a crash, a full disk or a damaged disk may leave one: the
 * input is written in two parts, the reader opened on the first and read
 * as far as it goes, then the rest appended and read on (the live edge of
 * a segment being written); every sample is turned back into an access
 * unit. */
#include "fmp4.h"
#include "fuzz_util.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads rd until it has nothing more now (at most 10000 samples). */
static void read_on(fmp4_reader *rd, GByteArray *au)
{
    fmp4_sample s;
    for (int n = 0; n < 10000 && fmp4_next(rd, &s) == 1; n++) {
        bool key, config;
        if (fmp4_read_au(rd, &s, au, &key, &config) && au->len == 0 && (key || config))
            abort(); /* a keyframe or parameter set with no bytes */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = fuzz_scratch_dir();
    size_t first = size / 2 + (size ? data[0] % (size / 2 + 1) : 0);
    if (first > size)
        first = size;
    char *path = fuzz_write_file(dir, "segment.mp4", data, first);
    char *error = NULL;
    fmp4_reader *rd = fmp4_open(path, &error);
    GByteArray *au = g_byte_array_new();
    if (rd) {
        read_on(rd, au);
        FILE *f = fopen(path, "ab");
        if (!f || fwrite(data + first, 1, size - first, f) != size - first || fclose(f))
            abort();
        fmp4_is_h265(rd);
        read_on(rd, au);
        fmp4_close(rd);
    }
    g_free(error);
    g_byte_array_free(au, TRUE);
    g_free(path);
    return 0;
}
