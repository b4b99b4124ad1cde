/* rtsp_proto.h - the pure parsing and formatting helpers of the lean RTSP
 * client (rtsp_client.c): URLs, RTSP replies, SDP and authentication. No
 * I/O, no state beyond the structs here; every function is unit tested.
 * Internal to the cctv plugin. */
#ifndef CCTV_RTSP_PROTO_H
#define CCTV_RTSP_PROTO_H

#include <stddef.h>
#include <stdint.h>

/* ---- URLs ---- */

typedef struct rtsp_url {
    char *user;     /* percent-decoded, NULL when the URL has none */
    char *password; /* percent-decoded, NULL when the URL has none */
    char *host;     /* without the brackets of an IPv6 literal */
    uint16_t port;  /* 554 when the URL has none */
    int tls;        /* rtsps:// */
    char *request;  /* the URL without userinfo or fragment: the Request-URI */
    char *display;  /* "host:port" ("[::1]:554"), for messages */
} rtsp_url;

/* Parses rtsp[s]://[user[:pass]@]host[:port][/path][?query] into u (every
 * field g_malloc'd). Returns 0, or -1 for a malformed URL (u is cleared). */
int rtsp_url_parse(const char *url, rtsp_url *u);
/* Frees the fields of u (the password is wiped first) and zeroes it. */
void rtsp_url_clear(rtsp_url *u);

/* Resolves an SDP a=control value against base: "*" or empty gives base, an
 * absolute URL is kept, anything else is appended to base after one '/'
 * (what cameras mean, although RFC 3986 would drop base's last segment).
 * Returns a g_malloc'd string. */
char *rtsp_url_resolve(const char *base, const char *control);

/* ---- RTSP messages ---- */

#define RTSP_MAX_HEADERS 64
/* Bounds that keep a hostile camera from growing the input without end. */
#define RTSP_MAX_HEAD (64 * 1024)
#define RTSP_MAX_BODY (1024 * 1024)

typedef struct rtsp_message {
    int status;   /* a reply's status code; 0 for a request from the server */
    char *phrase; /* a reply's reason phrase as the camera sent it: redact it before use */
    int cseq;     /* -1 when missing */
    char *head;   /* owned: the header block, split in place */
    const char *names[RTSP_MAX_HEADERS];
    const char *values[RTSP_MAX_HEADERS];
    size_t nheaders;
    char *body; /* owned, NUL-terminated; NULL when there is none */
    size_t body_len;
} rtsp_message;

/* Parses one RTSP message (reply or request) at the start of buf. Returns
 * the bytes it takes (head and body) when complete, 0 when more input is
 * needed, or -1 when it is malformed or exceeds RTSP_MAX_HEAD/RTSP_MAX_BODY
 * or RTSP_MAX_HEADERS.
 * On a positive return m must be cleared with rtsp_message_clear(). */
long rtsp_message_parse(const char *buf, size_t len, rtsp_message *m);
/* Frees what m owns and resets it. */
void rtsp_message_clear(rtsp_message *m);
/* The value of the n-th header called name (case-insensitive), or NULL. */
const char *rtsp_message_header(const rtsp_message *m, const char *name, unsigned n);

/* Parses a Session header value "ID[;timeout=S]": *id g_malloc'd, *timeout_s
 * 0 when absent. Returns 0, or -1 when there is no id. */
int rtsp_parse_session(const char *value, char **id, unsigned *timeout_s);
/* The RTP channel of a Transport header's "interleaved=A-B" (A), or -1. */
int rtsp_parse_interleaved(const char *transport);

/* ---- SDP ---- */

typedef struct rtsp_sdp {
    int have_video;
    char *encoding; /* of the chosen video payload: "H264", "H265", "JPEG"... */
    char *profile;  /* the m= line's transport profile, e.g. "RTP/AVP" */
    int packetization_mode;
    char *control;   /* the video track's URL, resolved */
    char *aggregate; /* the session's URL for PLAY, resolved */
    /* Parameter sets (NAL units, no start code; NULL when absent): H.264's
     * from sprop-parameter-sets (no vps), H.265's from sprop-vps, sprop-sps
     * and sprop-pps (the first of each list, when its NAL type fits). */
    uint8_t *vps, *sps, *pps;
    size_t vps_len, sps_len, pps_len;
    /* H.265: sprop-max-don-diff and sprop-depack-buf-nalus (0 when absent);
     * above 0, the packets carry decoding order numbers (RFC 7798). */
    unsigned long max_don_diff, depack_buf_nalus;
} rtsp_sdp;

/* Parses the first m=video section of sdp (len bytes): the H264 payload type
 * if it lists one, else the H265 one, else its first. base resolves
 * a=control. Returns 0, or -1 when the SDP has no m=video (have_video stays
 * 0). Clear with rtsp_sdp_clear(). */
int rtsp_sdp_parse(const char *sdp, size_t len, const char *base, rtsp_sdp *s);
/* Frees what s owns and zeroes it. */
void rtsp_sdp_clear(rtsp_sdp *s);

/* ---- authentication ---- */

typedef enum rtsp_auth_scheme {
    RTSP_AUTH_NONE,
    RTSP_AUTH_BASIC,
    RTSP_AUTH_DIGEST,
} rtsp_auth_scheme;

typedef struct rtsp_auth {
    rtsp_auth_scheme scheme;
    char *realm, *nonce, *opaque;
    char *algorithm; /* as the server spelled it ("MD5"), NULL when absent */
    int sha256;      /* algorithm SHA-256 (RFC 7616) rather than MD5 */
    int qop_auth;    /* the server offers qop "auth" */
    int stale;
    unsigned nc; /* requests answered with this nonce so far */
} rtsp_auth;

/* Parses one WWW-Authenticate value into a. Returns 0, or -1 for a scheme
 * or Digest algorithm this client cannot answer (a is cleared). */
int rtsp_auth_parse(const char *challenge, rtsp_auth *a);
/* Picks from the WWW-Authenticate headers of m: the first Digest it can
 * answer, else Basic. Returns 0, or -1 when none will do. */
int rtsp_auth_choose(const rtsp_message *m, rtsp_auth *a);
/* Frees what a owns and zeroes it (scheme NONE). */
void rtsp_auth_clear(rtsp_auth *a);
/* The Authorization header value for one request (g_malloc'd). cnonce may
 * be NULL for a random one; it is used only with qop=auth, which also
 * advances a->nc. */
char *rtsp_auth_header(rtsp_auth *a, const char *user, const char *password, const char *method,
                       const char *uri, const char *cnonce);

#endif
