/* pantau-test-onvif - an ONVIF test camera: a real HTTP/SOAP server with the
 * Profile S subset pantau uses, for the ONVIF client's tests (and the
 * console's, later).
 *
 *   pantau-test-onvif --port N [--address A] [--user U --password P]
 *       [--main-uri rtsp://...] [--sub-uri rtsp://...] [--no-ptz]
 *       [--no-relative] [--discovery ADDR[:PORT]] [--clock-offset S]
 *       [--max-skew S] [--http-digest] [--name NAME]
 *
 * Services (POST, SOAP 1.2), at /onvif/device_service, /onvif/media_service
 * and /onvif/ptz_service:
 *   device  GetSystemDateAndTime (no credentials needed), GetCapabilities,
 *           GetServices, GetDeviceInformation
 *   media   GetProfiles (a main and, with --sub-uri, a sub profile),
 *           GetStreamUri (the URIs given)
 *   PTZ     GetNodes, GetConfigurations, ContinuousMove (with Timeout),
 *           Stop, RelativeMove (not with --no-relative), AbsoluteMove,
 *           GetStatus, GetPresets, SetPreset, GotoPreset, RemovePreset
 *
 * Every request but GetSystemDateAndTime must carry a WS-Security
 * UsernameToken with PasswordDigest = Base64(SHA1(nonce + created +
 * password)), Created within --max-skew seconds (default 60) of the
 * device's clock (the host's plus --clock-offset), and a nonce not seen
 * before; anything else is answered with a SOAP fault ter:NotAuthorized
 * (HTTP 400). With --http-digest the services want HTTP Digest instead.
 * Without --user nothing is checked.
 *
 * The PTZ position (pan and tilt -1..1, zoom 0..1) moves with the
 * ContinuousMove velocities (1.0 is one unit a second) until Stop, the
 * move's Timeout, or a limit: a camera that keeps turning is visible.
 * GET /state answers JSON: the position, velocity, moving, counts of every
 * command, the last command and when (ms since the device started), and
 * the last authentication failure.
 *
 * --discovery ADDR[:PORT] joins 239.255.255.250 on the interface with
 * address ADDR (or named ADDR, e.g. lo) and answers WS-Discovery Probes
 * (port 3702 by default) with a ProbeMatch carrying its XAddrs.
 *
 * Prints "onvif: ready on http://ADDRESS:N/onvif/device_service" once
 * listening; exits cleanly on SIGTERM/SIGINT.
 *
 * The digest is computed here on its own, not with the client's
 * onvif_wsse_digest(), so that a mistake there cannot hide itself. */
#include <arpa/inet.h>
#include <glib-unix.h>
#include <ifaddrs.h>
#include <libsoup/soup.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NS_DECL                                                                                    \
    "xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\" "                                       \
    "xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\" "                                        \
    "xmlns:trt=\"http://www.onvif.org/ver10/media/wsdl\" "                                         \
    "xmlns:tptz=\"http://www.onvif.org/ver20/ptz/wsdl\" "                                          \
    "xmlns:tt=\"http://www.onvif.org/ver10/schema\" "                                              \
    "xmlns:ter=\"http://www.onvif.org/ver10/error\""
#define GENERIC "http://www.onvif.org/ver10/tptz/"
#define MAX_PRESETS 32
#define MAX_BODY (256 * 1024)

/* ---- options ---- */

static int opt_port = 8000;
static char *opt_address = "127.0.0.1";
static char *opt_user = "";
static char *opt_password = "";
static char *opt_main_uri = "rtsp://127.0.0.1:8554/main";
static char *opt_sub_uri = NULL;
static gboolean opt_ptz = TRUE;
static gboolean opt_no_ptz = FALSE;
static gboolean opt_no_relative = FALSE;
static char *opt_discovery = NULL;
static int opt_clock_offset = 0;
static int opt_max_skew = 60;
static gboolean opt_http_digest = FALSE;
static char *opt_name = "Pantau Test Camera";

static GOptionEntry entries[] = {
    {"port", 0, 0, G_OPTION_ARG_INT, &opt_port, "HTTP port (0: any free one)", "N"},
    {"address", 0, 0, G_OPTION_ARG_STRING, &opt_address, "address to listen on", "A"},
    {"user", 0, 0, G_OPTION_ARG_STRING, &opt_user, "user name (none: no authentication)", "U"},
    {"password", 0, 0, G_OPTION_ARG_STRING, &opt_password, "password", "P"},
    {"main-uri", 0, 0, G_OPTION_ARG_STRING, &opt_main_uri, "main profile stream URI", "URI"},
    {"sub-uri", 0, 0, G_OPTION_ARG_STRING, &opt_sub_uri, "sub profile stream URI", "URI"},
    {"ptz", 0, 0, G_OPTION_ARG_NONE, &opt_ptz, "a PTZ service (the default)", NULL},
    {"no-ptz", 0, 0, G_OPTION_ARG_NONE, &opt_no_ptz, "no PTZ service", NULL},
    {"no-relative", 0, 0, G_OPTION_ARG_NONE, &opt_no_relative, "no RelativeMove", NULL},
    {"discovery", 0, 0, G_OPTION_ARG_STRING, &opt_discovery, "answer WS-Discovery there",
     "ADDR[:PORT]"},
    {"clock-offset", 0, 0, G_OPTION_ARG_INT, &opt_clock_offset, "device clock minus host's", "S"},
    {"max-skew", 0, 0, G_OPTION_ARG_INT, &opt_max_skew, "largest Created skew accepted", "S"},
    {"http-digest", 0, 0, G_OPTION_ARG_NONE, &opt_http_digest, "HTTP Digest, not WS-Security",
     NULL},
    {"name", 0, 0, G_OPTION_ARG_STRING, &opt_name, "name in the discovery scopes", "NAME"},
    {NULL, 0, 0, 0, NULL, NULL, NULL}};

/* ---- state ---- */

enum { PAN, TILT, ZOOM };
static const double pos_lo[3] = {-1, -1, 0}, pos_hi[3] = {1, 1, 1};

typedef struct preset {
    char token[32];
    char *name;
    double pos[3];
} preset;

static struct {
    double pos[3];   /* at since_us */
    double vel[3];   /* units a second */
    gint64 since_us; /* monotonic */
    gint64 until_us; /* a ContinuousMove Timeout ends then; 0: none */
    preset presets[MAX_PRESETS];
    int n_presets;
    int next_preset;
} ptz;

static struct {
    unsigned requests, continuous_moves, stops, relative_moves, absolute_moves;
    unsigned goto_presets, set_presets, remove_presets, status_reads, auth_failures, probes;
    char last_command[40];
    gint64 last_command_us, last_move_us, last_stop_us;
    char *last_auth_failure;
} seen;

static gint64 started_us;
static GHashTable *nonces; /* base64 nonce -> expiry (monotonic us) */
static char *device_uuid;
static char *listen_host; /* host:port the XAddrs name when the request has no Host */

static gint64 device_now_s(void)
{
    return g_get_real_time() / G_USEC_PER_SEC + opt_clock_offset;
}

/* Brings ptz.pos up to now: the velocity applied up to the move's
 * Timeout, clamped at the limits. */
static void ptz_settle(void)
{
    gint64 now = g_get_monotonic_time();
    gint64 end = ptz.until_us && ptz.until_us < now ? ptz.until_us : now;
    double dt = end > ptz.since_us ? (double)(end - ptz.since_us) / G_USEC_PER_SEC : 0;
    for (int i = 0; i < 3; i++)
        ptz.pos[i] = CLAMP(ptz.pos[i] + ptz.vel[i] * dt, pos_lo[i], pos_hi[i]);
    if (ptz.until_us && ptz.until_us <= now) {
        memset(ptz.vel, 0, sizeof ptz.vel);
        ptz.until_us = 0;
    }
    ptz.since_us = now;
}

static gboolean ptz_moving(void)
{
    return ptz.vel[PAN] != 0 || ptz.vel[TILT] != 0 || ptz.vel[ZOOM] != 0;
}

static void ptz_set(const double pos[3])
{
    ptz_settle();
    for (int i = 0; i < 3; i++)
        ptz.pos[i] = CLAMP(pos[i], pos_lo[i], pos_hi[i]);
    memset(ptz.vel, 0, sizeof ptz.vel);
    ptz.until_us = 0;
}

/* ---- XML of a request (XPath by local name) ---- */

typedef struct req {
    xmlDoc *doc;
    xmlXPathContext *xp;
    xmlNode *op; /* the first element in Body */
    char *host;  /* for XAddrs */
} req;

/* "A/B/@c" as an XPath of local names below the context node. */
static char *local_xpath(const char *path)
{
    GString *x = g_string_new(NULL);
    char **parts = g_strsplit(path, "/", -1);
    for (char **p = parts; *p; p++) {
        if (x->len)
            g_string_append_c(x, '/');
        if (**p == '@')
            g_string_append(x, *p);
        else
            g_string_append_printf(x, "*[local-name()='%s']", *p);
    }
    g_strfreev(parts);
    return g_string_free(x, FALSE);
}

/* The string value at path below at, g_malloc'd, or NULL when absent. */
static char *xp_text(const req *q, xmlNode *at, const char *path)
{
    char *x = local_xpath(path);
    xmlXPathObject *o = xmlXPathNodeEval(at, (const xmlChar *)x, q->xp);
    g_free(x);
    char *s = NULL;
    if (o && o->type == XPATH_NODESET && o->nodesetval && o->nodesetval->nodeNr > 0) {
        xmlChar *v = xmlNodeGetContent(o->nodesetval->nodeTab[0]);
        s = g_strstrip(g_strdup(v ? (const char *)v : ""));
        xmlFree(v);
    }
    xmlXPathFreeObject(o);
    return s;
}

static gboolean xp_double(const req *q, const char *path, double *out)
{
    char *s = xp_text(q, q->op, path);
    char *end = NULL;
    double v = s ? g_ascii_strtod(s, &end) : 0;
    gboolean ok = s && end != s && *end == '\0' && isfinite(v);
    g_free(s);
    if (ok)
        *out = v;
    return ok;
}

/* ---- answers ---- */

typedef struct fault {
    guint status;
    const char *code; /* env:Sender, env:Receiver */
    const char *subcode;
    char *reason;
} fault;

static char *fail(fault *f, const char *code, const char *subcode, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
static char *fail(fault *f, const char *code, const char *subcode, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    f->status = 400;
    f->code = code;
    f->subcode = subcode;
    f->reason = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return NULL;
}

static void respond(SoupServerMessage *msg, guint status, const char *body)
{
    char *env = g_strdup_printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<env:Envelope " NS_DECL
                                "><env:Body>%s</env:Body></env:Envelope>",
                                body);
    soup_server_message_set_status(msg, status, NULL);
    soup_server_message_set_response(msg, "application/soap+xml; charset=utf-8", SOUP_MEMORY_TAKE,
                                     env, strlen(env));
}

static void respond_fault(SoupServerMessage *msg, const fault *f)
{
    char *reason = g_markup_escape_text(f->reason ? f->reason : "", -1);
    char *body = g_strdup_printf(
        "<env:Fault><env:Code><env:Value>%s</env:Value><env:Subcode><env:Value>%s</env:Value>"
        "</env:Subcode></env:Code><env:Reason><env:Text xml:lang=\"en\">%s</env:Text>"
        "</env:Reason></env:Fault>",
        f->code, f->subcode, reason);
    respond(msg, f->status, body);
    g_free(body);
    g_free(reason);
}

static void note(const char *command)
{
    g_strlcpy(seen.last_command, command, sizeof seen.last_command);
    seen.last_command_us = g_get_monotonic_time();
}

static const char *num(char buf[G_ASCII_DTOSTR_BUF_SIZE], double v)
{
    return g_ascii_formatd(buf, G_ASCII_DTOSTR_BUF_SIZE, "%.4f", v);
}

static char *position_xml(const char *element, const double pos[3])
{
    char p[G_ASCII_DTOSTR_BUF_SIZE], t[G_ASCII_DTOSTR_BUF_SIZE], z[G_ASCII_DTOSTR_BUF_SIZE];
    return g_strdup_printf(
        "<tt:%s><tt:PanTilt x=\"%s\" y=\"%s\" space=\"" GENERIC
        "PanTiltSpaces/PositionGenericSpace\"/><tt:Zoom x=\"%s\" space=\"" GENERIC
        "ZoomSpaces/PositionGenericSpace\"/></tt:%s>",
        element, num(p, pos[PAN]), num(t, pos[TILT]), num(z, pos[ZOOM]), element);
}

/* ---- device service ---- */

static char *op_date_time(const req *q, fault *f)
{
    (void)q, (void)f;
    GDateTime *t = g_date_time_new_from_unix_utc(device_now_s());
    char *body = g_strdup_printf(
        "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
        "<tt:DateTimeType>Manual</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>"
        "<tt:TimeZone><tt:TZ>UTC0</tt:TZ></tt:TimeZone><tt:UTCDateTime><tt:Time><tt:Hour>%d"
        "</tt:Hour><tt:Minute>%d</tt:Minute><tt:Second>%d</tt:Second></tt:Time><tt:Date>"
        "<tt:Year>%d</tt:Year><tt:Month>%d</tt:Month><tt:Day>%d</tt:Day></tt:Date>"
        "</tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>",
        g_date_time_get_hour(t), g_date_time_get_minute(t), g_date_time_get_second(t),
        g_date_time_get_year(t), g_date_time_get_month(t), g_date_time_get_day_of_month(t));
    g_date_time_unref(t);
    return body;
}

static gboolean has_ptz(void)
{
    return opt_ptz && !opt_no_ptz;
}

static char *op_capabilities(const req *q, fault *f)
{
    (void)f;
    char *ptz_part = has_ptz() ? g_strdup_printf("<tt:PTZ><tt:XAddr>http://%s/onvif/ptz_service"
                                                 "</tt:XAddr></tt:PTZ>",
                                                 q->host)
                               : g_strdup("");
    char *body = g_strdup_printf(
        "<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>"
        "http://%s/onvif/device_service</tt:XAddr></tt:Device><tt:Media><tt:XAddr>"
        "http://%s/onvif/media_service</tt:XAddr><tt:StreamingCapabilities><tt:RTPMulticast>"
        "false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true"
        "</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>%s</tds:Capabilities>"
        "</tds:GetCapabilitiesResponse>",
        q->host, q->host, ptz_part);
    g_free(ptz_part);
    return body;
}

static char *op_services(const req *q, fault *f)
{
    (void)f;
    GString *s = g_string_new("<tds:GetServicesResponse>");
    static const char *const svc[][2] = {{"http://www.onvif.org/ver10/device/wsdl", "device"},
                                         {"http://www.onvif.org/ver10/media/wsdl", "media"},
                                         {"http://www.onvif.org/ver20/ptz/wsdl", "ptz"}};
    for (int i = 0; i < (has_ptz() ? 3 : 2); i++)
        g_string_append_printf(s,
                               "<tds:Service><tds:Namespace>%s</tds:Namespace><tds:XAddr>"
                               "http://%s/onvif/%s_service</tds:XAddr><tds:Version><tt:Major>2"
                               "</tt:Major><tt:Minor>0</tt:Minor></tds:Version></tds:Service>",
                               svc[i][0], q->host, svc[i][1]);
    g_string_append(s, "</tds:GetServicesResponse>");
    return g_string_free(s, FALSE);
}

static char *op_device_info(const req *q, fault *f)
{
    (void)q, (void)f;
    return g_strdup_printf("<tds:GetDeviceInformationResponse><tds:Manufacturer>Pantau"
                           "</tds:Manufacturer><tds:Model>pantau-test-onvif</tds:Model>"
                           "<tds:FirmwareVersion>1.0</tds:FirmwareVersion><tds:SerialNumber>"
                           "PTO-%d</tds:SerialNumber><tds:HardwareId>pantau-test-onvif"
                           "</tds:HardwareId></tds:GetDeviceInformationResponse>",
                           opt_port);
}

/* ---- media service ---- */

static const char *uri_of(const char *token)
{
    if (!g_strcmp0(token, "main"))
        return opt_main_uri;
    if (!g_strcmp0(token, "sub"))
        return opt_sub_uri;
    return NULL;
}

static char *profile_xml(const char *token, const char *name, int w, int h)
{
    char *ptz_conf = has_ptz() ? g_strdup("<tt:PTZConfiguration token=\"ptz0\"><tt:Name>PTZ"
                                          "</tt:Name><tt:UseCount>2</tt:UseCount><tt:NodeToken>"
                                          "node0</tt:NodeToken></tt:PTZConfiguration>")
                               : g_strdup("");
    char *xml = g_strdup_printf(
        "<trt:Profiles token=\"%s\" fixed=\"true\"><tt:Name>%s</tt:Name>"
        "<tt:VideoSourceConfiguration token=\"vsc0\"><tt:Name>video</tt:Name><tt:UseCount>2"
        "</tt:UseCount><tt:SourceToken>video0</tt:SourceToken><tt:Bounds x=\"0\" y=\"0\" "
        "width=\"1280\" height=\"720\"/></tt:VideoSourceConfiguration>"
        "<tt:VideoEncoderConfiguration token=\"vec-%s\"><tt:Name>%s</tt:Name><tt:UseCount>1"
        "</tt:UseCount><tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>%d</tt:Width>"
        "<tt:Height>%d</tt:Height></tt:Resolution><tt:Quality>5</tt:Quality>"
        "</tt:VideoEncoderConfiguration>%s</trt:Profiles>",
        token, name, token, name, w, h, ptz_conf);
    g_free(ptz_conf);
    return xml;
}

static char *op_profiles(const req *q, fault *f)
{
    (void)q, (void)f;
    char *main_p = profile_xml("main", "mainStream", 1280, 720);
    char *sub_p = opt_sub_uri ? profile_xml("sub", "subStream", 640, 360) : g_strdup("");
    char *body =
        g_strdup_printf("<trt:GetProfilesResponse>%s%s</trt:GetProfilesResponse>", main_p, sub_p);
    g_free(sub_p);
    g_free(main_p);
    return body;
}

static char *op_stream_uri(const req *q, fault *f)
{
    char *token = xp_text(q, q->op, "ProfileToken");
    const char *uri = uri_of(token);
    if (!uri) {
        fail(f, "env:Sender", "ter:InvalidArgVal", "no profile \"%s\"", token ? token : "");
        g_free(token);
        return NULL;
    }
    g_free(token);
    char *escaped = g_markup_escape_text(uri, -1);
    char *body = g_strdup_printf("<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>%s</tt:Uri>"
                                 "<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>"
                                 "<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot>"
                                 "<tt:Timeout>PT0S</tt:Timeout></trt:MediaUri>"
                                 "</trt:GetStreamUriResponse>",
                                 escaped);
    g_free(escaped);
    return body;
}

/* ---- PTZ service ---- */

/* The request's profile is one with PTZ; else a fault. */
static gboolean ptz_profile(const req *q, fault *f)
{
    char *token = xp_text(q, q->op, "ProfileToken");
    gboolean ok = uri_of(token) != NULL;
    if (!ok)
        fail(f, "env:Sender", "ter:InvalidArgVal", "no profile \"%s\"", token ? token : "");
    g_free(token);
    return ok;
}

static char *op_nodes(const req *q, fault *f)
{
    (void)q, (void)f;
    const char *range = "<tt:XRange><tt:Min>-1</tt:Min><tt:Max>1</tt:Max></tt:XRange>"
                        "<tt:YRange><tt:Min>-1</tt:Min><tt:Max>1</tt:Max></tt:YRange>";
    const char *zrange = "<tt:XRange><tt:Min>0</tt:Min><tt:Max>1</tt:Max></tt:XRange>";
    char *relative = opt_no_relative
                         ? g_strdup("")
                         : g_strdup_printf("<tt:RelativePanTiltTranslationSpace><tt:URI>" GENERIC
                                           "PanTiltSpaces/TranslationGenericSpace</tt:URI>%s"
                                           "</tt:RelativePanTiltTranslationSpace>"
                                           "<tt:RelativeZoomTranslationSpace><tt:URI>" GENERIC
                                           "ZoomSpaces/TranslationGenericSpace</tt:URI>%s"
                                           "</tt:RelativeZoomTranslationSpace>",
                                           range, zrange);
    char *body = g_strdup_printf(
        "<tptz:GetNodesResponse><tptz:PTZNode token=\"node0\" FixedHomePosition=\"false\">"
        "<tt:Name>PTZ</tt:Name><tt:SupportedPTZSpaces>"
        "<tt:AbsolutePanTiltPositionSpace><tt:URI>" GENERIC
        "PanTiltSpaces/PositionGenericSpace</tt:URI>%s</tt:AbsolutePanTiltPositionSpace>"
        "<tt:AbsoluteZoomPositionSpace><tt:URI>" GENERIC
        "ZoomSpaces/PositionGenericSpace</tt:URI>%s</tt:AbsoluteZoomPositionSpace>%s"
        "<tt:ContinuousPanTiltVelocitySpace><tt:URI>" GENERIC
        "PanTiltSpaces/VelocityGenericSpace</tt:URI>%s</tt:ContinuousPanTiltVelocitySpace>"
        "<tt:ContinuousZoomVelocitySpace><tt:URI>" GENERIC
        "ZoomSpaces/VelocityGenericSpace</tt:URI>%s</tt:ContinuousZoomVelocitySpace>"
        "</tt:SupportedPTZSpaces><tt:MaximumNumberOfPresets>%d</tt:MaximumNumberOfPresets>"
        "<tt:HomeSupported>false</tt:HomeSupported></tptz:PTZNode></tptz:GetNodesResponse>",
        range, zrange, relative, range, range, MAX_PRESETS);
    g_free(relative);
    return body;
}

static char *op_configurations(const req *q, fault *f)
{
    (void)q, (void)f;
    return g_strdup("<tptz:GetConfigurationsResponse><tptz:PTZConfiguration token=\"ptz0\">"
                    "<tt:Name>PTZ</tt:Name><tt:UseCount>2</tt:UseCount><tt:NodeToken>node0"
                    "</tt:NodeToken><tt:DefaultContinuousPanTiltVelocitySpace>" GENERIC
                    "PanTiltSpaces/VelocityGenericSpace</tt:DefaultContinuousPanTiltVelocitySpace>"
                    "</tptz:PTZConfiguration></tptz:GetConfigurationsResponse>");
}

/* An xs:duration like PT5S, PT0.5S, PT1M30S, in microseconds; -1 if not. */
static gint64 parse_duration(const char *s)
{
    if (!s || !g_str_has_prefix(s, "PT"))
        return -1;
    double total = 0;
    const char *p = s + 2;
    while (*p) {
        char *end = NULL;
        double v = g_ascii_strtod(p, &end);
        if (end == p || !*end || v < 0)
            return -1;
        total += v * (*end == 'H' ? 3600 : *end == 'M' ? 60 : *end == 'S' ? 1 : NAN);
        p = end + 1;
    }
    return isfinite(total) ? (gint64)(total * G_USEC_PER_SEC) : -1;
}

static char *op_continuous(const req *q, fault *f)
{
    if (!ptz_profile(q, f))
        return NULL;
    double v[3] = {0, 0, 0};
    xp_double(q, "Velocity/PanTilt/@x", &v[PAN]);
    xp_double(q, "Velocity/PanTilt/@y", &v[TILT]);
    xp_double(q, "Velocity/Zoom/@x", &v[ZOOM]);
    char *timeout = xp_text(q, q->op, "Timeout");
    gint64 t = timeout ? parse_duration(timeout) : 0;
    g_free(timeout);
    if (t < 0)
        return fail(f, "env:Sender", "ter:InvalidArgVal", "Timeout is not a duration");
    ptz_settle();
    for (int i = 0; i < 3; i++)
        ptz.vel[i] = CLAMP(v[i], -1, 1);
    ptz.until_us = t ? g_get_monotonic_time() + t : 0;
    seen.continuous_moves++;
    seen.last_move_us = g_get_monotonic_time();
    note("ContinuousMove");
    return g_strdup("<tptz:ContinuousMoveResponse/>");
}

static char *op_stop(const req *q, fault *f)
{
    if (!ptz_profile(q, f))
        return NULL;
    char *pt = xp_text(q, q->op, "PanTilt");
    char *zoom = xp_text(q, q->op, "Zoom");
    ptz_settle();
    if (!pt || !g_ascii_strcasecmp(pt, "true"))
        ptz.vel[PAN] = ptz.vel[TILT] = 0;
    if (!zoom || !g_ascii_strcasecmp(zoom, "true"))
        ptz.vel[ZOOM] = 0;
    if (!ptz_moving())
        ptz.until_us = 0;
    g_free(pt);
    g_free(zoom);
    seen.stops++;
    seen.last_stop_us = g_get_monotonic_time();
    note("Stop");
    return g_strdup("<tptz:StopResponse/>");
}

/* Reads the vector under what (Translation or Position) into v; axes not
 * given keep v's value. */
static void read_vector(const req *q, const char *what, double v[3])
{
    char *x = g_strdup_printf("%s/PanTilt/@x", what);
    char *y = g_strdup_printf("%s/PanTilt/@y", what);
    char *z = g_strdup_printf("%s/Zoom/@x", what);
    xp_double(q, x, &v[PAN]);
    xp_double(q, y, &v[TILT]);
    xp_double(q, z, &v[ZOOM]);
    g_free(x);
    g_free(y);
    g_free(z);
}

static char *op_relative(const req *q, fault *f)
{
    if (opt_no_relative)
        return fail(f, "env:Receiver", "ter:ActionNotSupported", "RelativeMove is not supported");
    if (!ptz_profile(q, f))
        return NULL;
    double d[3] = {0, 0, 0}, to[3];
    read_vector(q, "Translation", d);
    ptz_settle();
    for (int i = 0; i < 3; i++)
        to[i] = ptz.pos[i] + d[i];
    ptz_set(to);
    seen.relative_moves++;
    seen.last_move_us = g_get_monotonic_time();
    note("RelativeMove");
    return g_strdup("<tptz:RelativeMoveResponse/>");
}

static char *op_absolute(const req *q, fault *f)
{
    if (!ptz_profile(q, f))
        return NULL;
    ptz_settle();
    double to[3] = {ptz.pos[PAN], ptz.pos[TILT], ptz.pos[ZOOM]};
    read_vector(q, "Position", to);
    ptz_set(to);
    seen.absolute_moves++;
    seen.last_move_us = g_get_monotonic_time();
    note("AbsoluteMove");
    return g_strdup("<tptz:AbsoluteMoveResponse/>");
}

static char *op_status(const req *q, fault *f)
{
    if (!ptz_profile(q, f))
        return NULL;
    ptz_settle();
    seen.status_reads++;
    const char *pt = ptz.vel[PAN] != 0 || ptz.vel[TILT] != 0 ? "MOVING" : "IDLE";
    const char *zoom = ptz.vel[ZOOM] != 0 ? "MOVING" : "IDLE";
    char *pos = position_xml("Position", ptz.pos);
    GDateTime *t = g_date_time_new_from_unix_utc(device_now_s());
    char *utc = g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ");
    g_date_time_unref(t);
    char *body = g_strdup_printf("<tptz:GetStatusResponse><tptz:PTZStatus>%s<tt:MoveStatus>"
                                 "<tt:PanTilt>%s</tt:PanTilt><tt:Zoom>%s</tt:Zoom></tt:MoveStatus>"
                                 "<tt:UtcTime>%s</tt:UtcTime></tptz:PTZStatus>"
                                 "</tptz:GetStatusResponse>",
                                 pos, pt, zoom, utc);
    g_free(utc);
    g_free(pos);
    return body;
}

static preset *find_preset(const char *token)
{
    for (int i = 0; token && i < ptz.n_presets; i++)
        if (!strcmp(ptz.presets[i].token, token))
            return &ptz.presets[i];
    return NULL;
}

static char *op_presets(const req *q, fault *f)
{
    if (!ptz_profile(q, f))
        return NULL;
    GString *s = g_string_new("<tptz:GetPresetsResponse>");
    for (int i = 0; i < ptz.n_presets; i++) {
        char *name = g_markup_escape_text(ptz.presets[i].name, -1);
        char *pos = position_xml("PTZPosition", ptz.presets[i].pos);
        g_string_append_printf(s, "<tptz:Preset token=\"%s\"><tt:Name>%s</tt:Name>%s</tptz:Preset>",
                               ptz.presets[i].token, name, pos);
        g_free(pos);
        g_free(name);
    }
    g_string_append(s, "</tptz:GetPresetsResponse>");
    return g_string_free(s, FALSE);
}

/* The preset SetPreset writes: the one named by token, or a new one. */
static preset *preset_for_set(const char *token, const char *name, fault *f)
{
    for (int i = 0; name && i < ptz.n_presets; i++)
        if (!strcmp(ptz.presets[i].name, name) && g_strcmp0(ptz.presets[i].token, token)) {
            fail(f, "env:Sender", "ter:InvalidArgVal", "a preset is already named \"%s\"", name);
            return NULL;
        }
    if (token && *token) {
        preset *p = find_preset(token);
        if (!p)
            fail(f, "env:Sender", "ter:InvalidArgVal", "no preset \"%s\"", token);
        return p;
    }
    if (ptz.n_presets == MAX_PRESETS) {
        fail(f, "env:Receiver", "ter:Action", "too many presets (%d)", MAX_PRESETS);
        return NULL;
    }
    preset *p = &ptz.presets[ptz.n_presets++];
    snprintf(p->token, sizeof p->token, "preset-%d", ++ptz.next_preset);
    p->name = g_strdup_printf("Preset %d", ptz.next_preset);
    return p;
}

static char *op_set_preset(const req *q, fault *f)
{
    if (!ptz_profile(q, f))
        return NULL;
    char *token = xp_text(q, q->op, "PresetToken");
    char *name = xp_text(q, q->op, "PresetName");
    preset *p = preset_for_set(token, name && *name ? name : NULL, f);
    g_free(token);
    if (!p) {
        g_free(name);
        return NULL;
    }
    if (name && *name) {
        g_free(p->name);
        p->name = name;
        name = NULL;
    }
    g_free(name);
    ptz_settle();
    memcpy(p->pos, ptz.pos, sizeof p->pos);
    seen.set_presets++;
    note("SetPreset");
    return g_strdup_printf("<tptz:SetPresetResponse><tptz:PresetToken>%s</tptz:PresetToken>"
                           "</tptz:SetPresetResponse>",
                           p->token);
}

/* The preset the request names, or NULL after a fault. */
static preset *named_preset(const req *q, fault *f)
{
    char *token = xp_text(q, q->op, "PresetToken");
    preset *p = find_preset(token);
    if (!p)
        fail(f, "env:Sender", "ter:InvalidArgVal", "no preset \"%s\"", token ? token : "");
    g_free(token);
    return p;
}

static char *op_goto_preset(const req *q, fault *f)
{
    preset *p = ptz_profile(q, f) ? named_preset(q, f) : NULL;
    if (!p)
        return NULL;
    ptz_set(p->pos);
    seen.goto_presets++;
    seen.last_move_us = g_get_monotonic_time();
    note("GotoPreset");
    return g_strdup("<tptz:GotoPresetResponse/>");
}

static char *op_remove_preset(const req *q, fault *f)
{
    preset *p = ptz_profile(q, f) ? named_preset(q, f) : NULL;
    if (!p)
        return NULL;
    g_free(p->name);
    int i = (int)(p - ptz.presets);
    memmove(p, p + 1, sizeof *p * (size_t)(ptz.n_presets - i - 1));
    ptz.n_presets--;
    seen.remove_presets++;
    note("RemovePreset");
    return g_strdup("<tptz:RemovePresetResponse/>");
}

/* ---- dispatch ---- */

typedef char *(*op_fn)(const req *q, fault *f);

static const struct op {
    const char *name;
    const char *path;
    gboolean pre_auth;
    op_fn fn;
} ops[] = {
    {"GetSystemDateAndTime", "/onvif/device_service", TRUE, op_date_time},
    {"GetCapabilities", "/onvif/device_service", FALSE, op_capabilities},
    {"GetServices", "/onvif/device_service", FALSE, op_services},
    {"GetDeviceInformation", "/onvif/device_service", FALSE, op_device_info},
    {"GetProfiles", "/onvif/media_service", FALSE, op_profiles},
    {"GetStreamUri", "/onvif/media_service", FALSE, op_stream_uri},
    {"GetNodes", "/onvif/ptz_service", FALSE, op_nodes},
    {"GetConfigurations", "/onvif/ptz_service", FALSE, op_configurations},
    {"ContinuousMove", "/onvif/ptz_service", FALSE, op_continuous},
    {"Stop", "/onvif/ptz_service", FALSE, op_stop},
    {"RelativeMove", "/onvif/ptz_service", FALSE, op_relative},
    {"AbsoluteMove", "/onvif/ptz_service", FALSE, op_absolute},
    {"GetStatus", "/onvif/ptz_service", FALSE, op_status},
    {"GetPresets", "/onvif/ptz_service", FALSE, op_presets},
    {"SetPreset", "/onvif/ptz_service", FALSE, op_set_preset},
    {"GotoPreset", "/onvif/ptz_service", FALSE, op_goto_preset},
    {"RemovePreset", "/onvif/ptz_service", FALSE, op_remove_preset},
};

static const struct op *find_op(const char *name, const char *path)
{
    for (size_t i = 0; i < G_N_ELEMENTS(ops); i++)
        if (!strcmp(ops[i].name, name) && !strcmp(ops[i].path, path))
            return &ops[i];
    return NULL;
}

/* Base64(SHA1(nonce + created + password)). */
static char *expected_digest(const guchar *nonce, gsize nonce_len, const char *created)
{
    GChecksum *sha = g_checksum_new(G_CHECKSUM_SHA1);
    g_checksum_update(sha, nonce, (gssize)nonce_len);
    g_checksum_update(sha, (const guchar *)created, -1);
    g_checksum_update(sha, (const guchar *)opt_password, -1);
    guint8 d[20];
    gsize n = sizeof d;
    g_checksum_get_digest(sha, d, &n);
    g_checksum_free(sha);
    return g_base64_encode(d, n);
}

/* Forgets nonces whose Created window has passed. */
static void prune_nonces(void)
{
    GHashTableIter it;
    gpointer key, value;
    gint64 now = g_get_monotonic_time();
    g_hash_table_iter_init(&it, nonces);
    while (g_hash_table_iter_next(&it, &key, &value))
        if (*(gint64 *)value < now)
            g_hash_table_iter_remove(&it);
}

/* Why the UsernameToken of q is refused (static text), or NULL. */
static const char *token_refusal(const char *user, const char *type, const char *password,
                                 const char *nonce, const char *created)
{
    if (!user)
        return "no UsernameToken";
    if (strcmp(user, opt_user))
        return "unknown user";
    if (!type || !g_str_has_suffix(type, "#PasswordDigest"))
        return "not a PasswordDigest";
    if (!password || !nonce || !created)
        return "no Password, Nonce or Created";
    GDateTime *t = g_date_time_new_from_iso8601(created, NULL);
    if (!t)
        return "Created is not a date";
    gint64 skew = g_date_time_to_unix(t) - device_now_s();
    g_date_time_unref(t);
    if (skew > opt_max_skew || skew < -opt_max_skew)
        return "Created is outside the clock skew allowed";
    if (g_hash_table_contains(nonces, nonce))
        return "nonce replayed";
    gsize len = 0;
    guchar *raw = g_base64_decode(nonce, &len);
    char *want = expected_digest(raw, len, created);
    gboolean ok = !strcmp(want, password);
    g_free(want);
    g_free(raw);
    if (!ok)
        return "wrong digest";
    gint64 *expiry = g_new(gint64, 1);
    *expiry = g_get_monotonic_time() + (gint64)(2 * opt_max_skew + 1) * G_USEC_PER_SEC;
    prune_nonces();
    g_hash_table_insert(nonces, g_strdup(nonce), expiry);
    return NULL;
}

/* TRUE when q may be served; else f is the NotAuthorized fault. */
static gboolean check_auth(const req *q, fault *f)
{
    if (!*opt_user || opt_http_digest)
        return TRUE;
    xmlNode *root = xmlDocGetRootElement(q->doc);
    const char *base = "Header/Security/UsernameToken/";
    char *path[5];
    const char *leaf[] = {"Username", "Password/@Type", "Password", "Nonce", "Created"};
    char *v[5];
    for (int i = 0; i < 5; i++) {
        path[i] = g_strconcat(base, leaf[i], NULL);
        v[i] = xp_text(q, root, path[i]);
    }
    const char *why = token_refusal(v[0], v[1], v[2], v[3], v[4]);
    for (int i = 0; i < 5; i++) {
        g_free(path[i]);
        g_free(v[i]);
    }
    if (!why)
        return TRUE;
    seen.auth_failures++;
    g_free(seen.last_auth_failure);
    seen.last_auth_failure = g_strdup(why);
    fail(f, "env:Sender", "ter:NotAuthorized", "Sender not Authorized: %s", why);
    return FALSE;
}

/* The Host the client used, for XAddrs (escaped), or the listen address. */
static char *host_of(SoupServerMessage *msg)
{
    const char *h =
        soup_message_headers_get_one(soup_server_message_get_request_headers(msg), "Host");
    return g_markup_escape_text(h && *h && !strpbrk(h, " \"<>/") ? h : listen_host, -1);
}

/* Parses the request; fills q or a fault. */
static gboolean read_request(SoupServerMessage *msg, req *q, fault *f)
{
    SoupMessageBody *b = soup_server_message_get_request_body(msg);
    if (!b->data || b->length == 0 || b->length > MAX_BODY) {
        fail(f, "env:Sender", "ter:WellFormed", "no SOAP request");
        return FALSE;
    }
    q->doc = xmlReadMemory(b->data, (int)b->length, NULL, NULL,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!q->doc) {
        fail(f, "env:Sender", "ter:WellFormed", "the request is not XML");
        return FALSE;
    }
    q->xp = xmlXPathNewContext(q->doc);
    xmlXPathObject *o = xmlXPathEvalExpression(
        (const xmlChar *)"/*[local-name()='Envelope']/*[local-name()='Body']/*[1]", q->xp);
    if (o && o->nodesetval && o->nodesetval->nodeNr > 0)
        q->op = o->nodesetval->nodeTab[0];
    xmlXPathFreeObject(o);
    if (!q->op) {
        fail(f, "env:Sender", "ter:WellFormed", "no Body in the envelope");
        return FALSE;
    }
    q->host = host_of(msg);
    return TRUE;
}

static void on_service(SoupServer *server, SoupServerMessage *msg, const char *path,
                       GHashTable *query, gpointer data)
{
    (void)server, (void)query, (void)data;
    req q = {0};
    fault f = {0};
    char *answer = NULL;
    seen.requests++;
    if (strcmp(soup_server_message_get_method(msg), "POST")) {
        soup_server_message_set_status(msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
        return;
    }
    if (!strcmp(path, "/onvif/ptz_service") && !has_ptz()) {
        soup_server_message_set_status(msg, SOUP_STATUS_NOT_FOUND, NULL);
        return;
    }
    if (read_request(msg, &q, &f)) {
        const struct op *op = find_op((const char *)q.op->name, path);
        if (!op)
            fail(&f, "env:Receiver", "ter:ActionNotSupported", "%s is not supported here",
                 (const char *)q.op->name);
        else if (op->pre_auth || check_auth(&q, &f))
            answer = op->fn(&q, &f);
    }
    if (answer)
        respond(msg, SOUP_STATUS_OK, answer);
    else
        respond_fault(msg, &f);
    g_free(answer);
    g_free(f.reason);
    g_free(q.host);
    if (q.xp)
        xmlXPathFreeContext(q.xp);
    if (q.doc)
        xmlFreeDoc(q.doc);
}

/* ---- GET /state ---- */

static gint64 since_start_ms(gint64 us)
{
    return us ? (us - started_us) / 1000 : -1;
}

static void on_state(SoupServer *server, SoupServerMessage *msg, const char *path,
                     GHashTable *query, gpointer data)
{
    (void)server, (void)path, (void)query, (void)data;
    ptz_settle();
    char b[6][G_ASCII_DTOSTR_BUF_SIZE];
    char *failure = g_strescape(seen.last_auth_failure ? seen.last_auth_failure : "", NULL);
    char *json = g_strdup_printf(
        "{\"pan\":%s,\"tilt\":%s,\"zoom\":%s,\"moving\":%s,"
        "\"velocity\":{\"pan\":%s,\"tilt\":%s,\"zoom\":%s},"
        "\"requests\":%u,\"continuous_moves\":%u,\"stops\":%u,\"relative_moves\":%u,"
        "\"absolute_moves\":%u,\"goto_presets\":%u,\"set_presets\":%u,\"remove_presets\":%u,"
        "\"status_reads\":%u,\"presets\":%d,\"auth_failures\":%u,\"last_auth_failure\":\"%s\","
        "\"probes_answered\":%u,\"last_command\":\"%s\",\"last_command_ms\":%" G_GINT64_FORMAT
        ",\"last_move_ms\":%" G_GINT64_FORMAT ",\"last_stop_ms\":%" G_GINT64_FORMAT
        ",\"now_ms\":%" G_GINT64_FORMAT "}\n",
        num(b[0], ptz.pos[PAN]), num(b[1], ptz.pos[TILT]), num(b[2], ptz.pos[ZOOM]),
        ptz_moving() ? "true" : "false", num(b[3], ptz.vel[PAN]), num(b[4], ptz.vel[TILT]),
        num(b[5], ptz.vel[ZOOM]), seen.requests, seen.continuous_moves, seen.stops,
        seen.relative_moves, seen.absolute_moves, seen.goto_presets, seen.set_presets,
        seen.remove_presets, seen.status_reads, ptz.n_presets, seen.auth_failures, failure,
        seen.probes, seen.last_command, since_start_ms(seen.last_command_us),
        since_start_ms(seen.last_move_us), since_start_ms(seen.last_stop_us),
        since_start_ms(g_get_monotonic_time()));
    g_free(failure);
    soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
    soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_TAKE, json, strlen(json));
}

/* ---- WS-Discovery ---- */

static struct in_addr discovery_addr;

/* The ProbeMatches answering message_id, g_malloc'd. */
static char *probe_matches(const char *message_id)
{
    char *id = g_markup_escape_text(message_id, -1);
    char *name = g_uri_escape_string(opt_name, NULL, FALSE);
    char addr[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &discovery_addr, addr, sizeof addr);
    char *uuid = g_uuid_string_random();
    const char *host = strcmp(opt_address, "0.0.0.0") ? opt_address : addr;
    char *m = g_strdup_printf(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\" "
        "xmlns:w=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
        "xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" "
        "xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\"><e:Header>"
        "<w:MessageID>uuid:%s</w:MessageID><w:RelatesTo>%s</w:RelatesTo>"
        "<w:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</w:To>"
        "<w:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</w:Action>"
        "</e:Header><e:Body><d:ProbeMatches><d:ProbeMatch><w:EndpointReference><w:Address>"
        "urn:uuid:%s</w:Address></w:EndpointReference><d:Types>dn:NetworkVideoTransmitter"
        "</d:Types><d:Scopes>onvif://www.onvif.org/type/video_encoder%s "
        "onvif://www.onvif.org/Profile/Streaming onvif://www.onvif.org/hardware/pantau-test-onvif "
        "onvif://www.onvif.org/name/%s onvif://www.onvif.org/location/test</d:Scopes>"
        "<d:XAddrs>http://%s:%d/onvif/device_service</d:XAddrs>"
        "<d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></e:Body>"
        "</e:Envelope>",
        uuid, id, device_uuid, has_ptz() ? " onvif://www.onvif.org/type/ptz" : "", name, host,
        opt_port);
    g_free(uuid);
    g_free(name);
    g_free(id);
    return m;
}

/* The MessageID of a Probe for NetworkVideoTransmitters (or for any type),
 * g_malloc'd; NULL for anything else. */
static char *probe_id(const char *data, gssize len)
{
    xmlDoc *doc = xmlReadMemory(data, (int)len, NULL, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc)
        return NULL;
    req q = {.doc = doc, .xp = xmlXPathNewContext(doc)};
    xmlNode *root = xmlDocGetRootElement(doc);
    char *id = xp_text(&q, root, "Header/MessageID");
    char *types = xp_text(&q, root, "Body/Probe/Types");
    char *probe = xp_text(&q, root, "Body/Probe");
    if (!probe || (types && *types && !strstr(types, "NetworkVideoTransmitter"))) {
        g_free(id);
        id = NULL;
    }
    g_free(probe);
    g_free(types);
    xmlXPathFreeContext(q.xp);
    xmlFreeDoc(doc);
    return id;
}

static gboolean on_probe(GSocket *sock, GIOCondition cond, gpointer data)
{
    (void)cond, (void)data;
    char buf[16384];
    GSocketAddress *from = NULL;
    gssize n = g_socket_receive_from(sock, &from, buf, sizeof buf - 1, NULL, NULL);
    char *id = n > 0 ? probe_id(buf, n) : NULL;
    if (id) {
        char *answer = probe_matches(id);
        if (g_socket_send_to(sock, from, answer, strlen(answer), NULL, NULL) > 0)
            seen.probes++;
        g_free(answer);
    }
    g_free(id);
    g_clear_object(&from);
    return G_SOURCE_CONTINUE;
}

/* The IPv4 address of interface name (e.g. "lo") into *out; 0 when it has one. */
static int interface_address(const char *name, struct in_addr *out)
{
    struct ifaddrs *all = NULL;
    int rc = -1;
    if (getifaddrs(&all))
        return -1;
    for (struct ifaddrs *i = all; i && rc; i = i->ifa_next)
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && !strcmp(i->ifa_name, name)) {
            *out = ((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr;
            rc = 0;
        }
    freeifaddrs(all);
    return rc;
}

/* Joins the group on --discovery's interface and answers Probes. */
static int start_discovery(void)
{
    char **parts = g_strsplit(opt_discovery, ":", 2);
    int port = parts[1] ? atoi(parts[1]) : 3702;
    int ok = (inet_pton(AF_INET, parts[0], &discovery_addr) == 1 ||
              !interface_address(parts[0], &discovery_addr)) &&
             port > 0 && port < 65536;
    g_strfreev(parts);
    if (!ok) {
        fprintf(stderr, "onvif: --discovery wants ADDR[:PORT], an IPv4 address or an "
                        "interface with one\n");
        return -1;
    }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int one = 1, zero = 0;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "239.255.255.250", &sa.sin_addr);
    struct ip_mreq mreq = {.imr_multiaddr = sa.sin_addr, .imr_interface = discovery_addr};
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
        bind(fd, (struct sockaddr *)&sa, sizeof sa) ||
        setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof mreq) ||
        setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof zero)) {
        perror("onvif: discovery socket");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    GSocket *sock = g_socket_new_from_fd(fd, NULL);
    g_socket_set_blocking(sock, FALSE);
    GSource *src = g_socket_create_source(sock, G_IO_IN, NULL);
    g_source_set_callback(src, G_SOURCE_FUNC(on_probe), NULL, NULL);
    g_source_attach(src, NULL);
    g_source_unref(src);
    g_object_unref(sock); /* the source keeps it */
    return 0;
}

/* ---- main ---- */

static gboolean on_signal(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

static char *digest_auth(SoupAuthDomain *domain, SoupServerMessage *msg, const char *user,
                         gpointer data)
{
    (void)domain, (void)msg, (void)data;
    if (strcmp(user, opt_user))
        return NULL;
    return soup_auth_domain_digest_encode_password(user, "pantau-test-onvif", opt_password);
}

static void add_http_digest(SoupServer *server)
{
    SoupAuthDomain *d = soup_auth_domain_digest_new("realm", "pantau-test-onvif", NULL);
    soup_auth_domain_digest_set_auth_callback(d, digest_auth, NULL, NULL);
    soup_auth_domain_add_path(d, "/onvif");
    soup_server_add_auth_domain(server, d);
    g_object_unref(d);
}

/* Listens; sets opt_port to the port in use and listen_host. */
static int listen_on(SoupServer *server)
{
    GError *err = NULL;
    GInetAddress *a = g_inet_address_new_from_string(opt_address);
    if (!a) {
        fprintf(stderr, "onvif: --address %s is not an IP address\n", opt_address);
        return -1;
    }
    GSocketAddress *sa = g_inet_socket_address_new(a, (guint16)opt_port);
    g_object_unref(a);
    gboolean ok = soup_server_listen(server, sa, 0, &err);
    g_object_unref(sa);
    if (!ok) {
        fprintf(stderr, "onvif: cannot listen on %s:%d: %s\n", opt_address, opt_port, err->message);
        g_error_free(err);
        return -1;
    }
    GSList *uris = soup_server_get_uris(server);
    opt_port = g_uri_get_port(uris->data);
    g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
    listen_host = g_strdup_printf("%s:%d", opt_address, opt_port);
    return 0;
}

int main(int argc, char **argv)
{
    GError *err = NULL;
    GOptionContext *ctx = g_option_context_new("- an ONVIF test camera");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "onvif: %s\n", err->message);
        return 2;
    }
    g_option_context_free(ctx);
    started_us = g_get_monotonic_time();
    ptz.since_us = started_us;
    nonces = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    char *uuid = g_uuid_string_random();
    device_uuid = uuid;
    SoupServer *server = soup_server_new("server-header", "pantau-test-onvif", NULL);
    soup_server_add_handler(server, "/onvif", on_service, NULL, NULL);
    soup_server_add_handler(server, "/state", on_state, NULL, NULL);
    if (opt_http_digest && *opt_user)
        add_http_digest(server);
    if (listen_on(server) || (opt_discovery && start_discovery()))
        return 1;
    GMainLoop *loop = g_main_loop_new(NULL, FALSE);
    g_unix_signal_add(SIGTERM, on_signal, loop);
    g_unix_signal_add(SIGINT, on_signal, loop);
    printf("onvif: ready on http://%s/onvif/device_service%s%s\n", listen_host,
           opt_discovery ? " discovery on " : "", opt_discovery ? opt_discovery : "");
    fflush(stdout);
    g_main_loop_run(loop);
    g_main_loop_unref(loop);
    g_object_unref(server);
    g_hash_table_destroy(nonces);
    g_free(listen_host);
    g_free(device_uuid);
    return 0;
}
