/* fuzz_rtp_depay.c - the H.264 RTP depacketiser of the lean RTSP client
 * (plugins/cctv/rtp_h264_depay.c, rtp_depay.c) on a stream of packets from
 * a camera.
 * Input: one flag byte (bit 0: start with the SDP's parameter sets), then
 * packets, each as a 2-byte big-endian length and that many bytes; a
 * length past the end takes what is left. Every access unit given out goes
 * through the H.264 parser, as the media path does with it. */
#include "h264.h"
#include "fuzz_util.h"
#include "rtsp_client.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t sdp_sps[] = {0x67, 0x42, 0xc0, 0x1e, 0xda, 0x02, 0x80};
static const uint8_t sdp_pps[] = {0x68, 0xce, 0x3c, 0x80};

static void on_access_unit(void *user, const uint8_t *au, size_t len, int keyframe, int64_t pts_us)
{
    (void)pts_us;
    (void)user;
    if (!au || len == 0)
        abort();
    /* Every byte must be readable (ASan checks the span). */
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum ^= au[i];
    (void)sum;
    /* A keyframe begins with its SPS (the PPS follows): the core relies on
     * it. (Whether the core then finds both depends on the NAL units not
     * holding start codes of their own, which a camera may send.) */
    if (keyframe && (len < 5 || memcmp(au, "\0\0\0\1", 4) || (au[4] & 0x1f) != 7))
        abort();
    h264_au_has_parameter_sets(au, len);
    char codec[16];
    h264_codec_string(au, len, codec, sizeof codec);
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
    rtp_depay *d = with_sdp ? rtp_h264_depay_new(sdp_sps, sizeof sdp_sps, sdp_pps, sizeof sdp_pps)
                            : rtp_h264_depay_new(NULL, 0, NULL, 0);
    fuzz_each_packet(data + 1, size - 1, push_packet, d);
    rtp_depay_free(d);
    return 0;
}
