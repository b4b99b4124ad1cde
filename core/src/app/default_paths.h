/* default_paths.h - where pantau looks for its plugins, pages, browser
 * libraries and config when no flag and no config key names them: under
 * the install prefix when the executable runs installed, else in the build
 * and source trees it was built from. */
#ifndef PANTAU_DEFAULT_PATHS_H
#define PANTAU_DEFAULT_PATHS_H

/* The install prefix of exe: P when exe is P/<bindir>/pantau and
 * P/<datadir>/pantau/web exists; else NULL. New string (g_free). */
char *default_paths_prefix_of(const char *exe);

/* The config file of an installation under prefix: /etc/pantau/pantau.json
 * for /usr, else prefix/etc/pantau/pantau.json. New string (g_free). */
char *default_paths_config_of(const char *prefix);

/* The defaults of this process (found once from /proc/self/exe, then
 * constant; main thread). Borrowed strings, valid until exit. */
const char *default_plugin_dir(void);
const char *default_web_dir(void);
const char *default_vendor_dir(void);
const char *default_config(void);

#endif
