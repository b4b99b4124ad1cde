/* fuzz_rtp_h265_depay.c - the H.265 RTP depacketiser of the lean RTSP client
 * (plugins/cctv/rtp_h265_depay.c, rtp_depay.c) on a stream of packets from a
 * camera. Input: one flag byte (bit 0: start with the SDP's parameter
 * sets), then packets, each as a 2-byte big-endian length and that many
 * bytes; a length past the end takes what is left. Every access unit given
 * out goes through the H.265 parser, as the media path will do with it. */
#include "h265.h"
#include "fuzz_util.h"
#include "rtsp_client.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The sprop-vps/sps/pps of pantau-test-rtsp's test265:320x180 mount. */
static const uint8_t sdp_vps[] = {0x40, 0x01, 0x0c, 0x01, 0xff, 0xff, 0x01, 0x60,
                                  0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03,
                                  0x00, 0x00, 0x03, 0x00, 0x3c, 0xba, 0x02, 0x40};
static const uint8_t sdp_sps[] = {
    0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03,
    0x00, 0x3c, 0xa0, 0x0a, 0x08, 0x0c, 0x1f, 0x3e, 0x5b, 0xa4, 0xa4, 0xc2, 0xff, 0xf0, 0x00, 0x10,
    0x00, 0x16, 0xa0, 0xc0, 0xc0, 0xc0, 0x80, 0x00, 0x00, 0x03, 0x00, 0x80, 0x00, 0x00, 0x05, 0x04};
static const uint8_t sdp_pps[] = {0x44, 0x01, 0xc0, 0x71, 0x83, 0x12};

static void on_access_unit(void *user, const uint8_t *au, size_t len, int keyframe, int64_t pts_us)
{
    (void)pts_us;
    (void)user;
    if (!au || len < 6 || memcmp(au, "\0\0\0\1", 4))
        abort();
    /* Every byte must be readable (ASan checks the span). */
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum ^= au[i];
    (void)sum;
    /* A keyframe begins with its VPS (SPS and PPS follow): the core relies
     * on it. (Whether the core then finds all three depends on the NAL
     * units not holding start codes of their own, which a camera may send.) */
    if (keyframe && ((au[4] >> 1) & 0x3f) != H265_NAL_VPS)
        abort();
    h265_au_has_parameter_sets(au, len);
    h265_au_is_keyframe(au, len);
    char codec[H265_CODEC_STRING_MAX];
    h265_codec_string(au, len, codec, sizeof codec);
    int width, height;
    h265_picture_size(au, len, &width, &height);
}

static void push_packet(const uint8_t *pkt, size_t n, void *user)
{
    rtp_depay_push(user, pkt, n, on_access_unit, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    bool with_sdp = data[0] & 1;
    rtp_depay *d = with_sdp ? rtp_h265_depay_new(sdp_vps, sizeof sdp_vps, sdp_sps, sizeof sdp_sps,
                                                 sdp_pps, sizeof sdp_pps)
                            : rtp_h265_depay_new(NULL, 0, NULL, 0, NULL, 0);
    fuzz_each_packet(data + 1, size - 1, push_packet, d);
    rtp_depay_free(d);
    return 0;
}
