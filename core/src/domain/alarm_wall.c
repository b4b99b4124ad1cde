/* alarm_wall.c - alarms taking over walls. A wall under takeover remembers
 * what it showed before and the version its last change produced; its
 * claims (one per rule fired or operator's alarm.show) wait in rank order,
 * the winner on the wall. When no claim is left the wall goes back, unless
 * an operator changed it meanwhile: then it is left alone. The wall is only
 * written when what it should show changes, so nothing flickers. */
#include "alarm_internal.h"

#include "audit.h"
#include "log.h"
#include "state_store.h"

#include <string.h>

typedef struct wall_takeover {
    char *wall_id;
    layout *original;   /* what the wall showed before, owned */
    gint64 our_version; /* the wall's version after our last change (or at the start) */
    guint64 shown;      /* seq of the claim on the wall, 0: none yet */
    char shown_alarm[ALARM_ID_MAX];
    GPtrArray *claims; /* alarm_claim *, owned */
} wall_takeover;

/* What an expiry timer needs to find its claim again. */
typedef struct claim_timer {
    alarm_center *a;
    char *wall_id;
    guint64 seq;
} claim_timer;

static void claim_free(alarm_claim *c)
{
    if (c->timer)
        g_source_remove(c->timer);
    g_free(c->origin);
    g_free(c->target);
    g_free(c);
}

static void takeover_free(wall_takeover *t)
{
    g_ptr_array_free(t->claims, TRUE);
    g_free(t->original);
    g_free(t->wall_id);
    g_free(t);
}

static GHashTable *takeovers(alarm_center *a)
{
    if (!a->takeovers)
        a->takeovers =
            g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)takeover_free);
    return a->takeovers;
}

gint64 alarm_wall_version(const alarm_center *a, const wall *w)
{
    const wall_takeover *t = a->takeovers ? g_hash_table_lookup(a->takeovers, w->id) : NULL;
    return t ? t->our_version : w->version;
}

/* Whether an operator (or anyone else) changed the wall since our last change. */
static bool changed_by_others(const wall_takeover *t, const wall *w)
{
    return !w || w->version != t->our_version;
}

static const alarm_claim *winner(const wall_takeover *t)
{
    guint n = t->claims->len;
    if (n == 0)
        return NULL;
    alarm_claim_rank *ranks = g_new(alarm_claim_rank, n);
    for (guint i = 0; i < n; i++) {
        const alarm_claim *c = g_ptr_array_index(t->claims, i);
        ranks[i] = (alarm_claim_rank){c->priority, c->seq};
    }
    int best = alarm_claim_pick(ranks, n);
    g_free(ranks);
    return g_ptr_array_index(t->claims, best);
}

/* Writes l onto w as one change (audited, persisted, emitted): inside an
 * operation as part of it, else as action by the server. Returns the
 * version it makes (in a cluster, the wall's once the bucket took it). */
static gint64 write_wall(alarm_center *a, wall *w, const layout *l, const char *action)
{
    if (!a->in_op)
        audit_begin(a->audit, NULL, action, w->id, w->version);
    gint64 version = walls_apply(a->walls, w, l);
    /* Its line went to the log before the wall file (walls_apply). */
    if (!a->in_op)
        audit_line_free(audit_end(a->audit, false, version));
    return version;
}

/* ---- surviving a restart ----
 * While a wall is taken over, <state>/alarms/takeover-<wall>.json holds what
 * it showed before and the version our last change produced. The alarms
 * themselves do not survive a restart (plugins raise again what is still
 * wrong), so at start a wall still as we left it goes back. */

static char *takeover_dir(const alarm_center *a)
{
    return g_build_filename(a->state_dir, "alarms", NULL);
}

static char *takeover_name(const char *wall_id)
{
    return g_strdup_printf("takeover-%s.json", wall_id);
}

/* Wall ids make file names: only plain ones do. */
static bool plain_id(const char *id)
{
    return id && *id &&
           strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") ==
               strlen(id);
}

/* The takeover file is written and removed by the writer thread, in order
 * with the wall's own writes (a failure is logged there). */
static void takeover_save(const alarm_center *a, const wall_takeover *t)
{
    if (!a->state_dir || !plain_id(t->wall_id))
        return;
    char *dir = takeover_dir(a), *name = takeover_name(t->wall_id);
    json_t *doc = json_pack("{s:o, s:I}", "original", layout_to_json(t->original), "version",
                            (json_int_t)t->our_version);
    state_batch *files = state_batch_new(dir);
    state_batch_write(files, name, doc);
    walls_write_files(a->walls, files);
    json_decref(doc);
    g_free(name);
    g_free(dir);
}

static void takeover_forget(const alarm_center *a, const char *wall_id)
{
    if (!a->state_dir || !plain_id(wall_id))
        return;
    char *dir = takeover_dir(a), *name = takeover_name(wall_id);
    state_batch *files = state_batch_new(dir);
    state_batch_remove(files, name);
    walls_write_files(a->walls, files);
    g_free(name);
    g_free(dir);
}

void alarm_wall_recover(alarm_center *a)
{
    const GPtrArray *walls = walls_all(a->walls);
    for (guint i = 0; a->state_dir && i < walls->len; i++) {
        wall *w = g_ptr_array_index(walls, i);
        if (!plain_id(w->id))
            continue;
        char *dir = takeover_dir(a), *name = takeover_name(w->id);
        json_t *doc = state_store_read(dir, name);
        g_free(name);
        g_free(dir);
        if (!doc)
            continue;
        layout original;
        pantau_error err = {0};
        const json_t *version = json_object_get(doc, "version");
        bool ours =
            json_is_integer(version) && json_integer_value(version) == (json_int_t)w->version;
        if (ours && layout_from_json(&original, json_object_get(doc, "original"), &err) == 0) {
            log_write(PANTAU_LOG_INFO, "alarms",
                      "wall '%s' was taken over by an alarm when the server stopped: it goes back",
                      w->id);
            write_wall(a, w, &original, "alarm.restore");
        }
        json_decref(doc);
        takeover_forget(a, w->id);
    }
}

/* Ends a takeover (freeing t) without touching the wall. */
static void end_takeover(alarm_center *a, wall_takeover *t)
{
    takeover_forget(a, t->wall_id);
    if (t->shown_alarm[0])
        alarm_mark(a, t->shown_alarm);
    g_hash_table_remove(a->takeovers, t->wall_id);
}

static gboolean claim_expired(gpointer data);

static void claim_timer_free(gpointer data)
{
    claim_timer *ct = data;
    g_free(ct->wall_id);
    g_free(ct);
}

static void start_timer(alarm_center *a, wall_takeover *t, alarm_claim *c)
{
    if (c->until != ALARM_UNTIL_SECONDS || c->timer)
        return;
    claim_timer *ct = g_new0(claim_timer, 1);
    ct->a = a;
    ct->wall_id = g_strdup(t->wall_id);
    ct->seq = c->seq;
    guint ms = (guint)(c->until_s * 1000.0 + 0.5);
    c->timer =
        g_timeout_add_full(G_PRIORITY_DEFAULT, ms ? ms : 1, claim_expired, ct, claim_timer_free);
}

static void show(alarm_center *a, wall_takeover *t, wall *w, alarm_claim *c)
{
    gint64 version = w->version;
    if (!alarm_layout_equal(&w->layout, c->target))
        version = write_wall(a, w, c->target, "alarm.takeover");
    if (t->shown_alarm[0])
        alarm_mark(a, t->shown_alarm);
    t->our_version = version;
    t->shown = c->seq;
    takeover_save(a, t);
    g_strlcpy(t->shown_alarm, c->alarm_id, sizeof t->shown_alarm);
    alarm_mark(a, c->alarm_id);
    log_write(PANTAU_LOG_INFO, "alarms", "wall '%s' shows alarm %s (%s)", w->id, c->alarm_id,
              c->origin ? c->origin : "operator");
    start_timer(a, t, c);
}

static void restore(alarm_center *a, wall_takeover *t, wall *w)
{
    if (!alarm_layout_equal(&w->layout, t->original))
        write_wall(a, w, t->original, "alarm.restore");
    log_write(PANTAU_LOG_INFO, "alarms", "wall '%s' shows again what it showed before", w->id);
}

/* Brings the wall in line with its claims; may end (free) t. */
static void reconcile(alarm_center *a, wall_takeover *t)
{
    wall *w = walls_find(a->walls, t->wall_id);
    alarm_claim *win = (alarm_claim *)winner(t);
    switch (alarm_step_decide(changed_by_others(t, w), win ? win->seq : 0, t->shown)) {
    case ALARM_STEP_KEEP:
        return;
    case ALARM_STEP_SHOW:
        show(a, t, w, win);
        return;
    case ALARM_STEP_RESTORE:
        restore(a, t, w);
        end_takeover(a, t);
        return;
    case ALARM_STEP_RELEASE:
        log_write(PANTAU_LOG_INFO, "alarms",
                  "wall '%s' was changed by an operator: alarms leave it alone", t->wall_id);
        end_takeover(a, t);
        return;
    }
}

static gboolean claim_expired(gpointer data)
{
    claim_timer *ct = data;
    alarm_center *a = ct->a;
    wall_takeover *t = a->takeovers ? g_hash_table_lookup(a->takeovers, ct->wall_id) : NULL;
    for (guint i = 0; t && i < t->claims->len; i++) {
        alarm_claim *c = g_ptr_array_index(t->claims, i);
        if (c->seq != ct->seq)
            continue;
        c->timer = 0; /* this source ends by returning G_SOURCE_REMOVE */
        g_ptr_array_remove_index(t->claims, i);
        reconcile(a, t);
        alarm_flush(a);
        break;
    }
    return G_SOURCE_REMOVE;
}

/* The wall's takeover, a fresh one when there is none or when the wall was
 * changed by someone else since (that one is dropped). */
static wall_takeover *takeover_for(alarm_center *a, wall *w)
{
    wall_takeover *t = g_hash_table_lookup(takeovers(a), w->id);
    if (t && !changed_by_others(t, w))
        return t;
    if (t)
        end_takeover(a, t);
    t = g_new0(wall_takeover, 1);
    t->wall_id = g_strdup(w->id);
    t->original = g_memdup2(&w->layout, sizeof w->layout);
    t->our_version = w->version;
    t->claims = g_ptr_array_new_with_free_func((GDestroyNotify)claim_free);
    g_hash_table_insert(a->takeovers, t->wall_id, t);
    return t;
}

void alarm_wall_claim(alarm_center *a, const char *wall_id, const alarm_entry *al,
                      const char *origin, const layout *target, enum alarm_until until,
                      double until_s, int priority)
{
    wall *w = walls_find(a->walls, wall_id);
    if (!w)
        return;
    wall_takeover *t = takeover_for(a, w);
    alarm_claim *c = g_new0(alarm_claim, 1);
    c->seq = ++a->next_seq;
    g_strlcpy(c->alarm_id, al->id, sizeof c->alarm_id);
    c->origin = g_strdup(origin);
    c->target = g_memdup2(target, sizeof *target);
    c->until = until;
    c->until_s = until_s;
    c->priority = priority;
    g_ptr_array_add(t->claims, c);
    reconcile(a, t);
}

/* Removes the claims of al that end with its new state. Returns how many. */
static guint drop_ended(wall_takeover *t, const alarm_entry *al)
{
    guint dropped = 0;
    for (guint i = t->claims->len; i-- > 0;) {
        const alarm_claim *c = g_ptr_array_index(t->claims, i);
        if (strcmp(c->alarm_id, al->id) != 0 ||
            !alarm_claim_ended(c->until, al->state != ALARM_ACTIVE, al->state == ALARM_CLEARED))
            continue;
        g_ptr_array_remove_index(t->claims, i);
        dropped++;
    }
    return dropped;
}

void alarm_wall_alarm_changed(alarm_center *a, const alarm_entry *al)
{
    if (!a->takeovers)
        return;
    GPtrArray *touched = g_ptr_array_new();
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, a->takeovers);
    while (g_hash_table_iter_next(&it, &key, &value))
        if (drop_ended(value, al))
            g_ptr_array_add(touched, value);
    /* reconcile may end takeovers: not while iterating the table. */
    for (guint i = 0; i < touched->len; i++)
        reconcile(a, g_ptr_array_index(touched, i));
    g_ptr_array_free(touched, TRUE);
}

const layout *alarm_wall_base(const alarm_center *a, const wall *w)
{
    const wall_takeover *t = a->takeovers ? g_hash_table_lookup(a->takeovers, w->id) : NULL;
    if (t && !changed_by_others(t, w))
        return t->original;
    return &w->layout;
}

json_t *alarm_wall_shown_on(const alarm_center *a, const char *alarm_id)
{
    json_t *walls = json_array();
    if (!a->takeovers)
        return walls;
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, a->takeovers);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        const wall_takeover *t = value;
        const wall *w = walls_find(a->walls, t->wall_id);
        if (t->shown && strcmp(t->shown_alarm, alarm_id) == 0 && !changed_by_others(t, w))
            json_array_append_new(walls, json_string(t->wall_id));
    }
    return walls;
}

void alarm_wall_free_all(alarm_center *a)
{
    if (a->takeovers)
        g_hash_table_destroy(a->takeovers);
    a->takeovers = NULL;
}
