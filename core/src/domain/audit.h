/* audit.h - the audit log: one JSON line per change, flushed before the
 * change is acknowledged (docs/security.md). */
#ifndef PANTAU_AUDIT_H
#define PANTAU_AUDIT_H

#include "config_check.h"
#include "disk_writer.h"
#include "kv_store.h"
#include "pantau_error.h"
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
    bool rolled_back;      /* written as "rolled_back": true; only on a change's second line */
    const char *source;    /* the source changed or steered; NULL: the line has no "source" */
    const json_t *details; /* borrowed, may be NULL: written as "details" (a replay's tile, camera
                              and moment; an export's camera and range) */
} audit_entry;

/* Checks the config's "audit" section (NULL when absent). */
void audit_config_check(config_checker *c, const json_t *section, const config_sections *ids);

/* Opens the audit log that section (the config's "audit", borrowed, may
 * be NULL) names: its "file" resolved against config_dir (may be NULL),
 * else audit.jsonl in state_dir. Lines written off the main loop go
 * through writer (borrowed, may be NULL: at once), which must have run
 * its last job before the log is closed. NULL when the config turns it
 * off ("enabled": false). A log that cannot be opened is logged and
 * refuses every line, so that no change is acknowledged unaudited. */
audit_log *audit_log_open(const json_t *section, const char *config_dir, const char *state_dir,
                          disk_writer *writer);
void audit_log_close(audit_log *log);

/* In a cluster (docs/cluster.md): every line goes to stream (stolen; NULL:
 * back to the file) instead of the file, acknowledged by the stream before
 * the change is, and audit_search reads the stream. Waits for the queries
 * in flight. stream's store must outlive it: share NULL before freeing
 * the store. With no log (NULL), stream is freed. Main loop. */
void audit_log_share(audit_log *log, kv_log *stream);

/* Appends e and flushes it to disk (fdatasync). Returns 0, or -1 with err
 * set (internal) when the line could not be written. Without an audit log,
 * does nothing and returns 0. */
int audit_write(audit_log *log, const audit_entry *e, pantau_error *err);

/* How an audit_write_async ended: 0, or -1 when the line could not be
 * written (logged). Runs on the main loop. */
typedef void (*audit_written)(int status, void *data);

/* Appends a copy of e on the writer thread, so the main loop never waits
 * for the disk, in order with the lines of changes; then calls done (may
 * be NULL) on the main loop. Without an audit log, done(0) at once; with
 * one that is not open, done(-1) at once. */
void audit_write_async(audit_log *log, const audit_entry *e, audit_written done, void *data);

/* Whether a change could be audited now: 0, or -1 with err set when the
 * log is configured but not open. Checked before a change is made, so a
 * change that could not be audited never happens. */
int audit_ready(const audit_log *log, pantau_error *err);

/* Appends a line for action (an op name, "login", ...) by session s (may be
 * NULL: the server itself) on wall_id (may be NULL) with the wall's version
 * before and after (-1: none), and flushes it to disk. Returns 0, or -1
 * with err set when the line could not be written. Without an audit log
 * configured, does nothing and returns 0. */
int audit_record(audit_log *log, const session *s, const char *action, const char *wall_id,
                 gint64 version_before, gint64 version_after, pantau_error *err);

/* ---- a change and its state file ----
 * Every change that reaches a state file has its audit line on disk first:
 * audit_begin() names the change; audit_change_line() makes the line of a
 * state write, which the writer thread appends (audit_line_append) just
 * before it writes the file, and appends again as rolled back when that
 * write fails; audit_end() makes the line of a change that wrote no state
 * file. Without an audit log these make no line (NULL). */
typedef struct audit_line audit_line;

/* Starts the change action (an op name, or a system action such as
 * "presentation.next") by session s (NULL: the server) naming wall_id (may
 * be NULL) at version_before (-1: none). Strings are copied. A begin inside
 * a begun change is ignored up to its audit_end: the outer change counts. */
void audit_begin(audit_log *log, const session *s, const char *action, const char *wall_id,
                 gint64 version_before);

/* Names the source (id copied, may be NULL) the begun change is about
 * (a source edit, a camera's preset save): its lines carry "source". Outside
 * a begun change, or without an audit log: nothing. */
void audit_name_source(audit_log *log, const char *source_id);
/* Sets what the begun change's line says beyond who, what and which wall
 * (details, stolen: an object such as {"tile", "camera", "at_ms"}); outside
 * a begun change it is dropped. */
void audit_detail(audit_log *log, json_t *details);

/* The line of the begun change (outside one: action "state.write" by the
 * server) for wall_id (copied, may be NULL) from version_before to
 * version_after, to be appended before the state file is written. Returns
 * a new line (audit_line_free), or NULL without an audit log. */
audit_line *audit_change_line(audit_log *log, const char *wall_id, gint64 version_before,
                              gint64 version_after);

/* The same for a preset change: the begun change's wall and version, which
 * it leaves as they were. */
audit_line *audit_change_line_unchanged(audit_log *log);

/* Appends l and flushes it to disk (fdatasync), or in a cluster has the
 * stream acknowledge it; rolled_back: as "ok": false, "rolled_back": true.
 * Safe on the writer thread. Returns 0, or -1 (logged) with err (may be
 * NULL): internal, or unavailable when the cluster's stream did not take
 * it. */
int audit_line_append(const audit_line *l, bool rolled_back, pantau_error *err);

void audit_line_free(audit_line *l);

/* Ends the begun change. When done and no line was made for it, returns
 * its line (wall and version before from audit_begin, version_after here)
 * for the caller to have appended; else NULL. */
audit_line *audit_end(audit_log *log, bool done, gint64 version_after);

/* ---- reading the log back (audit.query, app/ops_audit.c) ---- */

#define AUDIT_QUERY_DEFAULT 100
#define AUDIT_QUERY_MAX 1000

/* Which lines audit_search returns: NULL members match every line. */
typedef struct audit_query {
    const char *user, *action, *wall, *source;
    GDateTime *since, *until; /* borrowed; a line's time must be within them */
    size_t limit;             /* at most this many lines: 1 to AUDIT_QUERY_MAX */
} audit_query;

/* The newest lines of log (NULL: no audit log, no lines) that match q,
 * newest first, in *entries (new reference, an array); *more tells that
 * more lines match than were returned (or that the scan stopped at its
 * bound). Reads the file, or the cluster's stream. Blocks: any thread.
 * Returns 0, or -1 with err (internal: the log cannot be read;
 * unavailable: the stream did not answer) and *entries NULL. */
int audit_search(const audit_log *log, const audit_query *q, json_t **entries, bool *more,
                 pantau_error *err);

/* The answer of audit_search_async, on the main loop: entries (stolen, an
 * array) and more, or entries NULL and err (borrowed). */
typedef void (*audit_found)(json_t *entries, bool more, const pantau_error *err, void *data);

/* audit_search on the log's query thread, off the main loop (q and its
 * strings and times copied); done then runs on the main loop (at once
 * without a log). Queries run one at a time, in order. */
void audit_search_async(audit_log *log, const audit_query *q, audit_found done, void *data);

#endif
