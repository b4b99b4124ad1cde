/* fuzz_rtsp_message.c - what the lean RTSP client (plugins/cctv) makes of the
 * bytes a camera sends on its connection: interleaved frames skipped, RTSP
 * messages parsed one after another, then the headers the client reads
 * (Session, Transport, WWW-Authenticate with the Authorization answered,
 * Content-Base resolved and parsed as a URL). */
#include "rtsp_proto.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The headers of one parsed message, as rtsp_client.c uses them. */
static void use_headers(const rtsp_message *m)
{
    char *id = NULL;
    unsigned timeout_s = 0;
    const char *session = rtsp_message_header(m, "Session", 0);
    if (session && rtsp_parse_session(session, &id, &timeout_s) == 0 && (!id || !*id))
        abort();
    g_free(id);
    const char *transport = rtsp_message_header(m, "Transport", 0);
    if (transport)
        rtsp_parse_interleaved(transport);
    rtsp_auth auth;
    if (rtsp_auth_choose(m, &auth) == 0) {
        /* A fixed cnonce keeps the run deterministic. */
        char *header =
            rtsp_auth_header(&auth, "admin", "secret", "DESCRIBE", "rtsp://cam/1", "0a4f113b");
        g_free(header);
        rtsp_auth_clear(&auth);
    }
    const char *base = rtsp_message_header(m, "Content-Base", 0);
    if (base) {
        char *control = rtsp_url_resolve(base, "trackID=1");
        rtsp_url url;
        if (rtsp_url_parse(control, &url) == 0)
            rtsp_url_clear(&url);
        g_free(control);
    }
}

/* One frame or message at p, as the client's parse_one(): the bytes it
 * takes, 0 when incomplete, -1 when malformed. */
static long take_one(const char *p, size_t avail)
{
    if (p[0] == '$') {
        if (avail < 4)
            return 0;
        size_t n = (size_t)(uint8_t)p[2] << 8 | (uint8_t)p[3];
        return avail < 4 + n ? 0 : (long)(4 + n);
    }
    if (p[0] == '\r' || p[0] == '\n')
        return 1;
    if (!g_ascii_isupper(p[0])) {
        const char *next = memchr(p, '$', avail);
        return next ? next - p : (long)avail;
    }
    rtsp_message m;
    long used = rtsp_message_parse(p, avail, &m);
    if (used <= 0)
        return used;
    if ((size_t)used > avail || (m.body && m.body[m.body_len] != '\0'))
        abort();
    use_headers(&m);
    rtsp_message_clear(&m);
    return used;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Exact size, not NUL-terminated: the client's input buffer is neither. */
    char *in = g_memdup2(data, size);
    size_t pos = 0;
    long used;
    while (pos < size && (used = take_one(in + pos, size - pos)) > 0)
        pos += (size_t)used;
    g_free(in);
    return 0;
}
