/* plugin_loader.h - finds, checks and loads plugins, and keeps the source
 * types they register. */
#ifndef PANTAU_PLUGIN_LOADER_H
#define PANTAU_PLUGIN_LOADER_H

#include "pantau/plugin.h"

#include <glib.h>
#include <jansson.h>

struct pantau_server;

typedef struct loaded_plugin {
    char *name;
    char *file;
    char *data_dir; /* <plugin_dir>/<name> */
    char *web_dir;  /* <plugin_dir>/<name>/web */
    void *handle;   /* dlopen handle */
    const pantau_plugin_descriptor *descriptor;
    pantau_host host; /* this plugin's host table */
    struct plugin_loader *loader;
    char *refusal; /* why a registration failed during load(), or NULL */
} loaded_plugin;

typedef struct source_type_entry {
    pantau_source_type type; /* copied, zero-filled past the plugin's size */
    loaded_plugin *plugin;
} source_type_entry;

typedef struct plugin_loader {
    struct pantau_server *server;
    char *dir;
    GPtrArray *plugins; /* loaded_plugin *, owned */
    GHashTable *types;  /* type id -> source_type_entry *, owned */
} plugin_loader;

/* Loads the plugins in dir: those named in names (borrowed array), or every
 * *.so when names is NULL. Each refused plugin gets one log line and is
 * skipped; the server goes on. */
plugin_loader *plugin_loader_load(struct pantau_server *srv, const char *dir, const json_t *names);

/* Loads one plugin file; returns 0, or -1 after logging why it was refused. */
int plugin_loader_load_file(plugin_loader *loader, const char *file);

const source_type_entry *plugin_loader_find_type(const plugin_loader *loader, const char *id);
loaded_plugin *plugin_loader_find(const plugin_loader *loader, const char *name);

/* Calls every plugin's unload() and closes them. Sources must be gone. */
void plugin_loader_free(plugin_loader *loader);

#endif
