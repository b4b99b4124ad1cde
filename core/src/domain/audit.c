/* audit.c - the audit log: JSON lines appended with one write() each and
 * flushed with fdatasync() before the change they record is acknowledged. */
#include "audit.h"

#include "disk_writer.h"
#include "kv_store.h"

#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define AUDIT_CHUNK (64 * 1024)
#define AUDIT_SCAN_MAX ((off_t)64 * 1024 * 1024)
/* The most lines of a cluster's stream one query reads, and how many it
 * reads at a time. */
#define AUDIT_STREAM_SCAN_MAX 200000
#define AUDIT_STREAM_CHUNK 2000

/* The change being made (audit_begin .. audit_end): who, what, which wall. */
typedef struct audit_change {
    int depth; /* 0: none; > 1: nested begins, the outer one counts */
    const session *who;
    char *action;
    char *wall;
    char *source; /* audit_name_source, or NULL */
    gint64 version_before;
    int lines;       /* lines written for it by audit_before_write */
    json_t *details; /* owned, or NULL: audit_detail */
} audit_change;

struct audit_log {
    /* The writer thread appends the lines of changes, the main loop those
     * of logins: the lock keeps each line whole and torn right. */
    GMutex lock;
    int fd; /* -1: could not be opened; every line fails */
    char *path;
    bool torn;            /* the file may end inside a line: start the next with "\n" */
    disk_writer *writer;  /* borrowed, may be NULL: lines of audit_write_async at once */
    audit_change change;  /* main loop only */
    kv_log *stream;       /* owned, or NULL: in a cluster, the lines go there, not to the file */
    GThreadPool *queries; /* audit_search_async: one at a time, off the main loop */
};

/* A change's line, made on the main loop and appended on the writer
 * thread: copies of every string, and the log (which outlives the
 * writer's jobs: the writer is flushed before the log is closed). */
struct audit_line {
    audit_log *log;
    char *user, *role, *address, *action, *wall, *source;
    gint64 version_before, version_after;
    json_t *details; /* its own copy (the writer thread reads it), or NULL */
};

static void search_run(gpointer data, gpointer user_data);
static void search_job_free(gpointer data);

/* The thread of the log's queries, one at a time. */
static GThreadPool *queries_new(audit_log *log)
{
    return g_thread_pool_new_full(search_run, log, search_job_free, 1, FALSE, NULL);
}

/* ---- config ---- */

void audit_config_check(config_checker *c, const json_t *section, const config_sections *ids)
{
    (void)ids;
    if (!section)
        return;
    if (!json_is_object(section)) {
        config_fail(c, "audit", "must be an object");
        return;
    }
    static const char *const keys[] = {"file", "enabled", NULL};
    config_check_keys(c, section, "audit", keys);
    const json_t *file = json_object_get(section, "file");
    if (file && (!json_is_string(file) || !*json_string_value(file)))
        config_fail(c, "audit.file", "must be a non-empty path");
    const json_t *enabled = json_object_get(section, "enabled");
    if (enabled && !json_is_boolean(enabled))
        config_fail(c, "audit.enabled", "must be true or false");
}

/* ---- writing ---- */

static char *log_path(const json_t *section, const char *config_dir, const char *state_dir)
{
    const char *file = json_string_value(json_object_get(section, "file"));
    if (!file)
        return g_build_filename(state_dir, "audit.jsonl", NULL);
    if (g_path_is_absolute(file) || !config_dir)
        return g_strdup(file);
    return g_build_filename(config_dir, file, NULL);
}

/* Whether the file is non-empty and does not end with a newline. */
static bool ends_inside_line(int fd)
{
    struct stat st;
    char last = '\n';
    if (fstat(fd, &st) || st.st_size == 0)
        return false;
    return pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n';
}

audit_log *audit_log_open(const json_t *section, const char *config_dir, const char *state_dir,
                          disk_writer *writer)
{
    if (json_is_false(json_object_get(section, "enabled"))) {
        log_warn("the audit log is turned off (audit.enabled is false)");
        return NULL;
    }
    audit_log *a = g_new0(audit_log, 1);
    g_mutex_init(&a->lock);
    a->writer = writer;
    a->queries = queries_new(a);
    a->path = log_path(section, config_dir, state_dir);
    char *dir = g_path_get_dirname(a->path);
    g_mkdir_with_parents(dir, 0700);
    g_free(dir);
    a->fd = open(a->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (a->fd < 0)
        log_error("cannot open the audit log %s: %s; every change will be refused", a->path,
                  strerror(errno));
    else
        a->torn = ends_inside_line(a->fd);
    return a;
}

void audit_log_close(audit_log *log)
{
    if (!log)
        return;
    audit_log_share(log, NULL);
    g_thread_pool_free(log->queries, TRUE, TRUE);
    if (log->fd >= 0)
        close(log->fd);
    g_free(log->change.action);
    g_free(log->change.wall);
    g_free(log->change.source);
    g_free(log->path);
    g_mutex_clear(&log->lock);
    g_free(log);
}

/* t (UTC) as ISO 8601 with milliseconds: 2025-01-31T08:15:02.123Z. g_free it. */
static char *line_time(GDateTime *t)
{
    char *base = g_date_time_format(t, "%Y-%m-%dT%H:%M:%S");
    char *text = g_strdup_printf("%s.%03dZ", base, g_date_time_get_microsecond(t) / 1000);
    g_free(base);
    return text;
}

/* Now as a line writes it. g_free it. */
static char *now_iso8601(void)
{
    GDateTime *now = g_date_time_new_now_utc();
    char *text = line_time(now);
    g_date_time_unref(now);
    return text;
}

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *version_or_null(gint64 v)
{
    return v >= 0 ? json_integer(v) : json_null();
}

/* The entry as a line with its newline, and a leading one after a torn
 * write. g_free it. */
static char *entry_line(const audit_entry *e, bool torn)
{
    char *time = now_iso8601();
    json_t *o =
        json_pack("{s:s, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:b}", "time", time, "user",
                  json_string(e->user ? e->user : "system"), "role", string_or_null(e->role),
                  "address", string_or_null(e->address), "action", e->action, "wall",
                  string_or_null(e->wall), "version_before", version_or_null(e->version_before),
                  "version_after", version_or_null(e->version_after), "ok", e->ok);
    g_free(time);
    if (o && e->source)
        json_object_set_new(o, "source", json_string(e->source));
    if (o && e->rolled_back)
        json_object_set_new(o, "rolled_back", json_true());
    if (o && e->details)
        json_object_set_new(o, "details", json_deep_copy(e->details));
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    char *line = text ? g_strdup_printf("%s%s\n", torn ? "\n" : "", text) : NULL;
    free(text);
    return line;
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int audit_ready(const audit_log *a, pantau_error *err)
{
    if (a && a->fd < 0 && !a->stream)
        return error_set(err, ERR_INTERNAL, "", "the audit log cannot be written; nothing changed");
    return 0;
}

/* Publishes e to the cluster's stream and waits for its acknowledgement,
 * under the log's lock. Returns 0, or -1 (logged) with err (may be NULL):
 * unavailable, naming why. */
static int publish_entry(audit_log *a, const audit_entry *e, pantau_error *err)
{
    pantau_error why = {0};
    char *line = entry_line(e, false);
    int rc = line ? kv_log_append(a->stream, line, strlen(line) - 1, &why)
                  : error_set(&why, ERR_INTERNAL, "", "the audit line could not be made");
    if (rc) {
        log_error("cannot write the audit log to the cluster: %s", why.message);
        if (err)
            *err = why;
    }
    g_free(line);
    return rc;
}

/* Appends e and flushes it (fdatasync), or in a cluster publishes it,
 * under the log's lock. Safe on any thread. Returns 0, or -1 (logged) with
 * err (may be NULL) set. */
static int append_entry(audit_log *a, const audit_entry *e, pantau_error *err)
{
    g_mutex_lock(&a->lock);
    if (a->stream) {
        int rc = publish_entry(a, e, err);
        g_mutex_unlock(&a->lock);
        return rc;
    }
    int rc = -1;
    char *line = a->fd >= 0 ? entry_line(e, a->torn) : NULL;
    if (line) {
        rc = write_all(a->fd, line, strlen(line));
        if (rc == 0)
            rc = fdatasync(a->fd);
        a->torn = rc != 0;
        if (rc != 0)
            log_error("cannot write the audit log %s: %s", a->path, strerror(errno));
    }
    if (rc && err)
        error_set(err, ERR_INTERNAL, "", "the audit log could not be written");
    g_free(line);
    g_mutex_unlock(&a->lock);
    return rc;
}

int audit_write(audit_log *a, const audit_entry *e, pantau_error *err)
{
    if (!a)
        return 0;
    if (a->fd < 0 && !a->stream)
        return error_set(err, ERR_INTERNAL, "", "the audit log cannot be written");
    return append_entry(a, e, err);
}

/* A line appended on the writer thread: copies of the entry's strings. */
typedef struct audit_job {
    audit_log *log;
    char *user, *role, *address, *action, *wall, *source;
    audit_entry entry; /* its strings point at the copies above */
    audit_written done;
    void *data;
} audit_job;

static int audit_job_run(void *data)
{
    audit_job *j = data;
    return append_entry(j->log, &j->entry, NULL) ? EIO : 0;
}

static void audit_job_done(void *data, int status)
{
    audit_job *j = data;
    if (j->done)
        j->done(status == 0 ? 0 : -1, j->data);
    g_free(j->user);
    g_free(j->role);
    g_free(j->address);
    g_free(j->action);
    g_free(j->wall);
    g_free(j->source);
    json_decref((json_t *)j->entry.details);
    g_free(j);
}

void audit_write_async(audit_log *a, const audit_entry *e, audit_written done, void *data)
{
    if (!a || (a->fd < 0 && !a->stream)) {
        if (done)
            done(a ? -1 : 0, data);
        return;
    }
    audit_job *j = g_new0(audit_job, 1);
    j->log = a;
    j->entry = *e;
    j->entry.user = j->user = g_strdup(e->user);
    j->entry.role = j->role = g_strdup(e->role);
    j->entry.address = j->address = g_strdup(e->address);
    j->entry.action = j->action = g_strdup(e->action);
    j->entry.wall = j->wall = g_strdup(e->wall);
    j->entry.source = j->source = g_strdup(e->source);
    j->entry.details = e->details ? json_deep_copy(e->details) : NULL;
    j->done = done;
    j->data = data;
    disk_writer_submit(a->writer, audit_job_run, audit_job_done, j);
}

int audit_record(audit_log *log, const session *s, const char *action, const char *wall_id,
                 gint64 version_before, gint64 version_after, pantau_error *err)
{
    audit_entry e = {
        .user = s ? s->user : NULL,
        .role = s ? session_role_name(s->role) : NULL,
        .address = s ? s->address : NULL,
        .action = action,
        .wall = wall_id,
        .version_before = version_before,
        .version_after = version_after,
        .ok = true,
    };
    return audit_write(log, &e, err);
}

/* ---- the change being made: its line before its state file ---- */

void audit_begin(audit_log *log, const session *s, const char *action, const char *wall_id,
                 gint64 version_before)
{
    audit_change *c = log ? &log->change : NULL;
    if (!c || c->depth++ > 0)
        return;
    c->who = s;
    c->action = g_strdup(action);
    c->wall = g_strdup(wall_id);
    c->version_before = version_before;
    c->lines = 0;
}

void audit_name_source(audit_log *log, const char *source_id)
{
    audit_change *c = log ? &log->change : NULL;
    if (!c || c->depth == 0)
        return;
    g_free(c->source);
    c->source = g_strdup(source_id);
}

audit_line *audit_change_line(audit_log *log, const char *wall_id, gint64 version_before,
                              gint64 version_after)
{
    audit_change *c = log ? &log->change : NULL;
    if (!c)
        return NULL;
    /* Outside a begun change: a write by the server itself. */
    const session *s = c->depth ? c->who : NULL;
    audit_line *l = g_new0(audit_line, 1);
    l->log = log;
    l->user = g_strdup(s ? s->user : NULL);
    l->role = g_strdup(s ? session_role_name(s->role) : NULL);
    l->address = g_strdup(s ? s->address : NULL);
    l->action = g_strdup(c->depth ? c->action : "state.write");
    l->wall = g_strdup(wall_id);
    l->source = g_strdup(c->depth ? c->source : NULL);
    l->version_before = version_before;
    l->version_after = version_after;
    if (c->depth)
        c->lines++;
    l->details = c->depth && c->details ? json_deep_copy(c->details) : NULL;
    return l;
}

audit_line *audit_change_line_unchanged(audit_log *log)
{
    const audit_change *c = log ? &log->change : NULL;
    if (!c)
        return NULL;
    /* A preset change leaves the wall it names (if any) as it was. */
    return audit_change_line(log, c->wall, c->version_before, c->version_before);
}

int audit_line_append(const audit_line *l, bool rolled_back, pantau_error *err)
{
    audit_entry e = {
        .user = l->user,
        .role = l->role,
        .address = l->address,
        .action = l->action,
        .wall = l->wall,
        .source = l->source,
        .version_before = l->version_before,
        .version_after = l->version_after,
        .ok = !rolled_back,
        .rolled_back = rolled_back,
        .details = l->details,
    };
    return append_entry(l->log, &e, err);
}

void audit_line_free(audit_line *l)
{
    if (!l)
        return;
    g_free(l->user);
    g_free(l->role);
    g_free(l->address);
    g_free(l->action);
    g_free(l->wall);
    g_free(l->source);
    json_decref(l->details);
    g_free(l);
}

audit_line *audit_end(audit_log *log, bool done, gint64 version_after)
{
    audit_change *c = log ? &log->change : NULL;
    if (!c || c->depth == 0)
        return NULL;
    if (c->depth > 1) {
        c->depth--;
        return NULL;
    }
    audit_line *l = NULL;
    if (done && c->lines == 0)
        l = audit_change_line(log, c->wall, c->version_before, version_after);
    g_free(c->action);
    g_free(c->wall);
    g_free(c->source);
    json_decref(c->details);
    *c = (audit_change){0};
    return l;
}

void audit_detail(audit_log *log, json_t *details)
{
    audit_change *c = log ? &log->change : NULL;
    if (!c || c->depth == 0) {
        json_decref(details);
        return;
    }
    json_decref(c->details);
    c->details = details;
}

/* ---- reading the log back ---- */

typedef struct audit_filter {
    const char *user, *action, *wall, *source;
    char *since, *until; /* as our lines write times, or NULL */
    size_t limit;
    json_t *entries; /* newest first */
    bool more;
} audit_filter;

/* t (borrowed, may be NULL) in UTC as our lines write it, or NULL. g_free it. */
static char *line_time_or_null(GDateTime *t)
{
    if (!t)
        return NULL;
    GDateTime *utc = g_date_time_to_utc(t);
    char *text = line_time(utc);
    g_date_time_unref(utc);
    return text;
}

static bool field_is(const json_t *line, const char *key, const char *want)
{
    const char *have = json_string_value(json_object_get(line, key));
    return !want || (have && strcmp(have, want) == 0);
}

static bool line_matches(const json_t *line, const audit_filter *f)
{
    const char *time = json_string_value(json_object_get(line, "time"));
    if (!time || !field_is(line, "user", f->user) || !field_is(line, "action", f->action) ||
        !field_is(line, "wall", f->wall) || !field_is(line, "source", f->source))
        return false;
    return (!f->since || strcmp(time, f->since) >= 0) && (!f->until || strcmp(time, f->until) <= 0);
}

/* Takes one line (not NUL-terminated). Returns false to stop the scan. */
static bool take_line(audit_filter *f, const char *text, size_t len)
{
    if (len == 0)
        return true;
    json_t *line = json_loadb(text, len, 0, NULL);
    if (!json_is_object(line) || !line_matches(line, f)) {
        json_decref(line);
        return true;
    }
    if (json_array_size(f->entries) == f->limit) {
        json_decref(line);
        f->more = true;
        return false;
    }
    json_array_append_new(f->entries, line);
    return true;
}

/* Feeds the complete lines of buf (newest last) to the filter, newest
 * first; keeps the first, partial one in *carry unless at_start. Returns
 * false once the filter is satisfied. */
static bool take_lines(audit_filter *f, GString *buf, bool at_start)
{
    size_t end = buf->len;
    for (size_t i = buf->len; i > 0; i--) {
        if (buf->str[i - 1] != '\n')
            continue;
        if (!take_line(f, buf->str + i, end - i))
            return false;
        end = i - 1;
    }
    if (at_start)
        return take_line(f, buf->str, end);
    g_string_truncate(buf, end);
    return true;
}

/* Reads the file from its end in chunks, newest line first. */
static int scan_backwards(const char *path, audit_filter *f, pantau_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return 0;
    struct stat st;
    if (fd < 0 || fstat(fd, &st)) {
        if (fd >= 0)
            close(fd);
        return error_set(err, ERR_INTERNAL, "", "the audit log cannot be read");
    }
    int rc = 0;
    off_t pos = st.st_size;
    GString *buf = g_string_new(NULL);
    char *chunk = g_malloc(AUDIT_CHUNK);
    while (pos > 0) {
        if (st.st_size - pos >= AUDIT_SCAN_MAX) {
            f->more = true;
            break;
        }
        size_t n = (size_t)MIN((off_t)AUDIT_CHUNK, pos);
        pos -= (off_t)n;
        if (pread(fd, chunk, n, pos) != (ssize_t)n) {
            rc = error_set(err, ERR_INTERNAL, "", "the audit log cannot be read");
            break;
        }
        g_string_prepend_len(buf, chunk, (gssize)n);
        if (!take_lines(f, buf, pos == 0))
            break;
    }
    g_free(chunk);
    g_string_free(buf, TRUE);
    close(fd);
    return rc;
}

/* The lines read of one chunk of the stream, oldest first. */
static void keep_stream_line(uint64_t seq, const char *line, size_t len, void *data)
{
    (void)seq;
    g_ptr_array_add(data, g_strndup(line, len));
}

/* Feeds the lines of a chunk (oldest first) to the filter, newest first.
 * Returns false once the filter is satisfied. */
static bool take_chunk(audit_filter *f, const GPtrArray *lines)
{
    for (guint i = lines->len; i > 0; i--) {
        const char *line = g_ptr_array_index(lines, i - 1);
        if (!take_line(f, line, strlen(line)))
            return false;
    }
    return true;
}

/* Reads the cluster's stream from its last line back, newest first, in
 * chunks of AUDIT_STREAM_CHUNK lines. */
static int scan_stream(kv_log *stream, audit_filter *f, pantau_error *err)
{
    uint64_t oldest = 0, end = 0, read = 0;
    if (kv_log_range(stream, &oldest, &end, err))
        return -1;
    int rc = 0;
    bool go_on = true;
    while (go_on && oldest > 0 && end >= oldest && rc == 0) {
        if (read >= AUDIT_STREAM_SCAN_MAX) {
            f->more = true;
            break;
        }
        uint64_t first = MAX(oldest, end > AUDIT_STREAM_CHUNK ? end - AUDIT_STREAM_CHUNK + 1 : 1);
        GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
        rc = kv_log_read(stream, first, end, keep_stream_line, lines, err);
        go_on = rc == 0 && take_chunk(f, lines);
        g_ptr_array_free(lines, TRUE);
        read += end - first + 1;
        end = first - 1;
    }
    return rc;
}

int audit_search(const audit_log *log, const audit_query *q, json_t **entries, bool *more,
                 pantau_error *err)
{
    audit_filter f = {
        .user = q->user,
        .action = q->action,
        .wall = q->wall,
        .source = q->source,
        .since = line_time_or_null(q->since),
        .until = line_time_or_null(q->until),
        .limit = q->limit,
        .entries = json_array(),
    };
    int rc = !log          ? 0
             : log->stream ? scan_stream(log->stream, &f, err)
                           : scan_backwards(log->path, &f, err);
    g_free(f.since);
    g_free(f.until);
    if (rc) {
        json_decref(f.entries);
        f.entries = NULL;
    }
    *entries = f.entries;
    *more = f.more;
    return rc;
}

/* ---- searching off the main loop ---- */

/* A query on its way through the pool and back to the main loop: copies
 * of its strings and references to its times. */
typedef struct search_job {
    audit_query q;
    char *copies[4]; /* q's user, action, wall and source */
    audit_found done;
    void *data;
    json_t *entries; /* new reference, or NULL with err */
    bool more;
    pantau_error err;
} search_job;

static void search_job_free(gpointer data)
{
    search_job *j = data;
    for (size_t i = 0; i < G_N_ELEMENTS(j->copies); i++)
        g_free(j->copies[i]);
    if (j->q.since)
        g_date_time_unref(j->q.since);
    if (j->q.until)
        g_date_time_unref(j->q.until);
    json_decref(j->entries);
    g_free(j);
}

/* On the main loop: the answer. */
static gboolean search_deliver(gpointer data)
{
    search_job *j = data;
    json_t *entries = j->entries;
    j->entries = NULL;
    j->done(entries, j->more, entries ? NULL : &j->err, j->data);
    return G_SOURCE_REMOVE;
}

/* On the pool's thread. */
static void search_run(gpointer data, gpointer user_data)
{
    search_job *j = data;
    audit_log *log = user_data;
    audit_search(log, &j->q, &j->entries, &j->more, &j->err);
    g_idle_add_full(G_PRIORITY_DEFAULT, search_deliver, j, search_job_free);
}

void audit_search_async(audit_log *log, const audit_query *q, audit_found done, void *data)
{
    if (!log) {
        done(json_array(), false, NULL, data);
        return;
    }
    search_job *j = g_new0(search_job, 1);
    j->q = *q;
    j->q.user = j->copies[0] = g_strdup(q->user);
    j->q.action = j->copies[1] = g_strdup(q->action);
    j->q.wall = j->copies[2] = g_strdup(q->wall);
    j->q.source = j->copies[3] = g_strdup(q->source);
    if (q->since)
        g_date_time_ref(q->since);
    if (q->until)
        g_date_time_ref(q->until);
    j->done = done;
    j->data = data;
    g_thread_pool_push(log->queries, j, NULL);
}

void audit_log_share(audit_log *log, kv_log *stream)
{
    if (!log) {
        kv_log_free(stream);
        return;
    }
    /* Queries in flight may read the old stream: they end first. */
    g_thread_pool_free(log->queries, FALSE, TRUE);
    log->queries = queries_new(log);
    g_mutex_lock(&log->lock);
    kv_log_free(log->stream);
    log->stream = stream;
    g_mutex_unlock(&log->lock);
}
