/* rtsp_proto.c - the pure helpers of the lean RTSP client: URLs, replies,
 * SDP, WWW-Authenticate and Authorization. Everything parsed here comes
 * from the camera and is treated as hostile: lengths are bounded, and what
 * goes back into a request line or header is stripped of control
 * characters. */
#include "rtsp_proto.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#define RTSP_DEFAULT_PORT 554

/* ---- small string helpers ---- */

/* Whether s (n bytes) holds a control character, space or DEL. */
static int has_ctl_or_space(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
            return 1;
    return 0;
}

/* s (n bytes) with every %XX decoded, g_malloc'd. */
static char *pct_decode(const char *s, size_t n)
{
    char *out = g_malloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && g_ascii_isxdigit(s[i + 1]) && g_ascii_isxdigit(s[i + 2])) {
            out[o++] = (char)(g_ascii_xdigit_value(s[i + 1]) << 4 | g_ascii_xdigit_value(s[i + 2]));
            i += 2;
            continue;
        }
        out[o++] = s[i];
    }
    out[o] = '\0';
    return out;
}

/* Overwrites and frees a string that may hold a secret. */
static void free_secret(char *s)
{
    if (!s)
        return;
    memset(s, 0, strlen(s));
    g_free(s);
}

/* Length of s without trailing spaces, tabs and CRs. */
static size_t rtrim_len(const char *s, size_t n)
{
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    return n;
}

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* Parses the decimal number of s[0..n) into *out; 0, or -1 when it is not
 * one or exceeds max. */
static int parse_uint(const char *s, size_t n, unsigned long max, unsigned long *out)
{
    unsigned long v = 0;
    if (!n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (!g_ascii_isdigit(s[i]))
            return -1;
        v = v * 10 + (unsigned long)(s[i] - '0');
        if (v > max)
            return -1;
    }
    *out = v;
    return 0;
}

/* ---- URLs ---- */

/* Splits the userinfo (n bytes) into u->user and u->password. */
static void parse_userinfo(const char *s, size_t n, rtsp_url *u)
{
    const char *colon = memchr(s, ':', n);
    size_t ulen = colon ? (size_t)(colon - s) : n;
    u->user = pct_decode(s, ulen);
    if (colon)
        u->password = pct_decode(colon + 1, n - ulen - 1);
}

/* Parses "host[:port]" or "[v6][:port]" (n bytes) into u->host and u->port. */
static int parse_hostport(const char *s, size_t n, rtsp_url *u)
{
    const char *end = s + n;
    const char *after;
    if (n && *s == '[') {
        const char *close = memchr(s, ']', n);
        if (!close || close == s + 1)
            return -1;
        u->host = g_strndup(s + 1, (gsize)(close - s - 1));
        after = close + 1;
    } else {
        const char *colon = memchr(s, ':', n);
        after = colon ? colon : end;
        u->host = g_strndup(s, (gsize)(after - s));
    }
    if (!*u->host)
        return -1;
    u->port = RTSP_DEFAULT_PORT;
    if (after == end || after + 1 == end)
        return after == end || *after == ':' ? 0 : -1;
    unsigned long port;
    if (*after != ':' || parse_uint(after + 1, (size_t)(end - after - 1), 65535, &port) || !port)
        return -1;
    u->port = (uint16_t)port;
    return 0;
}

int rtsp_url_parse(const char *url, rtsp_url *u)
{
    memset(u, 0, sizeof *u);
    if (!url)
        return -1;
    const char *rest;
    if (!g_ascii_strncasecmp(url, "rtsp://", 7)) {
        rest = url + 7;
    } else if (!g_ascii_strncasecmp(url, "rtsps://", 8)) {
        rest = url + 8;
        u->tls = 1;
    } else {
        return -1;
    }
    /* The Request-URI goes into a request line: no spaces, no CR/LF. */
    size_t path_end = strcspn(rest, "#");
    if (has_ctl_or_space(rest, path_end))
        goto bad;
    size_t alen = strcspn(rest, "/?#");
    const char *at = memrchr(rest, '@', alen);
    const char *hostport = at ? at + 1 : rest;
    if (at)
        parse_userinfo(rest, (size_t)(at - rest), u);
    if (parse_hostport(hostport, alen - (size_t)(hostport - rest), u))
        goto bad;
    u->request = g_strdup_printf("%s://%.*s", u->tls ? "rtsps" : "rtsp",
                                 (int)(path_end - (size_t)(hostport - rest)), hostport);
    u->display = strchr(u->host, ':') ? g_strdup_printf("[%s]:%u", u->host, u->port)
                                      : g_strdup_printf("%s:%u", u->host, u->port);
    return 0;
bad:
    rtsp_url_clear(u);
    return -1;
}

void rtsp_url_clear(rtsp_url *u)
{
    g_free(u->user);
    free_secret(u->password);
    g_free(u->host);
    g_free(u->request);
    g_free(u->display);
    memset(u, 0, sizeof *u);
}

/* Whether s starts with an rtsp:// or rtsps:// scheme. */
static int is_absolute(const char *s)
{
    return !g_ascii_strncasecmp(s, "rtsp://", 7) || !g_ascii_strncasecmp(s, "rtsps://", 8);
}

char *rtsp_url_resolve(const char *base, const char *control)
{
    if (!control || !*control || !strcmp(control, "*"))
        return g_strdup(base);
    if (is_absolute(control))
        return g_strdup(control);
    if (*control == '/') {
        /* An absolute path replaces base's path. */
        const char *auth = strstr(base, "://");
        size_t keep = auth ? (size_t)(auth + 3 - base) + strcspn(auth + 3, "/?#") : 0;
        return g_strdup_printf("%.*s%s", (int)keep, base, control);
    }
    size_t blen = strlen(base);
    const char *sep = blen && base[blen - 1] == '/' ? "" : "/";
    return g_strconcat(base, sep, control, NULL);
}

/* ---- RTSP messages ---- */

/* Finds the blank line ending the head in buf[0..len): *text_len is the
 * length of the header text before it, and the return the bytes of the
 * whole head; 0 when there is none yet. */
static size_t find_head_end(const char *buf, size_t len, size_t *text_len)
{
    const char *p = buf;
    const char *end = buf + len;
    while ((p = memchr(p, '\n', (size_t)(end - p)))) {
        const char *q = p + 1;
        if (q < end && *q == '\r')
            q++;
        if (q < end && *q == '\n') {
            *text_len = (size_t)(p - buf);
            return (size_t)(q + 1 - buf);
        }
        p++;
    }
    return 0;
}

/* Parses "RTSP/1.0 200 OK" (or a request line: status 0). */
static int parse_start_line(const char *line, rtsp_message *m)
{
    if (strncmp(line, "RTSP/", 5))
        return g_ascii_isupper(*line) ? 0 : -1;
    const char *sp = strchr(line, ' ');
    unsigned long status;
    if (!sp || parse_uint(sp + 1, 3, 999, &status) || status < 100 || (sp[4] && sp[4] != ' '))
        return -1;
    m->status = (int)status;
    /* Kept whole: a camera may echo its URL, password included, and only
     * the whole phrase can be redacted (the client does, then bounds it). */
    m->phrase = g_strdup(sp[4] ? sp + 5 : "");
    return 0;
}

/* Splits m->head into the start line and headers, in place. */
static int split_head(rtsp_message *m)
{
    char *save = NULL;
    char *line = strtok_r(m->head, "\n", &save);
    if (!line)
        return -1;
    line[rtrim_len(line, strlen(line))] = '\0';
    if (parse_start_line(line, m))
        return -1;
    while ((line = strtok_r(NULL, "\n", &save))) {
        line[rtrim_len(line, strlen(line))] = '\0';
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        /* Refused rather than cut: a Content-Length past the cut would be
         * missed and its body read as the stream. */
        if (m->nheaders == RTSP_MAX_HEADERS)
            return -1;
        *colon = '\0';
        m->names[m->nheaders] = line;
        m->values[m->nheaders] = skip_ws(colon + 1);
        m->nheaders++;
    }
    return 0;
}

long rtsp_message_parse(const char *buf, size_t len, rtsp_message *m)
{
    memset(m, 0, sizeof *m);
    m->cseq = -1;
    size_t text_len = 0;
    size_t head_len = find_head_end(buf, MIN(len, RTSP_MAX_HEAD), &text_len);
    if (!head_len)
        return len >= RTSP_MAX_HEAD ? -1 : 0;
    m->head = g_strndup(buf, text_len);
    if (strlen(m->head) != text_len || split_head(m))
        goto bad;
    unsigned long clen = 0, cseq;
    const char *v = rtsp_message_header(m, "Content-Length", 0);
    if (v && parse_uint(v, strlen(v), RTSP_MAX_BODY, &clen))
        goto bad;
    v = rtsp_message_header(m, "CSeq", 0);
    if (v && !parse_uint(v, strlen(v), G_MAXINT, &cseq))
        m->cseq = (int)cseq;
    if (len - head_len < clen) {
        rtsp_message_clear(m);
        return 0;
    }
    if (clen) {
        m->body = g_malloc(clen + 1);
        memcpy(m->body, buf + head_len, clen);
        m->body[clen] = '\0';
        m->body_len = clen;
    }
    return (long)(head_len + clen);
bad:
    rtsp_message_clear(m);
    return -1;
}

void rtsp_message_clear(rtsp_message *m)
{
    g_free(m->phrase);
    g_free(m->head);
    g_free(m->body);
    memset(m, 0, sizeof *m);
    m->cseq = -1;
}

const char *rtsp_message_header(const rtsp_message *m, const char *name, unsigned n)
{
    for (size_t i = 0; i < m->nheaders; i++)
        if (!g_ascii_strcasecmp(m->names[i], name) && n-- == 0)
            return m->values[i];
    return NULL;
}

int rtsp_parse_session(const char *value, char **id, unsigned *timeout_s)
{
    *id = NULL;
    *timeout_s = 0;
    value = skip_ws(value);
    const char *semi = strchr(value, ';');
    size_t n = rtrim_len(value, semi ? (size_t)(semi - value) : strlen(value));
    if (!n || has_ctl_or_space(value, n))
        return -1;
    *id = g_strndup(value, n);
    for (const char *p = semi; p; p = strchr(p + 1, ';')) {
        const char *param = skip_ws(p + 1);
        unsigned long t;
        if (g_ascii_strncasecmp(param, "timeout=", 8))
            continue;
        size_t tl = strcspn(param + 8, "; \t");
        if (!parse_uint(param + 8, tl, 86400, &t))
            *timeout_s = (unsigned)t;
    }
    return 0;
}

int rtsp_parse_interleaved(const char *transport)
{
    for (const char *p = transport; p; p = strchr(p, ';')) {
        p = skip_ws(*p == ';' ? p + 1 : p);
        unsigned long ch;
        if (g_ascii_strncasecmp(p, "interleaved=", 12))
            continue;
        if (!parse_uint(p + 12, strspn(p + 12, "0123456789"), 255, &ch))
            return (int)ch;
        return -1;
    }
    return -1;
}

/* ---- SDP ---- */

#define SDP_MAX_FORMATS 16

/* What the first m=video section says, as pointers into the SDP text. */
typedef struct sdp_video {
    char *profile;
    int formats[SDP_MAX_FORMATS];
    size_t nformats;
    const char *rtpmap[SDP_MAX_FORMATS]; /* "H264/90000..." per format */
    const char *fmtp[SDP_MAX_FORMATS];   /* "packetization-mode=1;..." per format */
    const char *control;
} sdp_video;

/* The index of payload type pt in v->formats, or -1. */
static int format_index(const sdp_video *v, const char *pt_text, const char **rest)
{
    char *end;
    long pt = strtol(pt_text, &end, 10);
    if (end == pt_text || (*end != ' ' && *end != '\t'))
        return -1;
    *rest = skip_ws(end);
    for (size_t i = 0; i < v->nformats; i++)
        if (v->formats[i] == pt)
            return (int)i;
    return -1;
}

/* Parses "m=video PORT PROFILE PT..." (after "m=video"). */
static void parse_m_line(char *line, sdp_video *v)
{
    char *save = NULL;
    strtok_r(line, " \t", &save); /* port */
    char *profile = strtok_r(NULL, " \t", &save);
    v->profile = profile;
    char *tok;
    while ((tok = strtok_r(NULL, " \t", &save)) && v->nformats < SDP_MAX_FORMATS) {
        char *end;
        long pt = strtol(tok, &end, 10);
        if (end != tok && !*end && pt >= 0 && pt < 128)
            v->formats[v->nformats++] = (int)pt;
    }
}

/* Notes one attribute line of the video section. */
static void parse_video_attr(const char *a, sdp_video *v)
{
    const char *rest;
    int i;
    if (!strncmp(a, "rtpmap:", 7) && (i = format_index(v, a + 7, &rest)) >= 0)
        v->rtpmap[i] = rest;
    else if (!strncmp(a, "fmtp:", 5) && (i = format_index(v, a + 5, &rest)) >= 0)
        v->fmtp[i] = rest;
    else if (!strncmp(a, "control:", 8))
        v->control = skip_ws(a + 8);
}

/* The name of a static RTP video payload type (RFC 3551), or NULL. */
static const char *static_encoding(int pt)
{
    switch (pt) {
    case 26:
        return "JPEG";
    case 31:
        return "H261";
    case 32:
        return "MPV";
    case 33:
        return "MP2T";
    case 34:
        return "H263";
    default:
        return NULL;
    }
}

/* The encoding name of an rtpmap value ("H264/90000"), g_malloc'd; it
 * ends up in messages for operators, so only printable ASCII is kept. */
static char *rtpmap_encoding(const char *rtpmap)
{
    size_t n = strcspn(rtpmap, "/ \t");
    char *name = g_strndup(rtpmap, MIN(n, 32));
    for (char *c = name; *c; c++)
        if (*c < ' ' || *c > '~')
            *c = '?';
    return name;
}

/* Decodes one base64 parameter set, g_malloc'd. Some cameras leave out the
 * '=' padding, and g_base64_decode would drop the last partial group (the
 * NAL unit's final byte). */
static guchar *decode_parameter_set(const char *b64, gsize *len)
{
    size_t n = strlen(b64);
    char *padded = g_strnfill(n + (4 - n % 4) % 4, '=');
    memcpy(padded, b64, n);
    guchar *nal = g_base64_decode(padded, len);
    g_free(padded);
    return nal;
}

/* Keeps the first SPS and PPS of a sprop-parameter-sets value (n bytes). */
static void parse_sprop(const char *value, size_t n, rtsp_sdp *s)
{
    char *copy = g_strndup(value, n);
    char **sets = g_strsplit(copy, ",", 16);
    for (char **set = sets; *set; set++) {
        gsize len = 0;
        guchar *nal = **set ? decode_parameter_set(*set, &len) : NULL;
        int type = nal && len ? nal[0] & 0x1f : 0;
        if (type == 7 && !s->sps) {
            s->sps = nal;
            s->sps_len = len;
        } else if (type == 8 && !s->pps) {
            s->pps = nal;
            s->pps_len = len;
        } else {
            g_free(nal);
        }
    }
    g_strfreev(sets);
    g_free(copy);
}

/* Keeps in *nal the first parameter set of an H.265 sprop-vps, sprop-sps or
 * sprop-pps value (n bytes) whose NAL unit type is type (32, 33, 34). */
static void parse_h265_sprop(const char *value, size_t n, unsigned type, uint8_t **nal,
                             size_t *nal_len)
{
    char *copy = g_strndup(value, n);
    char **sets = g_strsplit(copy, ",", 16);
    for (char **set = sets; *set && !*nal; set++) {
        gsize len = 0;
        guchar *unit = **set ? decode_parameter_set(*set, &len) : NULL;
        if (unit && len >= 2 && ((unit[0] >> 1) & 0x3fu) == type) {
            *nal = unit;
            *nal_len = len;
        } else {
            g_free(unit);
        }
    }
    g_strfreev(sets);
    g_free(copy);
}

/* Whether the fmtp parameter at p (klen bytes of name) is called name. */
static int fmtp_key(const char *p, size_t klen, const char *name)
{
    return klen == strlen(name) && !g_ascii_strncasecmp(p, name, klen);
}

/* Notes one H.265 fmtp parameter (RFC 7798 §7.1). */
static void parse_h265_param(const char *key, size_t klen, const char *val, size_t vlen,
                             rtsp_sdp *s)
{
    if (fmtp_key(key, klen, "sprop-vps"))
        parse_h265_sprop(val, vlen, 32, &s->vps, &s->vps_len);
    else if (fmtp_key(key, klen, "sprop-sps"))
        parse_h265_sprop(val, vlen, 33, &s->sps, &s->sps_len);
    else if (fmtp_key(key, klen, "sprop-pps"))
        parse_h265_sprop(val, vlen, 34, &s->pps, &s->pps_len);
    else if (fmtp_key(key, klen, "sprop-max-don-diff"))
        s->max_don_diff = strtoul(val, NULL, 10);
    else if (fmtp_key(key, klen, "sprop-depack-buf-nalus"))
        s->depack_buf_nalus = strtoul(val, NULL, 10);
}

/* Notes one H.264 fmtp parameter (RFC 6184 §8.1). */
static void parse_h264_param(const char *key, size_t klen, const char *val, size_t vlen,
                             rtsp_sdp *s)
{
    if (fmtp_key(key, klen, "sprop-parameter-sets"))
        parse_sprop(val, vlen, s);
    else if (fmtp_key(key, klen, "packetization-mode"))
        s->packetization_mode = atoi(val);
}

/* Parses the "k=v;k=v" parameters of an fmtp value: H.264's, or with h265
 * set H.265's. A name without a value is skipped. */
static void parse_fmtp(const char *fmtp, int h265, rtsp_sdp *s)
{
    const char *p = fmtp;
    while (*p) {
        p = skip_ws(p);
        size_t n = strcspn(p, ";");
        size_t klen = strcspn(p, "=;");
        const char *val = p + klen + 1;
        size_t vlen = klen < n ? rtrim_len(val, n - klen - 1) : 0;
        if (klen < n)
            (h265 ? parse_h265_param : parse_h264_param)(p, klen, val, vlen, s);
        p += n;
        if (*p == ';')
            p++;
    }
}

/* The index of the first format of v whose rtpmap names encoding, or -1. */
static int format_named(const sdp_video *v, const char *encoding)
{
    size_t n = strlen(encoding);
    for (size_t i = 0; i < v->nformats; i++)
        if (v->rtpmap[i] && !g_ascii_strncasecmp(v->rtpmap[i], encoding, n) &&
            v->rtpmap[i][n] == '/')
            return (int)i;
    return -1;
}

/* Fills s from the parsed video section. */
static void choose_format(const sdp_video *v, const char *base, const char *session_control,
                          rtsp_sdp *s)
{
    int h264 = format_named(v, "H264"), h265 = format_named(v, "H265");
    size_t chosen = h264 >= 0 ? (size_t)h264 : h265 >= 0 ? (size_t)h265 : 0;
    s->have_video = 1;
    s->profile = g_strdup(v->profile ? v->profile : "");
    s->control = rtsp_url_resolve(base, v->control);
    s->aggregate = rtsp_url_resolve(base, session_control);
    int pt = v->formats[chosen];
    if (v->rtpmap[chosen])
        s->encoding = rtpmap_encoding(v->rtpmap[chosen]);
    else if (static_encoding(pt))
        s->encoding = g_strdup(static_encoding(pt));
    else
        s->encoding = g_strdup_printf("payload type %d", pt);
    if (v->fmtp[chosen])
        parse_fmtp(v->fmtp[chosen], h264 < 0 && h265 >= 0, s);
}

int rtsp_sdp_parse(const char *sdp, size_t len, const char *base, rtsp_sdp *s)
{
    memset(s, 0, sizeof *s);
    enum { SESSION, VIDEO, OTHER } section = SESSION;
    sdp_video v = {0};
    const char *session_control = NULL;
    char *text = g_strndup(sdp, len);
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        line[rtrim_len(line, strlen(line))] = '\0';
        if (!strncmp(line, "m=", 2)) {
            if (section == VIDEO)
                break; /* only the first video section counts */
            section = strncmp(line, "m=video ", 8) ? OTHER : VIDEO;
            if (section == VIDEO)
                parse_m_line(line + 8, &v);
            continue;
        }
        if (section == VIDEO && !strncmp(line, "a=", 2))
            parse_video_attr(line + 2, &v);
        else if (section == SESSION && !strncmp(line, "a=control:", 10))
            session_control = skip_ws(line + 10);
    }
    if (v.nformats)
        choose_format(&v, base, session_control, s);
    g_free(text);
    return s->have_video ? 0 : -1;
}

void rtsp_sdp_clear(rtsp_sdp *s)
{
    g_free(s->encoding);
    g_free(s->profile);
    g_free(s->control);
    g_free(s->aggregate);
    g_free(s->vps);
    g_free(s->sps);
    g_free(s->pps);
    memset(s, 0, sizeof *s);
}

/* ---- authentication ---- */

/* Reads one auth-param "name=value" or "name=\"quoted\"" at p (after
 * separators); *name and *value g_malloc'd. Returns the position after it,
 * or NULL at the end or at something that is not a parameter. */
static const char *next_param(const char *p, char **name, char **value)
{
    while (*p == ' ' || *p == '\t' || *p == ',')
        p++;
    size_t nlen = strcspn(p, "= \t,");
    if (!nlen || p[nlen] != '=')
        return NULL;
    *name = g_strndup(p, nlen);
    p += nlen + 1;
    GString *v = g_string_new(NULL);
    if (*p == '"') {
        for (p++; *p && *p != '"'; p++) {
            if (*p == '\\' && p[1])
                p++;
            g_string_append_c(v, *p);
        }
        if (*p == '"')
            p++;
    } else {
        size_t vlen = strcspn(p, " \t,");
        g_string_append_len(v, p, (gssize)vlen);
        p += vlen;
    }
    *value = g_string_free(v, FALSE);
    return p;
}

/* Whether the comma-separated list holds the token "auth". */
static int qop_has_auth(const char *list)
{
    char **tokens = g_strsplit(list, ",", 8);
    int found = 0;
    for (char **t = tokens; *t && !found; t++)
        found = !strcmp(g_strstrip(*t), "auth");
    g_strfreev(tokens);
    return found;
}

/* Takes one Digest/Basic parameter into a (name and value are consumed). */
static void take_param(rtsp_auth *a, char *name, char *value)
{
    char **slot = NULL;
    if (!g_ascii_strcasecmp(name, "realm"))
        slot = &a->realm;
    else if (!g_ascii_strcasecmp(name, "nonce"))
        slot = &a->nonce;
    else if (!g_ascii_strcasecmp(name, "opaque"))
        slot = &a->opaque;
    else if (!g_ascii_strcasecmp(name, "algorithm"))
        slot = &a->algorithm;
    else if (!g_ascii_strcasecmp(name, "qop"))
        a->qop_auth = qop_has_auth(value);
    else if (!g_ascii_strcasecmp(name, "stale"))
        a->stale = !g_ascii_strcasecmp(value, "true");
    if (slot && !*slot) {
        *slot = value;
        value = NULL;
    }
    g_free(name);
    g_free(value);
}

int rtsp_auth_parse(const char *challenge, rtsp_auth *a)
{
    memset(a, 0, sizeof *a);
    const char *p = skip_ws(challenge);
    size_t slen = strcspn(p, " \t");
    if (slen == 5 && !g_ascii_strncasecmp(p, "Basic", 5))
        a->scheme = RTSP_AUTH_BASIC;
    else if (slen == 6 && !g_ascii_strncasecmp(p, "Digest", 6))
        a->scheme = RTSP_AUTH_DIGEST;
    else
        return -1;
    p += slen;
    char *name, *value;
    while ((p = next_param(p, &name, &value)))
        take_param(a, name, value);
    if (a->scheme == RTSP_AUTH_BASIC)
        return 0;
    if (!a->nonce)
        goto bad;
    if (a->algorithm && !g_ascii_strcasecmp(a->algorithm, "SHA-256"))
        a->sha256 = 1;
    else if (a->algorithm && g_ascii_strcasecmp(a->algorithm, "MD5"))
        goto bad;
    return 0;
bad:
    rtsp_auth_clear(a);
    return -1;
}

int rtsp_auth_choose(const rtsp_message *m, rtsp_auth *a)
{
    rtsp_auth basic = {0};
    const char *v;
    memset(a, 0, sizeof *a);
    for (unsigned i = 0; (v = rtsp_message_header(m, "WWW-Authenticate", i)); i++) {
        rtsp_auth got;
        if (rtsp_auth_parse(v, &got))
            continue;
        if (got.scheme == RTSP_AUTH_DIGEST) {
            rtsp_auth_clear(&basic);
            *a = got;
            return 0;
        }
        if (basic.scheme == RTSP_AUTH_NONE)
            basic = got;
        else
            rtsp_auth_clear(&got);
    }
    *a = basic;
    return a->scheme == RTSP_AUTH_NONE ? -1 : 0;
}

void rtsp_auth_clear(rtsp_auth *a)
{
    g_free(a->realm);
    g_free(a->nonce);
    g_free(a->opaque);
    g_free(a->algorithm);
    memset(a, 0, sizeof *a);
}

/* Appends s to out as the inside of a quoted-string: quotes and backslashes
 * escaped, control characters dropped (they could end the header). */
static void append_quoted(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (; s && *s; s++) {
        if ((unsigned char)*s < ' ' || *s == 0x7f)
            continue;
        if (*s == '"' || *s == '\\')
            g_string_append_c(out, '\\');
        g_string_append_c(out, *s);
    }
    g_string_append_c(out, '"');
}

static char *basic_header(const char *user, const char *password)
{
    char *plain = g_strconcat(user, ":", password, NULL);
    char *b64 = g_base64_encode((const guchar *)plain, strlen(plain));
    free_secret(plain);
    char *header = g_strconcat("Basic ", b64, NULL);
    free_secret(b64);
    return header;
}

/* The Digest response hash (RFC 2617 §3.2.2.1, RFC 7616 §3.4.1); *nc_text
 * receives the nonce count used with qop=auth. */
static char *digest_response(rtsp_auth *a, const char *user, const char *password,
                             const char *method, const char *uri, const char *cnonce,
                             char nc_text[9])
{
    GChecksumType type = a->sha256 ? G_CHECKSUM_SHA256 : G_CHECKSUM_MD5;
    char *a1 = g_strjoin(":", user, a->realm ? a->realm : "", password, NULL);
    char *ha1 = g_compute_checksum_for_string(type, a1, -1);
    free_secret(a1);
    char *a2 = g_strconcat(method, ":", uri, NULL);
    char *ha2 = g_compute_checksum_for_string(type, a2, -1);
    g_free(a2);
    char *kd;
    if (a->qop_auth) {
        a->nc++;
        g_snprintf(nc_text, 9, "%08x", a->nc);
        kd = g_strjoin(":", ha1, a->nonce, nc_text, cnonce, "auth", ha2, NULL);
    } else {
        kd = g_strjoin(":", ha1, a->nonce, ha2, NULL);
    }
    char *response = g_compute_checksum_for_string(type, kd, -1);
    free_secret(ha1);
    g_free(ha2);
    g_free(kd);
    return response;
}

static char *digest_header(rtsp_auth *a, const char *user, const char *password, const char *method,
                           const char *uri, const char *cnonce)
{
    char random_cnonce[17];
    if (!cnonce) {
        g_snprintf(random_cnonce, sizeof random_cnonce, "%08x%08x", g_random_int(), g_random_int());
        cnonce = random_cnonce;
    }
    char nc[9] = "";
    char *response = digest_response(a, user, password, method, uri, cnonce, nc);
    GString *h = g_string_new("Digest username=");
    append_quoted(h, user);
    g_string_append(h, ", realm=");
    append_quoted(h, a->realm);
    g_string_append(h, ", nonce=");
    append_quoted(h, a->nonce);
    g_string_append(h, ", uri=");
    append_quoted(h, uri);
    g_string_append(h, ", response=");
    append_quoted(h, response);
    if (a->algorithm)
        g_string_append(h, a->sha256 ? ", algorithm=SHA-256" : ", algorithm=MD5");
    if (a->opaque) {
        g_string_append(h, ", opaque=");
        append_quoted(h, a->opaque);
    }
    if (a->qop_auth) {
        g_string_append_printf(h, ", qop=auth, nc=%s, cnonce=", nc);
        append_quoted(h, cnonce);
    }
    g_free(response);
    return g_string_free(h, FALSE);
}

char *rtsp_auth_header(rtsp_auth *a, const char *user, const char *password, const char *method,
                       const char *uri, const char *cnonce)
{
    if (!user)
        user = "";
    if (!password)
        password = "";
    if (a->scheme == RTSP_AUTH_DIGEST)
        return digest_header(a, user, password, method, uri, cnonce);
    return basic_header(user, password);
}
