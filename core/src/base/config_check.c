#include "config_check.h"

#include "json_locate.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

void config_fail(config_checker *c, const char *json_path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (!c->path) {
        if (!c->first_path)
            c->first_path = g_strdup(json_path);
        g_ptr_array_add(c->errors,
                        g_strdup_printf("%s: %s", *json_path ? json_path : "(root)", msg));
        g_free(msg);
        return;
    }
    int line = 1, column = 1;
    json_locate(c->text, c->len, json_path, &line, &column);
    g_ptr_array_add(c->errors, g_strdup_printf("%s:%d:%d: %s: %s", c->path, line, column,
                                               *json_path ? json_path : "(root)", msg));
    g_free(msg);
}

void config_check_keys(config_checker *c, const json_t *obj, const char *at,
                       const char *const *allowed)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strcmp(*a, key) == 0;
        if (!known) {
            char *p = *at ? g_strdup_printf("%s.%s", at, key) : g_strdup(key);
            config_fail(c, p, "unknown key '%s'", key);
            g_free(p);
        }
    }
}
