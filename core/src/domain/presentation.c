/* presentation.c - running presentations: live on a wall (each step puts
 * its layout on the wall and its caption under it, for every client) or
 * rehearsed by one session (the same steps, shown only to that session,
 * the wall untouched). Notes go only to presenters, in replies and in
 * rehearsal events, never in a broadcast or a snapshot. */
#include "presentation_internal.h"

#include "audit.h"
#include "bus.h"
#include "log.h"

#include <string.h>

static gint64 now_ms(void)
{
    return g_get_real_time() / 1000;
}

/* ---- the state clients see ---- */

static void add_dwell(json_t *st, const pres_run *r, const pres_step *s, gint64 now)
{
    if (!s->dwell_ms) {
        json_object_set_new(st, "dwell_ms", json_null());
        json_object_set_new(st, "remaining_ms", json_null());
        return;
    }
    gint64 left = r->step_started_ms + s->dwell_ms - now;
    json_object_set_new(st, "dwell_ms", json_integer(s->dwell_ms));
    json_object_set_new(st, "remaining_ms", json_integer(left > 0 ? left : 0));
}

/* What only presenters get: the notes and the layout of the step. */
static void add_presenter_view(json_t *st, const pres_run *r, const pres_step *s)
{
    json_object_set(st, "notes", s->notes ? s->notes : json_null());
    layout *l = g_new(layout, 1);
    pantau_error err = {0};
    bool found = pres_step_layout(r->center->srv, s, l, &err) == 0;
    json_object_set_new(st, "layout", found ? layout_to_json(l) : json_null());
    g_free(l);
}

json_t *pres_run_state(const pres_run *r, bool presenter)
{
    const pres_step *s = &r->def->steps[r->step];
    gint64 now = now_ms();
    json_t *st =
        json_pack("{s:s, s:O?, s:s, s:s, s:i, s:i, s:O?, s:I, s:I, s:I}", "id", r->def->id, "name",
                  r->def->name, "wall", r->wall->id, "mode", r->rehearsal ? "rehearsal" : "live",
                  "step", r->step, "steps", r->def->n_steps, "caption", s->caption, "started",
                  (json_int_t)r->started_ms, "step_started", (json_int_t)r->step_started_ms, "time",
                  (json_int_t)now);
    add_dwell(st, r, s, now);
    if (presenter)
        add_presenter_view(st, r, s);
    return st;
}

/* Emits r's state (NULL: stopped) on the bus; app/events.c sends a live
 * run's public state to every client and a rehearsal's, notes included,
 * only to its session. Steals state. */
static void run_notify(const pres_run *r, json_t *state)
{
    bus_emit(r->center->srv->bus, &(bus_event){.kind = BUS_PRESENTATION,
                                               .presentation = {r->wall->id, r->rehearsal, state,
                                                                r->rehearsal ? r->owner : NULL}});
    json_decref(state);
}

static json_t *notify_state(const pres_run *r)
{
    return pres_run_state(r, r->rehearsal);
}

/* ---- runs ---- */

static void run_free(pres_run *r)
{
    if (r->timer)
        g_source_remove(r->timer);
    g_free(r);
}

static gboolean on_dwell(gpointer data);

static void arm_timer(pres_run *r)
{
    if (r->timer)
        g_source_remove(r->timer);
    r->timer = 0;
    const pres_step *s = &r->def->steps[r->step];
    if (s->dwell_ms && r->step + 1 < r->def->n_steps)
        r->timer = g_timeout_add((guint)s->dwell_ms, on_dwell, r);
}

/* Shows step on r: live, its layout goes on the wall (one change, version
 * + 1). Returns 0, or -1 with err and r unchanged. */
static int run_show(pres_run *r, int step, pantau_error *err)
{
    const pres_step *s = &r->def->steps[step];
    layout *l = g_new(layout, 1);
    int rc = pres_step_layout(r->center->srv, s, l, err);
    if (rc == 0 && !r->rehearsal)
        rc = ops_apply_layout(r->center->srv, r->wall, l, err);
    g_free(l);
    if (rc)
        return -1;
    r->step = step;
    r->step_started_ms = now_ms();
    arm_timer(r);
    return 0;
}

static gboolean on_dwell(gpointer data)
{
    pres_run *r = data;
    r->timer = 0;
    pantau_server *srv = r->center->srv;
    pantau_error err = {0};
    /* A live step's line goes to the audit log before the wall file
     * (ops_apply_layout); a rehearsal changes no wall and is not audited. */
    if (!r->rehearsal)
        audit_begin(srv, NULL, "presentation.next", r->wall->id, r->wall->version);
    int rc = run_show(r, r->step + 1, &err);
    if (!r->rehearsal)
        audit_line_free(audit_end(srv, false, r->wall->version));
    if (rc) {
        log_warn("presentation '%s' on wall '%s' stays at step %d: %s", r->def->id, r->wall->id,
                 r->step + 1, err.message);
        return G_SOURCE_REMOVE;
    }
    run_notify(r, notify_state(r));
    return G_SOURCE_REMOVE;
}

/* The live run on wall w, or the rehearsal of session s. */
static pres_run *find_run(const presentation_center *pc, const wall *w, bool rehearsal,
                          const session *s)
{
    for (guint i = 0; pc && i < pc->runs->len; i++) {
        pres_run *r = g_ptr_array_index(pc->runs, i);
        if (rehearsal ? r->rehearsal && r->owner == s : !r->rehearsal && r->wall == w)
            return r;
    }
    return NULL;
}

static void remove_run(presentation_center *pc, pres_run *r)
{
    g_ptr_array_remove(pc->runs, r); /* frees r */
}

/* ---- reading requests ---- */

static int req_wall(const op_call *call, wall **out, pantau_error *err)
{
    const json_t *v = json_object_get(call->req, "wall");
    if (!v)
        return error_set(err, ERR_BAD_REQUEST, "wall", "'wall' is required");
    if (!json_is_string(v))
        return error_set(err, ERR_BAD_REQUEST, "wall", "'wall' must be a string");
    *out = server_find_wall(call->srv, json_string_value(v));
    if (!*out)
        return error_set(err, ERR_NOT_FOUND, "wall", "no wall '%.64s'", json_string_value(v));
    return 0;
}

static int req_rehearsal(const op_call *call, bool *out, pantau_error *err)
{
    const json_t *v = json_object_get(call->req, "rehearsal");
    if (v && !json_is_boolean(v))
        return error_set(err, ERR_BAD_REQUEST, "rehearsal", "'rehearsal' must be true or false");
    *out = json_is_true(v);
    return 0;
}

static int req_definition(const op_call *call, const pres_def **out, pantau_error *err)
{
    const json_t *v = json_object_get(call->req, "presentation");
    if (!v)
        return error_set(err, ERR_BAD_REQUEST, "presentation", "'presentation' is required");
    if (!json_is_string(v))
        return error_set(err, ERR_BAD_REQUEST, "presentation", "'presentation' must be a string");
    *out = pres_center_find(call->srv->presentations, json_string_value(v));
    if (!*out)
        return error_set(err, ERR_NOT_FOUND, "presentation", "no presentation '%.64s'",
                         json_string_value(v));
    return 0;
}

/* The run a request means: the session's rehearsal with "rehearsal": true,
 * else the live run on "wall". */
static int req_run(const op_call *call, pres_run **out, pantau_error *err)
{
    bool rehearsal = false;
    wall *w = NULL;
    if (req_rehearsal(call, &rehearsal, err))
        return -1;
    if (!rehearsal && req_wall(call, &w, err))
        return -1;
    *out = find_run(call->srv->presentations, w, rehearsal, call->session);
    if (*out)
        return 0;
    if (rehearsal)
        return error_set(err, ERR_NOT_FOUND, "rehearsal", "this session rehearses nothing");
    return error_set(err, ERR_NOT_FOUND, "wall", "no presentation is running on wall '%s'", w->id);
}

static json_t *state_reply(const pres_run *r)
{
    return json_pack("{s:o}", "state", pres_run_state(r, true));
}

/* ---- operations ---- */

static int op_list(op_call *call, json_t **ok, pantau_error *err)
{
    (void)err;
    const presentation_center *pc = call->srv->presentations;
    json_t *defs = json_array(), *running = json_array();
    for (guint i = 0; pc && i < pc->defs->len; i++)
        json_array_append_new(defs, pres_def_to_json(g_ptr_array_index(pc->defs, i)));
    for (guint i = 0; pc && i < pc->runs->len; i++) {
        const pres_run *r = g_ptr_array_index(pc->runs, i);
        if (!r->rehearsal || r->owner == call->session)
            json_array_append_new(running, pres_run_state(r, true));
    }
    *ok = json_pack("{s:o, s:o}", "presentations", defs, "running", running);
    return 0;
}

static int req_start_step(const op_call *call, const pres_def *d, int *step, pantau_error *err)
{
    *step = 0;
    if (!json_object_get(call->req, "step"))
        return 0;
    return pres_step_from_request(call->req, d->n_steps, step, err);
}

static int op_start(op_call *call, json_t **ok, pantau_error *err)
{
    presentation_center *pc = call->srv->presentations;
    const pres_def *d;
    wall *w;
    bool rehearsal = false;
    int step;
    if (req_definition(call, &d, err) || req_wall(call, &w, err) ||
        req_rehearsal(call, &rehearsal, err) || req_start_step(call, d, &step, err))
        return -1;
    pres_run *r = g_new0(pres_run, 1);
    *r = (pres_run){.center = pc, .def = d, .wall = w, .rehearsal = rehearsal};
    r->owner = rehearsal ? call->session : NULL;
    r->started_ms = now_ms();
    if (run_show(r, step, err)) {
        run_free(r);
        return -1;
    }
    pres_run *old = find_run(pc, w, rehearsal, call->session);
    if (old)
        remove_run(pc, old);
    g_ptr_array_add(pc->runs, r);
    if (!rehearsal)
        run_notify(r, notify_state(r));
    *ok = state_reply(r);
    return 0;
}

/* Moves r to step `to`; staying where it is changes nothing unless force. */
static int run_move(pres_run *r, int to, bool force, json_t **ok, pantau_error *err)
{
    if (to != r->step || force) {
        if (run_show(r, to, err))
            return -1;
        if (!r->rehearsal)
            run_notify(r, notify_state(r));
    }
    *ok = state_reply(r);
    return 0;
}

static int op_move(op_call *call, enum pres_move move, json_t **ok, pantau_error *err)
{
    pres_run *r;
    if (req_run(call, &r, err))
        return -1;
    return run_move(r, pres_step_after(r->step, r->def->n_steps, move), false, ok, err);
}

static int op_next(op_call *call, json_t **ok, pantau_error *err)
{
    return op_move(call, PRES_NEXT, ok, err);
}

static int op_prev(op_call *call, json_t **ok, pantau_error *err)
{
    return op_move(call, PRES_PREV, ok, err);
}

static int op_goto(op_call *call, json_t **ok, pantau_error *err)
{
    pres_run *r;
    int step;
    if (req_run(call, &r, err) || pres_step_from_request(call->req, r->def->n_steps, &step, err))
        return -1;
    return run_move(r, step, true, ok, err);
}

static int op_stop(op_call *call, json_t **ok, pantau_error *err)
{
    pres_run *r;
    if (req_run(call, &r, err))
        return -1;
    *ok = json_pack("{s:s, s:s, s:n}", "wall", r->wall->id, "mode",
                    r->rehearsal ? "rehearsal" : "live", "state");
    if (!r->rehearsal)
        run_notify(r, NULL);
    remove_run(call->srv->presentations, r);
    return 0;
}

/* Every presentation op needs a configured presentation center. */
#define PRES_OP(name, fn)                                                                          \
    static int name(op_call *call, json_t **ok, pantau_error *err)                                 \
    {                                                                                              \
        if (!call->srv->presentations)                                                             \
            return error_set(err, ERR_NOT_FOUND, "presentation",                                   \
                             "no presentations are configured");                                   \
        return fn(call, ok, err);                                                                  \
    }
PRES_OP(checked_start, op_start)
PRES_OP(checked_next, op_next)
PRES_OP(checked_prev, op_prev)
PRES_OP(checked_goto, op_goto)
PRES_OP(checked_stop, op_stop)

const op_def presentation_ops[] = {
    {"presentation.list", op_list, OP_PRESENT, OP_READS},
    {"presentation.start", checked_start, OP_PRESENT},
    {"presentation.next", checked_next, OP_PRESENT},
    {"presentation.prev", checked_prev, OP_PRESENT},
    {"presentation.goto", checked_goto, OP_PRESENT},
    {"presentation.stop", checked_stop, OP_PRESENT},
    {NULL, NULL, OP_READ},
};

/* ---- config, lifecycle, snapshot ---- */

void presentation_config_check(config_checker *c, const json_t *section, const config_sections *ids)
{
    if (!section)
        return;
    if (!json_is_array(section)) {
        config_fail(c, "presentations", "must be an array of presentations");
        return;
    }
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    size_t i;
    const json_t *entry;
    json_array_foreach(section, i, entry)
    {
        pantau_error err = {0};
        pres_def *d = pres_def_parse(entry, i, ids->source_ids, &err);
        if (!d) {
            config_fail(c, err.field, "%s", err.message);
            continue;
        }
        const char *id = json_string_value(json_object_get(entry, "id")); /* borrowed */
        char path[64];
        snprintf(path, sizeof path, "presentations[%zu].id", i);
        if (!g_hash_table_add(seen, (gpointer)id))
            config_fail(c, path, "presentation id '%s' is used twice", id);
        pres_def_free(d);
    }
    g_hash_table_destroy(seen);
}

presentation_center *presentation_center_new(pantau_server *srv)
{
    const json_t *section =
        srv->config ? json_object_get(srv->config->root, "presentations") : NULL;
    if (json_array_size(section) == 0)
        return NULL;
    presentation_center *pc = g_new0(presentation_center, 1);
    pc->srv = srv;
    pc->defs = g_ptr_array_new_with_free_func((GDestroyNotify)pres_def_free);
    pc->runs = g_ptr_array_new_with_free_func((GDestroyNotify)run_free);
    size_t i;
    const json_t *entry;
    json_array_foreach(section, i, entry)
    {
        pantau_error err = {0};
        pres_def *d = pres_def_parse(entry, i, NULL, &err);
        if (d)
            g_ptr_array_add(pc->defs, d);
        else
            log_error("%s: %s", err.field, err.message); /* the config check let it pass */
    }
    return pc;
}

void presentation_center_free(presentation_center *pc)
{
    if (!pc)
        return;
    g_ptr_array_free(pc->runs, TRUE);
    g_ptr_array_free(pc->defs, TRUE);
    g_free(pc);
}

void presentation_session_closed(pantau_server *srv, const session *s)
{
    pres_run *r = find_run(srv->presentations, NULL, true, s);
    if (r)
        remove_run(srv->presentations, r);
}

json_t *presentation_snapshot(const pantau_server *srv)
{
    const presentation_center *pc = srv->presentations;
    json_t *available = json_array(), *running = json_array();
    for (guint i = 0; pc && i < pc->defs->len; i++) {
        const pres_def *d = g_ptr_array_index(pc->defs, i);
        json_array_append_new(available, json_pack("{s:s, s:O?, s:i}", "id", d->id, "name", d->name,
                                                   "steps", d->n_steps));
    }
    for (guint i = 0; pc && i < pc->runs->len; i++) {
        const pres_run *r = g_ptr_array_index(pc->runs, i);
        if (!r->rehearsal)
            json_array_append_new(running, pres_run_state(r, false));
    }
    return json_pack("{s:o, s:o}", "available", available, "running", running);
}
