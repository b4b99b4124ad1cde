/* disk_writer.c - one writer thread and a FIFO of jobs; finished jobs go
 * back to the main loop through one source that drains them all, in order,
 * so one completion can never overtake another. */
#include "disk_writer.h"

#include <stdbool.h>

typedef struct disk_job {
    disk_job_run run;
    disk_job_done done;
    void *data;
    int status;
} disk_job;

struct disk_writer {
    GMainContext *context;
    GThread *thread;
    GMutex lock;      /* guards everything below */
    GCond changed;    /* a job was queued or finished, or stop was asked */
    GQueue todo;      /* disk_job *, for the thread */
    GQueue finished;  /* disk_job *, for the main loop, in order */
    unsigned running; /* taken by the thread, not yet in finished */
    GSource *wakeup;  /* attached source that will drain finished, or NULL */
    bool stop;
};

/* Runs the completions of jobs (a list taken off finished), in order. */
static void complete_jobs(GQueue *jobs)
{
    disk_job *j;
    while ((j = g_queue_pop_head(jobs))) {
        j->done(j->data, j->status);
        g_free(j);
    }
}

/* On the main loop: every finished job's completion. */
static gboolean drain_finished(gpointer user)
{
    disk_writer *w = user;
    g_mutex_lock(&w->lock);
    GQueue jobs = w->finished;
    g_queue_init(&w->finished);
    GSource *self = w->wakeup;
    w->wakeup = NULL;
    g_mutex_unlock(&w->lock);
    if (self)
        g_source_unref(self);
    complete_jobs(&jobs);
    return G_SOURCE_REMOVE;
}

/* With the lock held: makes sure the main loop will drain finished. */
static void wake_main_loop(disk_writer *w)
{
    if (w->wakeup)
        return;
    w->wakeup = g_idle_source_new();
    /* Not idle priority: a busy loop (video) must not starve the replies. */
    g_source_set_priority(w->wakeup, G_PRIORITY_DEFAULT);
    g_source_set_callback(w->wakeup, drain_finished, w, NULL);
    g_source_attach(w->wakeup, w->context);
}

static gpointer writer_thread(gpointer user)
{
    disk_writer *w = user;
    g_mutex_lock(&w->lock);
    for (;;) {
        while (!w->stop && g_queue_is_empty(&w->todo))
            g_cond_wait(&w->changed, &w->lock);
        disk_job *j = g_queue_pop_head(&w->todo);
        if (!j)
            break; /* asked to stop, and nothing left */
        w->running++;
        g_mutex_unlock(&w->lock);
        j->status = j->run ? j->run(j->data) : 0;
        g_mutex_lock(&w->lock);
        w->running--;
        g_queue_push_tail(&w->finished, j);
        wake_main_loop(w);
        g_cond_broadcast(&w->changed);
    }
    g_mutex_unlock(&w->lock);
    return NULL;
}

disk_writer *disk_writer_new(GMainContext *context)
{
    disk_writer *w = g_new0(disk_writer, 1);
    w->context = context ? g_main_context_ref(context) : g_main_context_ref_thread_default();
    g_mutex_init(&w->lock);
    g_cond_init(&w->changed);
    g_queue_init(&w->todo);
    g_queue_init(&w->finished);
    w->thread = g_thread_new("disk-writer", writer_thread, w);
    return w;
}

void disk_writer_submit(disk_writer *w, disk_job_run run, disk_job_done done, void *data)
{
    if (!w) {
        done(data, run ? run(data) : 0);
        return;
    }
    disk_job *j = g_new0(disk_job, 1);
    j->run = run;
    j->done = done;
    j->data = data;
    g_mutex_lock(&w->lock);
    g_queue_push_tail(&w->todo, j);
    g_cond_broadcast(&w->changed);
    g_mutex_unlock(&w->lock);
}

void disk_writer_flush(disk_writer *w)
{
    if (!w)
        return;
    for (;;) {
        g_mutex_lock(&w->lock);
        while (!g_queue_is_empty(&w->todo) || w->running)
            g_cond_wait(&w->changed, &w->lock);
        GQueue jobs = w->finished;
        g_queue_init(&w->finished);
        g_mutex_unlock(&w->lock);
        if (g_queue_is_empty(&jobs))
            return;
        /* A completion may submit more jobs: go round until none is left. */
        complete_jobs(&jobs);
    }
}

void disk_writer_free(disk_writer *w)
{
    if (!w)
        return;
    disk_writer_flush(w);
    g_mutex_lock(&w->lock);
    w->stop = true;
    g_cond_broadcast(&w->changed);
    g_mutex_unlock(&w->lock);
    g_thread_join(w->thread);
    if (w->wakeup) {
        g_source_destroy(w->wakeup);
        g_source_unref(w->wakeup);
    }
    g_main_context_unref(w->context);
    g_mutex_clear(&w->lock);
    g_cond_clear(&w->changed);
    g_free(w);
}
