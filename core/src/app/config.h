/* config.h - reads and checks pantau's JSON configuration. Every error names
 * the file, line, column and JSON path. The configuration is read-only. */
#ifndef PANTAU_CONFIG_H
#define PANTAU_CONFIG_H

#include "config_check.h"
#include "listen_addr.h"

#include <glib.h>
#include <jansson.h>

/* The default of server.client_queue_budget_mib: about 16 clients that stopped
 * reading, each with its 4 MiB of video; a wall that keeps up queues little. */
#define CONFIG_CLIENT_QUEUE_BUDGET_MIB 64

/* The defaults of server.malloc_arenas and server.heap_trim_s: streaming
 * threads share two arenas, and their free pages go back every 10 s
 * (docs/reliability.md, "Memory over months"). */
#define CONFIG_MALLOC_ARENAS 2
#define CONFIG_HEAP_TRIM_S 10

/* The default of server.rtsp_restream.port: RTSP's usual 554 needs root. */
#define CONFIG_RTSP_RESTREAM_PORT 8554

typedef struct pantau_config {
    char *path;          /* as given */
    char *dir;           /* the directory relative paths are resolved against */
    char *listen;        /* listen address as written, default 127.0.0.1 */
    listen_addr bind;    /* listen resolved (when the config is valid) */
    int port;            /* default 8080; 0 = any free port */
    int stream_grace_ms; /* a camera stream stops this long after its last viewer */
    int h265_transcodes; /* H.265 cameras converted to H.264 at once, at most */
    char *state_dir;     /* NULL = not set in the file */
    char *plugin_dir;    /* NULL = not set in the file */
    json_t *root;        /* owned */
    /* All client queues together may hold this many MiB; past it, stalled
     * clients are cut off (docs/security.md, "Client queues"). */
    int client_queue_budget_mib;
    int malloc_arenas;      /* glibc malloc arenas at most; 0 = glibc's default */
    int heap_trim_s;        /* free heap pages go back this often; 0 = never */
    int rtsp_restream_port; /* server.rtsp_restream.port; -1: no restream; 0: any free port */
    int replay_idle_s; /* a tile in replay goes back to live after this long without a replay op */
    /* Borrowed from root: */
    const json_t *plugin_names; /* array of names, or NULL = every plugin found */
    const json_t *sources;      /* array, never NULL */
    const json_t *walls;        /* array, never NULL */
    const json_t *presets;      /* array seeded into an empty preset store, or NULL */
    /* Limits of what changes may grow the state to (server.max_*): */
    int max_presets;      /* presets that may be saved, default PRESET_DEFAULT_MAX */
    int max_layout_tiles; /* tiles a change may give a layout, default LAYOUT_MAX_TILES */
} pantau_config;

/* Reads and checks the file. Returns the config, or NULL after appending one
 * "FILE:LINE:COL: PATH: message" string (g_free'd by the array) per error to
 * errors. */
pantau_config *config_load(const char *path, GPtrArray *errors);

/* config_load, then config_check_plugins against plugin_dir_override (or the
 * config's plugin directory, or the built-in one), reporting every error of
 * both. NULL when anything is wrong. */
pantau_config *config_load_checked(const char *path, const char *plugin_dir_override,
                                   GPtrArray *errors);

/* config_load_checked, and then each source's settings checked by its
 * plugin (ABI 1.2 check()), which loads the plugins for a moment:
 * `pantau --check-config`. A server that starts instead reports a source
 * its plugin refuses as that source's error status and keeps running. */
pantau_config *config_check_file(const char *path, const char *plugin_dir_override,
                                 GPtrArray *errors);

/* Checks that every plugin named in plugins.load has <plugin_dir>/<name>.so.
 * Appends errors as config_load does; returns the number found. */
int config_check_plugins(const pantau_config *cfg, const char *plugin_dir, GPtrArray *errors);

void config_free(pantau_config *cfg);

/* Checks one source entry (borrowed) as the checker checks "sources[N]",
 * reporting at at (e.g. "source"): an object of id, type, name, settings,
 * a valid id not in ids (a set, borrowed, the id added; NULL: not
 * checked). The plugin's own check is source_check_entry (source.h). */
void config_check_source(config_checker *c, const json_t *src, const char *at, GHashTable *ids);

#endif
