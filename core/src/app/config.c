#include "config.h"

#include "alarm.h"
#include "audit.h"
#include "auth.h"
#include "cluster.h"
#include "config_check.h"
#include "default_paths.h"
#include "json_locate.h"
#include "presentation.h"
#include "recordings.h"
#include "preset_store.h"
#include "layout.h"
#include "plugin_loader.h"
#include "source.h"
#include "wall.h"

#include <string.h>

#define DISPLAY_MAX 16
#define DISPLAY_PIXELS_MAX 16384

typedef config_checker checker;

#define fail_at config_fail
#define check_keys config_check_keys

/* Reads an optional integer member into *out; reports wrong types/ranges. */
static void get_int(checker *c, const json_t *obj, const char *at, const char *key, int *out,
                    long min, long max, bool required)
{
    char *p = g_strdup_printf("%s%s%s", at, *at ? "." : "", key);
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            fail_at(c, at, "'%s' is required", key);
    } else if (!json_is_integer(v)) {
        fail_at(c, p, "must be an integer");
    } else if (json_integer_value(v) < min || json_integer_value(v) > max) {
        fail_at(c, p, "must be %ld to %ld", min, max);
    } else {
        *out = (int)json_integer_value(v);
    }
    g_free(p);
}

static const char *get_string(checker *c, const json_t *obj, const char *at, const char *key,
                              bool required)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            fail_at(c, at, "'%s' is required", key);
        return NULL;
    }
    if (json_is_string(v))
        return json_string_value(v);
    char *p = g_strdup_printf("%s%s%s", at, *at ? "." : "", key);
    fail_at(c, p, "must be a string");
    g_free(p);
    return NULL;
}

static char *resolve_path(const pantau_config *cfg, const char *p)
{
    if (!p)
        return NULL;
    if (g_path_is_absolute(p))
        return g_strdup(p);
    return g_build_filename(cfg->dir, p, NULL);
}

/* server.rtsp_restream: {"port": N} serves every camera again over RTSP
 * (docs/cameras.md, "RTSP restream"); absent, it is off. */
static void check_rtsp_restream(checker *c, pantau_config *cfg, const json_t *section)
{
    static const char *const keys[] = {"port", NULL};
    const char *at = "server.rtsp_restream";
    if (!section)
        return;
    if (!json_is_object(section)) {
        fail_at(c, at, "must be an object such as {\"port\": 8554}");
        return;
    }
    check_keys(c, section, at, keys);
    int port = CONFIG_RTSP_RESTREAM_PORT;
    get_int(c, section, at, "port", &port, 0, 65535, false);
    if (port && port == cfg->port)
        fail_at(c, "server.rtsp_restream.port", "must differ from server.port (%d)", port);
    else
        cfg->rtsp_restream_port = port;
}

/* recordings_report: a refusal of server.recording or a camera's recording. */
static void report_recording(const char *json_path, const char *message, void *user)
{
    fail_at(user, json_path, "%s", message);
}

static void check_server(checker *c, pantau_config *cfg, const json_t *server)
{
    if (!server)
        return;
    if (!json_is_object(server)) {
        fail_at(c, "server", "must be an object");
        return;
    }
    static const char *const keys[] = {
        "listen",          "port",        "state_dir",        "stream_grace_ms",
        "h265_transcodes", "max_presets", "max_layout_tiles", "client_queue_budget_mib",
        "malloc_arenas",   "heap_trim_s", "rtsp_restream",    "replay_idle_s",
        "recording",       NULL};
    check_keys(c, server, "server", keys);
    const char *listen = get_string(c, server, "server", "listen", false);
    if (listen) {
        g_free(cfg->listen);
        cfg->listen = g_strdup(listen);
    }
    get_int(c, server, "server", "port", &cfg->port, 0, 65535, false);
    get_int(c, server, "server", "stream_grace_ms", &cfg->stream_grace_ms, 0, 600000, false);
    get_int(c, server, "server", "h265_transcodes", &cfg->h265_transcodes, 0, 64, false);
    get_int(c, server, "server", "max_presets", &cfg->max_presets, 1, PRESET_MAX_LIMIT, false);
    get_int(c, server, "server", "max_layout_tiles", &cfg->max_layout_tiles, 1, LAYOUT_MAX_TILES,
            false);
    get_int(c, server, "server", "client_queue_budget_mib", &cfg->client_queue_budget_mib, 1, 65536,
            false);
    get_int(c, server, "server", "malloc_arenas", &cfg->malloc_arenas, 0, 64, false);
    get_int(c, server, "server", "heap_trim_s", &cfg->heap_trim_s, 0, 3600, false);
    get_int(c, server, "server", "replay_idle_s", &cfg->replay_idle_s, 1, 86400, false);
    cfg->state_dir = resolve_path(cfg, get_string(c, server, "server", "state_dir", false));
    check_rtsp_restream(c, cfg, json_object_get(server, "rtsp_restream"));
    recordings_check_config(json_object_get(server, "recording"), "server.recording",
                            report_recording, c);
}

/* Resolves server.listen into cfg->bind. Without an "auth" section only
 * this machine may connect: on any other address every wall would be
 * anyone's to change (docs/security.md). */
static void check_listen(checker *c, pantau_config *cfg, const json_t *root)
{
    const char *at =
        json_object_get(json_object_get(root, "server"), "listen") ? "server.listen" : "server";
    char *why = NULL;
    if (listen_addr_resolve(cfg->listen, &cfg->bind, &why)) {
        fail_at(c, at, "%s", why);
        g_free(why);
        return;
    }
    if (cfg->bind.loopback || json_object_get(root, "auth"))
        return;
    fail_at(c, at,
            "listening on %s lets other machines in, so an \"auth\" section is needed: add "
            "users (docs/security.md), or on a closed network allow anonymous viewers with "
            "\"auth\": {\"anonymous_role\": \"viewer\"}; or listen on 127.0.0.1",
            cfg->listen);
}

static void check_plugins(checker *c, pantau_config *cfg, const json_t *plugins)
{
    if (!plugins)
        return;
    if (!json_is_object(plugins)) {
        fail_at(c, "plugins", "must be an object");
        return;
    }
    static const char *const keys[] = {"dir", "load", NULL};
    check_keys(c, plugins, "plugins", keys);
    cfg->plugin_dir = resolve_path(cfg, get_string(c, plugins, "plugins", "dir", false));
    const json_t *load = json_object_get(plugins, "load");
    if (!load)
        return;
    if (!json_is_array(load)) {
        fail_at(c, "plugins.load", "must be an array of plugin names");
        return;
    }
    size_t i;
    const json_t *name;
    json_array_foreach(load, i, name)
    {
        if (!json_is_string(name) || !layout_id_is_valid(json_string_value(name), 64)) {
            char *p = g_strdup_printf("plugins.load[%zu]", i);
            fail_at(c, p, "must be a plugin name (letters, digits, _ - .)");
            g_free(p);
        }
    }
    cfg->plugin_names = load;
}

static void check_source(checker *c, const json_t *src, size_t i, GHashTable *ids)
{
    char *at = g_strdup_printf("sources[%zu]", i);
    config_check_source(c, src, at, ids);
    g_free(at);
}

void config_check_source(config_checker *c, const json_t *src, const char *at, GHashTable *ids)
{
    if (!json_is_object(src)) {
        fail_at(c, at, "must be an object");
        return;
    }
    static const char *const keys[] = {"id", "type", "name", "settings", "recording", NULL};
    check_keys(c, src, at, keys);
    char *rp = g_strdup_printf("%s.recording", at);
    recordings_check_camera(json_object_get(src, "recording"), rp, report_recording, c);
    g_free(rp);
    const char *id = get_string(c, src, at, "id", true);
    get_string(c, src, at, "type", true);
    get_string(c, src, at, "name", false);
    const json_t *settings = json_object_get(src, "settings");
    if (settings && !json_is_object(settings)) {
        char *p = g_strdup_printf("%s.settings", at);
        fail_at(c, p, "must be an object");
        g_free(p);
    }
    if (!id)
        return;
    char *p = g_strdup_printf("%s.id", at);
    if (!layout_id_is_valid(id, SOURCE_ID_MAX))
        fail_at(c, p, "'%s' is not a valid id (1-%d of A-Z a-z 0-9 _ - . :)", id, SOURCE_ID_MAX);
    else if (ids && g_hash_table_contains(ids, id))
        fail_at(c, p, "source id '%s' is used twice", id);
    else if (ids)
        g_hash_table_add(ids, (gpointer)id);
    g_free(p);
}

static void check_displays(checker *c, const json_t *displays, const char *at)
{
    char *p = g_strdup_printf("%s.displays", at);
    if (!json_is_object(displays)) {
        fail_at(c, displays ? p : at, displays ? "must be an object" : "'displays' is required");
        goto out;
    }
    static const char *const keys[] = {"columns", "rows", "width", "height", "bezel", NULL};
    check_keys(c, displays, p, keys);
    int ignored;
    get_int(c, displays, p, "columns", &ignored, 1, DISPLAY_MAX, true);
    get_int(c, displays, p, "rows", &ignored, 1, DISPLAY_MAX, true);
    get_int(c, displays, p, "width", &ignored, 1, DISPLAY_PIXELS_MAX, true);
    get_int(c, displays, p, "height", &ignored, 1, DISPLAY_PIXELS_MAX, true);
    const json_t *bezel = json_object_get(displays, "bezel");
    if (bezel) {
        char *bp = g_strdup_printf("%s.bezel", p);
        static const char *const bkeys[] = {"x", "y", NULL};
        if (!json_is_object(bezel)) {
            fail_at(c, bp, "must be an object like {\"x\": 10, \"y\": 10}");
        } else {
            check_keys(c, bezel, bp, bkeys);
            get_int(c, bezel, bp, "x", &ignored, 0, 1000, false);
            get_int(c, bezel, bp, "y", &ignored, 0, 1000, false);
        }
        g_free(bp);
    }
out:
    g_free(p);
}

static void check_layout(checker *c, const json_t *lj, const char *at, GHashTable *source_ids)
{
    char *p = g_strdup_printf("%s.layout", at);
    layout *l = g_new0(layout, 1);
    pantau_error err = {0};
    if (!lj) {
        fail_at(c, at, "'layout' is required");
    } else if (layout_from_json(l, lj, &err)) {
        error_prefix_field(&err, p);
        fail_at(c, err.field, "%s", err.message);
    } else {
        for (int i = 0; i < l->n_tiles; i++) {
            if (l->tiles[i].source[0] && !g_hash_table_contains(source_ids, l->tiles[i].source)) {
                char *tp = g_strdup_printf("%s.tiles[%d].source", p, i);
                fail_at(c, tp, "no source '%s' is configured", l->tiles[i].source);
                g_free(tp);
            }
        }
    }
    g_free(l);
    g_free(p);
}

/* walls[i].viewing_distance_m: optional, metres, a number in range. */
static void check_viewing_distance(checker *c, const json_t *wall_json, const char *at)
{
    const json_t *v = json_object_get(wall_json, "viewing_distance_m");
    if (!v)
        return;
    char *p = g_strdup_printf("%s.viewing_distance_m", at);
    if (!json_is_number(v) || json_number_value(v) < WALL_VIEWING_DISTANCE_MIN_M ||
        json_number_value(v) > WALL_VIEWING_DISTANCE_MAX_M)
        fail_at(c, p, "must be a number of metres from %g to %g (how far the operators sit)",
                WALL_VIEWING_DISTANCE_MIN_M, WALL_VIEWING_DISTANCE_MAX_M);
    g_free(p);
}

/* The display "C,R" (text, at JSON path p) must be one of the wall's. */
static void check_alarm_display(checker *c, const char *text, const char *p, const json_t *displays)
{
    int column, row;
    json_int_t columns = json_integer_value(json_object_get(displays, "columns"));
    json_int_t rows = json_integer_value(json_object_get(displays, "rows"));
    if (!wall_parse_display(text, &column, &row))
        fail_at(c, p,
                "'%s' is not a display: write \"column,row\", counted from 0 (\"0,0\" is the "
                "top-left display)",
                text);
    else if (columns > 0 && rows > 0 && (column >= columns || row >= rows))
        fail_at(c, p, "display %d,%d is not on this wall of %d x %d displays", column, row,
                (int)columns, (int)rows);
}

/* A wall's optional "alarms": {"display": "C,R"} (at: the wall's JSON path). */
static void check_wall_alarms(checker *c, const json_t *wall_json, const char *at)
{
    const json_t *alarms = json_object_get(wall_json, "alarms");
    if (!alarms)
        return;
    char *p = g_strdup_printf("%s.alarms", at);
    static const char *const keys[] = {"display", NULL};
    if (!json_is_object(alarms)) {
        fail_at(c, p, "must be an object like {\"display\": \"2,0\"}");
        goto out;
    }
    check_keys(c, alarms, p, keys);
    const char *text = get_string(c, alarms, p, "display", false);
    if (text) {
        char *dp = g_strdup_printf("%s.display", p);
        check_alarm_display(c, text, dp, json_object_get(wall_json, "displays"));
        g_free(dp);
    }
out:
    g_free(p);
}

static void check_wall(checker *c, const json_t *wall_json, size_t i, GHashTable *wall_ids,
                       GHashTable *source_ids)
{
    char *at = g_strdup_printf("walls[%zu]", i);
    if (!json_is_object(wall_json)) {
        fail_at(c, at, "must be an object");
        goto out;
    }
    static const char *const keys[] = {"id",     "name", "displays", "layout", "viewing_distance_m",
                                       "alarms", NULL};
    check_keys(c, wall_json, at, keys);
    const char *id = get_string(c, wall_json, at, "id", true);
    get_string(c, wall_json, at, "name", false);
    if (id) {
        char *p = g_strdup_printf("%s.id", at);
        if (!layout_id_is_valid(id, LAYOUT_ID_MAX))
            fail_at(c, p, "'%s' is not a valid id (1-%d of A-Z a-z 0-9 _ - . :)", id,
                    LAYOUT_ID_MAX);
        else if (g_hash_table_contains(wall_ids, id))
            fail_at(c, p, "wall id '%s' is used twice", id);
        else
            g_hash_table_add(wall_ids, (gpointer)id);
        g_free(p);
    }
    check_displays(c, json_object_get(wall_json, "displays"), at);
    check_viewing_distance(c, wall_json, at);
    check_wall_alarms(c, wall_json, at);
    check_layout(c, json_object_get(wall_json, "layout"), at, source_ids);
out:
    g_free(at);
}

/* presets[i]: {"name", "layout"}; names unique (in names, borrowed keys). */
static void check_preset(checker *c, const json_t *pj, size_t i, GHashTable *names,
                         GHashTable *source_ids)
{
    char *at = g_strdup_printf("presets[%zu]", i);
    if (!json_is_object(pj)) {
        fail_at(c, at, "must be an object with \"name\" and \"layout\"");
        goto out;
    }
    static const char *const keys[] = {"name", "layout", NULL};
    check_keys(c, pj, at, keys);
    const char *name = get_string(c, pj, at, "name", true);
    if (name) {
        char *p = g_strdup_printf("%s.name", at);
        size_t n = strlen(name);
        if (n == 0 || n > PRESET_NAME_MAX)
            fail_at(c, p, "must be 1-%d characters", PRESET_NAME_MAX);
        else if (g_hash_table_contains(names, name))
            fail_at(c, p, "preset name '%s' is used twice", name);
        else
            g_hash_table_add(names, (gpointer)name);
        g_free(p);
    }
    check_layout(c, json_object_get(pj, "layout"), at, source_ids);
out:
    g_free(at);
}

/* The optional "presets": seeded into a state directory without presets. */
static const json_t *check_presets(checker *c, const json_t *presets, GHashTable *source_ids)
{
    if (!presets)
        return NULL;
    if (!json_is_array(presets)) {
        fail_at(c, "presets", "must be an array of {\"name\", \"layout\"}");
        return NULL;
    }
    GHashTable *names = g_hash_table_new(g_str_hash, g_str_equal);
    size_t i;
    const json_t *v;
    json_array_foreach(presets, i, v) check_preset(c, v, i, names, source_ids);
    g_hash_table_destroy(names);
    return presets;
}

static const json_t *check_array(checker *c, const json_t *root, const char *key)
{
    const json_t *a = json_object_get(root, key);
    if (!a) {
        fail_at(c, "", "'%s' is required", key);
        return NULL;
    }
    if (!json_is_array(a)) {
        fail_at(c, key, "must be an array");
        return NULL;
    }
    return a;
}

static void check_root(checker *c, pantau_config *cfg)
{
    const json_t *root = cfg->root;
    if (!json_is_object(root)) {
        fail_at(c, "", "the configuration must be a JSON object");
        return;
    }
    static const char *const keys[] = {"server",  "plugins", "sources", "walls",
                                       "auth",    "alarms",  "audit",   "presentations",
                                       "presets", "cluster", NULL};
    check_keys(c, root, "", keys);
    check_server(c, cfg, json_object_get(root, "server"));
    check_listen(c, cfg, root);
    check_plugins(c, cfg, json_object_get(root, "plugins"));
    GHashTable *source_ids = g_hash_table_new(g_str_hash, g_str_equal);
    GHashTable *wall_ids = g_hash_table_new(g_str_hash, g_str_equal);
    size_t i;
    const json_t *v;
    cfg->sources = check_array(c, root, "sources");
    if (cfg->sources)
        json_array_foreach(cfg->sources, i, v) check_source(c, v, i, source_ids);
    cfg->walls = check_array(c, root, "walls");
    if (cfg->walls) {
        if (json_array_size(cfg->walls) == 0)
            fail_at(c, "walls", "at least one wall is needed");
        json_array_foreach(cfg->walls, i, v) check_wall(c, v, i, wall_ids, source_ids);
    }
    cfg->presets = check_presets(c, json_object_get(root, "presets"), source_ids);
    config_sections ids = {source_ids, wall_ids};
    auth_config_check(c, json_object_get(root, "auth"), &ids);
    audit_config_check(c, json_object_get(root, "audit"), &ids);
    alarm_config_check(c, json_object_get(root, "alarms"), &ids);
    presentation_config_check(c, json_object_get(root, "presentations"), &ids);
    cluster_config_check(c, json_object_get(root, "cluster"));
    g_hash_table_destroy(source_ids);
    g_hash_table_destroy(wall_ids);
}

/* How far load() checks: the file alone, that each plugin named exists,
 * or also each source's settings by its plugin (which loads the plugins). */
enum check_depth { CHECK_FILE, CHECK_PLUGIN_FILES, CHECK_SOURCE_SETTINGS };

static pantau_config *load(const char *path, enum check_depth depth,
                           const char *plugin_dir_override, GPtrArray *errors);

pantau_config *config_load(const char *path, GPtrArray *errors)
{
    return load(path, CHECK_FILE, NULL, errors);
}

pantau_config *config_load_checked(const char *path, const char *plugin_dir_override,
                                   GPtrArray *errors)
{
    return load(path, CHECK_PLUGIN_FILES, plugin_dir_override, errors);
}

pantau_config *config_check_file(const char *path, const char *plugin_dir_override,
                                 GPtrArray *errors)
{
    return load(path, CHECK_SOURCE_SETTINGS, plugin_dir_override, errors);
}

static const char *plugin_dir_of(const pantau_config *cfg, const char *plugin_dir_override)
{
    if (plugin_dir_override)
        return plugin_dir_override;
    return cfg->plugin_dir ? cfg->plugin_dir : default_plugin_dir();
}

static void report_source_setting(const char *json_path, const char *message, void *user)
{
    fail_at(user, json_path, "%s", message);
}

/* Loads the plugins as the server would, into a type table of their own
 * (no media, no state directory: nothing runs), and lets each source type
 * check its sources' settings. */
static void check_source_settings(checker *c, pantau_config *cfg, const char *plugin_dir)
{
    host_deps deps = {.types = source_types_new()};
    plugin_loader *loader = plugin_loader_load(&deps, plugin_dir, cfg->plugin_names);
    source_check_settings(deps.types, cfg->sources, report_source_setting, c);
    plugin_loader_free(loader);
    source_types_free(deps.types);
}

static pantau_config *load(const char *path, enum check_depth depth,
                           const char *plugin_dir_override, GPtrArray *errors)
{
    pantau_config *cfg = g_new0(pantau_config, 1);
    cfg->path = g_strdup(path);
    cfg->dir = g_path_get_dirname(path);
    cfg->listen = g_strdup("127.0.0.1");
    cfg->port = 8080;
    cfg->stream_grace_ms = 10000;
    /* One H.265 conversion per two cores (at least one). */
    cfg->h265_transcodes = (int)MAX(g_get_num_processors() / 2, 1u);
    cfg->max_presets = PRESET_DEFAULT_MAX;
    cfg->max_layout_tiles = LAYOUT_MAX_TILES;
    cfg->client_queue_budget_mib = CONFIG_CLIENT_QUEUE_BUDGET_MIB;
    cfg->malloc_arenas = CONFIG_MALLOC_ARENAS;
    cfg->heap_trim_s = CONFIG_HEAP_TRIM_S;
    cfg->rtsp_restream_port = -1;
    cfg->replay_idle_s = 300;
    guint before = errors->len;
    char *text = NULL;
    gsize len = 0;
    GError *gerr = NULL;
    if (!g_file_get_contents(path, &text, &len, &gerr)) {
        g_ptr_array_add(errors, g_strdup_printf("%s:1:1: (file): %s", path, gerr->message));
        g_error_free(gerr);
        goto fail;
    }
    json_error_t jerr;
    cfg->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!cfg->root) {
        g_ptr_array_add(errors, g_strdup_printf("%s:%d:%d: (syntax): %s", path, jerr.line,
                                                jerr.column, jerr.text));
        goto fail;
    }
    checker c = {path, text, len, errors};
    check_root(&c, cfg);
    /* Name missing plugins too, so one run of the checker shows everything. */
    if (depth >= CHECK_PLUGIN_FILES)
        config_check_plugins(cfg, plugin_dir_of(cfg, plugin_dir_override), errors);
    /* The plugins' own settings checks need a configuration that holds. */
    if (depth >= CHECK_SOURCE_SETTINGS && errors->len == before)
        check_source_settings(&c, cfg, plugin_dir_of(cfg, plugin_dir_override));
    if (errors->len != before)
        goto fail;
    g_free(text);
    return cfg;
fail:
    g_free(text);
    config_free(cfg);
    return NULL;
}

int config_check_plugins(const pantau_config *cfg, const char *plugin_dir, GPtrArray *errors)
{
    if (!cfg->plugin_names)
        return 0;
    int found = 0;
    char *text = NULL;
    gsize len = 0;
    g_file_get_contents(cfg->path, &text, &len, NULL);
    checker c = {cfg->path, text ? text : "", text ? len : 0, errors};
    size_t i;
    const json_t *name;
    json_array_foreach(cfg->plugin_names, i, name)
    {
        char *file = g_strdup_printf("%s/%s.so", plugin_dir, json_string_value(name));
        if (!g_file_test(file, G_FILE_TEST_EXISTS)) {
            char *p = g_strdup_printf("plugins.load[%zu]", i);
            fail_at(&c, p, "no plugin '%s' in %s", json_string_value(name), plugin_dir);
            g_free(p);
            found++;
        }
        g_free(file);
    }
    g_free(text);
    return found;
}

void config_free(pantau_config *cfg)
{
    if (!cfg)
        return;
    json_decref(cfg->root);
    g_free(cfg->path);
    g_free(cfg->dir);
    g_free(cfg->listen);
    g_free(cfg->state_dir);
    g_free(cfg->plugin_dir);
    g_free(cfg);
}
