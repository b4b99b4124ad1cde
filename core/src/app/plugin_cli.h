/* plugin_cli.h - `pantau plugin list` and `pantau plugin check FILE.so`
 * (issue 18): what is installed in the plugin directory, and whether a
 * file would load there, with the reason when it would not. */
#ifndef PANTAU_PLUGIN_CLI_H
#define PANTAU_PLUGIN_CLI_H

/* Runs `pantau plugin ARGS...`: argv[0] is "plugin". Prints to stdout
 * (refusals to stderr) and returns the exit code: 0, or 1 (a file that
 * would not load, an unreadable directory, bad usage). default_dir: the
 * plugin directory without --plugin-dir (borrowed). */
int plugin_cli_main(int argc, char **argv, const char *default_dir);

#endif
