/* alarm.h - alarms: events from plugins and the core enter a list
 * (active -> acknowledged -> cleared); the config's rules map them to walls,
 * which go back when the alarm ends (docs/protocol.md, "Alarms"). Main loop
 * only. alarm_rules.h holds the pure parts, alarm_wall.c the takeovers. */
#ifndef PANTAU_ALARM_H
#define PANTAU_ALARM_H

#include "config_check.h"
#include "ops.h"
#include "pantau/plugin.h"

typedef struct alarm_center alarm_center;

/* The alarm operations (ops.h), ending with {NULL}. */
extern const op_def alarm_ops[];

/* Checks the config's "alarms" section (NULL when absent). */
void alarm_config_check(config_checker *c, const json_t *section, const config_sections *ids);

/* Makes the alarm list from the (valid) config. */
alarm_center *alarm_center_new(pantau_server *srv);
void alarm_center_free(alarm_center *a);

/* An event raised by a plugin (host->raise_event, BUS_SOURCE_EVENT on
 * srv->bus, to which the center subscribes). message and details (may be
 * NULL) borrowed. */
void alarm_source_event(pantau_server *srv, pantau_source *src, enum pantau_severity severity,
                        const char *message, const json_t *details);

/* A source's status changed from old to src->status (BUS_SOURCE_STATUS;
 * the core raises its own events from this: a camera offline, a feed
 * stale). */
void alarm_source_status(pantau_server *srv, pantau_source *src, enum pantau_source_status old);

/* The alarms as sent in a snapshot. New reference. */
json_t *alarm_snapshot(const pantau_server *srv);

#endif
