/* onvif_discovery.h - WS-Discovery of ONVIF cameras on the local network:
 * a Probe for NetworkVideoTransmitters sent to the multicast group
 * 239.255.255.250 (port 3702), and the ProbeMatches the cameras answer
 * with, collected for a while. Asynchronous on the GLib main context it
 * is started on; nothing blocks. */
#ifndef CCTV_ONVIF_DISCOVERY_H
#define CCTV_ONVIF_DISCOVERY_H

#include <glib.h>

#include "onvif_types.h"

#define ONVIF_DISCOVERY_PORT 3702
#define ONVIF_DISCOVERY_GROUP "239.255.255.250"

typedef struct onvif_discovery onvif_discovery;

/* Called once, at the end: the devices that answered (each endpoint once,
 * in the order they answered; borrowed for the call) or an error
 * (ONVIF_ERROR_INVALID, ONVIF_ERROR_UNREACHABLE; then n is 0). */
typedef void (*onvif_discovery_cb)(void *user, const onvif_found *found, gsize n,
                                   const GError *err);

/* Sends the Probe out of the interface with IPv4 address iface (NULL or
 * "": the one the routing table picks for the group) to port (0: 3702),
 * again after a quarter of the time (UDP may lose one), and calls cb after
 * duration_ms. Multicast loopback is on, so a device on this host answers
 * too. Never calls back from within this call. Free with
 * onvif_discovery_free, also after the callback. */
onvif_discovery *onvif_discover(const char *iface, unsigned port, unsigned duration_ms,
                                onvif_discovery_cb cb, void *user);

/* Stops d; its callback does not run after this. Safe inside it. NULL is
 * ignored. */
void onvif_discovery_free(onvif_discovery *d);

#endif
