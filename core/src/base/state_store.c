#include "state_store.h"

#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#define TEMP_MARK ".json.tmp."

/* Whether name is one of our temporary files: "<x>.json.tmp.<pid>". */
static bool is_temp_name(const char *name)
{
    const char *mark = g_strrstr(name, TEMP_MARK);
    if (!mark || mark == name)
        return false;
    const char *pid = mark + strlen(TEMP_MARK);
    return *pid && strspn(pid, "0123456789") == strlen(pid);
}

/* Removes the temporary files in dir; with depth > 0, in its subdirectories
 * too. Nobody writes yet at start, so every one is a crash's leftover. */
static void remove_temp_files(const char *dir, int depth)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    if (!d)
        return;
    const char *name;
    while ((name = g_dir_read_name(d))) {
        char *path = g_build_filename(dir, name, NULL);
        if (depth > 0 && g_file_test(path, G_FILE_TEST_IS_DIR) &&
            !g_file_test(path, G_FILE_TEST_IS_SYMLINK))
            remove_temp_files(path, depth - 1);
        else if (is_temp_name(name) && g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
            if (g_unlink(path))
                log_warn("cannot remove the temporary file %s left by a crash: %s", path,
                         strerror(errno));
            else
                log_info("removed the temporary file %s left by a crash", path);
        }
        g_free(path);
    }
    g_dir_close(d);
}

int state_store_init(const char *dir)
{
    if (g_mkdir_with_parents(dir, 0700))
        return -1;
    remove_temp_files(dir, 1);
    return 0;
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

static char *serialize(const json_t *value)
{
    return json_dumps(value, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
}

/* Writes text (a serialized document, a newline added) to dir/name
 * atomically. Touches nothing but the file system: safe on any thread. */
static int write_text(const char *dir, const char *name, const char *text)
{
    int ret = -1, fd = -1, saved = 0;
    char *path = g_build_filename(dir, name, NULL);
    char *parent = g_path_get_dirname(path);
    char *tmp = g_strdup_printf("%s.tmp.%d", path, (int)getpid());
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
    if (ret)
        log_error("cannot write the state file %s: %s", path, strerror(saved));
    if (fd >= 0)
        close(fd);
    g_free(tmp);
    g_free(parent);
    g_free(path);
    errno = saved;
    return ret;
}

int state_store_write(const char *dir, const char *name, const json_t *value)
{
    char *text = serialize(value);
    int ret = write_text(dir, name, text);
    int saved = errno;
    free(text);
    errno = saved;
    return ret;
}

int state_store_remove(const char *dir, const char *name)
{
    char *path = g_build_filename(dir, name, NULL);
    char *parent = g_path_get_dirname(path);
    int ret = 0;
    if (g_unlink(path) && errno != ENOENT) {
        int saved = errno;
        log_error("cannot remove the state file %s: %s", path, strerror(saved));
        errno = saved;
        ret = -1;
    } else if (fsync_dir(parent)) {
        log_warn("cannot sync directory %s: %s", parent, strerror(errno));
    }
    g_free(parent);
    g_free(path);
    return ret;
}

int state_store_set_aside(const char *dir, const char *name, const char *why)
{
    char *path = g_build_filename(dir, name, NULL);
    GDateTime *now = g_date_time_new_now_utc();
    char *time = g_date_time_format(now, "%Y%m%dT%H%M%SZ");
    char *aside = g_strdup_printf("%s.corrupt-%s", path, time);
    /* Two in the same second: never replace the first one kept aside. */
    for (int n = 2; g_file_test(aside, G_FILE_TEST_EXISTS); n++) {
        g_free(aside);
        aside = g_strdup_printf("%s.corrupt-%s-%d", path, time, n);
    }
    int ret = rename(path, aside);
    if (ret)
        log_error("state file %s is %s, and cannot be kept aside as %s: %s", path, why, aside,
                  strerror(errno));
    else
        log_warn("state file %s is %s; kept it as %s and started without it", path, why, aside);
    g_free(aside);
    g_free(time);
    g_date_time_unref(now);
    g_free(path);
    return ret;
}

json_t *state_store_read(const char *dir, const char *name)
{
    char *path = g_build_filename(dir, name, NULL);
    json_t *value = NULL;
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        goto out;
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        log_warn("state file %s is not a regular file; ignoring it", path);
        goto out;
    }
    json_error_t jerr;
    value = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (value)
        goto out;
    if (json_error_code(&jerr) == json_error_cannot_open_file) {
        log_warn("state file %s cannot be read (%s); ignoring it", path, jerr.text);
        goto out;
    }
    char *why = g_strdup_printf("not JSON (line %d: %s)", jerr.line, jerr.text);
    state_store_set_aside(dir, name, why);
    g_free(why);
out:
    g_free(path);
    return value;
}

/* ---- batches: written off the main loop ---- */

typedef struct batch_file {
    char *name;
    char *text; /* NULL: remove the file */
} batch_file;

struct state_batch {
    char *dir;
    GArray *files; /* batch_file, in order */
};

state_batch *state_batch_new(const char *dir)
{
    state_batch *b = g_new0(state_batch, 1);
    b->dir = g_strdup(dir);
    b->files = g_array_new(FALSE, FALSE, sizeof(batch_file));
    return b;
}

void state_batch_write(state_batch *b, const char *name, const json_t *value)
{
    batch_file f = {g_strdup(name), serialize(value)};
    if (!f.text) /* out of memory: written as a failure by state_batch_run */
        f.text = g_strdup("");
    g_array_append_val(b->files, f);
}

void state_batch_remove(state_batch *b, const char *name)
{
    batch_file f = {g_strdup(name), NULL};
    g_array_append_val(b->files, f);
}

int state_batch_run(state_batch *b)
{
    for (guint i = 0; i < b->files->len; i++) {
        const batch_file *f = &g_array_index(b->files, batch_file, i);
        bool empty = f->text && !*f->text;
        if (empty) {
            log_error("cannot write the state file %s/%s: out of memory", b->dir, f->name);
            return ENOMEM;
        }
        int rc =
            f->text ? write_text(b->dir, f->name, f->text) : state_store_remove(b->dir, f->name);
        if (rc)
            return errno ? errno : EIO;
    }
    return 0;
}

void state_batch_free(state_batch *b)
{
    if (!b)
        return;
    for (guint i = 0; i < b->files->len; i++) {
        batch_file *f = &g_array_index(b->files, batch_file, i);
        g_free(f->name);
        free(f->text);
    }
    g_array_free(b->files, TRUE);
    g_free(b->dir);
    g_free(b);
}
