/* rtp_h265_depay.c - the H.265 side of the RTP depacketiser (RFC 7798):
 * single NAL unit packets, aggregation packets (AP, type 48) and
 * fragmentation units (FU, type 49), without decoding order numbers (the
 * client refuses a stream whose SDP asks for them: sprop-max-don-diff or
 * sprop-depack-buf-nalus above 0). The rest is rtp_depay.c's. Keyframes are
 * IRAP access units (BLA, IDR, CRA: types 16-23); VPS, SPS and PPS go in
 * front of every one. */
#include "rtp_depay.h"

enum {
    NAL_IRAP_FIRST = 16,
    NAL_IRAP_LAST = 23,
    NAL_VCL_LAST = 31,
    NAL_VPS = 32,
    NAL_SPS = 33,
    NAL_PPS = 34,
    NAL_AUD = 35,
    NAL_AP = 48,
    NAL_FU = 49,
};

/* nal_unit_type of the two-byte NAL unit (or payload) header at p. */
static unsigned nal_type(const uint8_t *p)
{
    return (p[0] >> 1) & 0x3fu;
}

/* Dropped: units too short for a header, with the forbidden bit set or a
 * TemporalId of -1 (nuh_temporal_id_plus1 0), access unit delimiters (the
 * AU boundary is the callback, and they would have to stay in front of the
 * parameter sets we insert) and types 48-63, which are RTP packet types or
 * unspecified and mean nothing in a byte stream. */
static rtp_nal_kind classify(const uint8_t *nal, size_t n, unsigned *slot)
{
    if (n < 2 || (nal[0] & 0x80) || (nal[1] & 0x07) == 0)
        return RTP_NAL_DROP;
    unsigned type = nal_type(nal);
    if (type == NAL_AUD || type >= NAL_AP)
        return RTP_NAL_DROP;
    if (type >= NAL_IRAP_FIRST && type <= NAL_IRAP_LAST)
        return RTP_NAL_KEY;
    if (type <= NAL_VCL_LAST)
        return RTP_NAL_VCL;
    if (type >= NAL_VPS && type <= NAL_PPS) {
        *slot = type - NAL_VPS;
        return RTP_NAL_PARAM;
    }
    return RTP_NAL_OTHER;
}

/* Whether p begins with a VPS (alone or first in an AP): the first NAL unit
 * of a keyframe's access unit, so nothing of its unit came before. */
static int begins_keyframe(const uint8_t *p, size_t n)
{
    if (n < 2)
        return 0;
    if (nal_type(p) == NAL_AP)
        return n >= 6 && nal_type(p + 4) == NAL_VPS;
    return nal_type(p) == NAL_VPS;
}

/* FU: the payload header, the FU header (S, E, FuType), then the data. The
 * NAL header is the payload header with FuType for its type. */
static void depay_fu(rtp_depay *d, const uint8_t *p, size_t n, uint32_t ts)
{
    if (n < 3)
        return;
    unsigned type = p[2] & 0x3fu;
    uint8_t header[2] = {(uint8_t)((p[0] & 0x81) | type << 1), p[1]};
    rtp_depay_put_fragment(d, header, 2, (int)type, p[2] & 0x80, p[2] & 0x40, type < NAL_AP, p + 3,
                           n - 3, ts);
}

static void depay_payload(rtp_depay *d, const uint8_t *p, size_t n, uint32_t ts)
{
    int fu = n >= 2 && nal_type(p) == NAL_FU;
    if (rtp_depay_in_fragment(d) && !fu) {
        rtp_depay_lose(d, ts);
        return;
    }
    if (n < 2)
        return; /* not even a payload header */
    unsigned type = nal_type(p);
    if (type < NAL_AP)
        rtp_depay_put_nal(d, p, n);
    else if (type == NAL_AP)
        rtp_depay_put_aggregate(d, p + 2, n - 2, ts);
    else if (type == NAL_FU)
        depay_fu(d, p, n, ts);
    /* PACI (50) and the unspecified types are ignored. */
}

static const rtp_depay_codec h265 = {
    .nparams = 3,
    .classify = classify,
    .begins_keyframe = begins_keyframe,
    .payload = depay_payload,
};

rtp_depay *rtp_h265_depay_new(const uint8_t *vps, size_t vps_len, const uint8_t *sps,
                              size_t sps_len, const uint8_t *pps, size_t pps_len)
{
    const uint8_t *params[] = {vps, sps, pps};
    const size_t lens[] = {vps_len, sps_len, pps_len};
    return rtp_depay_new(&h265, params, lens);
}
