/* close_hold.c - close() held to its number during a stretch of code
 * (close_hold.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT, dup3 */
#endif
#include "close_hold.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <glib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The close() this file stands in front of: found before main, so that
 * close() stays async-signal-safe and never recurses. */
static int (*next_close)(int);

__attribute__((constructor)) static void find_next_close(void)
{
    void *sym = dlsym(RTLD_NEXT, "close");
    memcpy(&next_close, &sym, sizeof next_close); /* C has no cast from void * */
}

static int real_close(int fd)
{
    return next_close ? next_close(fd) : (int)syscall(SYS_close, fd);
}

/* The calling thread's stretch: /dev/null, put in the place of what is
 * closed, and the numbers so held (NULL: no stretch). */
static _Thread_local int placeholder = -1;
static _Thread_local GArray *held;

/* fd's number stays taken, /dev/null in it, until close_hold_end(). */
static int hold(int fd)
{
    for (guint i = 0; i < held->len; i++) {
        if (g_array_index(held, int, i) == fd)
            return 0; /* closed twice: the second close is the one held off */
    }
    if (fcntl(fd, F_GETFD) < 0)
        return -1; /* not open: what close() says (EBADF) */
    if (dup3(placeholder, fd, O_CLOEXEC) < 0)
        return real_close(fd);
    g_array_append_val(held, fd);
    return 0;
}

int close(int fd)
{
    if (held && fd >= 0 && fd != placeholder)
        return hold(fd);
    return real_close(fd);
}

bool close_hold_begin(void)
{
    if (held)
        return false;
    placeholder = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (placeholder < 0)
        return false;
    held = g_array_new(FALSE, FALSE, sizeof(int));
    return true;
}

void close_hold_end(void)
{
    GArray *fds = held;
    if (!fds)
        return;
    held = NULL; /* from here this thread's close() closes */
    for (guint i = 0; i < fds->len; i++)
        real_close(g_array_index(fds, int, i));
    g_array_free(fds, TRUE);
    real_close(placeholder);
    placeholder = -1;
}
