/* slides_spec.h - checks a slide source's settings and turns them into the
 * data its web component draws. Pure: no host, no I/O. */
#ifndef PANTAU_SLIDES_SPEC_H
#define PANTAU_SLIDES_SPEC_H

#include <jansson.h>
#include <stdbool.h>

#define SLIDES_TEXT_MAX 2000
#define SLIDES_BULLETS_MAX 12
#define SLIDES_FILE_MAX 200

/* Whether name is a file in the slides folder the server will serve: a
 * relative path of [A-Za-z0-9._-] segments separated by '/', no "." or
 * ".." segment, ending in one of exts (NULL-terminated, lower case). */
bool slides_file_ok(const char *name, const char *const *exts);

/* Whether v (borrowed) is a slide text: a string or {"en": s, "id": s}. */
bool slides_text_ok(const json_t *v);

/* The data an `image` source publishes for settings (borrowed). Returns a
 * new reference, or NULL with *error set to a malloc'd message. */
json_t *slides_image_data(const json_t *settings, char **error);

/* The data a `text` source publishes for settings (borrowed). Returns a new
 * reference, or NULL with *error set to a malloc'd message. */
json_t *slides_text_data(const json_t *settings, char **error);

#endif
