#include "state_store.h"

#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

int state_store_init(const char *dir)
{
    return g_mkdir_with_parents(dir, 0700);
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

int state_store_write(const char *dir, const char *name, const json_t *value)
{
    int ret = -1, fd = -1, saved = 0;
    char *path = g_build_filename(dir, name, NULL);
    char *parent = g_path_get_dirname(path);
    char *tmp = g_strdup_printf("%s.tmp.%d", path, (int)getpid());
    char *text = json_dumps(value, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    if (!text) {
        errno = ENOMEM;
        goto out;
    }
    if (g_mkdir_with_parents(parent, 0700))
        goto out;
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        goto out;
    if (write_all(fd, text, strlen(text)) || write_all(fd, "\n", 1) || fsync(fd))
        goto fail_unlink;
    if (close(fd)) {
        fd = -1;
        goto fail_unlink;
    }
    fd = -1;
    if (rename(tmp, path))
        goto fail_unlink;
    /* The new file is in place: from here on it is the state, whatever
     * happens to the directory's own sync (only a power cut could lose the
     * rename then), so the caller must not roll back. */
    if (fsync_dir(parent))
        log_warn("cannot sync directory %s: %s", parent, strerror(errno));
    ret = 0;
    goto out;
fail_unlink:
    saved = errno;
    unlink(tmp);
    errno = saved;
out:
    saved = errno;
    if (fd >= 0)
        close(fd);
    free(text);
    g_free(tmp);
    g_free(parent);
    g_free(path);
    errno = saved;
    return ret;
}

json_t *state_store_read(const char *dir, const char *name)
{
    char *path = g_build_filename(dir, name, NULL);
    json_t *value = NULL;
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        goto out;
    json_error_t jerr;
    value = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!value)
        log_warn("state file %s is unreadable (line %d: %s); ignoring it", path, jerr.line,
                 jerr.text);
out:
    g_free(path);
    return value;
}
