/* rtp_h264_depay.c - the H.264 side of the RTP depacketiser (RFC 6184,
 * non-interleaved mode): single NAL units, STAP-A and FU-A; the rest is
 * rtp_depay.c's. Keyframes are IDR access units; SPS and PPS go in front of
 * every one. */
#include "rtp_depay.h"

enum {
    NAL_SLICE = 1,
    NAL_IDR = 5,
    NAL_SPS = 7,
    NAL_PPS = 8,
    NAL_AUD = 9,
    NAL_STAP_A = 24,
    NAL_FU_A = 28,
};

/* Access unit delimiters are dropped: the AU boundary is the callback, and
 * they would otherwise have to stay in front of the parameter sets we
 * insert. So are types 0 and 24-31, which mean nothing in a byte stream
 * (24-29 are RTP packet types): a camera that nests them would hand the
 * browsers' decoders garbage. */
static rtp_nal_kind classify(const uint8_t *nal, size_t n, unsigned *slot)
{
    (void)n;
    unsigned type = nal[0] & 0x1fu;
    if (type == 0 || type == NAL_AUD || type >= NAL_STAP_A)
        return RTP_NAL_DROP;
    if (type == NAL_IDR)
        return RTP_NAL_KEY;
    if (type >= NAL_SLICE && type < NAL_IDR)
        return RTP_NAL_VCL;
    if (type == NAL_SPS || type == NAL_PPS) {
        *slot = type == NAL_SPS ? 0 : 1;
        return RTP_NAL_PARAM;
    }
    return RTP_NAL_OTHER;
}

/* Whether p begins with an SPS (alone or first in a STAP-A): the first NAL
 * unit of a keyframe's access unit, so nothing of its unit came before. */
static int begins_keyframe(const uint8_t *p, size_t n)
{
    int type = p[0] & 0x1f;
    if (type == NAL_STAP_A)
        return n >= 4 && (p[3] & 0x1f) == NAL_SPS;
    return type == NAL_SPS;
}

/* FU-A: the NAL header rebuilt from the indicator and the FU header. */
static void depay_fu_a(rtp_depay *d, const uint8_t *p, size_t n, uint32_t ts)
{
    if (n < 2)
        return;
    int type = p[1] & 0x1f;
    uint8_t header = (uint8_t)((p[0] & 0xe0) | type);
    rtp_depay_put_fragment(d, &header, 1, type, p[1] & 0x80, p[1] & 0x40, type >= 1 && type <= 23,
                           p + 2, n - 2, ts);
}

static void depay_payload(rtp_depay *d, const uint8_t *p, size_t n, uint32_t ts)
{
    int type = p[0] & 0x1f;
    if (rtp_depay_in_fragment(d) && type != NAL_FU_A) {
        rtp_depay_lose(d, ts);
        return;
    }
    if (type >= 1 && type <= 23)
        rtp_depay_put_nal(d, p, n);
    else if (type == NAL_STAP_A)
        rtp_depay_put_aggregate(d, p + 1, n - 1, ts);
    else if (type == NAL_FU_A)
        depay_fu_a(d, p, n, ts);
}

static const rtp_depay_codec h264 = {
    .nparams = 2,
    .classify = classify,
    .begins_keyframe = begins_keyframe,
    .payload = depay_payload,
};

rtp_depay *rtp_h264_depay_new(const uint8_t *sps, size_t sps_len, const uint8_t *pps,
                              size_t pps_len)
{
    const uint8_t *params[] = {sps, pps};
    const size_t lens[] = {sps_len, pps_len};
    return rtp_depay_new(&h264, params, lens);
}
