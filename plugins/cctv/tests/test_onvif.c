/* Tests of the ONVIF client: its pure parts (soap), then the client over
 * real sockets against pantau-test-onvif (tests/tools/onvif_device.c):
 * device and PTZ capabilities, profiles and stream URIs, the digest (a
 * wrong password, the camera's clock far off, a replayed or wrong digest
 * refused by the device, HTTP Digest), PTZ moves and presets as the
 * device's position shows them; hostile and absent cameras (servers of
 * this test); WS-Discovery on loopback multicast, and in a network
 * namespace of its own. */
#include "onvif.h"
#include "onvif_discovery.h"
#include "onvif_soap.h"
#include "pt_check.h"
#include "test_rtsp_server.h"
#include "url_redact.h"

#include <gio/gio.h>
#include <jansson.h>
#include <libsoup/soup.h>
#include <math.h>
#include <string.h>
#include <sys/wait.h>

#define USER "operator"
#define PASSWORD "Rahasia-99:@x"
/* A Dahua URL: the '&' must survive the XML both ways. */
#define MAIN_URI "rtsp://10.20.1.12:554/cam/realmonitor?channel=1&subtype=0"
#define SUB_URI "rtsp://10.20.1.12:554/cam/realmonitor?channel=1&subtype=1"
#define NETNS_ENV "PANTAU_ONVIF_IN_NETNS"

/* ---- helpers ---- */

/* A free port on 127.0.0.1 (TCP or UDP). */
static int free_port(GSocketType type)
{
    GSocket *s = g_socket_new(G_SOCKET_FAMILY_IPV4, type, 0, NULL);
    GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *a = g_inet_socket_address_new(lo, 0);
    ck_assert(g_socket_bind(s, a, FALSE, NULL));
    GSocketAddress *local = g_socket_get_local_address(s, NULL);
    int port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local));
    g_object_unref(local);
    g_object_unref(a);
    g_object_unref(lo);
    g_object_unref(s);
    return port;
}

typedef struct device {
    GSubprocess *proc;
    int port;
    char address[64]; /* 127.0.0.1:port */
} device;

/* Starts pantau-test-onvif with USER/PASSWORD, both URIs and extra args
 * (NULL-terminated, may be NULL). */
static device device_start(const char *const *extra)
{
    device d = {0};
    d.port = free_port(G_SOCKET_TYPE_STREAM);
    char port[16];
    snprintf(port, sizeof port, "%d", d.port);
    snprintf(d.address, sizeof d.address, "127.0.0.1:%d", d.port);
    GPtrArray *args = g_ptr_array_new();
    const char *base[] = {"--port", port,         "--user", USER,        "--password",
                          PASSWORD, "--main-uri", MAIN_URI, "--sub-uri", SUB_URI};
    for (size_t i = 0; i < G_N_ELEMENTS(base); i++)
        g_ptr_array_add(args, (gpointer)base[i]);
    for (const char *const *a = extra; a && *a; a++)
        g_ptr_array_add(args, (gpointer)*a);
    g_ptr_array_add(args, NULL);
    d.proc = test_rtsp_server_start(ONVIF_DEVICE_BIN, (const char *const *)args->pdata);
    g_ptr_array_free(args, TRUE);
    return d;
}

static void device_stop(device *d)
{
    test_rtsp_server_stop(d->proc);
    d->proc = NULL;
}

/* GET http://host/path with a blocking session (fine in a test): the body,
 * and the status into *status. */
static char *http_get(const char *url, guint *status)
{
    SoupSession *s = soup_session_new();
    SoupMessage *m = soup_message_new("GET", url);
    GBytes *b = soup_session_send_and_read(s, m, NULL, NULL);
    *status = soup_message_get_status(m);
    char *text = b ? g_strndup(g_bytes_get_data(b, NULL), g_bytes_get_size(b)) : NULL;
    if (b)
        g_bytes_unref(b);
    g_object_unref(m);
    g_object_unref(s);
    return text;
}

/* The device's GET /state. */
static json_t *device_state(const device *d)
{
    char url[128];
    guint status = 0;
    snprintf(url, sizeof url, "http://%s/state", d->address);
    char *text = http_get(url, &status);
    ck_assert_uint_eq(status, 200);
    json_t *j = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(j);
    g_free(text);
    return j;
}

static double state_num(const json_t *j, const char *key)
{
    json_t *v = json_object_get(j, key);
    ck_assert_msg(json_is_number(v), "no number %s in /state", key);
    return json_number_value(v);
}

/* Runs the loop for ms. */
static void run_for(unsigned ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
    while (g_get_monotonic_time() < end)
        g_main_context_iteration(NULL, FALSE), g_usleep(1000);
}

/* ---- waiting for a callback ---- */

typedef struct waiter {
    gboolean done;
    GError *err;
    onvif_device_info info;
    onvif_profiles profiles;
    onvif_ptz_status status;
    onvif_presets presets;
    char *token;
    GArray *found;
} waiter;

static void waiter_clear(waiter *w)
{
    g_clear_error(&w->err);
    onvif_device_info_clear(&w->info);
    onvif_profiles_clear(&w->profiles);
    onvif_presets_clear(&w->presets);
    g_free(w->token);
    if (w->found) {
        for (guint i = 0; i < w->found->len; i++)
            onvif_found_clear(&g_array_index(w->found, onvif_found, i));
        g_array_free(w->found, TRUE);
    }
    memset(w, 0, sizeof *w);
}

/* Runs the loop until w is done (15 s at most). */
static void wait_for(waiter *w)
{
    gint64 end = g_get_monotonic_time() + 15 * G_USEC_PER_SEC;
    while (!w->done && g_get_monotonic_time() < end)
        g_main_context_iteration(NULL, TRUE);
    ck_assert_msg(w->done, "no callback within 15 s");
}

static void finish(waiter *w, const GError *err)
{
    ck_assert_msg(!w->done, "callback ran twice");
    w->done = TRUE;
    w->err = err ? g_error_copy(err) : NULL;
}

static void on_done(void *user, const GError *err)
{
    finish(user, err);
}

static void on_device(void *user, const onvif_device_info *info, const GError *err)
{
    waiter *w = user;
    finish(w, err);
    if (!info)
        return;
    w->info = *info;
    w->info.manufacturer = g_strdup(info->manufacturer);
    w->info.model = g_strdup(info->model);
    w->info.firmware = g_strdup(info->firmware);
    w->info.serial = g_strdup(info->serial);
    w->info.hardware_id = g_strdup(info->hardware_id);
}

static void on_profiles(void *user, const onvif_profiles *p, const GError *err)
{
    waiter *w = user;
    finish(w, err);
    if (!p)
        return;
    w->profiles = *p;
    w->profiles.items = g_new0(onvif_profile, p->n);
    for (gsize i = 0; i < p->n; i++) {
        w->profiles.items[i] = p->items[i];
        w->profiles.items[i].token = g_strdup(p->items[i].token);
        w->profiles.items[i].name = g_strdup(p->items[i].name);
        w->profiles.items[i].encoding = g_strdup(p->items[i].encoding);
        w->profiles.items[i].uri = g_strdup(p->items[i].uri);
    }
}

static void on_status(void *user, const onvif_ptz_status *s, const GError *err)
{
    waiter *w = user;
    finish(w, err);
    if (s)
        w->status = *s;
}

static void on_presets(void *user, const onvif_presets *p, const GError *err)
{
    waiter *w = user;
    finish(w, err);
    if (!p)
        return;
    w->presets.n = p->n;
    w->presets.items = g_new0(onvif_preset, p->n);
    for (gsize i = 0; i < p->n; i++) {
        w->presets.items[i] = p->items[i];
        w->presets.items[i].token = g_strdup(p->items[i].token);
        w->presets.items[i].name = g_strdup(p->items[i].name);
    }
}

static void on_token(void *user, const char *token, const GError *err)
{
    waiter *w = user;
    finish(w, err);
    w->token = g_strdup(token);
}

static void on_found(void *user, const onvif_found *found, gsize n, const GError *err)
{
    waiter *w = user;
    finish(w, err);
    w->found = g_array_new(FALSE, TRUE, sizeof(onvif_found));
    for (gsize i = 0; i < n; i++) {
        onvif_found f = {g_strdup(found[i].endpoint), g_strdup(found[i].xaddr),
                         g_strdup(found[i].name), g_strdup(found[i].hardware),
                         g_strdup(found[i].location)};
        g_array_append_val(w->found, f);
    }
}

/* Asserts w ended with err code and a message holding part. */
static void assert_error(const waiter *w, onvif_error_code code, const char *part)
{
    ck_assert_msg(w->err, "no error, wanted one with \"%s\"", part);
    ck_assert_msg(w->err->code == (gint)code && strstr(w->err->message, part),
                  "error %d \"%s\", wanted %d with \"%s\"", w->err->code, w->err->message, code,
                  part);
    ck_assert_msg(!strstr(w->err->message, PASSWORD), "password in \"%s\"", w->err->message);
}

static void assert_ok(const waiter *w)
{
    ck_assert_msg(!w->err, "error: %s", w->err ? w->err->message : "");
}

/* A test camera, a client for it, and the waiter of the client's calls. */
typedef struct rig {
    device d;
    onvif_client *c;
    waiter w;
} rig;

/* A client for r's device with password (replacing the one before). */
static void rig_client(rig *r, const char *password)
{
    GError *err = NULL;
    onvif_client_free(r->c);
    r->c = onvif_client_new(r->d.address, USER, password, &err);
    ck_assert_msg(r->c, "%s", err ? err->message : "");
}

/* Starts the device with extra args (may be NULL) and a client for it. */
static void rig_start(rig *r, const char *const *extra)
{
    memset(r, 0, sizeof *r);
    r->d = device_start(extra);
    rig_client(r, PASSWORD);
}

static void rig_stop(rig *r)
{
    waiter_clear(&r->w);
    onvif_client_free(r->c);
    device_stop(&r->d);
}

/* The waiter for the next call: the last call's result is dropped. */
static waiter *next(rig *r)
{
    waiter_clear(&r->w);
    return &r->w;
}

/* Waits for the call started with next(r) and asserts it succeeded. */
static void ok(rig *r)
{
    wait_for(&r->w);
    assert_ok(&r->w);
}

/* Waits for it and asserts it failed with code and a message with part. */
static void fails(rig *r, onvif_error_code code, const char *part)
{
    wait_for(&r->w);
    assert_error(&r->w, code, part);
}

/* Runs call_expr, a call given the waiter W, and asserts it succeeded. */
#define DO(r, call_expr)                                                                           \
    do {                                                                                           \
        waiter *W = next(r);                                                                       \
        call_expr;                                                                                 \
        ok(r);                                                                                     \
    } while (0)

/* ---- soap: the pure parts ---- */

START_TEST(digest_matches_the_onvif_guide)
{
    /* The example of the ONVIF Application Programmer's Guide. */
    gsize n = 0;
    guchar *nonce = g_base64_decode("LKqI6G/AikKCQrN0zqZFlg==", &n);
    char *d = onvif_wsse_digest(nonce, n, "2010-09-16T07:50:45Z", "userpassword");
    ck_assert_str_eq(d, "tuOSpGlFlIXsozq4HFNeeGeFLEI=");
    g_free(d);
    g_free(nonce);
}
END_TEST

START_TEST(envelope_carries_a_digest_not_the_password)
{
    guint8 nonce[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    char *e =
        onvif_soap_envelope("<tds:GetDeviceInformation/>", "a<b", PASSWORD, 1284623445, nonce);
    ck_assert_ptr_null(strstr(e, PASSWORD));
    ck_assert_ptr_nonnull(strstr(e, "<wsse:Username>a&lt;b</wsse:Username>"));
    ck_assert_ptr_nonnull(strstr(e, "<wsu:Created>2010-09-16T07:50:45Z</wsu:Created>"));
    char *digest = onvif_wsse_digest(nonce, 16, "2010-09-16T07:50:45Z", PASSWORD);
    ck_assert_ptr_nonnull(strstr(e, digest));
    onvif_reply r;
    ck_assert_int_eq(onvif_reply_parse(e, strlen(e), &r), 0);
    ck_assert(onvif_reply_is(&r, "GetDeviceInformation") == FALSE);
    ck_assert_str_eq((const char *)r.body->name, "GetDeviceInformation");
    onvif_reply_clear(&r);
    g_free(digest);
    g_free(e);
    /* No user: no header at all. */
    e = onvif_soap_envelope("<tds:GetSystemDateAndTime/>", "", "x", 0, nonce);
    ck_assert_ptr_null(strstr(e, "Security"));
    g_free(e);
}
END_TEST

START_TEST(bodies_escape_and_use_points)
{
    char *b = onvif_body_continuous_move("a&b", 0.5, -0.25, 1, 1500);
    ck_assert_str_eq(b, "<tptz:ContinuousMove><tptz:ProfileToken>a&amp;b</tptz:ProfileToken>"
                        "<tptz:Velocity><tt:PanTilt x=\"0.5000\" y=\"-0.2500\"/>"
                        "<tt:Zoom x=\"1.0000\"/></tptz:Velocity>"
                        "<tptz:Timeout>PT1.500S</tptz:Timeout></tptz:ContinuousMove>");
    g_free(b);
    b = onvif_body_set_preset("main", "Gerbang <Tol>", NULL);
    ck_assert_str_eq(b, "<tptz:SetPreset><tptz:ProfileToken>main</tptz:ProfileToken>"
                        "<tptz:PresetName>Gerbang &lt;Tol&gt;</tptz:PresetName></tptz:SetPreset>");
    g_free(b);
    b = onvif_body_move_to("RelativeMove", "main", 0.1, 0.2, 0);
    ck_assert_ptr_nonnull(strstr(b, "<tptz:Translation><tt:PanTilt x=\"0.1000\" y=\"0.2000\"/>"));
    g_free(b);
}
END_TEST

static const char fault12[] =
    "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
    "xmlns:ter=\"http://www.onvif.org/ver10/error\"><s:Body><s:Fault><s:Code><s:Value>s:Sender"
    "</s:Value><s:Subcode><s:Value>ter:NotAuthorized</s:Value></s:Subcode></s:Code><s:Reason>"
    "<s:Text xml:lang=\"en\">Sender not\x01 Authorized</s:Text></s:Reason></s:Fault></s:Body>"
    "</s:Envelope>";
static const char fault11[] =
    "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\">"
    "<SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>SOAP-ENV:Client</faultcode><faultstring>No such"
    " preset</faultstring></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>";

START_TEST(faults_both_soap_versions)
{
    onvif_reply r;
    /* \x01 is not allowed in XML 1.0: libxml2 refuses the whole document. */
    ck_assert_int_eq(onvif_reply_parse(fault12, sizeof fault12 - 1, &r), -1);
    char *fixed = g_strdup(fault12);
    *strchr(fixed, '\x01') = ' ';
    ck_assert_int_eq(onvif_reply_parse(fixed, strlen(fixed), &r), 0);
    ck_assert(r.fault);
    ck_assert(onvif_reply_is_auth_fault(&r));
    char *text = onvif_reply_fault_text(&r);
    ck_assert_str_eq(text, "s:Sender/ter:NotAuthorized: Sender not  Authorized");
    g_free(text);
    onvif_reply_clear(&r);
    g_free(fixed);
    ck_assert_int_eq(onvif_reply_parse(fault11, sizeof fault11 - 1, &r), 0);
    ck_assert(r.fault && !onvif_reply_is_auth_fault(&r));
    text = onvif_reply_fault_text(&r);
    ck_assert_str_eq(text, "SOAP-ENV:Client: No such preset");
    g_free(text);
    onvif_reply_clear(&r);
}
END_TEST

START_TEST(not_soap_is_refused)
{
    static const char *const bad[] = {
        "",
        "hello",
        "<html><body>404</body></html>",
        "<Envelope><Header/></Envelope>",
        "<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY a \"aaaa\">]><Envelope><Body><X>&a;</X>"
        "</Body></Envelope>",
        "<Envelope><Body>text only</Body></Envelope>"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        onvif_reply r;
        ck_assert_msg(onvif_reply_parse(bad[i], strlen(bad[i]), &r) == -1, "took %s", bad[i]);
        ck_assert_ptr_null(r.doc);
    }
}
END_TEST

START_TEST(profiles_and_uri_parse)
{
    static const char xml[] =
        "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\"><e:Body>"
        "<trt:GetProfilesResponse xmlns:trt=\"m\" xmlns:tt=\"s\">"
        "<trt:Profiles token=\"p1\"><tt:Name>Main</tt:Name><tt:VideoEncoderConfiguration>"
        "<tt:Encoding>H265</tt:Encoding><tt:Resolution><tt:Width>2560</tt:Width><tt:Height>1440"
        "</tt:Height></tt:Resolution></tt:VideoEncoderConfiguration><tt:PTZConfiguration/>"
        "</trt:Profiles><trt:Profiles><tt:Name>no token: skipped</tt:Name></trt:Profiles>"
        "<trt:Profiles token=\"p2\"><tt:Name>Sub</tt:Name></trt:Profiles>"
        "</trt:GetProfilesResponse></e:Body></e:Envelope>";
    onvif_reply r;
    const char *missing = NULL;
    onvif_profiles p;
    ck_assert_int_eq(onvif_reply_parse(xml, sizeof xml - 1, &r), 0);
    ck_assert(onvif_reply_is(&r, "GetProfiles"));
    ck_assert_int_eq(onvif_parse_profiles(r.body, &p, &missing), 0);
    ck_assert_uint_eq(p.n, 2);
    ck_assert_str_eq(p.items[0].token, "p1");
    ck_assert_str_eq(p.items[0].encoding, "H265");
    ck_assert_int_eq(p.items[0].width, 2560);
    ck_assert(p.items[0].ptz && !p.items[1].ptz);
    ck_assert_ptr_null(p.items[1].encoding);
    onvif_profiles_clear(&p);
    onvif_reply_clear(&r);
}
END_TEST

START_TEST(probe_matches_parse)
{
    static const char fmt[] =
        "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:w=\"a\" "
        "xmlns:d=\"d\"><e:Header><w:RelatesTo>%s</w:RelatesTo></e:Header><e:Body>"
        "<d:ProbeMatches><d:ProbeMatch><w:EndpointReference><w:Address>urn:uuid:1</w:Address>"
        "</w:EndpointReference><d:Scopes>onvif://www.onvif.org/name/Simpang%%20Lima "
        "onvif://www.onvif.org/hardware/DS-2DE4425IW</d:Scopes><d:XAddrs>"
        "http://[fe80::1]/onvif/device_service http://10.0.0.5/onvif/device_service</d:XAddrs>"
        "</d:ProbeMatch><d:ProbeMatch><d:XAddrs>ftp://x</d:XAddrs></d:ProbeMatch>"
        "</d:ProbeMatches></e:Body></e:Envelope>";
    char *xml = g_strdup_printf(fmt, "uuid:mine");
    GArray *found = g_array_new(FALSE, TRUE, sizeof(onvif_found));
    ck_assert_int_eq(onvif_parse_probe_matches(xml, strlen(xml), "uuid:other", found), 0);
    ck_assert_int_eq(onvif_parse_probe_matches(xml, strlen(xml), "uuid:mine", found), 1);
    onvif_found *f = &g_array_index(found, onvif_found, 0);
    ck_assert_str_eq(f->endpoint, "urn:uuid:1");
    ck_assert_str_eq(f->xaddr, "http://[fe80::1]/onvif/device_service");
    ck_assert_str_eq(f->name, "Simpang Lima");
    ck_assert_str_eq(f->hardware, "DS-2DE4425IW");
    ck_assert_ptr_null(f->location);
    onvif_found_clear(f);
    g_array_free(found, TRUE);
    g_free(xml);
}
END_TEST

START_TEST(printable_cleans_and_cuts)
{
    char *s = cctv_printable("a\x01"
                             "b\n\xff",
                             300);
    ck_assert_str_eq(s, "a?b?\xef\xbf\xbd");
    g_free(s);
    GString *long_text = g_string_new(NULL);
    for (int i = 0; i < 200; i++)
        g_string_append(long_text, "é");
    s = cctv_printable(long_text->str, 300);
    ck_assert_uint_le(strlen(s), 300);
    ck_assert(g_str_has_suffix(s, "…"));
    ck_assert(g_utf8_validate(s, -1, NULL));
    g_free(s);
    g_string_free(long_text, TRUE);
    ck_assert_ptr_null(cctv_printable(NULL, 10));
}
END_TEST

START_TEST(client_addresses)
{
    GError *err = NULL;
    onvif_client *c = onvif_client_new("10.0.0.5", "u", "p", &err);
    ck_assert_str_eq(onvif_client_host(c), "10.0.0.5:80");
    onvif_client_free(c);
    c = onvif_client_new("http://admin:secret@10.0.0.5:8080/", "u", "p", &err);
    ck_assert_str_eq(onvif_client_host(c), "10.0.0.5:8080");
    onvif_client_free(c);
    c = onvif_client_new("rtsp://10.0.0.5/", "u", "secret", &err);
    ck_assert_ptr_null(c);
    ck_assert_int_eq(err->code, ONVIF_ERROR_INVALID);
    g_clear_error(&err);
    c = onvif_client_new("http:///x", "u", "p", &err);
    ck_assert_ptr_null(c);
    g_clear_error(&err);
}
END_TEST

/* ---- device ---- */

START_TEST(device_with_ptz)
{
    rig r;
    rig_start(&r, NULL);
    DO(&r, onvif_get_device(r.c, on_device, W));
    const onvif_device_info *i = &r.w.info;
    ck_assert_str_eq(i->manufacturer, "Pantau");
    ck_assert_str_eq(i->model, "pantau-test-onvif");
    ck_assert(i->has_ptz && i->ptz_continuous && i->ptz_relative);
    ck_assert(i->ptz_absolute && i->ptz_zoom && !i->ptz_home);
    ck_assert_int_eq(i->max_presets, 32);
    ck_assert(llabs(i->clock_offset_s) <= 1);
    rig_stop(&r);
}
END_TEST

START_TEST(device_without_ptz)
{
    const char *args[] = {"--no-ptz", NULL};
    rig r;
    rig_start(&r, args);
    DO(&r, onvif_get_device(r.c, on_device, W));
    ck_assert(!r.w.info.has_ptz && !r.w.info.ptz_relative);
    onvif_ptz_stop(r.c, "main", on_done, next(&r));
    fails(&r, ONVIF_ERROR_UNSUPPORTED, "has no PTZ service");
    rig_stop(&r);
}
END_TEST

START_TEST(device_without_relative_moves)
{
    const char *args[] = {"--no-relative", NULL};
    rig r;
    rig_start(&r, args);
    DO(&r, onvif_get_device(r.c, on_device, W));
    ck_assert(r.w.info.has_ptz && r.w.info.ptz_continuous && !r.w.info.ptz_relative);
    onvif_ptz_relative_move(r.c, "main", 0.1, 0, 0, on_done, next(&r));
    fails(&r, ONVIF_ERROR_FAULT, "refused RelativeMove: env:Receiver/ter:ActionNotSupported");
    rig_stop(&r);
}
END_TEST

/* ---- profiles ---- */

START_TEST(profiles_and_stream_uris)
{
    rig r;
    rig_start(&r, NULL);
    /* The form WS-Discovery gives. */
    char url[128];
    snprintf(url, sizeof url, "http://%s/onvif/device_service", r.d.address);
    onvif_client_free(r.c);
    r.c = onvif_client_new(url, USER, PASSWORD, NULL);
    DO(&r, onvif_get_profiles(r.c, on_profiles, W));
    const onvif_profiles *p = &r.w.profiles;
    ck_assert_uint_eq(p->n, 2);
    ck_assert_int_eq(p->main, 0);
    ck_assert_int_eq(p->sub, 1);
    const onvif_profile *m = &p->items[0], *s = &p->items[1];
    ck_assert_str_eq(m->token, "main");
    ck_assert_str_eq(m->uri, MAIN_URI);
    ck_assert_str_eq(s->uri, SUB_URI);
    ck_assert_str_eq(m->encoding, "H264");
    ck_assert_int_eq(m->width, 1280);
    ck_assert_int_eq(s->height, 360);
    ck_assert(m->ptz && s->ptz);
    rig_stop(&r);
}
END_TEST

START_TEST(one_profile_has_no_sub)
{
    /* Without --sub-uri, the device has the main profile only. */
    rig r = {0};
    r.d.port = free_port(G_SOCKET_TYPE_STREAM);
    char port[16];
    snprintf(port, sizeof port, "%d", r.d.port);
    snprintf(r.d.address, sizeof r.d.address, "127.0.0.1:%d", r.d.port);
    const char *args[] = {"--port", port, "--user", USER, "--password", PASSWORD, NULL};
    r.d.proc = test_rtsp_server_start(ONVIF_DEVICE_BIN, args);
    rig_client(&r, PASSWORD);
    DO(&r, onvif_get_profiles(r.c, on_profiles, W));
    ck_assert_uint_eq(r.w.profiles.n, 1);
    ck_assert_int_eq(r.w.profiles.main, 0);
    ck_assert_int_eq(r.w.profiles.sub, -1);
    rig_stop(&r);
}
END_TEST

/* ---- auth ---- */

START_TEST(wrong_password)
{
    rig r;
    rig_start(&r, NULL);
    rig_client(&r, "not-" PASSWORD);
    onvif_get_profiles(r.c, on_profiles, next(&r));
    fails(&r, ONVIF_ERROR_AUTH, "check username and password: camera 127.0.0.1:");
    ck_assert_ptr_nonnull(strstr(r.w.err->message, "ter:NotAuthorized"));
    json_t *st = device_state(&r.d);
    /* Refused, the clock asked again, refused again. */
    ck_assert_int_eq((int)state_num(st, "auth_failures"), 2);
    ck_assert_str_eq(json_string_value(json_object_get(st, "last_auth_failure")), "wrong digest");
    json_decref(st);
    rig_stop(&r);
}
END_TEST

START_TEST(camera_clock_far_off)
{
    /* Two hours behind and a 30 s window: Created must be on its clock. */
    const char *args[] = {"--clock-offset", "-7200", "--max-skew", "30", NULL};
    rig r;
    rig_start(&r, args);
    DO(&r, onvif_get_device(r.c, on_device, W));
    gint64 offset = r.w.info.clock_offset_s;
    ck_assert_msg(llabs(offset + 7200) <= 1, "offset %" G_GINT64_FORMAT, offset);
    json_t *st = device_state(&r.d);
    ck_assert_int_eq((int)state_num(st, "auth_failures"), 0);
    json_decref(st);
    rig_stop(&r);
}
END_TEST

/* POSTs envelope to the device service; the answer's body, status in *status. */
static char *post_envelope(const device *d, const char *envelope, guint *status)
{
    char url[128];
    snprintf(url, sizeof url, "http://%s/onvif/device_service", d->address);
    SoupSession *s = soup_session_new();
    SoupMessage *m = soup_message_new("POST", url);
    GBytes *body = g_bytes_new(envelope, strlen(envelope));
    soup_message_set_request_body_from_bytes(m, "application/soap+xml; charset=utf-8", body);
    GBytes *b = soup_session_send_and_read(s, m, NULL, NULL);
    *status = soup_message_get_status(m);
    char *text = g_strndup(g_bytes_get_data(b, NULL), g_bytes_get_size(b));
    g_bytes_unref(b);
    g_bytes_unref(body);
    g_object_unref(m);
    g_object_unref(s);
    return text;
}

/* Posts an envelope made with password at created (unix seconds) and
 * nonce; asserts the answer, and the device's last refusal when refused. */
static void post_and_expect(const device *d, const char *password, gint64 created,
                            const guint8 nonce[16], const char *refusal)
{
    char *e = onvif_soap_envelope("<tds:GetDeviceInformation/>", USER, password, created, nonce);
    guint status = 0;
    char *answer = post_envelope(d, e, &status);
    if (!refusal) {
        ck_assert_msg(status == 200 && strstr(answer, "GetDeviceInformationResponse"), "%u %s",
                      status, answer);
    } else {
        ck_assert_msg(status == 400 && strstr(answer, "ter:NotAuthorized"), "%u %s", status,
                      answer);
        json_t *st = device_state(d);
        ck_assert_str_eq(json_string_value(json_object_get(st, "last_auth_failure")), refusal);
        json_decref(st);
    }
    g_free(answer);
    g_free(e);
}

/* Posts body without a UsernameToken; asserts the status and a part of the answer. */
static void post_anonymous(const device *d, const char *body, guint want, const char *part)
{
    guint8 nonce[16] = {0};
    char *e = onvif_soap_envelope(body, NULL, NULL, 0, nonce);
    guint status = 0;
    char *answer = post_envelope(d, e, &status);
    ck_assert_msg(status == want && strstr(answer, part), "%u %s", status, answer);
    g_free(answer);
    g_free(e);
}

START_TEST(device_refuses_replayed_and_wrong_digests)
{
    device d = device_start(NULL);
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;
    guint8 nonce[16] = "0123456789abcde";
    post_and_expect(&d, PASSWORD, now, nonce, NULL);
    post_and_expect(&d, PASSWORD, now, nonce, "nonce replayed");
    nonce[0] = 'x';
    post_and_expect(&d, "wrong", now, nonce, "wrong digest");
    nonce[0] = 'y';
    post_and_expect(&d, PASSWORD, now - 3600, nonce, "Created is outside the clock skew allowed");
    post_anonymous(&d, "<tds:GetDeviceInformation/>", 400, "no UsernameToken");
    /* GetSystemDateAndTime needs none. */
    post_anonymous(&d, "<tds:GetSystemDateAndTime/>", 200, "<tt:UTCDateTime>");
    device_stop(&d);
}
END_TEST

START_TEST(http_digest_camera)
{
    const char *args[] = {"--http-digest", NULL};
    rig r;
    rig_start(&r, args);
    DO(&r, onvif_get_profiles(r.c, on_profiles, W));
    ck_assert_str_eq(r.w.profiles.items[0].uri, MAIN_URI);
    rig_client(&r, "wrong");
    onvif_get_profiles(r.c, on_profiles, next(&r));
    fails(&r, ONVIF_ERROR_AUTH, "check username and password");
    ck_assert_ptr_nonnull(strstr(r.w.err->message, "HTTP 401"));
    rig_stop(&r);
}
END_TEST

/* ---- ptz ---- */

static onvif_ptz_status status_of(rig *r)
{
    DO(r, onvif_ptz_get_status(r->c, "main", on_status, W));
    ck_assert(r->w.status.has_position);
    return r->w.status;
}

START_TEST(continuous_move_then_stop)
{
    rig r;
    rig_start(&r, NULL);
    DO(&r, onvif_ptz_continuous_move(r.c, "main", 0.5, 0, 0, 0, on_done, W));
    run_for(400);
    DO(&r, onvif_ptz_stop(r.c, "main", on_done, W));
    json_t *st = device_state(&r.d);
    double pan = state_num(st, "pan");
    /* 0.2 and the time Stop took to arrive (long on a loaded machine). */
    ck_assert_msg(pan > 0.15 && pan < 0.95, "pan %f after 400 ms at 0.5", pan);
    ck_assert(json_is_false(json_object_get(st, "moving")));
    ck_assert_int_eq((int)state_num(st, "stops"), 1);
    ck_assert_str_eq(json_string_value(json_object_get(st, "last_command")), "Stop");
    json_decref(st);
    /* Where it stopped, it stays. */
    run_for(300);
    onvif_ptz_status s = status_of(&r);
    ck_assert(!s.moving);
    ck_assert_msg(fabs(s.pan - pan) < 0.0002, "pan %f, stopped at %f", s.pan, pan);
    rig_stop(&r);
}
END_TEST

START_TEST(camera_keeps_turning_until_stop)
{
    rig r;
    rig_start(&r, NULL);
    DO(&r, onvif_ptz_continuous_move(r.c, "main", 0, -0.5, 0.5, 0, on_done, W));
    onvif_ptz_status a = status_of(&r);
    run_for(250);
    onvif_ptz_status b = status_of(&r);
    ck_assert(a.moving && b.moving);
    ck_assert_msg(b.tilt < a.tilt - 0.05 && b.zoom > a.zoom + 0.05, "tilt %f -> %f, zoom %f -> %f",
                  a.tilt, b.tilt, a.zoom, b.zoom);
    DO(&r, onvif_ptz_stop(r.c, "main", on_done, W));
    /* Past a limit it stays at the limit. */
    DO(&r, onvif_ptz_absolute_move(r.c, "main", 0.95, 0, 0, on_done, W));
    DO(&r, onvif_ptz_continuous_move(r.c, "main", 1, 0, 0, 0, on_done, W));
    run_for(200);
    json_t *st = device_state(&r.d);
    ck_assert_double_eq(state_num(st, "pan"), 1);
    ck_assert(json_is_true(json_object_get(st, "moving")));
    json_decref(st);
    DO(&r, onvif_ptz_stop(r.c, "main", on_done, W));
    rig_stop(&r);
}
END_TEST

START_TEST(move_timeout_stops_the_camera)
{
    rig r;
    rig_start(&r, NULL);
    DO(&r, onvif_ptz_continuous_move(r.c, "main", 1, 0, 0, 200, on_done, W));
    run_for(500);
    json_t *st = device_state(&r.d);
    ck_assert(json_is_false(json_object_get(st, "moving")));
    double pan = state_num(st, "pan");
    ck_assert_msg(pan > 0.15 && pan < 0.3, "pan %f after a 200 ms move at 1", pan);
    ck_assert_int_eq((int)state_num(st, "stops"), 0);
    json_decref(st);
    rig_stop(&r);
}
END_TEST

typedef struct outcome {
    int ok, superseded, other;
} outcome;

static void count_outcome(void *user, const GError *err)
{
    outcome *o = user;
    if (!err)
        o->ok++;
    else if (err->code == ONVIF_ERROR_SUPERSEDED)
        o->superseded++;
    else
        o->other++;
}

START_TEST(stop_is_never_overtaken)
{
    /* A gamepad's stream of speeds and a release, all at once: the moves
     * waiting their turn give way, and Stop comes last. */
    rig r;
    rig_start(&r, NULL);
    outcome moves = {0};
    onvif_ptz_continuous_move(r.c, "main", 0.1, 0, 0, 0, count_outcome, &moves);
    /* One turn of the loop: the first move is on its way (the client's
     * idle source is the only one ready). */
    g_main_context_iteration(NULL, FALSE);
    for (int i = 2; i <= 10; i++)
        onvif_ptz_continuous_move(r.c, "main", i / 10.0, 0, 0, 0, count_outcome, &moves);
    DO(&r, onvif_ptz_stop(r.c, "main", on_done, W));
    ck_assert_int_eq(moves.ok, 1);
    ck_assert_int_eq(moves.other, 0);
    ck_assert_int_eq(moves.superseded, 9);
    json_t *st = device_state(&r.d);
    ck_assert(json_is_false(json_object_get(st, "moving")));
    ck_assert_int_eq((int)state_num(st, "continuous_moves"), 1);
    ck_assert_str_eq(json_string_value(json_object_get(st, "last_command")), "Stop");
    json_decref(st);
    rig_stop(&r);
}
END_TEST

START_TEST(relative_and_absolute_moves)
{
    rig r;
    rig_start(&r, NULL);
    DO(&r, onvif_ptz_absolute_move(r.c, "main", -0.5, 0.25, 0.5, on_done, W));
    DO(&r, onvif_ptz_relative_move(r.c, "main", 0.2, -0.5, 0.25, on_done, W));
    onvif_ptz_status s = status_of(&r);
    ck_assert_msg(fabs(s.pan + 0.3) < 1e-3 && fabs(s.tilt + 0.25) < 1e-3 &&
                      fabs(s.zoom - 0.75) < 1e-3,
                  "at %f %f %f", s.pan, s.tilt, s.zoom);
    /* Clamped to the limits. */
    DO(&r, onvif_ptz_relative_move(r.c, "main", -2, 0, 1, on_done, W));
    s = status_of(&r);
    ck_assert(s.pan == -1 && s.zoom == 1);
    json_t *st = device_state(&r.d);
    ck_assert_int_eq((int)state_num(st, "relative_moves"), 2);
    json_decref(st);
    rig_stop(&r);
}
END_TEST

/* ---- presets ---- */

START_TEST(presets_save_list_goto)
{
    rig r;
    rig_start(&r, NULL);
    DO(&r, onvif_ptz_absolute_move(r.c, "main", 0.4, -0.2, 0.3, on_done, W));
    DO(&r, onvif_ptz_set_preset(r.c, "main", "Gerbang Tol <Timur>", NULL, on_token, W));
    char *token = g_strdup(r.w.token);
    DO(&r, onvif_ptz_get_presets(r.c, "main", on_presets, W));
    const onvif_presets *p = &r.w.presets;
    ck_assert_uint_eq(p->n, 1);
    ck_assert_str_eq(p->items[0].token, token);
    ck_assert_str_eq(p->items[0].name, "Gerbang Tol <Timur>");
    ck_assert(p->items[0].has_position && fabs(p->items[0].pan - 0.4) < 1e-3);
    /* Away, and back. */
    DO(&r, onvif_ptz_absolute_move(r.c, "main", -0.9, 0.9, 0, on_done, W));
    DO(&r, onvif_ptz_goto_preset(r.c, "main", token, on_done, W));
    json_t *st = device_state(&r.d);
    ck_assert(fabs(state_num(st, "pan") - 0.4) < 1e-3 && fabs(state_num(st, "tilt") + 0.2) < 1e-3);
    json_decref(st);
    /* The same token saved again somewhere else. */
    DO(&r, onvif_ptz_absolute_move(r.c, "main", 0, 0.5, 0, on_done, W));
    DO(&r, onvif_ptz_set_preset(r.c, "main", NULL, token, on_token, W));
    ck_assert_str_eq(r.w.token, token);
    DO(&r, onvif_ptz_absolute_move(r.c, "main", 1, 1, 1, on_done, W));
    DO(&r, onvif_ptz_goto_preset(r.c, "main", token, on_done, W));
    onvif_ptz_status s = status_of(&r);
    ck_assert(fabs(s.tilt - 0.5) < 1e-3 && fabs(s.pan) < 1e-3);
    /* Removed, then unknown. */
    DO(&r, onvif_ptz_remove_preset(r.c, "main", token, on_done, W));
    onvif_ptz_goto_preset(r.c, "main", token, on_done, next(&r));
    fails(&r, ONVIF_ERROR_FAULT, "refused GotoPreset: env:Sender/ter:InvalidArgVal: no preset");
    onvif_ptz_goto_preset(r.c, "main", "", on_done, next(&r));
    fails(&r, ONVIF_ERROR_INVALID, "no preset token");
    g_free(token);
    rig_stop(&r);
}
END_TEST

/* ---- errors: absent and hostile cameras ---- */

/* A camera of this test on the same loop; the path picks its behaviour. */
static void on_hostile(SoupServer *server, SoupServerMessage *msg, const char *path,
                       GHashTable *query, gpointer data)
{
    (void)server, (void)query, (void)data;
    if (!strcmp(path, "/silent")) {
        soup_server_message_pause(msg);
        return;
    }
    const char *type = "application/soap+xml";
    char *body = NULL;
    guint status = 200;
    if (!strcmp(path, "/garbage")) {
        body = g_strdup("\x89PNG\r\n<<<not xml");
    } else if (!strcmp(path, "/html404")) {
        status = 404;
        type = "text/html";
        body = g_strdup("<html><body>Not Found</body></html>");
    } else if (!strcmp(path, "/echo")) {
        /* A fault that repeats the password and a URL with credentials. */
        status = 500;
        body = g_strdup_printf("<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\">"
                               "<e:Body><e:Fault><e:Code><e:Value>e:Receiver</e:Value></e:Code>"
                               "<e:Reason><e:Text>bad %s for rtsp://%s:%s@cam/</e:Text>"
                               "</e:Reason></e:Fault></e:Body></e:Envelope>",
                               PASSWORD, USER, PASSWORD);
    } else if (!strcmp(path, "/huge")) {
        GString *s = g_string_new("<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\">"
                                  "<e:Body><x>");
        while (s->len < 2 * 1024 * 1024)
            g_string_append(s, "padding padding padding padding ");
        body = g_string_free(s, FALSE);
    } else {
        status = 404;
        body = g_strdup("");
    }
    soup_server_message_set_status(msg, status, NULL);
    soup_server_message_set_response(msg, type, SOUP_MEMORY_TAKE, body, strlen(body));
}

static SoupServer *hostile_start(int *port)
{
    SoupServer *s = soup_server_new(NULL, NULL);
    soup_server_add_handler(s, NULL, on_hostile, NULL, NULL);
    ck_assert(soup_server_listen_local(s, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, NULL));
    GSList *uris = soup_server_get_uris(s);
    *port = g_uri_get_port(uris->data);
    g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
    return s;
}

/* get_profiles from the hostile camera's path; asserts the error. */
static void expect_profiles_error(int port, const char *path, unsigned timeout_ms,
                                  onvif_error_code code, const char *part)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    onvif_client *c = onvif_client_new(url, USER, PASSWORD, NULL);
    if (timeout_ms)
        onvif_client_set_timeout(c, timeout_ms);
    waiter w = {0};
    onvif_get_profiles(c, on_profiles, &w);
    wait_for(&w);
    assert_error(&w, code, part);
    waiter_clear(&w);
    onvif_client_free(c);
}

START_TEST(absent_and_hostile_cameras)
{
    int closed = free_port(G_SOCKET_TYPE_STREAM);
    char closed_path[16];
    snprintf(closed_path, sizeof closed_path, "/x");
    char want[96];
    snprintf(want, sizeof want, "cannot connect to camera 127.0.0.1:%d", closed);
    expect_profiles_error(closed, closed_path, 0, ONVIF_ERROR_UNREACHABLE, want);
    int port = 0;
    SoupServer *s = hostile_start(&port);
    expect_profiles_error(port, "/garbage", 0, ONVIF_ERROR_REPLY,
                          "answered GetCapabilities with something that is not SOAP XML");
    expect_profiles_error(port, "/html404", 0, ONVIF_ERROR_REPLY,
                          "answered GetCapabilities with HTTP 404 Not Found");
    expect_profiles_error(port, "/silent", 300, ONVIF_ERROR_UNREACHABLE,
                          "did not answer GetSystemDateAndTime in 300 ms");
    expect_profiles_error(port, "/echo", 0, ONVIF_ERROR_FAULT,
                          "refused GetCapabilities: e:Receiver: bad *** for rtsp://cam/");
    expect_profiles_error(port, "/huge", 0, ONVIF_ERROR_REPLY,
                          "answered GetSystemDateAndTime with more than 1024 KiB");
    g_object_unref(s);
}
END_TEST

static void free_client_in_callback(void *user, const GError *err)
{
    (void)err;
    onvif_client **c = user;
    onvif_client_free(*c);
    *c = NULL;
}

static void must_not_run(void *user, const GError *err)
{
    (void)user, (void)err;
    ck_abort_msg("a callback ran after onvif_client_free");
}

START_TEST(free_in_flight_and_in_callback)
{
    int port = 0;
    SoupServer *s = hostile_start(&port);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/silent", port);
    /* Freed with a request in flight and calls queued: no callback. */
    onvif_client *c = onvif_client_new(url, USER, PASSWORD, NULL);
    onvif_ptz_stop(c, "main", must_not_run, NULL);
    onvif_ptz_stop(c, "main", must_not_run, NULL);
    run_for(100);
    onvif_client_free(c);
    run_for(100);
    /* Freed inside the first of two callbacks: the second never runs. */
    rig r;
    rig_start(&r, NULL);
    onvif_ptz_stop(r.c, "main", free_client_in_callback, &r.c);
    onvif_ptz_stop(r.c, "main", must_not_run, NULL);
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (r.c && g_get_monotonic_time() < end)
        g_main_context_iteration(NULL, TRUE);
    ck_assert_ptr_null(r.c);
    run_for(100);
    rig_stop(&r);
    g_object_unref(s);
}
END_TEST

/* ---- discovery ---- */

/* Probes for a device answering on 127.0.0.1 and checks what is found; 0
 * when found, -1 when nothing answered. */
static int discover_on_loopback(void)
{
    int udp = free_port(G_SOCKET_TYPE_DATAGRAM);
    char where[32];
    snprintf(where, sizeof where, "127.0.0.1:%d", udp);
    const char *args[] = {"--discovery", where, "--name", "Simpang Lima", NULL};
    device d = device_start(args);
    waiter w = {0};
    onvif_discovery *disc = onvif_discover("127.0.0.1", (unsigned)udp, 1500, on_found, &w);
    wait_for(&w);
    assert_ok(&w);
    onvif_discovery_free(disc);
    int rc = -1;
    if (w.found->len) {
        ck_assert_uint_eq(w.found->len, 1);
        onvif_found *f = &g_array_index(w.found, onvif_found, 0);
        char want[96];
        snprintf(want, sizeof want, "http://%s/onvif/device_service", d.address);
        ck_assert_str_eq(f->xaddr, want);
        ck_assert_str_eq(f->name, "Simpang Lima");
        ck_assert_str_eq(f->hardware, "pantau-test-onvif");
        ck_assert(g_str_has_prefix(f->endpoint, "urn:uuid:"));
        /* Found, then read as "Add camera" does. */
        onvif_client *c = onvif_client_new(f->xaddr, USER, PASSWORD, NULL);
        waiter p = {0};
        onvif_get_profiles(c, on_profiles, &p);
        wait_for(&p);
        assert_ok(&p);
        ck_assert_str_eq(p.profiles.items[0].uri, MAIN_URI);
        waiter_clear(&p);
        onvif_client_free(c);
        json_t *st = device_state(&d);
        ck_assert_int_ge((int)state_num(st, "probes_answered"), 1);
        json_decref(st);
        rc = 0;
    }
    waiter_clear(&w);
    device_stop(&d);
    return rc;
}

/* Runs this program's TCase tcase in a new network namespace whose
 * loopback has multicast on; its exit status, 77 when no namespace can be
 * made here. */
static int run_in_netns(const char *tcase)
{
    char *self = g_file_read_link("/proc/self/exe", NULL);
    const char *probe[] = {"unshare", "-rn", "true", NULL};
    gint status = -1;
    if (!g_spawn_sync(NULL, (char **)probe, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                      &status, NULL) ||
        !g_spawn_check_wait_status(status, NULL)) {
        fprintf(stderr, "no network namespace here (unshare -rn failed)\n");
        g_free(self);
        return 77;
    }
    const char *argv[] = {
        "unshare", "-rn", "sh", "-c", "ip link set lo up multicast on && exec \"$0\" \"$1\"",
        self,      tcase, NULL};
    char **env = g_environ_setenv(g_get_environ(), NETNS_ENV, "1", TRUE);
    gboolean ran =
        g_spawn_sync(NULL, (char **)argv, env, G_SPAWN_SEARCH_PATH | G_SPAWN_CHILD_INHERITS_STDIN,
                     NULL, NULL, NULL, NULL, &status, NULL);
    g_strfreev(env);
    g_free(self);
    if (!ran)
        return 1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

START_TEST(discovery_finds_the_device)
{
    if (discover_on_loopback() == 0)
        return;
    ck_assert_msg(!getenv(NETNS_ENV), "nothing answered on loopback inside the namespace");
    /* Loopback multicast does not work in this network namespace: in a
     * namespace of our own, then. */
    fprintf(stderr, "discovery: nothing on loopback multicast here; trying a namespace\n");
    ck_assert_int_eq(run_in_netns("discovery"), 0);
}
END_TEST

START_TEST(discovery_errors)
{
    waiter w = {0};
    onvif_discovery *d = onvif_discover("eth0", 0, 100, on_found, &w);
    wait_for(&w);
    assert_error(&w, ONVIF_ERROR_INVALID, "not an IPv4 interface address: \"eth0\"");
    waiter_clear(&w);
    onvif_discovery_free(d);
    /* Nobody there: an empty list, not an error. */
    int udp = free_port(G_SOCKET_TYPE_DATAGRAM);
    d = onvif_discover("127.0.0.1", (unsigned)udp, 300, on_found, &w);
    wait_for(&w);
    assert_ok(&w);
    ck_assert_uint_eq(w.found->len, 0);
    waiter_clear(&w);
    onvif_discovery_free(d);
    /* Freed before the end: no callback. */
    d = onvif_discover("127.0.0.1", (unsigned)udp, 100, on_found, &w);
    onvif_discovery_free(d);
    run_for(200);
    ck_assert(!w.done);
}
END_TEST

static Suite *onvif_suite(void)
{
    Suite *s = suite_create("onvif");
    struct {
        const char *name;
        const TTest *tests[8];
    } cases[] = {
        {"soap",
         {digest_matches_the_onvif_guide, envelope_carries_a_digest_not_the_password,
          bodies_escape_and_use_points, faults_both_soap_versions, not_soap_is_refused,
          profiles_and_uri_parse, probe_matches_parse, printable_cleans_and_cuts}},
        {"device",
         {device_with_ptz, device_without_ptz, device_without_relative_moves, client_addresses}},
        {"profiles", {profiles_and_stream_uris, one_profile_has_no_sub}},
        {"auth",
         {wrong_password, camera_clock_far_off, device_refuses_replayed_and_wrong_digests,
          http_digest_camera}},
        {"ptz",
         {continuous_move_then_stop, camera_keeps_turning_until_stop, move_timeout_stops_the_camera,
          stop_is_never_overtaken, relative_and_absolute_moves}},
        {"presets", {presets_save_list_goto}},
        {"errors", {absent_and_hostile_cameras, free_in_flight_and_in_callback}},
        {"discovery", {discovery_finds_the_device, discovery_errors}},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_set_timeout(tc, 50);
        for (size_t j = 0; j < G_N_ELEMENTS(cases[i].tests) && cases[i].tests[j]; j++)
            tcase_add_test(tc, cases[i].tests[j]);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(int argc, char **argv)
{
    /* discovery_netns: the discovery case, always in a network namespace
     * of its own (the TCase named in CMake; not in the suite). */
    if (argc > 1 && !strcmp(argv[1], "discovery_netns") && !getenv(NETNS_ENV))
        return run_in_netns("discovery");
    return pt_check_run(onvif_suite(), argc, argv);
}
