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

/* Where the changes go instead of sources.json (a cluster's shared store,
 * cluster_sources.h): submit(data, id, after, line, finish, free_undo,
 * undo) writes source id's entry after the change (borrowed; NULL: it was
 * removed) after line (stolen), then calls finish(undo, ok) on the main
 * loop (a change not written is taken back) and free_undo(undo). */
typedef struct source_edit_hook {
    void (*submit)(void *data, const char *id, const json_t *after, audit_line *line,
                   persist_finish_fn finish, GDestroyNotify free_undo, void *undo);
    void *data;
} source_edit_hook;

/* Sets the hook (copied) every later change is written through. */
void source_edit_set_hook(source_editor *ed, const source_edit_hook *hook);

/* Takes a change another node made: entry (borrowed, already checked:
 * {"id", "type", ...}; NULL: source id was removed) is applied as
 * source_edit_put (or _remove) does, without writing anything, when it
 * differs from the source as it is. Returns whether anything changed. */
bool source_edit_take(source_editor *ed, const char *id, const json_t *entry);

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
