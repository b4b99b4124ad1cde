/* rtsp_restream.c - the cameras' streams served again over RTSP: one
 * gst-rtsp-server mount per camera and stream, each media an appsrc fed
 * by a media engine session (its sink pushes the access units) and
 * packetised by rtph264pay. See rtsp_restream.h for the threads.
 *
 * A media's life: "media-configure" (RTSP thread) makes its feed; the
 * appsrc's first "need-data" (a streaming thread, once it can take
 * buffers) hands the feed to the main loop, which subscribes a session to
 * the camera: the engine opens the stream with its first viewer and sends
 * the frames since the last keyframe at once, so the media prerolls. The
 * media's "unprepared" (its last client left) hands it to the main loop
 * again, which releases the session: the engine closes the camera's
 * stream after its grace period when nobody else watches. */
#include "rtsp_restream.h"

#include "auth_util.h"
#include "log.h"
#include "password.h"
#include "subscribe.h"

#include <gst/app/gstappsrc.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <string.h>

/* Bytes an appsrc may hold that its pipeline has not taken; past it the
 * feed drops frames up to the next keyframe. */
#define FEED_MAX_QUEUED_BYTES (8u * 1024u * 1024u)
/* Credentials remembered as good (keyed hashes), so that an RTSP client's
 * DESCRIBE, SETUP and PLAY cost one argon2id check, not three. */
#define PASSED_MAX 256
/* Threads serving RTSP clients (a password check holds one). */
#define CLIENT_THREADS 4
#define ROLE "viewer"
/* How often a media waiting for its first frame looks at its camera. */
#define CAMERA_CHECK_MS 500
/* Password checks per client address and minute, as for the web's logins
 * (docs/security.md); past it a client is refused without a check. */
#define ATTEMPTS_PER_MINUTE 5

#define LAUNCH                                                                                     \
    "( appsrc name=src is-live=true format=time do-timestamp=true "                                \
    "caps=video/x-h264,stream-format=byte-stream,alignment=au ! "                                  \
    "rtph264pay name=pay0 pt=96 config-interval=-1 )"

/* ---- the check of users and viewer tokens ---- */

typedef struct PantauRestreamAuth {
    GstRTSPAuth parent;
    const auth_center *center; /* borrowed; read only from the RTSP threads */
    bool anonymous;            /* auth.anonymous_role: no credentials needed */
    GstRTSPToken *token;       /* what every accepted client gets: the role ROLE */
    unsigned char key[PASSWORD_KEY_BYTES];
    GMutex lock;        /* guards passed and limiter */
    GHashTable *passed; /* keyed hashes (owned) of "user:password" that matched */
    login_limiter *limiter;
} PantauRestreamAuth;

typedef struct PantauRestreamAuthClass {
    GstRTSPAuthClass parent_class;
} PantauRestreamAuthClass;

G_DEFINE_TYPE(PantauRestreamAuth, pantau_restream_auth, GST_TYPE_RTSP_AUTH)

/* Splits the Basic credentials b64 into *user and *password (g_malloc'd;
 * free the password with password_forget). False when malformed. */
static bool basic_decode(const char *b64, char **user, char **password)
{
    gsize len = 0;
    guchar *raw = g_base64_decode(b64, &len);
    char *text = g_strndup((const char *)raw, len);
    password_wipe(raw, len);
    g_free(raw);
    char *colon = strchr(text, ':');
    bool ok = colon && colon != text && strlen(text) == len;
    if (ok) {
        *user = g_strndup(text, (gsize)(colon - text));
        *password = g_strdup(colon + 1);
    }
    password_forget(text);
    return ok;
}

/* Whether address may have its password checked now (it counts). */
static bool attempt_allowed(PantauRestreamAuth *self, const char *address)
{
    g_mutex_lock(&self->lock);
    int wait = login_limiter_take(self->limiter, address, g_get_monotonic_time());
    g_mutex_unlock(&self->lock);
    if (wait)
        log_warn("RTSP restream: too many password attempts from %s; refused for %d s", address,
                 wait);
    return wait == 0;
}

/* Whether user and password, sent from address, are good; remembers a
 * match. Off the loop: it may check an argon2id hash. */
static bool credentials_pass(PantauRestreamAuth *self, const char *user, const char *password,
                             const char *address)
{
    char *both = g_strdup_printf("%s:%s", user, password);
    char hex[PASSWORD_KEYED_HEX + 1];
    password_keyed_hex(self->key, both, hex);
    password_forget(both);
    g_mutex_lock(&self->lock);
    bool known = g_hash_table_contains(self->passed, hex);
    g_mutex_unlock(&self->lock);
    if (known)
        return true;
    if (!attempt_allowed(self, address))
        return false;
    if (!auth_check_password(self->center, user, password, NULL)) {
        log_info("RTSP restream: a client at %s was refused (unknown user or wrong password)",
                 address);
        return false;
    }
    g_mutex_lock(&self->lock);
    login_limiter_forgive(self->limiter, address);
    if (g_hash_table_size(self->passed) >= PASSED_MAX)
        g_hash_table_remove_all(self->passed);
    g_hash_table_add(self->passed, g_strdup(hex));
    g_mutex_unlock(&self->lock);
    return true;
}

/* GstRTSPAuth.authenticate: a token for good Basic credentials, or for
 * none when anonymous viewers are allowed; no token answers 401. */
static gboolean restream_authenticate(GstRTSPAuth *base, GstRTSPContext *ctx)
{
    PantauRestreamAuth *self = (PantauRestreamAuth *)base;
    gchar *header = NULL;
    if (gst_rtsp_message_get_header(ctx->request, GST_RTSP_HDR_AUTHORIZATION, &header, 0) !=
            GST_RTSP_OK ||
        !header) {
        if (self->anonymous)
            ctx->token = self->token;
        return TRUE;
    }
    char *user = NULL, *password = NULL;
    if (g_ascii_strncasecmp(header, "basic ", 6) != 0 ||
        !basic_decode(header + 6, &user, &password))
        return TRUE;
    const char *address = ctx->conn ? gst_rtsp_connection_get_ip(ctx->conn) : NULL;
    if (credentials_pass(self, user, password, address ? address : "?"))
        ctx->token = self->token;
    g_free(user);
    password_forget(password);
    return TRUE;
}

static void restream_auth_finalize(GObject *obj)
{
    PantauRestreamAuth *self = (PantauRestreamAuth *)obj;
    gst_rtsp_token_unref(self->token);
    g_hash_table_destroy(self->passed);
    login_limiter_free(self->limiter);
    g_mutex_clear(&self->lock);
    password_wipe(self->key, sizeof self->key);
    G_OBJECT_CLASS(pantau_restream_auth_parent_class)->finalize(obj);
}

static void pantau_restream_auth_class_init(PantauRestreamAuthClass *klass)
{
    GST_RTSP_AUTH_CLASS(klass)->authenticate = restream_authenticate;
    G_OBJECT_CLASS(klass)->finalize = restream_auth_finalize;
}

static void pantau_restream_auth_init(PantauRestreamAuth *self)
{
    g_mutex_init(&self->lock);
    self->passed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    self->limiter = login_limiter_new(ATTEMPTS_PER_MINUTE, 60 * G_USEC_PER_SEC);
    self->token = gst_rtsp_token_new(GST_RTSP_TOKEN_MEDIA_FACTORY_ROLE, G_TYPE_STRING, ROLE, NULL);
    password_key_new(self->key);
}

/* The auth of center (borrowed, outlives it). New reference. */
static GstRTSPAuth *restream_auth_new(const auth_center *center)
{
    PantauRestreamAuth *self = g_object_new(pantau_restream_auth_get_type(), NULL);
    self->center = center;
    self->anonymous = auth_anonymous(center) != NULL;
    gst_rtsp_auth_set_realm(GST_RTSP_AUTH(self), "pantau");
    return GST_RTSP_AUTH(self);
}

/* ---- feeds: one per RTSP media ---- */

struct rtsp_restream {
    rtsp_restream_deps deps;
    int port;
    GstRTSPServer *server;
    GMainContext *context; /* the RTSP thread's */
    GMainLoop *loop;
    GThread *thread;
    guint listen_id; /* the listening socket's source in context */
    GMainContext *main_context;
    GMutex lock;         /* guards feeds */
    GPtrArray *feeds;    /* feed *, one reference each: made and not yet released */
    GHashTable *mounted; /* camera ids (owned) with mounts; main loop only */
};

/* What a mount serves. */
typedef struct mount {
    rtsp_restream *r;
    char *camera;
    enum session_stream kind;
} mount;

typedef struct feed {
    gint refs;
    rtsp_restream *r;           /* main loop only; NULL once released */
    GMainContext *main_context; /* a reference: where the RTSP threads hand it */
    char *camera;
    enum session_stream kind;
    GstAppSrc *src;  /* a reference */
    gint started;    /* atomic: handed to the main loop once */
    session *viewer; /* main loop only: the engine's session, while attached */
    bool need_key;   /* main loop only */
    bool refused;    /* main loop only: failed (not H.264, camera down): nothing is pushed */
    bool flowing;    /* main loop only: a frame went into the appsrc */
    guint watch;     /* main loop only: checks the camera until the first frame */
} feed;

static feed *feed_ref(feed *f)
{
    g_atomic_int_inc(&f->refs);
    return f;
}

static void feed_unref(gpointer data)
{
    feed *f = data;
    if (!g_atomic_int_dec_and_test(&f->refs))
        return;
    gst_object_unref(f->src);
    g_main_context_unref(f->main_context);
    g_free(f->camera);
    g_free(f);
}

static const char *kind_name(enum session_stream kind)
{
    return kind == SESSION_STREAM_SUB ? "sub" : "main";
}

/* Runs fn(f) on the main loop, later, with a reference of f. Any thread. */
static void on_main_loop(feed *f, GSourceFunc fn)
{
    GSource *idle = g_idle_source_new();
    g_source_set_callback(idle, fn, feed_ref(f), feed_unref);
    g_source_attach(idle, f->main_context);
    g_source_unref(idle);
}

/* Ends f's media with an error (why: borrowed), which a media still being
 * prepared answers at once with 503 where an end of stream would not. */
static void feed_fail(feed *f, const char *why)
{
    f->refused = true;
    GError *err = g_error_new_literal(GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED, why);
    gst_element_post_message(GST_ELEMENT(f->src),
                             gst_message_new_error(GST_OBJECT(f->src), err, NULL));
    g_error_free(err);
}

/* session_sink.send_frame: the access unit into the appsrc, from a
 * keyframe on. */
static void feed_send_frame(void *peer, media_frame *frame)
{
    feed *f = peer;
    bool key = media_frame_is_keyframe(frame);
    if (f->refused || (f->need_key && !key))
        return;
    f->need_key = false;
    if (gst_app_src_get_current_level_bytes(f->src) > FEED_MAX_QUEUED_BYTES) {
        f->need_key = true;
        return;
    }
    GstBuffer *buf = gst_buffer_new_memdup(media_frame_data(frame), frame->len);
    if (!key)
        GST_BUFFER_FLAG_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
    if (gst_app_src_push_buffer(f->src, buf) != GST_FLOW_OK)
        f->need_key = true;
    else
        f->flowing = true;
}

static void feed_expect_keyframe(void *peer, uint32_t stream)
{
    (void)stream;
    ((feed *)peer)->need_key = true;
}

/* session_sink.stream_info (info borrowed): the restream passes H.264
 * only (its pipeline has rtph264pay); a stream in another codec ends the
 * media rather than sending it packetised as H.264. */
static void feed_stream_info(void *peer, const json_t *info)
{
    feed *f = peer;
    const char *codec = json_string_value(json_object_get(info, "codec"));
    if (!codec || g_str_has_prefix(codec, "avc1") || f->refused)
        return;
    feed_fail(f, "not H.264");
    log_warn("%s: the %s stream is %s: the RTSP restream serves H.264 only", f->camera,
             kind_name(f->kind), codec);
}

static const session_sink feed_sink = {
    .send_json = session_sink_ignore_json,
    .stream_info = feed_stream_info,
    .send_frame = feed_send_frame,
    .expect_keyframe = feed_expect_keyframe,
    .forget_stream = session_sink_ignore_stream,
};

/* Main loop, every CAMERA_CHECK_MS until the first frame: a camera that
 * is down ends the media at once, so that the client is answered (503)
 * rather than kept waiting for gst-rtsp-server's 20 s. */
static gboolean feed_check_camera(gpointer data)
{
    feed *f = data;
    if (!f->r || f->flowing) {
        f->watch = 0;
        return G_SOURCE_REMOVE;
    }
    const pantau_source *src = source_registry_find(f->r->deps.sources, f->camera);
    if (src && !source_status_is_down(src->status))
        return G_SOURCE_CONTINUE;
    log_warn("%s: RTSP restream: the camera is %s, its %s stream is not served now", f->camera,
             src ? source_status_name(src->status) : "gone", kind_name(f->kind));
    f->watch = 0;
    feed_fail(f, "the camera is down");
    return G_SOURCE_REMOVE;
}

/* A session of the media engine that shows f's camera stream through
 * f's sink. Main loop. */
static session *viewer_new(feed *f, media_engine *media)
{
    return subscribe_viewer_new(media, &feed_sink, f, "rtsp-restream", f->camera, f->kind, false);
}

/* Main loop: the feed's session subscribes to its camera's stream. */
static gboolean feed_attach(gpointer data)
{
    feed *f = data;
    rtsp_restream *r = f->r;
    if (!r || f->viewer || f->refused)
        return G_SOURCE_REMOVE;
    if (!source_is_camera(source_registry_find(r->deps.sources, f->camera))) {
        log_warn("RTSP restream: %s is no longer a camera", f->camera);
        feed_fail(f, "no such camera");
        return G_SOURCE_REMOVE;
    }
    f->need_key = true;
    f->viewer = viewer_new(f, r->deps.media);
    log_info("%s: RTSP restream of the %s stream starts", f->camera, kind_name(f->kind));
    f->watch = g_timeout_add_full(G_PRIORITY_DEFAULT, CAMERA_CHECK_MS, feed_check_camera,
                                  feed_ref(f), feed_unref);
    return G_SOURCE_REMOVE;
}

/* Main loop: releases f's session and r's reference of f. */
static void feed_release(rtsp_restream *r, feed *f)
{
    if (f->watch)
        g_source_remove(f->watch);
    f->watch = 0;
    if (f->viewer) {
        subscribe_release(r->deps.media, f->viewer);
        session_free(f->viewer);
        f->viewer = NULL;
        log_info("%s: RTSP restream of the %s stream ends", f->camera, kind_name(f->kind));
    }
    f->r = NULL;
    gst_app_src_end_of_stream(f->src);
    feed_unref(f);
}

/* Main loop: the feed's media has no client left. */
static gboolean feed_detach(gpointer data)
{
    feed *f = data;
    rtsp_restream *r = f->r;
    if (!r)
        return G_SOURCE_REMOVE;
    g_mutex_lock(&r->lock);
    bool had = g_ptr_array_remove_fast(r->feeds, f);
    g_mutex_unlock(&r->lock);
    if (had)
        feed_release(r, f);
    return G_SOURCE_REMOVE;
}

/* appsrc "need-data" (a streaming thread): the first one hands the feed
 * to the main loop. */
static void feed_need_data(GstAppSrc *src, guint length, gpointer data)
{
    (void)src;
    (void)length;
    feed *f = data;
    if (g_atomic_int_compare_and_exchange(&f->started, 0, 1))
        on_main_loop(f, feed_attach);
}

/* media "unprepared" (an RTSP thread): its last client left. */
static void media_unprepared(GstRTSPMedia *media, gpointer data)
{
    (void)media;
    on_main_loop(data, feed_detach);
}

/* factory "media-configure" (an RTSP thread): a new media of mount m. */
static void media_configure(GstRTSPMediaFactory *factory, GstRTSPMedia *media, gpointer data)
{
    (void)factory;
    const mount *m = data;
    GstElement *bin = gst_rtsp_media_get_element(media);
    GstElement *src = gst_bin_get_by_name(GST_BIN(bin), "src");
    gst_object_unref(bin);
    if (!src)
        return;
    feed *f = g_new0(feed, 1);
    f->refs = 1; /* the restream's */
    f->r = m->r;
    f->main_context = g_main_context_ref(m->r->main_context);
    f->camera = g_strdup(m->camera);
    f->kind = m->kind;
    f->src = GST_APP_SRC(src);
    g_mutex_lock(&m->r->lock);
    g_ptr_array_add(m->r->feeds, f);
    g_mutex_unlock(&m->r->lock);
    g_signal_connect_data(src, "need-data", G_CALLBACK(feed_need_data), feed_ref(f),
                          (GClosureNotify)(void (*)(void))feed_unref, 0);
    g_signal_connect_data(media, "unprepared", G_CALLBACK(media_unprepared), feed_ref(f),
                          (GClosureNotify)(void (*)(void))feed_unref, 0);
}

/* ---- mounts ---- */

static void mount_free(gpointer data, GClosure *closure)
{
    (void)closure;
    mount *m = data;
    g_free(m->camera);
    g_free(m);
}

/* Whether id can be a path segment of an RTSP URL as it is. */
static bool id_fits_url(const char *id)
{
    for (const char *p = id; *p; p++)
        if (!g_ascii_isalnum(*p) && !strchr("-._~", *p))
            return false;
    return *id != '\0';
}

static void add_mount(rtsp_restream *r, GstRTSPMountPoints *mounts, const char *camera,
                      enum session_stream kind)
{
    GstRTSPMediaFactory *factory = gst_rtsp_media_factory_new();
    gst_rtsp_media_factory_set_launch(factory, LAUNCH);
    gst_rtsp_media_factory_set_shared(factory, TRUE);
    if (r->deps.auth)
        gst_rtsp_media_factory_add_role(factory, ROLE, GST_RTSP_PERM_MEDIA_FACTORY_ACCESS,
                                        G_TYPE_BOOLEAN, TRUE, GST_RTSP_PERM_MEDIA_FACTORY_CONSTRUCT,
                                        G_TYPE_BOOLEAN, TRUE, NULL);
    mount *m = g_new0(mount, 1);
    m->r = r;
    m->camera = g_strdup(camera);
    m->kind = kind;
    g_signal_connect_data(factory, "media-configure", G_CALLBACK(media_configure), m, mount_free,
                          0);
    char *path = g_strdup_printf("/%s/%s", camera, kind_name(kind));
    gst_rtsp_mount_points_add_factory(mounts, path, factory);
    g_free(path);
}

/* Takes every feed of camera out of r and releases it (main loop). */
static void release_feeds_of(rtsp_restream *r, const char *camera)
{
    GPtrArray *gone = g_ptr_array_new();
    g_mutex_lock(&r->lock);
    for (guint i = r->feeds->len; i-- > 0;) {
        feed *f = g_ptr_array_index(r->feeds, i);
        if (strcmp(f->camera, camera) == 0)
            g_ptr_array_add(gone, g_ptr_array_steal_index_fast(r->feeds, i));
    }
    g_mutex_unlock(&r->lock);
    for (guint i = 0; i < gone->len; i++)
        feed_release(r, g_ptr_array_index(gone, i));
    g_ptr_array_free(gone, TRUE);
}

static void remove_mounts(rtsp_restream *r, GstRTSPMountPoints *mounts, const char *camera)
{
    for (int k = SESSION_STREAM_MAIN; k <= SESSION_STREAM_SUB; k++) {
        char *path = g_strdup_printf("/%s/%s", camera, kind_name((enum session_stream)k));
        gst_rtsp_mount_points_remove_factory(mounts, path);
        g_free(path);
    }
    release_feeds_of(r, camera);
    log_info("RTSP restream: %s is no longer served", camera);
}

/* Whether src is a camera to mount (says why not, once, when its id does
 * not fit a URL). */
static bool mountable(const pantau_source *src)
{
    if (!source_is_camera(src))
        return false;
    if (id_fits_url(src->id))
        return true;
    log_warn("RTSP restream: camera '%s' is not served (its id does not fit a URL)", src->id);
    return false;
}

/* Mounts /<id>/main and /<id>/sub of every camera not mounted yet.
 * Returns how many cameras are mounted. */
static unsigned add_mounts(rtsp_restream *r, GstRTSPMountPoints *mounts)
{
    const source_registry *reg = r->deps.sources;
    for (guint i = 0; reg && i < reg->list->len; i++) {
        const pantau_source *src = g_ptr_array_index(reg->list, i);
        if (g_hash_table_contains(r->mounted, src->id) || !mountable(src))
            continue;
        add_mount(r, mounts, src->id, SESSION_STREAM_MAIN);
        add_mount(r, mounts, src->id, SESSION_STREAM_SUB);
        g_hash_table_add(r->mounted, g_strdup(src->id));
    }
    return g_hash_table_size(r->mounted);
}

void rtsp_restream_sync(rtsp_restream *r)
{
    if (!r)
        return;
    GstRTSPMountPoints *mounts = gst_rtsp_server_get_mount_points(r->server);
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, r->mounted);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        if (source_is_camera(source_registry_find(r->deps.sources, key)))
            continue;
        remove_mounts(r, mounts, key);
        g_hash_table_iter_remove(&it);
    }
    add_mounts(r, mounts);
    g_object_unref(mounts);
}

/* bus: a source was added or removed. */
static void on_sources_changed(const bus_event *ev, void *user)
{
    (void)ev;
    rtsp_restream_sync(user);
}

static void follow_sources(rtsp_restream *r, bool on)
{
    static const enum bus_kind kinds[] = {BUS_SOURCE_ADDED, BUS_SOURCE_REMOVED};
    for (size_t i = 0; r->deps.bus && i < G_N_ELEMENTS(kinds); i++) {
        if (on)
            bus_subscribe(r->deps.bus, kinds[i], on_sources_changed, r);
        else
            bus_unsubscribe(r->deps.bus, kinds[i], on_sources_changed, r);
    }
}

/* ---- the server ---- */

static gpointer rtsp_thread(gpointer data)
{
    rtsp_restream *r = data;
    g_main_context_push_thread_default(r->context);
    g_main_loop_run(r->loop);
    g_main_context_pop_thread_default(r->context);
    return NULL;
}

static GstRTSPFilterResult drop_client(GstRTSPServer *server, GstRTSPClient *client, gpointer data)
{
    (void)server;
    (void)client;
    (void)data;
    return GST_RTSP_FILTER_REMOVE;
}

static GstRTSPFilterResult drop_session(GstRTSPSessionPool *pool, GstRTSPSession *rtsp_session,
                                        gpointer data)
{
    (void)pool;
    (void)rtsp_session;
    (void)data;
    return GST_RTSP_FILTER_REMOVE;
}

/* Makes r's server: address, port, auth, thread pool, mounts. */
static void server_setup(rtsp_restream *r)
{
    r->server = gst_rtsp_server_new();
    gst_rtsp_server_set_address(r->server, r->deps.bind->numeric);
    char *service = g_strdup_printf("%d", r->deps.port);
    gst_rtsp_server_set_service(r->server, service);
    g_free(service);
    if (r->deps.auth) {
        GstRTSPAuth *auth = restream_auth_new(r->deps.auth);
        gst_rtsp_server_set_auth(r->server, auth);
        g_object_unref(auth);
    }
    GstRTSPThreadPool *pool = gst_rtsp_server_get_thread_pool(r->server);
    gst_rtsp_thread_pool_set_max_threads(pool, CLIENT_THREADS);
    g_object_unref(pool);
}

rtsp_restream *rtsp_restream_start(const rtsp_restream_deps *deps)
{
    rtsp_restream *r = g_new0(rtsp_restream, 1);
    r->deps = *deps;
    r->main_context = g_main_context_ref_thread_default();
    g_mutex_init(&r->lock);
    r->feeds = g_ptr_array_new();
    r->context = g_main_context_new();
    r->loop = g_main_loop_new(r->context, FALSE);
    r->mounted = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    server_setup(r);
    GstRTSPMountPoints *mounts = gst_rtsp_server_get_mount_points(r->server);
    unsigned cameras = add_mounts(r, mounts);
    g_object_unref(mounts);
    r->listen_id = gst_rtsp_server_attach(r->server, r->context);
    if (!r->listen_id) {
        log_error("RTSP restream: cannot listen on %s port %d", deps->bind->numeric, deps->port);
        rtsp_restream_free(r);
        return NULL;
    }
    r->port = gst_rtsp_server_get_bound_port(r->server);
    r->thread = g_thread_new("rtsp-restream", rtsp_thread, r);
    follow_sources(r, true);
    log_info("RTSP restream of %u cameras on %s port %d", cameras, deps->bind->numeric, r->port);
    return r;
}

int rtsp_restream_port(const rtsp_restream *r)
{
    return r->port;
}

/* Stops the RTSP thread after closing its clients and sessions. */
static void server_stop(rtsp_restream *r)
{
    gst_rtsp_server_client_filter(r->server, drop_client, NULL);
    GstRTSPSessionPool *pool = gst_rtsp_server_get_session_pool(r->server);
    GList *kept = gst_rtsp_session_pool_filter(pool, drop_session, NULL);
    g_list_free_full(kept, g_object_unref);
    g_object_unref(pool);
    GSource *listen = g_main_context_find_source_by_id(r->context, r->listen_id);
    if (listen)
        g_source_destroy(listen);
    g_main_loop_quit(r->loop);
    g_thread_join(r->thread);
    r->thread = NULL;
}

void rtsp_restream_free(rtsp_restream *r)
{
    if (!r)
        return;
    if (r->thread) {
        follow_sources(r, false);
        server_stop(r);
    }
    /* Every feed still made lets go of its camera; what the RTSP threads
     * handed over and the main loop has not run yet finds f->r NULL. */
    g_mutex_lock(&r->lock);
    GPtrArray *feeds = r->feeds;
    r->feeds = g_ptr_array_new();
    g_mutex_unlock(&r->lock);
    for (guint i = 0; i < feeds->len; i++)
        feed_release(r, g_ptr_array_index(feeds, i));
    g_ptr_array_free(feeds, TRUE);
    gst_rtsp_thread_pool_cleanup();
    g_object_unref(r->server);
    g_main_loop_unref(r->loop);
    g_main_context_unref(r->context);
    g_main_context_unref(r->main_context);
    g_ptr_array_free(r->feeds, TRUE);
    g_hash_table_destroy(r->mounted);
    g_mutex_clear(&r->lock);
    g_free(r);
}
