/* mp4_writer.c - one GStreamer pipeline per file (see mp4_writer.h). */
#include "mp4_writer.h"

#include "anon_file.h"

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PIPELINE_H264                                                                              \
    "appsrc name=in format=time caps=video/x-h264,stream-format=byte-stream,alignment=au ! "       \
    "h264parse ! mp4mux name=mux ! filesink name=out"
#define PIPELINE_H265                                                                              \
    "appsrc name=in format=time caps=video/x-h265,stream-format=byte-stream,alignment=au ! "       \
    "h265parse ! mp4mux name=mux ! filesink name=out"
/* The appsrc's own bound: a synchronous writer blocks past it. */
#define SYNC_MAX_BYTES (8u * 1024u * 1024u)
#define ASYNC_MAX_BYTES (256u * 1024u * 1024u)
/* How long the shutdown waits for the writers being taken down. */
#define SETTLE_MS 3000

struct mp4_writer {
    GstElement *pipeline;
    GstAppSrc *in;
    guint watch; /* bus watch of an async writer */
    char *error;
    bool sync;
    /* An async writer's frames since the last mp4_writer_flush: handed to
     * the streaming thread together, one wakeup for many frames. */
    GstBufferList *pending;
    uint64_t pending_bytes;
    mp4_writer_done done;
    void *user;
    bool finishing;
    /* An async writer's pipeline is set playing on the worker thread:
     * START_* below (atomic); path for its error. */
    gint started;
    char *path;
    /* An async finish waiting, on the main loop, for the start to be over
     * (the worker is an idle-priority thread: never block the loop on it). */
    guint finish_poll;
    GCancellable *cancel; /* a sync writer's waits end when it is cancelled */
    /* What the pipeline is built from (an async writer's is built on the
     * worker thread, with its error there). */
    bool h265;
    unsigned fragment_ms;
    GMainContext *context; /* a reference: where an async writer reports */
    char *start_error;     /* set on the worker before started is */
    int scratch_fd;        /* mp4mux's file of a moov-first writer (anon_file.h), or -1 */
};

enum { START_PENDING, START_DONE, START_FAILED };
/* How long a finish waits for a start still under way (only at once after
 * the start: shutdown, a failure). */
#define START_WAIT_MS 2000
/* How often an async finish looks whether the start is over. */
#define FINISH_POLL_MS 10
/* How often a sync writer waiting (full queue, finish) looks at its
 * cancellable. */
#define SYNC_POLL_MS 20

/* Removes w's bus watch (from the context it reports to). */
static void remove_watch(mp4_writer *w)
{
    GSource *watch = w->watch ? g_main_context_find_source_by_id(w->context, w->watch) : NULL;
    if (watch)
        g_source_destroy(watch);
    w->watch = 0;
}

static void writer_free(mp4_writer *w)
{
    if (w->pending)
        gst_buffer_list_unref(w->pending);
    remove_watch(w);
    if (w->finish_poll)
        g_source_remove(w->finish_poll);
    if (w->pipeline) {
        gst_element_set_state(w->pipeline, GST_STATE_NULL);
        gst_object_unref(w->in);
        gst_object_unref(w->pipeline);
    }
    if (w->scratch_fd >= 0)
        close(w->scratch_fd); /* after mp4mux: it has closed its own */
    g_main_context_unref(w->context);
    g_free(w->start_error);
    g_free(w->path);
    g_free(w->error);
    g_clear_object(&w->cancel);
    g_free(w);
}

/* The threads made idle (their ids), so that the shutdown can hurry them;
 * after mp4_writer_hurry no thread is made idle. */
static GMutex idle_lock;
static GArray *idle_tids;
static gint hurrying;
static int base_nice;

/* tid back to the process's own priority. */
static void thread_normal(pid_t tid)
{
    struct sched_param none = {0};
    sched_setscheduler(tid, SCHED_OTHER, &none);
    setpriority(PRIO_PROCESS, (id_t)tid, base_nice);
}

/* The calling thread yields to every other (nice 19: a waking relay
 * thread preempts it at once), or back to the process's own priority. */
static void thread_idle(bool idle)
{
    static gsize once = 0;
    if (g_once_init_enter(&once)) {
        base_nice = getpriority(PRIO_PROCESS, (id_t)getpid());
        idle_tids = g_array_new(FALSE, FALSE, sizeof(pid_t));
        g_once_init_leave(&once, 1);
    }
    pid_t tid = (pid_t)syscall(SYS_gettid);
    g_mutex_lock(&idle_lock);
    for (guint i = 0; i < idle_tids->len; i++) {
        if (g_array_index(idle_tids, pid_t, i) == tid)
            g_array_remove_index_fast(idle_tids, i--);
    }
    if (idle && !g_atomic_int_get(&hurrying)) {
        /* Nice 19, not SCHED_IDLE: on a saturated CPU a SCHED_IDLE thread
         * preempted while it holds the appsrc's lock kept the main loop
         * (pushing a batch) waiting for seconds (recording-load test). */
        setpriority(PRIO_PROCESS, (id_t)tid, 19);
        g_array_append_val(idle_tids, tid);
    } else {
        thread_normal(tid);
    }
    g_mutex_unlock(&idle_lock);
}

void mp4_writer_hurry(void)
{
    g_atomic_int_set(&hurrying, 1);
    g_mutex_lock(&idle_lock);
    for (guint i = 0; idle_tids && i < idle_tids->len; i++)
        thread_normal(g_array_index(idle_tids, pid_t, i));
    if (idle_tids)
        g_array_set_size(idle_tids, 0);
    g_mutex_unlock(&idle_lock);
}

/* Writers finished on the main loop, taken down on their own thread
 * (stopping a pipeline joins its threads: not on the relay's loop). */
static GThreadPool *reaper;
static gint reaping;

/* A job of the worker thread: a writer to start or to take down. */
typedef struct {
    mp4_writer *w;
    bool start;
} writer_job;

static bool writer_build(mp4_writer *w, char **error);

/* Worker: builds w's pipeline and sets it playing (started: done or
 * failed). */
static void writer_start(mp4_writer *w)
{
    bool ok = writer_build(w, &w->start_error) &&
              gst_element_set_state(w->pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE;
    g_atomic_int_set(&w->started, ok ? START_DONE : START_FAILED);
}

static void reap(gpointer data, gpointer unused)
{
    (void)unused;
    writer_job *job = data;
    thread_idle(true);
    if (job->start)
        writer_start(job->w);
    else
        writer_free(job->w);
    g_free(job);
    g_atomic_int_add(&reaping, -1);
}

/* Hands w to the worker thread (made on first use) to start or take
 * down; done here when there is no worker. */
static void worker_push(mp4_writer *w, bool start)
{
    static gsize once = 0;
    if (g_once_init_enter(&once)) {
        reaper = g_thread_pool_new(reap, NULL, 1, TRUE, NULL);
        g_once_init_leave(&once, 1);
    }
    writer_job *job = g_new0(writer_job, 1);
    job->w = w;
    job->start = start;
    g_atomic_int_inc(&reaping);
    if (!reaper || !g_thread_pool_push(reaper, job, NULL))
        reap(job, NULL);
}

/* Main loop: whether w's start is over; a failed one becomes its error. */
static bool start_over(mp4_writer *w)
{
    int st = g_atomic_int_get(&w->started);
    if (st == START_FAILED && !w->error)
        w->error = w->start_error ? g_steal_pointer(&w->start_error)
                                  : g_strdup_printf("cannot open %s for writing", w->path);
    return st != START_PENDING;
}

/* Waits (at most wait_ms) for w's start before w is ended or freed. */
static void wait_started(mp4_writer *w, unsigned wait_ms)
{
    int64_t deadline = g_get_monotonic_time() + (int64_t)wait_ms * 1000;
    while (!start_over(w) && g_get_monotonic_time() < deadline)
        g_usleep(200);
    if (!start_over(w) && !w->error)
        w->error = g_strdup("the writer did not start");
}

/* Hands w to the worker thread to be taken down. */
static void writer_dispose(mp4_writer *w)
{
    remove_watch(w);
    if (w->finish_poll) {
        g_source_remove(w->finish_poll);
        w->finish_poll = 0;
    }
    worker_push(w, false);
}

void mp4_writer_settle(void)
{
    int64_t deadline = g_get_monotonic_time() + SETTLE_MS * 1000;
    while (g_atomic_int_get(&reaping) > 0 && g_get_monotonic_time() < deadline)
        g_usleep(1000);
}

/* The message of an error on the bus (g_free it). */
static char *error_text(GstMessage *msg)
{
    GError *err = NULL;
    gst_message_parse_error(msg, &err, NULL);
    char *text = g_strdup(err ? err->message : "write failed");
    g_clear_error(&err);
    return text;
}

/* Main loop: the pipeline's end of stream or error. */
static gboolean on_bus(GstBus *bus, GstMessage *msg, gpointer data)
{
    (void)bus;
    mp4_writer *w = data;
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR && !w->error)
        w->error = error_text(msg);
    else if (GST_MESSAGE_TYPE(msg) != GST_MESSAGE_EOS)
        return G_SOURCE_CONTINUE;
    if (!w->finishing)
        return G_SOURCE_CONTINUE; /* an error: the owner sees it and finishes */
    w->watch = 0;
    mp4_writer_done done = w->done;
    void *user = w->user;
    char *error = g_strdup(w->error);
    done(error, user); /* the file is complete at the end of stream */
    g_free(error);
    writer_dispose(w);
    return G_SOURCE_REMOVE;
}

/* Bus sync handler, on the thread that posts: each streaming thread of a
 * writer, as it starts, makes itself nice 19, so that muxing and writing
 * a recording never go before the relay of live video on a busy core (a
 * recording that falls behind says so); as it leaves, it takes its priority
 * back (GStreamer's threads are pooled: the next task may be a camera's). */
static GstBusSyncReply lower_priority(GstBus *bus, GstMessage *msg, gpointer data)
{
    (void)bus;
    (void)data;
    GstStreamStatusType type;
    GstElement *owner;
    if (GST_MESSAGE_TYPE(msg) != GST_MESSAGE_STREAM_STATUS)
        return GST_BUS_PASS;
    gst_message_parse_stream_status(msg, &type, &owner);
    if (type == GST_STREAM_STATUS_TYPE_ENTER || type == GST_STREAM_STATUS_TYPE_LEAVE)
        thread_idle(type == GST_STREAM_STATUS_TYPE_ENTER);
    return GST_BUS_PASS;
}

/* mux writes the moov first: it keeps the samples in a file of its own
 * until the end, one without a name (anon_file.h), so that a writer left
 * running at exit (an export on a disk slower than the stop) leaves no
 * file behind. Without one, mux names its own in TMPDIR. */
static void moov_first(mp4_writer *w, GstElement *mux)
{
    char *scratch = NULL;
    g_object_set(mux, "faststart", TRUE, NULL);
    w->scratch_fd = anon_file_open("pantau-mux-XXXXXX", &scratch, NULL);
    if (w->scratch_fd >= 0)
        g_object_set(mux, "faststart-file", scratch, NULL);
    g_free(scratch);
}

/* Builds w's pipeline (on the worker thread for an async writer: element
 * creation is not for the relay's loop): false with *error (g_free it). */
static bool writer_build(mp4_writer *w, char **error)
{
    GError *err = NULL;
    GstElement *pipeline = gst_parse_launch(w->h265 ? PIPELINE_H265 : PIPELINE_H264, &err);
    if (!pipeline) {
        *error = g_strdup_printf("cannot build the MP4 writer: %s", err ? err->message : "?");
        g_clear_error(&err);
        return false;
    }
    w->in = GST_APP_SRC(gst_bin_get_by_name(GST_BIN(pipeline), "in"));
    GstElement *mux = gst_bin_get_by_name(GST_BIN(pipeline), "mux");
    GstElement *out = gst_bin_get_by_name(GST_BIN(pipeline), "out");
    if (w->fragment_ms)
        g_object_set(mux, "fragment-duration", w->fragment_ms, NULL);
    else
        moov_first(w, mux);
    /* Unbuffered: each fragment reaches the file as mp4mux writes it, so a
     * crash or a reader at the live edge finds it there. */
    g_object_set(out, "location", w->path, "buffer-mode", 2, NULL);
    g_object_set(w->in, "block", FALSE, "max-bytes",
                 (guint64)(w->sync ? SYNC_MAX_BYTES : ASYNC_MAX_BYTES), NULL);
    gst_object_unref(mux);
    gst_object_unref(out);
    GstBus *bus = gst_element_get_bus(pipeline);
    gst_bus_set_sync_handler(bus, lower_priority, NULL, NULL);
    if (!w->sync) {
        GSource *watch = gst_bus_create_watch(bus);
        g_source_set_callback(watch, (GSourceFunc)(void (*)(void))on_bus, w, NULL);
        w->watch = g_source_attach(watch, w->context);
        g_source_unref(watch);
    }
    gst_object_unref(bus);
    w->pipeline = pipeline;
    return true;
}

mp4_writer *mp4_writer_new(const char *path, bool h265, unsigned fragment_ms, bool sync,
                           char **error)
{
    mp4_writer *w = g_new0(mp4_writer, 1);
    w->scratch_fd = -1;
    w->sync = sync;
    w->h265 = h265;
    w->fragment_ms = fragment_ms;
    w->path = g_strdup(path);
    w->context = g_main_context_ref_thread_default();
    if (!sync) {
        worker_push(w, true); /* building, starting threads, opening: not on the loop */
        return w;
    }
    w->started = START_DONE;
    if (!writer_build(w, error))
        goto fail;
    if (gst_element_set_state(w->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        *error = g_strdup_printf("cannot open %s for writing", path);
        goto fail;
    }
    return w;
fail:
    writer_free(w);
    return NULL;
}

void mp4_writer_set_cancel(mp4_writer *w, GCancellable *cancel)
{
    g_clear_object(&w->cancel);
    w->cancel = cancel ? g_object_ref(cancel) : NULL;
}

/* Whether a sync writer's wait is to end: cancelled (then its error). */
static bool cancelled(mp4_writer *w)
{
    if (!g_cancellable_is_cancelled(w->cancel))
        return false;
    if (!w->error)
        w->error = g_strdup("cancelled");
    return true;
}

/* A sync writer's push (steals buf): waits while the queue is full, until
 * it has room, the pipeline fails or the writer is cancelled. */
static bool push_sync(mp4_writer *w, GstBuffer *buf)
{
    GstBus *bus = gst_element_get_bus(w->pipeline);
    while (gst_app_src_get_current_level_bytes(w->in) > SYNC_MAX_BYTES && !cancelled(w) &&
           !w->error) {
        GstMessage *msg =
            gst_bus_timed_pop_filtered(bus, SYNC_POLL_MS * GST_MSECOND, GST_MESSAGE_ERROR);
        if (msg) {
            w->error = error_text(msg);
            gst_message_unref(msg);
        }
    }
    gst_object_unref(bus);
    if (w->error) {
        gst_buffer_unref(buf);
        return false;
    }
    return gst_app_src_push_buffer(w->in, buf) == GST_FLOW_OK;
}

/* Queues buf (steals it) at time_us: pushed at once (sync) or kept in
 * the batch until the next flush. */
static bool push_buffer(mp4_writer *w, GstBuffer *buf, int64_t time_us, bool key)
{
    GST_BUFFER_PTS(buf) = GST_BUFFER_DTS(buf) = (GstClockTime)time_us * GST_USECOND;
    if (!key)
        GST_BUFFER_FLAG_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
    if (w->sync)
        return push_sync(w, buf);
    if (!w->pending)
        w->pending = gst_buffer_list_new();
    gst_buffer_list_add(w->pending, buf);
    w->pending_bytes += gst_buffer_get_size(buf);
    return true;
}

bool mp4_writer_push(mp4_writer *w, const void *data, size_t len, int64_t time_us, bool key)
{
    if (w->error || w->finishing)
        return false;
    return push_buffer(w, gst_buffer_new_memdup(data, len), time_us, key);
}

/* GstMemory's destroy notify, on whichever thread drops the buffer: the
 * writer's reference of the frame. */
static void frame_release(gpointer data)
{
    media_frame_unref(data);
}

bool mp4_writer_push_frame(mp4_writer *w, media_frame *f, int64_t time_us)
{
    if (w->error || w->finishing)
        return false;
    /* The access unit only, not the room in front of it (the network
     * writes its headers there); read-only: every client shares it. */
    GstBuffer *buf =
        gst_buffer_new_wrapped_full(GST_MEMORY_FLAG_READONLY, f->bytes, f->room + f->len, f->room,
                                    f->len, media_frame_ref(f), frame_release);
    return push_buffer(w, buf, time_us, media_frame_is_keyframe(f));
}

void mp4_writer_flush(mp4_writer *w)
{
    if (!w->pending || !start_over(w))
        return; /* kept until the pipeline plays */
    GstBufferList *list = w->pending;
    w->pending = NULL;
    w->pending_bytes = 0;
    if (!w->error && gst_app_src_push_buffer_list(w->in, list) != GST_FLOW_OK && !w->error)
        w->error = g_strdup("the writer stopped");
}

/* Whether w's pipeline plays (any thread; its fields are set before). */
static bool playing(const mp4_writer *w)
{
    return g_atomic_int_get((gint *)&w->started) == START_DONE && w->in;
}

uint64_t mp4_writer_queued_bytes(const mp4_writer *w)
{
    return (playing(w) ? gst_app_src_get_current_level_bytes(w->in) : 0) + w->pending_bytes;
}

/* The time between the first and the last frame of the pending list. */
static int64_t pending_ms(const mp4_writer *w)
{
    guint n = w->pending ? gst_buffer_list_length(w->pending) : 0;
    if (n < 2)
        return 0;
    GstClockTime a = GST_BUFFER_PTS(gst_buffer_list_get(w->pending, 0));
    GstClockTime b = GST_BUFFER_PTS(gst_buffer_list_get(w->pending, n - 1));
    return b > a ? (int64_t)((b - a) / GST_MSECOND) : 0;
}

int64_t mp4_writer_queued_ms(const mp4_writer *w)
{
    GstClockTime t = playing(w) ? gst_app_src_get_current_level_time(w->in) : 0;
    return (GST_CLOCK_TIME_IS_VALID(t) ? (int64_t)(t / GST_MSECOND) : 0) + pending_ms(w);
}

const char *mp4_writer_failed(mp4_writer *w)
{
    start_over(w);
    return w->error;
}

/* Main loop: ends w's file, its start being over. */
static void finish_started(mp4_writer *w)
{
    mp4_writer_flush(w);
    if (w->error) {
        /* Already failed: no end of stream will come. */
        mp4_writer_done done = w->done;
        void *user = w->user;
        char *error = g_strdup(w->error);
        writer_dispose(w);
        done(error, user);
        g_free(error);
        return;
    }
    gst_app_src_end_of_stream(w->in);
}

/* Main loop, every FINISH_POLL_MS: finishes w once its start is over. */
static gboolean finish_when_started(gpointer data)
{
    mp4_writer *w = data;
    if (!start_over(w))
        return G_SOURCE_CONTINUE;
    w->finish_poll = 0;
    finish_started(w);
    return G_SOURCE_REMOVE;
}

void mp4_writer_finish(mp4_writer *w, mp4_writer_done done, void *user)
{
    w->done = done;
    w->user = user;
    w->finishing = true;
    if (start_over(w)) {
        finish_started(w);
        return;
    }
    w->finish_poll = g_timeout_add(FINISH_POLL_MS, finish_when_started, w);
}

/* The end of stream or error of w's pipeline, waited for at most left_ms
 * and until w is cancelled; NULL when it did not come. */
static GstMessage *wait_end(mp4_writer *w, int64_t left_ms)
{
    GstBus *bus = gst_element_get_bus(w->pipeline);
    int64_t deadline = g_get_monotonic_time() + left_ms * 1000;
    GstMessage *msg = NULL;
    while (!msg && !cancelled(w)) {
        int64_t wait_ms = MIN(SYNC_POLL_MS, (deadline - g_get_monotonic_time()) / 1000);
        if (wait_ms < 0)
            break;
        msg = gst_bus_timed_pop_filtered(bus, (GstClockTime)wait_ms * GST_MSECOND,
                                         GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    }
    gst_object_unref(bus);
    return msg;
}

int mp4_writer_finish_sync(mp4_writer *w, unsigned timeout_ms, char **error)
{
    int64_t deadline = g_get_monotonic_time() + (int64_t)timeout_ms * 1000;
    wait_started(w, timeout_ms); /* the watch is made with the pipeline */
    remove_watch(w);
    if (w->finish_poll) {
        g_source_remove(w->finish_poll);
        w->finish_poll = 0;
    }
    mp4_writer_flush(w);
    int64_t left_ms = MAX(0, (deadline - g_get_monotonic_time()) / 1000);
    if (w->error) {
        *error = g_strdup(w->error);
        writer_free(w);
        return -1;
    }
    gst_app_src_end_of_stream(w->in);
    GstMessage *msg = wait_end(w, left_ms);
    int rc = 0;
    if (!msg || GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
        *error = msg            ? error_text(msg)
                 : cancelled(w) ? g_strdup("cancelled")
                                : g_strdup("the MP4 file was not finished in time");
        rc = -1;
    }
    if (msg)
        gst_message_unref(msg);
    writer_free(w);
    return rc;
}

void mp4_writer_abort(mp4_writer *w)
{
    if (!w)
        return;
    wait_started(w, START_WAIT_MS);
    writer_free(w);
}
