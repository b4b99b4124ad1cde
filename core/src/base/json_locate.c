#include "json_locate.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct scanner {
    const char *p, *end;
    int line, column;
} scanner;

static void advance(scanner *s)
{
    if (*s->p == '\n') {
        s->line++;
        s->column = 1;
    } else if (((unsigned char)*s->p & 0xC0) != 0x80) {
        s->column++; /* count characters, not UTF-8 continuation bytes */
    }
    s->p++;
}

static void skip_space(scanner *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        advance(s);
}

/* Reads a string token; copies up to cap-1 bytes of its raw content to out. */
static int scan_string(scanner *s, char *out, size_t cap)
{
    if (s->p >= s->end || *s->p != '"')
        return -1;
    advance(s);
    size_t n = 0;
    while (s->p < s->end && *s->p != '"') {
        if (*s->p == '\\') {
            advance(s);
            if (s->p >= s->end)
                return -1;
        }
        if (out && n + 1 < cap)
            out[n++] = *s->p;
        advance(s);
    }
    if (s->p >= s->end)
        return -1;
    advance(s);
    if (out)
        out[n] = '\0';
    return 0;
}

static int skip_value(scanner *s);

static int skip_container(scanner *s, char close)
{
    advance(s);
    skip_space(s);
    if (s->p < s->end && *s->p == close) {
        advance(s);
        return 0;
    }
    for (;;) {
        skip_space(s);
        if (close == '}') {
            if (scan_string(s, NULL, 0))
                return -1;
            skip_space(s);
            if (s->p >= s->end || *s->p != ':')
                return -1;
            advance(s);
            skip_space(s);
        }
        if (skip_value(s))
            return -1;
        skip_space(s);
        if (s->p >= s->end)
            return -1;
        if (*s->p == close) {
            advance(s);
            return 0;
        }
        if (*s->p != ',')
            return -1;
        advance(s);
    }
}

static int skip_value(scanner *s)
{
    skip_space(s);
    if (s->p >= s->end)
        return -1;
    switch (*s->p) {
    case '{':
        return skip_container(s, '}');
    case '[':
        return skip_container(s, ']');
    case '"':
        return scan_string(s, NULL, 0);
    default:
        while (s->p < s->end && !strchr(",]} \t\r\n", *s->p))
            advance(s);
        return 0;
    }
}

/* Reads the next path step: a key ("name") or an index ("[3]"). */
static const char *next_step(const char *path, char *key, size_t cap, long *index)
{
    *index = -1;
    if (*path == '.')
        path++;
    if (*path == '[') {
        char *endp;
        *index = strtol(path + 1, &endp, 10);
        return *endp == ']' ? endp + 1 : NULL;
    }
    size_t n = 0;
    while (*path && *path != '.' && *path != '[') {
        if (n + 1 < cap)
            key[n++] = *path;
        path++;
    }
    key[n] = '\0';
    return path;
}

/* Moves s into the member `key` of the object at s. Returns 0 found, 1 not. */
static int enter_member(scanner *s, const char *key)
{
    advance(s);
    skip_space(s);
    if (s->p < s->end && *s->p == '}')
        return 1;
    for (;;) {
        char name[256];
        skip_space(s);
        if (scan_string(s, name, sizeof name))
            return -1;
        skip_space(s);
        if (s->p >= s->end || *s->p != ':')
            return -1;
        advance(s);
        skip_space(s);
        if (strcmp(name, key) == 0)
            return 0;
        if (skip_value(s))
            return -1;
        skip_space(s);
        if (s->p >= s->end || *s->p != ',')
            return 1;
        advance(s);
    }
}

static int enter_element(scanner *s, long index)
{
    advance(s);
    for (long i = 0;; i++) {
        skip_space(s);
        if (s->p >= s->end || *s->p == ']')
            return 1;
        if (i == index)
            return 0;
        if (skip_value(s))
            return -1;
        skip_space(s);
        if (s->p >= s->end || *s->p != ',')
            return 1;
        advance(s);
    }
}

int json_locate(const char *text, size_t len, const char *path, int *line, int *column)
{
    scanner s = {text, text + len, 1, 1};
    skip_space(&s);
    *line = s.line;
    *column = s.column;
    while (path && *path) {
        char key[256];
        long index;
        path = next_step(path, key, sizeof key, &index);
        if (!path)
            return -1;
        scanner save = s;
        int r;
        if (index >= 0 && s.p < s.end && *s.p == '[')
            r = enter_element(&s, index);
        else if (index < 0 && s.p < s.end && *s.p == '{')
            r = enter_member(&s, key);
        else
            r = 1;
        if (r != 0) {
            s = save;
            *line = s.line;
            *column = s.column;
            return r;
        }
        *line = s.line;
        *column = s.column;
    }
    return 0;
}
