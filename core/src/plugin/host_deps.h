/* host_deps.h - what the plugins' host tables reach, given by app/ at start. */
#ifndef PANTAU_HOST_DEPS_H
#define PANTAU_HOST_DEPS_H

#include "source_types.h"

struct media_engine;

/* What the host tables reach, given to the plugin loader (which borrows it:
 * it must outlive the loader; main clears media when the engine goes).
 * Sources reach their bus through their registry (source.h). */
typedef struct host_deps {
    source_types *types;        /* the plugins register their source types here; required */
    struct media_engine *media; /* told of every status report; NULL: no media */
    const char *state_dir;      /* host->state_dir(); NULL when only checking a config */
} host_deps;

#endif
