/* json_pointer.h - RFC 6901 JSON pointers over jansson values. */
#ifndef PANTAU_PLUGIN_JSON_POINTER_H
#define PANTAU_PLUGIN_JSON_POINTER_H

#include <jansson.h>
#include <stdbool.h>

/* The value at pointer inside root (both borrowed), or NULL if there is none.
 * "" is root itself; "/a/0/b~1c" walks objects and arrays; a malformed
 * pointer (not starting with '/', a bad ~ escape, a non-decimal index)
 * finds nothing. Returns a borrowed reference into root. */
json_t *pt_json_pointer(const json_t *root, const char *pointer);

/* Whether pointer is well formed ("" or "/..." with valid ~0 ~1 escapes). */
bool pt_json_pointer_valid(const char *pointer);

#endif /* PANTAU_PLUGIN_JSON_POINTER_H */
