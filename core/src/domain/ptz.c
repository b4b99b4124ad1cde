/* ptz.c - see ptz.h. */
#include "ptz.h"

#include "log.h"

#include <math.h>
#include <string.h>

struct ptz_center {
    source_registry *sources; /* borrowed */
    GHashTable *moving;       /* const session * -> GHashTable (source ids owned) */
    GList *waiting;           /* ptz_req *: sent, not answered yet */
};

/* One control handed to a plugin. pc NULL once the center is gone. */
typedef struct ptz_req {
    ptz_center *pc;
    ptz_done_fn done; /* NULL: a stop of the center's own (logged on failure) */
    void *data;
    char *source; /* for the log */
} ptz_req;

ptz_center *ptz_center_new(source_registry *sources)
{
    ptz_center *pc = g_new0(ptz_center, 1);
    pc->sources = sources;
    pc->moving = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                       (GDestroyNotify)g_hash_table_unref);
    return pc;
}

/* ---- the vocabulary ---- */

typedef enum { ARGS_NONE, ARGS_SPEEDS, ARGS_GOTO, ARGS_SAVE } args_kind;

static const struct {
    const char *name;
    args_kind args;
} actions[] = {
    {"ptz.move", ARGS_SPEEDS},  {"ptz.stop", ARGS_NONE}, {"ptz.relative", ARGS_SPEEDS},
    {"ptz.presets", ARGS_NONE}, {"ptz.goto", ARGS_GOTO}, {"ptz.save", ARGS_SAVE},
};

bool ptz_action_changes(const char *action)
{
    return action && strcmp(action, "ptz.save") == 0;
}

/* args.key, when present, a number from -1 to 1. */
static int check_speed(const json_t *args, const char *key, pantau_error *err)
{
    const json_t *v = json_object_get(args, key);
    if (!v)
        return 0;
    double d = json_number_value(v);
    if (!json_is_number(v) || isnan(d) || d < -1 || d > 1)
        return error_set(err, ERR_BAD_REQUEST, key, "'args.%s' must be a number from -1 to 1", key);
    return 0;
}

/* args.key a string of 1 to 64 bytes (or absent when not required). */
static int check_name(const json_t *args, const char *key, bool required, pantau_error *err)
{
    const json_t *v = json_object_get(args, key);
    if (!v && !required)
        return 0;
    const char *s = json_string_value(v);
    if (!s || !*s || strlen(s) > 64)
        return error_set(err, ERR_BAD_REQUEST, key,
                         "'args.%s' must be a string of 1 to 64 characters", key);
    return 0;
}

static int check_args(args_kind kind, const json_t *args, pantau_error *err)
{
    int rc = 0;
    if (kind == ARGS_SPEEDS)
        rc = check_speed(args, "pan", err) || check_speed(args, "tilt", err) ||
             check_speed(args, "zoom", err);
    else if (kind == ARGS_GOTO)
        rc = check_name(args, "preset", true, err);
    else if (kind == ARGS_SAVE)
        rc = check_name(args, "name", true, err) || check_name(args, "preset", false, err);
    if (rc)
        error_prefix_field(err, "args");
    return rc ? -1 : 0;
}

static int check_action(const char *action, const json_t *args, pantau_error *err)
{
    if (args && !json_is_object(args))
        return error_set(err, ERR_BAD_REQUEST, "args", "'args' must be an object");
    for (size_t i = 0; i < G_N_ELEMENTS(actions); i++)
        if (action && strcmp(action, actions[i].name) == 0)
            return check_args(actions[i].args, args, err);
    return error_set(err, ERR_BAD_REQUEST, "action",
                     "'action' must be one of ptz.move, ptz.stop, ptz.relative, ptz.presets, "
                     "ptz.goto, ptz.save");
}

/* ---- sessions' moves ---- */

static void note_move(ptz_center *pc, const session *s, const char *source, const char *action)
{
    if (!s)
        return;
    GHashTable *ids = g_hash_table_lookup(pc->moving, s);
    if (strcmp(action, "ptz.stop") == 0) {
        if (ids)
            g_hash_table_remove(ids, source);
        return;
    }
    if (strcmp(action, "ptz.move") != 0)
        return;
    if (!ids) {
        ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_hash_table_insert(pc->moving, (gpointer)s, ids);
    }
    g_hash_table_add(ids, g_strdup(source));
}

/* ---- answers ---- */

static void req_free(ptz_req *r)
{
    g_free(r->source);
    g_free(r);
}

/* The plugin's answer (pantau_reply_fn). */
static void on_reply(const json_t *result, const char *error, void *data)
{
    ptz_req *r = data;
    if (!r->pc) {
        req_free(r);
        return;
    }
    r->pc->waiting = g_list_remove(r->pc->waiting, r);
    pantau_error err = {0};
    if (error)
        error_set(&err, ERR_DEVICE, "", "%s", error);
    if (r->done)
        r->done(result, error ? &err : NULL, r->data);
    else if (error)
        log_warn("camera %s: the stop after its session closed failed: %s", r->source, err.message);
    req_free(r);
}

/* Hands action to src's type for r; -1 with err when the type has no such
 * action (r then freed). */
static int send_control(ptz_center *pc, pantau_source *src, const char *action, const json_t *args,
                        ptz_req *r, pantau_error *err)
{
    const pantau_source_type *t = src->type ? &src->type->type : NULL;
    if (!t || !t->control || !src->instance) {
        req_free(r);
        return error_set(err, ERR_BAD_REQUEST, "source", "source '%s' cannot be steered", src->id);
    }
    pc->waiting = g_list_prepend(pc->waiting, r);
    json_t *empty = args ? NULL : json_object();
    int rc = t->control(src->instance, action, args ? args : empty, on_reply, r);
    json_decref(empty);
    if (rc == 0)
        return 0;
    pc->waiting = g_list_remove(pc->waiting, r);
    req_free(r);
    return error_set(err, ERR_BAD_REQUEST, "action", "source '%s' has no action '%s'", src->id,
                     action);
}

int ptz_control(ptz_center *pc, const session *s, pantau_source *src, const char *action,
                const json_t *args, ptz_done_fn done, void *data, pantau_error *err)
{
    if (check_action(action, args, err))
        return -1;
    ptz_req *r = g_new0(ptz_req, 1);
    *r = (ptz_req){pc, done, data, g_strdup(src->id)};
    /* Noted before it is sent: an answer inside control() is possible. */
    note_move(pc, s, src->id, action);
    return send_control(pc, src, action, args, r, err);
}

/* Sends ptz.stop to source id (a session's move left running). */
static void stop_camera(ptz_center *pc, const char *id)
{
    pantau_source *src = source_registry_find(pc->sources, id);
    if (!src)
        return;
    log_info("camera %s: stopped, the session that moved it closed", id);
    pantau_error err = {0};
    ptz_req *r = g_new0(ptz_req, 1);
    *r = (ptz_req){pc, NULL, NULL, g_strdup(id)};
    if (send_control(pc, src, "ptz.stop", NULL, r, &err))
        log_warn("camera %s: %s", id, err.message);
}

void ptz_session_closed(ptz_center *pc, const session *s)
{
    if (!pc)
        return;
    GHashTable *ids = g_hash_table_lookup(pc->moving, s);
    if (!ids)
        return;
    g_hash_table_steal(pc->moving, s);
    GHashTableIter it;
    gpointer id;
    g_hash_table_iter_init(&it, ids);
    while (g_hash_table_iter_next(&it, &id, NULL))
        stop_camera(pc, id);
    g_hash_table_unref(ids);
}

void ptz_center_free(ptz_center *pc)
{
    if (!pc)
        return;
    GList *sessions = g_hash_table_get_keys(pc->moving);
    for (GList *l = sessions; l; l = l->next)
        ptz_session_closed(pc, l->data);
    g_list_free(sessions);
    pantau_error err = {0};
    error_set(&err, ERR_DEVICE, "", "the server is stopping");
    while (pc->waiting) {
        ptz_req *r = pc->waiting->data;
        pc->waiting = g_list_delete_link(pc->waiting, pc->waiting);
        r->pc = NULL; /* its answer, when it comes, is dropped */
        if (r->done)
            r->done(NULL, &err, r->data);
        r->done = NULL;
    }
    g_hash_table_destroy(pc->moving);
    g_free(pc);
}
