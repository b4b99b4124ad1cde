/* presentation.h - presentations for officials: steps of a preset (or an
 * inline layout), a caption and notes, run live on a wall or rehearsed on a
 * preview in the presenter's page (docs/protocol.md, "Presentations"). */
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

/* The presentations of the (valid) config; NULL without any. */
presentation_center *presentation_center_new(pantau_server *srv);
/* Stops every run (the walls keep what they show). NULL is fine. */
void presentation_center_free(presentation_center *p);

/* Session s is going away: its rehearsal ends. */
void presentation_session_closed(pantau_server *srv, const session *s);

/* What every client may see (running presentations, captions; never the
 * notes), as sent in a snapshot. New reference. */
json_t *presentation_snapshot(const pantau_server *srv);

#endif
