/* fuzz_sdp.c - the SDP parser of the lean RTSP client (plugins/cctv) on the
 * body of a DESCRIBE reply, then the depacketiser made from what it found,
 * as rtsp_client.c does. */
#include "rtsp_client.h"
#include "rtsp_proto.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* NUL-terminated, as rtsp_message_parse hands the body over. */
    char *body = g_malloc(size + 1);
    memcpy(body, data, size);
    body[size] = '\0';
    rtsp_sdp sdp;
    if (rtsp_sdp_parse(body, size, "rtsp://cam.example:554/stream1", &sdp) == 0) {
        if (!sdp.have_video || !sdp.encoding || !sdp.profile || !sdp.control || !sdp.aggregate)
            abort();
        rtp_depay *d = g_ascii_strcasecmp(sdp.encoding, "H265")
                           ? rtp_h264_depay_new(sdp.sps, sdp.sps_len, sdp.pps, sdp.pps_len)
                           : rtp_h265_depay_new(sdp.vps, sdp.vps_len, sdp.sps, sdp.sps_len, sdp.pps,
                                                sdp.pps_len);
        rtp_depay_free(d);
        rtsp_sdp_clear(&sdp);
    }
    g_free(body);
    return 0;
}
