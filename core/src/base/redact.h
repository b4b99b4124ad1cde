/* redact.h - removing secrets from text before it leaves the server. */
#ifndef PANTAU_REDACT_H
#define PANTAU_REDACT_H

/* A copy of s in which the password of every "scheme://user:password@host"
 * URL is removed ("scheme://user@host"). The password may itself contain
 * '@' or ':'; everything up to the last '@' of the authority goes. Returns a
 * newly allocated string (g_free) or NULL when s is NULL. */
char *redact_url_passwords(const char *s);

/* redact_url_passwords(s), and then, for a setting that holds one URL,
 * whatever stands between the first ':' after "scheme://" and the last '@'
 * before white space: a password with '/', '?' or '#' unencoded ends the
 * authority early, and the rule above would leave it. Settings only: it
 * may take more than the password. g_free it; NULL for NULL. */
char *redact_setting_url(const char *s);

/* A copy of s that is valid UTF-8 and has no control characters (each
 * becomes '?'; invalid bytes become U+FFFD), for text from plugins or
 * devices that goes into JSON and log lines: JSON refuses what is not
 * UTF-8, and a terminal obeys escape sequences. g_free it; NULL for NULL. */
char *redact_printable(const char *s);

#endif
