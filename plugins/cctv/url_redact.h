/* url_redact.h - strips credentials from URLs and messages before logging. */
#ifndef CCTV_URL_REDACT_H
#define CCTV_URL_REDACT_H

#include <stddef.h>

/* Returns a malloc'd copy of text in which the userinfo of every URL
 * ("scheme://user:pass@host" becomes "scheme://host") is removed, and every
 * occurrence of `secret` (may be NULL or empty: ignored) becomes "***".
 * NULL text gives an empty string. Returns NULL only when out of memory. */
char *cctv_redact(const char *text, const char *secret);

/* Returns 1 when url is rtsp:// or rtsps:// with a non-empty host, else 0. */
int cctv_url_valid(const char *url);

/* Returns 1 when url has an '@' after its host (in the path, query or
 * fragment): most likely a password holding '/', '?' or '#' unencoded, which
 * would then be taken for the host and path, and shown. Else 0. */
int cctv_url_at_after_host(const char *url);

/* text as valid UTF-8 without control characters (each becomes '?'), cut
 * to at most max bytes (max >= 4) at a character boundary with the cut
 * marked "…"; g_malloc'd, NULL for NULL. What a camera sends goes through
 * it before a log line, a reason or JSON (which refuses anything that is
 * not UTF-8). Redact first: this may change a password's bytes. */
char *cctv_printable(const char *text, size_t max);

#endif
