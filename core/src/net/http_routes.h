/* http_routes.h - maps a request path to a file to serve: the pages, the
 * plugins' web folders and the whitelisted browser libraries. */
#ifndef PANTAU_HTTP_ROUTES_H
#define PANTAU_HTTP_ROUTES_H

#include "plugin_loader.h"

#include <stdbool.h>

/* The folders served. Borrowed; each may be NULL (nothing served from it). */
typedef struct http_routes {
    const char *web_dir;          /* the pages: web/ */
    const char *vendor_dir;       /* node_modules/ with the browser libraries */
    const char *config_dir;       /* the config file's folder: its "slides" folder */
    const plugin_loader *plugins; /* each plugin's web folder */
} http_routes;

/* Returns the file of routes for uri (a newly allocated path, g_free it)
 * and sets *mime, or NULL with *status 404 (nothing there) or 403 (a path
 * that tries to leave its folder). Never returns a path outside the served
 * folders. */
char *http_route_file(const http_routes *routes, const char *uri, const char **mime, int *status);

/* The MIME type for a file name by its extension. */
const char *http_mime_type(const char *path);

/* Whether uri is one of the pages (/, /wall, /console, ...). */
bool http_route_is_page(const char *uri);

#endif
