/* presentation_internal.h - the parts of presentations the unit tests
 * reach: definitions read from the config, step moves, runs and the center.
 * Main loop only. */
#ifndef PANTAU_PRESENTATION_INTERNAL_H
#define PANTAU_PRESENTATION_INTERNAL_H

#include "layout.h"
#include "presentation.h"

#include <glib.h>
#include <stdbool.h>

#define PRES_MAX_STEPS 200
#define PRES_DWELL_MAX_S 86400
#define PRES_TEXT_MAX 2000

/* One step: what the wall shows (a preset or an inline layout), the caption
 * shown on the wall and the notes only presenters see. Texts are a string
 * or {"en": ..., "id": ...}. */
typedef struct pres_step {
    char *preset;    /* preset id or name, or NULL */
    layout *layout;  /* inline layout, or NULL */
    json_t *caption; /* owned reference, or NULL */
    json_t *notes;   /* owned reference, or NULL; never sent to viewers */
    int dwell_ms;    /* 0: the presenter advances */
} pres_step;

typedef struct pres_def {
    char *id;
    json_t *name; /* owned reference (string or {"en","id"}), or NULL */
    pres_step *steps;
    int n_steps;
} pres_def;

/* Reads presentations[index] (entry borrowed). source_ids (may be NULL: not
 * checked) is the set of configured source ids. Returns a new definition,
 * or NULL with err naming the full JSON path, e.g.
 * "presentations[0].steps[3].preset". */
pres_def *pres_def_parse(const json_t *entry, size_t index, GHashTable *source_ids,
                         pantau_error *err);
void pres_def_free(pres_def *d);

/* The definition as presenters see it, notes included. New reference. */
json_t *pres_def_to_json(const pres_def *d);

/* Checks a text value (borrowed): a string or {"en","id"} of strings.
 * Returns 0, or -1 with err at path. */
int pres_text_check(const json_t *v, const char *path, pantau_error *err);

enum pres_move { PRES_NEXT, PRES_PREV, PRES_FIRST, PRES_LAST };

/* The step a move leads to from current in a presentation of n_steps
 * (n_steps >= 1), clamped to the first and last step. */
int pres_step_after(int current, int n_steps, enum pres_move move);

/* Reads the "step" member of req (borrowed) as an index below n_steps.
 * Returns 0, or -1 with err (field "step"). */
int pres_step_from_request(const json_t *req, int n_steps, int *step, pantau_error *err);

/* A presentation running live on a wall, or rehearsed by one session. */
typedef struct pres_run {
    presentation_center *center;
    const pres_def *def; /* borrowed from the center */
    wall *wall;          /* live: the wall it drives; rehearsal: the preview's shape */
    bool rehearsal;
    session *owner; /* rehearsal: the session it belongs to (NULL in unit tests) */
    int step;
    gint64 started_ms, step_started_ms; /* real time */
    guint timer;                        /* the dwell timer, or 0 */
} pres_run;

struct presentation_center {
    pantau_server *srv;
    GPtrArray *defs; /* pres_def *, owned, in config order */
    GPtrArray *runs; /* pres_run *, owned */
};

/* The definition with this id, or NULL. Borrowed. */
const pres_def *pres_center_find(const presentation_center *pc, const char *id);

/* The layout step s puts on a wall: its inline layout or its preset (by id,
 * then by name). Returns 0, or -1 with err (not_found, field "presentation"). */
int pres_step_layout(const pantau_server *srv, const pres_step *s, layout *out, pantau_error *err);

/* The run's state; presenter adds the step's notes and layout. New reference. */
json_t *pres_run_state(const pres_run *r, bool presenter);

#endif
