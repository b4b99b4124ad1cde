/* onvif.h - an asynchronous ONVIF client (Profile S: device, media and PTZ
 * services) on libsoup 3, for the GLib main context it is created on.
 * Nothing blocks: every call returns at once and its callback runs later
 * from that context, never from inside the call that started it.
 *
 * Authentication is a WS-Security UsernameToken with PasswordDigest, its
 * Created time on the camera's clock: the first request of a client asks
 * the camera for its time (GetSystemDateAndTime, which needs no
 * credentials) and keeps the offset; a NotAuthorized answer makes it ask
 * again and retry once. Cameras that want HTTP Digest instead get it too.
 *
 * A client sends one request at a time, in the order of the calls, so a
 * Stop never overtakes the move before it. A ContinuousMove or Stop for a
 * profile drops the ContinuousMoves of that profile still waiting their
 * turn (their callbacks get ONVIF_ERROR_SUPERSEDED): a gamepad that
 * changes speed 30 times a second costs one request at a time, and the
 * last one wins.
 *
 * Error messages name the camera by host and port, never hold the password
 * or a URL's userinfo, and are printable UTF-8 (what the camera sends is
 * cleaned and cut). */
#ifndef CCTV_ONVIF_H
#define CCTV_ONVIF_H

#include <glib.h>

#include "onvif_types.h"

#define ONVIF_ERROR (onvif_error_quark())
GQuark onvif_error_quark(void);

typedef enum {
    ONVIF_ERROR_AUTH,        /* the camera refused the username or password */
    ONVIF_ERROR_UNREACHABLE, /* no connection, or no answer in time */
    ONVIF_ERROR_FAULT,       /* the camera refused the request (a SOAP fault) */
    ONVIF_ERROR_REPLY,       /* not SOAP, an HTTP error, or not the answer asked for */
    ONVIF_ERROR_UNSUPPORTED, /* the camera has no such service (no PTZ) */
    ONVIF_ERROR_SUPERSEDED,  /* a queued ContinuousMove replaced before it was sent */
    ONVIF_ERROR_INVALID,     /* bad arguments */
} onvif_error_code;

typedef struct onvif_client onvif_client;

/* Callbacks: results and err are borrowed for the call (err NULL on
 * success; then the result is set). user is what the call was given. */
typedef void (*onvif_done_cb)(void *user, const GError *err);
typedef void (*onvif_device_cb)(void *user, const onvif_device_info *info, const GError *err);
typedef void (*onvif_profiles_cb)(void *user, const onvif_profiles *profiles, const GError *err);
typedef void (*onvif_status_cb)(void *user, const onvif_ptz_status *status, const GError *err);
typedef void (*onvif_presets_cb)(void *user, const onvif_presets *presets, const GError *err);
typedef void (*onvif_token_cb)(void *user, const char *token, const GError *err);

/* A client for the camera at address: "host", "host:port" (port 80), or a
 * device service URL "http(s)://host[:port]/path" as WS-Discovery gives it
 * (the path defaults to /onvif/device_service). Userinfo in the address is
 * ignored; user and password (may be NULL or empty: no authentication)
 * are copied. NULL with *error (ONVIF_ERROR_INVALID) for an address that
 * is not one. */
onvif_client *onvif_client_new(const char *address, const char *user, const char *password,
                               GError **error);

/* Cancels what is queued or in flight; no callback runs after this. Safe
 * inside a callback of c. NULL is ignored. */
void onvif_client_free(onvif_client *c);

/* How long each request may take before it fails (default 10000 ms). */
void onvif_client_set_timeout(onvif_client *c, unsigned timeout_ms);

/* "host:port" of the camera (no credentials), for messages. */
const char *onvif_client_host(const onvif_client *c);

/* GetDeviceInformation and GetCapabilities, then GetNodes when the camera
 * has a PTZ service: who it is, whether it has PTZ and which moves. */
void onvif_get_device(onvif_client *c, onvif_device_cb cb, void *user);

/* GetProfiles, then GetStreamUri (RTP over RTSP) for each profile; main
 * and sub as onvif_types.h says. A profile whose URI the camera refuses
 * keeps uri NULL; none with a URI is an error. */
void onvif_get_profiles(onvif_client *c, onvif_profiles_cb cb, void *user);

/* PTZ, on the profile with token profile (onvif_profile.token with ptz).
 * Speeds and positions are in the generic spaces: pan and tilt -1..1,
 * zoom -1..1 for speeds and translations, 0..1 for positions. */

/* ContinuousMove at these speeds until Stop, or for timeout_ms when not 0
 * (the camera stops by itself: a lost Stop cannot leave it turning). */
void onvif_ptz_continuous_move(onvif_client *c, const char *profile, double pan, double tilt,
                               double zoom, unsigned timeout_ms, onvif_done_cb cb, void *user);
/* Stop of pan, tilt and zoom. */
void onvif_ptz_stop(onvif_client *c, const char *profile, onvif_done_cb cb, void *user);
/* RelativeMove by this translation (click to centre, box zoom). */
void onvif_ptz_relative_move(onvif_client *c, const char *profile, double pan, double tilt,
                             double zoom, onvif_done_cb cb, void *user);
/* AbsoluteMove to this position. */
void onvif_ptz_absolute_move(onvif_client *c, const char *profile, double pan, double tilt,
                             double zoom, onvif_done_cb cb, void *user);
void onvif_ptz_get_status(onvif_client *c, const char *profile, onvif_status_cb cb, void *user);
void onvif_ptz_get_presets(onvif_client *c, const char *profile, onvif_presets_cb cb, void *user);
void onvif_ptz_goto_preset(onvif_client *c, const char *profile, const char *preset,
                           onvif_done_cb cb, void *user);
/* SetPreset: the current position under name (may be NULL), into the
 * preset token (NULL: a new one); the callback gets the preset's token. */
void onvif_ptz_set_preset(onvif_client *c, const char *profile, const char *name, const char *token,
                          onvif_token_cb cb, void *user);
void onvif_ptz_remove_preset(onvif_client *c, const char *profile, const char *preset,
                             onvif_done_cb cb, void *user);

#endif
