/* ops_presentation.c - the presentation operations: each reads its
 * request and calls the presentation center (presentation.h). */
#include "op_def.h"

#include "presentation.h"

/* "rehearsal": optional, true or false. */
static int req_rehearsal(const op_call *call, bool *out, pantau_error *err)
{
    const json_t *v = json_object_get(call->req, "rehearsal");
    if (v && !json_is_boolean(v))
        return error_set(err, ERR_BAD_REQUEST, "rehearsal", "'rehearsal' must be true or false");
    *out = json_is_true(v);
    return 0;
}

static int req_wall(const op_call *call, wall **out, pantau_error *err)
{
    const json_t *v = json_object_get(call->req, "wall");
    if (!v)
        return error_set(err, ERR_BAD_REQUEST, "wall", "'wall' is required");
    if (!json_is_string(v))
        return error_set(err, ERR_BAD_REQUEST, "wall", "'wall' must be a string");
    *out = walls_find(call->srv->wall_service, json_string_value(v));
    if (!*out)
        return error_set(err, ERR_NOT_FOUND, "wall", "no wall '%.64s'", json_string_value(v));
    return 0;
}

static int req_definition(const op_call *call, const pres_def **out, pantau_error *err)
{
    const json_t *v = json_object_get(call->req, "presentation");
    if (!v)
        return error_set(err, ERR_BAD_REQUEST, "presentation", "'presentation' is required");
    if (!json_is_string(v))
        return error_set(err, ERR_BAD_REQUEST, "presentation", "'presentation' must be a string");
    *out = presentation_find(call->srv->presentations, json_string_value(v));
    if (!*out)
        return error_set(err, ERR_NOT_FOUND, "presentation", "no presentation '%.64s'",
                         json_string_value(v));
    return 0;
}

/* "step": an integer (the center checks its range); optional where
 * *step already holds a default. */
static int req_step(const op_call *call, bool required, json_int_t *step, pantau_error *err)
{
    const json_t *v = json_object_get(call->req, "step");
    if (!v && !required)
        return 0;
    if (!v)
        return error_set(err, ERR_BAD_REQUEST, "step", "'step' is required");
    if (!json_is_integer(v))
        return error_set(err, ERR_BAD_REQUEST, "step", "'step' must be an integer");
    *step = json_integer_value(v);
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
    *out = presentation_run_find(call->srv->presentations, w, rehearsal, call->session);
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

static int op_list(op_call *call, json_t **ok, pantau_error *err)
{
    (void)err;
    *ok = presentation_list(call->srv->presentations, call->session);
    return 0;
}

static int op_start(op_call *call, json_t **ok, pantau_error *err)
{
    const pres_def *d;
    wall *w;
    bool rehearsal = false;
    json_int_t step = 0;
    pres_run *r;
    if (req_definition(call, &d, err) || req_wall(call, &w, err) ||
        req_rehearsal(call, &rehearsal, err) || req_step(call, false, &step, err) ||
        presentation_start(call->srv->presentations, d, w, rehearsal, call->session, step, &r, err))
        return -1;
    *ok = state_reply(r);
    return 0;
}

static int op_move(op_call *call, enum pres_move move, json_t **ok, pantau_error *err)
{
    pres_run *r;
    if (req_run(call, &r, err) || presentation_move(r, move, err))
        return -1;
    *ok = state_reply(r);
    return 0;
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
    json_int_t step;
    if (req_run(call, &r, err) || req_step(call, true, &step, err) ||
        presentation_goto(r, step, err))
        return -1;
    *ok = state_reply(r);
    return 0;
}

static int op_stop(op_call *call, json_t **ok, pantau_error *err)
{
    pres_run *r;
    if (req_run(call, &r, err))
        return -1;
    *ok = json_pack("{s:s, s:s, s:n}", "wall", presentation_run_wall(r)->id, "mode",
                    presentation_run_rehearsal(r) ? "rehearsal" : "live", "state");
    presentation_stop(call->srv->presentations, r);
    return 0;
}

/* Every presentation op but the list needs a configured presentation center. */
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
