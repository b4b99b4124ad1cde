/* plugin_loader.h - finds, checks and loads plugins, and puts the source
 * types they register into the table it is given (source_types.h). */
#ifndef PANTAU_PLUGIN_LOADER_H
#define PANTAU_PLUGIN_LOADER_H

#include "host_deps.h"
#include "loaded_plugin.h"
#include "pantau/plugin.h"
#include "source_types.h"

#include <glib.h>
#include <jansson.h>

/* Loads the plugins in dir: those named in names (borrowed array), or every
 * *.so when names is NULL, their types registered in deps->types (an entry's
 * owner is its loaded_plugin). deps is borrowed and must outlive the loader.
 * Each refused plugin gets one log line and is skipped; the server goes on. */
plugin_loader *plugin_loader_load(const host_deps *deps, const char *dir, const json_t *names);

/* Loads one plugin file; returns 0, or -1 after logging why it was refused. */
int plugin_loader_load_file(plugin_loader *loader, const char *file);

/* The loaded plugin of that name, or NULL. Borrowed. */
loaded_plugin *plugin_loader_find(const plugin_loader *loader, const char *name);

/* Removes every plugin's types from deps->types, calls its unload() and
 * closes it. Sources must be gone. NULL is ignored. */
void plugin_loader_free(plugin_loader *loader);

#endif
