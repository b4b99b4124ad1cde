/* url_redact.c - strips credentials from URLs and messages before logging. */
#include "url_redact.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

/* Length of the URL authority starting at p (up to '/', '?', '#', white
 * space or end). Quotes and angle brackets do not end it: a password may
 * hold them, and a cut there would leave the password in place. */
static size_t authority_len(const char *p)
{
    size_t n = 0;
    while (p[n] && !strchr("/?# \t\r\n", p[n]))
        n++;
    return n;
}

/* Copies text into out without the userinfo of any URL; returns bytes written. */
static size_t strip_userinfo(const char *text, char *out)
{
    size_t o = 0;
    const char *p = text;
    const char *mark;
    while ((mark = strstr(p, "://"))) {
        mark += 3;
        memcpy(out + o, p, (size_t)(mark - p));
        o += (size_t)(mark - p);
        size_t alen = authority_len(mark);
        const char *at = memrchr(mark, '@', alen);
        p = at ? at + 1 : mark;
    }
    size_t rest = strlen(p);
    memcpy(out + o, p, rest);
    return o + rest;
}

/* Returns a malloc'd copy of s with every occurrence of secret replaced by "***". */
static char *mask_secret(const char *s, const char *secret)
{
    size_t slen = strlen(secret);
    size_t count = 0;
    for (const char *q = strstr(s, secret); q; q = strstr(q + slen, secret))
        count++;
    char *out = malloc(strlen(s) + count * 3 + 1);
    if (!out)
        return NULL;
    char *o = out;
    const char *q;
    while ((q = strstr(s, secret))) {
        memcpy(o, s, (size_t)(q - s));
        o += q - s;
        memcpy(o, "***", 3);
        o += 3;
        s = q + slen;
    }
    strcpy(o, s);
    return out;
}

char *cctv_redact(const char *text, const char *secret)
{
    if (!text)
        text = "";
    char *stripped = malloc(strlen(text) + 1);
    if (!stripped)
        return NULL;
    stripped[strip_userinfo(text, stripped)] = '\0';
    if (!secret || !*secret)
        return stripped;
    char *masked = mask_secret(stripped, secret);
    free(stripped);
    return masked;
}

int cctv_url_valid(const char *url)
{
    if (!url)
        return 0;
    const char *rest = NULL;
    if (!strncmp(url, "rtsp://", 7))
        rest = url + 7;
    else if (!strncmp(url, "rtsps://", 8))
        rest = url + 8;
    if (!rest)
        return 0;
    size_t alen = authority_len(rest);
    const char *at = memrchr(rest, '@', alen);
    const char *host = at ? at + 1 : rest;
    return host < rest + alen && *host != ':';
}

int cctv_url_at_after_host(const char *url)
{
    const char *rest = url ? strstr(url, "://") : NULL;
    if (!rest)
        return 0;
    rest += 3;
    rest += authority_len(rest);
    return strcspn(rest, " \t\r\n") > strcspn(rest, "@");
}

char *cctv_printable(const char *text, size_t max)
{
    static const char mark[] = "…";
    if (!text)
        return NULL;
    char *valid = g_utf8_make_valid(text, -1);
    GString *out = g_string_sized_new(strlen(valid));
    for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
        gunichar ch = g_utf8_get_char(p);
        if (g_unichar_iscntrl(ch))
            g_string_append_c(out, '?');
        else
            g_string_append_unichar(out, ch);
    }
    g_free(valid);
    if (out->len > max && max >= sizeof mark) {
        char *cut = g_utf8_find_prev_char(out->str, out->str + max - (sizeof mark - 1) + 1);
        g_string_truncate(out, (gsize)(cut - out->str));
        g_string_append(out, mark);
    }
    return g_string_free(out, FALSE);
}
