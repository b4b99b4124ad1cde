/* redact.c - removing URL passwords from strings. */
#include "redact.h"

#include <glib.h>
#include <string.h>

/* The end of a URL's authority: the first character that cannot be part of
 * it. '@' and ':' can, because passwords in camera configs carry them. */
static const char *authority_end(const char *p)
{
    while (*p && !strchr("/?# \t\r\n\"'<>", *p))
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
