/* loaded_plugin.h - a loaded plugin and the loader that owns it: shared by
 * the loader (plugin_loader.c) and the host tables (host.c), so neither
 * includes the other's header. */
#ifndef PANTAU_LOADED_PLUGIN_H
#define PANTAU_LOADED_PLUGIN_H

#include "host_deps.h"
#include "pantau/plugin.h"

#include <glib.h>

typedef struct loaded_plugin {
    char *name;
    char *file;
    char *data_dir;      /* <plugin_dir>/<name> */
    char *web_dir;       /* <plugin_dir>/<name>/web */
    void *handle;        /* dlopen handle */
    void *base;          /* where it is loaded (dladdr): its timers' owner */
    source_types *types; /* where its load() registers types: the loader's, or a
                          * staging table during a live reload */
    const pantau_plugin_descriptor *descriptor;
    pantau_host host; /* this plugin's host table */
    struct plugin_loader *loader;
    char *refusal;  /* why a registration failed during load(), or NULL */
    char *identity; /* the file's device, inode, size and mtime when loaded */
} loaded_plugin;

typedef struct plugin_loader {
    const host_deps *deps; /* borrowed: what the host tables reach */
    char *dir;
    GPtrArray *plugins; /* loaded_plugin *, owned */
} plugin_loader;

#endif
