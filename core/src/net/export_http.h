/* export_http.h - GET /export.mp4?source=ID&from=MS&to=MS: a clip of a
 * camera's recording as one MP4 file (remuxed, moov first), for users
 * with the playback permission, audited (who, camera, range). */
#ifndef PANTAU_EXPORT_HTTP_H
#define PANTAU_EXPORT_HTTP_H

#include "audit.h"
#include "auth.h"
#include "recordings.h"

#include <glib.h>

/* The longest clip one request may ask for. */
#define EXPORT_MAX_MS (60 * 60 * 1000)

/* The answer, on the main loop, exactly once: status, mime (a literal) and
 * body (stolen). */
typedef void (*export_reply_fn)(unsigned status, const char *mime, GBytes *body, void *user);

/* What an export uses (borrowed, outlive every export). */
typedef struct export_deps {
    recordings *recordings; /* NULL: nothing is recorded (404) */
    audit_log *audit;       /* NULL: no audit log */
} export_deps;

/* Starts the export asked by who (borrowed; NULL: no login, an admin) from
 * address (may be NULL) with the query's source, from and to (borrowed,
 * may be NULL). Bad or missing fields are answered 400 naming the field, a
 * user without the playback permission 403; the file is written off the
 * main loop. */
void export_http_start(const export_deps *deps, const auth_principal *who, const char *address,
                       const char *source, const char *from, const char *to, export_reply_fn done,
                       void *user);

/* Main loop, at shutdown (before the HTTP server goes): cancels the
 * exports running and answers their requests 503 (the server is stopping)
 * at once, without waiting for their threads (a disk may be slower than a
 * stop may take): those hold what they use and leave no file behind. Later
 * exports are refused. */
void export_http_shutdown(void);

#endif
