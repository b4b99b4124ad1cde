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

/* Loads one plugin file without logging: the plugin (borrowed), or NULL
 * with *reason set (g_malloc'd): why it was refused (dlopen's error, its
 * ABI, a missing callback, a duplicate name or type id, ...). */
loaded_plugin *plugin_loader_try_file(plugin_loader *loader, const char *file, char **reason);

/* Loads one plugin file; returns 0, or -1 after logging why it was refused. */
int plugin_loader_load_file(plugin_loader *loader, const char *file);

/* The loaded plugin of that name, or NULL. Borrowed. */
loaded_plugin *plugin_loader_find(const plugin_loader *loader, const char *name);

/* Loads a new version of the loaded plugin `name` from its file (through a
 * private copy, so a replaced file is really read again) next to the old
 * one: its load() registers its types into a staging table, and the types
 * must not clash with other plugins' ones. Returns the staged plugin, for
 * plugin_loader_commit or plugin_loader_discard; or NULL with *error set
 * (g_malloc'd): the old version is untouched. */
loaded_plugin *plugin_loader_stage(plugin_loader *loader, const char *name, char **error);

/* Replaces the old version of staged (steals it) by it: the old one's
 * types leave the table (its sources must have let go of them), its
 * unload() is called, its timers removed and it is closed; the staged
 * types take their place. */
void plugin_loader_commit(plugin_loader *loader, loaded_plugin *staged);

/* Unloads and frees a staged plugin that will not be committed (steals
 * it; its load() succeeded, its unload() has been called). NULL ignored. */
void plugin_loader_discard(loaded_plugin *staged);

/* Frees a loaded plugin: removes its timers and closes it (its unload()
 * must have been called). */
void plugin_free(loaded_plugin *p);

/* The names of the loaded plugins whose file changed (another inode, size
 * or mtime) since they were loaded: a new array of g_malloc'd names. */
GPtrArray *plugin_loader_changed(const plugin_loader *loader);

/* Removes every plugin's types from deps->types, calls its unload() and
 * closes it. Sources must be gone. NULL is ignored. */
void plugin_loader_free(plugin_loader *loader);

#endif
