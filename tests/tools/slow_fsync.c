/* slow_fsync.c - an LD_PRELOAD shim that makes the disk slow on purpose:
 * every fsync() and fdatasync() of the process waits
 * PANTAU_TEST_FSYNC_DELAY_MS milliseconds (default 500) before it runs, as
 * on a disk busy with someone else's I/O (tests/integration/slow-disk). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

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

/* With PANTAU_TEST_WRITE_MATCH set, every write(), writev() and pwrite()
 * to a file whose path contains it also waits PANTAU_TEST_WRITE_DELAY_MS
 * (default 500): a recordings folder on a disk that cannot keep up
 * (tests/integration/recording). Other descriptors (sockets, pipes, the
 * state files) are not touched. */
static int slow_fd(int fd)
{
    const char *match = getenv("PANTAU_TEST_WRITE_MATCH");
    if (!match || !*match || fd < 0)
        return 0;
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0)
        return 0;
    path[n] = '\0';
    return strstr(path, match) != NULL;
}

static void wait_ms_of(const char *name)
{
    const char *text = getenv(name);
    long ms = text ? strtol(text, NULL, 10) : 500;
    struct timespec left = {ms / 1000, (ms % 1000) * 1000000L};
    while (ms > 0 && nanosleep(&left, &left) != 0)
        ;
}

ssize_t write(int fd, const void *buf, size_t len)
{
    static ssize_t (*real)(int, const void *, size_t);
    if (!real)
        real = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    if (slow_fd(fd))
        wait_ms_of("PANTAU_TEST_WRITE_DELAY_MS");
    return real(fd, buf, len);
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
    static ssize_t (*real)(int, const struct iovec *, int);
    if (!real)
        real = (ssize_t(*)(int, const struct iovec *, int))dlsym(RTLD_NEXT, "writev");
    if (slow_fd(fd))
        wait_ms_of("PANTAU_TEST_WRITE_DELAY_MS");
    return real(fd, iov, n);
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
    static ssize_t (*real)(int, const void *, size_t, off_t);
    if (!real)
        real = (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
    if (slow_fd(fd))
        wait_ms_of("PANTAU_TEST_WRITE_DELAY_MS");
    return real(fd, buf, len, off);
}
