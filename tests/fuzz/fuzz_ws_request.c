/* fuzz_ws_request.c - text frames of a WebSocket client through parsing and
 * dispatch (ops_handle_text), on a server built in-process the way the unit
 * tests build one: two walls, two cameras and a widget, alarms and a
 * presentation configured, one alarm open ("a1", which a rule shows on the
 * main wall), a state directory in scratch space, no network.
 * Input: one or more frames separated by '\n' (at most MAX_FRAMES), sent in
 * order on a fresh server, so each input runs the same way every time. */
#include "alarm.h"
#include "bus.h"
#include "fuzz_util.h"
#include "log.h"
#include "ops.h"
#include "persist.h"
#include "plugin_loader.h"
#include "presentation.h"
#include "source.h"
#include "walls.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FRAMES 16

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const config_text =
    "{\"walls\": ["
    " {\"id\": \"main\", \"name\": \"Main\", \"displays\": {\"columns\": 2, \"rows\": 1,"
    "  \"width\": 1920, \"height\": 1080, \"bezel\": {\"x\": 8, \"y\": 0}},"
    "  \"layout\": {\"columns\": 2, \"rows\": 2, \"tiles\": ["
    "   {\"id\": \"t1\", \"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1, \"source\": \"cam1\"},"
    "   {\"id\": \"t2\", \"x\": 1, \"y\": 0, \"w\": 1, \"h\": 1},"
    "   {\"id\": \"t3\", \"x\": 0, \"y\": 1, \"w\": 1, \"h\": 1},"
    "   {\"id\": \"t4\", \"x\": 1, \"y\": 1, \"w\": 1, \"h\": 1, \"source\": \"feed\"}]}},"
    " {\"id\": \"side\", \"displays\": {\"columns\": 1, \"rows\": 1, \"width\": 1920,"
    "  \"height\": 1080}, \"layout\": {\"columns\": 1, \"rows\": 1, \"tiles\": ["
    "   {\"id\": \"s1\", \"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1}]}}],"
    " \"alarms\": {\"debounce_s\": 0, \"rules\": ["
    "  {\"id\": \"fire\", \"match\": {\"condition\": \"fire.*\"},"
    "   \"action\": {\"wall\": \"main\", \"show\": \"cam2\", \"tile\": \"t2\"}, \"priority\": 5},"
    "  {\"id\": \"down\", \"match\": {\"source\": \"cam1\", \"severity_at_least\": \"warning\"},"
    "   \"action\": {\"wall\": \"side\", \"show\": \"cam1\"}, \"until\": \"clear\"}]},"
    " \"presentations\": [{\"id\": \"demo\", \"name\": {\"en\": \"Demo\"}, \"steps\": ["
    "  {\"layout\": {\"columns\": 1, \"rows\": 1, \"tiles\": [{\"id\": \"a\", \"x\": 0,"
    "   \"y\": 0, \"w\": 1, \"h\": 1, \"source\": \"cam1\"}]}, \"caption\": \"One\","
    "   \"notes\": \"note\"},"
    "  {\"layout\": {\"columns\": 2, \"rows\": 1, \"tiles\": []}, \"caption\": \"Two\"}]}]}";

static json_t *config_root; /* parsed once; owned for the whole run */
/* Source types as a loaded plugin registers them (no callbacks: nothing runs). */
static source_type_entry camera_type = {.type = {.id = "cam", .kind = "camera"}, .plugin = "fake"};
static source_type_entry widget_type = {.type = {.id = "feed", .kind = "widget"}, .plugin = "fake"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    log_set_level(PANTAU_LOG_ERROR);
    config_root = json_loads(config_text, 0, NULL);
    if (!config_root)
        abort();
    fuzz_scratch_dir();
    return 0;
}

static void add_source(pantau_server *srv, const char *id, const source_type_entry *type)
{
    pantau_source *s = g_new0(pantau_source, 1);
    s->id = g_strdup(id);
    s->name = g_strdup(id);
    s->type_id = g_strdup(type->type.id);
    s->type = type;
    s->settings = json_pack("{s:s}", "url", "rtsp://admin:hunter2@cam/1");
    g_ptr_array_add(srv->sources->list, s);
    g_hash_table_insert(srv->sources->by_id, s->id, s);
}

static pantau_server *server_new(const char *state_dir)
{
    pantau_server *srv = g_new0(pantau_server, 1);
    srv->state_dir = g_strdup(state_dir);
    srv->walls = g_ptr_array_new_with_free_func((GDestroyNotify)wall_free);
    size_t i;
    const json_t *entry;
    json_array_foreach(json_object_get(config_root, "walls"), i, entry)
        g_ptr_array_add(srv->walls, wall_from_config(entry));
    srv->presets = preset_store_open(state_dir);
    srv->sources = source_registry_new(NULL, NULL);
    add_source(srv, "cam1", &camera_type);
    add_source(srv, "cam2", &camera_type);
    add_source(srv, "feed", &widget_type);
    srv->bus = bus_new();
    srv->persist = persister_new(NULL);
    srv->wall_service = wall_service_new(srv->walls, srv->presets, srv->bus, srv->persist, NULL,
                                         state_dir, LAYOUT_MAX_TILES);
    srv->alarms = alarm_center_new(&(alarm_deps){
        .section = json_object_get(config_root, "alarms"),
        .walls = srv->wall_service,
        .sources = srv->sources,
        .bus = srv->bus,
        .state_dir = state_dir,
    });
    srv->presentations = presentation_center_new(json_object_get(config_root, "presentations"),
                                                 srv->wall_service, srv->bus, NULL);
    json_t *details = json_pack("{s:s, s:b}", "condition", "fire.1", "active", 1);
    alarm_source_event(srv->alarms, source_registry_find(srv->sources, "feed"),
                       PANTAU_SEVERITY_CRITICAL, "smoke at gate 3", details);
    json_decref(details);
    return srv;
}

static void server_free(pantau_server *srv)
{
    presentation_center_free(srv->presentations);
    alarm_center_free(srv->alarms);
    wall_service_free(srv->wall_service);
    persister_free(srv->persist);
    bus_free(srv->bus);
    source_registry_free(srv->sources);
    preset_store_free(srv->presets);
    g_ptr_array_free(srv->walls, TRUE);
    g_free(srv->state_dir);
    g_free(srv);
}

/* A reply is an object with "re" and exactly one of "ok" and "error". */
static void check_reply(const json_t *reply)
{
    if (!json_is_object(reply) || !json_object_get(reply, "re"))
        abort();
    bool ok = json_object_get(reply, "ok") != NULL;
    bool error = json_object_get(reply, "error") != NULL;
    if (ok == error)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = fuzz_scratch_dir();
    pantau_server *srv = server_new(dir);
    const char *text = (const char *)data;
    size_t pos = 0;
    for (int frame = 0; frame < MAX_FRAMES && pos < size; frame++) {
        const char *nl = memchr(text + pos, '\n', size - pos);
        size_t len = nl ? (size_t)(nl - (text + pos)) : size - pos;
        /* An exact-size copy, as lws hands a frame over. */
        char *copy = g_memdup2(text + pos, len);
        json_t *reply = ops_handle_text(srv, NULL, copy ? copy : "", len);
        check_reply(reply);
        json_decref(reply);
        g_free(copy);
        pos += len + 1;
    }
    server_free(srv);
    fuzz_empty_dir(dir);
    return 0;
}
