/* test_cluster.c - the cluster's pure parts (docs/cluster.md): the keys of
 * walls in the shared store (kv_store_key: every id a valid NATS KV key,
 * no two ids one key), and the check of the "cluster" section. The store
 * itself is tested against real NATS servers in
 * tests/integration/cluster.test.js. */
#include "cluster.h"
#include "kv_store.h"
#include "test_util.h"

#include <glib.h>
#include <string.h>

/* NATS KV keys: [-/_=.a-zA-Z0-9]+, no empty token between dots. */
static bool nats_key_valid(const char *key)
{
    if (!*key || key[0] == '.' || key[strlen(key) - 1] == '.' || strstr(key, ".."))
        return false;
    for (const char *p = key; *p; p++)
        if (!g_ascii_isalnum(*p) && !strchr("-/_=.", *p))
            return false;
    return true;
}

START_TEST(keys_are_valid_and_distinct)
{
    static const char *const ids[] = {"main", "hall:1", "hall.1", "hall_1", "hall-1",
                                      "a..b", ".",      ":",      "A9",     "x=3A"};
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(ids); i++) {
        char *key = kv_store_key("wall.", ids[i]);
        ck_assert_msg(nats_key_valid(key), "'%s' -> '%s' is not a NATS key", ids[i], key);
        ck_assert_msg(!g_hash_table_contains(seen, key), "'%s' -> '%s' twice", ids[i], key);
        g_hash_table_add(seen, key);
    }
    g_hash_table_destroy(seen);
    char *key = kv_store_key("wall.", "hall:1.a");
    ck_assert_str_eq(key, "wall.hall=3A1=2Ea");
    g_free(key);
}
END_TEST

/* The errors of checking section (JSON text), one "path: message" each. */
static char *check(const char *text)
{
    json_t *section = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(section);
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    config_checker c = {.errors = errors};
    cluster_config_check(&c, section);
    GString *all = g_string_new("");
    for (guint i = 0; i < errors->len; i++)
        g_string_append_printf(all, "%s\n", (char *)g_ptr_array_index(errors, i));
    g_ptr_array_free(errors, TRUE);
    g_free(c.first_path);
    json_decref(section);
    return g_string_free(all, FALSE);
}

START_TEST(section_checked)
{
    char *ok = check("{\"nats\": [\"nats://127.0.0.1:4222\", \"tls://n2:4222\"], \"node\": \"a\", "
                     "\"bucket\": \"b_1\", \"replicas\": 3, \"timeout_ms\": 500, "
                     "\"public_url\": \"https://wall-a.example:8443/\"}");
    ck_assert_str_eq(ok, "");
    g_free(ok);
    static const char *const bad[][2] = {
        {"{\"node\": \"a\"}", "cluster: 'nats' is required"},
        {"{\"nats\": [], \"node\": \"a\"}", "cluster.nats: must be an array of 1 to"},
        {"{\"nats\": [\"127.0.0.1:4222\"], \"node\": \"a\"}", "cluster.nats[0]: must be a URL"},
        {"{\"nats\": [\"nats://h\"]}", "cluster: 'node' is required"},
        {"{\"nats\": [\"nats://h\"], \"node\": \"a b\"}", "cluster.node: must be 1-64"},
        {"{\"nats\": [\"nats://h\"], \"node\": \"a\", \"bucket\": \"\"}", "cluster.bucket"},
        {"{\"nats\": [\"nats://h\"], \"node\": \"a\", \"replicas\": 0}", "cluster.replicas"},
        {"{\"nats\": [\"nats://h\"], \"node\": \"a\", \"timeout_ms\": 50}", "cluster.timeout_ms"},
        {"{\"nats\": [\"nats://h\"], \"node\": \"a\", \"extra\": 1}", "cluster.extra"},
        {"{\"nats\": [\"nats://h\"], \"node\": \"a\", \"public_url\": \"ftp://h\"}",
         "cluster.public_url: must be"},
        {"{\"nats\": [\"nats://h\"], \"node\": \"a\", \"public_url\": \"http://h:80/wall\"}",
         "cluster.public_url"},
        {"{\"nats\": [\"nats://h\"], \"node\": \"a\", \"public_url\": \"http://u:p@h\"}",
         "cluster.public_url"},
        {"{\"nats\": [\"nats://h\"], \"node\": \"a\", \"public_url\": \"http://\"}",
         "cluster.public_url"},
        {"{\"nats\": [\"nats://h\"], \"node\": \"a\", \"public_url\": 8080}", "cluster.public_url"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        char *errors = check(bad[i][0]);
        ck_assert_msg(strstr(errors, bad[i][1]), "%s: got '%s', want '%s'", bad[i][0], errors,
                      bad[i][1]);
        g_free(errors);
    }
}
END_TEST

static Suite *cluster_suite(void)
{
    Suite *s = suite_create("cluster");
    TCase *tc = tcase_create("keys");
    tcase_add_test(tc, keys_are_valid_and_distinct);
    suite_add_tcase(s, tc);
    tc = tcase_create("config");
    tcase_add_test(tc, section_checked);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(cluster_suite(), argc, argv);
}
