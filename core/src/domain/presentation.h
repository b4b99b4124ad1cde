/* presentation.h - presentations for officials: steps of a preset (or an
 * inline layout), a caption and notes, run live on a wall or rehearsed on a
 * preview in the presenter's page (docs/protocol.md, "Presentations").
 * Every start, step and stop is emitted on the bus (BUS_PRESENTATION).
 * Main loop only. */
#ifndef PANTAU_PRESENTATION_H
#define PANTAU_PRESENTATION_H

#include "audit.h"
#include "bus.h"
#include "config_check.h"
#include "pantau_error.h"
#include "presentation_def.h"
#include "session.h"
#include "walls.h"

#include <jansson.h>
#include <stdbool.h>

typedef struct presentation_center presentation_center;

/* A presentation running live on a wall, or rehearsed by one session. */
typedef struct pres_run pres_run;

/* Checks the config's "presentations" section (NULL when absent). */
void presentation_config_check(config_checker *c, const json_t *section,
                               const config_sections *ids);

/* The presentations of section (the config's "presentations", borrowed,
 * checked valid); NULL without any. Live steps change walls through walls
 * and are audited in audit (may be NULL); runs are emitted on bus (may be
 * NULL). All borrowed: they outlive the center. */
presentation_center *presentation_center_new(const json_t *section, wall_service *walls,
                                             event_bus *bus, audit_log *audit);
/* Stops every run (the walls keep what they show). NULL is fine. */
void presentation_center_free(presentation_center *pc);

/* Session s is going away: its rehearsal ends. pc NULL: nothing. */
void presentation_session_closed(presentation_center *pc, const session *s);

/* What every client may see (running presentations, captions; never the
 * notes), as sent in a snapshot (pc NULL: nothing). New reference. */
json_t *presentation_snapshot(const presentation_center *pc);

/* What a presenter of session s sees (pc NULL: nothing): every
 * definition, notes included, and the live runs with s's own rehearsal:
 * {"presentations": [...], "running": [...]}. New reference. */
json_t *presentation_list(const presentation_center *pc, const session *s);

/* The definition with this id, or NULL (pc NULL too). Borrowed. */
const pres_def *presentation_find(const presentation_center *pc, const char *id);

/* Starts d at step (0 to its last) live on wall w, or rehearsed by owner
 * on a preview shaped like w; it replaces the live run on w, or owner's
 * rehearsal. A live start shows the step on w (one change) and is
 * emitted. *run (borrowed) is the new run. Returns 0, or -1 with err
 * (bad_request at "step" out of range, not_found when the step's preset
 * is not saved) and nothing changed. */
int presentation_start(presentation_center *pc, const pres_def *d, wall *w, bool rehearsal,
                       session *owner, json_int_t step, pres_run **run, pantau_error *err);

/* The live run on w, or the rehearsal of session s; NULL when there is
 * none. Borrowed. */
pres_run *presentation_run_find(const presentation_center *pc, const wall *w, bool rehearsal,
                                const session *s);

/* Moves r next, back, to its first or last step; staying where it is
 * changes nothing. Returns 0, or -1 with err and r unchanged. */
int presentation_move(pres_run *r, enum pres_move move, pantau_error *err);

/* Shows step of r again or anew, even the one it is at. Returns 0, or -1
 * with err (bad_request at "step" out of range) and r unchanged. */
int presentation_goto(pres_run *r, json_int_t step, pantau_error *err);

/* Stops r (freed; a live run's wall keeps what it shows) and emits it. */
void presentation_stop(presentation_center *pc, pres_run *r);

/* The wall r runs on or rehearses the shape of. Borrowed. */
const wall *presentation_run_wall(const pres_run *r);

/* Whether r is a rehearsal. */
bool presentation_run_rehearsal(const pres_run *r);

/* r's state; presenter adds the step's notes and layout. New reference. */
json_t *pres_run_state(const pres_run *r, bool presenter);

/* Told of every change of a live run: wall_id and state (pres_run_state
 * without notes; NULL: stopped) borrowed for the call. */
typedef void (*presentation_share_fn)(const char *wall_id, const json_t *state, void *data);

/* Sets who is told of live runs' changes (pc NULL: nothing). */
void presentation_set_share(presentation_center *pc, presentation_share_fn fn, void *data);

/* Takes a live run of w from another node (not told back to the share):
 * state (borrowed, as pres_run_state gives it; NULL: stopped) replaces
 * w's live run or starts one at its step, without changing the wall (its
 * change comes as the wall's), and is emitted. Its dwell timer ends the
 * step grace_ms after its end as the state says. Returns 0, or -1 with err
 * (not_found: no such presentation here; bad_request: no such step). */
int presentation_take(presentation_center *pc, wall *w, const json_t *state, gint64 grace_ms,
                      pantau_error *err);

#endif
