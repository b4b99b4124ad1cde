/* port_probe.h - whether a camera's port answers: one TCP connect, closed
 * at once. Cheap enough to run twice a second while a camera is down, so that
 * its return is noticed at once without a full RTSP session per attempt.
 * Runs on the thread-default main context. Not a public API. */
#ifndef CCTV_PORT_PROBE_H
#define CCTV_PORT_PROBE_H

#include <gio/gio.h>
#include <stdint.h>

typedef struct cctv_port_probe cctv_port_probe;

/* The result, once: reachable 1 when the connect succeeded, else 0 with
 * error (borrowed, for the call) saying why ("Connection refused"). */
typedef void (*cctv_port_probe_done)(void *user, int reachable, const char *error);

/* Connects to host:port (a name is resolved first), giving up after
 * timeout_s, and calls done from the main context it was started on, never
 * before returning. Never NULL. */
cctv_port_probe *cctv_port_probe_start(const char *host, uint16_t port, unsigned timeout_s,
                                       cctv_port_probe_done done, void *user);
/* Cancels p: done is never called. The connect in progress finishes on the
 * main context later and releases p then. NULL is a no-op. */
void cctv_port_probe_cancel(cctv_port_probe *p);

/* The part of a connect error worth showing: "Connection refused" rather
 * than "Could not connect to 10.0.0.9: Connection refused". Borrowed from err. */
const char *cctv_connect_detail(const GError *err);

#endif
