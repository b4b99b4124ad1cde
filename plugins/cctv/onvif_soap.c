/* onvif_soap.c - see onvif_soap.h. Elements are found by their local name:
 * cameras spell the same namespaces with every prefix there is. */
#include "onvif_soap.h"
#include "url_redact.h"

#include <libxml/parser.h>
#include <math.h>
#include <string.h>

#define NS_ENVELOPE                                                                                \
    "xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\" "                                       \
    "xmlns:tds=\"" ONVIF_NS_DEVICE "\" "                                                           \
    "xmlns:trt=\"" ONVIF_NS_MEDIA "\" "                                                            \
    "xmlns:tptz=\"" ONVIF_NS_PTZ "\" "                                                             \
    "xmlns:tt=\"http://www.onvif.org/ver10/schema\""
#define NS_WSSE "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
#define NS_WSU "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
#define WSSE_DIGEST                                                                                \
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"           \
    "#PasswordDigest"
#define WSSE_BASE64                                                                                \
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0"            \
    "#Base64Binary"

/* ---- WS-Security ---- */

char *onvif_wsse_digest(const guint8 *nonce, gsize nonce_len, const char *created,
                        const char *password)
{
    GChecksum *sha = g_checksum_new(G_CHECKSUM_SHA1);
    g_checksum_update(sha, nonce, (gssize)nonce_len);
    g_checksum_update(sha, (const guchar *)created, (gssize)strlen(created));
    g_checksum_update(sha, (const guchar *)password, (gssize)strlen(password));
    guint8 digest[20];
    gsize len = sizeof digest;
    g_checksum_get_digest(sha, digest, &len);
    g_checksum_free(sha);
    return g_base64_encode(digest, len);
}

static char *security_header(const char *user, const char *password, gint64 created_unix,
                             const guint8 nonce[16])
{
    GDateTime *t = g_date_time_new_from_unix_utc(created_unix);
    char *created =
        t ? g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ") : g_strdup("1970-01-01T00:00:00Z");
    if (t)
        g_date_time_unref(t);
    char *digest = onvif_wsse_digest(nonce, 16, created, password ? password : "");
    char *nonce64 = g_base64_encode(nonce, 16);
    char *name = g_markup_escape_text(user, -1);
    char *header = g_strdup_printf(
        "<env:Header><wsse:Security xmlns:wsse=\"" NS_WSSE "\" xmlns:wsu=\"" NS_WSU "\" "
        "env:mustUnderstand=\"true\"><wsse:UsernameToken><wsse:Username>%s</wsse:Username>"
        "<wsse:Password Type=\"" WSSE_DIGEST "\">%s</wsse:Password>"
        "<wsse:Nonce EncodingType=\"" WSSE_BASE64 "\">%s</wsse:Nonce>"
        "<wsu:Created>%s</wsu:Created></wsse:UsernameToken></wsse:Security></env:Header>",
        name, digest, nonce64, created);
    g_free(name);
    g_free(nonce64);
    g_free(digest);
    g_free(created);
    return header;
}

char *onvif_soap_envelope(const char *body, const char *user, const char *password,
                          gint64 created_unix, const guint8 nonce[16])
{
    char *header =
        user && *user ? security_header(user, password, created_unix, nonce) : g_strdup("");
    char *envelope = g_strdup_printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                     "<env:Envelope " NS_ENVELOPE ">%s<env:Body>%s</env:Body>"
                                     "</env:Envelope>",
                                     header, body);
    g_free(header);
    return envelope;
}

/* ---- request bodies ---- */

/* A double as XML wants it (a '.', whatever the locale), into buf. */
static const char *num(char buf[G_ASCII_DTOSTR_BUF_SIZE], double v)
{
    return g_ascii_formatd(buf, G_ASCII_DTOSTR_BUF_SIZE, "%.4f", v);
}

/* <tptz:ProfileToken>profile</tptz:ProfileToken>, escaped. */
static char *profile_element(const char *profile)
{
    char *token = g_markup_escape_text(profile ? profile : "", -1);
    char *e = g_strdup_printf("<tptz:ProfileToken>%s</tptz:ProfileToken>", token);
    g_free(token);
    return e;
}

/* The PanTilt and Zoom children of a Velocity, Translation or Position. */
static char *vector(double pan, double tilt, double zoom)
{
    char p[G_ASCII_DTOSTR_BUF_SIZE], t[G_ASCII_DTOSTR_BUF_SIZE], z[G_ASCII_DTOSTR_BUF_SIZE];
    return g_strdup_printf("<tt:PanTilt x=\"%s\" y=\"%s\"/><tt:Zoom x=\"%s\"/>", num(p, pan),
                           num(t, tilt), num(z, zoom));
}

char *onvif_body_stream_uri(const char *profile)
{
    char *token = g_markup_escape_text(profile ? profile : "", -1);
    char *body = g_strdup_printf("<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast"
                                 "</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol>"
                                 "</tt:Transport></trt:StreamSetup><trt:ProfileToken>%s"
                                 "</trt:ProfileToken></trt:GetStreamUri>",
                                 token);
    g_free(token);
    return body;
}

char *onvif_body_continuous_move(const char *profile, double pan, double tilt, double zoom,
                                 unsigned timeout_ms)
{
    char *token = profile_element(profile);
    char *v = vector(pan, tilt, zoom);
    char *timeout = timeout_ms ? g_strdup_printf("<tptz:Timeout>PT%u.%03uS</tptz:Timeout>",
                                                 timeout_ms / 1000, timeout_ms % 1000)
                               : g_strdup("");
    char *body = g_strdup_printf("<tptz:ContinuousMove>%s<tptz:Velocity>%s</tptz:Velocity>%s"
                                 "</tptz:ContinuousMove>",
                                 token, v, timeout);
    g_free(timeout);
    g_free(v);
    g_free(token);
    return body;
}

char *onvif_body_stop(const char *profile)
{
    char *token = profile_element(profile);
    char *body = g_strdup_printf("<tptz:Stop>%s<tptz:PanTilt>true</tptz:PanTilt>"
                                 "<tptz:Zoom>true</tptz:Zoom></tptz:Stop>",
                                 token);
    g_free(token);
    return body;
}

char *onvif_body_move_to(const char *kind, const char *profile, double pan, double tilt,
                         double zoom)
{
    gboolean relative = !strcmp(kind, "RelativeMove");
    const char *what = relative ? "Translation" : "Position";
    char *token = profile_element(profile);
    char *v = vector(pan, tilt, zoom);
    char *body = g_strdup_printf("<tptz:%s>%s<tptz:%s>%s</tptz:%s></tptz:%s>", kind, token, what, v,
                                 what, kind);
    g_free(v);
    g_free(token);
    return body;
}

char *onvif_body_profile_only(const char *action, const char *profile)
{
    char *token = profile_element(profile);
    char *body = g_strdup_printf("<tptz:%s>%s</tptz:%s>", action, token, action);
    g_free(token);
    return body;
}

/* <tptz:NAME>value</tptz:NAME>, escaped; "" for NULL. */
static char *optional_element(const char *name, const char *value)
{
    if (!value)
        return g_strdup("");
    char *text = g_markup_escape_text(value, -1);
    char *e = g_strdup_printf("<tptz:%s>%s</tptz:%s>", name, text, name);
    g_free(text);
    return e;
}

/* <tptz:ACTION>ProfileToken, a, b</tptz:ACTION> with optional elements. */
static char *preset_body(const char *action, const char *profile, const char *name_a, const char *a,
                         const char *name_b, const char *b)
{
    char *token = profile_element(profile);
    char *ea = optional_element(name_a, a);
    char *eb = name_b ? optional_element(name_b, b) : g_strdup("");
    char *body = g_strdup_printf("<tptz:%s>%s%s%s</tptz:%s>", action, token, ea, eb, action);
    g_free(eb);
    g_free(ea);
    g_free(token);
    return body;
}

char *onvif_body_goto_preset(const char *profile, const char *preset)
{
    return preset_body("GotoPreset", profile, "PresetToken", preset ? preset : "", NULL, NULL);
}

char *onvif_body_set_preset(const char *profile, const char *name, const char *token)
{
    return preset_body("SetPreset", profile, "PresetName", name, "PresetToken", token);
}

char *onvif_body_remove_preset(const char *profile, const char *preset)
{
    return preset_body("RemovePreset", profile, "PresetToken", preset ? preset : "", NULL, NULL);
}

char *onvif_probe_message(const char *message_id)
{
    char *id = g_markup_escape_text(message_id, -1);
    char *probe = g_strdup_printf(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\" "
        "xmlns:w=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
        "xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" "
        "xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\"><e:Header>"
        "<w:MessageID>%s</w:MessageID>"
        "<w:To e:mustUnderstand=\"true\">urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To>"
        "<w:Action e:mustUnderstand=\"true\">"
        "http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</w:Action></e:Header>"
        "<e:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></e:Body>"
        "</e:Envelope>",
        id);
    g_free(id);
    return probe;
}

/* ---- XML, by local name ---- */

static gboolean is_element(const xmlNode *n, const char *local)
{
    return n && n->type == XML_ELEMENT_NODE && n->name && !strcmp((const char *)n->name, local);
}

/* The first element child of parent (or sibling after `after`) named local. */
static xmlNode *child_after(const xmlNode *parent, const xmlNode *after, const char *local)
{
    if (!parent)
        return NULL;
    for (xmlNode *n = after ? after->next : parent->children; n; n = n->next)
        if (is_element(n, local))
            return n;
    return NULL;
}

static xmlNode *child(const xmlNode *parent, const char *local)
{
    return child_after(parent, NULL, local);
}

/* The element at path ("A/B/C", local names) below n, or NULL. */
static xmlNode *path(const xmlNode *n, const char *p)
{
    char **parts = g_strsplit(p, "/", -1);
    const xmlNode *at = n;
    for (char **part = parts; at && *part; part++)
        at = child(at, *part);
    g_strfreev(parts);
    return (xmlNode *)at;
}

static xmlNode *first_element(const xmlNode *parent)
{
    for (xmlNode *n = parent ? parent->children : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE)
            return n;
    return NULL;
}

/* The trimmed, cleaned text of n (NULL when n is NULL or the text empty). */
static char *text_of(const xmlNode *n)
{
    if (!n)
        return NULL;
    xmlChar *raw = xmlNodeGetContent(n);
    if (!raw)
        return NULL;
    char *trimmed = g_strstrip(g_strdup((const char *)raw));
    xmlFree(raw);
    char *clean = *trimmed ? cctv_printable(trimmed, ONVIF_TEXT_MAX) : NULL;
    g_free(trimmed);
    return clean;
}

static char *text_at(const xmlNode *n, const char *p)
{
    return text_of(path(n, p));
}

static char *attr_of(const xmlNode *n, const char *name)
{
    xmlChar *raw = n ? xmlGetProp(n, (const xmlChar *)name) : NULL;
    if (!raw)
        return NULL;
    char *clean = cctv_printable((const char *)raw, ONVIF_TEXT_MAX);
    xmlFree(raw);
    return clean;
}

/* A finite number in attribute name of n. */
static gboolean number_attr(const xmlNode *n, const char *name, double *out)
{
    xmlChar *raw = n ? xmlGetProp(n, (const xmlChar *)name) : NULL;
    if (!raw)
        return FALSE;
    char *end = NULL;
    double v = g_ascii_strtod((const char *)raw, &end);
    gboolean ok = end != (char *)raw && *end == '\0' && isfinite(v);
    xmlFree(raw);
    if (ok)
        *out = v;
    return ok;
}

/* A whole number in the text at p below n, in [lo, hi]. */
static gboolean int_at(const xmlNode *n, const char *p, gint64 lo, gint64 hi, gint64 *out)
{
    char *s = text_at(n, p);
    gboolean ok = s && g_ascii_string_to_signed(s, 10, lo, hi, out, NULL);
    g_free(s);
    return ok;
}

static gboolean bool_at(const xmlNode *n, const char *p)
{
    char *s = text_at(n, p);
    gboolean yes = s && (!g_ascii_strcasecmp(s, "true") || !strcmp(s, "1"));
    g_free(s);
    return yes;
}

/* ---- replies ---- */

static void fault_fill(onvif_reply *r, const xmlNode *fault)
{
    /* SOAP 1.2: Code/Value, Code/Subcode/Value, Reason/Text. */
    r->fault_code = text_at(fault, "Code/Value");
    r->fault_subcode = text_at(fault, "Code/Subcode/Value");
    r->fault_reason = text_at(fault, "Reason/Text");
    /* SOAP 1.1: faultcode, faultstring. */
    if (!r->fault_code)
        r->fault_code = text_at(fault, "faultcode");
    if (!r->fault_reason)
        r->fault_reason = text_at(fault, "faultstring");
}

int onvif_reply_parse(const char *data, gsize len, onvif_reply *r)
{
    memset(r, 0, sizeof *r);
    /* SOAP forbids a document type declaration; refusing it also refuses
     * every entity trick (billion laughs, external entities). */
    if (!data || len == 0 || len > G_MAXINT || memmem(data, len, "<!DOCTYPE", 9))
        return -1;
    r->doc = xmlReadMemory(data, (int)len, NULL, NULL,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (r->doc && (r->doc->intSubset || r->doc->extSubset)) {
        onvif_reply_clear(r);
        return -1;
    }
    xmlNode *root = r->doc ? xmlDocGetRootElement(r->doc) : NULL;
    xmlNode *body = is_element(root, "Envelope") ? child(root, "Body") : NULL;
    xmlNode *first = first_element(body);
    if (!first) {
        onvif_reply_clear(r);
        return -1;
    }
    if (is_element(first, "Fault")) {
        r->fault = TRUE;
        fault_fill(r, first);
        return 0;
    }
    r->body = first;
    return 0;
}

void onvif_reply_clear(onvif_reply *r)
{
    if (r->doc)
        xmlFreeDoc(r->doc);
    g_free(r->fault_code);
    g_free(r->fault_subcode);
    g_free(r->fault_reason);
    memset(r, 0, sizeof *r);
}

/* The part of a QName after its prefix. */
static const char *local_part(const char *qname)
{
    const char *colon = qname ? strrchr(qname, ':') : NULL;
    return colon ? colon + 1 : qname;
}

gboolean onvif_reply_is_auth_fault(const onvif_reply *r)
{
    static const char *const codes[] = {"NotAuthorized", "FailedAuthentication", "InvalidSecurity",
                                        "InvalidSecurityToken", NULL};
    if (!r->fault)
        return FALSE;
    for (const char *const *c = codes; *c; c++)
        if (!g_strcmp0(local_part(r->fault_subcode), *c) ||
            !g_strcmp0(local_part(r->fault_code), *c))
            return TRUE;
    /* Some cameras say it only in words. */
    return r->fault_reason && (strstr(r->fault_reason, "not authorized") ||
                               strstr(r->fault_reason, "Not Authorized") ||
                               strstr(r->fault_reason, "Sender not Authorized"));
}

char *onvif_reply_fault_text(const onvif_reply *r)
{
    GString *s = g_string_new(r->fault_code ? r->fault_code : "fault");
    if (r->fault_subcode)
        g_string_append_printf(s, "/%s", r->fault_subcode);
    if (r->fault_reason)
        g_string_append_printf(s, ": %s", r->fault_reason);
    return g_string_free(s, FALSE);
}

gboolean onvif_reply_is(const onvif_reply *r, const char *action)
{
    if (!r->body || !r->body->name)
        return FALSE;
    const char *name = (const char *)r->body->name;
    size_t n = strlen(action);
    return !strncmp(name, action, n) && !strcmp(name + n, "Response");
}

/* ---- parsers ---- */

#define MISSING(what)                                                                              \
    do {                                                                                           \
        *missing = (what);                                                                         \
        goto fail;                                                                                 \
    } while (0)

int onvif_parse_date_time(const xmlNode *body, gint64 *utc_unix, const char **missing)
{
    const xmlNode *utc = path(body, "SystemDateAndTime/UTCDateTime");
    gint64 y, mo, d, h, mi, s;
    if (!utc)
        MISSING("no UTCDateTime");
    if (!int_at(utc, "Date/Year", 1970, 9999, &y) || !int_at(utc, "Date/Month", 1, 12, &mo) ||
        !int_at(utc, "Date/Day", 1, 31, &d) || !int_at(utc, "Time/Hour", 0, 23, &h) ||
        !int_at(utc, "Time/Minute", 0, 59, &mi) || !int_at(utc, "Time/Second", 0, 60, &s))
        MISSING("no valid UTC date and time");
    GDateTime *t = g_date_time_new_utc((int)y, (int)mo, (int)d, (int)h, (int)mi, (double)s);
    if (!t)
        MISSING("no valid UTC date and time");
    *utc_unix = g_date_time_to_unix(t);
    g_date_time_unref(t);
    return 0;
fail:
    return -1;
}

/* The XAddr of Capabilities/NAME, only when it is an http(s) URL. */
static char *xaddr_of(const xmlNode *caps, const char *name)
{
    char *url = text_of(path(child(caps, name), "XAddr"));
    if (url && (g_str_has_prefix(url, "http://") || g_str_has_prefix(url, "https://")))
        return url;
    g_free(url);
    return NULL;
}

int onvif_parse_capabilities(const xmlNode *body, onvif_capabilities *caps, const char **missing)
{
    memset(caps, 0, sizeof *caps);
    const xmlNode *c = child(body, "Capabilities");
    if (!c)
        MISSING("no Capabilities");
    caps->device_url = xaddr_of(c, "Device");
    caps->media_url = xaddr_of(c, "Media");
    caps->ptz_url = xaddr_of(c, "PTZ");
    if (!caps->media_url)
        MISSING("no media service address");
    return 0;
fail:
    onvif_capabilities_clear(caps);
    return -1;
}

int onvif_parse_device_info(const xmlNode *body, onvif_device_info *info, const char **missing)
{
    info->manufacturer = text_at(body, "Manufacturer");
    info->model = text_at(body, "Model");
    info->firmware = text_at(body, "FirmwareVersion");
    info->serial = text_at(body, "SerialNumber");
    info->hardware_id = text_at(body, "HardwareId");
    if (info->manufacturer || info->model)
        return 0;
    *missing = "no Manufacturer and no Model";
    return -1;
}

int onvif_parse_nodes(const xmlNode *body, onvif_device_info *info, const char **missing)
{
    const xmlNode *node = child(body, "PTZNode");
    const xmlNode *spaces = child(node, "SupportedPTZSpaces");
    if (!spaces) {
        *missing = "no PTZNode with SupportedPTZSpaces";
        return -1;
    }
    info->has_ptz = TRUE;
    info->ptz_continuous = child(spaces, "ContinuousPanTiltVelocitySpace") != NULL;
    info->ptz_relative = child(spaces, "RelativePanTiltTranslationSpace") != NULL;
    info->ptz_absolute = child(spaces, "AbsolutePanTiltPositionSpace") != NULL;
    info->ptz_zoom = child(spaces, "ContinuousZoomVelocitySpace") ||
                     child(spaces, "RelativeZoomTranslationSpace") ||
                     child(spaces, "AbsoluteZoomPositionSpace");
    info->ptz_home = bool_at(node, "HomeSupported");
    gint64 max = 0;
    info->max_presets = int_at(node, "MaximumNumberOfPresets", 0, 100000, &max) ? (int)max : 0;
    return 0;
}

static void profile_fill(onvif_profile *p, const xmlNode *n)
{
    const xmlNode *enc = child(n, "VideoEncoderConfiguration");
    gint64 w = 0, h = 0;
    p->token = attr_of(n, "token");
    p->name = text_at(n, "Name");
    p->encoding = text_at(enc, "Encoding");
    p->width = int_at(enc, "Resolution/Width", 0, 100000, &w) ? (int)w : 0;
    p->height = int_at(enc, "Resolution/Height", 0, 100000, &h) ? (int)h : 0;
    p->ptz = child(n, "PTZConfiguration") != NULL;
}

int onvif_parse_profiles(const xmlNode *body, onvif_profiles *p, const char **missing)
{
    GArray *items = g_array_new(FALSE, TRUE, sizeof(onvif_profile));
    for (xmlNode *n = child(body, "Profiles"); n; n = child_after(body, n, "Profiles")) {
        onvif_profile profile = {0};
        profile_fill(&profile, n);
        if (profile.token && *profile.token) {
            g_array_append_val(items, profile);
            continue;
        }
        g_free(profile.name);
        g_free(profile.encoding);
        g_free(profile.token);
    }
    p->n = items->len;
    p->items = (onvif_profile *)(void *)g_array_free(items, FALSE);
    p->main = p->sub = -1;
    if (p->n)
        return 0;
    onvif_profiles_clear(p);
    *missing = "no profile with a token";
    return -1;
}

int onvif_parse_stream_uri(const xmlNode *body, char **uri, const char **missing)
{
    *uri = text_at(body, "MediaUri/Uri");
    if (*uri)
        return 0;
    *missing = "no MediaUri";
    return -1;
}

/* Position/PanTilt@x,y and Position/Zoom@x into pan, tilt, zoom. */
static gboolean position_of(const xmlNode *pos, double *pan, double *tilt, double *zoom)
{
    const xmlNode *pt = child(pos, "PanTilt");
    gboolean ok = number_attr(pt, "x", pan) && number_attr(pt, "y", tilt);
    if (!number_attr(child(pos, "Zoom"), "x", zoom))
        *zoom = 0;
    return ok;
}

int onvif_parse_status(const xmlNode *body, onvif_ptz_status *s, const char **missing)
{
    memset(s, 0, sizeof *s);
    const xmlNode *st = child(body, "PTZStatus");
    if (!st) {
        *missing = "no PTZStatus";
        return -1;
    }
    s->has_position = position_of(child(st, "Position"), &s->pan, &s->tilt, &s->zoom);
    char *pt = text_at(st, "MoveStatus/PanTilt");
    char *zoom = text_at(st, "MoveStatus/Zoom");
    s->moving = !g_strcmp0(pt, "MOVING") || !g_strcmp0(zoom, "MOVING");
    g_free(pt);
    g_free(zoom);
    return 0;
}

int onvif_parse_presets(const xmlNode *body, onvif_presets *p, const char **missing)
{
    (void)missing;
    GArray *items = g_array_new(FALSE, TRUE, sizeof(onvif_preset));
    for (xmlNode *n = child(body, "Preset"); n; n = child_after(body, n, "Preset")) {
        onvif_preset preset = {0};
        preset.token = attr_of(n, "token");
        if (!preset.token || !*preset.token) {
            g_free(preset.token);
            continue;
        }
        preset.name = text_at(n, "Name");
        preset.has_position =
            position_of(child(n, "PTZPosition"), &preset.pan, &preset.tilt, &preset.zoom);
        g_array_append_val(items, preset);
    }
    p->n = items->len;
    p->items = (onvif_preset *)(void *)g_array_free(items, FALSE);
    return 0;
}

int onvif_parse_set_preset(const xmlNode *body, char **token, const char **missing)
{
    *token = text_at(body, "PresetToken");
    if (*token)
        return 0;
    *missing = "no PresetToken";
    return -1;
}

/* ---- WS-Discovery ---- */

/* The decoded rest of the first scope that starts with prefix. */
static char *scope_value(char **scopes, const char *prefix)
{
    for (char **s = scopes; *s; s++) {
        if (!g_str_has_prefix(*s, prefix) || !(*s)[strlen(prefix)])
            continue;
        char *raw = g_uri_unescape_string(*s + strlen(prefix), NULL);
        char *clean = cctv_printable(raw ? raw : *s + strlen(prefix), ONVIF_TEXT_MAX);
        g_free(raw);
        return clean;
    }
    return NULL;
}

/* The first http(s) address of a space-separated XAddrs list. */
static char *first_http(const char *xaddrs)
{
    char **list = g_strsplit_set(xaddrs ? xaddrs : "", " \t\r\n", -1);
    char *found = NULL;
    for (char **a = list; *a && !found; a++)
        if (g_str_has_prefix(*a, "http://") || g_str_has_prefix(*a, "https://"))
            found = g_strdup(*a);
    g_strfreev(list);
    return found;
}

static gboolean match_fill(onvif_found *f, const xmlNode *m)
{
    char *xaddrs = text_at(m, "XAddrs");
    f->xaddr = first_http(xaddrs);
    g_free(xaddrs);
    if (!f->xaddr)
        return FALSE;
    f->endpoint = text_at(m, "EndpointReference/Address");
    if (!f->endpoint)
        f->endpoint = g_strdup(f->xaddr);
    char *scopes_text = text_at(m, "Scopes");
    char **scopes = g_strsplit_set(scopes_text ? scopes_text : "", " \t\r\n", -1);
    f->name = scope_value(scopes, "onvif://www.onvif.org/name/");
    f->hardware = scope_value(scopes, "onvif://www.onvif.org/hardware/");
    f->location = scope_value(scopes, "onvif://www.onvif.org/location/");
    g_strfreev(scopes);
    g_free(scopes_text);
    return TRUE;
}

int onvif_parse_probe_matches(const char *data, gsize len, const char *message_id, GArray *found)
{
    onvif_reply r;
    if (onvif_reply_parse(data, len, &r) || !is_element(r.body, "ProbeMatches")) {
        onvif_reply_clear(&r);
        return 0;
    }
    char *relates = text_at(xmlDocGetRootElement(r.doc), "Header/RelatesTo");
    int added = 0;
    if (relates && message_id && strcmp(relates, message_id))
        goto out;
    for (xmlNode *m = child(r.body, "ProbeMatch"); m; m = child_after(r.body, m, "ProbeMatch")) {
        onvif_found f = {0};
        if (match_fill(&f, m)) {
            g_array_append_val(found, f);
            added++;
        } else {
            onvif_found_clear(&f);
        }
    }
out:
    g_free(relates);
    onvif_reply_clear(&r);
    return added;
}

/* ---- results ---- */

void onvif_capabilities_clear(onvif_capabilities *c)
{
    g_free(c->device_url);
    g_free(c->media_url);
    g_free(c->ptz_url);
    memset(c, 0, sizeof *c);
}

void onvif_device_info_clear(onvif_device_info *i)
{
    g_free(i->manufacturer);
    g_free(i->model);
    g_free(i->firmware);
    g_free(i->serial);
    g_free(i->hardware_id);
    memset(i, 0, sizeof *i);
}

void onvif_profiles_clear(onvif_profiles *p)
{
    for (gsize i = 0; i < p->n; i++) {
        g_free(p->items[i].token);
        g_free(p->items[i].name);
        g_free(p->items[i].encoding);
        g_free(p->items[i].uri);
    }
    g_free(p->items);
    memset(p, 0, sizeof *p);
    p->main = p->sub = -1;
}

void onvif_presets_clear(onvif_presets *p)
{
    for (gsize i = 0; i < p->n; i++) {
        g_free(p->items[i].token);
        g_free(p->items[i].name);
    }
    g_free(p->items);
    memset(p, 0, sizeof *p);
}

void onvif_found_clear(onvif_found *f)
{
    g_free(f->endpoint);
    g_free(f->xaddr);
    g_free(f->name);
    g_free(f->hardware);
    g_free(f->location);
    memset(f, 0, sizeof *f);
}
