/* test_rtsp_restream.c - the RTSP restream's mounts follow the source
 * registry: a DESCRIBE without credentials is answered 401 for a camera
 * that is mounted (gst-rtsp-server finds the mount, then asks for a
 * login) and 404 for one that is not; a camera added after the start
 * (BUS_SOURCE_ADDED) is mounted and one removed (BUS_SOURCE_REMOVED)
 * unmounted, as is one gone when rtsp_restream_sync is called. Widgets
 * are not mounted. A real server on a real socket; the cameras have no plugin. */
#include "auth.h"
#include "bus.h"
#include "listen_addr.h"
#include "media.h"
#include "password.h"
#include "rtsp_restream.h"
#include "source.h"
#include "test_util.h"

#include <gio/gio.h>
#include <gst/gst.h>
#include <string.h>

static source_type_entry widget_type = {
    .type = {.id = "clock", .kind = "widget", .destroy = tu_fake_destroy}, .plugin = "fake"};

static int engine_open(pantau_source *src, enum pantau_stream kind)
{
    (void)src, (void)kind;
    return 0;
}

static void engine_close(pantau_source *src, enum pantau_stream kind)
{
    (void)src, (void)kind;
}

static source_registry *registry;
static event_bus *bus;
static media_engine *engine;
static auth_center *auth;
static json_t *auth_section;
static listen_addr bind;

static pantau_source *add_source(const char *id, source_type_entry *type)
{
    pantau_source *src = g_new0(pantau_source, 1);
    src->id = g_strdup(id);
    src->type = type;
    src->instance = type; /* any non-NULL instance */
    src->status = PANTAU_STATUS_IDLE;
    tu_registry_add(registry, src);
    return src;
}

/* Takes src out of the registry without telling anybody, and frees it. */
static void drop_source(pantau_source *src)
{
    g_ptr_array_remove(registry->list, src);
    g_hash_table_remove(registry->by_id, src->id);
    g_free(src->id);
    g_free(src);
}

static void setup(void)
{
    gst_init(NULL, NULL);
    ck_assert_int_eq(password_init(), 0);
    bus = bus_new();
    registry = source_registry_new(NULL, bus);
    media_deps deps = {.sources = registry,
                       .grace_ms = 1000,
                       .frame_room = 32,
                       .stream_open = engine_open,
                       .stream_close = engine_close};
    engine = media_engine_new(&deps);
    char sha[PASSWORD_SHA256_HEX + 1];
    password_sha256_hex("a-viewer-token-0123456789", sha);
    auth_section =
        json_pack("{s:[{s:s, s:s}]}", "viewer_tokens", "name", "lobby", "token_sha256", sha);
    auth = auth_center_new(auth_section, NULL, NULL, NULL);
    char *why = NULL;
    ck_assert_int_eq(listen_addr_resolve("127.0.0.1", &bind, &why), 0);
}

static void teardown(void)
{
    media_engine_free(engine);
    source_registry_free(registry);
    auth_center_free(auth);
    json_decref(auth_section);
    bus_free(bus);
}

/* The status code of a DESCRIBE of path without credentials. */
static int describe(int port, const char *path)
{
    GError *err = NULL;
    GSocketClient *client = g_socket_client_new();
    GSocketConnection *conn =
        g_socket_client_connect_to_host(client, "127.0.0.1", (guint16)port, NULL, &err);
    ck_assert_msg(conn != NULL, "connect: %s", err ? err->message : "?");
    char *req =
        g_strdup_printf("DESCRIBE rtsp://127.0.0.1:%d%s RTSP/1.0\r\nCSeq: 1\r\n\r\n", port, path);
    GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(conn));
    ck_assert(g_output_stream_write_all(out, req, strlen(req), NULL, NULL, &err));
    char buf[512] = {0};
    GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(conn));
    gssize n = g_input_stream_read(in, buf, sizeof buf - 1, NULL, &err);
    ck_assert_msg(n > 12, "no answer to DESCRIBE %s", path);
    int code = 0;
    ck_assert_int_eq(sscanf(buf, "RTSP/1.0 %d", &code), 1);
    g_free(req);
    g_object_unref(conn);
    g_object_unref(client);
    return code;
}

START_TEST(mounts_follow_the_registry)
{
    add_source("cam1", &tu_camera_type);
    add_source("clock", &widget_type);
    rtsp_restream *r = rtsp_restream_start(&(rtsp_restream_deps){
        .bind = &bind, .port = 0, .auth = auth, .media = engine, .sources = registry, .bus = bus});
    ck_assert_ptr_nonnull(r);
    int port = rtsp_restream_port(r);
    ck_assert_int_gt(port, 0);
    ck_assert_int_eq(describe(port, "/cam1/main"), 401);
    ck_assert_int_eq(describe(port, "/cam1/sub"), 401);
    ck_assert_int_eq(describe(port, "/cam2/main"), 404);
    ck_assert_int_eq(describe(port, "/clock/main"), 404);
    ck_assert_int_eq(describe(port, "/cam1"), 404);

    /* Added: mounted when the bus says so. */
    pantau_source *cam2 = add_source("cam2", &tu_camera_type);
    ck_assert_int_eq(describe(port, "/cam2/main"), 404);
    bus_emit(bus, &(bus_event){.kind = BUS_SOURCE_ADDED, .source_added = {cam2}});
    ck_assert_int_eq(describe(port, "/cam2/main"), 401);
    ck_assert_int_eq(describe(port, "/cam2/sub"), 401);

    /* Removed: unmounted by the registry's own event. */
    ck_assert(source_registry_remove(registry, "cam1"));
    ck_assert_int_eq(describe(port, "/cam1/main"), 404);
    ck_assert_int_eq(describe(port, "/cam1/sub"), 404);
    ck_assert_int_eq(describe(port, "/cam2/main"), 401);

    /* Gone without an event: the next sync finds out. */
    drop_source(cam2);
    ck_assert_int_eq(describe(port, "/cam2/main"), 401);
    rtsp_restream_sync(r);
    ck_assert_int_eq(describe(port, "/cam2/main"), 404);
    rtsp_restream_sync(r); /* nothing changed: nothing happens */
    rtsp_restream_free(r);

    /* Freed, the restream no longer listens to the bus. */
    pantau_source *cam3 = add_source("cam3", &tu_camera_type);
    bus_emit(bus, &(bus_event){.kind = BUS_SOURCE_ADDED, .source_added = {cam3}});
}
END_TEST

START_TEST(a_taken_port_is_an_error)
{
    GSocketService *taken = g_socket_service_new();
    GError *err = NULL;
    guint16 port = g_socket_listener_add_any_inet_port(G_SOCKET_LISTENER(taken), NULL, &err);
    ck_assert_int_gt(port, 0);
    rtsp_restream *r = rtsp_restream_start(&(rtsp_restream_deps){
        .bind = &bind, .port = port, .auth = auth, .media = engine, .sources = registry});
    ck_assert_ptr_null(r);
    rtsp_restream_free(NULL);
    g_socket_listener_close(G_SOCKET_LISTENER(taken));
    g_object_unref(taken);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("rtsp_restream");
    TCase *tc = tcase_create("mounts");
    tcase_set_timeout(tc, 30);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, mounts_follow_the_registry);
    suite_add_tcase(s, tc);
    tc = tcase_create("listen");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, a_taken_port_is_an_error);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(suite(), argc, argv);
}
