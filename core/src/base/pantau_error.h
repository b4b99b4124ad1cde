/* pantau_error.h - one error value shared by the model, the operations and
 * the config checker: a stable code, the JSON path of the field at fault and
 * a message for people. */
#ifndef PANTAU_ERROR_H
#define PANTAU_ERROR_H

#include <stdarg.h>

/* Stable error codes of the protocol (docs/protocol.md). */
#define ERR_BAD_JSON "bad_json"
#define ERR_BAD_REQUEST "bad_request"
#define ERR_UNKNOWN_OP "unknown_op"
#define ERR_NOT_FOUND "not_found"
#define ERR_CONFLICT "conflict"
#define ERR_INVALID_LAYOUT "invalid_layout"
#define ERR_EXISTS "exists"
#define ERR_RATE_LIMITED "rate_limited"
#define ERR_INTERNAL "internal"
#define ERR_FORBIDDEN "forbidden"
#define ERR_LIMIT "limit"
#define ERR_DEVICE "device" /* a camera or its plugin refused or failed a control action */
#define ERR_BUSY "busy"     /* another operator steers the camera now */
#define ERR_UNAVAILABLE "unavailable" /* a cluster's shared store cannot take changes now */

typedef struct pantau_error {
    const char *code; /* one of ERR_*, a string literal; NULL when no error */
    char field[160];  /* JSON path of the field at fault, "" when none */
    char message[320];
} pantau_error;

/* Fills err (if not NULL) and returns -1, so callers can `return error_set(...)`. */
int error_set(pantau_error *err, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Prefixes err->field with prefix ("layout" + "tiles[1].w" -> "layout.tiles[1].w"). */
void error_prefix_field(pantau_error *err, const char *prefix);

#endif
