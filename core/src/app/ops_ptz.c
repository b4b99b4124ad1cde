/* ops_ptz.c - camera.ptz: an operator steers a camera shown on a wall
 * (domain/ptz.h checks the action and hands it to the camera's plugin);
 * the reply is the plugin's answer, made when the camera has answered.
 * Moves are not audited (no state changes); ptz.save is, as
 * "camera.ptz.save". */
#include "op_def.h"

#include "audit.h"
#include "ptz.h"
#include "source.h"

#include <string.h>

const char *op_audit_action(const json_t *req)
{
    const json_t *action = json_object_get(req, "action");
    return ptz_action_changes(json_string_value(action)) ? "camera.ptz.save" : NULL;
}

/* Whether the wall's layout shows source id. */
static bool wall_shows(const wall *w, const char *id)
{
    for (int i = 0; i < w->layout.n_tiles; i++)
        if (strcmp(w->layout.tiles[i].source, id) == 0)
            return true;
    return false;
}

/* The camera's answer (ptz_done_fn): the deferred reply. */
static void on_answer(const json_t *result, const pantau_error *err, void *data)
{
    op_later_done(data, result ? json_deep_copy(result) : json_object(), err);
}

static int op_camera_ptz(op_call *call, json_t **ok, pantau_error *err)
{
    (void)ok;
    const char *action;
    wall *w = op_get_wall(call, err);
    pantau_source *src = w ? op_get_source(call, err) : NULL;
    if (!src || op_get_string(call->req, "action", &action, err))
        return -1;
    if (!call->srv->ptz)
        return error_set(err, ERR_INTERNAL, "", "cameras cannot be steered on this server");
    const char *id = src->id;
    if (!wall_shows(w, id))
        return error_set(err, ERR_FORBIDDEN, "source",
                         "camera '%s' is not on wall '%s': steer it from a wall that shows it", id,
                         w->id);
    audit_name_source(call->srv->audit, src->id); /* a ptz.save's line names the camera */
    /* A refusal (-1) is never answered later: the dispatcher drops later. */
    op_later *later = op_defer(call);
    return ptz_control(call->srv->ptz, call->session, src, action,
                       json_object_get(call->req, "args"), on_answer, later, err);
}

const op_def ptz_ops[] = {
    {"camera.ptz", op_camera_ptz, OP_OPERATE, OP_CONTROLS},
    {NULL, NULL, OP_READ},
};
