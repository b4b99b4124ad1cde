/* ptz.c - see ptz.h. */
#include "ptz.h"

#include "log.h"

#include <math.h>
#include <string.h>

struct ptz_center {
    source_registry *sources; /* borrowed */
    event_bus *bus;           /* borrowed, may be NULL */
    GHashTable *moving;       /* const session * -> GHashTable (source ids owned) */
    GHashTable *holds;        /* source id -> ptz_hold * (owned) */
    GList *waiting;           /* ptz_req *: sent, not answered yet */
};

/* Who steers a camera now (ptz.h, "Holding"). */
typedef struct ptz_hold {
    ptz_center *pc;
    char *source;
    const session *holder; /* borrowed: dropped when it closes */
    guint timer;           /* frees the hold when it fires */
} ptz_hold;

/* One control handed to a plugin. pc NULL once the center is gone. */
typedef struct ptz_req {
    ptz_center *pc;
    ptz_done_fn done; /* NULL: a stop of the center's own (logged on failure) */
    void *data;
    char *source; /* for the log */
} ptz_req;

static void hold_free(gpointer data)
{
    ptz_hold *h = data;
    if (h->timer)
        g_source_remove(h->timer);
    g_free(h->source);
    g_free(h);
}

ptz_center *ptz_center_new(source_registry *sources, event_bus *bus)
{
    ptz_center *pc = g_new0(ptz_center, 1);
    pc->sources = sources;
    pc->bus = bus;
    pc->moving = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                       (GDestroyNotify)g_hash_table_unref);
    pc->holds = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, hold_free);
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

/* ---- who holds a camera ---- */

/* Tells the bus that holder (NULL: nobody) steers source now. */
static void tell_holder(ptz_center *pc, const char *source, const session *holder)
{
    bus_emit(pc->bus, &(bus_event){.kind = BUS_PTZ_HELD,
                                   .ptz_held = {.source_id = source, .holder = holder}});
}

/* The hold's time is up: the camera is free. */
static gboolean hold_expired(gpointer data)
{
    ptz_hold *h = data;
    ptz_center *pc = h->pc;
    char *source = g_strdup(h->source);
    h->timer = 0;
    g_hash_table_remove(pc->holds, source);
    tell_holder(pc, source, NULL);
    g_free(source);
    return G_SOURCE_REMOVE;
}

/* Whether action moves the camera (and so needs its hold). */
static bool is_steering(const char *action)
{
    return strcmp(action, "ptz.move") == 0 || strcmp(action, "ptz.relative") == 0 ||
           strcmp(action, "ptz.goto") == 0;
}

/* s takes (or keeps) the hold of source for action; the hold ends
 * ms after now unless renewed. */
static void hold_take(ptz_center *pc, const session *s, const char *source, guint ms)
{
    ptz_hold *h = g_hash_table_lookup(pc->holds, source);
    bool changed = !h || h->holder != s;
    if (!h) {
        h = g_new0(ptz_hold, 1);
        h->pc = pc;
        h->source = g_strdup(source);
        g_hash_table_insert(pc->holds, h->source, h);
    }
    if (h->holder && h->holder != s) {
        /* Taken over: the camera no longer follows the old holder's moves,
         * so its socket closing must not stop the new holder's. */
        GHashTable *ids = g_hash_table_lookup(pc->moving, h->holder);
        if (ids)
            g_hash_table_remove(ids, source);
        log_info("camera %s: %s takes it over from %s", source, s->user, h->holder->user);
    }
    h->holder = s;
    if (h->timer)
        g_source_remove(h->timer);
    h->timer = g_timeout_add(ms, hold_expired, h);
    if (changed)
        tell_holder(pc, source, s);
}

/* Whether s may do action on source now: 0, or -1 with err busy when
 * another session holds it (an admin's move takes it over). */
static int hold_check(const ptz_center *pc, const session *s, const char *source,
                      const char *action, pantau_error *err)
{
    bool steering = is_steering(action), stop = strcmp(action, "ptz.stop") == 0;
    if (!s || (!steering && !stop))
        return 0;
    const ptz_hold *h = g_hash_table_lookup(pc->holds, source);
    if (!h || h->holder == s || s->role == ROLE_ADMIN)
        return 0;
    return error_set(err, ERR_BUSY, "source",
                     "camera '%s' is being steered by %s; it is free %d s after they let go",
                     source, h->holder->user ? h->holder->user : "another operator",
                     PTZ_HOLD_MS / 1000);
}

/* action by s was sent: a move takes (or renews) the hold, a stop by the
 * holder starts its last seconds. */
static void hold_note(ptz_center *pc, const session *s, const char *source, const char *action)
{
    bool steering = is_steering(action), stop = strcmp(action, "ptz.stop") == 0;
    if (!s || (!steering && !stop))
        return;
    if (stop && !g_hash_table_lookup(pc->holds, source))
        return; /* a stop of a free camera takes nothing */
    bool moving = strcmp(action, "ptz.move") == 0;
    hold_take(pc, s, source, moving ? PTZ_MOVE_HOLD_MS : PTZ_HOLD_MS);
}

json_t *ptz_holders_json(const ptz_center *pc)
{
    json_t *out = json_object();
    GHashTableIter it;
    gpointer value;
    if (!pc)
        return out;
    g_hash_table_iter_init(&it, pc->holds);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        const ptz_hold *h = value;
        json_object_set_new(out, h->source,
                            h->holder->user ? json_string(h->holder->user) : json_null());
    }
    return out;
}

/* s closes: what it holds is free at once. */
static void holds_drop(ptz_center *pc, const session *s)
{
    GPtrArray *freed = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, pc->holds);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        ptz_hold *h = value;
        if (h->holder != s)
            continue;
        g_ptr_array_add(freed, g_strdup(h->source));
        g_hash_table_iter_remove(&it);
    }
    for (guint i = 0; i < freed->len; i++)
        tell_holder(pc, g_ptr_array_index(freed, i), NULL);
    g_ptr_array_free(freed, TRUE);
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

/* Whether src's type takes control actions. */
static bool steerable(const pantau_source *src)
{
    return src->type && src->type->type.control && src->instance;
}

/* Hands action to src's type for r; -1 with err when the type has no such
 * action (r then freed). */
static int send_control(ptz_center *pc, pantau_source *src, const char *action, const json_t *args,
                        ptz_req *r, pantau_error *err)
{
    const pantau_source_type *t = src->type ? &src->type->type : NULL;
    if (!steerable(src)) {
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
    if (check_action(action, args, err) || hold_check(pc, s, src->id, action, err))
        return -1;
    ptz_req *r = g_new0(ptz_req, 1);
    *r = (ptz_req){pc, done, data, g_strdup(src->id)};
    /* Noted before it is sent: an answer inside control() is possible. */
    note_move(pc, s, src->id, action);
    if (steerable(src))
        hold_note(pc, s, src->id, action);
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
    holds_drop(pc, s);
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
    pc->bus = NULL; /* stopping: nobody is told who holds what */
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
    g_hash_table_destroy(pc->holds);
    g_free(pc);
}
