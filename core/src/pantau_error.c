#include "pantau_error.h"

#include <stdio.h>
#include <string.h>

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
}
