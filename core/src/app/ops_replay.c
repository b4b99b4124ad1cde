/* ops_replay.c - replay on a wall tile (docs/protocol.md "Replay"): each
 * op reads its request and hands it to the replay center (replay.h),
 * which changes the wall through the wall service. They need the playback
 * permission (auth.playback_roles) and the right to change the wall. */
#include "op_def.h"

#include "audit.h"
#include "replay.h"
#include "source.h"
#include "walls.h"

#include <string.h>

/* The optional "version": -1 when absent. 0, or -1 with err. */
static int get_version(const json_t *req, gint64 *version, pantau_error *err)
{
    json_int_t v;
    *version = -1;
    if (!json_object_get(req, "version"))
        return 0;
    if (op_get_int(req, "version", &v, err))
        return -1;
    *version = (gint64)v;
    return 0;
}

/* The request's wall, tile and version: the wall, or NULL with err. */
static wall *get_target(const op_call *call, const char **tile, gint64 *version, pantau_error *err)
{
    if (!call->srv->replays) {
        error_set(err, ERR_BAD_REQUEST, "op", "this server has no replay");
        return NULL;
    }
    wall *w = op_get_wall(call, err);
    if (!w || op_get_string(call->req, "tile", tile, err) || get_version(call->req, version, err))
        return NULL;
    return w;
}

/* The reply of every replay op: the wall's version and the tile's replay. */
static json_t *reply_of(const wall *w, const char *tile)
{
    const tile_replay *r = wall_replay_find(w, tile);
    return json_pack("{s:s, s:I, s:s, s:o}", "wall", w->id, "version", (json_int_t)w->version,
                     "tile", tile, "replay", r ? tile_replay_to_json(r) : json_null());
}

/* The moment of replay.start: at_ms, or now - back_ms. 0, or -1 with err. */
static int get_moment(const json_t *req, int64_t *at_ms, pantau_error *err)
{
    bool has_at = json_object_get(req, "at_ms") != NULL;
    bool has_back = json_object_get(req, "back_ms") != NULL;
    json_int_t v;
    if (has_at == has_back)
        return error_set(err, ERR_BAD_REQUEST, has_at ? "back_ms" : "at_ms",
                         "exactly one of 'at_ms' and 'back_ms' is needed");
    if (op_get_int(req, has_at ? "at_ms" : "back_ms", &v, err))
        return -1;
    if (v < 0)
        return error_set(err, ERR_BAD_REQUEST, has_at ? "at_ms" : "back_ms",
                         "'%s' must not be negative", has_at ? "at_ms" : "back_ms");
    *at_ms = has_at ? (int64_t)v : g_get_real_time() / 1000 - (int64_t)v;
    return 0;
}

/* The audit line says which tile, camera and moment (fields: more of
 * them, stolen, may be NULL). */
static void audit_details(const op_call *call, const wall *w, const char *tile, json_t *fields)
{
    int t = layout_find_tile(&w->layout, tile);
    json_t *d =
        json_pack("{s:s, s:s?}", "tile", tile, "camera",
                  t >= 0 && w->layout.tiles[t].source[0] ? w->layout.tiles[t].source : NULL);
    if (fields)
        json_object_update(d, fields);
    json_decref(fields);
    audit_detail(call->srv->audit, d);
}

static const char *user_of(const op_call *call)
{
    return call->session ? call->session->user : "local";
}

static int op_replay_start(op_call *call, json_t **ok, pantau_error *err)
{
    const char *tile;
    gint64 version;
    int64_t at_ms = 0;
    wall *w = get_target(call, &tile, &version, err);
    if (!w || get_moment(call->req, &at_ms, err))
        return -1;
    audit_details(call, w, tile, json_pack("{s:I}", "at_ms", (json_int_t)at_ms));
    if (replay_start(call->srv->replays, w, version, tile, at_ms, user_of(call), err))
        return -1;
    *ok = reply_of(w, tile);
    return 0;
}

static const char *const action_names[] = {
    [REPLAY_PLAY] = "play", [REPLAY_PAUSE] = "pause", [REPLAY_RATE] = "rate",
    [REPLAY_STEP] = "step", [REPLAY_SEEK] = "seek",
};

/* The action's own argument: rate or at_ms. 0, or -1 with err. */
static int get_argument(const json_t *req, enum replay_action action, int *rate, int64_t *at_ms,
                        pantau_error *err)
{
    json_int_t v;
    if (action == REPLAY_RATE) {
        if (op_get_int(req, "rate", &v, err))
            return -1;
        *rate = v == 1 || v == 2 || v == 4 ? (int)v : 0;
    }
    if (action == REPLAY_SEEK) {
        if (op_get_int(req, "at_ms", &v, err))
            return -1;
        *at_ms = (int64_t)v;
    }
    return 0;
}

static int op_replay_control(op_call *call, json_t **ok, pantau_error *err)
{
    const char *tile, *name;
    gint64 version;
    wall *w = get_target(call, &tile, &version, err);
    if (!w || op_get_string(call->req, "action", &name, err))
        return -1;
    int action = -1;
    for (size_t i = 0; i < G_N_ELEMENTS(action_names); i++)
        if (strcmp(action_names[i], name) == 0)
            action = (int)i;
    if (action < 0)
        return error_set(err, ERR_BAD_REQUEST, "action",
                         "'action' must be play, pause, rate, step or seek");
    int rate = 0;
    int64_t at_ms = 0;
    if (get_argument(call->req, (enum replay_action)action, &rate, &at_ms, err))
        return -1;
    audit_details(call, w, tile,
                  json_pack("{s:s, s:I, s:i}", "action", name, "at_ms",
                            (json_int_t)(action == REPLAY_SEEK
                                             ? at_ms
                                             : replay_position_ms(call->srv->replays, w, tile)),
                            "rate", rate ? rate : 0));
    if (replay_control(call->srv->replays, w, version, tile, (enum replay_action)action, rate,
                       at_ms, user_of(call), err))
        return -1;
    *ok = reply_of(w, tile);
    return 0;
}

static int op_replay_stop(op_call *call, json_t **ok, pantau_error *err)
{
    const char *tile;
    gint64 version;
    wall *w = get_target(call, &tile, &version, err);
    if (!w)
        return -1;
    audit_details(
        call, w, tile,
        json_pack("{s:I}", "at_ms", (json_int_t)replay_position_ms(call->srv->replays, w, tile)));
    if (replay_stop(call->srv->replays, w, version, tile, err))
        return -1;
    *ok = reply_of(w, tile);
    return 0;
}

static int op_recording_span(op_call *call, json_t **ok, pantau_error *err)
{
    const pantau_source *src = op_get_source(call, err);
    if (!src)
        return -1;
    if (!call->srv->replays)
        return error_set(err, ERR_BAD_REQUEST, "op", "this server has no replay");
    *ok = replay_span_json(call->srv->replays, src->id);
    return 0;
}

const op_def replay_ops[] = {
    {"replay.start", op_replay_start, OP_PLAYBACK, OP_CHANGES},
    {"replay.control", op_replay_control, OP_PLAYBACK, OP_CHANGES},
    {"replay.stop", op_replay_stop, OP_PLAYBACK, OP_CHANGES},
    {"recording.span", op_recording_span, OP_PLAYBACK, OP_READS},
    {NULL, NULL, OP_READ},
};
