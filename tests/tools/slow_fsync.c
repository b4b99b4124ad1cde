/* slow_fsync.c - an LD_PRELOAD shim that makes the disk slow on purpose:
 * every fsync() and fdatasync() of the process waits
 * PANTAU_TEST_FSYNC_DELAY_MS milliseconds (default 500) before it runs, as
 * on a disk busy with someone else's I/O (tests/integration/slow-disk). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

static void wait_like_a_slow_disk(void)
{
    const char *text = getenv("PANTAU_TEST_FSYNC_DELAY_MS");
    long ms = text ? strtol(text, NULL, 10) : 500;
    struct timespec left = {ms / 1000, (ms % 1000) * 1000000L};
    while (ms > 0 && nanosleep(&left, &left) != 0)
        ;
}

int fsync(int fd)
{
    static int (*real)(int);
    if (!real)
        real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    wait_like_a_slow_disk();
    return real(fd);
}

int fdatasync(int fd)
{
    static int (*real)(int);
    if (!real)
        real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    wait_like_a_slow_disk();
    return real(fd);
}
