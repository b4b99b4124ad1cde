/*
 * pantau/testhost.h - a fake pantau core for a plugin's unit tests
 * (libpantau-testhost).
 *
 * It loads a plugin's .so as the server would (dlopen, the ABI check,
 * load() with a host table), without a server, a main loop or sockets. A
 * test makes sources with settings, starts them, advances a virtual clock
 * that runs the plugin's timers, and reads back what the plugin did: the
 * data it published, its status and reason, the events it raised, its log
 * lines and its timers.
 *
 *     pantau_testhost *th = pantau_testhost_new("build/hello.so", &error);
 *     pantau_source *s = pantau_testhost_create(th, "hello", "h1", settings, &error);
 *     pantau_testhost_start(th, s);
 *     pantau_testhost_advance(th, 5000);            // five seconds of timers
 *     const json_t *data = pantau_testhost_data(s); // the latest publish()
 *     pantau_testhost_free(th);
 *
 * One test host at a time per process (the host's timer functions take no
 * host argument). Everything runs on the calling thread; host functions the
 * ABI says are safe from any thread (log, media_push, set_status_async)
 * are, and set_status_async is applied at the next advance(), as the core
 * applies it on its next main loop turn.
 *
 * JSON ownership as in plugin.h: parameters are borrowed; returned
 * json_t * are borrowed from the test host unless the comment says "new
 * reference".
 */
#ifndef PANTAU_TESTHOST_H
#define PANTAU_TESTHOST_H

#include <pantau/plugin.h>

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pantau_testhost pantau_testhost;

/* Loads the plugin at so_path and calls its load(). Returns the test host,
 * or NULL with *error set to a malloc'd reason (not a shared object, no
 * descriptor, another ABI, load() refused, a refused source type...). */
pantau_testhost *pantau_testhost_new(const char *so_path, char **error);

/* Destroys the sources still alive, calls the plugin's unload(), removes
 * the timers it left and unloads it. NULL is ignored. */
void pantau_testhost_free(pantau_testhost *th);

/* The plugin's descriptor (borrowed, valid until free). */
const pantau_plugin_descriptor *pantau_testhost_plugin(const pantau_testhost *th);

/* A source type the plugin registered, or NULL (borrowed). */
const pantau_source_type *pantau_testhost_type(const pantau_testhost *th, const char *type_id);

/* The type's defaults() with settings (borrowed, may be NULL) merged over
 * them key by key, as the core merges a config's settings. New reference. */
json_t *pantau_testhost_settings(const pantau_testhost *th, const char *type_id,
                                 const json_t *settings);

/* Calls the type's check() on the merged settings. Returns 0, or -1 with
 * *error set (malloc'd); a type without check() accepts everything. */
int pantau_testhost_check(pantau_testhost *th, const char *type_id, const json_t *settings,
                          char **error);

/* Makes a source of type_id named source_id with settings (borrowed,
 * merged over the defaults) through create(). Returns the source (owned by
 * the test host), or NULL with *error set (malloc'd). */
pantau_source *pantau_testhost_create(pantau_testhost *th, const char *type_id,
                                      const char *source_id, const json_t *settings, char **error);

/* Calls update() with settings (borrowed, merged over the defaults).
 * Returns 0, or -1 with *error set (malloc'd), also when the type has no
 * update(). */
int pantau_testhost_update(pantau_testhost *th, pantau_source *source, const json_t *settings,
                           char **error);

/* The source gets its first viewer / loses its last: start() / stop(). */
void pantau_testhost_start(pantau_testhost *th, pantau_source *source);
void pantau_testhost_stop(pantau_testhost *th, pantau_source *source);

/* Stops the source if started, calls destroy() and forgets it. */
void pantau_testhost_destroy(pantau_testhost *th, pantau_source *source);

/* Moves the virtual clock ms forward, running every timer that falls due
 * on the way, in order of due time (a timer made by a callback runs too
 * when it falls due in the window). Applies pending set_status_async first. */
void pantau_testhost_advance(pantau_testhost *th, unsigned ms);

/* The virtual clock: milliseconds since the test host was made. */
int64_t pantau_testhost_now_ms(const pantau_testhost *th);

/* The number of the plugin's timers still running. */
size_t pantau_testhost_timer_count(const pantau_testhost *th);

/* The latest data the source published (borrowed, valid until the next
 * publish or destroy), or NULL. */
const json_t *pantau_testhost_data(const pantau_source *source);

/* How many times the source published. */
size_t pantau_testhost_publish_count(const pantau_source *source);

/* The source's status (PANTAU_STATUS_IDLE until the plugin set one) and
 * its reason (borrowed; NULL when none) when reason is not NULL. */
enum pantau_source_status pantau_testhost_status(const pantau_source *source, const char **reason);

/* The events the source raised, oldest first: an array (borrowed) of
 * {"severity": "info"|"warning"|"critical", "message": "...", "details":
 * {...} or null, "time_ms": <virtual clock>}. */
const json_t *pantau_testhost_events(const pantau_source *source);

/* The log lines the plugin wrote, oldest first: an array (borrowed) of
 * {"level": "error"|"warn"|"info"|"debug", "message": "..."}. Log lines
 * also go to stderr when PANTAU_TESTHOST_VERBOSE is set. */
const json_t *pantau_testhost_log(const pantau_testhost *th);

/* Carries out a control action (ABI 1.3) on source through the type's
 * control(): args borrowed, may be NULL. When the plugin has not answered
 * by the time control() returns, the virtual clock advances up to wait_ms
 * until it does. Returns 0 with *result set to the answer's result (new
 * reference, may be NULL); or -1 with *error set (malloc'd): the plugin's
 * error, an unknown action, no control(), no answer within wait_ms, or a
 * second answer. */
int pantau_testhost_control(pantau_testhost *th, pantau_source *source, const char *action,
                            const json_t *args, unsigned wait_ms, json_t **result, char **error);

/* The same for the type's type_control(), with no source. */
int pantau_testhost_type_control(pantau_testhost *th, const char *type_id, const char *action,
                                 const json_t *args, unsigned wait_ms, json_t **result,
                                 char **error);

/* Access units media_push handed over for a stream, and their bytes. */
size_t pantau_testhost_media_count(const pantau_source *source, enum pantau_stream stream,
                                   size_t *bytes);

#ifdef __cplusplus
}
#endif

#endif /* PANTAU_TESTHOST_H */
