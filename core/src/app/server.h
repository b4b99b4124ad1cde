/* server.h - the server's state, owned by the main loop thread. */
#ifndef PANTAU_SERVER_H
#define PANTAU_SERVER_H

#include "config.h"
#include "preset_store.h"
#include "wall.h"

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

struct plugin_loader;
struct source_registry;
struct ws_server;
struct media_engine;
struct alarm_center;
struct presentation_center;
struct auth_center;
struct audit_log;
struct disk_writer;
struct persister;
struct wall_service;
struct heap_trim;
struct event_bus;
struct source_editor;
struct ptz_center;
struct rtsp_restream;
struct replay_center;
struct recordings;
struct cluster_nodes;
struct preset_share;
struct source_share;
struct presentation_share;
struct alarm_share;
struct event_relay;

typedef struct pantau_server {
    pantau_config *config; /* owned */
    char *state_dir;
    char *plugin_dir;
    char *web_dir;    /* the pages: web/ */
    char *vendor_dir; /* node_modules/ with the browser libraries */
    GMainLoop *loop;
    GPtrArray *walls; /* wall *, owned, in config order */
    preset_store *presets;
    struct source_registry *sources;
    struct plugin_loader *plugins;
    struct ws_server *ws;                      /* NULL in unit tests */
    struct media_engine *media;                /* NULL in unit tests */
    struct alarm_center *alarms;               /* NULL without alarms */
    struct presentation_center *presentations; /* NULL without presentations */
    struct auth_center *auth;                  /* NULL: no login (everyone admin) */
    struct audit_log *audit;                   /* NULL: no audit log */
    struct disk_writer *writer;                /* NULL: writes run at once (unit tests) */
    struct heap_trim *heap;                    /* NULL: never trimmed */
    struct event_bus *bus;               /* the domain's changes (bus.h); NULL: told to nobody */
    struct persister *persist;           /* changes' durable writes and the request's write fence */
    struct wall_service *wall_service;   /* finds and changes walls and presets (walls.h) */
    struct source_editor *source_editor; /* sources changed from the console (source_edit.h) */
    struct ptz_center *ptz;              /* steers cameras (ptz.h); NULL: none (unit tests) */
    struct rtsp_restream *restream;      /* NULL: server.rtsp_restream is not configured */
    struct kv_store *shared;             /* a cluster's shared store; NULL: no "cluster" */
    struct cluster_nodes *nodes;         /* a cluster's nodes (failover); NULL: no "cluster" */
    bool handing_over;                   /* stopping: the clients were told where to go */
    gint64 handover_until;               /* monotonic µs: stop then, clients left or not */
    struct preset_share *preset_share;   /* presets in it (cluster_presets.h); NULL: in files */
    struct source_share *source_share;   /* sources changed at runtime in it (cluster_sources.h) */
    struct presentation_share *presentation_share; /* live runs in it (cluster_presentations.h) */
    struct alarm_share *alarm_share;               /* alarm state in it (cluster_alarms.h) */
    struct event_relay *event_relay; /* sources' events between nodes (cluster_events.h) */
    struct replay_center *replays;   /* replays of wall tiles (replay.h); NULL: none */
    struct recordings *recordings; /* the cameras' recordings (recordings.h); NULL in unit tests */
} pantau_server;

/* The full state as sent in a snapshot: sources, walls, presets, data.
 * Returns a new reference. */
json_t *server_snapshot(const pantau_server *srv);

#endif
