/* presentation.c - running presentations: live on a wall (each step puts
 * its layout on the wall and its caption under it, for every client) or
 * rehearsed by one session (the same steps, shown only to that session,
 * the wall untouched). Notes go only to presenters, in replies and in
 * rehearsal events, never in a broadcast or a snapshot. */
#include "presentation.h"

#include "log.h"

#include <string.h>

struct pres_run {
    presentation_center *center;
    const pres_def *def; /* borrowed from the center */
    wall *wall;          /* live: the wall it drives; rehearsal: the preview's shape */
    bool rehearsal;
    session *owner; /* rehearsal: the session it belongs to (NULL in unit tests) */
    int step;
    gint64 started_ms, step_started_ms; /* real time */
    guint timer;                        /* the dwell timer, or 0 */
};

struct presentation_center {
    wall_service *walls;
    event_bus *bus;              /* may be NULL */
    audit_log *audit;            /* may be NULL */
    GPtrArray *defs;             /* pres_def *, owned, in config order */
    GPtrArray *runs;             /* pres_run *, owned */
    presentation_share_fn share; /* NULL: live runs are this node's only */
    void *share_data;
    bool taking; /* a run from another node is being taken: not shared back */
};

static gint64 now_ms(void)
{
    return g_get_real_time() / 1000;
}

/* The layout step s puts on a wall: its inline layout or its preset (by id,
 * then by name). Returns 0, or -1 with err (not_found, field "presentation"). */
static int step_layout(const wall_service *walls, const pres_step *s, layout *out,
                       pantau_error *err)
{
    if (s->layout) {
        *out = *s->layout;
        return 0;
    }
    const preset *p = walls_preset_lookup(walls, s->preset);
    if (!p)
        return error_set(err, ERR_NOT_FOUND, "presentation", "the step's preset '%s' is not saved",
                         s->preset);
    *out = p->layout;
    return 0;
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
    bool found = step_layout(r->center->walls, s, l, &err) == 0;
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
    presentation_center *pc = r->center;
    if (!r->rehearsal && pc->share && !pc->taking)
        pc->share(r->wall->id, state, pc->share_data);
    bus_emit(r->center->bus, &(bus_event){.kind = BUS_PRESENTATION,
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

/* Arms r's dwell timer for the end of its step (since step_started_ms),
 * plus extra_ms. */
static void arm_timer_after(pres_run *r, gint64 extra_ms)
{
    if (r->timer)
        g_source_remove(r->timer);
    r->timer = 0;
    const pres_step *s = &r->def->steps[r->step];
    if (!s->dwell_ms || r->step + 1 >= r->def->n_steps)
        return;
    gint64 left = r->step_started_ms + s->dwell_ms + extra_ms - now_ms();
    r->timer = g_timeout_add((guint)CLAMP(left, 0, G_MAXINT), on_dwell, r);
}

static void arm_timer(pres_run *r)
{
    arm_timer_after(r, 0);
}

/* Shows step on r: live, its layout goes on the wall (one change, version
 * + 1). Returns 0, or -1 with err and r unchanged. */
static int run_show(pres_run *r, int step, pantau_error *err)
{
    const pres_step *s = &r->def->steps[step];
    layout *l = g_new(layout, 1);
    int rc = step_layout(r->center->walls, s, l, err);
    if (rc == 0 && !r->rehearsal)
        walls_apply(r->center->walls, r->wall, l);
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
    audit_log *audit = r->center->audit;
    pantau_error err = {0};
    /* A live step's line goes to the audit log before the wall file
     * (walls_apply); a rehearsal changes no wall and is not audited. */
    if (!r->rehearsal)
        audit_begin(audit, NULL, "presentation.next", r->wall->id, r->wall->version);
    int rc = run_show(r, r->step + 1, &err);
    if (!r->rehearsal)
        audit_line_free(audit_end(audit, false, r->wall->version));
    if (rc) {
        log_warn("presentation '%s' on wall '%s' stays at step %d: %s", r->def->id, r->wall->id,
                 r->step + 1, err.message);
        return G_SOURCE_REMOVE;
    }
    run_notify(r, notify_state(r));
    return G_SOURCE_REMOVE;
}

pres_run *presentation_run_find(const presentation_center *pc, const wall *w, bool rehearsal,
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

/* ---- what presenters do ---- */

json_t *presentation_list(const presentation_center *pc, const session *s)
{
    json_t *defs = json_array(), *running = json_array();
    for (guint i = 0; pc && i < pc->defs->len; i++)
        json_array_append_new(defs, pres_def_to_json(g_ptr_array_index(pc->defs, i)));
    for (guint i = 0; pc && i < pc->runs->len; i++) {
        const pres_run *r = g_ptr_array_index(pc->runs, i);
        if (!r->rehearsal || r->owner == s)
            json_array_append_new(running, pres_run_state(r, true));
    }
    return json_pack("{s:o, s:o}", "presentations", defs, "running", running);
}

const pres_def *presentation_find(const presentation_center *pc, const char *id)
{
    for (guint i = 0; pc && id && i < pc->defs->len; i++) {
        const pres_def *d = g_ptr_array_index(pc->defs, i);
        if (strcmp(d->id, id) == 0)
            return d;
    }
    return NULL;
}

int presentation_start(presentation_center *pc, const pres_def *d, wall *w, bool rehearsal,
                       session *owner, json_int_t step, pres_run **run, pantau_error *err)
{
    if (pres_step_check(step, d->n_steps, err))
        return -1;
    pres_run *r = g_new0(pres_run, 1);
    *r = (pres_run){.center = pc, .def = d, .wall = w, .rehearsal = rehearsal};
    r->owner = rehearsal ? owner : NULL;
    r->started_ms = now_ms();
    if (run_show(r, (int)step, err)) {
        run_free(r);
        return -1;
    }
    pres_run *old = presentation_run_find(pc, w, rehearsal, owner);
    if (old)
        remove_run(pc, old);
    g_ptr_array_add(pc->runs, r);
    if (!rehearsal)
        run_notify(r, notify_state(r));
    *run = r;
    return 0;
}

/* Moves r to step `to`; staying where it is changes nothing unless force. */
static int run_move(pres_run *r, int to, bool force, pantau_error *err)
{
    if (to == r->step && !force)
        return 0;
    if (run_show(r, to, err))
        return -1;
    if (!r->rehearsal)
        run_notify(r, notify_state(r));
    return 0;
}

int presentation_move(pres_run *r, enum pres_move move, pantau_error *err)
{
    return run_move(r, pres_step_after(r->step, r->def->n_steps, move), false, err);
}

int presentation_goto(pres_run *r, json_int_t step, pantau_error *err)
{
    if (pres_step_check(step, r->def->n_steps, err))
        return -1;
    return run_move(r, (int)step, true, err);
}

void presentation_stop(presentation_center *pc, pres_run *r)
{
    if (!r->rehearsal)
        run_notify(r, NULL);
    remove_run(pc, r);
}

const wall *presentation_run_wall(const pres_run *r)
{
    return r->wall;
}

bool presentation_run_rehearsal(const pres_run *r)
{
    return r->rehearsal;
}

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

presentation_center *presentation_center_new(const json_t *section, wall_service *walls,
                                             event_bus *bus, audit_log *audit)
{
    if (json_array_size(section) == 0)
        return NULL;
    presentation_center *pc = g_new0(presentation_center, 1);
    pc->walls = walls;
    pc->bus = bus;
    pc->audit = audit;
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

void presentation_session_closed(presentation_center *pc, const session *s)
{
    pres_run *r = presentation_run_find(pc, NULL, true, s);
    if (r)
        remove_run(pc, r);
}

json_t *presentation_snapshot(const presentation_center *pc)
{
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

/* ---- live runs shared with other nodes (cluster_presentations.h) ---- */

void presentation_set_share(presentation_center *pc, presentation_share_fn fn, void *data)
{
    if (!pc)
        return;
    pc->share = fn;
    pc->share_data = data;
}

/* The live run of d on w at the state's step: r itself, or a new one in
 * place of r (freed; NULL: none). */
static pres_run *run_for(presentation_center *pc, pres_run *r, const pres_def *d, wall *w)
{
    if (r && r->def == d)
        return r;
    if (r)
        remove_run(pc, r);
    r = g_new0(pres_run, 1);
    *r = (pres_run){.center = pc, .def = d, .wall = w};
    g_ptr_array_add(pc->runs, r);
    return r;
}

static gint64 int_of(const json_t *state, const char *key, gint64 fallback)
{
    const json_t *v = json_object_get(state, key);
    return json_is_integer(v) ? json_integer_value(v) : fallback;
}

int presentation_take(presentation_center *pc, wall *w, const json_t *state, gint64 grace_ms,
                      pantau_error *err)
{
    pres_run *r = presentation_run_find(pc, w, false, NULL);
    pc->taking = true;
    if (!state && r)
        presentation_stop(pc, r);
    pc->taking = false;
    if (!state)
        return 0;
    const pres_def *d = presentation_find(pc, json_string_value(json_object_get(state, "id")));
    gint64 step = int_of(state, "step", -1);
    if (!d)
        return error_set(err, ERR_NOT_FOUND, "presentation", "no presentation '%s' here",
                         json_string_value(json_object_get(state, "id")));
    if (pres_step_check(step, d->n_steps, err))
        return -1;
    r = run_for(pc, r, d, w);
    r->step = (int)step;
    r->started_ms = int_of(state, "started", now_ms());
    r->step_started_ms = int_of(state, "step_started", now_ms());
    arm_timer_after(r, grace_ms);
    pc->taking = true;
    run_notify(r, notify_state(r));
    pc->taking = false;
    return 0;
}
