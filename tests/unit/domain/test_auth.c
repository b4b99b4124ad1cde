/* test_auth.c - password hashes, the login rate limiter, Origin matching,
 * cookie parsing, the "auth" and "audit" config sections, and the audit
 * log's lines and queries. */
#include "audit.h"
#include "auth.h"
#include "auth_util.h"
#include "config.h"
#include "op_def.h"
#include "ops.h"
#include "password.h"
#include "test_util.h"

#include <glib.h>
#include <string.h>

/* ---- password hashes ---- */

START_TEST(hash_verifies)
{
    char *hash = password_hash("correct horse");
    ck_assert_ptr_nonnull(hash);
    ck_assert(g_str_has_prefix(hash, "$argon2id$"));
    ck_assert(password_hash_valid(hash));
    ck_assert(password_verify(hash, "correct horse"));
    ck_assert(!password_verify(hash, "correct horsE"));
    ck_assert(!password_verify(hash, ""));
    ck_assert(!password_verify(hash, NULL));
    char *again = password_hash("correct horse");
    ck_assert_str_ne(hash, again); /* salted */
    g_free(again);
    g_free(hash);
}
END_TEST

START_TEST(malformed_hashes_fail)
{
    const char *bad[] = {
        "",
        "correct horse",
        "$argon2id$",
        "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
        "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ",
        "$argon2id$v=19$m=65536,t=2,p=1$!!!!$!!!!",
        "$2b$12$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        ck_assert_msg(!password_hash_valid(bad[i]), "accepted %s", bad[i]);
        ck_assert(!password_verify(bad[i], "correct horse"));
    }
    ck_assert(!password_hash_valid(NULL));
    ck_assert(!password_verify(NULL, "x"));
}
END_TEST

START_TEST(dummy_hash_has_the_same_cost)
{
    const char *model = "$argon2id$v=19$m=8192,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$"
                        "n0iaSEnU2zMJeafqhE+qdvTgDmpJDfTMA7pJQzSyeKY";
    char *dummy = password_hash_like(model);
    ck_assert(g_str_has_prefix(dummy, "$argon2id$v=19$m=8192,t=3,p=1$"));
    ck_assert(password_hash_valid(dummy));
    g_free(dummy);
    dummy = password_hash_like(NULL);
    ck_assert(password_hash_valid(dummy));
    g_free(dummy);
}
END_TEST

START_TEST(tokens_and_digests)
{
    char digest[PASSWORD_SHA256_HEX + 1];
    password_sha256_hex("abc", digest);
    ck_assert_str_eq(digest, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    char *a = password_random_hex(32), *b = password_random_hex(32);
    ck_assert_uint_eq(strlen(a), 64);
    ck_assert_str_ne(a, b);
    ck_assert(password_equal(a, a));
    ck_assert(!password_equal(a, b));
    ck_assert(!password_equal("abc", "abcd"));
    g_free(a);
    g_free(b);
}
END_TEST

START_TEST(keyed_digests)
{
    unsigned char k1[PASSWORD_KEY_BYTES], k2[PASSWORD_KEY_BYTES];
    password_key_new(k1);
    password_key_new(k2);
    ck_assert(memcmp(k1, k2, sizeof k1) != 0);
    char a[PASSWORD_KEYED_HEX + 1], again[PASSWORD_KEYED_HEX + 1],
        other_text[PASSWORD_KEYED_HEX + 1], other_key[PASSWORD_KEYED_HEX + 1];
    password_keyed_hex(k1, "Tr0ub4dor&3", a);
    password_keyed_hex(k1, "Tr0ub4dor&3", again);
    password_keyed_hex(k1, "Tr0ub4dor&4", other_text);
    password_keyed_hex(k2, "Tr0ub4dor&3", other_key);
    ck_assert_uint_eq(strlen(a), PASSWORD_KEYED_HEX);
    ck_assert_uint_eq(strspn(a, "0123456789abcdef"), PASSWORD_KEYED_HEX);
    ck_assert_str_eq(a, again);
    ck_assert_str_ne(a, other_text);
    ck_assert_str_ne(a, other_key);
}
END_TEST

/* ---- rate limiter ---- */

#define SEC G_USEC_PER_SEC

START_TEST(limiter_counts_per_address)
{
    login_limiter *l = login_limiter_new(5, 60 * SEC);
    gint64 t = 1000 * SEC;
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(login_limiter_take(l, "10.0.0.1", t + i * SEC), 0);
    /* The sixth within the minute waits until the first is a minute old. */
    ck_assert_int_eq(login_limiter_take(l, "10.0.0.1", t + 10 * SEC), 50);
    ck_assert_int_eq(login_limiter_take(l, "10.0.0.2", t + 10 * SEC), 0);
    ck_assert_int_eq(login_limiter_take(l, "10.0.0.1", t + 60 * SEC), 0);
    ck_assert_int_gt(login_limiter_take(l, "10.0.0.1", t + 60 * SEC), 0);
    login_limiter_free(l);
}
END_TEST

START_TEST(limiter_forgives_and_groups_ipv6)
{
    login_limiter *l = login_limiter_new(2, 60 * SEC);
    ck_assert_int_eq(login_limiter_take(l, "10.0.0.1", SEC), 0);
    ck_assert_int_eq(login_limiter_take(l, "10.0.0.1", SEC), 0);
    login_limiter_forgive(l, "10.0.0.1");
    ck_assert_int_eq(login_limiter_take(l, "10.0.0.1", SEC), 0);
    ck_assert_int_ge(login_limiter_take(l, "10.0.0.1", SEC), 1);
    /* One /64 is one host. */
    ck_assert_int_eq(login_limiter_take(l, "2001:db8:1:2::1", SEC), 0);
    ck_assert_int_eq(login_limiter_take(l, "2001:db8:1:2::ffff", SEC), 0);
    ck_assert_int_ge(login_limiter_take(l, "2001:db8:1:2:aaaa::5", SEC), 1);
    ck_assert_int_eq(login_limiter_take(l, "2001:db8:1:3::1", SEC), 0);
    login_limiter_free(l);
}
END_TEST

START_TEST(limiter_is_bounded)
{
    login_limiter *l = login_limiter_new(1, 60 * SEC);
    char addr[32];
    for (int i = 0; i < 10000; i++) {
        snprintf(addr, sizeof addr, "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
        ck_assert_int_eq(login_limiter_take(l, addr, SEC), 0);
    }
    /* Full of fresh addresses: a new one waits rather than growing the table. */
    ck_assert_int_gt(login_limiter_take(l, "192.168.0.1", 2 * SEC), 0);
    /* A minute on, the stale ones go. */
    ck_assert_int_eq(login_limiter_take(l, "192.168.0.1", 62 * SEC), 0);
    login_limiter_free(l);
}
END_TEST

/* ---- origins ---- */

START_TEST(origins)
{
    json_t *allowed = tu_json("[\"https://ops.example.go.id\", \"http://10.1.1.5:8080\"]");
    ck_assert(auth_origin_allowed("http://127.0.0.1:8080", "127.0.0.1:8080", false, NULL));
    ck_assert(auth_origin_allowed("HTTP://Wall.Local:8080", "wall.local:8080", false, NULL));
    ck_assert(auth_origin_allowed("https://wall.local", "wall.local", true, NULL));
    ck_assert(!auth_origin_allowed("http://wall.local", "wall.local", true, NULL));
    ck_assert(!auth_origin_allowed("https://wall.local", "wall.local", false, NULL));
    ck_assert(!auth_origin_allowed("http://127.0.0.1:9999", "127.0.0.1:8080", false, NULL));
    ck_assert(
        !auth_origin_allowed("http://127.0.0.1:8080.evil.com", "127.0.0.1:8080", false, NULL));
    ck_assert(!auth_origin_allowed("null", "127.0.0.1:8080", false, NULL));
    ck_assert(!auth_origin_allowed(NULL, "127.0.0.1:8080", false, NULL));
    ck_assert(!auth_origin_allowed("", "127.0.0.1:8080", false, NULL));
    ck_assert(!auth_origin_allowed("http://evil.example", "", false, NULL));
    ck_assert(auth_origin_allowed("https://ops.example.go.id", "127.0.0.1:8080", false, allowed));
    ck_assert(auth_origin_allowed("http://10.1.1.5:8080", "x", false, allowed));
    ck_assert(!auth_origin_allowed("https://ops.example.go.id.evil", "x", false, allowed));
    json_decref(allowed);
}
END_TEST

/* ---- cookies ---- */

START_TEST(cookies)
{
    const struct {
        const char *header, *name, *want;
    } cases[] = {
        {"pantau_session=abc", "pantau_session", "abc"},
        {"a=1; pantau_session=abc; b=2", "pantau_session", "abc"},
        {"a=1;pantau_session=abc", "pantau_session", "abc"},
        {"x_pantau_session=no; pantau_session=yes", "pantau_session", "yes"},
        {"pantau_session_old=no", "pantau_session", NULL},
        {"pantau_session=\"quoted\"", "pantau_session", "quoted"},
        {"pantau_session=", "pantau_session", NULL},
        {"pantau_session=abc  ", "pantau_session", "abc"},
        {"", "pantau_session", NULL},
        {"a=1; b=2", "pantau_session", NULL},
        {NULL, "pantau_session", NULL},
        {"pantau_token=t; pantau_session=s", "pantau_token", "t"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *got = auth_cookie_get(cases[i].header, cases[i].name);
        if (cases[i].want)
            ck_assert_msg(got && strcmp(got, cases[i].want) == 0, "case %zu: got %s", i,
                          got ? got : "NULL");
        else
            ck_assert_msg(!got || !*got, "case %zu: got %s", i, got);
        g_free(got);
    }
}
END_TEST

/* ---- config sections ---- */

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

#define HASH                                                                                       \
    "$argon2id$v=19$m=8192,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$"                                        \
    "n0iaSEnU2zMJeafqhE+qdvTgDmpJDfTMA7pJQzSyeKY"

static char *config_with(const char *sections)
{
    return g_strdup_printf(
        "{\"walls\": [{\"id\": \"main\", \"displays\": {\"columns\": 1, \"rows\": 1, "
        "\"width\": 1920, \"height\": 1080}, \"layout\": {\"columns\": 1, \"rows\": 1, "
        "\"tiles\": []}}],\n \"sources\": []%s%s}\n",
        *sections ? ",\n" : "", sections);
}

/* The errors of loading a config with sections, joined by newlines,
 * without file:line:col. */
static char *errors_of(const char *sections)
{
    char *text = config_with(sections);
    char *path = tu_write_file(dir, "site.json", text);
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    pantau_config *cfg = config_load(path, errors);
    GString *all = g_string_new(NULL);
    for (guint i = 0; i < errors->len; i++) {
        const char *e = errors->pdata[i];
        for (int colons = 0; colons < 3 && *e; e++)
            colons += *e == ':';
        g_string_append_printf(all, "%s\n", e + (*e == ' '));
    }
    config_free(cfg);
    g_ptr_array_free(errors, TRUE);
    g_free(path);
    g_free(text);
    return g_string_free(all, FALSE);
}

static void assert_config(const char *sections, const char *want)
{
    char *got = errors_of(sections);
    ck_assert_msg(strcmp(got, want) == 0, "for\n%s\ngot\n%sexpected\n%s", sections, got, want);
    g_free(got);
}

START_TEST(auth_config_good)
{
    assert_config("", "");
    assert_config("\"auth\": {\"users\": [{\"name\": \"ana\", \"role\": \"admin\", "
                  "\"password_hash\": \"" HASH "\", \"walls\": [\"main\"]}],"
                  " \"viewer_tokens\": [{\"name\": \"wall-1\", \"token_sha256\": "
                  "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"},"
                  " {\"name\": \"wall-2\", \"token_hash\": \"" HASH "\"}],"
                  " \"allowed_origins\": [\"https://ops.example:8443\"],"
                  " \"session_hours\": 8, \"tls\": {\"cert\": \"c.pem\", \"key\": \"k.pem\"}},"
                  " \"audit\": {\"file\": \"audit/log.jsonl\", \"enabled\": true}",
                  "");
}
END_TEST

START_TEST(auth_config_bad)
{
    assert_config("\"auth\": {\"users\": [{\"name\": \"ana\", \"role\": \"admin\", "
                  "\"password_hash\": \"" HASH "\"}, {\"name\": \"ana\", \"role\": \"boss\", "
                  "\"password_hash\": \"secret\", \"walls\": [\"nowhere\"], \"pw\": 1}]}",
                  "auth.users[1].pw: unknown key 'pw'\n"
                  "auth.users[1].name: 'ana' is used twice\n"
                  "auth.users[1].role: 'role' must be one of viewer, operator, presenter, admin\n"
                  "auth.users[1].password_hash: 'password_hash' must be an argon2id hash (pantau "
                  "--hash-password makes one)\n"
                  "auth.users[1].walls[0]: no wall 'nowhere'\n");
    assert_config("\"auth\": {\"viewer_tokens\": [{\"name\": \"w\", \"token_sha256\": \"abc\"},"
                  " {\"name\": \"v\"}], \"allowed_origins\": [\"https://x/y\"],"
                  " \"session_hours\": 0, \"tls\": {\"cert\": \"c\"}}",
                  "auth.viewer_tokens[0].token_sha256: must be 64 hex digits (sha256sum of the "
                  "token)\n"
                  "auth.viewer_tokens[1]: exactly one of 'token_hash' and 'token_sha256' is "
                  "needed\n"
                  "auth.allowed_origins[0]: must be an origin such as https://wall.example:8443 "
                  "(no path)\n"
                  "auth.session_hours: must be 1 to 8760\n"
                  "auth.tls: 'key' is required\n");
    assert_config("\"auth\": {}",
                  "auth: at least one user or viewer token (or 'anonymous_role') is needed\n");
    assert_config("\"audit\": {\"file\": 3, \"enabled\": \"yes\", \"x\": 1}",
                  "audit.x: unknown key 'x'\n"
                  "audit.file: must be a non-empty path\n"
                  "audit.enabled: must be true or false\n");
}
END_TEST

/* ---- the audit log ---- */

/* A server with only an audit log, as the config text (its "audit") and
 * dir (as state and config directory) open it. */
static pantau_server *audit_server(const char *config_text)
{
    pantau_server *srv = tu_server_new(dir, "[]");
    json_t *root = tu_json(config_text);
    srv->audit = audit_log_open(json_object_get(root, "audit"), dir, dir, NULL);
    json_decref(root);
    return srv;
}

static void audit_server_free(pantau_server *srv)
{
    audit_log_close(srv->audit);
    srv->audit = NULL;
    tu_server_free(srv);
}

static void keep_reply(json_t *reply, void *data)
{
    *(json_t **)data = reply;
}

/* Runs audit.query (app/ops_audit.c) through the dispatcher, waiting on
 * the main loop for its answer (it reads off the main loop). The result is
 * a new reference, or NULL with *code set. */
static json_t *query(pantau_server *srv, const char *req_text, const char **code)
{
    json_t *req = tu_json(req_text);
    json_object_set_new(req, "op", json_string("audit.query"));
    json_object_set_new(req, "id", json_integer(1));
    json_t *reply = NULL;
    ops_handle_async(srv, NULL, req, keep_reply, &reply);
    while (!reply)
        g_main_context_iteration(NULL, TRUE);
    json_decref(req);
    json_t *ok = json_incref(json_object_get(reply, "ok"));
    static char code_buf[64];
    const char *c = json_string_value(json_object_get(json_object_get(reply, "error"), "code"));
    g_strlcpy(code_buf, c ? c : "", sizeof code_buf);
    *code = ok ? NULL : code_buf;
    json_decref(reply);
    return ok;
}

START_TEST(audit_lines)
{
    pantau_server *srv = audit_server("{}");
    session *s = session_new(NULL);
    s->address = g_strdup("10.0.0.9");
    pantau_error err = {0};
    ck_assert_int_eq(audit_record(srv->audit, s, "tile.swap", "main", 4, 5, &err), 0);
    ck_assert_int_eq(audit_record(srv->audit, NULL, "wall.clear", NULL, -1, -1, &err), 0);
    char *path = g_build_filename(dir, "audit.jsonl", NULL);
    char *text = tu_read_file(path);
    char **lines = g_strsplit(text, "\n", -1);
    ck_assert_uint_eq(g_strv_length(lines), 3);
    ck_assert_str_eq(lines[2], "");
    json_t *a = tu_json(lines[0]), *b = tu_json(lines[1]);
    ck_assert_str_eq(json_string_value(json_object_get(a, "user")), "local");
    ck_assert_str_eq(json_string_value(json_object_get(a, "role")), "admin");
    ck_assert_str_eq(json_string_value(json_object_get(a, "address")), "10.0.0.9");
    ck_assert_str_eq(json_string_value(json_object_get(a, "action")), "tile.swap");
    ck_assert_str_eq(json_string_value(json_object_get(a, "wall")), "main");
    ck_assert_int_eq(json_integer_value(json_object_get(a, "version_before")), 4);
    ck_assert_int_eq(json_integer_value(json_object_get(a, "version_after")), 5);
    ck_assert(json_is_true(json_object_get(a, "ok")));
    const char *time = json_string_value(json_object_get(a, "time"));
    ck_assert_msg(
        g_regex_match_simple("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$", time, 0, 0),
        "time %s", time);
    ck_assert_str_eq(json_string_value(json_object_get(b, "user")), "system");
    ck_assert(json_is_null(json_object_get(b, "wall")));
    ck_assert(json_is_null(json_object_get(b, "version_before")));
    json_decref(a);
    json_decref(b);
    g_strfreev(lines);
    g_free(text);
    g_free(path);
    session_free(s);
    audit_server_free(srv);
}
END_TEST

START_TEST(audit_torn_line_and_failure)
{
    /* A crash in the middle of a line: the next line starts on its own. */
    char *path = tu_write_file(dir, "torn.jsonl", "{\"time\":\"2025-01-01T00:00:00.000Z\",\"us");
    pantau_server *srv = audit_server("{\"audit\": {\"file\": \"torn.jsonl\"}}");
    pantau_error err = {0};
    ck_assert_int_eq(audit_record(srv->audit, NULL, "wall.clear", "main", 1, 2, &err), 0);
    const char *code;
    json_t *ok = query(srv, "{}", &code);
    ck_assert_ptr_null(code);
    ck_assert_uint_eq(json_array_size(json_object_get(ok, "entries")), 1);
    json_decref(ok);
    audit_server_free(srv);
    g_free(path);
    /* A log that cannot be opened refuses every change. */
    srv = audit_server("{\"audit\": {\"file\": \"/proc/no/such/dir/audit.jsonl\"}}");
    ck_assert_int_eq(audit_record(srv->audit, NULL, "wall.clear", "main", 1, 2, &err), -1);
    ck_assert_str_eq(err.code, ERR_INTERNAL);
    audit_server_free(srv);
    /* Turned off: nothing is written, nothing refused. */
    srv = audit_server("{\"audit\": {\"enabled\": false}}");
    ck_assert_ptr_null(srv->audit);
    ck_assert_int_eq(audit_record(srv->audit, NULL, "wall.clear", "main", 1, 2, &err), 0);
    audit_server_free(srv);
}
END_TEST

START_TEST(audit_query_filters)
{
    pantau_server *srv = audit_server("{}");
    session *ana = session_new(NULL), *budi = session_new(NULL);
    g_free(ana->user);
    ana->user = g_strdup("ana");
    g_free(budi->user);
    budi->user = g_strdup("budi");
    pantau_error err = {0};
    /* 300 lines, over several 64 KiB chunks? No: but enough to need paging. */
    for (int i = 0; i < 300; i++)
        ck_assert_int_eq(audit_record(srv->audit, i % 3 ? ana : budi,
                                      i % 2 ? "tile.swap" : "wall.clear", i % 5 ? "main" : "side",
                                      i, i + 1, &err),
                         0);
    const char *code;
    json_t *ok = query(srv, "{}", &code);
    json_t *entries = json_object_get(ok, "entries");
    ck_assert_uint_eq(json_array_size(entries), 100);
    ck_assert(json_is_true(json_object_get(ok, "more")));
    /* Newest first. */
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_array_get(entries, 0), "version_before")), 299);
    json_decref(ok);
    ok = query(srv,
               "{\"user\": \"budi\", \"action\": \"wall.clear\", \"wall\": \"side\", "
               "\"limit\": 1000}",
               &code);
    entries = json_object_get(ok, "entries");
    /* i % 3 == 0, i % 2 == 0, i % 5 == 0: i % 30 == 0 -> 10 lines. */
    ck_assert_uint_eq(json_array_size(entries), 10);
    ck_assert(json_is_false(json_object_get(ok, "more")));
    json_decref(ok);
    ok = query(srv, "{\"since\": \"2999-01-01T00:00:00Z\"}", &code);
    ck_assert_uint_eq(json_array_size(json_object_get(ok, "entries")), 0);
    json_decref(ok);
    ok = query(srv, "{\"until\": \"2000-01-01T07:00:00+07:00\"}", &code);
    ck_assert_uint_eq(json_array_size(json_object_get(ok, "entries")), 0);
    json_decref(ok);
    ok = query(srv, "{\"since\": \"2000-01-01T00:00:00Z\", \"limit\": 5}", &code);
    ck_assert_uint_eq(json_array_size(json_object_get(ok, "entries")), 5);
    json_decref(ok);
    ck_assert_ptr_null(query(srv, "{\"since\": \"yesterday\"}", &code));
    ck_assert_str_eq(code, ERR_BAD_REQUEST);
    ck_assert_ptr_null(query(srv, "{\"limit\": 0}", &code));
    ck_assert_str_eq(code, ERR_BAD_REQUEST);
    ck_assert_ptr_null(query(srv, "{\"user\": 3}", &code));
    ck_assert_str_eq(code, ERR_BAD_REQUEST);
    session_free(ana);
    session_free(budi);
    audit_server_free(srv);
}
END_TEST

/* ---- roles ---- */

START_TEST(roles)
{
    static const bool allowed[4][5] = {
        /* read operate present admin playback */
        {true, false, false, false, false}, /* viewer */
        {true, true, false, false, true},   /* operator */
        {true, false, true, false, false},  /* presenter */
        {true, true, true, true, true},     /* admin */
    };
    session *s = session_new(NULL);
    for (int r = ROLE_VIEWER; r <= ROLE_ADMIN; r++)
        for (int p = AUTH_READ; p <= AUTH_PLAYBACK; p++) {
            s->role = (enum session_role)r;
            pantau_error err = {0};
            int rc = auth_allows(s, (enum auth_permission)p, NULL, &err);
            ck_assert_msg((rc == 0) == allowed[r][p], "role %d permission %d", r, p);
            if (rc)
                ck_assert_str_eq(err.code, ERR_FORBIDDEN);
        }
    s->role = ROLE_OPERATOR;
    s->walls = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_hash_table_add(s->walls, g_strdup("side"));
    pantau_error err = {0};
    ck_assert_int_eq(auth_allows(s, AUTH_OPERATE, "side", &err), 0);
    ck_assert_int_eq(auth_allows(s, AUTH_OPERATE, "main", &err), -1);
    ck_assert_str_eq(err.field, "wall");
    ck_assert_int_eq(auth_allows(s, AUTH_READ, "main", &err), 0);
    ck_assert_int_eq(auth_allows(NULL, AUTH_ADMIN, "main", &err), 0);
    session_free(s);
}
END_TEST

/* Whether the anonymous role's session of an auth section may play back. */
static bool anonymous_may_play_back(const char *section_text)
{
    json_t *section = tu_json(section_text);
    auth_center *a = auth_center_new(section, NULL, NULL, NULL);
    session *s = session_new(NULL);
    auth_session_fill(s, auth_anonymous(a), NULL);
    pantau_error err = {0};
    bool ok = auth_allows(s, AUTH_PLAYBACK, "main", &err) == 0;
    if (!ok)
        ck_assert_str_eq(err.code, ERR_FORBIDDEN);
    session_free(s);
    auth_center_free(a);
    json_decref(section);
    return ok;
}

/* auth.playback_roles decides who may replay and export (default operator
 * and admin). */
START_TEST(playback_roles_follow_the_config)
{
    ck_assert(!anonymous_may_play_back("{\"anonymous_role\": \"viewer\"}"));
    ck_assert(anonymous_may_play_back("{\"anonymous_role\": \"operator\"}"));
    ck_assert(!anonymous_may_play_back("{\"anonymous_role\": \"presenter\"}"));
    ck_assert(anonymous_may_play_back(
        "{\"anonymous_role\": \"viewer\", \"playback_roles\": [\"viewer\"]}"));
    ck_assert(!anonymous_may_play_back(
        "{\"anonymous_role\": \"operator\", \"playback_roles\": [\"presenter\"]}"));
    ck_assert(anonymous_may_play_back(
        "{\"anonymous_role\": \"presenter\", \"playback_roles\": [\"presenter\"]}"));
    ck_assert(
        !anonymous_may_play_back("{\"anonymous_role\": \"operator\", \"playback_roles\": []}"));
    assert_config("\"auth\": {\"anonymous_role\": \"viewer\", \"playback_roles\": "
                  "[\"viewer\", \"admin\"]}",
                  "");
    assert_config("\"auth\": {\"anonymous_role\": \"viewer\", \"playback_roles\": "
                  "[\"operator\", \"boss\", \"operator\", 3]}",
                  "auth.playback_roles[1]: must be one of viewer, operator, presenter, admin\n"
                  "auth.playback_roles[2]: 'operator' is listed twice\n"
                  "auth.playback_roles[3]: must be one of viewer, operator, presenter, admin\n");
    assert_config("\"auth\": {\"anonymous_role\": \"viewer\", \"playback_roles\": \"operator\"}",
                  "auth.playback_roles: must be an array of role names (viewer, operator, "
                  "presenter, admin)\n");
}
END_TEST

/* ---- passwords checked off the loop (the RTSP restream) ---- */

typedef struct check_case {
    const auth_center *a;
    const char *user, *password;
    bool expected;
    const char *who; /* the principal's name when expected */
} check_case;

/* Runs on a thread of its own, as the RTSP restream's threads call it. */
static gpointer check_on_thread(gpointer data)
{
    const check_case *c = data;
    const auth_principal *who = (const auth_principal *)c; /* overwritten */
    bool ok = auth_check_password(c->a, c->user, c->password, &who);
    if (ok != c->expected)
        return "wrong result";
    if (ok && g_strcmp0(auth_principal_name(who), c->who) != 0)
        return "wrong principal";
    if (!ok && who)
        return "a principal for a refusal";
    return NULL;
}

START_TEST(check_password_off_the_loop)
{
    ck_assert_int_eq(password_init(), 0);
    char *user_hash = password_hash("user-pass-1");
    char *token_hash = password_hash("hashed-token-0123456789");
    char sha[PASSWORD_SHA256_HEX + 1];
    password_sha256_hex("plain-token-0123456789", sha);
    json_t *section =
        json_pack("{s:[{s:s, s:s, s:s}], s:[{s:s, s:s}, {s:s, s:s}]}", "users", "name", "vera",
                  "role", "viewer", "password_hash", user_hash, "viewer_tokens", "name", "lobby",
                  "token_sha256", sha, "name", "hall", "token_hash", token_hash);
    auth_center *a = auth_center_new(section, NULL, NULL, NULL);
    const check_case cases[] = {
        {a, "vera", "user-pass-1", true, "vera"},
        {a, "vera", "user-pass-2", false, NULL},
        {a, "vera", "", false, NULL},
        {a, "lobby", "plain-token-0123456789", true, "lobby"},
        {a, "lobby", "plain-token-0123456788", false, NULL},
        {a, "hall", "hashed-token-0123456789", true, "hall"},
        {a, "hall", "user-pass-1", false, NULL},
        {a, "nobody", "user-pass-1", false, NULL},
        {a, "vera", NULL, false, NULL},
        {NULL, "vera", "user-pass-1", false, NULL},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GThread *t = g_thread_new("check", check_on_thread, (gpointer)&cases[i]);
        const char *why = g_thread_join(t);
        ck_assert_msg(why == NULL, "case %zu (%s): %s", i, cases[i].user, why);
    }
    ck_assert_ptr_null(auth_principal_name(NULL));
    auth_center_free(a);
    json_decref(section);
    g_free(user_hash);
    g_free(token_hash);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("auth");
    TCase *tc = tcase_create("password");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, hash_verifies);
    tcase_add_test(tc, malformed_hashes_fail);
    tcase_add_test(tc, dummy_hash_has_the_same_cost);
    tcase_add_test(tc, tokens_and_digests);
    tcase_add_test(tc, keyed_digests);
    suite_add_tcase(s, tc);
    tc = tcase_create("limiter");
    tcase_add_test(tc, limiter_counts_per_address);
    tcase_add_test(tc, limiter_forgives_and_groups_ipv6);
    tcase_add_test(tc, limiter_is_bounded);
    suite_add_tcase(s, tc);
    tc = tcase_create("origin_cookie");
    tcase_add_test(tc, origins);
    tcase_add_test(tc, cookies);
    tcase_add_test(tc, roles);
    suite_add_tcase(s, tc);
    tc = tcase_create("config");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, auth_config_good);
    tcase_add_test(tc, auth_config_bad);
    tcase_add_test(tc, playback_roles_follow_the_config);
    suite_add_tcase(s, tc);
    tc = tcase_create("audit");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, audit_lines);
    tcase_add_test(tc, audit_torn_line_and_failure);
    tcase_add_test(tc, audit_query_filters);
    suite_add_tcase(s, tc);
    tc = tcase_create("check_password");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, check_password_off_the_loop);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(suite(), argc, argv);
}
