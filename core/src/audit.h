/* audit.h - the audit log: one JSON line per change, flushed before the
 * change is acknowledged. */
#ifndef PANTAU_AUDIT_H
#define PANTAU_AUDIT_H

#include "config_check.h"
#include "pantau_error.h"
#include "server.h"
#include "session.h"

#include <glib.h>

typedef struct audit_log audit_log;

/* Checks the config's "audit" section (NULL when absent). */
void audit_config_check(config_checker *c, const json_t *section, const config_sections *ids);

/* Opens the audit log the config names (default: audit.jsonl in the state
 * directory). NULL (logged) when it cannot be opened. */
audit_log *audit_log_open(pantau_server *srv);
void audit_log_close(audit_log *log);

/* Appends a line for action (an op name, "login", ...) by session s (may be
 * NULL) on wall_id (may be NULL) with the wall's version before and after
 * (-1: none), and flushes it to disk. Returns 0, or -1 with err set when
 * the line could not be written. Without an audit log configured, does
 * nothing and returns 0. */
int audit_record(pantau_server *srv, const session *s, const char *action, const char *wall_id,
                 gint64 version_before, gint64 version_after, pantau_error *err);

#endif
