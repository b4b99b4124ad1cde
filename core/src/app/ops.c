/* ops.c - dispatch: reads a request, finds its operation in the tables
 * (op_def.h), checks the session's role and walls, audits a change around
 * it, and replies at once or, when it wrote, after its writes (a write
 * fence, persist.h). */
#include "ops.h"

#include "op_def.h"

#include "audit.h"
#include "cluster_nodes.h"
#include "disk_writer.h"
#include "persist.h"
#include "subscribe.h"
#include "walls.h"

#include <string.h>

/* ---- reading request fields ---- */

int op_get_string(const json_t *req, const char *key, const char **out, pantau_error *err)
{
    const json_t *v = json_object_get(req, key);
    if (!v)
        return error_set(err, ERR_BAD_REQUEST, key, "'%s' is required", key);
    if (!json_is_string(v))
        return error_set(err, ERR_BAD_REQUEST, key, "'%s' must be a string", key);
    *out = json_string_value(v);
    return 0;
}

int op_get_int(const json_t *req, const char *key, json_int_t *out, pantau_error *err)
{
    const json_t *v = json_object_get(req, key);
    if (!v)
        return error_set(err, ERR_BAD_REQUEST, key, "'%s' is required", key);
    if (!json_is_integer(v))
        return error_set(err, ERR_BAD_REQUEST, key, "'%s' must be an integer", key);
    *out = json_integer_value(v);
    return 0;
}

int op_get_small_int(const json_t *req, const char *key, int *out, pantau_error *err)
{
    json_int_t v;
    if (op_get_int(req, key, &v, err))
        return -1;
    if (v < -1000 || v > 1000)
        return error_set(err, ERR_BAD_REQUEST, key, "'%s' is out of range", key);
    *out = (int)v;
    return 0;
}

wall *op_get_wall(const op_call *call, pantau_error *err)
{
    const char *id;
    if (op_get_string(call->req, "wall", &id, err))
        return NULL;
    wall *w = walls_find(call->srv->wall_service, id);
    if (!w)
        error_set(err, ERR_NOT_FOUND, "wall", "no wall '%s'", id);
    return w;
}

pantau_source *op_get_source(const op_call *call, pantau_error *err)
{
    const char *id;
    if (op_get_string(call->req, "source", &id, err))
        return NULL;
    pantau_source *src = call->srv->sources ? source_registry_find(call->srv->sources, id) : NULL;
    if (!src)
        error_set(err, ERR_NOT_FOUND, "source", "no source '%.64s'", id);
    return src;
}

/* ---- the core's own operations ---- */

static int op_ping(op_call *call, json_t **ok, pantau_error *err)
{
    (void)call, (void)err;
    *ok = json_pack("{s:I}", "time", (json_int_t)(g_get_real_time() / 1000));
    return 0;
}

static int op_snapshot(op_call *call, json_t **ok, pantau_error *err)
{
    (void)err;
    *ok = server_snapshot(call->srv);
    return 0;
}

/* On the connection itself rather than the shared model. */
static int op_subscribe(op_call *call, json_t **ok, pantau_error *err)
{
    if (!call->session)
        return error_set(err, ERR_BAD_REQUEST, "op", "subscribe needs a connection");
    return subscribe_apply(call->srv->sources, call->srv->media, call->srv->replays, call->session,
                           call->req, ok, err);
}

static const op_def core_ops[] = {
    {"ping", op_ping, OP_READ, OP_READS},
    {"snapshot", op_snapshot, OP_READ, OP_READS},
    {"subscribe", op_subscribe, OP_READ, OP_READS},
    {NULL, NULL, OP_READ},
};

/* Every table of operations. */
static const op_def *const tables[] = {core_ops,   wall_ops,  alarm_ops,  presentation_ops,
                                       auth_ops,   audit_ops, source_ops, ptz_ops,
                                       replay_ops, plugin_ops};

static const op_def *find_op(const char *name)
{
    for (size_t t = 0; t < G_N_ELEMENTS(tables); t++)
        for (const op_def *d = tables[t]; d->name; d++)
            if (strcmp(d->name, name) == 0)
                return d;
    return NULL;
}

/* ---- replies ---- */

json_t *ops_error_reply(const json_t *id, const pantau_error *err)
{
    json_t *e = json_pack("{s:s, s:s}", "code", err->code ? err->code : ERR_INTERNAL, "message",
                          err->message);
    if (err->field[0])
        json_object_set_new(e, "field", json_string(err->field));
    return json_pack("{s:O, s:o}", "re", json_is_number(id) ? id : json_null(), "error", e);
}

static json_t *ok_reply(const json_t *id, json_t *ok)
{
    return json_pack("{s:O, s:o}", "re", json_is_number(id) ? id : json_null(), "ok", ok);
}

/* A request whose reply waits for the writes it caused: built when its
 * operation returns, sent when the last of those writes completed. Its
 * fence counts them; the operation's own failure is kept there too. */
typedef struct op_pending {
    json_t *id; /* the request's id (new reference), or NULL */
    json_t *ok; /* the operation's result (new reference), or NULL */
    write_fence fence;
    gint64 conflict; /* a conflict's current version, or -1 */
    /* A conflict found by a write (a cluster's shared store, walls.h):
     * current is this wall's version when the reply goes. */
    const pantau_server *srv;
    char *wall_id; /* NULL: the request names none */
    ops_reply_fn reply;
    void *data;
} op_pending;

static op_pending *op_pending_new(const pantau_server *srv, const json_t *request,
                                  ops_reply_fn reply, void *data)
{
    op_pending *p = g_new0(op_pending, 1);
    const json_t *id = json_object_get(request, "id");
    p->id = json_is_number(id) ? json_incref((json_t *)id) : NULL;
    p->conflict = -1;
    p->srv = srv;
    p->wall_id = g_strdup(json_string_value(json_object_get(request, "wall")));
    p->reply = reply;
    p->data = data;
    return p;
}

/* Sends the reply of p (data) and frees it. */
static void op_pending_finish(void *data)
{
    op_pending *p = data;
    json_t *reply;
    if (p->fence.failed) {
        /* The node's clients hear that NATS refuses changes before this
         * reply, and that it takes them again from the next heartbeat
         * taken: a banner a late refusal showed goes by itself. */
        if (g_strcmp0(p->fence.err.code, ERR_UNAVAILABLE) == 0)
            cluster_nodes_refused(p->srv->nodes);
        reply = ops_error_reply(p->id, &p->fence.err);
        const wall *w = walls_find(p->srv->wall_service, p->wall_id);
        if (p->conflict < 0 && w && g_strcmp0(p->fence.err.code, ERR_CONFLICT) == 0)
            p->conflict = w->version;
        if (p->conflict >= 0)
            json_object_set_new(json_object_get(reply, "error"), "current",
                                json_integer(p->conflict));
        json_decref(p->ok);
    } else {
        reply = ok_reply(p->id, p->ok);
    }
    json_decref(p->id);
    g_free(p->wall_id);
    p->reply(reply, p->data);
    g_free(p);
}

/* ---- answers that come later ---- */

/* A deferred request: its pending reply, and whether the handler has
 * returned and the answer has come (the reply waits for both). */
struct op_later {
    pantau_server *srv;
    op_pending *pending;
    bool returned, answered;
};

op_later *op_defer(op_call *call)
{
    op_later *l = g_new0(op_later, 1);
    l->srv = call->srv;
    l->pending = call->pending;
    call->later = l;
    return l;
}

/* Sends the reply once both the handler returned and the answer came. */
static void later_maybe_finish(op_later *l)
{
    if (!l->returned || !l->answered)
        return;
    persist_fence_wait(l->srv->persist, &l->pending->fence, op_pending_finish, l->pending);
    g_free(l);
}

void op_later_done(op_later *later, json_t *ok, const pantau_error *err)
{
    op_pending *p = later->pending;
    if (err) {
        p->fence.failed = true;
        p->fence.err = *err;
        json_decref(ok);
    } else {
        p->ok = ok;
    }
    later->answered = true;
    later_maybe_finish(later);
}

/* ---- dispatch ---- */

/* The version of the wall the request names, or -1. */
static gint64 named_wall_version(const pantau_server *srv, const json_t *request)
{
    const wall *w =
        walls_find(srv->wall_service, json_string_value(json_object_get(request, "wall")));
    return w ? (gint64)w->version : -1;
}

/* Runs the operation def names: role check, then a change inside its audit
 * change (audit.h: a change that writes a state file has its line written
 * before the file; any other has it written after), a read unaudited. The
 * reply goes at once when the operation wrote nothing, else after its
 * writes (the fence). */
static void run_op(pantau_server *srv, session *ses, const json_t *request, const op_def *def,
                   ops_reply_fn reply, void *data)
{
    pantau_error err = {0};
    const json_t *id = json_object_get(request, "id");
    const char *wall_id = json_string_value(json_object_get(request, "wall"));
    const char *action = def->effect == OP_CONTROLS ? op_audit_action(request) : def->name;
    bool audited = def->effect == OP_CHANGES || (def->effect == OP_CONTROLS && action);
    if (auth_allows(ses, (enum auth_permission)def->permission, wall_id, &err) ||
        (audited && audit_ready(srv->audit, &err))) {
        reply(ops_error_reply(id, &err), data);
        return;
    }
    op_call call = {srv, ses, request, NULL, NULL};
    gint64 before = named_wall_version(srv, request);
    op_pending *p = op_pending_new(srv, request, reply, data);
    write_fence *outer = persist_fence_set(srv->persist, &p->fence);
    if (audited)
        audit_begin(srv->audit, ses, action, wall_id, before);
    call.pending = p; /* a deferred answer may come during the call */
    int rc = def->fn(&call, &p->ok, &err);
    op_later *later = call.later;
    if (audited) {
        /* A deferred answer that came at once counts too (a refusal). */
        bool done = rc == 0 && !p->fence.failed;
        audit_line *line = audit_end(srv->audit, done, named_wall_version(srv, request));
        if (line)
            persist_change(srv->persist, line, NULL, "the audit line", NULL, NULL, NULL);
    }
    persist_fence_set(srv->persist, outer);
    if (rc) {
        p->fence.failed = true;
        p->fence.err = err;
        if (strcmp(err.code, ERR_CONFLICT) == 0)
            p->conflict = before;
    }
    if (later && rc == 0) {
        later->returned = true;
        later_maybe_finish(later);
        return;
    }
    g_free(later);
    persist_fence_wait(srv->persist, &p->fence, op_pending_finish, p);
}

void ops_handle_async(pantau_server *srv, session *ses, const json_t *request, ops_reply_fn reply,
                      void *data)
{
    pantau_error err = {0};
    const json_t *id = json_object_get(request, "id");
    if (!json_is_object(request)) {
        error_set(&err, ERR_BAD_JSON, "", "a request must be a JSON object");
        reply(ops_error_reply(NULL, &err), data);
        return;
    }
    const char *op;
    if (op_get_string(request, "op", &op, &err)) {
        reply(ops_error_reply(id, &err), data);
        return;
    }
    const op_def *def = find_op(op);
    if (def) {
        run_op(srv, ses, request, def, reply, data);
        return;
    }
    error_set(&err, ERR_UNKNOWN_OP, "op", "unknown operation '%.64s'", op);
    reply(ops_error_reply(id, &err), data);
}

void ops_handle_text_async(pantau_server *srv, session *ses, const char *text, size_t len,
                           ops_reply_fn reply, void *data)
{
    json_error_t jerr;
    json_t *request = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!request) {
        pantau_error err = {0};
        error_set(&err, ERR_BAD_JSON, "", "malformed JSON at line %d column %d: %s", jerr.line,
                  jerr.column, jerr.text);
        reply(ops_error_reply(NULL, &err), data);
        return;
    }
    ops_handle_async(srv, ses, request, reply, data);
    json_decref(request);
}

static void keep_reply(json_t *reply, void *data)
{
    *(json_t **)data = reply;
}

json_t *ops_handle(pantau_server *srv, session *ses, const json_t *request)
{
    json_t *reply = NULL;
    ops_handle_async(srv, ses, request, keep_reply, &reply);
    if (!reply)
        disk_writer_flush(srv->writer);
    return reply;
}

json_t *ops_handle_text(pantau_server *srv, session *ses, const char *text, size_t len)
{
    json_t *reply = NULL;
    ops_handle_text_async(srv, ses, text, len, keep_reply, &reply);
    if (!reply)
        disk_writer_flush(srv->writer);
    return reply;
}
