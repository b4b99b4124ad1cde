/* cctv_discover.h - the rtsp type's type_control (ABI 1.3): "discover"
 * (WS-Discovery of ONVIF cameras) and "probe" (one camera's identity, PTZ
 * and stream URLs), for the console's "Add camera". */
#ifndef CCTV_DISCOVER_H
#define CCTV_DISCOVER_H

#include <pantau/plugin.h>

/* type_control of the rtsp type. args borrowed. "discover" {timeout_ms?
 * (100-10000, default 3000), interface? (IPv4 address), port? (default
 * 3702)} answers {"devices": [{endpoint, address, name, hardware,
 * location}]}; "probe" {address, username?, password?} answers
 * {manufacturer, model, firmware, has_ptz, ptz: {...}, main_url, sub_url,
 * profiles: [...]}, never the password. Returns -1 for another action. */
int cctv_type_control(const char *action, const json_t *args, pantau_reply_fn done, void *data);

#endif
