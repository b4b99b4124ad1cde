/* alarm_rules.c - severities, rules (checked, read, matched) and the pure
 * decisions of wall takeovers. */
#include "alarm_rules.h"

#include <string.h>

static const char *const severity_names[] = {"info", "warning", "critical"};

const char *alarm_severity_name(enum pantau_severity severity)
{
    if ((int)severity < 0 || severity > PANTAU_SEVERITY_CRITICAL)
        return "critical";
    return severity_names[severity];
}

int alarm_severity_parse(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < (int)G_N_ELEMENTS(severity_names); i++)
        if (strcmp(name, severity_names[i]) == 0)
            return i;
    return -1;
}

bool alarm_condition_matches(const char *pattern, const char *condition)
{
    if (!pattern)
        return true;
    if (!condition)
        return false;
    size_t n = strlen(pattern);
    if (n > 0 && pattern[n - 1] == '*')
        return strncmp(pattern, condition, n - 1) == 0;
    return strcmp(pattern, condition) == 0;
}

bool alarm_rule_matches(const alarm_rule *r, const char *source, enum pantau_severity severity,
                        const char *condition)
{
    if (r->source && g_strcmp0(r->source, source) != 0)
        return false;
    if (severity < r->min_severity)
        return false;
    return alarm_condition_matches(r->condition, condition);
}

/* ---- checking the config ---- */

/* A path below `at`: "at.key". g_free it. */
static char *path_of(const char *at, const char *key)
{
    return g_strdup_printf("%s.%s", at, key);
}

/* The string member key of obj (borrowed), or NULL (reported when present
 * but not a non-empty string, or when required and absent). */
static const char *check_string(config_checker *c, const json_t *obj, const char *at,
                                const char *key, bool required)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            config_fail(c, at, "'%s' is required", key);
        return NULL;
    }
    if (json_is_string(v) && json_string_length(v) > 0)
        return json_string_value(v);
    char *p = path_of(at, key);
    config_fail(c, p, "must be a non-empty string");
    g_free(p);
    return NULL;
}

/* Checks that member key of obj (borrowed), if present, names a configured
 * source. */
static void check_source_ref(config_checker *c, const json_t *obj, const char *at, const char *key,
                             const config_sections *ids)
{
    const char *id = check_string(c, obj, at, key, false);
    if (!id || !ids->source_ids || g_hash_table_contains(ids->source_ids, id))
        return;
    char *p = path_of(at, key);
    config_fail(c, p, "no source '%s' is configured", id);
    g_free(p);
}

/* Checks a rule's "match" (borrowed, may be NULL) at path at. */
static void check_match(config_checker *c, const json_t *match, const char *at,
                        const config_sections *ids)
{
    if (!match)
        return;
    if (!json_is_object(match)) {
        config_fail(c, at, "must be an object");
        return;
    }
    static const char *const keys[] = {"source", "severity_at_least", "condition", NULL};
    config_check_keys(c, match, at, keys);
    check_source_ref(c, match, at, "source", ids);
    const char *sev = check_string(c, match, at, "severity_at_least", false);
    char *p = path_of(at, "severity_at_least");
    if (sev && alarm_severity_parse(sev) < 0)
        config_fail(c, p, "must be \"info\", \"warning\" or \"critical\"");
    g_free(p);
    const char *cond = check_string(c, match, at, "condition", false);
    const char *star = cond ? strchr(cond, '*') : NULL;
    p = path_of(at, "condition");
    if (star && star[1] != '\0')
        config_fail(c, p, "'*' may only end a condition (a prefix match)");
    g_free(p);
}

/* Checks a rule's "action" (borrowed) at path at. */
static void check_action(config_checker *c, const json_t *action, const char *at,
                         const config_sections *ids)
{
    if (!json_is_object(action)) {
        config_fail(c, at, "must be an object");
        return;
    }
    static const char *const keys[] = {"wall", "show", "preset", "tile", NULL};
    config_check_keys(c, action, at, keys);
    const char *wall = check_string(c, action, at, "wall", true);
    char *p = path_of(at, "wall");
    if (wall && ids->wall_ids && !g_hash_table_contains(ids->wall_ids, wall))
        config_fail(c, p, "no wall '%s' is configured", wall);
    g_free(p);
    check_source_ref(c, action, at, "show", ids);
    check_string(c, action, at, "preset", false);
    const char *tile = check_string(c, action, at, "tile", false);
    bool show = json_object_get(action, "show"), preset = json_object_get(action, "preset");
    if (show == preset)
        config_fail(c, at, "needs exactly one of 'show' (a source) and 'preset'");
    p = path_of(at, "tile");
    if (tile && !layout_id_is_valid(tile, LAYOUT_ID_MAX))
        config_fail(c, p, "'%s' is not a valid tile id", tile);
    else if (tile && !show)
        config_fail(c, p, "'tile' goes with 'show' only");
    g_free(p);
}

/* Checks a rule's "until" (borrowed, may be NULL) at path at. */
static void check_until(config_checker *c, const json_t *until, const char *at)
{
    if (!until)
        return;
    if (json_is_string(until) && (strcmp(json_string_value(until), "ack") == 0 ||
                                  strcmp(json_string_value(until), "clear") == 0))
        return;
    double s = json_is_number(until) ? json_number_value(until) : -1;
    if (s > 0 && s <= ALARM_UNTIL_MAX_S)
        return;
    config_fail(c, at, "must be \"ack\", \"clear\" or a number of seconds (0 < s <= %.0f)",
                ALARM_UNTIL_MAX_S);
}

/* Checks a rule's "priority" (borrowed, may be NULL) at path at. */
static void check_priority(config_checker *c, const json_t *priority, const char *at)
{
    if (!priority)
        return;
    if (json_is_integer(priority) && json_integer_value(priority) >= -ALARM_PRIORITY_MAX &&
        json_integer_value(priority) <= ALARM_PRIORITY_MAX)
        return;
    config_fail(c, at, "must be an integer from %d to %d", -ALARM_PRIORITY_MAX, ALARM_PRIORITY_MAX);
}

/* Checks a rule's "id" (rule borrowed), unique among those in seen. */
static void check_rule_id(config_checker *c, const json_t *rule, const char *at, GHashTable *seen)
{
    const char *id = check_string(c, rule, at, "id", true);
    if (!id)
        return;
    char *p = path_of(at, "id");
    if (!layout_id_is_valid(id, LAYOUT_ID_MAX))
        config_fail(c, p, "'%s' is not a valid id (1-%d of A-Z a-z 0-9 _ - . :)", id,
                    LAYOUT_ID_MAX);
    else if (g_hash_table_contains(seen, id))
        config_fail(c, p, "rule id '%s' is used twice", id);
    else
        g_hash_table_add(seen, (gpointer)id);
    g_free(p);
}

/* Checks rule i (borrowed) of alarms.rules. */
static void check_rule(config_checker *c, const json_t *rule, size_t i, GHashTable *seen,
                       const config_sections *ids)
{
    char *at = g_strdup_printf("alarms.rules[%zu]", i);
    if (!json_is_object(rule)) {
        config_fail(c, at, "must be an object");
        goto out;
    }
    static const char *const keys[] = {"id", "match", "action", "until", "priority", NULL};
    config_check_keys(c, rule, at, keys);
    check_rule_id(c, rule, at, seen);
    char *p = path_of(at, "match");
    check_match(c, json_object_get(rule, "match"), p, ids);
    g_free(p);
    p = path_of(at, "action");
    if (!json_object_get(rule, "action"))
        config_fail(c, at, "'action' is required");
    else
        check_action(c, json_object_get(rule, "action"), p, ids);
    g_free(p);
    p = path_of(at, "until");
    check_until(c, json_object_get(rule, "until"), p);
    g_free(p);
    p = path_of(at, "priority");
    check_priority(c, json_object_get(rule, "priority"), p);
    g_free(p);
out:
    g_free(at);
}

/* Checks "debounce_s" (borrowed, may be NULL). */
static void check_debounce(config_checker *c, const json_t *v)
{
    if (!v || (json_is_number(v) && json_number_value(v) >= 0 && json_number_value(v) <= 3600))
        return;
    config_fail(c, "alarms.debounce_s", "must be a number of seconds from 0 to 3600");
}

void alarm_rules_check(config_checker *c, const json_t *section, const config_sections *ids)
{
    if (!section)
        return;
    if (!json_is_object(section)) {
        config_fail(c, "alarms", "must be an object");
        return;
    }
    static const char *const keys[] = {"rules", "debounce_s", NULL};
    config_check_keys(c, section, "alarms", keys);
    check_debounce(c, json_object_get(section, "debounce_s"));
    const json_t *rules = json_object_get(section, "rules");
    if (!rules)
        return;
    if (!json_is_array(rules)) {
        config_fail(c, "alarms.rules", "must be an array");
        return;
    }
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    size_t i;
    const json_t *rule;
    json_array_foreach(rules, i, rule) check_rule(c, rule, i, seen, ids);
    g_hash_table_destroy(seen);
}

/* ---- reading rules ---- */

/* A copy of string member key of obj (borrowed, may be NULL), or NULL. */
static char *dup_member(const json_t *obj, const char *key)
{
    return g_strdup(json_string_value(json_object_get(obj, key)));
}

/* A rule from its checked config entry j (borrowed). */
static alarm_rule *rule_from_json(const json_t *j)
{
    alarm_rule *r = g_new0(alarm_rule, 1);
    const json_t *match = json_object_get(j, "match"), *action = json_object_get(j, "action");
    r->id = dup_member(j, "id");
    r->source = dup_member(match, "source");
    r->condition = dup_member(match, "condition");
    int sev = alarm_severity_parse(json_string_value(json_object_get(match, "severity_at_least")));
    r->min_severity = sev < 0 ? PANTAU_SEVERITY_INFO : (enum pantau_severity)sev;
    r->wall = dup_member(action, "wall");
    r->show = dup_member(action, "show");
    r->preset = dup_member(action, "preset");
    r->tile = dup_member(action, "tile");
    const json_t *until = json_object_get(j, "until");
    r->until = ALARM_UNTIL_ACK;
    if (json_is_number(until)) {
        r->until = ALARM_UNTIL_SECONDS;
        r->until_s = json_number_value(until);
    } else if (g_strcmp0(json_string_value(until), "clear") == 0) {
        r->until = ALARM_UNTIL_CLEAR;
    }
    r->priority = (int)json_integer_value(json_object_get(j, "priority"));
    return r;
}

GPtrArray *alarm_rules_from_json(const json_t *section)
{
    GPtrArray *rules = g_ptr_array_new_with_free_func((GDestroyNotify)alarm_rule_free);
    size_t i;
    const json_t *rule;
    json_array_foreach(json_object_get(section, "rules"), i, rule)
        g_ptr_array_add(rules, rule_from_json(rule));
    return rules;
}

double alarm_debounce_from_json(const json_t *section)
{
    const json_t *v = json_object_get(section, "debounce_s");
    return json_is_number(v) ? json_number_value(v) : ALARM_DEBOUNCE_DEFAULT_S;
}

void alarm_rule_free(alarm_rule *r)
{
    if (!r)
        return;
    g_free(r->id);
    g_free(r->source);
    g_free(r->condition);
    g_free(r->wall);
    g_free(r->show);
    g_free(r->preset);
    g_free(r->tile);
    g_free(r);
}

/* ---- takeover decisions ---- */

int alarm_claim_pick(const alarm_claim_rank *ranks, size_t n)
{
    int best = -1;
    for (size_t i = 0; i < n; i++) {
        if (best >= 0 &&
            (ranks[i].priority < ranks[best].priority ||
             (ranks[i].priority == ranks[best].priority && ranks[i].seq < ranks[best].seq)))
            continue;
        best = (int)i;
    }
    return best;
}

enum alarm_step alarm_step_decide(bool operator_changed, guint64 winner, guint64 shown)
{
    if (operator_changed)
        return ALARM_STEP_RELEASE;
    if (winner == 0)
        return ALARM_STEP_RESTORE;
    return winner == shown ? ALARM_STEP_KEEP : ALARM_STEP_SHOW;
}

bool alarm_claim_ended(enum alarm_until until, bool acked, bool cleared)
{
    if (cleared)
        return true;
    return acked && until != ALARM_UNTIL_CLEAR;
}

/* A 1x1 layout whose one tile "alarm" shows show. */
static void full_screen(layout *out, const char *show)
{
    memset(out, 0, sizeof *out);
    out->columns = out->rows = 1;
    out->n_tiles = 1;
    layout_tile *t = &out->tiles[0];
    g_strlcpy(t->id, "alarm", sizeof t->id);
    t->w = t->h = 1;
    g_strlcpy(t->source, show ? show : "", sizeof t->source);
}

void alarm_target_layout(layout *out, const layout *base, const char *show, const char *tile,
                         const layout *preset)
{
    if (preset) {
        *out = *preset;
        return;
    }
    if (tile && base && layout_find_tile(base, tile) >= 0) {
        *out = *base;
        g_strlcpy(out->tiles[layout_find_tile(base, tile)].source, show ? show : "",
                  sizeof out->tiles[0].source);
        return;
    }
    full_screen(out, show);
}

static bool tile_equal(const layout_tile *a, const layout_tile *b)
{
    return strcmp(a->id, b->id) == 0 && a->x == b->x && a->y == b->y && a->w == b->w &&
           a->h == b->h && strcmp(a->source, b->source) == 0;
}

bool alarm_layout_equal(const layout *a, const layout *b)
{
    if (a->columns != b->columns || a->rows != b->rows || a->n_tiles != b->n_tiles)
        return false;
    for (int i = 0; i < a->n_tiles; i++)
        if (!tile_equal(&a->tiles[i], &b->tiles[i]))
            return false;
    return true;
}
