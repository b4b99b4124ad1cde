/* alarm_rules.h - the pure parts of alarms: severities, the rules of the
 * config's "alarms" section and how they match an alarm, which claim on a
 * wall wins, and what to do with the wall next. No server, no I/O, no
 * timers: each function is unit-tested alone (tests/unit/test_alarm_rules.c). */
#ifndef PANTAU_ALARM_RULES_H
#define PANTAU_ALARM_RULES_H

#include "config_check.h"
#include "layout.h"
#include "pantau/plugin.h"

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

#define ALARM_DEBOUNCE_DEFAULT_S 3.0
#define ALARM_UNTIL_MAX_S 86400.0
#define ALARM_PRIORITY_MAX 1000000

/* When a rule's (or an operator's) takeover of a wall ends. */
enum alarm_until {
    ALARM_UNTIL_ACK,     /* at acknowledge, or when the alarm clears first */
    ALARM_UNTIL_CLEAR,   /* when the alarm clears (acknowledging does not end it) */
    ALARM_UNTIL_SECONDS, /* after until_s on the wall, or at acknowledge or clear */
};

/* One rule of the config. Strings owned; NULL where not given. */
typedef struct alarm_rule {
    char *id;
    char *source;                      /* match: this source only */
    char *condition;                   /* match: this key, or a prefix ending in '*' */
    enum pantau_severity min_severity; /* match: at least this severity */
    char *wall;                        /* action: the wall */
    char *show;                        /* action: a source to show, or NULL */
    char *preset;                      /* action: a preset id or name, or NULL */
    char *tile;                        /* action: only this tile shows `show`, or NULL */
    enum alarm_until until;
    double until_s; /* for ALARM_UNTIL_SECONDS */
    int priority;   /* higher wins */
} alarm_rule;

/* "info", "warning", "critical". */
const char *alarm_severity_name(enum pantau_severity severity);

/* The severity named, or -1 for an unknown name (NULL included). */
int alarm_severity_parse(const char *name);

/* Whether condition (NULL: an event without one) matches pattern: equal, or
 * pattern ends in '*' and condition starts with what comes before it. A
 * NULL pattern matches everything. */
bool alarm_condition_matches(const char *pattern, const char *condition);

/* Whether rule r fires for an alarm of source, severity and condition (may
 * be NULL). */
bool alarm_rule_matches(const alarm_rule *r, const char *source, enum pantau_severity severity,
                        const char *condition);

/* Checks the config's "alarms" section (borrowed, NULL when absent),
 * reporting each error at its JSON path, e.g. "alarms.rules[0].action.wall". */
void alarm_rules_check(config_checker *c, const json_t *section, const config_sections *ids);

/* The rules of a section that alarm_rules_check accepted (borrowed, may be
 * NULL): alarm_rule *, owned by the array. */
GPtrArray *alarm_rules_from_json(const json_t *section);

/* How long a camera or feed must stay down before the core raises an alarm
 * ("debounce_s"; section borrowed, may be NULL). */
double alarm_debounce_from_json(const json_t *section);

void alarm_rule_free(alarm_rule *r);

/* ---- which claim shows on a wall ---- */

/* How a claim on a wall ranks: priority first, then the newer (larger seq). */
typedef struct alarm_claim_rank {
    int priority;
    guint64 seq;
} alarm_claim_rank;

/* Index of the winning rank among n, or -1 when n is 0. */
int alarm_claim_pick(const alarm_claim_rank *ranks, size_t n);

/* What to do with a wall under takeover. */
enum alarm_step {
    ALARM_STEP_KEEP,    /* the wall shows what it should: touch nothing */
    ALARM_STEP_SHOW,    /* show the winning claim */
    ALARM_STEP_RESTORE, /* no claim is left: put back what the wall showed before */
    ALARM_STEP_RELEASE, /* an operator changed the wall: forget it, touch nothing */
};

/* The next step for a wall: operator_changed when its version is no longer
 * the one the takeover's last change produced; winner the seq of the
 * winning claim (0: none), shown the seq of the claim on the wall (0: none). */
enum alarm_step alarm_step_decide(bool operator_changed, guint64 winner, guint64 shown);

/* Whether a claim that lasts `until` ends now that its alarm is acked
 * (acknowledged) or cleared. */
bool alarm_claim_ended(enum alarm_until until, bool acked, bool cleared);

/* Builds into out what a claim puts on a wall: with a preset (may be NULL)
 * its layout; else with tile its copy of base with only that tile showing
 * show (the whole wall when base has no such tile); else show alone,
 * full-screen. */
void alarm_target_layout(layout *out, const layout *base, const char *show, const char *tile,
                         const layout *preset);

/* Whether two layouts show the same thing the same way. */
bool alarm_layout_equal(const layout *a, const layout *b);

#endif
