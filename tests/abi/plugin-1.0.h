/*
 * tests/abi/plugin-1.0.h - FROZEN copy of pantau/plugin.h at ABI 1.0
 * (commit 8f0c067). Never edit it: abi10.c is built against it, and the
 * core must keep loading what it builds (issue 18).
 *
 * pantau/plugin.h - the one header a pantau plugin includes.
 *
 * A plugin is a shared object that exports one function, made by
 * PANTAU_PLUGIN_DEFINE(), returning a descriptor. The core loads it with
 * dlopen(RTLD_NOW | RTLD_LOCAL), checks the ABI version, then calls load()
 * with a host table. load() registers source types; each type is a struct of
 * callbacks the core calls to create, configure, start and stop sources.
 *
 * Versioning: a plugin built against ABI major M, minor m loads in a core
 * with the same major M and a minor >= m. Structs passed across the boundary
 * carry their size; fields are only ever appended, so an older plugin's
 * shorter struct still works and a newer core reads only what is there.
 *
 * Threading: every callback the core makes into a plugin runs on the core's
 * main loop thread, and must return quickly (no blocking I/O, no sleeping).
 * Host functions are main-loop-only unless their comment says otherwise.
 *
 * JSON ownership: a json_t * passed into a callback or a host function is
 * borrowed (the callee must json_incref() to keep it) unless the comment says
 * "steals". A json_t * returned to the core is a new reference the core
 * releases.
 */
#ifndef PANTAU_PLUGIN_H
#define PANTAU_PLUGIN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PANTAU_ABI_MAJOR 1
#define PANTAU_ABI_MINOR 0

/* The exported symbol every plugin defines through PANTAU_PLUGIN_DEFINE. */
#define PANTAU_PLUGIN_SYMBOL "pantau_plugin_describe"

/* Opaque handle of one source instance, owned by the core. Valid from
 * create() until destroy() returns. */
typedef struct pantau_source pantau_source;

typedef struct pantau_host pantau_host;

enum pantau_log_level {
    PANTAU_LOG_ERROR = 0,
    PANTAU_LOG_WARN = 1,
    PANTAU_LOG_INFO = 2,
    PANTAU_LOG_DEBUG = 3,
};

enum pantau_severity {
    PANTAU_SEVERITY_INFO = 0,
    PANTAU_SEVERITY_WARNING = 1,
    PANTAU_SEVERITY_CRITICAL = 2,
};

enum pantau_source_status {
    PANTAU_STATUS_LIVE = 0,
    PANTAU_STATUS_RECONNECTING = 1,
    PANTAU_STATUS_OFFLINE = 2,
    PANTAU_STATUS_ERROR = 3,
    PANTAU_STATUS_STALE = 4,
};

/* Callbacks of one source type. Fill with designated initialisers; set
 * .size = sizeof(pantau_source_type). Required: size, id, kind, create,
 * destroy. Everything else may be NULL. */
typedef struct pantau_source_type {
    size_t size;
    /* Unique type id across all plugins, e.g. "clock". Borrowed: must live
     * as long as the plugin is loaded (a string literal). */
    const char *id;
    /* "widget", "camera" or "slide". */
    const char *kind;
    /* Human-readable name for the console. */
    const char *display_name;
    /* Path of the ES module that renders this type in a browser, relative to
     * the plugin's web/ folder (served under /plugins/<plugin>/), or NULL. */
    const char *web_module;

    /* Default settings. Returns a new reference (object), or NULL. */
    json_t *(*defaults)(void);
    /* Settings schema for the console (JSON Schema subset). Returns a new
     * reference, or NULL. Fields with "secret": true never leave the core. */
    json_t *(*schema)(void);

    /* Makes a source. settings is borrowed and already merged with defaults.
     * On failure returns NULL and sets *error to a g_malloc'd or malloc'd
     * message the core frees with free(). Returns the plugin's instance
     * data, passed back to every other callback. */
    void *(*create)(pantau_source *source, const json_t *settings, char **error);
    /* Releases the instance data. Called once; the source is stopped first. */
    void (*destroy)(void *instance);
    /* Applies new settings (borrowed). Returns 0, or -1 with *error set as
     * for create(); on failure the old settings stay in force. */
    int (*update)(void *instance, const json_t *settings, char **error);
    /* The source is now shown somewhere (first viewer) / nowhere (last
     * viewer gone). Widgets may publish regardless. */
    void (*start)(void *instance);
    void (*stop)(void *instance);
} pantau_source_type;

/* Services the core offers. The table starts with its size: check
 * host->size >= offsetof(pantau_host, field) + sizeof(host->field) before
 * using a field added after the plugin's ABI minor. */
struct pantau_host {
    size_t size;
    uint32_t abi_major;
    uint32_t abi_minor;

    /* Writes one log line, prefixed with the plugin's name. Never log
     * secrets. Safe from any thread. */
    void (*log)(const pantau_host *host, enum pantau_log_level level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

    /* Registers a source type; type_size is sizeof(pantau_source_type) as
     * the plugin knows it. Only valid inside load(). Returns 0, or -1 (with a
     * log line) for a duplicate id, a missing required callback or a size
     * too small. The struct and its strings are borrowed for the plugin's
     * lifetime. */
    int (*register_source_type)(const pantau_host *host, const pantau_source_type *type,
                                size_t type_size);

    /* Publishes a widget data snapshot for a source. data is borrowed; the
     * core copies what it keeps and pushes it to clients showing the source. */
    void (*publish)(pantau_source *source, const json_t *data);

    /* Sets a source's status and reason (reason may be NULL; borrowed). */
    void (*set_status)(pantau_source *source, enum pantau_source_status status,
                       const char *reason);

    /* Raises an event (alarm input). message borrowed; details borrowed,
     * may be NULL. */
    void (*raise_event)(pantau_source *source, enum pantau_severity severity,
                        const char *message, const json_t *details);

    /* Calls cb(user) every interval_ms on the main loop until it returns 0
     * or the timer is removed. Returns a non-zero timer id. */
    unsigned (*timer_add)(unsigned interval_ms, int (*cb)(void *user), void *user);
    /* Removes a timer; unknown or already-finished ids are ignored. */
    void (*timer_remove)(unsigned timer_id);

    /* The source's id from the config (borrowed, valid while the source is). */
    const char *(*source_id)(const pantau_source *source);
    /* The directory where the plugin may keep files (borrowed). */
    const char *(*state_dir)(const pantau_host *host);
    /* The directory of the plugin's own files: <plugin_dir>/<name> (borrowed). */
    const char *(*plugin_data_dir)(const pantau_host *host);
};

typedef struct pantau_plugin_descriptor {
    uint32_t abi_major;
    uint32_t abi_minor;
    const char *name;        /* unique plugin name, [a-z0-9_-]+ */
    const char *version;     /* the plugin's own version */
    const char *description; /* one line */
    /* Registers source types. Returns 0, or non-zero to refuse loading. */
    int (*load)(const pantau_host *host);
    /* Called before the plugin is unloaded, after all its sources are gone. */
    void (*unload)(void);
} pantau_plugin_descriptor;

typedef const pantau_plugin_descriptor *(*pantau_plugin_describe_fn)(void);

/* Defines the plugin's exported descriptor:
 * PANTAU_PLUGIN_DEFINE("clock", "1.0.0", "Clock widget", clock_load, clock_unload) */
#define PANTAU_PLUGIN_DEFINE(NAME, VERSION, DESCRIPTION, LOAD, UNLOAD)                             \
    __attribute__((visibility("default"))) const pantau_plugin_descriptor                         \
        *pantau_plugin_describe(void);                                                             \
    const pantau_plugin_descriptor *pantau_plugin_describe(void)                                  \
    {                                                                                              \
        static const pantau_plugin_descriptor descriptor = {                                       \
            PANTAU_ABI_MAJOR, PANTAU_ABI_MINOR, NAME, VERSION, DESCRIPTION, LOAD, UNLOAD};         \
        return &descriptor;                                                                        \
    }

#ifdef __cplusplus
}
#endif

#endif /* PANTAU_PLUGIN_H */
