/* source.h - the sources configured on this server: each an instance of a
 * plugin's source type, with status and the widget data it last published. */
#ifndef PANTAU_SOURCE_H
#define PANTAU_SOURCE_H

#include "pantau/plugin.h"

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

struct pantau_server;
struct source_type_entry;

struct pantau_source {
    char *id;
    char *name;
    char *type_id;
    const struct source_type_entry *type; /* NULL when no plugin offers type_id */
    json_t *settings;                     /* owned: defaults merged with the config's */
    void *instance;                       /* the plugin's, between create and destroy */
    enum pantau_source_status status;
    char *reason;                    /* why error/offline, or NULL */
    gint64 status_since_ms;          /* wall-clock ms when status last changed */
    json_t *last_data;               /* owned, or NULL */
    gint64 last_data_ms;             /* wall-clock ms of last_data */
    GQueue history;                  /* json_t * {"data", "time"}, owned, oldest first */
    struct media_stream *streams[2]; /* cameras: by enum pantau_stream; owned by the media engine */
    unsigned reconnects;             /* cameras: failures reported, each followed by a restart */
    struct pantau_server *server;
};

typedef struct source_registry {
    GPtrArray *list;   /* pantau_source *, owned, config order */
    GHashTable *by_id; /* id -> pantau_source *, borrowed */
} source_registry;

struct plugin_loader;

/* Called with each refusal of source_check_settings: the JSON path of the
 * setting ("sources[3].settings") and the plugin's message (borrowed). */
typedef void (*source_check_report)(const char *json_path, const char *message, void *user);

/* Checks every source of the config (borrowed array) without making any:
 * its type must be loaded, and the type's check() (ABI 1.2, when it has
 * one) must take its settings merged with the defaults. */
void source_check_settings(const struct plugin_loader *loader, const json_t *config_sources,
                           source_check_report report, void *user);

/* Creates every source of the config through its plugin's type and starts
 * it. A source whose type is unknown or whose create() fails is kept with
 * status error and the reason. */
source_registry *source_registry_create(struct pantau_server *srv, const json_t *config_sources);

/* Stops and destroys every source. */
void source_registry_free(source_registry *reg);

pantau_source *source_registry_find(const source_registry *reg, const char *id);

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
