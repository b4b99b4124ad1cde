#include "test_util.h"

#include "bus.h"
#include "media.h"
#include "persist.h"
#include "preset_store.h"
#include "server.h"
#include "source.h"
#include "wall.h"
#include "walls.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <glib.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Makes a scratch directory for this run and points TMPDIR at it, so what a
 * failed test leaves behind (its teardown does not run) is removed too. */
static char *scratch_begin(void)
{
    const char *base = getenv("TMPDIR");
    char *tmpl = g_strdup_printf("%s/pantau-unit-run-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpl)) {
        g_free(tmpl);
        return NULL;
    }
    setenv("TMPDIR", tmpl, 1);
    return tmpl;
}

int tu_run(Suite *s, int argc, char **argv)
{
    const char *tcase = argc > 1 ? argv[1] : NULL;
    char *scratch = scratch_begin();
    SRunner *sr = srunner_create(s);
    srunner_run(sr, NULL, tcase, CK_NORMAL);
    int run = srunner_ntests_run(sr);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    tu_remove_tree(scratch);
    g_free(scratch);
    if (run == 0) {
        fprintf(stderr, "no test ran: no TCase named '%s'\n", tcase ? tcase : "");
        return 1;
    }
    return failed == 0 ? 0 : 1;
}

bool tu_loop_until(bool (*done)(const void *data), const void *data, int ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
    while (!(done && done(data)) && g_get_monotonic_time() < end)
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(2000);
    return done && done(data);
}

void tu_loop_for(int ms)
{
    tu_loop_until(NULL, NULL, ms);
}

char *tu_temp_dir(void)
{
    GError *err = NULL;
    char *dir = g_dir_make_tmp("pantau-unit-XXXXXX", &err);
    ck_assert_msg(dir != NULL, "cannot make a temporary directory: %s", err ? err->message : "?");
    return dir;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

void tu_remove_tree(const char *path)
{
    if (path)
        nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

char *tu_write_file(const char *dir, const char *name, const char *text)
{
    char *path = g_build_filename(dir, name, NULL);
    ck_assert_msg(g_file_set_contents(path, text, -1, NULL), "cannot write %s", path);
    return path;
}

char *tu_read_file(const char *path)
{
    char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return NULL;
    return text;
}

bool tu_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

int tu_count_entries(const char *dir, const char *part)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strstr(e->d_name, part))
            n++;
    closedir(d);
    return n;
}

json_t *tu_json(const char *text)
{
    json_error_t jerr;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);
    ck_assert_msg(v != NULL, "bad JSON in test (%d:%d %s): %s", jerr.line, jerr.column, jerr.text,
                  text);
    return v;
}

char *tu_dump(const json_t *value)
{
    return json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

void tu_capture_begin(tu_capture *cap)
{
    cap->path = g_build_filename(g_get_tmp_dir(), "pantau-unit-stderr-XXXXXX", NULL);
    int fd = g_mkstemp(cap->path);
    ck_assert_int_ge(fd, 0);
    fflush(stderr);
    cap->saved_fd = dup(2);
    ck_assert_int_ge(cap->saved_fd, 0);
    dup2(fd, 2);
    close(fd);
}

char *tu_capture_end(tu_capture *cap)
{
    fflush(stderr);
    dup2(cap->saved_fd, 2);
    close(cap->saved_fd);
    char *text = tu_read_file(cap->path);
    unlink(cap->path);
    g_free(cap->path);
    cap->path = NULL;
    return text ? text : g_strdup("");
}

pantau_server *tu_server_new(const char *dir, const char *walls_json)
{
    pantau_server *srv = g_new0(pantau_server, 1);
    srv->state_dir = g_strdup(dir);
    srv->walls = g_ptr_array_new_with_free_func((GDestroyNotify)wall_free);
    json_t *walls = tu_json(walls_json);
    size_t i;
    json_t *entry;
    json_array_foreach(walls, i, entry) g_ptr_array_add(srv->walls, wall_from_config(entry));
    json_decref(walls);
    srv->presets = preset_store_open(dir);
    srv->bus = bus_new();
    srv->sources = source_registry_new(NULL, srv->bus);
    srv->persist = persister_new(NULL);
    srv->wall_service = wall_service_new(srv->walls, srv->presets, srv->bus, srv->persist, NULL,
                                         srv->state_dir, LAYOUT_MAX_TILES);
    return srv;
}

void tu_server_free(pantau_server *srv)
{
    if (!srv)
        return;
    wall_service_free(srv->wall_service);
    persister_free(srv->persist);
    source_registry_free(srv->sources);
    preset_store_free(srv->presets);
    bus_free(srv->bus);
    g_ptr_array_free(srv->walls, TRUE);
    g_free(srv->state_dir);
    g_free(srv);
}

void tu_registry_add(source_registry *reg, pantau_source *src)
{
    src->registry = reg;
    g_ptr_array_add(reg->list, src);
    g_hash_table_insert(reg->by_id, src->id, src);
}

static int fake_open(void *instance, enum pantau_stream kind)
{
    (void)instance, (void)kind;
    return 0;
}

static void fake_close(void *instance, enum pantau_stream kind)
{
    (void)instance, (void)kind;
}

void tu_fake_destroy(void *instance)
{
    (void)instance;
}

source_type_entry tu_camera_type = {.type = {.id = "cam",
                                             .kind = "camera",
                                             .destroy = tu_fake_destroy,
                                             .stream_open = fake_open,
                                             .stream_close = fake_close},
                                    .plugin = "fake"};

pantau_source *tu_camera_add(source_registry *reg, const char *id)
{
    pantau_source *camera = g_new0(pantau_source, 1);
    camera->id = g_strdup(id);
    camera->type = &tu_camera_type;
    camera->instance = &tu_camera_type; /* any non-NULL instance */
    camera->status = PANTAU_STATUS_LIVE;
    tu_registry_add(reg, camera);
    return camera;
}

GPtrArray *tu_encoded_units(const char *launch, unsigned expect)
{
    GError *err = NULL;
    GstElement *p = gst_parse_launch(launch, &err);
    ck_assert_msg(p != NULL, "pipeline %s: %s", launch, err ? err->message : "?");
    GstElement *out = gst_bin_get_by_name(GST_BIN(p), "out");
    gst_element_set_state(p, GST_STATE_PLAYING);
    GPtrArray *units = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    GstSample *sample;
    while ((sample = gst_app_sink_try_pull_sample(GST_APP_SINK(out), 10 * GST_SECOND))) {
        GstBuffer *buf = gst_sample_get_buffer(sample);
        GstMapInfo map;
        if (gst_buffer_map(buf, &map, GST_MAP_READ)) {
            g_ptr_array_add(units, g_bytes_new(map.data, map.size));
            gst_buffer_unmap(buf, &map);
        }
        gst_sample_unref(sample);
    }
    gst_element_set_state(p, GST_STATE_NULL);
    gst_object_unref(out);
    gst_object_unref(p);
    ck_assert_uint_eq(units->len, expect);
    return units;
}

static int tu_stream_open(pantau_source *src, enum pantau_stream kind)
{
    (void)src, (void)kind;
    return 0;
}

static void tu_stream_close(pantau_source *src, enum pantau_stream kind)
{
    (void)src, (void)kind;
}

media_deps tu_media_deps(source_registry *reg, event_bus *bus)
{
    return (media_deps){.sources = reg,
                        .bus = bus,
                        .grace_ms = 60000,
                        .frame_room = 32,
                        .stream_open = tu_stream_open,
                        .stream_close = tu_stream_close};
}
