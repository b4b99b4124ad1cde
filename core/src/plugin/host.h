/* host.h - the host table handed to each plugin: the services of the core. */
#ifndef PANTAU_HOST_H
#define PANTAU_HOST_H

#include "pantau/plugin.h"
#include "host_deps.h"

struct loaded_plugin;
struct media_engine;

/* Fills the plugin's host table with the core's services. */
void host_init(struct loaded_plugin *plugin);

/* Removes the timers whose callback is in the object loaded at base (a
 * plugin's, loaded_plugin.base): after its unload(), before dlclose. */
void host_remove_timers_of(const void *base);

/* Removes every timer still running (at shutdown). */
void host_remove_all_timers(void);

#endif
