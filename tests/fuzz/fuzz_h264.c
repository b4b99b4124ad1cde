/* fuzz_h264.c - the H.264 access-unit walker and SPS parser (core/src/h264.c)
 * on any bytes, as an access unit from a camera reaches them. */
#include "h264.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy, so reading past the end is caught even when the
     * fuzzer's buffer happens to be longer. */
    uint8_t *au = malloc(size ? size : 1);
    for (size_t i = 0; i < size; i++)
        au[i] = data[i];
    size_t pos = 0, nal_len;
    const uint8_t *nal;
    while (h264_next_nal(au, size, &pos, &nal, &nal_len))
        if (nal < au || nal + nal_len > au + size)
            abort();
    h264_au_is_keyframe(au, size);
    h264_au_has_parameter_sets(au, size);
    char codec[16];
    if (h264_codec_string(au, size, codec, sizeof codec) && codec[sizeof codec - 1] != '\0')
        abort();
    int width = 0, height = 0;
    if (h264_picture_size(au, size, &width, &height) && (width <= 0 || height <= 0))
        abort();
    free(au);
    return 0;
}
