#include "log.h"

#include "redact.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum pantau_log_level max_level = PANTAU_LOG_INFO;

void log_set_level(enum pantau_log_level level)
{
    max_level = level;
}

void log_writev(enum pantau_log_level level, const char *who, const char *fmt, va_list ap)
{
    static const char *const names[] = {"ERROR", "WARN", "INFO", "DEBUG"};
    if (level > max_level)
        return;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    char line[2048];
    int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s [%s] ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     now.tv_nsec / 1000000, names[level], who ? who : "?");
    if (n < 0 || (size_t)n >= sizeof line)
        return;
    vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    /* A camera URL may carry its password; the log never does. */
    char *clean = strstr(line, "://") ? redact_url_passwords(line) : NULL;
    const char *text = clean ? clean : line;
    size_t len = strlen(text);
    /* One write per line so lines from several threads never interleave. */
    char *out = g_strndup(text, len + 1);
    out[len] = '\n';
    fwrite(out, 1, len + 1, stderr);
    g_free(out);
    g_free(clean);
}

void log_write(enum pantau_log_level level, const char *who, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_writev(level, who, fmt, ap);
    va_end(ap);
}
