#include "json_pointer.h"

#include <stdlib.h>
#include <string.h>

/* Decodes one reference token [s, end) into out (size > end - s). Returns 0,
 * or -1 for a bad ~ escape. */
static int decode_token(const char *s, const char *end, char *out)
{
    while (s < end) {
        if (*s != '~') {
            *out++ = *s++;
            continue;
        }
        if (s + 1 >= end || (s[1] != '0' && s[1] != '1'))
            return -1;
        *out++ = s[1] == '0' ? '~' : '/';
        s += 2;
    }
    *out = '\0';
    return 0;
}

/* An array index: decimal, no sign, no leading zero. Returns -1 otherwise. */
static long array_index(const char *token)
{
    size_t n = strlen(token);
    if (n == 0 || n > 9 || (n > 1 && token[0] == '0'))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (token[i] < '0' || token[i] > '9')
            return -1;
    return strtol(token, NULL, 10);
}

/* One pointer step from at (borrowed); a borrowed reference or NULL. */
static json_t *step(json_t *at, const char *token)
{
    if (json_is_object(at))
        return json_object_get(at, token);
    if (!json_is_array(at))
        return NULL;
    long i = array_index(token);
    return i < 0 ? NULL : json_array_get(at, (size_t)i);
}

json_t *pt_json_pointer(const json_t *root, const char *pointer)
{
    json_t *at = (json_t *)root;
    if (!root || !pointer || !pt_json_pointer_valid(pointer))
        return NULL;
    char *token = malloc(strlen(pointer) + 1);
    if (!token)
        return NULL;
    const char *p = pointer;
    while (at && *p == '/') {
        const char *start = p + 1;
        const char *end = strchr(start, '/');
        if (!end)
            end = start + strlen(start);
        decode_token(start, end, token);
        at = step(at, token);
        p = end;
    }
    free(token);
    return at;
}

bool pt_json_pointer_valid(const char *pointer)
{
    if (!pointer)
        return false;
    if (*pointer && *pointer != '/')
        return false;
    for (const char *s = pointer; *s; s++) {
        if (*s == '~' && s[1] != '0' && s[1] != '1')
            return false;
    }
    return true;
}
