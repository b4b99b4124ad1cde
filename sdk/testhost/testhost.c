/* testhost.c - libpantau-testhost: a fake core that loads one plugin and
 * lets a unit test drive it on a virtual clock (pantau/testhost.h). */
#include <pantau/testhost.h>

#include <dlfcn.h>
#include <ftw.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_TYPES 32

typedef struct th_timer {
    struct th_timer *next;
    unsigned id;
    unsigned interval_ms;
    int64_t due_ms;
    int (*cb)(void *user);
    void *user;
    int removed;
} th_timer;

struct pantau_source {
    struct pantau_source *next;
    pantau_testhost *th;
    const pantau_source_type *type;
    char *id;
    void *instance;
    int started;
    json_t *data;
    size_t publishes;
    enum pantau_source_status status;
    char *reason;
    json_t *events;
    size_t media[2], media_bytes[2];
};

/* One control action's answer; owned by the test host until it is freed,
 * so that a late answer still lands somewhere. */
typedef struct th_reply {
    struct th_reply *next;
    int answers;
    json_t *result;
    char *error;
} th_reply;

typedef struct pending_status {
    struct pending_status *next;
    pantau_source *source;
    enum pantau_source_status status;
    char *reason;
} pending_status;

struct pantau_testhost {
    pantau_host host; /* first: the plugin's host pointer is this struct */
    void *dl;
    const pantau_plugin_descriptor *desc;
    pantau_source_type types[MAX_TYPES];
    size_t n_types;
    char *refusal;
    int loaded; /* load() succeeded: unload() is due */
    pantau_source *sources;
    th_timer *timers;
    unsigned next_timer_id;
    int64_t now_ms;
    json_t *log;
    char state_dir[64];
    char *data_dir;
    pthread_mutex_t lock; /* log, media counts, pending statuses */
    pending_status *pending;
    th_reply *replies;
};

/* The one test host of the process: timer_add and timer_remove take no host. */
static pantau_testhost *current;

/* fmt with ap, malloc'd; NULL when out of memory. */
static char *dup_vprintf(const char *fmt, va_list ap)
{
    char *s = NULL;
    return vasprintf(&s, fmt, ap) < 0 ? NULL : s;
}

static char *dup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *dup_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = dup_vprintf(fmt, ap);
    va_end(ap);
    return s;
}

/* ABI 1.4 lets a type give defaults, create and check with its type_data
 * (the *_for callbacks), called instead of their twins when set. */
#if PANTAU_ABI_MINOR >= 4
#define TYPE_CALL(t, fn, ...)                                                                      \
    ((t)->fn##_for ? (t)->fn##_for((t)->type_data, __VA_ARGS__) : (t)->fn(__VA_ARGS__))
#define TYPE_CALL0(t, fn) ((t)->fn##_for ? (t)->fn##_for((t)->type_data) : (t)->fn())
#define TYPE_HAS(t, fn) ((t)->fn || (t)->fn##_for)
#else
#define TYPE_CALL(t, fn, ...) ((t)->fn(__VA_ARGS__))
#define TYPE_CALL0(t, fn) ((t)->fn())
#define TYPE_HAS(t, fn) ((t)->fn != NULL)
#endif

static const char *const level_names[] = {"error", "warn", "info", "debug"};
static const char *const severity_names[] = {"info", "warning", "critical"};

static void th_log(const pantau_host *host, enum pantau_log_level level, const char *fmt, ...)
{
    pantau_testhost *th = (pantau_testhost *)host;
    va_list ap;
    va_start(ap, fmt);
    char *msg = dup_vprintf(fmt, ap);
    va_end(ap);
    if (!msg)
        return;
    const char *name = (unsigned)level <= PANTAU_LOG_DEBUG ? level_names[level] : "debug";
    if (getenv("PANTAU_TESTHOST_VERBOSE"))
        fprintf(stderr, "[%s] %s: %s\n", th->desc ? th->desc->name : "?", name, msg);
    pthread_mutex_lock(&th->lock);
    json_array_append_new(th->log, json_pack("{s:s, s:s}", "level", name, "message", msg));
    pthread_mutex_unlock(&th->lock);
    free(msg);
}

/* The size a type struct must have to hold every required field. */
#define TYPE_MIN_SIZE (offsetof(pantau_source_type, destroy) + sizeof(void (*)(void *)))

static int refuse(pantau_testhost *th, char *reason)
{
    if (!th->refusal)
        th->refusal = reason;
    else
        free(reason);
    return -1;
}

static int th_register_source_type(const pantau_host *host, const pantau_source_type *type,
                                   size_t type_size)
{
    pantau_testhost *th = (pantau_testhost *)host;
    if (!type || type_size < TYPE_MIN_SIZE || type->size < TYPE_MIN_SIZE)
        return refuse(th, dup_printf("a source type struct is too small"));
    if (!type->id || !*type->id || !type->kind)
        return refuse(th, dup_printf("a source type has no id or no kind"));
    if (!TYPE_HAS(type, create) || !type->destroy)
        return refuse(th, dup_printf("source type '%s' lacks create or destroy", type->id));
    if (pantau_testhost_type(th, type->id))
        return refuse(th, dup_printf("source type '%s' is registered twice", type->id));
    if (th->n_types == MAX_TYPES)
        return refuse(th, dup_printf("more than %d source types", MAX_TYPES));
    pantau_source_type *t = &th->types[th->n_types++];
    size_t n = type_size < type->size ? type_size : type->size;
    memcpy(t, type, n < sizeof *t ? n : sizeof *t);
    t->size = sizeof *t;
    return 0;
}

#if PANTAU_ABI_MINOR >= 4
static int th_register_type(const pantau_host *host, const pantau_source_type *type)
{
    return th_register_source_type(host, type, type ? type->size : 0);
}
#endif

static void th_publish(pantau_source *source, const json_t *data)
{
    json_decref(source->data);
    source->data = data ? json_deep_copy(data) : NULL;
    source->publishes++;
}

static void th_set_status(pantau_source *source, enum pantau_source_status status,
                          const char *reason)
{
    free(source->reason);
    source->status = status;
    source->reason = reason ? strdup(reason) : NULL;
}

static void th_set_status_async(pantau_source *source, enum pantau_source_status status,
                                const char *reason)
{
    pending_status *p = calloc(1, sizeof *p);
    if (!p)
        return;
    p->source = source;
    p->status = status;
    p->reason = reason ? strdup(reason) : NULL;
    pantau_testhost *th = source->th;
    pthread_mutex_lock(&th->lock);
    pending_status **tail = &th->pending;
    while (*tail)
        tail = &(*tail)->next;
    *tail = p;
    pthread_mutex_unlock(&th->lock);
}

static void th_raise_event(pantau_source *source, enum pantau_severity severity,
                           const char *message, const json_t *details)
{
    const char *sev =
        (unsigned)severity <= PANTAU_SEVERITY_CRITICAL ? severity_names[severity] : "critical";
    json_t *ev =
        json_pack("{s:s, s:s, s:O?, s:I}", "severity", sev, "message", message ? message : "",
                  "details", details, "time_ms", (json_int_t)source->th->now_ms);
    json_array_append_new(source->events, ev);
}

static unsigned th_timer_add(unsigned interval_ms, int (*cb)(void *user), void *user)
{
    pantau_testhost *th = current;
    th_timer *t = th && cb ? calloc(1, sizeof *t) : NULL;
    if (!t)
        return 0;
    t->id = ++th->next_timer_id;
    t->interval_ms = interval_ms ? interval_ms : 1;
    t->due_ms = th->now_ms + t->interval_ms;
    t->cb = cb;
    t->user = user;
    t->next = th->timers;
    th->timers = t;
    return t->id;
}

static void th_timer_remove(unsigned timer_id)
{
    for (th_timer *t = current ? current->timers : NULL; t; t = t->next)
        if (t->id == timer_id)
            t->removed = 1;
}

static const char *th_source_id(const pantau_source *source)
{
    return source->id;
}

static const char *th_state_dir(const pantau_host *host)
{
    return ((const pantau_testhost *)host)->state_dir;
}

static const char *th_plugin_data_dir(const pantau_host *host)
{
    return ((const pantau_testhost *)host)->data_dir;
}

static void th_media_push(pantau_source *source, enum pantau_stream stream, const void *data,
                          size_t len, int64_t pts_us, unsigned flags)
{
    (void)data;
    (void)pts_us;
    (void)flags;
    if ((unsigned)stream > PANTAU_STREAM_SUB)
        return;
    pthread_mutex_lock(&source->th->lock);
    source->media[stream]++;
    source->media_bytes[stream] += len;
    pthread_mutex_unlock(&source->th->lock);
}

/* The host table: every field of the header's ABI (1.3 or 1.4); host.size
 * ends at the last field filled, so that a plugin sees what is absent. */
static void host_init(pantau_testhost *th)
{
    pantau_host *h = &th->host;
#if PANTAU_ABI_MINOR >= 4
    h->register_type = th_register_type;
    h->size = offsetof(pantau_host, register_type) + sizeof h->register_type;
#else
    h->size = offsetof(pantau_host, set_status_async) + sizeof h->set_status_async;
#endif
    h->abi_major = PANTAU_ABI_MAJOR;
    h->abi_minor = PANTAU_ABI_MINOR;
    h->log = th_log;
    h->register_source_type = th_register_source_type;
    h->publish = th_publish;
    h->set_status = th_set_status;
    h->raise_event = th_raise_event;
    h->timer_add = th_timer_add;
    h->timer_remove = th_timer_remove;
    h->source_id = th_source_id;
    h->state_dir = th_state_dir;
    h->plugin_data_dir = th_plugin_data_dir;
    h->media_push = th_media_push;
    h->set_status_async = th_set_status_async;
}

/* Opens the .so and checks its descriptor. Returns 0, or -1 with *error set. */
static int open_plugin(pantau_testhost *th, const char *so_path, char **error)
{
    th->dl = dlopen(so_path, RTLD_NOW | RTLD_LOCAL);
    if (!th->dl) {
        *error = dup_printf("cannot load %s: %s", so_path, dlerror());
        return -1;
    }
    pantau_plugin_describe_fn describe =
        (pantau_plugin_describe_fn)dlsym(th->dl, PANTAU_PLUGIN_SYMBOL);
    th->desc = describe ? describe() : NULL;
    if (!th->desc || !th->desc->name || !th->desc->load) {
        *error =
            dup_printf("%s has no plugin descriptor (PANTAU_PLUGIN_DEFINE) or no load()", so_path);
        return -1;
    }
    if (th->desc->abi_major != PANTAU_ABI_MAJOR || th->desc->abi_minor > PANTAU_ABI_MINOR) {
        *error = dup_printf("%s is built for ABI %u.%u; this test host speaks %d.%d", so_path,
                            th->desc->abi_major, th->desc->abi_minor, PANTAU_ABI_MAJOR,
                            PANTAU_ABI_MINOR);
        return -1;
    }
    const char *slash = strrchr(so_path, '/');
    int dir_len = slash ? (int)(slash - so_path) : 1;
    th->data_dir = dup_printf("%.*s/%s", dir_len, slash ? so_path : ".", th->desc->name);
    return 0;
}

pantau_testhost *pantau_testhost_new(const char *so_path, char **error)
{
    *error = NULL;
    if (current) {
        *error = dup_printf("one test host at a time: free the other first");
        return NULL;
    }
    pantau_testhost *th = calloc(1, sizeof *th);
    if (!th) {
        *error = dup_printf("out of memory");
        return NULL;
    }
    pthread_mutex_init(&th->lock, NULL);
    th->log = json_array();
    host_init(th);
    current = th;
    const char *tmp = getenv("TMPDIR");
    snprintf(th->state_dir, sizeof th->state_dir, "%.40s/pantau-th-XXXXXX", tmp ? tmp : "/tmp");
    if (!mkdtemp(th->state_dir)) {
        *error = dup_printf("cannot make a state directory in %s", tmp ? tmp : "/tmp");
        goto fail;
    }
    if (open_plugin(th, so_path, error))
        goto fail;
    if (th->desc->load(&th->host) != 0 || th->refusal) {
        *error = dup_printf("%s refused to load: %s", so_path,
                            th->refusal ? th->refusal : "load() returned non-zero");
        goto fail;
    }
    th->loaded = 1;
    return th;
fail:
    pantau_testhost_free(th);
    return NULL;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void pantau_testhost_free(pantau_testhost *th)
{
    if (!th)
        return;
    while (th->sources)
        pantau_testhost_destroy(th, th->sources);
    if (th->loaded && th->desc->unload)
        th->desc->unload();
    while (th->timers) {
        th_timer *t = th->timers;
        th->timers = t->next;
        free(t);
    }
    while (th->pending) {
        pending_status *p = th->pending;
        th->pending = p->next;
        free(p->reason);
        free(p);
    }
    while (th->replies) {
        th_reply *r = th->replies;
        th->replies = r->next;
        json_decref(r->result);
        free(r->error);
        free(r);
    }
    if (th->dl)
        dlclose(th->dl);
    if (th->state_dir[0] && !strstr(th->state_dir, "XXXXXX"))
        nftw(th->state_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
    json_decref(th->log);
    free(th->refusal);
    free(th->data_dir);
    pthread_mutex_destroy(&th->lock);
    if (current == th)
        current = NULL;
    free(th);
}

const pantau_plugin_descriptor *pantau_testhost_plugin(const pantau_testhost *th)
{
    return th->desc;
}

const pantau_source_type *pantau_testhost_type(const pantau_testhost *th, const char *type_id)
{
    for (size_t i = 0; i < th->n_types; i++)
        if (strcmp(th->types[i].id, type_id) == 0)
            return &th->types[i];
    return NULL;
}

json_t *pantau_testhost_settings(const pantau_testhost *th, const char *type_id,
                                 const json_t *settings)
{
    const pantau_source_type *type = pantau_testhost_type(th, type_id);
    json_t *merged = type && TYPE_HAS(type, defaults) ? TYPE_CALL0(type, defaults) : NULL;
    if (!json_is_object(merged)) {
        json_decref(merged);
        merged = json_object();
    }
    if (json_is_object(settings))
        json_object_update(merged, (json_t *)settings);
    return merged;
}

int pantau_testhost_check(pantau_testhost *th, const char *type_id, const json_t *settings,
                          char **error)
{
    *error = NULL;
    const pantau_source_type *type = pantau_testhost_type(th, type_id);
    if (!type) {
        *error = dup_printf("no source type '%s'", type_id);
        return -1;
    }
    if (!TYPE_HAS(type, check))
        return 0;
    json_t *merged = pantau_testhost_settings(th, type_id, settings);
    int rc = TYPE_CALL(type, check, merged, error);
    json_decref(merged);
    if (rc && !*error)
        *error = dup_printf("check() refused without a reason");
    return rc ? -1 : 0;
}

pantau_source *pantau_testhost_create(pantau_testhost *th, const char *type_id,
                                      const char *source_id, const json_t *settings, char **error)
{
    *error = NULL;
    const pantau_source_type *type = pantau_testhost_type(th, type_id);
    if (!type) {
        *error = dup_printf("no source type '%s'", type_id);
        return NULL;
    }
    pantau_source *s = calloc(1, sizeof *s);
    if (!s) {
        *error = dup_printf("out of memory");
        return NULL;
    }
    s->th = th;
    s->type = type;
    s->id = strdup(source_id);
    s->status = PANTAU_STATUS_IDLE;
    s->events = json_array();
    json_t *merged = pantau_testhost_settings(th, type_id, settings);
    s->instance = TYPE_CALL(type, create, s, merged, error);
    json_decref(merged);
    if (!s->instance) {
        if (!*error)
            *error = dup_printf("create() failed without a reason");
        json_decref(s->data);
        json_decref(s->events);
        free(s->reason);
        free(s->id);
        free(s);
        return NULL;
    }
    s->next = th->sources;
    th->sources = s;
    return s;
}

int pantau_testhost_update(pantau_testhost *th, pantau_source *source, const json_t *settings,
                           char **error)
{
    *error = NULL;
    if (!source->type->update) {
        *error = dup_printf("source type '%s' has no update()", source->type->id);
        return -1;
    }
    json_t *merged = pantau_testhost_settings(th, source->type->id, settings);
    int rc = source->type->update(source->instance, merged, error);
    json_decref(merged);
    if (rc && !*error)
        *error = dup_printf("update() refused without a reason");
    return rc ? -1 : 0;
}

void pantau_testhost_start(pantau_testhost *th, pantau_source *source)
{
    (void)th;
    if (source->started)
        return;
    source->started = 1;
    if (source->type->start)
        source->type->start(source->instance);
}

void pantau_testhost_stop(pantau_testhost *th, pantau_source *source)
{
    (void)th;
    if (!source->started)
        return;
    source->started = 0;
    if (source->type->stop)
        source->type->stop(source->instance);
}

void pantau_testhost_destroy(pantau_testhost *th, pantau_source *source)
{
    pantau_testhost_stop(th, source);
    source->type->destroy(source->instance);
    for (pantau_source **p = &th->sources; *p; p = &(*p)->next)
        if (*p == source) {
            *p = source->next;
            break;
        }
    for (pending_status *p = th->pending; p; p = p->next)
        if (p->source == source)
            p->source = NULL;
    json_decref(source->data);
    json_decref(source->events);
    free(source->reason);
    free(source->id);
    free(source);
}

static void apply_pending(pantau_testhost *th)
{
    pthread_mutex_lock(&th->lock);
    pending_status *list = th->pending;
    th->pending = NULL;
    pthread_mutex_unlock(&th->lock);
    while (list) {
        pending_status *p = list;
        list = p->next;
        if (p->source)
            th_set_status(p->source, p->status, p->reason);
        free(p->reason);
        free(p);
    }
}

/* The live timer due first (the oldest on a tie) at or before until_ms, or NULL. */
static th_timer *next_due(pantau_testhost *th, int64_t until_ms)
{
    th_timer *best = NULL;
    for (th_timer *t = th->timers; t; t = t->next)
        if (!t->removed && t->due_ms <= until_ms &&
            (!best || t->due_ms < best->due_ms || (t->due_ms == best->due_ms && t->id < best->id)))
            best = t;
    return best;
}

static void sweep_timers(pantau_testhost *th)
{
    for (th_timer **p = &th->timers; *p;) {
        th_timer *t = *p;
        if (t->removed) {
            *p = t->next;
            free(t);
        } else {
            p = &t->next;
        }
    }
}

void pantau_testhost_advance(pantau_testhost *th, unsigned ms)
{
    int64_t until = th->now_ms + ms;
    apply_pending(th);
    for (th_timer *t; (t = next_due(th, until));) {
        th->now_ms = t->due_ms;
        if (!t->cb(t->user))
            t->removed = 1;
        else
            t->due_ms += t->interval_ms;
        apply_pending(th);
    }
    th->now_ms = until;
    sweep_timers(th);
}

int64_t pantau_testhost_now_ms(const pantau_testhost *th)
{
    return th->now_ms;
}

size_t pantau_testhost_timer_count(const pantau_testhost *th)
{
    size_t n = 0;
    for (const th_timer *t = th->timers; t; t = t->next)
        n += !t->removed;
    return n;
}

const json_t *pantau_testhost_data(const pantau_source *source)
{
    return source->data;
}

size_t pantau_testhost_publish_count(const pantau_source *source)
{
    return source->publishes;
}

enum pantau_source_status pantau_testhost_status(const pantau_source *source, const char **reason)
{
    if (reason)
        *reason = source->reason;
    return source->status;
}

const json_t *pantau_testhost_events(const pantau_source *source)
{
    return source->events;
}

const json_t *pantau_testhost_log(const pantau_testhost *th)
{
    return th->log;
}

size_t pantau_testhost_media_count(const pantau_source *source, enum pantau_stream stream,
                                   size_t *bytes)
{
    unsigned i = (unsigned)stream > PANTAU_STREAM_SUB ? 0 : (unsigned)stream;
    pthread_mutex_lock(&source->th->lock);
    size_t n = source->media[i];
    if (bytes)
        *bytes = source->media_bytes[i];
    pthread_mutex_unlock(&source->th->lock);
    return n;
}

static void control_done(const json_t *result, const char *error, void *data)
{
    th_reply *r = data;
    if (r->answers++)
        return;
    r->result = result ? json_deep_copy(result) : NULL;
    r->error = error ? strdup(error) : NULL;
}

/* A new reply owned by th, or NULL. */
static th_reply *reply_new(pantau_testhost *th)
{
    th_reply *r = calloc(1, sizeof *r);
    if (r) {
        r->next = th->replies;
        th->replies = r;
    }
    return r;
}

/* Waits up to wait_ms of virtual time for r, then turns it into the return value. */
static int reply_take(pantau_testhost *th, th_reply *r, unsigned wait_ms, json_t **result,
                      char **error)
{
    for (unsigned waited = 0; !r->answers && waited < wait_ms; waited += 10)
        pantau_testhost_advance(th, wait_ms - waited < 10 ? wait_ms - waited : 10);
    if (!r->answers) {
        *error = dup_printf("no answer within %u ms", wait_ms);
        return -1;
    }
    if (r->answers > 1) {
        *error = dup_printf("the plugin answered %d times", r->answers);
        return -1;
    }
    if (r->error) {
        *error = strdup(r->error);
        return -1;
    }
    *result = json_incref(r->result);
    return 0;
}

int pantau_testhost_control(pantau_testhost *th, pantau_source *source, const char *action,
                            const json_t *args, unsigned wait_ms, json_t **result, char **error)
{
    *result = NULL;
    *error = NULL;
    th_reply *r = reply_new(th);
    if (!r || !source->type->control) {
        *error = dup_printf("source type '%s' has no control()", source->type->id);
        return -1;
    }
    if (source->type->control(source->instance, action, args, control_done, r) != 0) {
        *error = dup_printf("unknown action '%s'", action);
        return -1;
    }
    return reply_take(th, r, wait_ms, result, error);
}

int pantau_testhost_type_control(pantau_testhost *th, const char *type_id, const char *action,
                                 const json_t *args, unsigned wait_ms, json_t **result,
                                 char **error)
{
    *result = NULL;
    *error = NULL;
    const pantau_source_type *type = pantau_testhost_type(th, type_id);
    th_reply *r = reply_new(th);
    if (!r || !type || !type->type_control) {
        *error = dup_printf("no source type '%s' with type_control()", type_id);
        return -1;
    }
    if (type->type_control(action, args, control_done, r) != 0) {
        *error = dup_printf("unknown action '%s'", action);
        return -1;
    }
    return reply_take(th, r, wait_ms, result, error);
}
