/* onvif_types.h - what the ONVIF client learns from a camera. Strings are
 * g_malloc'd, valid printable UTF-8 (or NULL when the camera did not say);
 * each struct is freed by its _clear function (onvif_soap.c), which leaves
 * it empty (zeroed; onvif_profiles main and sub -1). */
#ifndef CCTV_ONVIF_TYPES_H
#define CCTV_ONVIF_TYPES_H

#include <glib.h>

/* Service addresses (GetCapabilities). */
typedef struct onvif_capabilities {
    char *device_url;
    char *media_url;
    char *ptz_url; /* NULL: the camera has no PTZ service */
} onvif_capabilities;

/* GetDeviceInformation, and what the PTZ node supports (GetNodes). */
typedef struct onvif_device_info {
    char *manufacturer;
    char *model;
    char *firmware;
    char *serial;
    char *hardware_id;
    gboolean has_ptz;        /* a PTZ service and a PTZ node */
    gboolean ptz_continuous; /* ContinuousPanTiltVelocitySpace */
    gboolean ptz_relative;   /* RelativePanTiltTranslationSpace: click to centre, box zoom */
    gboolean ptz_absolute;   /* AbsolutePanTiltPositionSpace */
    gboolean ptz_zoom;       /* a zoom space of any kind */
    gboolean ptz_home;       /* HomeSupported */
    int max_presets;         /* MaximumNumberOfPresets, 0 when not said */
    gint64 clock_offset_s;   /* the camera's clock minus ours (GetSystemDateAndTime) */
} onvif_device_info;

/* One media profile (GetProfiles) and its RTSP URI (GetStreamUri). */
typedef struct onvif_profile {
    char *token;
    char *name;
    char *encoding; /* "H264", "H265", "JPEG", ... or NULL */
    int width;
    int height;
    gboolean ptz; /* has a PTZConfiguration: PTZ commands take this token */
    char *uri;    /* NULL when GetStreamUri failed for it */
} onvif_profile;

/* Profiles in the camera's order. main is the first profile with a URI,
 * sub the next one with a URI and a smaller picture (-1: none). */
typedef struct onvif_profiles {
    onvif_profile *items;
    gsize n;
    int main;
    int sub;
} onvif_profiles;

/* GetStatus: the position in the generic spaces (pan and tilt -1..1, zoom
 * 0..1), and whether pan/tilt or zoom is moving. */
typedef struct onvif_ptz_status {
    gboolean has_position;
    double pan, tilt, zoom;
    gboolean moving;
} onvif_ptz_status;

typedef struct onvif_preset {
    char *token;
    char *name;
    gboolean has_position;
    double pan, tilt, zoom;
} onvif_preset;

typedef struct onvif_presets {
    onvif_preset *items;
    gsize n;
} onvif_presets;

/* A device that answered a WS-Discovery Probe. */
typedef struct onvif_found {
    char *endpoint; /* its EndpointReference address, "urn:uuid:..." */
    char *xaddr;    /* its first http(s) device service address */
    char *name;     /* scope onvif://www.onvif.org/name/..., decoded */
    char *hardware; /* scope onvif://www.onvif.org/hardware/..., decoded */
    char *location; /* scope onvif://www.onvif.org/location/..., decoded */
} onvif_found;

void onvif_capabilities_clear(onvif_capabilities *c);
void onvif_device_info_clear(onvif_device_info *i);
void onvif_profiles_clear(onvif_profiles *p);
void onvif_presets_clear(onvif_presets *p);
void onvif_found_clear(onvif_found *f);

#endif
