#include "h265.h"
#include "h264.h"
#include "rbsp.h"

#include <stdio.h>

/* Largest picture side accepted from an SPS (level 6.2 allows 8192x4320;
 * the spec's bound is far larger, no decoder takes it). */
#define SIDE_MAX 16384

bool h265_nal_header_parse(const uint8_t *nal, size_t len, h265_nal_header *h)
{
    if (len < 2 || (nal[0] & 0x80) || (nal[1] & 0x07) == 0)
        return false;
    h->type = (nal[0] >> 1) & 0x3fu;
    h->layer_id = (unsigned)(nal[0] & 1) << 5 | nal[1] >> 3;
    h->tid = (nal[1] & 0x07u) - 1;
    return true;
}

bool h265_type_is_vcl(unsigned type)
{
    return type <= 31;
}

bool h265_type_is_irap(unsigned type)
{
    return type >= H265_NAL_BLA_W_LP && type <= H265_NAL_IRAP_LAST;
}

bool h265_type_is_parameter_set(unsigned type)
{
    return type >= H265_NAL_VPS && type <= H265_NAL_PPS;
}

typedef struct au_summary {
    bool vps, sps, pps, irap;
} au_summary;

/* One pass over the NAL headers up to the first slice, as h264.c does: the
 * slice data (nearly all the bytes) is never scanned. */
static au_summary au_summarise(const uint8_t *au, size_t len)
{
    au_summary sum = {false, false, false, false};
    size_t pos = h264_after_start_code(au, len, 0);
    while (pos < len) {
        unsigned type = (au[pos] >> 1) & 0x3fu;
        sum.vps |= type == H265_NAL_VPS;
        sum.sps |= type == H265_NAL_SPS;
        sum.pps |= type == H265_NAL_PPS;
        if (h265_type_is_vcl(type)) {
            sum.irap = h265_type_is_irap(type);
            break;
        }
        pos = h264_after_start_code(au, len, pos + 1);
    }
    return sum;
}

bool h265_au_is_keyframe(const uint8_t *au, size_t len)
{
    return au_summarise(au, len).irap;
}

bool h265_au_has_parameter_sets(const uint8_t *au, size_t len)
{
    au_summary sum = au_summarise(au, len);
    return sum.vps && sum.sps && sum.pps;
}

static const uint8_t *find_sps(const uint8_t *au, size_t len, size_t *sps_len)
{
    size_t pos = 0;
    const uint8_t *nal;
    h265_nal_header h;
    while (h264_next_nal(au, len, &pos, &nal, sps_len))
        if (h265_nal_header_parse(nal, *sps_len, &h) && h.type == H265_NAL_SPS)
            return nal;
    return NULL;
}

/* The general part of profile_tier_level(): what the codec string says. */
typedef struct ptl {
    unsigned space, tier, idc, level;
    uint32_t compat;
    uint8_t constraint[6];
} ptl;

/* Starts r after the SPS's NAL header and reads up to and with the general
 * profile_tier_level; *sub_layers gets sps_max_sub_layers_minus1. Returns
 * false when sps is not an SPS or is cut short. */
static bool read_sps_ptl(rbsp_reader *r, const uint8_t *sps, size_t n, ptl *p, unsigned *sub_layers)
{
    h265_nal_header h;
    if (!h265_nal_header_parse(sps, n, &h) || h.type != H265_NAL_SPS)
        return false;
    rbsp_reader_init(r, sps + 2, n - 2);
    rbsp_read_bits(r, 4); /* sps_video_parameter_set_id */
    *sub_layers = rbsp_read_bits(r, 3);
    rbsp_read_bit(r); /* sps_temporal_id_nesting_flag */
    p->space = rbsp_read_bits(r, 2);
    p->tier = rbsp_read_bits(r, 1);
    p->idc = rbsp_read_bits(r, 5);
    p->compat = rbsp_read_bits(r, 32);
    for (int i = 0; i < 6; i++)
        p->constraint[i] = (uint8_t)rbsp_read_bits(r, 8);
    p->level = rbsp_read_bits(r, 8);
    return !r->overrun && *sub_layers < 7;
}

static uint32_t reverse_bits(uint32_t v)
{
    uint32_t out = 0;
    for (int i = 0; i < 32; i++, v >>= 1)
        out = out << 1 | (v & 1);
    return out;
}

bool h265_sps_codec_string(const uint8_t *sps, size_t n, char *out, size_t out_size)
{
    rbsp_reader r;
    ptl p;
    unsigned sub_layers;
    if (!read_sps_ptl(&r, sps, n, &p, &sub_layers))
        return false;
    static const char *const spaces[] = {"", "A", "B", "C"};
    int used = snprintf(out, out_size, "hvc1.%s%u.%X.%c%u", spaces[p.space], p.idc,
                        reverse_bits(p.compat), p.tier ? 'H' : 'L', p.level);
    int bytes = 6;
    while (bytes > 0 && p.constraint[bytes - 1] == 0)
        bytes--;
    for (int i = 0; i < bytes && used >= 0 && (size_t)used < out_size; i++)
        used += snprintf(out + used, out_size - (size_t)used, ".%X", p.constraint[i]);
    return used >= 0 && (size_t)used < out_size;
}

bool h265_codec_string(const uint8_t *au, size_t len, char *out, size_t out_size)
{
    size_t n;
    const uint8_t *sps = find_sps(au, len, &n);
    return sps && h265_sps_codec_string(sps, n, out, out_size);
}

/* Skips the sub-layer part of profile_tier_level() (7.3.3). */
static void skip_sub_layers(rbsp_reader *r, unsigned sub_layers)
{
    bool profile[8], level[8];
    for (unsigned i = 0; i < sub_layers; i++) {
        profile[i] = rbsp_read_bit(r);
        level[i] = rbsp_read_bit(r);
    }
    if (sub_layers > 0)
        for (unsigned i = sub_layers; i < 8; i++)
            rbsp_read_bits(r, 2); /* reserved_zero_2bits */
    for (unsigned i = 0; i < sub_layers; i++) {
        if (profile[i]) {
            /* 88 bits: space, tier and idc, 32 compatibility flags and 48
             * bits of constraint flags. */
            rbsp_read_bits(r, 32);
            rbsp_read_bits(r, 32);
            rbsp_read_bits(r, 24);
        }
        if (level[i])
            rbsp_read_bits(r, 8);
    }
}

bool h265_picture_size(const uint8_t *au, size_t len, int *width, int *height)
{
    size_t n;
    const uint8_t *sps = find_sps(au, len, &n);
    rbsp_reader r;
    ptl p;
    unsigned sub_layers;
    if (!sps || !read_sps_ptl(&r, sps, n, &p, &sub_layers))
        return false;
    skip_sub_layers(&r, sub_layers);
    rbsp_read_ue(&r); /* sps_seq_parameter_set_id */
    unsigned chroma = rbsp_read_ue(&r);
    bool separate_planes = chroma == 3 && rbsp_read_bit(&r);
    unsigned w = rbsp_read_ue(&r), h = rbsp_read_ue(&r);
    unsigned left = 0, right = 0, top = 0, bottom = 0;
    if (rbsp_read_bit(&r)) { /* conformance_window_flag */
        left = rbsp_read_ue(&r);
        right = rbsp_read_ue(&r);
        top = rbsp_read_ue(&r);
        bottom = rbsp_read_ue(&r);
    }
    if (r.overrun || chroma > 3 || w == 0 || h == 0 || w > SIDE_MAX || h > SIDE_MAX)
        return false;
    /* SubWidthC and SubHeightC (Table 6-1); ChromaArrayType 0 with
     * separate planes. */
    unsigned sub_w = !separate_planes && (chroma == 1 || chroma == 2) ? 2 : 1;
    unsigned sub_h = !separate_planes && chroma == 1 ? 2 : 1;
    /* In 64 bits: hostile offsets must not wrap around to a small sum. */
    long long cw = (long long)w - ((long long)left + right) * sub_w;
    long long ch = (long long)h - ((long long)top + bottom) * sub_h;
    if (cw <= 0 || ch <= 0)
        return false;
    *width = (int)cw;
    *height = (int)ch;
    return true;
}
