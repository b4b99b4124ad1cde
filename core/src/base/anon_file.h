/* anon_file.h - a temporary file without a name: made in the temporary
 * folder (TMPDIR) and unlinked at once, so that nothing is left of it
 * whatever ends the process (a stop that does not wait for the thread
 * still writing it, a crash, a kill). Code that opens a path itself
 * (filesink, mp4mux) reaches it through /proc/self/fd. */
#ifndef PANTAU_ANON_FILE_H
#define PANTAU_ANON_FILE_H

#include <glib.h>

/* Its descriptor (read-write, close-on-exec: close it when done), with
 * *path set to "/proc/self/fd/N" (g_free it), valid while the descriptor
 * is open; or -1 with *error (may be NULL). tmpl as g_file_open_tmp's: the
 * name shows, "(deleted)", in /proc/PID/fd. */
int anon_file_open(const char *tmpl, char **path, GError **error);

#endif
