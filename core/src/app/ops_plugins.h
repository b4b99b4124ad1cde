/* ops_plugins.h - live reload of a plugin (issue 18): a new version of
 * its .so replaces the running one and its sources are made anew of the
 * new types with their settings, their viewers kept; other sources and the
 * clients are untouched. A new version that cannot load leaves the old one
 * running. Asked for by SIGHUP (every plugin whose file changed) or by the
 * plugin.reload op. Main loop only. */
#ifndef PANTAU_OPS_PLUGINS_H
#define PANTAU_OPS_PLUGINS_H

#include "server.h"

/* Reloads plugin name from its file. Returns 0, or -1 with *error set
 * (g_malloc'd, logged) when it is not loaded or its new file is refused:
 * then nothing changed. */
int plugin_reload(pantau_server *srv, const char *name, char **error);

/* Reloads every plugin whose file changed since it was loaded (SIGHUP);
 * each refusal is logged. Returns how many were reloaded. */
unsigned plugin_reload_changed(pantau_server *srv);

#endif
