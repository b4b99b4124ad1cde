/* state_store.h - the state directory: JSON files written atomically
 * (temporary file, fsync, rename, fsync of the directory), so a crash at any
 * moment leaves the old or the new version of a file, never a broken one.
 * A file that cannot be read is kept aside, never overwritten. */
#ifndef PANTAU_STATE_STORE_H
#define PANTAU_STATE_STORE_H

#include <jansson.h>

/* Creates dir (and parents) if missing, and removes the temporary files
 * ("*.json.tmp.<pid>") a crash left in dir and its subdirectories, with a
 * log line each. Call it once at start. Returns 0 or -1 (errno set). */
int state_store_init(const char *dir);

/* Writes value (borrowed) to dir/name atomically. name may contain one
 * subdirectory ("walls/main.json"), created when missing. Returns 0, or -1
 * with errno set and a log line naming the file; on failure the old file
 * is untouched. */
int state_store_write(const char *dir, const char *name, const json_t *value);

/* Removes dir/name (a missing file is not an error). Returns 0, or -1 with
 * errno set and a log line. */
int state_store_remove(const char *dir, const char *name);

/* Reads dir/name. Returns a new reference, or NULL when the file is missing
 * or unreadable. A file that is not JSON is kept aside (see
 * state_store_set_aside); stray temporary files from a crash are never
 * read. */
json_t *state_store_read(const char *dir, const char *name);

/* Renames dir/name to dir/name.corrupt-<UTC time> so that no later write
 * replaces it, and logs why (a phrase: "not JSON (line 3: ...)").
 * Returns 0, or -1 (logged) when it could not be renamed. */
int state_store_set_aside(const char *dir, const char *name, const char *why);

/* ---- batches: files written together off the main loop ----
 * Made on the main loop with copies (each document serialized when it is
 * added), run on the writer thread (disk_writer.h). */
typedef struct state_batch state_batch;

state_batch *state_batch_new(const char *dir);

/* Adds the atomic write of value (borrowed, serialized now) to dir/name. */
void state_batch_write(state_batch *b, const char *name, const json_t *value);

/* Adds the removal of dir/name (a missing file is not an error). */
void state_batch_remove(state_batch *b, const char *name);

/* Writes and removes, in the order added, stopping at the first failure
 * (logged). Touches only b and the files: safe on any thread. Returns 0 or
 * an errno value. */
int state_batch_run(state_batch *b);

void state_batch_free(state_batch *b);

#endif
