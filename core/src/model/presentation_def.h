/* presentation_def.h - presentation definitions as the config gives them:
 * their steps, checking and reading them, their JSON for presenters, and
 * moving between steps. Data and pure rules: no wall, no bus, no timer. */
#ifndef PANTAU_PRESENTATION_DEF_H
#define PANTAU_PRESENTATION_DEF_H

#include "layout.h"
#include "pantau_error.h"

#include <glib.h>
#include <jansson.h>
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

/* Whether step is an index of a presentation of n_steps. Returns 0, or
 * -1 with err (bad_request at "step"). */
int pres_step_check(json_int_t step, int n_steps, pantau_error *err);

#endif
