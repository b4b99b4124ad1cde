/*
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
 * carry their size in their first field (set once, .size = sizeof the
 * struct as the plugin knows it); fields are only ever appended, so an
 * older plugin's shorter struct still works and a newer core reads only
 * what is there. tests/unit/plugin/test_abi.c pins every offset, and a
 * plugin built against the frozen 1.0 header (tests/abi/plugin-1.0.h) must
 * still load. Versions: 1.0 widgets; 1.1 cameras (streams, media_push);
 * 1.2 check(); 1.3 control(), type_control(), H.265; 1.4 type_data and the
 * *_for callbacks, update() called on a settings change, timers owned by
 * their plugin, register_type() (the size given once), live reload.
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
#define PANTAU_ABI_MINOR 4

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

/* The two streams a camera may offer: full resolution, and a smaller one
 * for small tiles. (ABI 1.1) */
enum pantau_stream {
    PANTAU_STREAM_MAIN = 0,
    PANTAU_STREAM_SUB = 1,
};

/* Flags of host->media_push. (ABI 1.1) */
enum pantau_media_flags {
    /* The plugin decoded and re-encoded this stream (its source is not
     * H.264); shown to operators as "transcoded". */
    PANTAU_MEDIA_TRANSCODED = 1u << 0,
    /* The access unit is H.265 (Annex B, VPS/SPS/PPS in front of every
     * IRAP picture) instead of H.264. (ABI 1.3) */
    PANTAU_MEDIA_H265 = 1u << 1,
};

/* The answer to a control action (ABI 1.3): exactly one of result (a
 * borrowed JSON value, may be NULL on success) and error (a borrowed
 * message naming what went wrong, never a secret) is meaningful: error NULL
 * means success. Called on the main loop. */
typedef void (*pantau_reply_fn)(const json_t *result, const char *error, void *data);

enum pantau_source_status {
    PANTAU_STATUS_LIVE = 0,
    PANTAU_STATUS_RECONNECTING = 1,
    PANTAU_STATUS_OFFLINE = 2,
    PANTAU_STATUS_ERROR = 3,
    PANTAU_STATUS_STALE = 4,
    /* Set by the core, never reported by a plugin: a camera none of whose
     * streams has been opened yet, so nothing is known about it. */
    PANTAU_STATUS_IDLE = 5,
};

/* Callbacks of one source type. Fill with designated initialisers; set
 * .size = sizeof(pantau_source_type). Required: size, id, kind, create (or,
 * ABI 1.4, create_for), destroy. Everything else may be NULL. */
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
    /* Applies new settings (borrowed, merged with defaults): since ABI 1.4
     * the core calls it when an admin changes the source's settings or
     * name at run time (source.update), the source staying started and its
     * camera streams closed around the call. Returns 0, or -1 with *error
     * set as for create(); on failure the core destroys the instance and
     * creates a new one with the new settings. NULL: the core always does
     * that (stop, destroy, create, start). */
    int (*update)(void *instance, const json_t *settings, char **error);
    /* The source is now shown somewhere (first viewer) / nowhere (last
     * viewer gone). Widgets may publish regardless. */
    void (*start)(void *instance);
    void (*stop)(void *instance);

    /* ---- ABI 1.1: cameras ---- */

    /* Starts delivering `stream` through host->media_push: the core calls it
     * when the stream gets its first viewer. Returns 0, or -1 when the
     * camera has no such stream (the core then uses the main stream). */
    int (*stream_open)(void *instance, enum pantau_stream stream);
    /* Stops delivering `stream`. After it returns, media_push is never
     * called for it again until the next stream_open. */
    void (*stream_close)(void *instance, enum pantau_stream stream);

    /* ---- ABI 1.2 ---- */

    /* Checks settings (borrowed, merged with defaults) as create() would,
     * making nothing: `pantau --check-config` calls it, so that a bad
     * setting is named with file and line before the server starts.
     * Returns 0, or -1 with *error set as for create(). May be NULL. Called
     * on the main thread, after load(). */
    int (*check)(const json_t *settings, char **error);

    /* ---- ABI 1.3 ---- */

    /* Carries out a control action on a source, e.g. a camera's pan, tilt
     * and zoom ("ptz.move", "ptz.stop", …: the plugin's README lists its
     * actions and their args). args is borrowed. The plugin answers exactly
     * once through done(…, done_data), on the main loop, possibly before it
     * returns. Returns 0, or -1 for an action it does not know (done is
     * then never called). Called on the main loop. May be NULL. */
    int (*control)(void *instance, const char *action, const json_t *args, pantau_reply_fn done,
                   void *done_data);
    /* The same for the type itself, with no source: e.g. "discover" (find
     * devices on the network) or "probe" (read one device's streams and
     * abilities). May be NULL. */
    int (*type_control)(const char *action, const json_t *args, pantau_reply_fn done,
                        void *done_data);

    /* ---- ABI 1.4: one set of functions for several types ---- */

    /* Handed back to the *_for callbacks below, so that one function serves
     * several types (e.g. a pointer to a static struct describing the
     * type). Borrowed: must live as long as the plugin is loaded. */
    void *type_data;
    /* defaults(), schema(), create() and check() with the type's
     * type_data as their first argument. When set, each is called instead
     * of its type_data-less twin (which may then be NULL). */
    json_t *(*defaults_for)(void *type_data);
    json_t *(*schema_for)(void *type_data);
    void *(*create_for)(void *type_data, pantau_source *source, const json_t *settings,
                        char **error);
    int (*check_for)(void *type_data, const json_t *settings, char **error);
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
    void (*set_status)(pantau_source *source, enum pantau_source_status status, const char *reason);

    /* Raises an event (alarm input). message borrowed; details borrowed,
     * may be NULL. */
    void (*raise_event)(pantau_source *source, enum pantau_severity severity, const char *message,
                        const json_t *details);

    /* Calls cb(user) every interval_ms on the main loop until it returns 0
     * or the timer is removed. Returns a non-zero timer id. The timer
     * belongs to the plugin whose code cb is in: the core removes the
     * plugin's timers left after its unload() (ABI 1.4; at unload and live
     * reload), so cb never runs in an unloaded plugin. */
    unsigned (*timer_add)(unsigned interval_ms, int (*cb)(void *user), void *user);
    /* Removes a timer; unknown or already-finished ids are ignored. */
    void (*timer_remove)(unsigned timer_id);

    /* The source's id from the config (borrowed, valid while the source is). */
    const char *(*source_id)(const pantau_source *source);
    /* The directory where the plugin may keep files (borrowed). */
    const char *(*state_dir)(const pantau_host *host);
    /* The directory of the plugin's own files: <plugin_dir>/<name> (borrowed). */
    const char *(*plugin_data_dir)(const pantau_host *host);

    /* ---- ABI 1.1 ---- */

    /* Hands one H.264 access unit of an open stream to the core: Annex B
     * byte stream (start codes), exactly one access unit, with SPS/PPS in
     * front of every keyframe. pts_us is the presentation time in
     * microseconds (any origin, increasing). data is copied before the call
     * returns. flags: enum pantau_media_flags. Safe from any thread (meant
     * for GStreamer streaming threads); only between stream_open and the
     * return of stream_close. */
    void (*media_push)(pantau_source *source, enum pantau_stream stream, const void *data,
                       size_t len, int64_t pts_us, unsigned flags);
    /* set_status, safe from any thread: the change is applied on the main
     * loop soon after. reason is copied. */
    void (*set_status_async)(pantau_source *source, enum pantau_source_status status,
                             const char *reason);

    /* ---- ABI 1.4 ---- */

    /* register_source_type with the size given once, in type->size.
     * Only valid inside load(). Returns 0, or -1 as register_source_type. */
    int (*register_type)(const pantau_host *host, const pantau_source_type *type);
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
    __attribute__((visibility("default"))) const pantau_plugin_descriptor *pantau_plugin_describe( \
        void);                                                                                     \
    const pantau_plugin_descriptor *pantau_plugin_describe(void)                                   \
    {                                                                                              \
        static const pantau_plugin_descriptor descriptor = {                                       \
            PANTAU_ABI_MAJOR, PANTAU_ABI_MINOR, NAME, VERSION, DESCRIPTION, LOAD, UNLOAD};         \
        return &descriptor;                                                                        \
    }

#ifdef __cplusplus
}
#endif

#endif /* PANTAU_PLUGIN_H */
