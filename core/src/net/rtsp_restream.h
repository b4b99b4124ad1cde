/* rtsp_restream.h - every camera's main and sub stream served again over
 * RTSP (gst-rtsp-server) at rtsp://HOST:PORT/<camera id>/main and /sub:
 * the access units the media engine already has, packetised as they are
 * (no second session to the camera, no re-encode). Each RTSP media is a
 * session of the media engine with a sink of its own, like a browser's;
 * the users and viewer tokens are the web's (RTSP Basic). Off unless
 * server.rtsp_restream is configured (docs/cameras.md, "RTSP restream").
 *
 * Threads: the RTSP server runs on a thread of its own, with its own
 * GMainContext, so that its blocking waits (a media waits for its first
 * frames while it is prepared, a password check takes argon2id's time)
 * never stop the main loop; everything it asks of the media engine is
 * handed to the main loop. The functions below are main loop only. */
#ifndef PANTAU_RTSP_RESTREAM_H
#define PANTAU_RTSP_RESTREAM_H

#include "auth.h"
#include "bus.h"
#include "listen_addr.h"
#include "media.h"
#include "source.h"

typedef struct rtsp_restream rtsp_restream;

/* What rtsp_restream_start takes; all borrowed, outliving the restream. */
typedef struct rtsp_restream_deps {
    const listen_addr *bind; /* the web's listen address: the same interfaces */
    int port;                /* 0: any free port */
    auth_center *auth;       /* NULL: no login (loopback only), anyone may watch */
    media_engine *media;
    source_registry *sources; /* the cameras mounted (rtsp_restream_sync) */
    event_bus *bus;           /* sources added and removed: synced at once; NULL: only at start */
} rtsp_restream_deps;

/* Listens on deps->bind and deps->port and serves every camera of
 * deps->sources. NULL (and a log line) when it cannot listen. */
rtsp_restream *rtsp_restream_start(const rtsp_restream_deps *deps);

/* The port it listens on. */
int rtsp_restream_port(const rtsp_restream *r);

/* Mounts the cameras of the registry that are not mounted yet and
 * unmounts those that are gone (their RTSP clients get the end of the
 * stream and their camera streams are released). The restream calls it
 * itself on BUS_SOURCE_ADDED and BUS_SOURCE_REMOVED of deps->bus. */
void rtsp_restream_sync(rtsp_restream *r);

/* Closes every RTSP client, releases their camera streams and frees r.
 * NULL is fine. Call before the media engine and the auth center go. */
void rtsp_restream_free(rtsp_restream *r);

#endif
