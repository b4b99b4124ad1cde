/* config_check.h - for modules that check their own section of the
 * configuration (auth, audit, alarms, presentations): report errors at a
 * JSON path; config_fail turns the path into file, line and column. */
#ifndef PANTAU_CONFIG_CHECK_H
#define PANTAU_CONFIG_CHECK_H

#include <glib.h>
#include <jansson.h>

/* One check of a configuration file: where errors go and what they name. */
typedef struct config_checker {
    /* the file, for "path:line:column: …"; NULL for a request's check (no
     * file): errors are "json_path: …" and first_path is set */
    const char *path;
    const char *text; /* its text (borrowed), to find a JSON path's line */
    size_t len;
    GPtrArray *errors; /* char *, owned by the caller: each error appended */
    char *first_path;  /* path NULL: the JSON path of the first error (g_free) */
} config_checker;

/* What the core sections hold, for cross-references (borrowed). */
typedef struct config_sections {
    GHashTable *source_ids; /* set of source ids */
    GHashTable *wall_ids;   /* set of wall ids */
} config_sections;

/* Reports an error at json_path, e.g. "alarms.rules[2].wall". */
void config_fail(config_checker *c, const char *json_path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reports every key of obj (at path `at`) not in allowed (NULL-terminated). */
void config_check_keys(config_checker *c, const json_t *obj, const char *at,
                       const char *const *allowed);

#endif
