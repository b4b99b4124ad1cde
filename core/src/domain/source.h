/* source.h - the sources configured on this server: each an instance of a
 * plugin's source type (looked up in a source_types table, never in the
 * plugin loader), with status and the widget data it last published. Their
 * changes are emitted on the registry's bus. */
#ifndef PANTAU_SOURCE_H
#define PANTAU_SOURCE_H

#include "pantau/plugin.h"
#include "source_types.h"

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

struct event_bus;
struct source_registry;

struct pantau_source {
    char *id;
    char *name;
    char *type_id;
    const source_type_entry *type; /* NULL when no plugin offers type_id */
    json_t *settings;              /* owned: defaults merged with the config's */
    json_t *recording;             /* owned: the entry's "recording" (recordings.h), or NULL */
    void *instance;                /* the plugin's, between create and destroy */
    enum pantau_source_status status;
    char *reason;                    /* why error/offline, or NULL */
    gint64 status_since_ms;          /* wall-clock ms when status last changed */
    json_t *last_data;               /* owned, or NULL */
    gint64 last_data_ms;             /* wall-clock ms of last_data */
    GQueue history;                  /* json_t * {"data", "time"}, owned, oldest first */
    struct media_stream *streams[2]; /* cameras: by enum pantau_stream; owned by the media engine */
    unsigned reconnects;             /* cameras: failures reported, each followed by a restart */
    struct source_registry *registry; /* the one it is in (borrowed); NULL for one made by hand */
};

typedef struct source_registry {
    GPtrArray *list;   /* pantau_source *, owned, config order */
    GHashTable *by_id; /* id -> pantau_source *, borrowed */
    /* pantau_source *, owned: removed or replaced ones, their plugin
     * instance destroyed, kept until the registry goes because a status
     * report may still be queued for them (host.c). */
    GPtrArray *retired;
    const source_types *types; /* borrowed: what sources are made of; NULL: no types */
    struct event_bus *bus;     /* borrowed: the sources' changes; NULL: told to nobody */
} source_registry;

/* Called with each refusal of source_check_settings: the JSON path of the
 * setting ("sources[3].settings") and the plugin's message (borrowed). */
typedef void (*source_check_report)(const char *json_path, const char *message, void *user);

/* Checks every source of the config (borrowed array) without making any:
 * its type must be in types (borrowed; NULL: none), and the type's check()
 * (ABI 1.2, when it has one) must take its settings merged with the
 * defaults. An unknown type is reported at "sources[N].type". */
void source_check_settings(const source_types *types, const json_t *config_sources,
                           source_check_report report, void *user);

/* An empty registry whose sources are made of types and emit their changes
 * on bus (both borrowed, both may be NULL; they must outlive it). */
source_registry *source_registry_new(const source_types *types, struct event_bus *bus);

/* Creates every source of the config (borrowed array) through its type and
 * starts it. A source whose type is not in reg->types or whose create()
 * fails is kept with status error and the reason. */
void source_registry_add_config(source_registry *reg, const json_t *config_sources);

/* Checks one source entry (borrowed) as source_check_settings does,
 * reporting at "AT.type" and "AT.settings". */
void source_check_entry(const source_types *types, const json_t *entry, const char *at,
                        source_check_report report, void *user);

/* Creates the source of entry (borrowed; checked by the caller) and starts
 * it, in place of the one with its id (which is retired: stopped and
 * destroyed; its streams must have been released, media.h) or at the end.
 * A source of the same type whose type has update() (ABI 1.4) is instead
 * changed in place through it (the same source returned), unless update()
 * refuses. Emits BUS_SOURCE_ADDED. Returns the source (borrowed). */
pantau_source *source_registry_put(source_registry *reg, const json_t *entry);

/* Retires the source id (as source_registry_put does) and emits
 * BUS_SOURCE_REMOVED. Returns false when there is no such source. */
bool source_registry_remove(source_registry *reg, const char *id);

/* The sources (borrowed, in a new array the caller frees) whose type
 * belongs to owner (source_type_entry.owner), a plugin being reloaded, and
 * those of no type whose type id is in coming (its new version's types;
 * may be NULL). */
GPtrArray *source_registry_of_owner(const source_registry *reg, const void *owner,
                                    const source_types *coming);

/* Stops and destroys src's instance and forgets its type, whose plugin is
 * going away (a live reload): source_registry_put then makes it anew of
 * the type that replaces it. Its streams must have been released. */
void source_unbind(pantau_source *src);

/* The source as its config entry: {"id", "name", "type", "settings"},
 * secrets included (for the state file only, never for a client). New
 * reference. */
json_t *source_entry_json(const pantau_source *src);

/* Stops and destroys every source, then the registry; NULL is ignored. */
void source_registry_free(source_registry *reg);

pantau_source *source_registry_find(const source_registry *reg, const char *id);

/* The source's kind ("camera", "widget", ...) as its type tells it, or
 * NULL when no loaded plugin offers its type. */
const char *source_kind(const pantau_source *src);

/* The source as sent to clients: secret settings removed. New reference. */
json_t *source_to_json(const pantau_source *src);

/* Settings with every secret removed: fields the schema marks "secret",
 * fields whose name says password/token/secret/credential, and the
 * user:password part of URLs. settings and schema (may be NULL) borrowed;
 * returns a new reference. */
json_t *settings_public(const json_t *settings, const json_t *schema);

/* How many published snapshots a source keeps for pages that open later. */
#define SOURCE_HISTORY_MAX 240

/* Keeps data (borrowed, copied) as the source's latest and appends it to its
 * history, dropping the oldest entry beyond SOURCE_HISTORY_MAX. */
void source_record_data(pantau_source *src, const json_t *data);

/* What a plugin publishes (host->publish): records data (borrowed) and
 * emits BUS_SOURCE_DATA. */
void source_publish(pantau_source *src, const json_t *data);

/* What a plugin reports (host->set_status): notes the report, and when the
 * status or reason (borrowed, redacted before it is kept) differs, sets
 * them and emits BUS_SOURCE_STATUS. */
void source_report_status(pantau_source *src, enum pantau_source_status status, const char *reason);

/* What a plugin raises (host->raise_event): logs the event and emits
 * BUS_SOURCE_EVENT with the message redacted and severity capped at
 * critical. message and details (may be NULL) borrowed. */
void source_raise_event(pantau_source *src, enum pantau_severity severity, const char *message,
                        const json_t *details);

/* The history, oldest first: [{"data", "time"}, ...]. New reference. */
json_t *source_history_json(const pantau_source *src);

const char *source_status_name(enum pantau_source_status status);

/* Whether status means the source is down: reconnecting, offline, error or
 * stale (live and idle are not). */
bool source_status_is_down(enum pantau_source_status status);

/* Whether src is a camera: its type opens and closes streams. */
bool source_is_camera(const pantau_source *src);

/* Notes a status report of src's plugin (applied or not): a camera's
 * reconnecting or error is one failed attempt, which its plugin follows
 * with a restart, so each one counts in src->reconnects. */
void source_note_report(pantau_source *src, enum pantau_source_status status);

#endif
