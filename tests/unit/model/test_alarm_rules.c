/* test_alarm_rules.c - the pure parts of alarms: severities, condition and
 * rule matching, the config's "alarms" section (through config_load, so
 * errors carry their exact paths), which claim wins a wall, the next step
 * for a wall, and what a claim puts on it. */
#include "alarm_rules.h"
#include "config.h"
#include "test_util.h"

#include <glib.h>
#include <string.h>

/* ---- matching ---- */

START_TEST(severity_names)
{
    ck_assert_int_eq(alarm_severity_parse("info"), PANTAU_SEVERITY_INFO);
    ck_assert_int_eq(alarm_severity_parse("warning"), PANTAU_SEVERITY_WARNING);
    ck_assert_int_eq(alarm_severity_parse("critical"), PANTAU_SEVERITY_CRITICAL);
    ck_assert_int_eq(alarm_severity_parse("Critical"), -1);
    ck_assert_int_eq(alarm_severity_parse(""), -1);
    ck_assert_int_eq(alarm_severity_parse(NULL), -1);
    ck_assert_str_eq(alarm_severity_name(PANTAU_SEVERITY_WARNING), "warning");
    ck_assert_str_eq(alarm_severity_name((enum pantau_severity)7), "critical");
}
END_TEST

START_TEST(condition_patterns)
{
    ck_assert(alarm_condition_matches(NULL, "anything"));
    ck_assert(alarm_condition_matches(NULL, NULL));
    ck_assert(alarm_condition_matches("ups:on_battery", "ups:on_battery"));
    ck_assert(!alarm_condition_matches("ups:on_battery", "ups:on_battery2"));
    ck_assert(!alarm_condition_matches("ups:on_battery", "ups:"));
    ck_assert(alarm_condition_matches("traffic.jammed.*", "traffic.jammed.dago"));
    ck_assert(alarm_condition_matches("traffic.jammed.*", "traffic.jammed."));
    ck_assert(!alarm_condition_matches("traffic.jammed.*", "traffic.jam"));
    ck_assert(alarm_condition_matches("*", "x"));
    ck_assert(alarm_condition_matches("*", ""));
    ck_assert_msg(!alarm_condition_matches("*", NULL), "an event without a condition");
    ck_assert(!alarm_condition_matches("core.*", NULL));
}
END_TEST

START_TEST(rule_matches)
{
    alarm_rule r = {
        .source = "dc", .condition = "check:*", .min_severity = PANTAU_SEVERITY_WARNING};
    ck_assert(alarm_rule_matches(&r, "dc", PANTAU_SEVERITY_WARNING, "check:db:down"));
    ck_assert(alarm_rule_matches(&r, "dc", PANTAU_SEVERITY_CRITICAL, "check:db:down"));
    ck_assert(!alarm_rule_matches(&r, "dc", PANTAU_SEVERITY_INFO, "check:db:down"));
    ck_assert(!alarm_rule_matches(&r, "dc2", PANTAU_SEVERITY_CRITICAL, "check:db:down"));
    ck_assert(!alarm_rule_matches(&r, "dc", PANTAU_SEVERITY_CRITICAL, "ups:on_battery"));
    alarm_rule any = {.min_severity = PANTAU_SEVERITY_INFO};
    ck_assert(alarm_rule_matches(&any, "x", PANTAU_SEVERITY_INFO, NULL));
    alarm_rule critical = {.min_severity = PANTAU_SEVERITY_CRITICAL};
    ck_assert(!alarm_rule_matches(&critical, "x", PANTAU_SEVERITY_WARNING, "c"));
}
END_TEST

/* ---- the config section ---- */

#define CONFIG_HEAD                                                                                \
    "{\"sources\": [{\"id\": \"cam1\", \"type\": \"test\"}, {\"id\": \"dc\", \"type\": "           \
    "\"dchealth\"}],\n"                                                                            \
    " \"walls\": [{\"id\": \"main\", \"displays\": {\"columns\": 1, \"rows\": 1, \"width\": "      \
    "1920, \"height\": 1080},\n"                                                                   \
    "  \"layout\": {\"columns\": 2, \"rows\": 1, \"tiles\": []}}],\n"

static char *dir;

static void setup(void)
{
    dir = tu_temp_dir();
}

static void teardown(void)
{
    tu_remove_tree(dir);
    g_free(dir);
}

/* Loads CONFIG_HEAD + alarms_text + "}". Returns the errors, each without
 * the "FILE:" prefix, joined by newlines. g_free it. */
static char *load_errors(const char *alarms_text, pantau_config **out)
{
    char *text = g_strconcat(CONFIG_HEAD, alarms_text, "}\n", NULL);
    char *path = tu_write_file(dir, "site.json", text);
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    pantau_config *cfg = config_load(path, errors);
    GString *all = g_string_new(NULL);
    size_t skip = strlen(path) + 1;
    for (guint i = 0; i < errors->len; i++)
        g_string_append_printf(all, "%s%s", i ? "\n" : "", (char *)errors->pdata[i] + skip);
    if (out)
        *out = cfg;
    else
        config_free(cfg);
    g_ptr_array_free(errors, TRUE);
    g_free(path);
    g_free(text);
    return g_string_free(all, FALSE);
}

static void assert_config_errors(const char *alarms_text, const char *expected)
{
    char *got = load_errors(alarms_text, NULL);
    ck_assert_msg(strcmp(got, expected) == 0, "errors:\n%s\nexpected:\n%s", got, expected);
    g_free(got);
}

START_TEST(config_good_rules_are_read)
{
    pantau_config *cfg = NULL;
    char *errors = load_errors(
        " \"alarms\": {\"debounce_s\": 0.5, \"rules\": [\n"
        "  {\"id\": \"r1\", \"match\": {\"source\": \"dc\", \"severity_at_least\": \"critical\","
        " \"condition\": \"check:*\"}, \"action\": {\"wall\": \"main\", \"show\": \"cam1\","
        " \"tile\": \"t1\"}, \"until\": 30, \"priority\": 7},\n"
        "  {\"id\": \"r2\", \"action\": {\"wall\": \"main\", \"preset\": \"Night\"},"
        " \"until\": \"clear\"},\n"
        "  {\"id\": \"r3\", \"action\": {\"wall\": \"main\", \"show\": \"dc\"}}]}\n",
        &cfg);
    ck_assert_msg(cfg != NULL, "refused: %s", errors);
    g_free(errors);
    const json_t *section = json_object_get(cfg->root, "alarms");
    ck_assert(alarm_debounce_from_json(section) == 0.5);
    ck_assert(alarm_debounce_from_json(NULL) == ALARM_DEBOUNCE_DEFAULT_S);
    GPtrArray *rules = alarm_rules_from_json(section);
    ck_assert_uint_eq(rules->len, 3);
    const alarm_rule *r = rules->pdata[0];
    ck_assert_str_eq(r->id, "r1");
    ck_assert_str_eq(r->source, "dc");
    ck_assert_str_eq(r->condition, "check:*");
    ck_assert_int_eq(r->min_severity, PANTAU_SEVERITY_CRITICAL);
    ck_assert_str_eq(r->wall, "main");
    ck_assert_str_eq(r->show, "cam1");
    ck_assert_str_eq(r->tile, "t1");
    ck_assert_ptr_null(r->preset);
    ck_assert_int_eq(r->until, ALARM_UNTIL_SECONDS);
    ck_assert(r->until_s == 30);
    ck_assert_int_eq(r->priority, 7);
    r = rules->pdata[1];
    ck_assert_str_eq(r->preset, "Night");
    ck_assert_int_eq(r->until, ALARM_UNTIL_CLEAR);
    ck_assert_int_eq(r->min_severity, PANTAU_SEVERITY_INFO);
    ck_assert_ptr_null(r->source);
    ck_assert_ptr_null(r->condition);
    r = rules->pdata[2];
    ck_assert_int_eq(r->until, ALARM_UNTIL_ACK);
    ck_assert_int_eq(r->priority, 0);
    g_ptr_array_free(rules, TRUE);
    rules = alarm_rules_from_json(NULL);
    ck_assert_uint_eq(rules->len, 0);
    g_ptr_array_free(rules, TRUE);
    config_free(cfg);
}
END_TEST

START_TEST(config_unknown_wall_and_source)
{
    assert_config_errors(" \"alarms\": {\"rules\": [{\"id\": \"r1\",\n"
                         "  \"match\": {\"source\": \"ghost\"},\n"
                         "  \"action\": {\"wall\": \"side\", \"show\": \"cam9\"}}]}\n",
                         "5:23: alarms.rules[0].match.source: no source 'ghost' is configured\n"
                         "6:22: alarms.rules[0].action.wall: no wall 'side' is configured\n"
                         "6:38: alarms.rules[0].action.show: no source 'cam9' is configured");
}
END_TEST

START_TEST(config_shapes)
{
    assert_config_errors(" \"alarms\": []\n", "4:12: alarms: must be an object");
    assert_config_errors(" \"alarms\": {\"rule\": []}\n", "4:21: alarms.rule: unknown key 'rule'");
    assert_config_errors(" \"alarms\": {\"rules\": {}}\n", "4:22: alarms.rules: must be an array");
    assert_config_errors(" \"alarms\": {\"debounce_s\": \"3\"}\n",
                         "4:27: alarms.debounce_s: must be a number of seconds from 0 to 3600");
    assert_config_errors(" \"alarms\": {\"rules\": [7]}\n",
                         "4:23: alarms.rules[0]: must be an object");
    assert_config_errors(" \"alarms\": {\"rules\": [{\"id\": \"r1\"}]}\n",
                         "4:23: alarms.rules[0]: 'action' is required");
    assert_config_errors(" \"alarms\": {\"rules\": [{\"id\": \"r1\", \"action\": "
                         "{\"wall\": \"main\"}, \"when\": 1}]}\n",
                         "4:72: alarms.rules[0].when: unknown key 'when'\n"
                         "4:46: alarms.rules[0].action: needs exactly one of 'show' (a source) "
                         "and 'preset'");
}
END_TEST

START_TEST(config_values)
{
    assert_config_errors(
        " \"alarms\": {\"rules\": [\n"
        "  {\"id\": \"a b\", \"match\": {\"severity_at_least\": \"high\", \"condition\": \"*x\"},\n"
        "   \"action\": {\"wall\": \"main\", \"preset\": \"p\", \"tile\": \"t1\"},"
        " \"until\": 0, \"priority\": \"1\"},\n"
        "  {\"id\": \"r\", \"action\": {\"wall\": \"main\", \"show\": \"cam1\", \"preset\": \"p\"},"
        " \"until\": \"forever\"},\n"
        "  {\"id\": \"r\", \"action\": {\"wall\": \"main\", \"show\": \"cam1\", \"tile\": "
        "\"t/1\"}}]}\n",
        "5:10: alarms.rules[0].id: 'a b' is not a valid id (1-32 of A-Z a-z 0-9 _ - . :)\n"
        "5:48: alarms.rules[0].match.severity_at_least: must be \"info\", \"warning\" or "
        "\"critical\"\n"
        "5:69: alarms.rules[0].match.condition: '*' may only end a condition (a prefix match)\n"
        "6:54: alarms.rules[0].action.tile: 'tile' goes with 'show' only\n"
        "6:70: alarms.rules[0].until: must be \"ack\", \"clear\" or a number of seconds "
        "(0 < s <= 86400)\n"
        "6:85: alarms.rules[0].priority: must be an integer from -1000000 to 1000000\n"
        "7:25: alarms.rules[1].action: needs exactly one of 'show' (a source) and 'preset'\n"
        "7:83: alarms.rules[1].until: must be \"ack\", \"clear\" or a number of seconds "
        "(0 < s <= 86400)\n"
        "8:10: alarms.rules[2].id: rule id 'r' is used twice\n"
        "8:66: alarms.rules[2].action.tile: 't/1' is not a valid tile id");
}
END_TEST

/* ---- which claim wins, and what happens to the wall ---- */

START_TEST(pick_priority_then_newest)
{
    ck_assert_int_eq(alarm_claim_pick(NULL, 0), -1);
    alarm_claim_rank one[] = {{0, 5}};
    ck_assert_int_eq(alarm_claim_pick(one, 1), 0);
    alarm_claim_rank ranks[] = {{10, 1}, {20, 2}, {5, 3}};
    ck_assert_int_eq(alarm_claim_pick(ranks, 3), 1);
    alarm_claim_rank ties[] = {{10, 4}, {10, 9}, {10, 2}};
    ck_assert_int_eq(alarm_claim_pick(ties, 3), 1);
    alarm_claim_rank negative[] = {{-5, 9}, {-1, 1}};
    ck_assert_int_eq(alarm_claim_pick(negative, 2), 1);
}
END_TEST

START_TEST(step_decisions)
{
    /* An operator's change wins over everything: leave the wall alone. */
    ck_assert_int_eq(alarm_step_decide(true, 3, 3), ALARM_STEP_RELEASE);
    ck_assert_int_eq(alarm_step_decide(true, 0, 3), ALARM_STEP_RELEASE);
    /* No claim left: go back. */
    ck_assert_int_eq(alarm_step_decide(false, 0, 3), ALARM_STEP_RESTORE);
    ck_assert_int_eq(alarm_step_decide(false, 0, 0), ALARM_STEP_RESTORE);
    /* The winner is on the wall already: nothing flickers. */
    ck_assert_int_eq(alarm_step_decide(false, 3, 3), ALARM_STEP_KEEP);
    /* A new winner, or the first one. */
    ck_assert_int_eq(alarm_step_decide(false, 4, 3), ALARM_STEP_SHOW);
    ck_assert_int_eq(alarm_step_decide(false, 1, 0), ALARM_STEP_SHOW);
}
END_TEST

START_TEST(claims_end)
{
    ck_assert(!alarm_claim_ended(ALARM_UNTIL_ACK, false, false));
    ck_assert(alarm_claim_ended(ALARM_UNTIL_ACK, true, false));
    ck_assert(alarm_claim_ended(ALARM_UNTIL_ACK, false, true));
    ck_assert(!alarm_claim_ended(ALARM_UNTIL_CLEAR, true, false));
    ck_assert(alarm_claim_ended(ALARM_UNTIL_CLEAR, true, true));
    ck_assert(!alarm_claim_ended(ALARM_UNTIL_SECONDS, false, false));
    ck_assert(alarm_claim_ended(ALARM_UNTIL_SECONDS, true, false));
    ck_assert(alarm_claim_ended(ALARM_UNTIL_SECONDS, false, true));
}
END_TEST

static layout *layout_of(const char *text)
{
    layout *l = g_new0(layout, 1);
    json_t *j = tu_json(text);
    pantau_error err = {0};
    ck_assert_msg(layout_from_json(l, j, &err) == 0, "%s", err.message);
    json_decref(j);
    return l;
}

START_TEST(targets)
{
    layout *base = layout_of("{\"columns\": 2, \"rows\": 1, \"tiles\": ["
                             "{\"id\": \"t1\", \"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1, "
                             "\"source\": \"a\"},"
                             "{\"id\": \"t2\", \"x\": 1, \"y\": 0, \"w\": 1, \"h\": 1}]}");
    layout *preset = layout_of("{\"columns\": 3, \"rows\": 3, \"tiles\": []}");
    layout *out = g_new0(layout, 1);

    alarm_target_layout(out, base, "cam", NULL, NULL);
    ck_assert_int_eq(out->columns, 1);
    ck_assert_int_eq(out->rows, 1);
    ck_assert_int_eq(out->n_tiles, 1);
    ck_assert_str_eq(out->tiles[0].source, "cam");
    pantau_error err = {0};
    ck_assert_int_eq(layout_validate(out, &err), 0);

    alarm_target_layout(out, base, "cam", "t2", NULL);
    ck_assert(!alarm_layout_equal(out, base));
    ck_assert_int_eq(out->n_tiles, 2);
    ck_assert_str_eq(out->tiles[0].source, "a");
    ck_assert_str_eq(out->tiles[1].source, "cam");
    g_strlcpy(out->tiles[1].source, "", sizeof out->tiles[1].source);
    ck_assert(alarm_layout_equal(out, base));

    alarm_target_layout(out, base, "cam", "t9", NULL);
    ck_assert_int_eq(out->n_tiles, 1);
    ck_assert_str_eq(out->tiles[0].source, "cam");

    alarm_target_layout(out, base, NULL, NULL, preset);
    ck_assert(alarm_layout_equal(out, preset));
    ck_assert(!alarm_layout_equal(preset, base));
    g_free(out);
    g_free(preset);
    g_free(base);
}
END_TEST

START_TEST(layouts_compare)
{
    layout *a = layout_of("{\"columns\": 2, \"rows\": 1, \"tiles\": [{\"id\": \"t1\", \"x\": 0, "
                          "\"y\": 0, \"w\": 1, \"h\": 1, \"source\": \"a\"}]}");
    layout *b = g_memdup2(a, sizeof *a);
    ck_assert(alarm_layout_equal(a, b));
    b->tiles[0].w = 2;
    ck_assert(!alarm_layout_equal(a, b));
    *b = *a;
    g_strlcpy(b->tiles[0].id, "t2", sizeof b->tiles[0].id);
    ck_assert(!alarm_layout_equal(a, b));
    *b = *a;
    b->rows = 2;
    ck_assert(!alarm_layout_equal(a, b));
    g_free(a);
    g_free(b);
}
END_TEST

static Suite *alarm_rules_suite(void)
{
    Suite *s = suite_create("alarm_rules");
    TCase *tc = tcase_create("matching");
    tcase_add_test(tc, severity_names);
    tcase_add_test(tc, condition_patterns);
    tcase_add_test(tc, rule_matches);
    suite_add_tcase(s, tc);

    tc = tcase_create("config");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, config_good_rules_are_read);
    tcase_add_test(tc, config_unknown_wall_and_source);
    tcase_add_test(tc, config_shapes);
    tcase_add_test(tc, config_values);
    suite_add_tcase(s, tc);

    tc = tcase_create("decisions");
    tcase_add_test(tc, pick_priority_then_newest);
    tcase_add_test(tc, step_decisions);
    tcase_add_test(tc, claims_end);
    tcase_add_test(tc, targets);
    tcase_add_test(tc, layouts_compare);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(alarm_rules_suite(), argc, argv);
}
