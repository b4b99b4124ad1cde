/* export_http.c - the export of a clip (export_http.h): checked and
 * audited on the main loop, written by recordings_export on a GTask thread
 * into a temporary file that is then mapped as the response's body. */
#include "export_http.h"

#include "log.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

typedef struct export_job {
    export_deps deps;
    session *who; /* the user, for the check and the audit line */
    char *source;
    gint64 from_ms, to_ms;
    export_reply_fn done;
    void *user;
    GBytes *body; /* the file, once written */
    pantau_error err;
    GCancellable *cancel; /* the shutdown's */
    gint finished;        /* atomic: the thread no longer touches the job */
} export_job;

/* The exports whose thread runs or whose answer waits (main loop only),
 * and whether the server is stopping. */
static GPtrArray *running;
static bool stopping;
/* How long the shutdown waits for the exports' threads. */
#define SHUTDOWN_WAIT_MS 3000

static void job_free(export_job *j)
{
    if (running)
        g_ptr_array_remove_fast(running, j);
    g_clear_object(&j->cancel);
    session_free(j->who);
    g_free(j->source);
    if (j->body)
        g_bytes_unref(j->body);
    g_free(j);
}

static void reply_text(export_job *j, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Answers j with status and a line of text, and frees j. */
static void reply_text(export_job *j, unsigned status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    char *line = g_strdup_printf("%s\n", text);
    g_free(text);
    j->done(status, "text/plain", g_bytes_new_take(line, strlen(line)), j->user);
    job_free(j);
}

/* A query field as unix ms; false when it is not one. */
static bool parse_ms(const char *text, gint64 *out)
{
    char *end = NULL;
    if (!text || !*text)
        return false;
    errno = 0;
    gint64 v = g_ascii_strtoll(text, &end, 10);
    if (errno || *end || v < 0)
        return false;
    *out = v;
    return true;
}

/* The thread: the clip into a temporary file, mapped into j->body. */
static void export_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
    (void)source;
    (void)cancel;
    export_job *j = data;
    char *path = NULL;
    GError *gerr = NULL;
    int fd = g_file_open_tmp("pantau-export-XXXXXX.mp4", &path, &gerr);
    if (fd < 0) {
        error_set(&j->err, ERR_INTERNAL, "", "cannot make a temporary file: %s", gerr->message);
        g_clear_error(&gerr);
        g_task_return_boolean(task, FALSE);
        return;
    }
    close(fd);
    if (recordings_export(j->deps.recordings, j->source, j->from_ms, j->to_ms, path, j->cancel,
                          &j->err) == 0) {
        GMappedFile *map = g_mapped_file_new(path, FALSE, &gerr);
        if (map) {
            j->body = g_mapped_file_get_bytes(map);
            g_mapped_file_unref(map);
        } else {
            error_set(&j->err, ERR_INTERNAL, "", "cannot read the export: %s", gerr->message);
            g_clear_error(&gerr);
        }
    }
    g_unlink(path);
    g_free(path);
    bool ok = j->body != NULL;
    g_atomic_int_set(&j->finished, 1);
    g_task_return_boolean(task, ok);
}

/* Main loop: the audit line of a finished export is on disk (or not). */
static void export_audited(int status, void *data)
{
    export_job *j = data;
    if (status) {
        reply_text(j, 500, "the export could not be audited; refused");
        return;
    }
    j->done(200, "video/mp4", g_steal_pointer(&j->body), j->user);
    job_free(j);
}

/* Main loop: the thread ended. */
static void export_written(GObject *source, GAsyncResult *res, gpointer data)
{
    (void)source;
    (void)data;
    export_job *j = g_task_get_task_data(G_TASK(res));
    g_task_set_task_data(G_TASK(res), NULL, NULL);
    bool ok = g_task_propagate_boolean(G_TASK(res), NULL);
    if (stopping) {
        log_warn("export of %s for %s cut: the server is stopping", j->source, j->who->user);
        reply_text(j, 503, "the server is stopping: the export was cancelled");
        return;
    }
    if (!ok) {
        bool missing = j->err.code && !strcmp(j->err.code, ERR_NOT_FOUND);
        log_warn("export of %s for %s failed: %s", j->source, j->who->user, j->err.message);
        reply_text(j, missing ? 404 : 500, "%s", j->err.message);
        return;
    }
    json_t *details =
        json_pack("{s:s, s:I, s:I, s:I}", "source", j->source, "from_ms", (json_int_t)j->from_ms,
                  "to_ms", (json_int_t)j->to_ms, "bytes", (json_int_t)g_bytes_get_size(j->body));
    audit_entry e = {
        .user = j->who->user,
        .role = session_role_name(j->who->role),
        .address = j->who->address,
        .action = "export",
        .version_before = -1,
        .version_after = -1,
        .ok = true,
        .details = details,
    };
    audit_write_async(j->deps.audit, &e, export_audited, j);
    json_decref(details);
}

/* Why the request is refused (and *status), or NULL; fills j's range. */
static const char *request_refusal(const export_deps *deps, export_job *j, const char *source,
                                   const char *from, const char *to, unsigned *status)
{
    pantau_error err = {0};
    *status = 400;
    if (auth_allows(j->who, AUTH_PLAYBACK, NULL, &err)) {
        *status = 403;
        return "exporting recordings needs the playback permission";
    }
    if (!source || !*source)
        return "source: the camera's id is required";
    if (!parse_ms(from, &j->from_ms))
        return "from: must be a time in unix milliseconds";
    if (!parse_ms(to, &j->to_ms) || j->to_ms <= j->from_ms)
        return "to: must be a time in unix milliseconds after from";
    if (j->to_ms - j->from_ms > EXPORT_MAX_MS)
        return "to: a clip is at most 60 minutes";
    if (!deps->recordings) {
        *status = 404;
        return "source: nothing is recorded";
    }
    return NULL;
}

void export_http_start(const export_deps *deps, const auth_principal *who, const char *address,
                       const char *source, const char *from, const char *to, export_reply_fn done,
                       void *user)
{
    export_job *j = g_new0(export_job, 1);
    j->deps = *deps;
    j->done = done;
    j->user = user;
    j->who = session_new(NULL);
    auth_session_fill(j->who, who, address);
    unsigned status = 0;
    const char *why = request_refusal(deps, j, source, from, to, &status);
    if (why) {
        reply_text(j, status, "%s", why);
        return;
    }
    if (stopping) {
        reply_text(j, 503, "the server is stopping");
        return;
    }
    j->source = g_strdup(source);
    j->cancel = g_cancellable_new();
    if (!running)
        running = g_ptr_array_new();
    g_ptr_array_add(running, j);
    GTask *task = g_task_new(NULL, NULL, export_written, NULL);
    g_task_set_task_data(task, j, NULL);
    g_task_run_in_thread(task, export_thread);
    g_object_unref(task);
}

/* Whether every running export's thread is over. */
static bool threads_over(void)
{
    for (guint i = 0; running && i < running->len; i++)
        if (!g_atomic_int_get(&((export_job *)g_ptr_array_index(running, i))->finished))
            return false;
    return true;
}

void export_http_shutdown(void)
{
    stopping = true;
    if (!running || !running->len)
        return;
    for (guint i = 0; i < running->len; i++)
        g_cancellable_cancel(((export_job *)g_ptr_array_index(running, i))->cancel);
    int64_t deadline = g_get_monotonic_time() + SHUTDOWN_WAIT_MS * 1000;
    while (!threads_over() && g_get_monotonic_time() < deadline)
        g_usleep(2000);
    /* Their answers (export_written) are queued on this context: run them. */
    for (int i = 0; running->len && i < 1000 && g_get_monotonic_time() < deadline + 1000000; i++)
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(1000);
    if (running->len)
        log_warn("%u export(s) did not end in time", running->len);
    else
        g_clear_pointer(&running, g_ptr_array_unref);
}
