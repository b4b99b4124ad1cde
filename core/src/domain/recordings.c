/* recordings.c - the cameras' rolling recordings (recordings.h): one
 * recorder per recorded camera (a media engine session, an mp4_writer per
 * segment), the index of the segments on disk, retention, the reader and
 * export. */
#include "recordings.h"

#include "disk_writer.h"
#include "fmp4.h"
#include "log.h"
#include "mp4_writer.h"
#include "subscribe.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Bytes a camera's writer may hold unwritten; past it recording falls
 * behind: frames are dropped up to the next keyframe. */
#define RECORDER_QUEUE_BYTES (16u * 1024u * 1024u)
/* ... or this much video: past it too recording is behind, until the
 * queue is back under half of it. */
#define RECORDER_MAX_LAG_MS 5000
/* At shutdown, how long a segment may take to finish before it is cut
 * (what is written of it is kept, as after a crash); an export's. */
#define SHUTDOWN_FINISH_MS 2000
#define EXPORT_FINISH_MS 60000
/* After a failed segment (full disk, unwritable folder), the next try. */
#define RETRY_MS 2000
/* The recorders hand their frames to the writers this often (one wakeup
 * of a writer's thread per camera and tick, not one per frame). */
#define FLUSH_MS 250
/* Retention runs every this many flushes (1 s). */
#define FLUSHES_PER_TICK 4
#define DEFAULT_RETENTION_MIN (24 * 60)
#define PART_SUFFIX ".part.mp4"

typedef struct recorder recorder;

struct recordings {
    recordings_deps deps;
    json_t *section; /* a reference, or NULL */
    char *dir;
    bool default_enabled;
    int64_t default_retention_ms;
    uint64_t budget_bytes; /* 0: none */
    disk_writer *writer;   /* deletions */
    GMutex lock;           /* guards index and the segments in it */
    GHashTable *index; /* source id (owned) -> GPtrArray of rec_segment * (owned), oldest first */
    GHashTable *recorders; /* source id (owned) -> recorder * (owned); main loop */
    GPtrArray *closing;    /* segment_close *: writers finishing; main loop */
    guint tick;
    unsigned ticks;
    guint sync_idle;
    rec_gate *gate; /* the readers' way in: closed by recordings_free */
};

/* What a reader (on a thread of its own: an export, a replay) holds of
 * its recordings: reference-counted, so that it may outlive them. The
 * lock is held only for reads of the index in memory: closing the gate
 * never waits for a disk. */
struct rec_gate {
    gint refs;
    GMutex lock;
    recordings *r; /* NULL once the recordings are freed */
};

struct recorder {
    recordings *r;
    char *id;
    session *viewer;
    int64_t retention_ms;
    mp4_writer *w;        /* the segment being written, or NULL */
    rec_segment *seg;     /* its index entry (in r->index) */
    int64_t seg_recv0_us; /* wall clock of its first frame */
    int64_t seg_pts0_us;  /* camera time of its first frame */
    int64_t last_t_us;    /* time of the last frame in the segment */
    uint64_t pushed;      /* bytes pushed into the segment */
    int64_t seg_end_ms;   /* the end of its last frame; into seg at each flush */
    bool h265;
    bool need_key; /* frames were dropped: the next segment starts at a keyframe */
    int64_t retry_at_us;
    char *error; /* why recording fails now, or NULL */
    uint64_t dropped;
    bool behind;        /* frames are being dropped: the disk does not keep up */
    int64_t flushed_us; /* monotonic time of the last recorder_flush */
    uint64_t queued;    /* bytes unwritten at the last flush (lag_ms: video) */
    int64_t lag_ms;
    int64_t kept_until; /* the end of what was recorded before it started: older frames
                           (the engine's cached ones) are not recorded again */
};

/* A segment whose writer is finishing. */
typedef struct segment_close {
    recordings *r;
    char *id;
    int64_t start_ms, end_ms;
    char *part; /* the file being written */
    mp4_writer *w;
} segment_close;

static void rec_segment_free(gpointer p)
{
    rec_segment *s = p;
    g_free(s->path);
    g_free(s);
}

static rec_segment *rec_segment_copy(const rec_segment *s)
{
    rec_segment *c = g_memdup2(s, sizeof *s);
    c->path = g_strdup(s->path);
    return c;
}

static int64_t now_ms(void)
{
    return g_get_real_time() / 1000;
}

/* ---- config ---- */

/* The retention of obj ("retention_minutes" or "retention_days"), or def. */
static int64_t retention_of(const json_t *obj, int64_t def)
{
    const json_t *m = json_object_get(obj, "retention_minutes");
    const json_t *d = json_object_get(obj, "retention_days");
    if (json_is_number(m))
        return (int64_t)(json_number_value(m) * 60000);
    if (json_is_number(d))
        return (int64_t)(json_number_value(d) * 86400000);
    return def;
}

static int check_retention(const json_t *obj, const char *at, recordings_report report, void *user)
{
    int bad = 0;
    static const char *const keys[] = {"retention_minutes", "retention_days"};
    for (size_t i = 0; i < 2; i++) {
        const json_t *v = json_object_get(obj, keys[i]);
        if (!v || (json_is_number(v) && json_number_value(v) > 0))
            continue;
        char *p = g_strdup_printf("%s.%s", at, keys[i]);
        report(p, "must be a number above 0", user);
        g_free(p);
        bad++;
    }
    if (json_object_get(obj, "retention_minutes") && json_object_get(obj, "retention_days")) {
        char *p = g_strdup_printf("%s.retention_days", at);
        report(p, "give retention_minutes or retention_days, not both", user);
        g_free(p);
        bad++;
    }
    return bad;
}

/* Reports keys of obj not in allowed (NULL-terminated). */
static int check_keys(const json_t *obj, const char *at, const char *const *allowed,
                      recordings_report report, void *user)
{
    int bad = 0;
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = !strcmp(*a, key);
        if (ok)
            continue;
        char *p = g_strdup_printf("%s.%s", at, key);
        char *msg = g_strdup_printf("unknown key '%s'", key);
        report(p, msg, user);
        g_free(msg);
        g_free(p);
        bad++;
    }
    return bad;
}

static int check_bool(const json_t *obj, const char *at, const char *key, recordings_report report,
                      void *user)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_boolean(v))
        return 0;
    char *p = g_strdup_printf("%s.%s", at, key);
    report(p, "must be true or false", user);
    g_free(p);
    return 1;
}

/* The checks both objects share: an object of keys, "enabled" a boolean,
 * the retention. Returns the refusals. */
static int check_common(const json_t *obj, const char *at, const char *example,
                        const char *const *keys, recordings_report report, void *user)
{
    if (!json_is_object(obj)) {
        char *msg = g_strdup_printf("must be an object like %s", example);
        report(at, msg, user);
        g_free(msg);
        return 1;
    }
    return check_keys(obj, at, keys, report, user) + check_bool(obj, at, "enabled", report, user) +
           check_retention(obj, at, report, user);
}

int recordings_check_camera(const json_t *camera, const char *at, recordings_report report,
                            void *user)
{
    static const char *const keys[] = {"enabled", "retention_minutes", "retention_days", NULL};
    return camera ? check_common(camera, at, "{\"enabled\": true, \"retention_minutes\": 60}", keys,
                                 report, user)
                  : 0;
}

int recordings_check_config(const json_t *section, const char *at, recordings_report report,
                            void *user)
{
    static const char *const keys[] = {"enabled",        "path",      "retention_minutes",
                                       "retention_days", "budget_mb", NULL};
    if (!section)
        return 0;
    int bad =
        check_common(section, at, "{\"enabled\": true, \"budget_mb\": 1000}", keys, report, user);
    if (!json_is_object(section))
        return bad;
    const json_t *path = json_object_get(section, "path");
    if (path && (!json_is_string(path) || !*json_string_value(path))) {
        char *p = g_strdup_printf("%s.path", at);
        report(p, "must be a folder name", user);
        g_free(p);
        bad++;
    }
    const json_t *budget = json_object_get(section, "budget_mb");
    if (budget && !(json_is_number(budget) && json_number_value(budget) > 0)) {
        char *p = g_strdup_printf("%s.budget_mb", at);
        report(p, "must be a number of megabytes above 0", user);
        g_free(p);
        bad++;
    }
    return bad;
}

/* Whether src is to be recorded, and its retention. */
static bool camera_wants(const recordings *r, const pantau_source *src, int64_t *retention_ms)
{
    if (!source_is_camera(src))
        return false;
    const json_t *own = src->recording;
    const json_t *en = json_object_get(own, "enabled");
    *retention_ms = retention_of(own, r->default_retention_ms);
    return en ? json_is_true(en) : (own ? true : r->default_enabled);
}

/* ---- the index ---- */

/* The segments of id (created empty). Lock held. */
static GPtrArray *index_of(recordings *r, const char *id)
{
    GPtrArray *segs = g_hash_table_lookup(r->index, id);
    if (!segs) {
        segs = g_ptr_array_new_with_free_func(rec_segment_free);
        g_hash_table_insert(r->index, g_strdup(id), segs);
    }
    return segs;
}

static gint by_start(gconstpointer a, gconstpointer b)
{
    const rec_segment *x = *(rec_segment *const *)a, *y = *(rec_segment *const *)b;
    return x->start_ms < y->start_ms ? -1 : x->start_ms > y->start_ms;
}

static char *segment_path(const recordings *r, const char *id, int64_t start, int64_t end)
{
    char name[64];
    if (end < 0)
        snprintf(name, sizeof name, "%" PRId64 PART_SUFFIX, start);
    else
        snprintf(name, sizeof name, "%" PRId64 "-%" PRId64 ".mp4", start, end);
    return g_build_filename(r->dir, id, name, NULL);
}

/* The end (ms) of what is readable of the fMP4 at path from start_ms, or
 * -1 when nothing is. */
static int64_t readable_end(const char *path, int64_t start_ms)
{
    char *error = NULL;
    fmp4_reader *rd = fmp4_open(path, &error);
    if (!rd) {
        g_free(error);
        return -1;
    }
    fmp4_sample s;
    int64_t end_us = -1;
    while (fmp4_next(rd, &s) == 1)
        end_us = MAX(end_us, s.time_us + MAX(s.duration_us, 1000));
    fmp4_close(rd);
    return end_us < 0 ? -1 : start_ms + end_us / 1000;
}

/* A segment cut short (crash, full disk): renamed after what is readable
 * of it, or deleted. Returns its final path, or NULL. */
static char *close_part(const recordings *r, const char *id, const char *part, int64_t start)
{
    int64_t end = readable_end(part, start);
    if (end < 0) {
        g_unlink(part);
        log_warn("%s: recording: dropped %s (nothing readable in it)", id, part);
        return NULL;
    }
    char *path = segment_path(r, id, start, end);
    if (g_rename(part, path)) {
        log_warn("%s: recording: cannot rename %s: %s", id, part, g_strerror(errno));
        g_free(path);
        return NULL;
    }
    return path;
}

static void index_add_file(recordings *r, const char *id, char *path, int64_t start, int64_t end)
{
    struct stat st;
    if (g_stat(path, &st)) {
        g_free(path);
        return;
    }
    rec_segment *s = g_new0(rec_segment, 1);
    s->start_ms = start;
    s->end_ms = end;
    s->bytes = (uint64_t)st.st_size;
    s->path = path;
    g_ptr_array_add(index_of(r, id), s);
}

/* Rebuilds the index of one camera's folder. */
static void scan_camera(recordings *r, const char *id)
{
    char *folder = g_build_filename(r->dir, id, NULL);
    GDir *dir = g_dir_open(folder, 0, NULL);
    const char *name;
    while (dir && (name = g_dir_read_name(dir))) {
        int64_t start = 0, end = 0;
        char tail[16] = "";
        if (sscanf(name, "%" SCNd64 "-%" SCNd64 ".mp%1[4]", &start, &end, tail) == 3 &&
            end >= start) {
            index_add_file(r, id, g_build_filename(folder, name, NULL), start, end);
        } else if (g_str_has_suffix(name, PART_SUFFIX) && sscanf(name, "%" SCNd64, &start) == 1) {
            char *part = g_build_filename(folder, name, NULL);
            char *path = close_part(r, id, part, start);
            if (path)
                index_add_file(r, id, path, start, readable_end(path, start));
            g_free(part);
        }
    }
    if (dir)
        g_dir_close(dir);
    g_free(folder);
    g_mutex_lock(&r->lock);
    GPtrArray *segs = g_hash_table_lookup(r->index, id);
    if (segs)
        g_ptr_array_sort(segs, by_start);
    g_mutex_unlock(&r->lock);
}

static void scan_all(recordings *r)
{
    GDir *dir = g_dir_open(r->dir, 0, NULL);
    const char *name;
    while (dir && (name = g_dir_read_name(dir))) {
        char *path = g_build_filename(r->dir, name, NULL);
        if (g_file_test(path, G_FILE_TEST_IS_DIR))
            scan_camera(r, name);
        g_free(path);
    }
    if (dir)
        g_dir_close(dir);
}

GPtrArray *recordings_segments(recordings *r, const char *source_id, int64_t from_ms, int64_t to_ms)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(rec_segment_free);
    if (!r)
        return out;
    g_mutex_lock(&r->lock);
    GPtrArray *segs = g_hash_table_lookup(r->index, source_id);
    for (guint i = 0; segs && i < segs->len; i++) {
        const rec_segment *s = g_ptr_array_index(segs, i);
        if (s->end_ms >= from_ms && s->start_ms <= to_ms)
            g_ptr_array_add(out, rec_segment_copy(s));
    }
    g_mutex_unlock(&r->lock);
    return out;
}

bool recordings_span(recordings *r, const char *source_id, int64_t *oldest_ms, int64_t *newest_ms)
{
    if (!r)
        return false;
    g_mutex_lock(&r->lock);
    GPtrArray *segs = g_hash_table_lookup(r->index, source_id);
    bool any = segs && segs->len;
    if (any) {
        *oldest_ms = ((rec_segment *)g_ptr_array_index(segs, 0))->start_ms;
        *newest_ms = ((rec_segment *)g_ptr_array_index(segs, segs->len - 1))->end_ms;
    }
    g_mutex_unlock(&r->lock);
    return any;
}

/* ---- deletion and retention ---- */

static int unlink_job(void *data)
{
    return g_unlink(data) ? errno : 0;
}

static void unlink_done(void *data, int status)
{
    if (status && status != ENOENT)
        log_warn("recording: cannot delete %s: %s", (char *)data, g_strerror(status));
    g_free(data);
}

/* Drops segs[i] from the index and deletes its file. Lock held. */
static void drop_segment(recordings *r, GPtrArray *segs, guint i)
{
    rec_segment *s = g_ptr_array_index(segs, i);
    disk_writer_submit(r->writer, unlink_job, unlink_done, g_strdup(s->path));
    g_ptr_array_remove_index(segs, i);
}

static int64_t retention_for(recordings *r, const char *id)
{
    const recorder *rec = g_hash_table_lookup(r->recorders, id);
    return rec ? rec->retention_ms : r->default_retention_ms;
}

/* Closed segments that ended before their camera's retention. Lock held. */
static void retain_by_time(recordings *r, int64_t now)
{
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, r->index);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        GPtrArray *segs = value;
        int64_t keep_from = now - retention_for(r, key);
        while (segs->len) {
            const rec_segment *s = g_ptr_array_index(segs, 0);
            if (s->open || s->end_ms >= keep_from)
                break;
            drop_segment(r, segs, 0);
        }
    }
}

/* The oldest closed segments of all cameras until the total fits the
 * budget. Lock held. */
static void retain_by_budget(recordings *r)
{
    if (!r->budget_bytes)
        return;
    for (;;) {
        uint64_t total = 0;
        GPtrArray *oldest_in = NULL;
        const rec_segment *oldest = NULL;
        GHashTableIter it;
        gpointer value;
        g_hash_table_iter_init(&it, r->index);
        while (g_hash_table_iter_next(&it, NULL, &value)) {
            GPtrArray *segs = value;
            for (guint i = 0; i < segs->len; i++) {
                const rec_segment *s = g_ptr_array_index(segs, i);
                total += s->bytes;
                if (i == 0 && !s->open && (!oldest || s->start_ms < oldest->start_ms)) {
                    oldest = s;
                    oldest_in = segs;
                }
            }
        }
        if (total <= r->budget_bytes || !oldest)
            return;
        drop_segment(r, oldest_in, 0);
    }
}

static void retain(recordings *r)
{
    g_mutex_lock(&r->lock);
    retain_by_time(r, now_ms());
    retain_by_budget(r);
    g_mutex_unlock(&r->lock);
}

/* ---- recorders ---- */

static void set_error(recorder *rec, char *why)
{
    if (!rec->error || strcmp(rec->error, why))
        log_warn("%s: recording fails: %s", rec->id, why);
    g_free(rec->error);
    rec->error = why;
}

/* Main loop: a segment's writer finished (error: borrowed, or NULL). */
static void segment_closed(const char *error, void *user)
{
    segment_close *c = user;
    recordings *r = c->r;
    g_ptr_array_remove_fast(r->closing, c);
    char *path = NULL;
    if (error) {
        log_warn("%s: recording: segment %s failed: %s", c->id, c->part, error);
        path = close_part(r, c->id, c->part, c->start_ms);
    } else {
        recorder *rec = g_hash_table_lookup(r->recorders, c->id);
        if (rec && rec->error) {
            log_info("%s: recording works again", c->id);
            g_clear_pointer(&rec->error, g_free);
        }
        path = segment_path(r, c->id, c->start_ms, c->end_ms);
        if (g_rename(c->part, path)) {
            log_warn("%s: recording: cannot rename %s: %s", c->id, c->part, g_strerror(errno));
            g_clear_pointer(&path, g_free);
        }
    }
    struct stat st;
    int64_t end = path && error ? readable_end(path, c->start_ms) : c->end_ms;
    g_mutex_lock(&r->lock);
    GPtrArray *segs = index_of(r, c->id);
    for (guint i = 0; i < segs->len; i++) {
        rec_segment *s = g_ptr_array_index(segs, i);
        if (!s->open || s->start_ms != c->start_ms)
            continue;
        if (!path || g_stat(path, &st)) {
            g_ptr_array_remove_index(segs, i);
            break;
        }
        s->open = false;
        s->end_ms = end;
        s->bytes = (uint64_t)st.st_size;
        g_free(s->path);
        s->path = g_steal_pointer(&path);
        break;
    }
    g_mutex_unlock(&r->lock);
    g_free(path);
    g_free(c->id);
    g_free(c->part);
    g_free(c);
    retain(r);
}

/* The segment's end and size into its index entry (for readers, the
 * span, retention): at each flush and at its end, not per frame. */
static void recorder_publish(recorder *rec)
{
    g_mutex_lock(&rec->r->lock);
    rec->seg->end_ms = rec->seg_end_ms;
    rec->seg->bytes = rec->pushed;
    g_mutex_unlock(&rec->r->lock);
}

/* Ends rec's segment (its writer finishes in the background). */
static void segment_end(recorder *rec)
{
    if (!rec->w)
        return;
    segment_close *c = g_new0(segment_close, 1);
    c->r = rec->r;
    c->id = g_strdup(rec->id);
    c->start_ms = rec->seg_recv0_us / 1000;
    recorder_publish(rec);
    c->end_ms = rec->seg_end_ms;
    c->part = g_strdup(rec->seg->path);
    c->w = rec->w;
    rec->w = NULL;
    rec->seg = NULL;
    g_ptr_array_add(rec->r->closing, c);
    mp4_writer_finish(c->w, segment_closed, c);
}

/* The frame's time in its segment: the camera's clock, held to the
 * wall clock within a second (a camera clock that jumps is rebased). */
static int64_t frame_time(recorder *rec, const media_frame *f)
{
    int64_t by_recv = f->recv_us - rec->seg_recv0_us;
    int64_t t = f->pts_us - rec->seg_pts0_us;
    if (t - by_recv > G_USEC_PER_SEC || by_recv - t > G_USEC_PER_SEC) {
        rec->seg_pts0_us = f->pts_us - by_recv;
        t = by_recv;
    }
    return MAX(t, rec->last_t_us + 1000);
}

/* Starts a segment at the keyframe f, whose time on the recording's
 * timeline is start_us (wall clock). False when it cannot. */
static bool segment_start(recorder *rec, const media_frame *f, int64_t start_us)
{
    recordings *r = rec->r;
    int64_t start = start_us / 1000;
    char *folder = g_build_filename(r->dir, rec->id, NULL);
    if (g_mkdir_with_parents(folder, 0750)) {
        set_error(rec, g_strdup_printf("cannot make %s: %s", folder, g_strerror(errno)));
        g_free(folder);
        return false;
    }
    g_free(folder);
    char *part = segment_path(r, rec->id, start, -1);
    char *error = NULL;
    rec->h265 = (f->flags & MEDIA_FLAG_H265) != 0;
    rec->w = mp4_writer_new(part, rec->h265, RECORDINGS_FRAGMENT_MS, false, &error);
    if (!rec->w) {
        set_error(rec, error);
        g_free(part);
        return false;
    }
    rec->seg_recv0_us = start_us;
    rec->seg_pts0_us = f->pts_us;
    rec->last_t_us = -1;
    rec->pushed = 0;
    rec->seg_end_ms = start;
    rec_segment *s = g_new0(rec_segment, 1);
    s->start_ms = start;
    s->end_ms = start;
    s->path = part;
    s->open = true;
    g_mutex_lock(&r->lock);
    g_ptr_array_add(index_of(r, rec->id), s);
    g_mutex_unlock(&r->lock);
    rec->seg = s;
    return true;
}

/* Whether a new segment begins with the keyframe f. */
static bool segment_due(const recorder *rec, const media_frame *f)
{
    return rec->need_key ||
           f->recv_us - rec->seg_recv0_us >= (int64_t)RECORDINGS_SEGMENT_MS * 1000 ||
           ((f->flags & MEDIA_FLAG_H265) != 0) != rec->h265;
}

/* What rec's writers hold unwritten, the segments still finishing
 * included: bytes, and *ms of video. */
static uint64_t backlog(const recorder *rec, int64_t *ms)
{
    uint64_t bytes = rec->w ? mp4_writer_queued_bytes(rec->w) : 0;
    *ms = rec->w ? mp4_writer_queued_ms(rec->w) : 0;
    for (guint i = 0; i < rec->r->closing->len; i++) {
        const segment_close *c = g_ptr_array_index(rec->r->closing, i);
        if (strcmp(c->id, rec->id))
            continue;
        bytes += mp4_writer_queued_bytes(c->w);
        *ms += mp4_writer_queued_ms(c->w);
    }
    return bytes;
}

/* Hands rec's batch to its writer and takes the measure of its backlog
 * (the writers' locks and the index's are taken here, a few times a
 * second, never per frame). */
static void recorder_flush(recorder *rec)
{
    if (rec->w) {
        mp4_writer_flush(rec->w);
        recorder_publish(rec);
    }
    rec->flushed_us = g_get_monotonic_time();
    rec->queued = backlog(rec, &rec->lag_ms);
}

/* Whether rec's disk keeps up (as measured at the last flush); when not, the frame is dropped (and
 * the next segment starts at a keyframe once it does). */
static bool keeps_up(recorder *rec)
{
    if (rec->queued <= RECORDER_QUEUE_BYTES && rec->lag_ms <= RECORDER_MAX_LAG_MS)
        return true;
    if (!rec->behind)
        log_warn("%s: recording falls behind: the disk does not keep up (%" PRId64
                 " ms queued); frames are dropped",
                 rec->id, rec->lag_ms);
    rec->behind = true;
    rec->dropped++;
    rec->need_key = true;
    return false;
}

/* Ends rec's segment when its writer failed (full disk, unwritable). */
static void check_failed(recorder *rec)
{
    if (!rec->w || !mp4_writer_failed(rec->w))
        return;
    set_error(rec, g_strdup(mp4_writer_failed(rec->w)));
    segment_end(rec);
    rec->retry_at_us = g_get_monotonic_time() + RETRY_MS * 1000;
}

/* session_sink.send_frame: the main stream's access unit into the segment,
 * a new segment starting at a keyframe when one is due. */
static void recorder_frame(void *peer, media_frame *f)
{
    recorder *rec = peer;
    bool key = media_frame_is_keyframe(f);
    if (f->flags & (MEDIA_FLAG_SUB | MEDIA_FLAG_TRANSCODED) || f->recv_us / 1000 < rec->kept_until)
        return;
    check_failed(rec);
    if (!key && (!rec->w || rec->need_key)) {
        rec->dropped += rec->behind; /* waiting for a keyframe after drops */
        return;
    }
    if (!keeps_up(rec))
        return;
    /* A segment that follows the last one without a frame lost goes on
     * from its timeline, not from when its keyframe came (a late one
     * would leave a gap, an early one an overlap). */
    int64_t start_us = f->recv_us;
    if (key && rec->w && segment_due(rec, f)) {
        if (!rec->need_key && ((f->flags & MEDIA_FLAG_H265) != 0) == rec->h265)
            start_us = rec->seg_recv0_us + frame_time(rec, f);
        segment_end(rec);
    }
    if (!rec->w) {
        if (g_get_monotonic_time() < rec->retry_at_us)
            return;
        if (!segment_start(rec, f, start_us)) {
            rec->retry_at_us = g_get_monotonic_time() + RETRY_MS * 1000;
            return;
        }
        rec->need_key = false;
    }
    int64_t t = frame_time(rec, f);
    if (!mp4_writer_push_frame(rec->w, f, t)) /* a reference, not a copy */
        return;
    rec->last_t_us = t;
    rec->pushed += f->len;
    rec->seg_end_ms = (rec->seg_recv0_us + t) / 1000 + 1;
    /* Each camera hands its batch over on its own phase, so that the
     * writers' threads do not all wake at once. */
    if (g_get_monotonic_time() - rec->flushed_us >= FLUSH_MS * 1000)
        recorder_flush(rec);
}

/* The engine resumes the stream from a keyframe: start a new segment there. */
static void recorder_expect_keyframe(void *peer, uint32_t stream)
{
    (void)stream;
    ((recorder *)peer)->need_key = true;
}

static const session_sink recorder_sink = {
    .send_json = session_sink_ignore_json,
    .stream_info = session_sink_ignore_json,
    .send_frame = recorder_frame,
    .expect_keyframe = recorder_expect_keyframe,
    .forget_stream = session_sink_ignore_stream,
    .background = true,
};

static recorder *recorder_new(recordings *r, const char *id, int64_t retention_ms)
{
    recorder *rec = g_new0(recorder, 1);
    rec->r = r;
    rec->id = g_strdup(id);
    rec->retention_ms = retention_ms;
    rec->need_key = true;
    int64_t oldest;
    if (!recordings_span(r, id, &oldest, &rec->kept_until))
        rec->kept_until = 0;
    /* The camera's own bytes, H.265 too: never transcoded. */
    rec->viewer = subscribe_viewer_new(r->deps.media, &recorder_sink, rec, "recording", id,
                                       SESSION_STREAM_MAIN, true);
    log_info("%s: recording starts", id);
    return rec;
}

static void recorder_free(gpointer p)
{
    recorder *rec = p;
    subscribe_release(rec->r->deps.media, rec->viewer);
    session_free(rec->viewer);
    segment_end(rec);
    g_free(rec->id);
    g_free(rec->error);
    g_free(rec);
}

void recordings_sync(recordings *r)
{
    if (!r || !r->deps.media)
        return;
    GHashTable *want = g_hash_table_new(g_str_hash, g_str_equal);
    const GPtrArray *list = r->deps.sources->list;
    for (guint i = 0; i < list->len; i++) {
        const pantau_source *src = g_ptr_array_index(list, i);
        int64_t retention = 0;
        if (!camera_wants(r, src, &retention))
            continue;
        g_hash_table_add(want, src->id);
        recorder *rec = g_hash_table_lookup(r->recorders, src->id);
        if (rec)
            rec->retention_ms = retention;
        else
            g_hash_table_insert(r->recorders, g_strdup(src->id),
                                recorder_new(r, src->id, retention));
    }
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, r->recorders);
    while (g_hash_table_iter_next(&it, &key, NULL))
        if (!g_hash_table_contains(want, key)) {
            log_info("%s: recording stops", (char *)key);
            g_hash_table_iter_remove(&it);
        }
    g_hash_table_destroy(want);
}

static gboolean sync_later(gpointer data)
{
    recordings *r = data;
    r->sync_idle = 0;
    recordings_sync(r);
    return G_SOURCE_REMOVE;
}

/* Bus: a source was added, recreated or removed. */
static void on_sources_changed(const bus_event *ev, void *user)
{
    (void)ev;
    recordings *r = user;
    if (!r->sync_idle)
        r->sync_idle = g_idle_add(sync_later, r);
}

static gboolean on_tick(gpointer data)
{
    recordings *r = data;
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, r->recorders);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        recorder *rec = value;
        if (g_get_monotonic_time() - rec->flushed_us >= FLUSH_MS * 1000)
            recorder_flush(rec); /* a camera that stopped sending, or is behind */
    }
    if (++r->ticks % FLUSHES_PER_TICK)
        return G_SOURCE_CONTINUE;
    g_hash_table_iter_init(&it, r->recorders);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        recorder *rec = value;
        if (rec->behind && rec->lag_ms < RECORDER_MAX_LAG_MS / 2) {
            rec->behind = false;
            log_info("%s: recording has caught up", rec->id);
        }
    }
    retain(r);
    return G_SOURCE_CONTINUE;
}

static rec_gate *gate_new(recordings *r)
{
    rec_gate *g = g_new0(rec_gate, 1);
    g->refs = 1;
    g_mutex_init(&g->lock);
    g->r = r;
    return g;
}

/* A new reference of g (any thread). */
static rec_gate *gate_ref(rec_gate *g)
{
    g_atomic_int_inc(&g->refs);
    return g;
}

rec_gate *recordings_gate(recordings *r)
{
    return gate_ref(r->gate);
}

void rec_gate_unref(rec_gate *g)
{
    if (!g || !g_atomic_int_dec_and_test(&g->refs))
        return;
    g_mutex_clear(&g->lock);
    g_free(g);
}

/* The recordings are being freed: readers find the gate closed. Waits
 * only for a read of the index under way. */
static void gate_close(rec_gate *g)
{
    g_mutex_lock(&g->lock);
    g->r = NULL;
    g_mutex_unlock(&g->lock);
    rec_gate_unref(g);
}

/* recordings_segments through g: NULL once the recordings are freed. */
static GPtrArray *gate_segments(rec_gate *g, const char *source_id, int64_t from_ms, int64_t to_ms)
{
    g_mutex_lock(&g->lock);
    GPtrArray *segs = g->r ? recordings_segments(g->r, source_id, from_ms, to_ms) : NULL;
    g_mutex_unlock(&g->lock);
    return segs;
}

recordings *recordings_new(const recordings_deps *deps)
{
    recordings *r = g_new0(recordings, 1);
    r->deps = *deps;
    r->section = json_incref((json_t *)deps->section);
    const json_t *sec = deps->section;
    const char *path = json_string_value(json_object_get(sec, "path"));
    if (!path)
        r->dir = g_build_filename(deps->state_dir ? deps->state_dir : ".", "recordings", NULL);
    else if (g_path_is_absolute(path) || !deps->config_dir)
        r->dir = g_strdup(path);
    else
        r->dir = g_build_filename(deps->config_dir, path, NULL);
    r->default_enabled = json_is_true(json_object_get(sec, "enabled"));
    r->default_retention_ms = retention_of(sec, (int64_t)DEFAULT_RETENTION_MIN * 60000);
    const json_t *budget = json_object_get(sec, "budget_mb");
    r->budget_bytes = budget ? (uint64_t)(json_number_value(budget) * 1024 * 1024) : 0;
    g_mutex_init(&r->lock);
    r->gate = gate_new(r);
    r->index =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
    r->recorders = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, recorder_free);
    r->closing = g_ptr_array_new();
    r->writer = disk_writer_new(NULL);
    if (g_mkdir_with_parents(r->dir, 0750))
        log_warn("recording: cannot make %s: %s (each camera retries)", r->dir, g_strerror(errno));
    scan_all(r);
    if (deps->bus) {
        bus_subscribe(deps->bus, BUS_SOURCE_ADDED, on_sources_changed, r);
        bus_subscribe(deps->bus, BUS_SOURCE_REMOVED, on_sources_changed, r);
    }
    r->tick = g_timeout_add(FLUSH_MS, on_tick, r);
    recordings_sync(r);
    return r;
}

/* Shutdown: waits for a finishing writer until deadline (monotonic us)
 * and closes its segment. */
static void close_now(segment_close *c, int64_t deadline)
{
    char *error = NULL;
    int64_t left_ms = MAX(0, (deadline - g_get_monotonic_time()) / 1000);
    mp4_writer_finish_sync(c->w, (unsigned)left_ms, &error);
    segment_closed(error, c);
    g_free(error);
}

void recordings_free(recordings *r)
{
    if (!r)
        return;
    /* First: a reader still running (an export the stop did not wait for)
     * must not reach what goes below. */
    gate_close(r->gate);
    if (r->deps.bus) {
        bus_unsubscribe(r->deps.bus, BUS_SOURCE_ADDED, on_sources_changed, r);
        bus_unsubscribe(r->deps.bus, BUS_SOURCE_REMOVED, on_sources_changed, r);
    }
    if (r->sync_idle)
        g_source_remove(r->sync_idle);
    g_source_remove(r->tick);
    mp4_writer_hurry();
    g_hash_table_remove_all(r->recorders); /* their segments end: in closing */
    int64_t deadline = g_get_monotonic_time() + SHUTDOWN_FINISH_MS * 1000;
    while (r->closing->len)
        close_now(g_ptr_array_index(r->closing, r->closing->len - 1), deadline);
    mp4_writer_settle();
    g_hash_table_destroy(r->recorders);
    g_ptr_array_free(r->closing, TRUE);
    disk_writer_free(r->writer);
    g_hash_table_destroy(r->index);
    g_mutex_clear(&r->lock);
    json_decref(r->section);
    g_free(r->dir);
    g_free(r);
}

/* ---- statistics ---- */

/* What the index holds of id. Lock held. */
static void index_totals(recordings *r, const char *id, uint64_t *bytes, guint *count,
                         int64_t *oldest, int64_t *newest)
{
    GPtrArray *segs = g_hash_table_lookup(r->index, id);
    *bytes = 0;
    *count = segs ? segs->len : 0;
    *oldest = *newest = 0;
    for (guint i = 0; segs && i < segs->len; i++)
        *bytes += ((rec_segment *)g_ptr_array_index(segs, i))->bytes;
    if (*count) {
        *oldest = ((rec_segment *)g_ptr_array_index(segs, 0))->start_ms;
        *newest = ((rec_segment *)g_ptr_array_index(segs, segs->len - 1))->end_ms;
    }
}

char *recordings_metrics_text(recordings *r)
{
    if (!r)
        return g_strdup("");
    GString *out = g_string_new(
        "# HELP pantau_recording_bytes Bytes of a camera's recording kept on disk.\n"
        "# TYPE pantau_recording_bytes gauge\n"
        "# HELP pantau_recording_segments Segments of a camera's recording kept.\n"
        "# TYPE pantau_recording_segments gauge\n"
        "# HELP pantau_recording_oldest_seconds Unix time of the oldest moment kept.\n"
        "# TYPE pantau_recording_oldest_seconds gauge\n"
        "# HELP pantau_recording_write_lag_seconds Recorded video not yet written to disk.\n"
        "# TYPE pantau_recording_write_lag_seconds gauge\n"
        "# HELP pantau_recording_dropped_total Frames dropped because the disk fell behind.\n"
        "# TYPE pantau_recording_dropped_total counter\n"
        "# HELP pantau_recording_failing Whether recording fails now (1) or works (0).\n"
        "# TYPE pantau_recording_failing gauge\n");
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, r->recorders);
    g_mutex_lock(&r->lock);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        const recorder *rec = value;
        uint64_t bytes;
        guint count;
        int64_t oldest, newest;
        index_totals(r, key, &bytes, &count, &oldest, &newest);
        const char *id = key; /* ids are [A-Za-z0-9_.:-]: nothing to escape */
        g_string_append_printf(out,
                               "pantau_recording_bytes{source=\"%s\"} %" PRIu64 "\n"
                               "pantau_recording_segments{source=\"%s\"} %u\n"
                               "pantau_recording_oldest_seconds{source=\"%s\"} %.3f\n"
                               "pantau_recording_write_lag_seconds{source=\"%s\"} %.3f\n"
                               "pantau_recording_dropped_total{source=\"%s\"} %" PRIu64 "\n"
                               "pantau_recording_failing{source=\"%s\"} %d\n",
                               id, bytes, id, count, id, oldest / 1000.0, id, rec->lag_ms / 1000.0,
                               id, rec->dropped, id, rec->error ? 1 : 0);
    }
    g_mutex_unlock(&r->lock);
    return g_string_free(out, FALSE);
}

json_t *recordings_camera_status(recordings *r, const char *source_id)
{
    const recorder *rec = r ? g_hash_table_lookup(r->recorders, source_id) : NULL;
    if (!rec)
        return NULL;
    const char *state = rec->error ? "error" : rec->behind ? "behind" : "on";
    const char *reason = rec->error      ? rec->error
                         : *state == 'b' ? "the disk does not keep up: frames are dropped"
                                         : NULL;
    uint64_t bytes;
    guint count;
    int64_t oldest, newest;
    g_mutex_lock(&r->lock);
    index_totals(r, source_id, &bytes, &count, &oldest, &newest);
    g_mutex_unlock(&r->lock);
    return json_pack("{s:s, s:s?, s:I, s:I, s:I, s:I}", "state", state, "reason", reason,
                     "oldest_ms", (json_int_t)oldest, "newest_ms", (json_int_t)newest,
                     "write_lag_ms", (json_int_t)rec->lag_ms, "dropped", (json_int_t)rec->dropped);
}

/* ---- the reader ---- */

struct rec_reader {
    rec_gate *gate; /* a reference */
    char *id;
    int64_t seg_start_ms; /* the segment open in fr */
    fmp4_reader *fr;
    GByteArray *au;
    guint skip; /* samples of fr to pass over before the first one given */
};

/* Opens the segment of rd's camera starting after after_ms (or at
 * at_start_ms when >= 0). 1, 0 when there is none, -1 on error. */
static int reader_open_segment(rec_reader *rd, int64_t after_ms, int64_t at_start_ms)
{
    GPtrArray *segs = gate_segments(rd->gate, rd->id, after_ms, G_MAXINT64);
    if (!segs)
        return -1; /* the recordings are gone */
    const rec_segment *pick = NULL;
    for (guint i = 0; i < segs->len && !pick; i++) {
        const rec_segment *s = g_ptr_array_index(segs, i);
        if (at_start_ms >= 0 ? s->start_ms == at_start_ms : s->start_ms > after_ms)
            pick = s;
    }
    int rc = 0;
    if (pick) {
        char *error = NULL;
        fmp4_reader *fr = fmp4_open(pick->path, &error);
        if (!fr) {
            /* A segment just begun has no header yet: nothing more now. */
            rc = pick->open ? 0 : -1;
            g_free(error);
        } else {
            fmp4_close(rd->fr);
            rd->fr = fr;
            rd->seg_start_ms = pick->start_ms;
            rc = 1;
        }
    }
    g_ptr_array_unref(segs);
    return rc;
}

/* Whether rd's segment is closed (or gone, or the recordings are): what
 * its file holds is all. */
static bool reader_segment_closed(rec_reader *rd)
{
    GPtrArray *segs = gate_segments(rd->gate, rd->id, rd->seg_start_ms, rd->seg_start_ms);
    if (!segs)
        return true;
    bool open = false;
    for (guint i = 0; i < segs->len; i++) {
        const rec_segment *s = g_ptr_array_index(segs, i);
        open |= s->start_ms == rd->seg_start_ms && s->open;
    }
    g_ptr_array_unref(segs);
    return !open;
}

/* Index in rd's open segment of the keyframe at or before at_ms. */
static guint keyframe_before(rec_reader *rd, int64_t at_ms)
{
    fmp4_sample s;
    guint n = 0, key_at = 0;
    bool key, config;
    while (fmp4_next(rd->fr, &s) == 1) {
        if (rd->seg_start_ms + s.time_us / 1000 > at_ms)
            break;
        if (fmp4_read_au(rd->fr, &s, rd->au, &key, &config) && key)
            key_at = n;
        n++;
    }
    return key_at;
}

/* rec_reader_open through gate (borrowed; the reader takes a reference). */
static rec_reader *reader_open(rec_gate *gate, const char *source_id, int64_t at_ms,
                               pantau_error *err)
{
    GPtrArray *segs = gate_segments(gate, source_id, G_MININT64, G_MAXINT64);
    if (!segs) {
        error_set(err, ERR_INTERNAL, "", "the recordings are closed: the server is stopping");
        return NULL;
    }
    int64_t start = -1;
    for (guint i = 0; i < segs->len; i++) {
        const rec_segment *s = g_ptr_array_index(segs, i);
        if (start < 0 || s->start_ms <= at_ms)
            start = s->start_ms;
        if (s->start_ms > at_ms)
            break;
    }
    g_ptr_array_unref(segs);
    if (start < 0) {
        error_set(err, ERR_NOT_FOUND, "source", "nothing of %s is recorded", source_id);
        return NULL;
    }
    rec_reader *rd = g_new0(rec_reader, 1);
    rd->gate = gate_ref(gate);
    rd->id = g_strdup(source_id);
    rd->au = g_byte_array_new();
    if (reader_open_segment(rd, 0, start) != 1) {
        error_set(err, ERR_NOT_FOUND, "source", "the recording of %s at that time is not readable",
                  source_id);
        rec_reader_free(rd);
        return NULL;
    }
    rd->skip = keyframe_before(rd, at_ms);
    fmp4_close(rd->fr);
    rd->fr = NULL;
    reader_open_segment(rd, 0, start);
    if (!rd->fr) {
        error_set(err, ERR_NOT_FOUND, "source", "the recording of %s is gone", source_id);
        rec_reader_free(rd);
        return NULL;
    }
    return rd;
}

rec_reader *rec_reader_open(recordings *r, const char *source_id, int64_t at_ms, pantau_error *err)
{
    return reader_open(r->gate, source_id, at_ms, err);
}

int rec_reader_next(rec_reader *rd, uint8_t **out, size_t *len, int64_t *time_us, unsigned *flags)
{
    for (;;) {
        bool closed = reader_segment_closed(rd);
        fmp4_sample s;
        int rc = fmp4_next(rd->fr, &s);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            if (!closed)
                return 0;
            rc = reader_open_segment(rd, rd->seg_start_ms, -1);
            if (rc <= 0)
                return rc;
            continue;
        }
        if (rd->skip) {
            rd->skip--;
            continue;
        }
        bool key, config;
        if (!fmp4_read_au(rd->fr, &s, rd->au, &key, &config))
            return -1;
        *time_us = rd->seg_start_ms * 1000 + s.time_us;
        *flags = (key ? MEDIA_FLAG_KEYFRAME : 0) | (config ? MEDIA_FLAG_CONFIG : 0) |
                 (fmp4_is_h265(rd->fr) ? MEDIA_FLAG_H265 : 0);
        *len = rd->au->len;
        *out = g_memdup2(rd->au->data, rd->au->len);
        return 1;
    }
}

void rec_reader_free(rec_reader *rd)
{
    if (!rd)
        return;
    fmp4_close(rd->fr);
    g_byte_array_free(rd->au, TRUE);
    g_free(rd->id);
    rec_gate_unref(rd->gate);
    g_free(rd);
}

/* ---- export ---- */

int recordings_export(rec_gate *gate, const char *source_id, int64_t from_ms, int64_t to_ms,
                      const char *path, GCancellable *cancel, pantau_error *err)
{
    rec_reader *rd = reader_open(gate, source_id, from_ms, err);
    if (!rd)
        return -1;
    mp4_writer *w = NULL;
    int64_t t0 = 0;
    uint8_t *au;
    size_t len;
    int64_t t;
    unsigned flags;
    int rc;
    while ((rc = rec_reader_next(rd, &au, &len, &t, &flags)) == 1) {
        char *error = NULL;
        if (t > to_ms * 1000 || g_cancellable_is_cancelled(cancel)) {
            g_free(au);
            break;
        }
        if (!w) {
            w = mp4_writer_new(path, flags & MEDIA_FLAG_H265, 0, true, &error);
            if (w)
                mp4_writer_set_cancel(w, cancel);
            t0 = t;
        }
        bool pushed = w && mp4_writer_push(w, au, len, t - t0, flags & MEDIA_FLAG_KEYFRAME);
        g_free(au);
        if (!pushed) {
            error_set(err, ERR_INTERNAL, "", "cannot write the export: %s",
                      error ? error
                      : w   ? mp4_writer_failed(w)
                            : "the writer failed");
            g_free(error);
            rc = -1;
            break;
        }
    }
    rec_reader_free(rd);
    if (rc >= 0 && g_cancellable_is_cancelled(cancel))
        rc = error_set(err, ERR_INTERNAL, "", "the export was cancelled");
    if (rc < 0) {
        mp4_writer_abort(w);
        return err && err->code ? -1 : error_set(err, ERR_INTERNAL, "", "the recording is broken");
    }
    if (!w)
        return error_set(err, ERR_NOT_FOUND, "from", "nothing of %s is recorded in that range",
                         source_id);
    char *error = NULL;
    if (mp4_writer_finish_sync(w, EXPORT_FINISH_MS, &error)) {
        error_set(err, ERR_INTERNAL, "", "cannot finish the export: %s", error);
        g_free(error);
        return -1;
    }
    return 0;
}
