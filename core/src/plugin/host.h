/* host.h - the host table handed to each plugin: the services of the core. */
#ifndef PANTAU_HOST_H
#define PANTAU_HOST_H

#include "pantau/plugin.h"
#include "source_types.h"

struct loaded_plugin;
struct media_engine;

/* What the host tables reach, given to the plugin loader (which borrows it:
 * it must outlive the loader; main clears media when the engine goes).
 * Sources reach their bus through their registry (source.h). */
typedef struct host_deps {
    source_types *types;        /* the plugins register their source types here; required */
    struct media_engine *media; /* told of every status report; NULL: no media */
    const char *state_dir;      /* host->state_dir(); NULL when only checking a config */
} host_deps;

/* Fills the plugin's host table with the core's services. */
void host_init(struct loaded_plugin *plugin);

/* Removes every timer still running (at shutdown). */
void host_remove_all_timers(void);

#endif
