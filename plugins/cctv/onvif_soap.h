/* onvif_soap.h - the pure parts of the ONVIF client: SOAP envelopes with a
 * WS-Security UsernameToken digest, the request bodies, and the parsers of
 * what a camera answers (libxml2). No I/O, no clock: onvif.c and
 * onvif_discovery.c do those, tests/fuzz/fuzz_onvif.c feeds these parsers.
 *
 * Everything a parser returns is copied out of the document, made valid
 * printable UTF-8 and cut to ONVIF_TEXT_MAX bytes (cctv_printable), since it comes from the
 * camera and ends up in log lines, JSON and the console. */
#ifndef CCTV_ONVIF_SOAP_H
#define CCTV_ONVIF_SOAP_H

#include <glib.h>
#include <libxml/tree.h>

#include "onvif_types.h"

#define ONVIF_NS_DEVICE "http://www.onvif.org/ver10/device/wsdl"
#define ONVIF_NS_MEDIA "http://www.onvif.org/ver10/media/wsdl"
#define ONVIF_NS_PTZ "http://www.onvif.org/ver20/ptz/wsdl"

/* Longest string kept from a camera's answer, in bytes. */
#define ONVIF_TEXT_MAX 512

/* ---- WS-Security ---- */

/* Base64(SHA-1(nonce + created + password)), the UsernameToken
 * PasswordDigest; g_malloc'd. */
char *onvif_wsse_digest(const guint8 *nonce, gsize nonce_len, const char *created,
                        const char *password);

/* A complete SOAP 1.2 envelope around body (an XML fragment that may use
 * the prefixes tds, trt, tptz and tt). With a non-empty user it carries a
 * UsernameToken: the digest of nonce (16 bytes), created_unix (seconds,
 * UTC, the camera's clock) and password. The password itself never
 * appears in it. g_malloc'd. */
char *onvif_soap_envelope(const char *body, const char *user, const char *password,
                          gint64 created_unix, const guint8 nonce[16]);

/* ---- request bodies (g_malloc'd XML fragments for onvif_soap_envelope;
 * tokens and names are escaped, numbers written with a '.') ---- */

/* GetStreamUri of profile, RTP over RTSP unicast. */
char *onvif_body_stream_uri(const char *profile);
/* ContinuousMove at these speeds; timeout_ms 0: no Timeout element. */
char *onvif_body_continuous_move(const char *profile, double pan, double tilt, double zoom,
                                 unsigned timeout_ms);
/* Stop of pan, tilt and zoom. */
char *onvif_body_stop(const char *profile);
/* kind: "RelativeMove" (a Translation) or "AbsoluteMove" (a Position). */
char *onvif_body_move_to(const char *kind, const char *profile, double pan, double tilt,
                         double zoom);
/* A request that only names a profile: GetStatus, GetPresets. */
char *onvif_body_profile_only(const char *action, const char *profile);
/* GotoPreset of the preset token. */
char *onvif_body_goto_preset(const char *profile, const char *preset);
/* name and token may be NULL (a new preset, named by the camera). */
char *onvif_body_set_preset(const char *profile, const char *name, const char *token);
/* RemovePreset of the preset token. */
char *onvif_body_remove_preset(const char *profile, const char *preset);
/* A WS-Discovery Probe for NetworkVideoTransmitters with message_id (a
 * "uuid:..." URN). */
char *onvif_probe_message(const char *message_id);

/* ---- replies ---- */

/* A parsed SOAP reply. When fault is set, the code, subcode and reason are
 * what the camera sent (cleaned); else body is the first element inside
 * the Body (owned by doc). */
typedef struct onvif_reply {
    xmlDoc *doc;
    xmlNode *body;
    gboolean fault;
    char *fault_code;    /* "env:Sender", "SOAP-ENV:Client", ... or NULL */
    char *fault_subcode; /* "ter:NotAuthorized", ... or NULL */
    char *fault_reason;  /* human text or NULL */
} onvif_reply;

/* Parses len bytes of data as a SOAP 1.1 or 1.2 envelope (no network, no
 * entities, no DTD). Returns 0 with r filled (a fault or a body), -1 when it
 * is not a SOAP envelope with a Body (r then empty). Free with
 * onvif_reply_clear. */
int onvif_reply_parse(const char *data, gsize len, onvif_reply *r);
/* Frees what r holds and empties it. */
void onvif_reply_clear(onvif_reply *r);

/* TRUE when r is a fault that refuses the credentials (ter:NotAuthorized,
 * wsse:FailedAuthentication, wsse:InvalidSecurity, or a reason saying so). */
gboolean onvif_reply_is_auth_fault(const onvif_reply *r);

/* "code/subcode: reason" of a fault, as far as present; g_malloc'd. */
char *onvif_reply_fault_text(const onvif_reply *r);

/* TRUE when the body element's local name is action + "Response". */
gboolean onvif_reply_is(const onvif_reply *r, const char *action);

/* Each parser takes the body of the matching reply (onvif_reply.body) and
 * returns 0 with the result filled, or -1 with *missing naming (statically)
 * what was not in it. Results are freed with their _clear functions
 * (onvif_types.h); on -1 they hold nothing. */

/* GetSystemDateAndTimeResponse: the UTC time in seconds since 1970. */
int onvif_parse_date_time(const xmlNode *body, gint64 *utc_unix, const char **missing);
/* GetCapabilitiesResponse: XAddrs of device, media and PTZ (PTZ may be
 * absent: no PTZ). */
int onvif_parse_capabilities(const xmlNode *body, onvif_capabilities *caps, const char **missing);
/* GetDeviceInformationResponse into the text fields of info. */
int onvif_parse_device_info(const xmlNode *body, onvif_device_info *info, const char **missing);
/* GetNodesResponse: which PTZ spaces the first node supports, into info. */
int onvif_parse_nodes(const xmlNode *body, onvif_device_info *info, const char **missing);
/* GetProfilesResponse: tokens, names, encodings, sizes, PTZ configuration;
 * no URIs yet. */
int onvif_parse_profiles(const xmlNode *body, onvif_profiles *p, const char **missing);
/* GetStreamUriResponse: the URI, g_malloc'd into *uri. */
int onvif_parse_stream_uri(const xmlNode *body, char **uri, const char **missing);
/* GetStatusResponse. */
int onvif_parse_status(const xmlNode *body, onvif_ptz_status *s, const char **missing);
/* GetPresetsResponse (no presets is a valid answer). */
int onvif_parse_presets(const xmlNode *body, onvif_presets *p, const char **missing);
/* SetPresetResponse: the token, g_malloc'd into *token. */
int onvif_parse_set_preset(const xmlNode *body, char **token, const char **missing);

/* A WS-Discovery datagram: when it is a ProbeMatches that relates to
 * message_id (or names no message), appends each match with an http
 * XAddr to found (onvif_found elements, see onvif_types.h) and returns how
 * many it appended; else 0. */
int onvif_parse_probe_matches(const char *data, gsize len, const char *message_id, GArray *found);

#endif
