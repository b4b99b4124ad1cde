/* audit.h - the audit log: one JSON line per change, flushed before the
 * change is acknowledged. */
#ifndef PANTAU_AUDIT_H
#define PANTAU_AUDIT_H

#include "pantau_error.h"
#include "server.h"
#include "session.h"

#include <glib.h>

/* Appends a line for action (an op name, "login", ...) by session s (may be
 * NULL) on wall_id (may be NULL) with the wall's version before and after
 * (-1: none), and flushes it to disk. Returns 0, or -1 with err set when
 * the line could not be written. Without an audit log configured, does
 * nothing and returns 0. */
int audit_record(pantau_server *srv, const session *s, const char *action, const char *wall_id,
                 gint64 version_before, gint64 version_after, pantau_error *err);

#endif
