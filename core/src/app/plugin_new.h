/* plugin_new.h - `pantau plugin new NAME`: a new plugin folder from the
 * example plugin's template. */
#ifndef PANTAU_PLUGIN_NEW_H
#define PANTAU_PLUGIN_NEW_H

/* Runs `plugin new` with argv[0] = "new" and its arguments after it:
 * NAME [--dir DIR] [--template DIR]. Writes DIR/NAME (default ./NAME) from
 * the template with every identifier renamed. Returns the exit status: 0,
 * 1 when it could not write, 2 for bad arguments. */
int plugin_new_main(int argc, char **argv);

/* The template folder this binary uses when --template is not given:
 * <prefix>/share/pantau/plugin-template beside an installed binary, else
 * the source tree's plugins/example. Returns a g_malloc'd path. */
char *plugin_new_template_dir(void);

#endif /* PANTAU_PLUGIN_NEW_H */
