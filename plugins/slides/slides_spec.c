/* slides_spec.c - settings of slide sources, checked and published. */
#include "slides_spec.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sets *error to a malloc'd copy of msg and returns NULL. */
static json_t *fail(char **error, const char *msg)
{
    *error = strdup(msg);
    return NULL;
}

static bool segment_char_ok(char c)
{
    return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-';
}

/* Whether name ends in ext, ignoring case. */
static bool has_ext(const char *name, const char *ext)
{
    size_t n = strlen(name), e = strlen(ext);
    if (n <= e)
        return false;
    for (size_t i = 0; i < e; i++)
        if (tolower((unsigned char)name[n - e + i]) != ext[i])
            return false;
    return true;
}

bool slides_file_ok(const char *name, const char *const *exts)
{
    if (!name || !*name || strlen(name) > SLIDES_FILE_MAX || name[0] == '/')
        return false;
    const char *seg = name;
    for (const char *p = name;; p++) {
        if (*p == '/' || *p == '\0') {
            size_t len = (size_t)(p - seg);
            if (len == 0 || (len == 1 && seg[0] == '.') || (len == 2 && !strncmp(seg, "..", 2)))
                return false;
            if (*p == '\0')
                break;
            seg = p + 1;
        } else if (!segment_char_ok(*p)) {
            return false;
        }
    }
    for (const char *const *e = exts; *e; e++)
        if (has_ext(name, *e))
            return true;
    return false;
}

static bool string_ok(const json_t *v)
{
    return json_is_string(v) && json_string_length(v) <= SLIDES_TEXT_MAX;
}

bool slides_text_ok(const json_t *v)
{
    if (string_ok(v))
        return true;
    if (!json_is_object(v) || json_object_size(v) == 0)
        return false;
    const char *key;
    json_t *t;
    json_object_foreach((json_t *)v, key, t)
    {
        if ((strcmp(key, "en") != 0 && strcmp(key, "id") != 0) || !string_ok(t))
            return false;
    }
    return true;
}

/* The optional text member key of settings: true when absent or valid. */
static bool optional_text_ok(const json_t *settings, const char *key)
{
    const json_t *v = json_object_get(settings, key);
    return !v || json_is_null(v) || slides_text_ok(v);
}

json_t *slides_image_data(const json_t *settings, char **error)
{
    static const char *const exts[] = {".png", ".jpg", ".jpeg", NULL};
    const char *file = json_string_value(json_object_get(settings, "file"));
    const char *fit = json_string_value(json_object_get(settings, "fit"));
    if (!slides_file_ok(file, exts))
        return fail(error, "file must name a PNG or JPEG in the slides folder "
                           "(letters, digits, . _ - and /)");
    if (fit && strcmp(fit, "contain") != 0 && strcmp(fit, "cover") != 0)
        return fail(error, "fit must be \"contain\" or \"cover\"");
    if (!optional_text_ok(settings, "title"))
        return fail(error, "title must be a string or {\"en\", \"id\"}");
    char url[SLIDES_FILE_MAX + 16];
    snprintf(url, sizeof url, "/slides/%s", file);
    json_t *title = json_object_get(settings, "title");
    return json_pack("{s:s, s:s, s:s, s:O?}", "type", "image", "url", url, "fit",
                     fit ? fit : "contain", "title", json_is_null(title) ? NULL : title);
}

/* Copies the text member key of settings (if any) into data. */
static void copy_text(json_t *data, const json_t *settings, const char *key)
{
    json_t *v = json_object_get(settings, key);
    if (v && !json_is_null(v))
        json_object_set(data, key, v);
}

static bool bullets_ok(const json_t *bullets)
{
    if (!bullets)
        return true;
    if (!json_is_array(bullets) || json_array_size(bullets) > SLIDES_BULLETS_MAX)
        return false;
    size_t i;
    const json_t *b;
    json_array_foreach(bullets, i, b) if (!slides_text_ok(b)) return false;
    return true;
}

json_t *slides_text_data(const json_t *settings, char **error)
{
    static const char *const exts[] = {".json", NULL};
    const json_t *file = json_object_get(settings, "file");
    const json_t *bullets = json_object_get(settings, "bullets");
    if (file && !json_is_null(file) && json_string_length(file) > 0) {
        if (!slides_file_ok(json_string_value(file), exts))
            return fail(error, "file must name a .json slide in the slides folder");
        char url[SLIDES_FILE_MAX + 16];
        snprintf(url, sizeof url, "/slides/%s", json_string_value(file));
        return json_pack("{s:s, s:s}", "type", "text", "url", url);
    }
    if (!json_object_get(settings, "title") || !slides_text_ok(json_object_get(settings, "title")))
        return fail(error, "a text slide needs a title (string or {\"en\", \"id\"}) or a file");
    if (!optional_text_ok(settings, "subtitle") || !optional_text_ok(settings, "footer"))
        return fail(error, "subtitle and footer must be strings or {\"en\", \"id\"}");
    if (!bullets_ok(bullets))
        return fail(error, "bullets must be an array of at most 12 texts");
    json_t *data = json_pack("{s:s}", "type", "text");
    copy_text(data, settings, "title");
    copy_text(data, settings, "subtitle");
    copy_text(data, settings, "footer");
    json_object_set_new(data, "bullets", bullets ? json_deep_copy(bullets) : json_array());
    return data;
}
