/* plugin_new.c - `pantau plugin new NAME`: copies the plugin template (the
 * example plugin: plugins/example in the tree, share/pantau/plugin-template
 * when installed) into a new folder, renaming the plugin's id, its C
 * identifiers, its files and its web component's class. */
#include "plugin_new.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#define TEMPLATE_NAME "example"
/* The template in the source tree, for a pantau that runs from its build. */
#ifndef PANTAU_DEFAULT_TEMPLATE_DIR
#define PANTAU_DEFAULT_TEMPLATE_DIR PANTAU_SOURCE_DIR "/plugins/example"
#endif
#define MAX_NAME 32

/* One replacement of the template's name, tried longest first. */
typedef struct rename_rule {
    const char *from;
    char *to;
} rename_rule;

enum { N_RULES = 4 };

/* NAME is a C identifier in lower case: [a-z][a-z0-9_]*, at most 32 bytes. */
static gboolean valid_name(const char *name)
{
    if (!name || !g_ascii_islower(name[0]) || strlen(name) > MAX_NAME)
        return FALSE;
    for (const char *p = name; *p; p++)
        if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '_')
            return FALSE;
    return TRUE;
}

/* pantau-example -> pantau-demo-widget (CSS class); EXAMPLE -> DEMO_WIDGET;
 * Example -> Demo widget (display name); example -> demo_widget. */
static void rules_init(rename_rule rules[N_RULES], const char *name)
{
    char *dashed = g_strdelimit(g_strdup(name), "_", '-');
    char *title = g_strdelimit(g_strdup(name), "_", ' ');
    title[0] = g_ascii_toupper(title[0]);
    rules[0] = (rename_rule){"pantau-" TEMPLATE_NAME, g_strconcat("pantau-", dashed, NULL)};
    rules[1] = (rename_rule){"EXAMPLE", g_ascii_strup(name, -1)};
    rules[2] = (rename_rule){"Example", title};
    rules[3] = (rename_rule){TEMPLATE_NAME, g_strdup(name)};
    g_free(dashed);
}

static void rules_clear(rename_rule rules[N_RULES])
{
    for (int i = 0; i < N_RULES; i++)
        g_free(rules[i].to);
}

/* text with every rule applied in one pass (a replacement is never
 * rewritten again). Returns a g_malloc'd string. */
static char *renamed(const char *text, size_t len, const rename_rule rules[N_RULES])
{
    GString *out = g_string_sized_new(len + 64);
    for (size_t i = 0; i < len;) {
        int hit = -1;
        for (int r = 0; r < N_RULES && hit < 0; r++)
            if (len - i >= strlen(rules[r].from) &&
                memcmp(text + i, rules[r].from, strlen(rules[r].from)) == 0)
                hit = r;
        if (hit < 0) {
            g_string_append_c(out, text[i++]);
            continue;
        }
        g_string_append(out, rules[hit].to);
        i += strlen(rules[hit].from);
    }
    return g_string_free(out, FALSE);
}

static int copy_tree(const char *src, const char *dst, const rename_rule rules[N_RULES]);

/* Copies one entry of a template folder (a file or a folder) renamed. */
static int copy_entry(const char *src, const char *dst_dir, const char *entry,
                      const rename_rule rules[N_RULES])
{
    char *from = g_build_filename(src, entry, NULL);
    char *new_name = renamed(entry, strlen(entry), rules);
    char *to = g_build_filename(dst_dir, new_name, NULL);
    int rc = -1;
    if (g_file_test(from, G_FILE_TEST_IS_SYMLINK)) {
        rc = 0; /* a build tree's links are not part of the template */
    } else if (g_file_test(from, G_FILE_TEST_IS_DIR)) {
        rc = copy_tree(from, to, rules);
    } else {
        char *text = NULL;
        size_t len = 0;
        GError *err = NULL;
        if (g_file_get_contents(from, &text, &len, &err)) {
            char *out = renamed(text, len, rules);
            if (g_file_set_contents(to, out, -1, &err))
                rc = 0;
            g_free(out);
        }
        if (err)
            fprintf(stderr, "pantau: %s\n", err->message);
        g_clear_error(&err);
        g_free(text);
    }
    g_free(from);
    g_free(new_name);
    g_free(to);
    return rc;
}

/* Copies folder src to dst (made here), skipping hidden entries and build trees. */
static int copy_tree(const char *src, const char *dst, const rename_rule rules[N_RULES])
{
    if (g_mkdir_with_parents(dst, 0755) != 0) {
        fprintf(stderr, "pantau: cannot make %s: %s\n", dst, g_strerror(errno));
        return -1;
    }
    GError *err = NULL;
    GDir *dir = g_dir_open(src, 0, &err);
    if (!dir) {
        fprintf(stderr, "pantau: %s\n", err->message);
        g_error_free(err);
        return -1;
    }
    int rc = 0;
    for (const char *entry; rc == 0 && (entry = g_dir_read_name(dir));) {
        if (entry[0] == '.' || g_str_has_prefix(entry, "build"))
            continue;
        rc = copy_entry(src, dst, entry, rules);
    }
    g_dir_close(dir);
    return rc;
}

char *plugin_new_template_dir(void)
{
    char *exe = g_file_read_link("/proc/self/exe", NULL);
    char *bin_dir = exe ? g_path_get_dirname(exe) : NULL;
    char *installed =
        bin_dir ? g_build_filename(bin_dir, "..", "share", "pantau", "plugin-template", NULL)
                : NULL;
    g_free(exe);
    g_free(bin_dir);
    if (installed && g_file_test(installed, G_FILE_TEST_IS_DIR))
        return installed;
    g_free(installed);
    return g_strdup(PANTAU_DEFAULT_TEMPLATE_DIR);
}

static int usage(const char *why)
{
    fprintf(stderr,
            "pantau: %s\nusage: pantau plugin new NAME [--dir DIR] [--template DIR]\n"
            "  NAME: the plugin's id and C prefix, [a-z][a-z0-9_]*, at most %d bytes\n",
            why, MAX_NAME);
    return 2;
}

/* Writes dest from template_dir for name. Returns the exit status. */
static int plugin_new_write(const char *name, const char *dest, const char *template_dir)
{
    char *probe = g_build_filename(template_dir, TEMPLATE_NAME ".c", NULL);
    gboolean is_template = g_file_test(probe, G_FILE_TEST_IS_REGULAR);
    g_free(probe);
    if (!is_template) {
        fprintf(stderr, "pantau: %s is not a plugin template (no " TEMPLATE_NAME ".c)\n",
                template_dir);
        return 1;
    }
    if (g_file_test(dest, G_FILE_TEST_EXISTS)) {
        fprintf(stderr, "pantau: %s already exists; not overwriting it\n", dest);
        return 1;
    }
    rename_rule rules[N_RULES];
    rules_init(rules, name);
    int rc = copy_tree(template_dir, dest, rules);
    rules_clear(rules);
    if (rc)
        return 1;
    printf("wrote %s: plugin '%s'\n"
           "build and test it:  cmake -S %s -B %s/build && cmake --build %s/build && "
           "ctest --test-dir %s/build\n"
           "install it:         copy %s/build/%s.so and %s/web/ into the server's plugin "
           "directory as %s.so and %s/web/\n",
           dest, name, dest, dest, dest, dest, dest, name, dest, name, name);
    return 0;
}

int plugin_new_main(int argc, char **argv)
{
    const char *name = NULL, *dir = ".", *template_dir = NULL;
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "--dir") == 0 || strcmp(argv[i], "--template") == 0) && i + 1 < argc) {
            *(strcmp(argv[i], "--dir") == 0 ? &dir : &template_dir) = argv[i + 1];
            i++;
        } else if (argv[i][0] != '-' && !name) {
            name = argv[i];
        } else {
            return usage("unexpected argument");
        }
    }
    if (!name)
        return usage("plugin new needs a NAME");
    if (!valid_name(name))
        return usage("NAME must be [a-z][a-z0-9_]*, starting with a letter");
    char *tmpl = template_dir ? g_strdup(template_dir) : plugin_new_template_dir();
    char *dest = g_build_filename(dir, name, NULL);
    int rc = plugin_new_write(name, dest, tmpl);
    g_free(tmpl);
    g_free(dest);
    return rc;
}
