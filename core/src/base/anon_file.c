/* anon_file.c - temporary files without a name (anon_file.h). */
#include "anon_file.h"

#include <fcntl.h>
#include <glib/gstdio.h>

int anon_file_open(const char *tmpl, char **path, GError **error)
{
    char *name = NULL;
    int fd = g_file_open_tmp(tmpl, &name, error);
    if (fd < 0)
        return -1;
    /* The name goes at once: from here the file is the descriptor's only. */
    g_unlink(name);
    g_free(name);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    *path = g_strdup_printf("/proc/self/fd/%d", fd);
    return fd;
}
