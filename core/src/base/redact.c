/* redact.c - removing URL passwords and unprintable bytes from strings. */
#include "redact.h"

#include <glib.h>
#include <string.h>

/* The end of a URL's authority: the first character that cannot be part of
 * it. '@' and ':' can, because passwords in camera configs carry them; so
 * can quotes and angle brackets (a cut there would leave the password). */
static const char *authority_end(const char *p)
{
    while (*p && !strchr("/?# \t\r\n", *p))
        p++;
    return p;
}

char *redact_url_passwords(const char *s)
{
    if (!s)
        return NULL;
    GString *out = g_string_sized_new(strlen(s));
    const char *p = s;
    const char *scheme;
    while ((scheme = strstr(p, "://")) != NULL) {
        const char *userinfo = scheme + 3;
        const char *end = authority_end(userinfo);
        const char *at = g_strrstr_len(userinfo, end - userinfo, "@");
        const char *colon = at ? memchr(userinfo, ':', (size_t)(at - userinfo)) : NULL;
        if (!colon) {
            g_string_append_len(out, p, end - p);
            p = end;
            continue;
        }
        g_string_append_len(out, p, colon - p);
        p = at;
    }
    g_string_append(out, p);
    return g_string_free(out, FALSE);
}

char *redact_setting_url(const char *s)
{
    char *out = redact_url_passwords(s);
    char *scheme = out ? strstr(out, "://") : NULL;
    if (!scheme)
        return out;
    char *userinfo = scheme + 3;
    size_t token = strcspn(userinfo, " \t\r\n");
    char *at = g_strrstr_len(userinfo, (gssize)token, "@");
    char *colon = at ? memchr(userinfo, ':', (size_t)(at - userinfo)) : NULL;
    if (colon)
        memmove(colon, at, strlen(at) + 1);
    return out;
}

char *redact_printable(const char *s)
{
    if (!s)
        return NULL;
    char *valid = g_utf8_make_valid(s, -1);
    GString *out = g_string_sized_new(strlen(valid));
    for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
        gunichar ch = g_utf8_get_char(p);
        if (g_unichar_iscntrl(ch))
            g_string_append_c(out, '?');
        else
            g_string_append_unichar(out, ch);
    }
    g_free(valid);
    return g_string_free(out, FALSE);
}
