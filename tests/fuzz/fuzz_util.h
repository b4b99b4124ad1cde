/* fuzz_util.h - what the libFuzzer harnesses share: one scratch directory
 * per process (under $TMPDIR, removed at exit), files written into it, and
 * a resolver that never touches the network. */
#ifndef PANTAU_FUZZ_UTIL_H
#define PANTAU_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* The process's scratch directory, made on the first call and removed with
 * everything below it at exit. Borrowed; never NULL (aborts instead). */
const char *fuzz_scratch_dir(void);

/* Writes size bytes of data to dir/name (name may hold one subdirectory,
 * created when missing). Returns the path (g_free it); aborts on failure. */
char *fuzz_write_file(const char *dir, const char *name, const uint8_t *data, size_t size);

/* Removes everything below dir (dir itself stays); never follows links. */
void fuzz_empty_dir(const char *dir);

/* Makes GLib's default resolver answer every name lookup with "not found"
 * (numeric addresses still parse), so input naming a host never reaches
 * DNS: the run stays fast and deterministic. */
void fuzz_resolver_offline(void);

#endif
