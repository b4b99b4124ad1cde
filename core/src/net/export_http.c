/* export_http.c - the export of a clip (export_http.h): checked and
 * audited on the main loop, written by recordings_export on a GTask thread
 * into a temporary file without a name (anon_file.h) that is then mapped
 * as the response's body. A stop never waits for that thread: it answers
 * the request at once, and the thread, left to end by itself, holds
 * references to all it uses (the job, the recordings' gate). */
#include "export_http.h"

#include "anon_file.h"
#include "log.h"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>
#include <unistd.h>

typedef struct export_job {
    /* Atomic: the request's (until it is answered), the thread's (its
     * GTask's data) and the audit write's. The last frees the job, on
     * whichever thread drops it. */
    gint refs;
    audit_log *audit; /* main loop only */
    rec_gate *gate;   /* the recordings, for the thread; NULL: none */
    session *who;     /* the user, for the check and the audit line */
    char *source;
    gint64 from_ms, to_ms;
    export_reply_fn done; /* NULL once answered */
    void *user;
    GBytes *body; /* the file, once written (the thread's until it returns) */
    pantau_error err;
    GCancellable *cancel; /* the stop's */
} export_job;

/* The exports not answered yet whose thread runs or whose audit line is
 * being written (main loop only), and whether the server is stopping. */
static GPtrArray *running;
static bool stopping;

static export_job *job_ref(export_job *j)
{
    g_atomic_int_inc(&j->refs);
    return j;
}

/* Drops a reference of j (any thread). */
static void job_unref(gpointer data)
{
    export_job *j = data;
    if (!g_atomic_int_dec_and_test(&j->refs))
        return;
    g_clear_object(&j->cancel);
    rec_gate_unref(j->gate);
    session_free(j->who);
    g_free(j->source);
    if (j->body)
        g_bytes_unref(j->body);
    g_free(j);
}

/* Main loop: answers j's request (body stolen) and drops the request's
 * reference. */
static void answer(export_job *j, unsigned status, const char *mime, GBytes *body)
{
    if (running)
        g_ptr_array_remove_fast(running, j);
    export_reply_fn done = j->done;
    j->done = NULL;
    done(status, mime, body, j->user);
    job_unref(j);
}

static void reply_text(export_job *j, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Answers j with status and a line of text. */
static void reply_text(export_job *j, unsigned status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    char *line = g_strdup_printf("%s\n", text);
    g_free(text);
    answer(j, status, "text/plain", g_bytes_new_take(line, strlen(line)));
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

/* The thread: the clip into a file without a name, mapped into j->body. */
static void export_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
    (void)source;
    (void)cancel;
    export_job *j = data;
    char *path = NULL;
    GError *gerr = NULL;
    int fd = anon_file_open("pantau-export-XXXXXX.mp4", &path, &gerr);
    if (fd < 0) {
        error_set(&j->err, ERR_INTERNAL, "", "cannot make a temporary file: %s", gerr->message);
        g_clear_error(&gerr);
        g_task_return_boolean(task, FALSE);
        return;
    }
    if (recordings_export(j->gate, j->source, j->from_ms, j->to_ms, path, j->cancel, &j->err) ==
        0) {
        GMappedFile *map = g_mapped_file_new_from_fd(fd, FALSE, &gerr);
        if (map) {
            j->body = g_mapped_file_get_bytes(map);
            g_mapped_file_unref(map);
        } else {
            error_set(&j->err, ERR_INTERNAL, "", "cannot read the export: %s", gerr->message);
            g_clear_error(&gerr);
        }
    }
    close(fd); /* the mapping keeps the file */
    g_free(path);
    g_task_return_boolean(task, j->body != NULL);
}

/* Main loop: the audit line of a finished export is on disk (or not). */
static void export_audited(int status, void *data)
{
    export_job *j = data;
    if (!j->done) {
        /* answered already: the server stopped meanwhile */
    } else if (status) {
        reply_text(j, 500, "the export could not be audited; refused");
    } else {
        answer(j, 200, "video/mp4", g_steal_pointer(&j->body));
    }
    job_unref(j); /* the audit write's */
}

/* Main loop: the export of j, written, is audited, then answered. */
static void audit_export(export_job *j)
{
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
    audit_write_async(j->audit, &e, export_audited, job_ref(j));
    json_decref(details);
}

/* Main loop: the thread ended (its reference goes with the task). */
static void export_written(GObject *source, GAsyncResult *res, gpointer data)
{
    (void)source;
    (void)data;
    export_job *j = g_task_get_task_data(G_TASK(res));
    bool ok = g_task_propagate_boolean(G_TASK(res), NULL);
    if (!j->done)
        return; /* answered already: the server is stopping */
    if (!ok) {
        bool missing = j->err.code && !strcmp(j->err.code, ERR_NOT_FOUND);
        log_warn("export of %s for %s failed: %s", j->source, j->who->user, j->err.message);
        reply_text(j, missing ? 404 : 500, "%s", j->err.message);
        return;
    }
    audit_export(j);
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
    j->refs = 1;
    j->audit = deps->audit;
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
    j->gate = recordings_gate(deps->recordings);
    j->source = g_strdup(source);
    j->cancel = g_cancellable_new();
    if (!running)
        running = g_ptr_array_new();
    g_ptr_array_add(running, j);
    GTask *task = g_task_new(NULL, NULL, export_written, NULL);
    g_task_set_task_data(task, job_ref(j), job_unref);
    g_task_run_in_thread(task, export_thread);
    g_object_unref(task);
}

void export_http_shutdown(void)
{
    stopping = true;
    /* Answered now, not when their threads end: a thread may wait for a
     * slow disk for longer than a stop may take. It stops at its next
     * frame (cancelled) or is left to the exit; its file has no name. */
    while (running && running->len) {
        export_job *j = g_ptr_array_index(running, running->len - 1);
        g_cancellable_cancel(j->cancel);
        log_warn("export of %s for %s cut: the server is stopping", j->source, j->who->user);
        reply_text(j, 503, "the server is stopping: the export was cancelled");
    }
    g_clear_pointer(&running, g_ptr_array_unref);
}
