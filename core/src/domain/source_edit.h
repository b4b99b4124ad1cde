/* source_edit.h - sources added, changed and removed while the server
 * runs (issue 15): each change takes effect at once (the registry makes,
 * recreates or retires the source, the media engine closes the old
 * streams and moves their viewers to the new ones), is audited and is
 * kept in the state directory as sources.json: {"put": [source entries],
 * "removed": [ids]}, applied over the config's sources at start (the
 * state wins). The caller checks an entry before it is put. Main loop
 * only. */
#ifndef PANTAU_SOURCE_EDIT_H
#define PANTAU_SOURCE_EDIT_H

#include "audit.h"
#include "media.h"
#include "persist.h"
#include "source.h"

#include <jansson.h>

#define SOURCE_EDIT_FILE "sources.json"

typedef struct source_editor source_editor;

/* The config's sources (borrowed array) with the changes kept in
 * state_dir applied: a put entry replaces the config's entry of its id in
 * place or joins the end, a removed id is left out. New reference. */
json_t *source_edit_effective(const json_t *config_sources, const char *state_dir);

/* An editor of reg's sources (all borrowed, they outlive it; media and
 * audit may be NULL), keeping its changes in state_dir (copied). */
source_editor *source_editor_new(source_registry *reg, media_engine *media, persister *persist,
                                 audit_log *audit, const char *state_dir);
void source_editor_free(source_editor *ed);

/* Adds or replaces the source of entry (borrowed, already checked:
 * {"id", "type", "name"?, "settings"?}) at once, keeping its viewers, and
 * writes the audit line and sources.json. A write that fails later takes
 * the change back (the source as it was, told to the clients) unless a
 * later change came since, and fails the fenced request (persist.h).
 * Returns the source (borrowed). */
pantau_source *source_edit_put(source_editor *ed, const json_t *entry);

/* Removes source id at once (its viewers lose its streams) and writes the
 * audit line and sources.json, taken back as source_edit_put's. Returns
 * false when there is no such source. */
bool source_edit_remove(source_editor *ed, const char *id);

#endif
