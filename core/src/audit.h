/* audit.h - the audit log: one JSON line per change, flushed before the
 * change is acknowledged (docs/security.md). */
#ifndef PANTAU_AUDIT_H
#define PANTAU_AUDIT_H

#include "config_check.h"
#include "ops.h"
#include "pantau_error.h"
#include "server.h"
#include "session.h"

#include <glib.h>
#include <stdbool.h>

typedef struct audit_log audit_log;

/* One line of the log. Strings are borrowed; NULL ones are written as
 * null (a NULL user as "system": the server itself). */
typedef struct audit_entry {
    const char *user;
    const char *role;
    const char *address;
    const char *action; /* an op name, "login", "login_failed", "logout" */
    const char *wall;
    gint64 version_before; /* -1: null */
    gint64 version_after;  /* -1: null */
    bool ok;
} audit_entry;

/* Checks the config's "audit" section (NULL when absent). */
void audit_config_check(config_checker *c, const json_t *section, const config_sections *ids);

/* Opens the audit log the config names (default: audit.jsonl in the state
 * directory). NULL when the config turns it off ("enabled": false). A log
 * that cannot be opened is logged and refuses every line, so that no
 * change is acknowledged unaudited. */
audit_log *audit_log_open(pantau_server *srv);
void audit_log_close(audit_log *log);

/* Appends e and flushes it to disk (fdatasync). Returns 0, or -1 with err
 * set (internal) when the line could not be written. Without an audit log,
 * does nothing and returns 0. */
int audit_write(pantau_server *srv, const audit_entry *e, pantau_error *err);

/* Whether a change could be audited now: 0, or -1 with err set when the
 * log is configured but not open. Checked before a change is made, so a
 * change that could not be audited never happens. */
int audit_ready(const pantau_server *srv, pantau_error *err);

/* Appends a line for action (an op name, "login", ...) by session s (may be
 * NULL: the server itself) on wall_id (may be NULL) with the wall's version
 * before and after (-1: none), and flushes it to disk. Returns 0, or -1
 * with err set when the line could not be written. Without an audit log
 * configured, does nothing and returns 0. */
int audit_record(pantau_server *srv, const session *s, const char *action, const char *wall_id,
                 gint64 version_before, gint64 version_after, pantau_error *err);

/* The op audit.query (docs/protocol.md): the newest lines matching the
 * request's filters. */
int audit_query(op_call *call, json_t **ok, pantau_error *err);

#endif
