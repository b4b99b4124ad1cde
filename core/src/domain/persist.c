/* persist.c - changes' durable writes on the writer thread, their
 * completions on the main loop, and the write fence of the request being
 * handled. */
#include "persist.h"

#include "log.h"

#include <errno.h>
#include <string.h>

struct persister {
    disk_writer *writer; /* borrowed, may be NULL */
    write_fence *fence;  /* the request being handled, or NULL */
};

/* One change's durable writes: its audit line, then its files or its
 * write to the shared store. The writer thread touches only line, files,
 * remote (with undo, copies only), audit_err and remote_err. */
typedef struct persist_job {
    audit_line *line;         /* owned; NULL: no audit log */
    state_batch *files;       /* owned; NULL: the line only */
    persist_remote_fn remote; /* NULL: none */
    pantau_error audit_err;   /* set on the thread when the line failed: nothing written */
    pantau_error remote_err;  /* set on the thread when remote failed */
    /* main loop only: */
    write_fence *fence; /* borrowed, may be NULL: it completes after this job */
    const char *what;   /* a literal naming the files, for the error */
    persist_finish_fn finish;
    GDestroyNotify free_undo;
    void *undo;
} persist_job;

persister *persister_new(disk_writer *writer)
{
    persister *p = g_new0(persister, 1);
    p->writer = writer;
    return p;
}

void persister_free(persister *p)
{
    g_free(p);
}

write_fence *persist_fence_set(persister *p, write_fence *fence)
{
    write_fence *before = p->fence;
    p->fence = fence;
    return before;
}

const write_fence *persist_fence_get(const persister *p)
{
    return p->fence;
}

/* On the writer thread: the line first, so no state reaches disk unaudited;
 * a file that then fails gets its rolled_back line. Returns an errno value. */
static int persist_run(void *data)
{
    persist_job *j = data;
    if (j->line && audit_line_append(j->line, false, &j->audit_err))
        return EIO;
    int rc = j->files ? state_batch_run(j->files) : 0;
    if (rc == 0 && j->remote && j->remote(j->undo, &j->remote_err))
        rc = EAGAIN;
    if (rc && j->line && audit_line_append(j->line, true, NULL))
        log_error("the roll-back of a change could not be audited");
    return rc;
}

/* The fence's first failure is j's. */
static void fence_fail(write_fence *fence, const persist_job *j, int status)
{
    if (!fence || fence->failed)
        return;
    fence->failed = true;
    if (j->audit_err.code)
        fence->err = j->audit_err;
    else if (j->remote_err.code)
        fence->err = j->remote_err;
    else
        error_set(&fence->err, ERR_INTERNAL, "", "%s could not be saved: %s", j->what,
                  strerror(status));
}

/* On the main loop, in submission order. */
static void persist_done(void *data, int status)
{
    persist_job *j = data;
    if (status)
        fence_fail(j->fence, j, status);
    if (j->finish)
        j->finish(j->undo, status == 0);
    if (j->free_undo)
        j->free_undo(j->undo);
    audit_line_free(j->line);
    state_batch_free(j->files);
    g_free(j);
}

/* Counts j on the fence being handled and hands it to the writer. */
static void persist_submit(persister *p, persist_job *j)
{
    j->fence = p->fence;
    if (j->fence)
        j->fence->writes++;
    disk_writer_submit(p->writer, persist_run, persist_done, j);
}

void persist_change(persister *p, audit_line *line, state_batch *files, const char *what,
                    persist_finish_fn finish, GDestroyNotify free_undo, void *undo)
{
    persist_job *j = g_new0(persist_job, 1);
    *j = (persist_job){.line = line,
                       .files = files,
                       .what = what,
                       .finish = finish,
                       .free_undo = free_undo,
                       .undo = undo};
    persist_submit(p, j);
}

void persist_remote(persister *p, audit_line *line, persist_remote_fn remote,
                    persist_finish_fn finish, GDestroyNotify free_undo, void *undo)
{
    persist_job *j = g_new0(persist_job, 1);
    *j = (persist_job){.line = line,
                       .remote = remote,
                       .what = "the change",
                       .finish = finish,
                       .free_undo = free_undo,
                       .undo = undo};
    persist_submit(p, j);
}

void persist_files(persister *p, state_batch *files)
{
    persist_change(p, NULL, files, "the state", NULL, NULL, NULL);
}

/* A wait for a fence: what to call once its writes completed. */
typedef struct fence_waiter {
    void (*done)(void *data);
    void *data;
} fence_waiter;

static void fence_reached(void *data, int status)
{
    (void)status;
    fence_waiter *w = data;
    w->done(w->data);
    g_free(w);
}

void persist_fence_wait(persister *p, const write_fence *fence, void (*done)(void *data),
                        void *data)
{
    if (!fence || fence->writes == 0) {
        done(data);
        return;
    }
    fence_waiter *w = g_new(fence_waiter, 1);
    *w = (fence_waiter){done, data};
    /* The writer completes in order: this runs after every write counted. */
    disk_writer_submit(p->writer, NULL, fence_reached, w);
}
