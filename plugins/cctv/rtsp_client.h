/* rtsp_client.h - a lean RTSP client for the common camera case: H.264
 * (and, when asked for, H.265) over RTP interleaved on the RTSP TCP
 * connection (RFC 2326 §10.12, RFC 6184, RFC 7798). It reads and
 * depacketises on the GLib main context it was started on, with no extra
 * threads, no jitter buffer (TCP delivers in order) and no GStreamer
 * elements. Anything else (UDP, other codecs) is left to the GStreamer
 * pipeline in cctv_pipeline.c. Not a public API. */
#ifndef CCTV_RTSP_CLIENT_H
#define CCTV_RTSP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

typedef struct rtsp_client rtsp_client;

/* Why a client ended (rtsp_client_callbacks.on_end). */
typedef enum rtsp_end {
    RTSP_END_LOST,        /* connection closed or broken, no answer to DESCRIBE/SETUP/PLAY
                           * within 10 s, or a 5xx: retry */
    RTSP_END_UNREACHABLE, /* the TCP connect failed or took over 10 s: nothing answers at
                           * the camera's host and port (yet): retry once it does */
    RTSP_END_AUTH,        /* 401 with the credentials given, or 401 and none given */
    RTSP_END_NOT_FOUND,   /* 404 or another 4xx (or a 3xx redirect) to DESCRIBE/SETUP/PLAY;
                           * also a URL that does not parse */
    RTSP_END_UNSUPPORTED, /* the camera's video is in a codec not asked for (the reason
                           * names it, e.g. "H265"), H.265 with decoding order numbers,
                           * not plain RTP/AVP, the camera cannot interleave (461), or
                           * the URL is rtsps://: GStreamer's job */
    RTSP_END_PROTOCOL,    /* the camera broke the protocol (bad reply, bad SDP, no video),
                           * or is not an RTSP server (it answered HTTP) */
} rtsp_end;

typedef struct rtsp_client_callbacks {
    /* One access unit: Annex B (4-byte start codes), SPS and PPS before
     * every IDR, keyframe set for an AU with an IDR slice (H.265: VPS, SPS
     * and PPS before every IRAP picture, keyframe set for one). The first
     * one is a keyframe (what comes before the first keyframe, or after a
     * loss until the next one, is dropped); access unit delimiters are
     * dropped. pts_us
     * from the RTP timestamp (90 kHz), unwrapped, 0 at the first RTP
     * packet: presentation order, so not monotonic if the camera sends
     * B-frames. data is borrowed for the call. */
    void (*on_access_unit)(void *user, const uint8_t *data, size_t len, int keyframe,
                           int64_t pts_us);
    /* The camera answered PLAY; access units follow. */
    void (*on_playing)(void *user);
    /* The client has stopped for good (no callbacks after this one); the
     * caller still frees it with rtsp_client_free(), possibly from inside
     * this callback. reason is borrowed, never holds the password, and the
     * URL in it (if any) has its password removed. */
    void (*on_end)(void *user, rtsp_end why, const char *reason);
} rtsp_client_callbacks;

/* The video codecs the lean client can take. */
typedef enum rtsp_codec {
    RTSP_CODEC_H264 = 1,
    RTSP_CODEC_H265 = 2,
} rtsp_codec;

/* Connects to url (rtsp://[user[:pass]@]host[:port]/path) and starts
 * DESCRIBE, SETUP (TCP interleaved) and PLAY on the thread-default main
 * context; every callback runs there. username/password (either may be
 * NULL; empty counts as NULL) take precedence over the URL's; Basic and
 * Digest (MD5, SHA-256) are both answered. Keepalive (GET_PARAMETER, or
 * OPTIONS) every half session timeout; a playing stream that stalls is
 * not detected here (the caller's watchdog). cb is copied; user is passed
 * back. Never NULL: a bad URL ends it from the main loop soon after. */
rtsp_client *rtsp_client_start(const char *url, const char *username, const char *password,
                               const rtsp_client_callbacks *cb, void *user);
/* As rtsp_client_start(), taking the codecs in codecs (RTSP_CODEC_* bits;
 * H.264 is always taken): a camera in another one ends RTSP_END_UNSUPPORTED.
 * rtsp_client_start() is this with RTSP_CODEC_H264 alone. */
rtsp_client *rtsp_client_start_codecs(const char *url, const char *username, const char *password,
                                      unsigned codecs, const rtsp_client_callbacks *cb, void *user);
/* The codec of the access units: known once the camera's SDP was read (at
 * the latest from on_playing on), 0 before. */
rtsp_codec rtsp_client_codec(const rtsp_client *c);
/* Stops (TEARDOWN once SETUP made a session, best effort), closes and
 * frees c. No callback runs after it returns; safe inside any callback.
 * NULL is a no-op. A connect in progress is cancelled and finishes on the
 * main context later (keep iterating it for that memory to be released). */
void rtsp_client_free(rtsp_client *c);

/* ---- the depacketisers, exposed for unit tests ---- */

typedef struct rtp_depay rtp_depay;

/* An H.264 depacketiser (RFC 6184, non-interleaved: single NAL units,
 * STAP-A, FU-A); sps/pps (either may be NULL/0) are the SDP's
 * sprop-parameter-sets, used before an IDR when the stream has none in band
 * (in-band ones, once seen, replace them). */
rtp_depay *rtp_h264_depay_new(const uint8_t *sps, size_t sps_len, const uint8_t *pps,
                              size_t pps_len);
/* An H.265 depacketiser (RFC 7798 without decoding order numbers: single
 * NAL units, aggregation packets, fragmentation units); vps/sps/pps (any may
 * be NULL/0) are the SDP's sprop-vps/sps/pps, used before an IRAP picture
 * as sprop-parameter-sets are for H.264. */
rtp_depay *rtp_h265_depay_new(const uint8_t *vps, size_t vps_len, const uint8_t *sps,
                              size_t sps_len, const uint8_t *pps, size_t pps_len);
/* Frees d; NULL is a no-op. */
void rtp_depay_free(rtp_depay *d);
/* Feeds one RTP packet (the bytes of an interleaved frame). Calls emit for
 * each completed access unit (on the marker bit, or when the timestamp
 * changes), as on_access_unit above; emit must not free d. A gap in
 * sequence numbers, a broken fragmentation or aggregation packet, or an AU
 * over 8 MiB drops the unit being built and every unit until the next
 * keyframe. Returns 0, or -1 for a packet that is not RTP version 2 or is
 * too short (it is ignored). */
int rtp_depay_push(rtp_depay *d, const uint8_t *pkt, size_t len,
                   void (*emit)(void *user, const uint8_t *au, size_t len, int keyframe,
                                int64_t pts_us),
                   void *user);

#endif
