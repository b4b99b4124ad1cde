#include "pantau_error.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

/* Makes s valid UTF-8 in place: a character cut at the end (by a precision
 * like %.64s or by the buffer's size) is dropped, a broken byte inside is
 * replaced by '?'. A reply with invalid UTF-8 cannot be encoded as JSON and
 * would be lost. */
static void utf8_mend(char *s)
{
    const char *end;
    while (!g_utf8_validate(s, -1, &end)) {
        char *bad = (char *)end;
        if (g_utf8_get_char_validated(bad, (gssize)strlen(bad)) == (gunichar)-2) {
            *bad = '\0'; /* an incomplete character at the end */
            return;
        }
        *bad = '?';
        s = bad + 1;
    }
}

int error_set(pantau_error *err, const char *code, const char *field, const char *fmt, ...)
{
    if (!err)
        return -1;
    err->code = code;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    utf8_mend(err->field);
    utf8_mend(err->message);
    return -1;
}

void error_prefix_field(pantau_error *err, const char *prefix)
{
    if (!err || !prefix || !*prefix)
        return;
    char joined[sizeof err->field + 64];
    if (!err->field[0])
        snprintf(joined, sizeof joined, "%s", prefix);
    else if (err->field[0] == '[')
        snprintf(joined, sizeof joined, "%s%s", prefix, err->field);
    else
        snprintf(joined, sizeof joined, "%s.%s", prefix, err->field);
    snprintf(err->field, sizeof err->field, "%.*s", (int)sizeof err->field - 1, joined);
    utf8_mend(err->field);
}
