/* main.c - pantau's command line: check a config, or run the server. */
#include "alarm.h"
#include "audit.h"
#include "disk_writer.h"
#include "heap_trim.h"
#include "auth.h"
#include "bus.h"
#include "cluster.h"
#include "cluster_alarms.h"
#include "cluster_events.h"
#include "cluster_nodes.h"
#include "cluster_presentations.h"
#include "cluster_presets.h"
#include "cluster_sources.h"
#include "events.h"
#include "export_http.h"
#include "config.h"
#include "default_paths.h"
#include "host.h"
#include "log.h"
#include "media.h"
#include "password.h"
#include "persist.h"
#include "ops_plugins.h"
#include "plugin_cli.h"
#include "plugin_loader.h"
#include "plugin_new.h"
#include "presentation.h"
#include "ptz.h"
#include "recordings.h"
#include "replay.h"
#include "replay_rec.h"
#include "rtsp_restream.h"
#include "server.h"
#include "source.h"
#include "source_edit.h"
#include "sinks.h"
#include "state_store.h"
#include "walls.h"
#include "ws_app.h"

#include <errno.h>
#include <glib-unix.h>
#include <gst/gst.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_BAD_CONFIG 2
/* A node stopped with SIGTERM in a cluster waits for its clients to leave
 * after the handover event (looking every HANDOVER_CHECK_MS), at most
 * HANDOVER_MAX_MS. */
#define HANDOVER_CHECK_MS 20
#define HANDOVER_MAX_MS 2000

typedef struct options {
    char *config;
    char *check_config;
    char *state_dir;
    char *plugin_dir;
    char *web_dir;
    int port; /* -1 = from the config */
    gboolean verbose;
    gboolean version;
    gboolean hash_password;
} options;

static int parse_options(int argc, char **argv, options *o)
{
    o->port = -1;
    GOptionEntry entries[] = {
        {"config", 'c', 0, G_OPTION_ARG_FILENAME, &o->config, "Configuration file", "FILE"},
        {"check-config", 0, 0, G_OPTION_ARG_FILENAME, &o->check_config,
         "Check a configuration file and exit (0 valid, 2 invalid)", "FILE"},
        {"state-dir", 's', 0, G_OPTION_ARG_FILENAME, &o->state_dir, "State directory", "DIR"},
        {"plugin-dir", 0, 0, G_OPTION_ARG_FILENAME, &o->plugin_dir, "Plugin directory", "DIR"},
        {"web-dir", 0, 0, G_OPTION_ARG_FILENAME, &o->web_dir, "Web pages directory", "DIR"},
        {"port", 'p', 0, G_OPTION_ARG_INT, &o->port, "Port (0 = any free port)", "N"},
        {"verbose", 'v', 0, G_OPTION_ARG_NONE, &o->verbose, "Debug logging", NULL},
        {"version", 0, 0, G_OPTION_ARG_NONE, &o->version, "Print the version", NULL},
        {"hash-password", 0, 0, G_OPTION_ARG_NONE, &o->hash_password,
         "Read a password (or viewer token) from stdin, print its argon2id hash", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new("- command-centre video wall server");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *err = NULL;
    gboolean ok = g_option_context_parse(ctx, &argc, &argv, &err);
    g_option_context_free(ctx);
    if (!ok) {
        fprintf(stderr, "pantau: %s\n", err->message);
        g_error_free(err);
        return -1;
    }
    if (o->port > 65535 || o->port < -1) {
        fprintf(stderr, "pantau: --port must be 0 to 65535\n");
        return -1;
    }
    return 0;
}

static void print_errors(GPtrArray *errors)
{
    for (guint i = 0; i < errors->len; i++)
        fprintf(stderr, "%s\n", (char *)g_ptr_array_index(errors, i));
}

static const char *plugin_dir_for(const options *o, const pantau_config *cfg)
{
    if (o->plugin_dir)
        return o->plugin_dir;
    return cfg->plugin_dir ? cfg->plugin_dir : default_plugin_dir();
}

/* Loads path, printing every error; `full` also lets the plugins check
 * their sources' settings (--check-config). */
static pantau_config *load_config(const options *o, const char *path, bool full)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    pantau_config *cfg = full ? config_check_file(path, o->plugin_dir, errors)
                              : config_load_checked(path, o->plugin_dir, errors);
    print_errors(errors);
    g_ptr_array_free(errors, TRUE);
    return cfg;
}

/* --hash-password: one line from stdin (without its newline) to a hash on
 * stdout. Returns the exit status. */
static int hash_password_from_stdin(void)
{
    char line[1024];
    if (!fgets(line, sizeof line, stdin)) {
        fprintf(stderr, "pantau: give the password on stdin\n");
        return 1;
    }
    line[strcspn(line, "\r\n")] = '\0';
    char *hash = *line ? password_hash(line) : NULL;
    password_wipe(line, sizeof line);
    if (!hash) {
        fprintf(stderr, "pantau: the password is empty or could not be hashed\n");
        return 1;
    }
    printf("%s\n", hash);
    g_free(hash);
    return 0;
}

static gboolean on_signal(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_CONTINUE;
}

/* Stops the loop once the clients handed over have left, or at the latest
 * HANDOVER_MAX_MS after the handover. */
static gboolean quit_after_handover(gpointer data)
{
    pantau_server *srv = data;
    unsigned left = ws_server_client_count(srv->ws);
    if (left && g_get_monotonic_time() < srv->handover_until)
        return G_SOURCE_CONTINUE;
    if (left)
        log_warn("stopping: %u clients did not leave in %d ms after the handover", left,
                 HANDOVER_MAX_MS);
    else
        log_info("stopping: all clients left for another node");
    g_main_loop_quit(srv->loop);
    return G_SOURCE_REMOVE;
}

/* SIGTERM in a cluster: the clients are told the next node at once
 * (docs/cluster.md), the loop runs HANDOVER_MS more to send it, then
 * stops. A second signal, or no other node, stops at once. */
static gboolean on_term(gpointer data)
{
    pantau_server *srv = data;
    if (srv->handing_over || !cluster_nodes_hand_over(srv->nodes)) {
        g_main_loop_quit(srv->loop);
        return G_SOURCE_CONTINUE;
    }
    srv->handing_over = true;
    srv->handover_until = g_get_monotonic_time() + HANDOVER_MAX_MS * 1000;
    log_info("stopping: the clients are handed over to another node");
    g_timeout_add(HANDOVER_CHECK_MS, quit_after_handover, srv);
    return G_SOURCE_CONTINUE;
}

static void load_walls(pantau_server *srv)
{
    srv->walls = g_ptr_array_new_with_free_func((GDestroyNotify)wall_free);
    size_t i;
    const json_t *entry;
    json_array_foreach(srv->config->walls, i, entry)
    {
        wall *w = wall_from_config(entry);
        wall_restore(w, srv->state_dir);
        g_ptr_array_add(srv->walls, w);
    }
}

/* The host part of the printed URLs: a host name as configured, a literal
 * as it is (IPv6 in brackets), this machine for "every interface". */
static char *url_host(const pantau_config *cfg)
{
    const listen_addr *bind = &cfg->bind;
    if (bind->any)
        return g_strdup(bind->ipv6 ? "[::1]" : "127.0.0.1");
    if (!g_hostname_is_ip_address(cfg->listen))
        return g_strdup(cfg->listen);
    return bind->ipv6 ? g_strdup_printf("[%s]", bind->numeric) : g_strdup(bind->numeric);
}

static void print_urls(const pantau_server *srv, int port)
{
    char *host = url_host(srv->config);
    char *cert = NULL, *key = NULL;
    const char *scheme = auth_tls_files(srv->auth, &cert, &key) ? "https" : "http";
    g_free(cert);
    g_free(key);
    printf("pantau: ready on %s://%s:%d/\n", scheme, host, port);
    printf("pantau: console  %s://%s:%d/console\n", scheme, host, port);
    for (guint i = 0; i < srv->walls->len; i++) {
        const wall *w = g_ptr_array_index(srv->walls, i);
        printf("pantau: wall     %s://%s:%d/wall?wall=%s  (%s)\n", scheme, host, port, w->id,
               w->name);
    }
    if (srv->restream)
        printf("pantau: rtsp     rtsp://%s:%d/<camera id>/main  (and /sub)\n", host,
               rtsp_restream_port(srv->restream));
    printf("pantau: press Ctrl-C to stop\n");
    fflush(stdout);
    g_free(host);
}

/* Replays of wall tiles, reading the recordings. */
static void start_replays(pantau_server *srv)
{
    media_deps video = sinks_media_deps(srv);
    srv->replays = replay_center_new(&(replay_deps){
        .walls = srv->wall_service,
        .sources = srv->sources,
        .bus = srv->bus,
        .audit = srv->audit,
        .reader = replay_rec_reader(srv->recordings),
        .frame_room = video.frame_room,
        .idle_s = (unsigned)srv->config->replay_idle_s,
        .hold_video = video.hold_video,
        .release_video = video.release_video,
        .video_user = video.video_user,
    });
}

/* The domain's services, each given what it uses (after the sources:
 * alarms watch them). */
static void start_services(pantau_server *srv)
{
    const json_t *root = srv->config->root;
    srv->audit = audit_log_open(json_object_get(root, "audit"), srv->config->dir, srv->state_dir,
                                srv->writer);
    srv->persist = persister_new(srv->writer);
    srv->wall_service = wall_service_new(srv->walls, srv->presets, srv->bus, srv->persist,
                                         srv->audit, srv->state_dir, srv->config->max_layout_tiles);
    srv->source_editor =
        source_editor_new(srv->sources, srv->media, srv->persist, srv->audit, srv->state_dir);
    preset_store_set_hook(srv->presets,
                          &(preset_write_hook){walls_preset_write, srv->wall_service});
    srv->auth =
        auth_center_new(json_object_get(root, "auth"), srv->config->dir, srv->audit, srv->bus);
    srv->alarms = alarm_center_new(&(alarm_deps){
        .section = json_object_get(root, "alarms"),
        .walls = srv->wall_service,
        .sources = srv->sources,
        .bus = srv->bus,
        .audit = srv->audit,
        .state_dir = srv->state_dir,
    });
    srv->presentations = presentation_center_new(json_object_get(root, "presentations"),
                                                 srv->wall_service, srv->bus, srv->audit);
    srv->ptz = ptz_center_new(srv->sources, srv->bus);
    srv->recordings = recordings_new(&(recordings_deps){
        .section = json_object_get(json_object_get(root, "server"), "recording"),
        .config_dir = srv->config->dir,
        .state_dir = srv->state_dir,
        .sources = srv->sources,
        .media = srv->media,
        .bus = srv->bus,
    });
    start_replays(srv);
}

/* With a "cluster" section, the walls and the login sessions go into its
 * buckets (docs/cluster.md): 0, or -1 when they cannot be used (said why). */
static int start_cluster(pantau_server *srv)
{
    const json_t *section = json_object_get(srv->config->root, "cluster");
    if (!section)
        return 0;
    pantau_error err = {0};
    srv->shared = cluster_open(section, "", 0, &err);
    if (!srv->shared || walls_share(srv->wall_service, srv->shared, &err))
        goto fail;
    if (srv->audit) {
        kv_log *audit = cluster_open_audit(section, srv->shared, &err);
        if (!audit)
            goto fail;
        audit_log_share(srv->audit, audit);
    }
    srv->preset_share =
        preset_share_new(srv->presets, srv->bus, srv->persist, srv->audit, srv->shared, &err);
    if (!srv->preset_share)
        goto fail;
    srv->source_share =
        source_share_new(srv->source_editor, srv->sources, srv->persist, srv->shared, &err);
    if (!srv->source_share)
        goto fail;
    const char *node = json_string_value(json_object_get(section, "node"));
    srv->presentation_share = presentation_share_new(srv->presentations, srv->wall_service,
                                                     srv->persist, srv->shared, node, &err);
    if (srv->presentations && !srv->presentation_share)
        goto fail;
    srv->alarm_share = alarm_share_new(srv->alarms, srv->persist, srv->shared, &err);
    if (srv->alarms && !srv->alarm_share)
        goto fail;
    const char *bucket = json_string_value(json_object_get(section, "bucket"));
    srv->event_relay = event_relay_new(srv->alarms, srv->sources, srv->bus, srv->shared,
                                       bucket ? bucket : CLUSTER_BUCKET_DEFAULT, node, &err);
    if (srv->alarms && !srv->event_relay)
        goto fail;
    if (srv->auth) {
        /* The bucket's values live as long as a login session. */
        gint64 ttl_ms = (gint64)auth_session_hours(srv->auth) * 3600 * 1000;
        kv_store *sessions = cluster_open(section, "-sessions", ttl_ms, &err);
        if (!sessions || auth_share(srv->auth, sessions, &err))
            goto fail;
    }
    kv_store *nodes = cluster_open(section, "-nodes", CLUSTER_NODES_TTL_MS, &err);
    if (!nodes)
        goto fail;
    srv->nodes = cluster_nodes_start(
        nodes, node, json_string_value(json_object_get(section, "public_url")), srv->bus, &err);
    if (!srv->nodes)
        goto fail;
    log_info("cluster: node '%s' shares its walls, presets, sources, presentations, alarms%s%s",
             json_string_value(json_object_get(section, "node")),
             srv->auth ? ", login sessions" : "", srv->audit ? " and audit log" : "");
    return 0;
fail:
    log_error("cluster: %s; not starting", err.message);
    return -1;
}

/* The RTSP restream when server.rtsp_restream is set: 0, or -1 when it
 * cannot listen. */
static int start_restream(pantau_server *srv)
{
    const pantau_config *cfg = srv->config;
    if (cfg->rtsp_restream_port < 0)
        return 0;
    srv->restream = rtsp_restream_start(&(rtsp_restream_deps){
        .bind = &cfg->bind,
        .port = cfg->rtsp_restream_port,
        .auth = srv->auth,
        .media = srv->media,
        .sources = srv->sources,
        .bus = srv->bus,
    });
    return srv->restream ? 0 : -1;
}

/* SIGHUP: reloads the plugins whose file was replaced (ops_plugins.h). */
static gboolean on_sighup(gpointer data)
{
    log_info("SIGHUP: reloading the plugins whose file changed");
    plugin_reload_changed(data);
    return G_SOURCE_CONTINUE;
}

static int run(const options *o, pantau_config *cfg)
{
    int rc = 1;
    pantau_server srv = {0};
    events *protocol = NULL;
    host_deps deps = {.types = source_types_new()};  /* filled by the plugins, read by sources */
    heap_limit_arenas((unsigned)cfg->malloc_arenas); /* before any thread */
    gst_init(NULL, NULL);
    srv.config = cfg;
    srv.state_dir = g_strdup(o->state_dir     ? o->state_dir
                             : cfg->state_dir ? cfg->state_dir
                                              : "pantau-state");
    srv.plugin_dir = g_strdup(plugin_dir_for(o, cfg));
    srv.web_dir = g_strdup(o->web_dir ? o->web_dir : default_web_dir());
    srv.vendor_dir = g_strdup(default_vendor_dir());
    srv.loop = g_main_loop_new(NULL, FALSE);
    if (state_store_init(srv.state_dir)) {
        log_error("cannot create state directory %s: %s", srv.state_dir, strerror(errno));
        goto out;
    }
    /* The protocol writer listens before anything can change. */
    srv.bus = bus_new();
    events_out to_ws = ws_app_events_out(&srv);
    protocol = events_attach(srv.bus, &to_ws);
    load_walls(&srv);
    srv.presets = preset_store_open(srv.state_dir);
    preset_store_set_limits(srv.presets, (unsigned)cfg->max_presets, cfg->max_layout_tiles);
    preset_store_seed(srv.presets, cfg->presets);
    srv.writer = disk_writer_new(NULL);
    srv.heap = heap_trim_start((unsigned)cfg->heap_trim_s);
    /* The host tables reach the media engine, so it comes before the
     * plugins; the sources are made of the types they register. */
    srv.sources = source_registry_new(deps.types, srv.bus);
    media_deps media = sinks_media_deps(&srv);
    srv.media = media_engine_new(&media);
    deps.media = srv.media;
    deps.state_dir = srv.state_dir;
    srv.plugins = plugin_loader_load(&deps, srv.plugin_dir, cfg->plugin_names);
    /* The config's sources with the console's changes over them. */
    json_t *sources = source_edit_effective(cfg->sources, srv.state_dir);
    source_registry_add_config(srv.sources, sources);
    json_decref(sources);
    start_services(&srv);
    if (start_cluster(&srv))
        goto out;
    int port = o->port >= 0 ? o->port : cfg->port;
    srv.ws = ws_app_start(&srv, port);
    if (!srv.ws)
        goto out;
    if (start_restream(&srv))
        goto out;
    /* The handlers before "ready": a SIGTERM sent on reading it stops cleanly. */
    guint sigint = g_unix_signal_add(SIGINT, on_signal, srv.loop);
    guint sigterm = srv.nodes ? g_unix_signal_add(SIGTERM, on_term, &srv)
                              : g_unix_signal_add(SIGTERM, on_signal, srv.loop);
    guint sighup = g_unix_signal_add(SIGHUP, on_sighup, &srv);
    print_urls(&srv, ws_server_port(srv.ws));
    g_main_loop_run(srv.loop);
    g_source_remove(sigint);
    g_source_remove(sigterm);
    g_source_remove(sighup);
    log_info("stopping");
    /* Writes queued behind a NATS without quorum must not each wait its
     * timeout: the stop would take seconds per write. */
    kv_store_closing(srv.shared);
    rc = 0;
out:
    /* Clients first (they release their streams), then the streams (their
     * plugins stop pushing), then the sources. The replies of requests whose
     * writes are still queued go out first; so do those of controls still
     * waiting for their camera (answered: the server is stopping). Exports
     * running are cut first (their requests answered, their files gone),
     * before what they read goes. */
    export_http_shutdown();
    ptz_center_free(srv.ptz);
    srv.ptz = NULL;
    disk_writer_flush(srv.writer);
    /* Replays reach their sessions: they end before the clients close. */
    replay_center_free(srv.replays);
    srv.replays = NULL;
    media_engine_closing(srv.media);
    ws_server_free(srv.ws);
    srv.ws = NULL;
    rtsp_restream_free(srv.restream);
    srv.restream = NULL;
    recordings_free(srv.recordings);
    srv.recordings = NULL;
    /* No change of another node reaches what goes from here on. */
    kv_store_unwatch(srv.shared);
    event_relay_free(srv.event_relay);
    srv.event_relay = NULL;
    presentation_share_stop(srv.presentation_share);
    presentation_center_free(srv.presentations);
    srv.presentations = NULL;
    /* Sources stopping after this must not reach a freed center. */
    alarm_center_free(srv.alarms);
    srv.alarms = NULL;
    auth_center_free(srv.auth);
    /* No job outlives the server: the last writes before the log closes. */
    disk_writer_free(srv.writer);
    srv.writer = NULL;
    /* The audit stream (on its connection) goes first; its watch stops
     * before the walls it changes go. */
    audit_log_share(srv.audit, NULL);
    /* Its key goes: the other nodes stop listing this one. */
    cluster_nodes_free(srv.nodes);
    srv.nodes = NULL;
    kv_store_free(srv.shared);
    srv.shared = NULL;
    preset_share_free(srv.preset_share);
    source_share_free(srv.source_share);
    presentation_share_free(srv.presentation_share);
    alarm_share_free(srv.alarm_share);
    wall_service_free(srv.wall_service);
    source_editor_free(srv.source_editor);
    persister_free(srv.persist);
    audit_log_close(srv.audit);
    media_engine_free(srv.media);
    srv.media = deps.media = NULL;
    source_registry_free(srv.sources);
    host_remove_all_timers();
    plugin_loader_free(srv.plugins);
    source_types_free(deps.types);
    preset_store_free(srv.presets);
    events_detach(protocol);
    bus_free(srv.bus);
    if (srv.walls)
        g_ptr_array_free(srv.walls, TRUE);
    heap_trim_free(srv.heap);
    g_main_loop_unref(srv.loop);
    g_free(srv.state_dir);
    g_free(srv.plugin_dir);
    g_free(srv.web_dir);
    g_free(srv.vendor_dir);
    return rc;
}

int main(int argc, char **argv)
{
    options o = {0};
    int rc = EXIT_BAD_CONFIG;
    signal(SIGPIPE, SIG_IGN);
    /* Subcommands come before the options: plugin new (plugin_new.h),
     * plugin list and check (plugin_cli.h). */
    if (argc >= 3 && strcmp(argv[1], "plugin") == 0 && strcmp(argv[2], "new") == 0)
        return plugin_new_main(argc - 2, argv + 2);
    if (argc > 1 && strcmp(argv[1], "plugin") == 0)
        return plugin_cli_main(argc - 1, argv + 1, default_plugin_dir());
    if (parse_options(argc, argv, &o))
        goto out;
    if (o.version) {
        printf("pantau %s (plugin ABI %d.%d)\n", PANTAU_VERSION, PANTAU_ABI_MAJOR,
               PANTAU_ABI_MINOR);
        rc = 0;
        goto out;
    }
    if (o.hash_password) {
        rc = hash_password_from_stdin();
        goto out;
    }
    if (o.verbose)
        log_set_level(PANTAU_LOG_DEBUG);
    if (o.check_config) {
        if (!o.verbose)
            log_set_level(PANTAU_LOG_WARN); /* the diagnostics, not the plugins' loading */
        pantau_config *cfg = load_config(&o, o.check_config, true);
        if (cfg)
            printf("%s: valid\n", o.check_config);
        rc = cfg ? 0 : EXIT_BAD_CONFIG;
        config_free(cfg);
        goto out;
    }
    pantau_config *cfg = load_config(&o, o.config ? o.config : default_config(), false);
    if (!cfg) {
        fprintf(stderr, "pantau: the configuration is invalid; not starting\n");
        goto out;
    }
    rc = run(&o, cfg);
    config_free(cfg);
out:
    g_free(o.config);
    g_free(o.check_config);
    g_free(o.state_dir);
    g_free(o.plugin_dir);
    g_free(o.web_dir);
    return rc;
}
