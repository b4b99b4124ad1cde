#include "http_routes.h"

#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

/* Browser libraries the pages may load from node_modules, by URL prefix. */
static const struct {
    const char *url_name;
    const char *dir; /* inside node_modules */
} vendor_libs[] = {
    {"gridstack", "gridstack/dist"},
    {"uplot", "uplot/dist"},
};

static const struct {
    const char *page;
    const char *file;
} pages[] = {
    {"/", "index.html"},          {"/wall", "wall.html"},   {"/console", "console.html"},
    {"/present", "present.html"}, {"/login", "login.html"},
};

bool http_route_is_page(const char *uri)
{
    for (size_t i = 0; i < G_N_ELEMENTS(pages); i++)
        if (strcmp(uri, pages[i].page) == 0)
            return true;
    return false;
}

const char *http_mime_type(const char *path)
{
    static const struct {
        const char *ext, *mime;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(types); i++)
        if (g_str_has_suffix(path, types[i].ext))
            return types[i].mime;
    return "application/octet-stream";
}

/* A relative path is safe when it has no empty, "." or ".." segment. */
static bool relative_path_is_safe(const char *rel)
{
    if (!*rel || strchr(rel, '\\') || strchr(rel, '%'))
        return false;
    char **parts = g_strsplit(rel, "/", -1);
    bool safe = true;
    for (char **p = parts; *p && safe; p++)
        safe = **p && strcmp(*p, ".") != 0 && strcmp(*p, "..") != 0;
    g_strfreev(parts);
    return safe;
}

/* root/rel if it is a regular file whose real path stays inside root. */
static char *file_inside(const char *root, const char *rel, int *status)
{
    *status = 404;
    if (!root)
        return NULL;
    if (!relative_path_is_safe(rel)) {
        *status = 403;
        return NULL;
    }
    char *path = g_build_filename(root, rel, NULL);
    char *real_root = realpath(root, NULL);
    char *real = realpath(path, NULL);
    bool ok = real && real_root && g_str_has_prefix(real, real_root) &&
              real[strlen(real_root)] == '/' && g_file_test(real, G_FILE_TEST_IS_REGULAR);
    free(real_root);
    free(real);
    if (!ok) {
        g_free(path);
        return NULL;
    }
    return path;
}

/* The slides folder: "slides" next to the config file. Only images and
 * JSON slide files are served from it (plugins/slides/README.md). */
static char *slide_file(const http_routes *routes, const char *rel, int *status)
{
    static const char *const exts[] = {".png", ".jpg", ".jpeg", ".json"};
    bool allowed = false;
    for (size_t i = 0; i < G_N_ELEMENTS(exts) && !allowed; i++)
        allowed = g_str_has_suffix(rel, exts[i]);
    if (!allowed || !routes->config_dir)
        return NULL;
    char *root = g_build_filename(routes->config_dir, "slides", NULL);
    char *file = file_inside(root, rel, status);
    g_free(root);
    return file;
}

static char *route(const http_routes *routes, const char *uri, int *status)
{
    for (size_t i = 0; i < G_N_ELEMENTS(pages); i++)
        if (strcmp(uri, pages[i].page) == 0)
            return file_inside(routes->web_dir, pages[i].file, status);
    if (g_str_has_prefix(uri, "/static/"))
        return file_inside(routes->web_dir, uri + strlen("/static/"), status);
    if (g_str_has_prefix(uri, "/vendor/") && routes->vendor_dir) {
        const char *rest = uri + strlen("/vendor/");
        for (size_t i = 0; i < G_N_ELEMENTS(vendor_libs); i++) {
            size_t n = strlen(vendor_libs[i].url_name);
            if (strncmp(rest, vendor_libs[i].url_name, n) != 0 || rest[n] != '/')
                continue;
            char *root = g_build_filename(routes->vendor_dir, vendor_libs[i].dir, NULL);
            char *file = file_inside(root, rest + n + 1, status);
            g_free(root);
            return file;
        }
    }
    if (g_str_has_prefix(uri, "/slides/"))
        return slide_file(routes, uri + strlen("/slides/"), status);
    if (g_str_has_prefix(uri, "/plugins/") && routes->plugins) {
        const char *rest = uri + strlen("/plugins/");
        const char *slash = strchr(rest, '/');
        if (!slash)
            return NULL;
        char *name = g_strndup(rest, (gsize)(slash - rest));
        loaded_plugin *p = plugin_loader_find(routes->plugins, name);
        g_free(name);
        return p ? file_inside(p->web_dir, slash + 1, status) : NULL;
    }
    return NULL;
}

char *http_route_file(const http_routes *routes, const char *uri, const char **mime, int *status)
{
    *status = 404;
    if (strstr(uri, "..")) {
        *status = 403;
        return NULL;
    }
    char *file = route(routes, uri, status);
    if (file)
        *mime = http_mime_type(file);
    return file;
}
