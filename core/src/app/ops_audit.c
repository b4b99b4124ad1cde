/* ops_audit.c - audit.query (docs/protocol.md): the request's filters read
 * into an audit_query, the lines found by audit_search (audit.h). */
#include "op_def.h"

#include "audit.h"

/* An optional string filter: absent and null match everything. */
static int get_filter_string(const json_t *req, const char *key, const char **out,
                             pantau_error *err)
{
    const json_t *v = json_object_get(req, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return error_set(err, ERR_BAD_REQUEST, key, "'%s' must be a string", key);
    *out = json_string_value(v);
    return 0;
}

/* An optional ISO 8601 time (a zone is needed: "Z" or "+07:00"); *out is a
 * new GDateTime (g_date_time_unref) or stays NULL. */
static int get_filter_time(const json_t *req, const char *key, GDateTime **out, pantau_error *err)
{
    const char *text = NULL;
    if (get_filter_string(req, key, &text, err) || !text)
        return text ? -1 : 0;
    *out = g_date_time_new_from_iso8601(text, NULL);
    if (!*out)
        return error_set(err, ERR_BAD_REQUEST, key,
                         "'%s' must be an ISO 8601 time with a zone, e.g. 2025-01-31T08:00:00Z",
                         key);
    return 0;
}

static int get_limit(const json_t *req, size_t *limit, pantau_error *err)
{
    const json_t *v = json_object_get(req, "limit");
    *limit = AUDIT_QUERY_DEFAULT;
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > AUDIT_QUERY_MAX)
        return error_set(err, ERR_BAD_REQUEST, "limit", "'limit' must be 1 to %d", AUDIT_QUERY_MAX);
    *limit = (size_t)json_integer_value(v);
    return 0;
}

static int read_query(const json_t *req, audit_query *q, pantau_error *err)
{
    if (get_limit(req, &q->limit, err) || get_filter_string(req, "user", &q->user, err) ||
        get_filter_string(req, "action", &q->action, err) ||
        get_filter_string(req, "wall", &q->wall, err) ||
        get_filter_string(req, "source", &q->source, err) ||
        get_filter_time(req, "since", &q->since, err) ||
        get_filter_time(req, "until", &q->until, err))
        return -1;
    return 0;
}

/* The search's answer (audit_found): the deferred reply. */
static void on_found(json_t *entries, bool more, const pantau_error *err, void *data)
{
    if (!entries) {
        op_later_done(data, NULL, err);
        return;
    }
    /* audit_search_async is only called with a log: enabled. */
    op_later_done(
        data, json_pack("{s:o, s:b, s:b}", "entries", entries, "more", more, "enabled", 1), NULL);
}

/* audit.query: the newest lines matching the request's filters, read off
 * the main loop (from the file, or a cluster's stream). */
static int op_audit_query(op_call *call, json_t **ok, pantau_error *err)
{
    audit_query q = {0};
    int rc = read_query(call->req, &q, err);
    if (rc == 0 && !call->srv->audit)
        *ok = json_pack("{s:[], s:b, s:b}", "entries", "more", 0, "enabled", 0);
    else if (rc == 0)
        audit_search_async(call->srv->audit, &q, on_found, op_defer(call));
    if (q.since)
        g_date_time_unref(q.since);
    if (q.until)
        g_date_time_unref(q.until);
    return rc;
}

const op_def audit_ops[] = {
    {"audit.query", op_audit_query, OP_ADMIN, OP_READS},
    {NULL, NULL, OP_READ},
};
