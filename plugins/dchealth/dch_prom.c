#include "dch_prom.h"

#include <glib.h>
#include <math.h>
#include <string.h>

static bool is_name_start(char c, bool colon_ok)
{
    return g_ascii_isalpha(c) || c == '_' || (colon_ok && c == ':');
}

static bool is_name_char(char c, bool colon_ok)
{
    return is_name_start(c, colon_ok) || g_ascii_isdigit(c);
}

static char *skip_blanks(char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Scans a name at p; returns the char after it, or NULL if none. */
static char *scan_name(char *p, bool colon_ok)
{
    if (!is_name_start(*p, colon_ok))
        return NULL;
    while (is_name_char(*p, colon_ok))
        p++;
    return p;
}

/* Unescapes a quoted value in place; p is just after the opening quote.
 * Returns the char after the closing quote, or NULL when unterminated or
 * with an unknown escape. */
static char *scan_quoted(char *p)
{
    char *out = p;
    for (; *p && *p != '"'; p++) {
        if (*p != '\\') {
            *out++ = *p;
            continue;
        }
        p++;
        if (*p == 'n')
            *out++ = '\n';
        else if (*p == '\\' || *p == '"')
            *out++ = *p;
        else
            return NULL;
    }
    if (*p != '"')
        return NULL;
    *out = '\0';
    return p + 1;
}

/* Parses "{a="x",b!="y",}" at p (just after '{') into names/values/negate
 * (pointing into the line). allow_neg permits "!=". Returns the char after
 * '}', or NULL. */
static char *scan_labels(char *p, bool allow_neg, size_t *n, const char **names,
                         const char **values, bool *negate)
{
    *n = 0;
    for (;;) {
        p = skip_blanks(p);
        if (*p == '}')
            return p + 1;
        if (*n == DCH_PROM_MAX_LABELS)
            return NULL;
        char *name = p;
        char *end = scan_name(p, false);
        if (!end)
            return NULL;
        p = skip_blanks(end);
        bool neg = false;
        if (allow_neg && p[0] == '!' && p[1] == '=') {
            neg = true;
            p++;
        }
        if (*p != '=')
            return NULL;
        *end = '\0';
        p = skip_blanks(p + 1);
        if (*p != '"')
            return NULL;
        char *value = p + 1;
        p = scan_quoted(value);
        if (!p)
            return NULL;
        names[*n] = name;
        values[*n] = value;
        negate[*n] = neg;
        (*n)++;
        p = skip_blanks(p);
        if (*p == ',')
            p++;
        else if (*p != '}')
            return NULL;
    }
}

/* Parses a Prometheus float ("1.5e3", "NaN", "+Inf", "-Inf"). */
static int parse_value(const char *text, double *out)
{
    if (strcmp(text, "NaN") == 0) {
        *out = NAN;
        return 0;
    }
    if (strcmp(text, "+Inf") == 0 || strcmp(text, "Inf") == 0) {
        *out = INFINITY;
        return 0;
    }
    if (strcmp(text, "-Inf") == 0) {
        *out = -INFINITY;
        return 0;
    }
    /* Only plain decimal syntax: no hex, no "inf"/"nan" spellings. */
    for (const char *c = text; *c; c++)
        if (!g_ascii_isdigit(*c) && !strchr("+-.eE", *c))
            return -1;
    char *end;
    double v = g_ascii_strtod(text, &end);
    if (end == text || *end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* Cuts the next blank-separated token at p; returns it or NULL at the end. */
static char *next_token(char **p)
{
    char *s = skip_blanks(*p);
    if (!*s)
        return NULL;
    char *e = s;
    while (*e && *e != ' ' && *e != '\t')
        e++;
    if (*e)
        *e++ = '\0';
    *p = e;
    return s;
}

/* Parses one line (NUL-terminated, no newline) into *s. Returns 1 for a
 * sample, 0 for a blank or comment line, -1 when malformed. */
static int parse_line(char *line, dch_prom_sample *s)
{
    char *p = skip_blanks(line);
    if (*p == '\0' || *p == '#')
        return 0;
    char *name = p;
    char *end = scan_name(p, true);
    if (!end)
        return -1;
    p = end;
    const char *names[DCH_PROM_MAX_LABELS], *values[DCH_PROM_MAX_LABELS];
    bool negate[DCH_PROM_MAX_LABELS];
    size_t n = 0;
    if (*p == '{') {
        *p = '\0';
        p = scan_labels(p + 1, false, &n, names, values, negate);
        if (!p)
            return -1;
    } else if (*p == ' ' || *p == '\t') {
        *p++ = '\0';
    } else {
        return -1;
    }
    char *value = next_token(&p);
    char *stamp = next_token(&p);
    if (!value || next_token(&p))
        return -1;
    if (stamp && (*stamp == '-' ? !stamp[1] : !*stamp))
        return -1;
    for (char *c = stamp && *stamp == '-' ? stamp + 1 : stamp; c && *c; c++)
        if (!g_ascii_isdigit(*c))
            return -1;
    if (parse_value(value, &s->value))
        return -1;
    s->name = name;
    s->nlabels = n;
    for (size_t i = 0; i < n; i++)
        s->labels[i] = (dch_prom_label){names[i], values[i]};
    return 1;
}

void dch_prom_parse(const char *text, size_t len, dch_prom_cb cb, void *user, dch_prom_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    char *scratch = g_malloc(DCH_PROM_MAX_LINE + 1);
    dch_prom_sample *sample = g_new0(dch_prom_sample, 1);
    size_t pos = 0;
    while (text && pos < len) {
        const char *start = text + pos;
        const char *nl = memchr(start, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - start) : len - pos;
        pos += n + (nl ? 1 : 0);
        if (n && start[n - 1] == '\r')
            n--;
        if (n > DCH_PROM_MAX_LINE) {
            stats->long_lines++;
            stats->bad_lines++;
            continue;
        }
        if (memchr(start, '\0', n)) {
            stats->bad_lines++;
            continue;
        }
        memcpy(scratch, start, n);
        scratch[n] = '\0';
        int r = parse_line(scratch, sample);
        if (r < 0)
            stats->bad_lines++;
        if (r <= 0)
            continue;
        stats->samples++;
        if (cb)
            cb(sample, user);
    }
    g_free(sample);
    g_free(scratch);
}

void dch_prom_selector_clear(dch_prom_selector *sel)
{
    g_free(sel->name);
    for (size_t i = 0; i < sel->nmatchers; i++) {
        g_free(sel->matchers[i].name);
        g_free(sel->matchers[i].value);
    }
    memset(sel, 0, sizeof *sel);
}

int dch_prom_selector_parse(const char *text, dch_prom_selector *out, char **error)
{
    memset(out, 0, sizeof *out);
    char *copy = g_strstrip(g_strdup(text ? text : ""));
    const char *names[DCH_PROM_MAX_LABELS], *values[DCH_PROM_MAX_LABELS];
    bool negate[DCH_PROM_MAX_LABELS];
    size_t n = 0;
    char *end = scan_name(copy, true);
    if (!end)
        goto fail;
    char *p = end;
    if (*p == '{') {
        *p = '\0';
        p = scan_labels(p + 1, true, &n, names, values, negate);
        if (!p || *skip_blanks(p) != '\0')
            goto fail;
    } else if (*p != '\0') {
        goto fail;
    }
    out->name = g_strdup(copy);
    out->nmatchers = n;
    for (size_t i = 0; i < n; i++)
        out->matchers[i] = (dch_prom_matcher){g_strdup(names[i]), g_strdup(values[i]), negate[i]};
    g_free(copy);
    return 0;
fail:
    g_free(copy);
    *error = g_strdup_printf("bad metric selector '%.100s' (want name or name{label=\"value\"})",
                             text ? text : "");
    return -1;
}

static const char *label_of(const dch_prom_sample *s, const char *name)
{
    for (size_t i = 0; i < s->nlabels; i++)
        if (strcmp(s->labels[i].name, name) == 0)
            return s->labels[i].value;
    return "";
}

bool dch_prom_selector_matches(const dch_prom_selector *sel, const dch_prom_sample *sample)
{
    if (strcmp(sel->name, sample->name) != 0)
        return false;
    for (size_t i = 0; i < sel->nmatchers; i++) {
        const dch_prom_matcher *m = &sel->matchers[i];
        bool equal = strcmp(label_of(sample, m->name), m->value) == 0;
        if (equal == m->negate)
            return false;
    }
    return true;
}
