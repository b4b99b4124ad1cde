/* presentation.h - presentations for officials: steps of a preset, a
 * caption and notes, run live on a wall or rehearsed on a preview.
 * (Being built: issue 5.) */
#ifndef PANTAU_PRESENTATION_H
#define PANTAU_PRESENTATION_H

#include "config_check.h"
#include "ops.h"

typedef struct presentation_center presentation_center;

/* The presentation operations (ops.h), ending with {NULL}. */
extern const op_def presentation_ops[];

/* Checks the config's "presentations" section (NULL when absent). */
void presentation_config_check(config_checker *c, const json_t *section,
                               const config_sections *ids);

presentation_center *presentation_center_new(pantau_server *srv);
void presentation_center_free(presentation_center *p);

/* What every client may see (running presentations, captions; never the
 * notes), as sent in a snapshot. New reference. */
json_t *presentation_snapshot(const pantau_server *srv);

#endif
