/* log.h - the server's log: one line per call on stderr, with time and level. */
#ifndef PANTAU_LOG_H
#define PANTAU_LOG_H

#include "pantau/plugin.h"

#include <stdarg.h>

/* Writes "TIME LEVEL [who] message" to stderr. Safe from any thread. */
void log_write(enum pantau_log_level level, const char *who, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void log_writev(enum pantau_log_level level, const char *who, const char *fmt, va_list ap);

/* Lines above this level are not written (default PANTAU_LOG_INFO). */
void log_set_level(enum pantau_log_level level);

#define log_error(...) log_write(PANTAU_LOG_ERROR, "core", __VA_ARGS__)
#define log_warn(...) log_write(PANTAU_LOG_WARN, "core", __VA_ARGS__)
#define log_info(...) log_write(PANTAU_LOG_INFO, "core", __VA_ARGS__)
#define log_debug(...) log_write(PANTAU_LOG_DEBUG, "core", __VA_ARGS__)

#endif
