/* fuzz_util.h - what the libFuzzer harnesses share: one scratch directory
 * per process (under $TMPDIR, removed at exit), files written into it, a
 * resolver that never touches the network, and input split into packets. */
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

/* Splits data (size bytes) into packets, each a 2-byte big-endian length
 * and that many bytes (a length past the end takes what is left), and calls
 * fn with an exact-size copy of each (freed after the call), so that a read
 * past a packet is caught. */
void fuzz_each_packet(const uint8_t *data, size_t size,
                      void (*fn)(const uint8_t *pkt, size_t n, void *user), void *user);

#endif
