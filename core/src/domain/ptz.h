/* ptz.h - steering cameras: a control action (the ptz.* vocabulary,
 * checked here) handed to the camera's source type (pantau_source_type
 * .control, ABI 1.3), its answer handed back; and per session the cameras
 * it set moving, so that a session that goes away (its socket dropped)
 * stops them. Moves are not changes of pantau's state and emit nothing on
 * the bus. Main loop only. */
#ifndef PANTAU_PTZ_H
#define PANTAU_PTZ_H

#include "bus.h"
#include "pantau_error.h"
#include "session.h"
#include "source.h"

#include <jansson.h>
#include <stdbool.h>

typedef struct ptz_center ptz_center;

/* A control's answer: result (borrowed, may be NULL) when err is NULL, else
 * err (borrowed; code "device" for what the camera or plugin refused). */
typedef void (*ptz_done_fn)(const json_t *result, const pantau_error *err, void *data);

/* How long an operator keeps a camera after letting go of it (a stop, a
 * relative move, a goto), and how long after a move it was told of last
 * (the camera stops by itself 10 s after it). */
#define PTZ_HOLD_MS 5000
#define PTZ_MOVE_HOLD_MS (10000 + PTZ_HOLD_MS)

/* A center steering the cameras of sources (borrowed, outlives it),
 * telling bus (borrowed, may be NULL) who holds each camera (BUS_PTZ_HELD).
 * Free with ptz_center_free. */
ptz_center *ptz_center_new(source_registry *sources, event_bus *bus);

/* Sends ptz.stop to every camera a session set moving, answers every
 * control still waiting with an error (server stopping), then frees pc;
 * answers arriving later are dropped. NULL is ignored. */
void ptz_center_free(ptz_center *pc);

/* Whether action changes what the camera keeps (ptz.save): audited; moves,
 * stops, lists and gotos are not (no state of pantau or the camera's
 * configuration changes). action may be NULL. */
bool ptz_action_changes(const char *action);

/* Checks action and args (borrowed, may be NULL) and hands them to src's
 * type: 0, and done(…, data) is called exactly once, maybe before this
 * returns; or -1 with err (bad_request naming "action" or "args.<field>")
 * and done never called. A ptz.move by s marks src as moved by s until s
 * sends ptz.stop or closes.
 * Holding: a move (ptz.move, ptz.relative, ptz.goto) by s makes s the
 * camera's holder while it moves and PTZ_HOLD_MS after it let go; a move
 * or stop by another session meanwhile is refused with busy (field
 * "source", naming the holder), unless that session is an admin's, whose
 * move or stop takes the camera over. Lists and saves need no hold. */
int ptz_control(ptz_center *pc, const session *s, pantau_source *src, const char *action,
                const json_t *args, ptz_done_fn done, void *data, pantau_error *err);

/* Who steers which camera now: {source id: user}, for the snapshot (a
 * session that connects holds nothing yet). pc NULL: {}. New reference. */
json_t *ptz_holders_json(const ptz_center *pc);

/* Session s is going away: every camera it set moving gets ptz.stop, and
 * what it holds is free at once. pc NULL: nothing. */
void ptz_session_closed(ptz_center *pc, const session *s);

#endif
