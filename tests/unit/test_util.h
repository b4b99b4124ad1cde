/* test_util.h - helpers shared by the Check suites: running one TCase per
 * process, temporary directories and files, capturing stderr. */
#ifndef PANTAU_TEST_UTIL_H
#define PANTAU_TEST_UTIL_H

#include "source_types.h"

#include <check.h>
#include <jansson.h>
#include <stdbool.h>

/* Runs the TCase named argv[1] of s (every TCase without an argument).
 * Returns the process exit status: 0 when every test passed and at least one
 * ran. Frees s. */
int tu_run(Suite *s, int argc, char **argv);

/* Runs the default main context for ms (sleeping 2 ms when it has nothing
 * to do). */
void tu_loop_for(int ms);

/* Runs the default main context until done(data) or ms pass. Whether done. */
bool tu_loop_until(bool (*done)(const void *data), const void *data, int ms);

/* A fresh directory under $TMPDIR; g_free the result. */
char *tu_temp_dir(void);

/* Removes path and everything below it; never follows symbolic links. */
void tu_remove_tree(const char *path);

/* Writes text to dir/name (creating nothing else). Returns the path; g_free it. */
char *tu_write_file(const char *dir, const char *name, const char *text);

/* The whole file, or NULL when it cannot be read; g_free it. */
char *tu_read_file(const char *path);

bool tu_exists(const char *path);

/* Number of entries in dir whose name contains part. */
int tu_count_entries(const char *dir, const char *part);

/* Parses JSON text or fails the test. New reference. */
json_t *tu_json(const char *text);

/* Compact, key-sorted JSON text of value; free() it. */
char *tu_dump(const json_t *value);

/* Redirects fd 2 to a temporary file until tu_capture_end(), which restores
 * it and returns what was written (g_free it). */
typedef struct tu_capture {
    int saved_fd;
    char *path;
} tu_capture;
void tu_capture_begin(tu_capture *cap);
char *tu_capture_end(tu_capture *cap);

struct pantau_server;
struct source_registry;
struct pantau_source;

/* A server for tests of operations: state directory dir (copied), the walls
 * of walls_json (a JSON array of wall configurations), presets kept in dir
 * (written at once: no write hook), an empty source registry, a bus with
 * no subscriber, and the wall service over them writing at once (no disk
 * writer, no audit log); everything else zero. */
struct pantau_server *tu_server_new(const char *dir, const char *walls_json);

/* Frees what tu_server_new made and the sources added to its registry; a
 * test frees what it added itself (alarms, config) first. NULL is a
 * no-op. */
void tu_server_free(struct pantau_server *srv);

/* Adds src to reg, which owns it from then on. */
void tu_registry_add(struct source_registry *reg, struct pantau_source *src);

/* A camera type with no plugin behind it: its streams open and close and
 * deliver nothing (the test pushes frames itself). */
extern source_type_entry tu_camera_type;
/* A destroy() that frees nothing, for hand-made types. */
void tu_fake_destroy(void *instance);

/* The media engine's dependencies for unit tests: reg and bus (borrowed),
 * a minute's grace, 32 bytes of room, streams that open and close and do
 * nothing else (a test overrides what it watches). */
struct media_deps;
struct event_bus;
struct media_deps tu_media_deps(struct source_registry *reg, struct event_bus *bus);

/* A live camera id of tu_camera_type, added to reg (which owns it). */
struct pantau_source *tu_camera_add(struct source_registry *reg, const char *id);

/* The access units (GBytes *) an appsink named "out" at the end of the
 * GStreamer launch line gets, until its end of stream; fails the test
 * unless there are expect of them. */
GPtrArray *tu_encoded_units(const char *launch, unsigned expect);

#endif
