/* alarm.h - alarms: events from plugins and the core enter a list
 * (active -> acknowledged -> cleared); the config's rules map them to walls,
 * which go back when the alarm ends (docs/protocol.md, "Alarms"). Every
 * change of an alarm is emitted on the bus (BUS_ALARM). Main loop only.
 * alarm_rules.h holds the pure parts, alarm_wall.c the takeovers. */
#ifndef PANTAU_ALARM_H
#define PANTAU_ALARM_H

#include "audit.h"
#include "bus.h"
#include "config_check.h"
#include "pantau/plugin.h"
#include "source.h"
#include "walls.h"

typedef struct alarm_center alarm_center;

/* One alarm of the list. Owned by the center. */
typedef struct alarm_entry alarm_entry;

/* What the alarm center uses. Everything borrowed: it outlives the center. */
typedef struct alarm_deps {
    const json_t *section;    /* the config's "alarms" (checked valid), or NULL */
    wall_service *walls;      /* the walls rules and operators take over, and presets */
    source_registry *sources; /* may be NULL: no sources */
    event_bus *bus;           /* sources' events come in, alarms go out; may be NULL */
    audit_log *audit;         /* takeovers by the server are audited; may be NULL */
    const char *state_dir;    /* takeovers survive a restart here; NULL: they do not */
} alarm_deps;

/* Checks the config's "alarms" section (NULL when absent). */
void alarm_config_check(config_checker *c, const json_t *section, const config_sections *ids);

/* Makes the alarm list (deps copied), subscribes it to the sources'
 * statuses and events on deps->bus, raises the core's alarms of sources
 * already down, and gives back walls a takeover left behind. */
alarm_center *alarm_center_new(const alarm_deps *deps);
/* Unsubscribes and frees a (NULL is fine); the walls keep what they show. */
void alarm_center_free(alarm_center *a);

/* An event raised by a plugin (host->raise_event: BUS_SOURCE_EVENT, to
 * which the center subscribes). message and details (may be NULL)
 * borrowed. a NULL: nothing. */
void alarm_source_event(alarm_center *a, pantau_source *src, enum pantau_severity severity,
                        const char *message, const json_t *details);

/* An event another node's source_id raised (cluster_events.h), taken as
 * alarm_source_event does, except that rules do not fire for it here (the
 * node that raised it fired them on the shared walls). message and details
 * (may be NULL) borrowed. a NULL: nothing. */
void alarm_relayed_event(alarm_center *a, const char *source_id, enum pantau_severity severity,
                         const char *message, const json_t *details);

/* A source's status changed from old to src->status (BUS_SOURCE_STATUS;
 * the core raises its own events from this: a camera offline, a feed
 * stale). a NULL: nothing. */
void alarm_source_status(alarm_center *a, pantau_source *src, enum pantau_source_status old);

/* The alarms as sent in a snapshot: the open ones and the newest cleared
 * ones (a NULL: none). New reference. */
json_t *alarm_snapshot(const alarm_center *a);

/* Every open alarm and the whole cleared history, newest first (a NULL:
 * none). New reference. */
json_t *alarm_history(const alarm_center *a);

/* The alarm with this id, or NULL (a NULL too). Borrowed. */
alarm_entry *alarm_find(const alarm_center *a, const char *id);

/* The alarm as sent to clients. New reference. */
json_t *alarm_to_json(const alarm_center *a, const alarm_entry *al);

/* The walls (ids) showing al now. New reference (array). */
json_t *alarm_shown_on(const alarm_center *a, const alarm_entry *al);

/* user (borrowed) acknowledges al: an active alarm becomes acknowledged
 * (one without a condition is cleared), and the claims that end then give
 * their walls back; any other changes nothing. */
void alarm_acknowledge(alarm_center *a, alarm_entry *al, const char *user);

/* An operator shows al's source on wall w now, on tile (NULL: the whole
 * wall): until acknowledged (until cleared when it already is), above
 * every rule. Inside an operation, which audits the change. Returns 0 with
 * *version the wall's version once the change is made (in a cluster, once
 * the bucket took it), or -1 with err (the tile unknown, the alarm cleared
 * or of no source). */
int alarm_show(alarm_center *a, alarm_entry *al, wall *w, const char *tile, gint64 *version,
               pantau_error *err);

/* Told of every change of an alarm (a cluster's store, cluster_alarms.h):
 * key its identity (the same for the same source and condition, or
 * source and message of a one-shot event, on every node) and record
 * (alarm_to_json without its id and shown_on), both borrowed. */
typedef void (*alarm_share_fn)(const char *key, const json_t *record, void *data);

/* Sets who is told of alarms' changes (a NULL: nothing). */
void alarm_set_share(alarm_center *a, alarm_share_fn fn, void *data);

/* Takes another node's change of an alarm (record borrowed, as the share
 * is told it; not told back): opens the alarm of its identity here when it
 * is not open (without firing rules: the node that raised it did), or
 * takes its count, severity and state (acknowledged by whom: the claims
 * that end give their walls back; cleared), and emits it. Returns 0, or -1
 * with err when record is not an alarm. */
int alarm_take(alarm_center *a, const json_t *record, pantau_error *err);

#endif
