#include "dch_nut.h"

#include <glib.h>
#include <math.h>
#include <string.h>

#define NUT_MAX_LINE 4096

bool dch_nut_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!g_ascii_isalnum(name[i]) && !strchr("_.-", name[i]))
            return false;
    return true;
}

/* NUT quotes arguments with spaces or quotes; backslash escapes \ and ". */
static void append_quoted(GString *s, const char *v)
{
    g_string_append_c(s, '"');
    for (; *v; v++) {
        if (*v == '\n' || *v == '\r')
            continue;
        if (*v == '"' || *v == '\\')
            g_string_append_c(s, '\\');
        g_string_append_c(s, *v);
    }
    g_string_append_c(s, '"');
}

char *dch_nut_request(const char *ups, const char *username, const char *password)
{
    GString *s = g_string_new(NULL);
    if (username && *username) {
        g_string_append(s, "USERNAME ");
        append_quoted(s, username);
        g_string_append(s, "\nPASSWORD ");
        append_quoted(s, password ? password : "");
        g_string_append_c(s, '\n');
    }
    g_string_append_printf(s, "LIST VAR %s\nLOGOUT\n", ups);
    return g_string_free(s, FALSE);
}

void dch_nut_status_flags(const char *status, dch_ups_state *out)
{
    out->online = out->on_battery = out->low_battery = false;
    g_strlcpy(out->status, status ? status : "", sizeof out->status);
    gchar **flags = g_strsplit_set(out->status, " \t", -1);
    for (gchar **f = flags; *f; f++) {
        if (strcmp(*f, "OL") == 0)
            out->online = true;
        else if (strcmp(*f, "OB") == 0)
            out->on_battery = true;
        else if (strcmp(*f, "LB") == 0)
            out->low_battery = true;
    }
    g_strfreev(flags);
}

/* A finite number from a variable's text, or -1. */
static double number_or_unknown(const char *text)
{
    char *end;
    double v = g_ascii_strtod(text, &end);
    if (end == text || *end != '\0' || !isfinite(v))
        return -1;
    return v;
}

/* Parses 'VAR <ups> <name> "<value>"': returns 0 and the unescaped parts
 * (pointing into line), or -1. */
static int parse_var(char *line, const char *ups, const char **name, const char **value)
{
    size_t n = strlen(ups);
    if (strncmp(line, "VAR ", 4) != 0 || strncmp(line + 4, ups, n) != 0 || line[4 + n] != ' ')
        return -1;
    char *p = line + 5 + n;
    char *sp = strchr(p, ' ');
    if (!sp || sp == p || sp[1] != '"')
        return -1;
    *sp = '\0';
    *name = p;
    char *out = sp + 2, *in = sp + 2;
    *value = out;
    for (; *in && *in != '"'; in++) {
        if (*in == '\\' && in[1])
            in++;
        *out++ = *in;
    }
    if (*in != '"' || in[1] != '\0')
        return -1;
    *out = '\0';
    return 0;
}

static void apply_var(const char *name, const char *value, dch_ups_state *out, bool *have_status)
{
    if (strcmp(name, "ups.status") == 0) {
        dch_nut_status_flags(value, out);
        *have_status = true;
    } else if (strcmp(name, "battery.charge") == 0) {
        out->charge = number_or_unknown(value);
    } else if (strcmp(name, "battery.runtime") == 0) {
        out->runtime_s = number_or_unknown(value);
    } else if (strcmp(name, "ups.load") == 0) {
        out->load = number_or_unknown(value);
    }
}

/* Handles one reply line. Returns INCOMPLETE to go on, DONE or ERROR. */
static enum dch_nut_result parse_line(char *line, const char *ups, dch_ups_state *out,
                                      bool *have_status, char **error)
{
    const char *name, *value;
    if (g_str_has_prefix(line, "ERR ") || strcmp(line, "ERR") == 0) {
        *error = g_strdup(line[3] ? g_strstrip(line + 4) : "unknown error");
        return DCH_NUT_ERROR;
    }
    if (strcmp(line, "OK") == 0 || g_str_has_prefix(line, "OK ") ||
        g_str_has_prefix(line, "BEGIN LIST VAR ") || *line == '\0')
        return DCH_NUT_INCOMPLETE;
    if (g_str_has_prefix(line, "END LIST VAR "))
        return DCH_NUT_DONE;
    if (parse_var(line, ups, &name, &value) == 0) {
        apply_var(name, value, out, have_status);
        return DCH_NUT_INCOMPLETE;
    }
    *error = g_strdup("malformed reply from the NUT server");
    return DCH_NUT_ERROR;
}

enum dch_nut_result dch_nut_parse(const char *buf, size_t len, const char *ups, dch_ups_state *out,
                                  char **error)
{
    dch_ups_state st = {.charge = -1, .runtime_s = -1, .load = -1};
    bool have_status = false;
    enum dch_nut_result r = DCH_NUT_INCOMPLETE;
    char line[NUT_MAX_LINE + 1];
    size_t pos = 0;
    while (r == DCH_NUT_INCOMPLETE && pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        if (!nl)
            break; /* a partial line: wait for the rest */
        size_t n = (size_t)(nl - (buf + pos));
        if (n > NUT_MAX_LINE || memchr(buf + pos, '\0', n)) {
            *error = g_strdup("malformed reply from the NUT server");
            return DCH_NUT_ERROR;
        }
        memcpy(line, buf + pos, n);
        line[n] = '\0';
        if (n && line[n - 1] == '\r')
            line[n - 1] = '\0';
        pos += n + 1;
        r = parse_line(line, ups, &st, &have_status, error);
    }
    if (r == DCH_NUT_INCOMPLETE && len - pos > NUT_MAX_LINE) {
        *error = g_strdup("malformed reply from the NUT server");
        return DCH_NUT_ERROR;
    }
    if (r == DCH_NUT_DONE && !have_status) {
        *error = g_strdup("the UPS reports no ups.status");
        return DCH_NUT_ERROR;
    }
    if (r == DCH_NUT_DONE)
        *out = st;
    return r;
}
