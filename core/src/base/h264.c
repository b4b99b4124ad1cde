#include "h264.h"
#include "rbsp.h"

#include <stdio.h>
#include <string.h>

/* Index of the next 00 00 01 at or after from, or len. */
static size_t find_start_code(const uint8_t *buf, size_t len, size_t from)
{
    for (size_t i = from; i + 3 <= len; i++)
        if (buf[i] == 0 && buf[i + 1] == 0 && buf[i + 2] == 1)
            return i;
    return len;
}

bool h264_next_nal(const uint8_t *buf, size_t len, size_t *pos, const uint8_t **nal,
                   size_t *nal_len)
{
    for (;;) {
        size_t sc = find_start_code(buf, len, *pos);
        if (sc >= len)
            return false;
        size_t start = sc + 3;
        size_t end = find_start_code(buf, len, start);
        *pos = end;
        /* Zeros before the next start code belong to it (00 00 00 01). */
        while (end > start && buf[end - 1] == 0)
            end--;
        if (end > start) {
            *nal = buf + start;
            *nal_len = end - start;
            return true;
        }
    }
}

size_t h264_after_start_code(const uint8_t *buf, size_t len, size_t pos)
{
    for (; pos + 2 < len; pos++)
        if (buf[pos] == 0 && buf[pos + 1] == 0 && buf[pos + 2] == 1)
            return pos + 3;
    return len;
}

typedef struct au_summary {
    bool sps, pps, idr;
} au_summary;

/* One pass over the NAL headers up to the first slice: parameter sets and
 * SEI come before it, and the slice type says whether it is a keyframe.
 * The slice data itself (nearly all the bytes) is never scanned. */
static au_summary au_summarise(const uint8_t *au, size_t len)
{
    au_summary sum = {false, false, false};
    size_t pos = h264_after_start_code(au, len, 0);
    while (pos < len) {
        int type = au[pos] & 0x1f;
        if (type == H264_NAL_SPS)
            sum.sps = true;
        else if (type == H264_NAL_PPS)
            sum.pps = true;
        if (type >= H264_NAL_SLICE && type <= H264_NAL_IDR) {
            sum.idr = type == H264_NAL_IDR;
            break;
        }
        pos = h264_after_start_code(au, len, pos + 1);
    }
    return sum;
}

bool h264_au_is_keyframe(const uint8_t *au, size_t len)
{
    return au_summarise(au, len).idr;
}

bool h264_au_has_parameter_sets(const uint8_t *au, size_t len)
{
    au_summary sum = au_summarise(au, len);
    return sum.sps && sum.pps;
}

static const uint8_t *find_sps(const uint8_t *au, size_t len, size_t *sps_len)
{
    size_t pos = 0;
    const uint8_t *nal;
    while (h264_next_nal(au, len, &pos, &nal, sps_len))
        if ((nal[0] & 0x1f) == H264_NAL_SPS)
            return nal;
    return NULL;
}

bool h264_codec_string(const uint8_t *au, size_t len, char *out, size_t out_size)
{
    size_t n;
    const uint8_t *sps = find_sps(au, len, &n);
    if (!sps || n < 4 || out_size < 12)
        return false;
    snprintf(out, out_size, "avc1.%02X%02X%02X", sps[1], sps[2], sps[3]);
    return true;
}

static void skip_scaling_list(rbsp_reader *r, int size)
{
    int last = 8, next = 8;
    for (int j = 0; j < size && !r->overrun; j++) {
        if (next != 0) {
            int delta = rbsp_read_se(r);
            if (delta < -128 || delta > 127) {
                r->overrun = true; /* out of the range the standard allows */
                return;
            }
            next = (last + delta + 256) % 256;
        }
        last = next == 0 ? last : next;
    }
}

static bool high_profile(unsigned profile)
{
    static const unsigned ids[] = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (ids[i] == profile)
            return true;
    return false;
}

bool h264_picture_size(const uint8_t *au, size_t len, int *width, int *height)
{
    size_t n;
    const uint8_t *sps = find_sps(au, len, &n);
    if (!sps || n < 4)
        return false;
    rbsp_reader r;
    rbsp_reader_init(&r, sps + 1, n - 1);
    unsigned profile = rbsp_read_bits(&r, 8);
    rbsp_read_bits(&r, 16); /* constraint flags, level */
    rbsp_read_ue(&r);       /* seq_parameter_set_id */
    unsigned chroma = 1;
    if (high_profile(profile)) {
        chroma = rbsp_read_ue(&r);
        if (chroma == 3)
            rbsp_read_bit(&r);
        rbsp_read_ue(&r); /* bit depth luma */
        rbsp_read_ue(&r); /* bit depth chroma */
        rbsp_read_bit(&r);
        if (rbsp_read_bit(&r))
            for (int i = 0; i < (chroma != 3 ? 8 : 12); i++)
                if (rbsp_read_bit(&r))
                    skip_scaling_list(&r, i < 6 ? 16 : 64);
    }
    rbsp_read_ue(&r); /* log2_max_frame_num */
    unsigned poc_type = rbsp_read_ue(&r);
    if (poc_type == 0) {
        rbsp_read_ue(&r);
    } else if (poc_type == 1) {
        rbsp_read_bit(&r);
        rbsp_read_se(&r);
        rbsp_read_se(&r);
        unsigned cycle = rbsp_read_ue(&r);
        for (unsigned i = 0; i < cycle && i < 256 && !r.overrun; i++)
            rbsp_read_se(&r);
    }
    rbsp_read_ue(&r);  /* max_num_ref_frames */
    rbsp_read_bit(&r); /* gaps allowed */
    unsigned mbs_w = rbsp_read_ue(&r) + 1;
    unsigned map_h = rbsp_read_ue(&r) + 1;
    unsigned frame_mbs_only = (unsigned)rbsp_read_bit(&r);
    if (!frame_mbs_only)
        rbsp_read_bit(&r);
    rbsp_read_bit(&r); /* direct_8x8_inference */
    unsigned crop_l = 0, crop_r = 0, crop_t = 0, crop_b = 0;
    if (rbsp_read_bit(&r)) {
        crop_l = rbsp_read_ue(&r);
        crop_r = rbsp_read_ue(&r);
        crop_t = rbsp_read_ue(&r);
        crop_b = rbsp_read_ue(&r);
    }
    if (r.overrun || mbs_w > 1024 || map_h > 1024)
        return false;
    unsigned sub_w = chroma == 1 || chroma == 2 ? 2 : 1;
    unsigned sub_h = (chroma == 1 ? 2 : 1) * (2 - frame_mbs_only);
    /* In 64 bits: hostile offsets must not wrap around to a small sum. */
    long long w = (long long)mbs_w * 16 - ((long long)crop_l + crop_r) * sub_w;
    long long h =
        (long long)map_h * 16 * (2 - frame_mbs_only) - ((long long)crop_t + crop_b) * sub_h;
    if (w <= 0 || h <= 0)
        return false;
    *width = (int)w;
    *height = (int)h;
    return true;
}
