/* state_store.h - the state directory: JSON files written atomically
 * (temporary file, fsync, rename, fsync of the directory), so a crash at any
 * moment leaves the old or the new version of a file, never a broken one. */
#ifndef PANTAU_STATE_STORE_H
#define PANTAU_STATE_STORE_H

#include <jansson.h>

/* Creates dir (and parents) if missing. Returns 0 or -1 (errno set). */
int state_store_init(const char *dir);

/* Writes value (borrowed) to dir/name atomically. name may contain one
 * subdirectory ("walls/main.json"), created when missing. Returns 0, or -1
 * with errno set; on failure the old file is untouched. */
int state_store_write(const char *dir, const char *name, const json_t *value);

/* Reads dir/name. Returns a new reference, or NULL when the file is missing
 * or unreadable (a broken file is logged and ignored; stray temporary files
 * from a crash are never read). */
json_t *state_store_read(const char *dir, const char *name);

#endif
