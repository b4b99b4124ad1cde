/* ops_alarm.c - the alarm operations: each reads its request and calls
 * the alarm center (alarm.h). */
#include "op_def.h"

#include "alarm.h"

/* The alarm the request names in "alarm", or NULL with err set. */
static alarm_entry *alarm_named(const op_call *call, pantau_error *err)
{
    const json_t *v = json_object_get(call->req, "alarm");
    if (!v) {
        error_set(err, ERR_BAD_REQUEST, "alarm", "'alarm' is required");
        return NULL;
    }
    if (!json_is_string(v)) {
        error_set(err, ERR_BAD_REQUEST, "alarm", "'alarm' must be a string (an alarm id)");
        return NULL;
    }
    alarm_entry *al = alarm_find(call->srv->alarms, json_string_value(v));
    if (!al)
        error_set(err, ERR_NOT_FOUND, "alarm", "no alarm '%.64s'", json_string_value(v));
    return al;
}

/* alarm.list: every open alarm and the cleared history. */
static int op_alarm_list(op_call *call, json_t **ok, pantau_error *err)
{
    (void)err;
    *ok = json_pack("{s:o}", "alarms", alarm_history(call->srv->alarms));
    return 0;
}

/* Acknowledging gives the walls al shows on back: the session must be
 * allowed to change each of them. */
static int check_walls_allowed(const op_call *call, const alarm_entry *al, pantau_error *err)
{
    json_t *walls = alarm_shown_on(call->srv->alarms, al);
    size_t i;
    const json_t *w;
    int rc = 0;
    json_array_foreach(walls, i, w)
    {
        rc = auth_allows(call->session, AUTH_OPERATE, json_string_value(w), err);
        if (rc)
            break;
    }
    json_decref(walls);
    return rc;
}

/* Acknowledging an acknowledged or cleared alarm changes nothing. */
static int op_alarm_ack(op_call *call, json_t **ok, pantau_error *err)
{
    alarm_entry *al = alarm_named(call, err);
    if (!al || check_walls_allowed(call, al, err))
        return -1;
    const session *s = call->session;
    alarm_acknowledge(call->srv->alarms, al, s && s->user ? s->user : "local");
    *ok = json_pack("{s:o}", "alarm", alarm_to_json(call->srv->alarms, al));
    return 0;
}

/* The wall and (optional) tile an alarm.show names. Returns the wall, or
 * NULL with err set; *tile is NULL for the whole wall. */
static wall *show_place(const op_call *call, const char **tile, pantau_error *err)
{
    const json_t *wv = json_object_get(call->req, "wall"), *tv = json_object_get(call->req, "tile");
    if (!json_is_string(wv)) {
        error_set(err, ERR_BAD_REQUEST, "wall", "'wall' must be a wall id");
        return NULL;
    }
    wall *w = walls_find(call->srv->wall_service, json_string_value(wv));
    if (!w) {
        error_set(err, ERR_NOT_FOUND, "wall", "no wall '%.64s'", json_string_value(wv));
        return NULL;
    }
    if (tv && !json_is_string(tv)) {
        error_set(err, ERR_BAD_REQUEST, "tile", "'tile' must be a tile id");
        return NULL;
    }
    *tile = json_string_value(tv);
    return w;
}

/* An operator shows the alarm's source on a wall now (alarm_show). */
static int op_alarm_show(op_call *call, json_t **ok, pantau_error *err)
{
    alarm_entry *al = alarm_named(call, err);
    const char *tile = NULL;
    wall *w = al ? show_place(call, &tile, err) : NULL;
    gint64 version;
    if (!w || alarm_show(call->srv->alarms, al, w, tile, &version, err))
        return -1;
    *ok = json_pack("{s:o, s:s, s:I}", "alarm", alarm_to_json(call->srv->alarms, al), "wall", w->id,
                    "version", (json_int_t)version);
    return 0;
}

const op_def alarm_ops[] = {
    {"alarm.list", op_alarm_list, OP_READ, OP_READS},
    {"alarm.ack", op_alarm_ack, OP_OPERATE},
    {"alarm.show", op_alarm_show, OP_OPERATE},
    {NULL, NULL, OP_READ},
};
