/* fuzz_h265.c - the H.265 access-unit helpers and SPS parser
 * (core/src/base/h265.c) on any bytes, as an access unit from a camera
 * reaches them. */
#include "h265.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy, so reading past the end is caught even when the
     * fuzzer's buffer happens to be longer. */
    uint8_t *au = malloc(size ? size : 1);
    for (size_t i = 0; i < size; i++)
        au[i] = data[i];
    h265_nal_header h;
    if (h265_nal_header_parse(au, size, &h) && (h.type > 63 || h.layer_id > 63 || h.tid > 6))
        abort();
    h265_au_is_keyframe(au, size);
    h265_au_has_parameter_sets(au, size);
    char codec[H265_CODEC_STRING_MAX];
    if (h265_codec_string(au, size, codec, sizeof codec) &&
        (strlen(codec) >= sizeof codec || strncmp(codec, "hvc1.", 5)))
        abort();
    /* The bytes as one SPS NAL unit (an SDP's sprop-sps), into a buffer
     * that is sometimes too small. */
    char small[12];
    h265_sps_codec_string(au, size, small, size % 2 ? sizeof small : 1);
    h265_sps_codec_string(au, size, codec, sizeof codec);
    int width = 0, height = 0;
    if (h265_picture_size(au, size, &width, &height) &&
        (width <= 0 || height <= 0 || width > 16384 || height > 16384))
        abort();
    free(au);
    return 0;
}
