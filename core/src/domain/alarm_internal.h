/* alarm_internal.h - shared by alarm.c (the list, core events, what
 * operators do) and alarm_wall.c (taking over walls and giving them back).
 * It does not include alarm.h, so that the two modules include each other
 * in no circle: it names alarm.h's types again (the same typedefs). Main
 * loop only. */
#ifndef PANTAU_ALARM_INTERNAL_H
#define PANTAU_ALARM_INTERNAL_H

#include "alarm_rules.h"
#include "audit.h"
#include "bus.h"
#include "source.h"
#include "walls.h"

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

#define ALARM_HISTORY_MAX 500     /* cleared alarms kept for alarm.list */
#define ALARM_SNAPSHOT_CLEARED 50 /* of them, the newest in every snapshot */
#define ALARM_ID_MAX 24

enum alarm_state { ALARM_ACTIVE, ALARM_ACKED, ALARM_CLEARED };

typedef struct alarm_center alarm_center;
typedef struct alarm_entry alarm_entry;

struct alarm_entry {
    char id[ALARM_ID_MAX];
    enum pantau_severity severity;
    char *source;
    char *condition; /* NULL: a one-shot event, cleared by acknowledging it */
    char *message;
    gint64 time_ms, last_ms;
    unsigned count;
    enum alarm_state state;
    char *acked_by; /* the session user, or NULL */
    gint64 acked_ms, cleared_ms;
    guint8 *fired; /* per rule: already fired for this alarm_entry */
};

/* One wall being shown something because of an alarm: by a rule or by an
 * operator's alarm.show. */
typedef struct alarm_claim {
    guint64 seq; /* unique; larger is newer */
    char alarm_id[ALARM_ID_MAX];
    char *origin;   /* the rule id, or NULL for an operator's alarm.show */
    layout *target; /* what the wall shows for it, owned */
    enum alarm_until until;
    double until_s;
    int priority;
    guint timer; /* ALARM_UNTIL_SECONDS: runs from the first time it is shown */
} alarm_claim;

struct alarm_center {
    wall_service *walls;
    source_registry *sources; /* may be NULL */
    event_bus *bus;           /* may be NULL */
    audit_log *audit;         /* may be NULL */
    char *state_dir;          /* NULL: takeovers are not kept */
    GPtrArray *rules;         /* alarm_rule *, owned, config order */
    double debounce_s;        /* core alarms wait this long */
    GPtrArray *open;          /* alarm_entry *, owned: active and acknowledged, in raise order */
    GQueue cleared;           /* alarm_entry *, owned: newest first, at most ALARM_HISTORY_MAX */
    GHashTable *by_id;        /* id -> alarm_entry *, borrowed: open and cleared */
    GHashTable *by_key;       /* "source\ncondition" (owned) -> open alarm_entry *, borrowed */
    GHashTable *debounce;     /* source id (owned) -> core_pending *, owned */
    GHashTable *takeovers;    /* wall id (owned) -> wall_takeover *, owned */
    GHashTable *dirty;        /* ids (owned) of alarms changed since the last alarm_flush */
    guint64 next_id, next_seq;
    bool in_op; /* inside an operation, which audits its own wall change */
    void (*share)(const char *key, const json_t *record, void *data); /* alarm_set_share */
    void *share_data;
    bool taking; /* another node's record is being taken: not shared back */
};

/* Notes that alarm id changed; alarm_flush tells the clients, once per alarm. */
void alarm_mark(alarm_center *a, const char *id);

/* Emits BUS_ALARM for every alarm marked since the last call, once each. */
void alarm_flush(alarm_center *a);

/* ---- alarm_wall.c ---- */

/* Takes over wall_id for alarm al: remembers what the wall shows (unless it
 * is already taken over and unchanged since), adds a claim and shows the
 * winner. target is copied. origin (may be NULL) borrowed. */
void alarm_wall_claim(alarm_center *a, const char *wall_id, const alarm_entry *al,
                      const char *origin, const layout *target, enum alarm_until until,
                      double until_s, int priority);

/* The alarm was acknowledged or cleared: its claims that end then end, and
 * their walls show the next claim or go back. */
void alarm_wall_alarm_changed(alarm_center *a, const alarm_entry *al);

/* The layout a claim on wall w builds on: what the wall showed before its
 * takeover, or what it shows now. Borrowed. */
const layout *alarm_wall_base(const alarm_center *a, const wall *w);

/* The version wall w has once the last change of its takeover is made
 * (in a cluster it may still be on its way to the bucket): the takeover's,
 * else the wall's. */
gint64 alarm_wall_version(const alarm_center *a, const wall *w);

/* The walls (ids) showing alarm_id now. New reference (array). */
json_t *alarm_wall_shown_on(const alarm_center *a, const char *alarm_id);

/* At start: a wall left taken over by the last run, and not changed since,
 * goes back to what it showed before (alarms do not survive a restart). */
void alarm_wall_recover(alarm_center *a);

/* Ends every takeover without touching the walls (shutting down). */
void alarm_wall_free_all(alarm_center *a);

#endif
