/* auth.c - users, viewer tokens and login sessions from the config's "auth"
 * section; roles and per-wall permissions. Passwords are checked off the
 * main loop; secrets never reach a log line, a reply or the audit log. */
#include "auth.h"

#include "audit.h"
#include "auth_util.h"
#include "bus.h"
#include "log.h"
#include "password.h"

#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>

#define LOGIN_ATTEMPTS_PER_MINUTE 5
#define LOGINS_IN_FLIGHT_MAX 4
#define TOKEN_CHECKS_IN_FLIGHT_MAX 2
#define TOKENS_FAILED_MAX 4096
#define SESSIONS_MAX 10000
#define SESSIONS_PER_USER 10
#define SESSIONS_PER_USER_MAX 1000
#define SESSIONS_FULL_RETRY_SECONDS 60
#define TOKEN_MIN_LEN 16
#define TOKEN_MAX_LEN 256
#define NAME_MAX_LEN 64

struct auth_principal {
    char *name;
    enum session_role role;
    GHashTable *walls; /* wall ids (owned); NULL: every wall */
    char *hash;        /* users: password hash; tokens: argon2id token hash or NULL */
    char sha256[PASSWORD_SHA256_HEX + 1]; /* tokens with token_sha256, else "" */
    unsigned playback_roles; /* auth.playback_roles (1 << role each), given to its sessions */
};

/* A login session as the cluster's bucket holds it (auth_share): made on
 * any node, known here by the SHA-256 of its id. */
typedef struct shared_login {
    const auth_principal *who;
    gint64 expires_ms; /* real time, ms since 1970 */
} shared_login;

/* A failover ticket as the bucket holds it (auth_ticket_issue). */
typedef struct shared_ticket {
    char login[PASSWORD_SHA256_HEX + 1]; /* the SHA-256 hex of its login session's id */
    gint64 expires_ms;                   /* real time, ms since 1970 */
} shared_ticket;

/* A write of the bucket of sessions, on the writer's thread: copies only. */
typedef struct shared_write {
    kv_store *kv;
    char *key;
    char *value; /* NULL: a delete */
} shared_write;

typedef struct login_session {
    const auth_principal *who;
    char *address;  /* where it logged in from, for the audit line of an early end */
    gint64 expires; /* monotonic us */
    guint64 serial; /* the order of the logins: lower is older */
} login_session;

struct auth_center {
    audit_log *audit;         /* borrowed, may be NULL */
    event_bus *bus;           /* borrowed, may be NULL */
    json_t *allowed_origins;  /* owned reference, or NULL */
    char *tls_cert, *tls_key; /* auth.tls, resolved; NULL without it */
    GPtrArray *users;         /* auth_principal *, owned */
    GPtrArray *tokens;        /* auth_principal *, owned */
    GHashTable *sessions;     /* session token (owned) -> login_session * (owned) */
    /* Tokens by their keyed hash (owned): known to match a token_hash
     * (-> principal), known to match none (a set, bounded), being checked
     * (-> token_check, owned by its task). */
    GHashTable *token_known;
    GHashTable *token_failed;
    GHashTable *token_checks;
    bool token_hashes; /* some token is given as a token_hash */
    login_limiter *limiter;
    char *dummy_hash;          /* checked for unknown users, so that they take as long */
    auth_principal *anonymous; /* who a request without credentials is; NULL: nobody */
    int session_hours;
    gint64 session_us;                     /* how long a login session lasts */
    int in_flight;                         /* logins being verified */
    unsigned char key[PASSWORD_KEY_BYTES]; /* random, this run only: keyed hashes */
    guint sessions_max;                    /* the session table's size */
    guint sessions_per_user;               /* beyond it, a login ends the user's oldest session */
    guint64 logins;                        /* sessions ever started: the next serial */
    /* A cluster (auth_share); all NULL without: */
    kv_store *shared;            /* owned */
    GThreadPool *shared_writes;  /* one thread: shared_write *, in order */
    GHashTable *shared_sessions; /* SHA-256 hex of an id (owned) -> shared_login * (owned) */
    GHashTable *tickets;         /* SHA-256 hex of a failover ticket (owned) -> shared_ticket * */
};

static const char *const role_names[] = {"viewer", "operator", "presenter", "admin"};

/* ---- permissions ---- */

static bool role_has(const session *s, enum auth_permission permission)
{
    enum session_role role = s->role;
    switch (permission) {
    case AUTH_READ:
        return true;
    case AUTH_OPERATE:
        return role == ROLE_OPERATOR || role == ROLE_ADMIN;
    case AUTH_PRESENT:
        return role == ROLE_PRESENTER || role == ROLE_ADMIN;
    case AUTH_PLAYBACK:
        /* auth.playback_roles; an admin may do everything. */
        return role == ROLE_ADMIN || (s->playback_roles & (1u << role));
    case AUTH_ADMIN:
    default:
        return role == ROLE_ADMIN;
    }
}

int auth_allows(const session *s, enum auth_permission permission, const char *wall_id,
                pantau_error *err)
{
    if (!s)
        return 0;
    if (!role_has(s, permission))
        return error_set(err, ERR_FORBIDDEN, "op", "the role '%s' may not do this",
                         session_role_name(s->role));
    if (permission != AUTH_READ && wall_id && s->walls && !g_hash_table_contains(s->walls, wall_id))
        return error_set(err, ERR_FORBIDDEN, "wall", "'%s' may not change wall '%.64s'", s->user,
                         wall_id);
    return 0;
}

/* ---- config check ---- */

static int role_from_name(const char *name)
{
    for (size_t i = 0; name && i < G_N_ELEMENTS(role_names); i++)
        if (strcmp(role_names[i], name) == 0)
            return (int)i;
    return -1;
}

static bool name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > NAME_MAX_LEN)
        return false;
    for (const char *p = s; *p; p++)
        if (!g_ascii_isalnum(*p) && !strchr("_-.@", *p))
            return false;
    return true;
}

static bool hex64(const char *s)
{
    if (!s || strlen(s) != PASSWORD_SHA256_HEX)
        return false;
    for (const char *p = s; *p; p++)
        if (!g_ascii_isxdigit(*p))
            return false;
    return true;
}

/* Checks entry.name: well-formed and unique in seen. */
static void check_name(config_checker *c, const json_t *entry, const char *at, GHashTable *seen)
{
    const char *name = json_string_value(json_object_get(entry, "name"));
    char *p = g_strdup_printf("%s.name", at);
    if (!json_object_get(entry, "name"))
        config_fail(c, at, "'name' is required");
    else if (!name_ok(name))
        config_fail(c, p, "must be 1 to %d of A-Z a-z 0-9 _ - . @", NAME_MAX_LEN);
    else if (!g_hash_table_add(seen, (gpointer)name))
        config_fail(c, p, "'%s' is used twice", name);
    g_free(p);
}

static void check_walls(config_checker *c, const json_t *entry, const char *at,
                        const config_sections *ids)
{
    const json_t *walls = json_object_get(entry, "walls");
    if (!walls)
        return;
    char *p = g_strdup_printf("%s.walls", at);
    if (!json_is_array(walls))
        config_fail(c, p, "must be an array of wall ids");
    size_t i;
    const json_t *w;
    json_array_foreach(walls, i, w)
    {
        char *wp = g_strdup_printf("%s[%zu]", p, i);
        if (!json_is_string(w))
            config_fail(c, wp, "must be a wall id");
        else if (ids && ids->wall_ids &&
                 !g_hash_table_contains(ids->wall_ids, json_string_value(w)))
            config_fail(c, wp, "no wall '%s'", json_string_value(w));
        g_free(wp);
    }
    g_free(p);
}

static void check_user(config_checker *c, const json_t *u, const char *at, GHashTable *seen,
                       const config_sections *ids)
{
    static const char *const keys[] = {"name", "role", "password_hash", "walls", NULL};
    if (!json_is_object(u)) {
        config_fail(c, at, "must be an object");
        return;
    }
    config_check_keys(c, u, at, keys);
    check_name(c, u, at, seen);
    char *p = g_strdup_printf("%s.role", at);
    if (role_from_name(json_string_value(json_object_get(u, "role"))) < 0)
        config_fail(c, json_object_get(u, "role") ? p : at,
                    "'role' must be one of viewer, operator, presenter, admin");
    g_free(p);
    p = g_strdup_printf("%s.password_hash", at);
    if (!password_hash_valid(json_string_value(json_object_get(u, "password_hash"))))
        config_fail(c, json_object_get(u, "password_hash") ? p : at,
                    "'password_hash' must be an argon2id hash (pantau --hash-password makes one)");
    g_free(p);
    check_walls(c, u, at, ids);
}

static void check_token(config_checker *c, const json_t *t, const char *at, GHashTable *seen,
                        const config_sections *ids)
{
    static const char *const keys[] = {"name", "token_hash", "token_sha256", "walls", NULL};
    if (!json_is_object(t)) {
        config_fail(c, at, "must be an object");
        return;
    }
    config_check_keys(c, t, at, keys);
    check_name(c, t, at, seen);
    const json_t *hash = json_object_get(t, "token_hash");
    const json_t *sha = json_object_get(t, "token_sha256");
    char *p = g_strdup_printf("%s.%s", at, hash ? "token_hash" : "token_sha256");
    if (!hash == !sha)
        config_fail(c, at, "exactly one of 'token_hash' and 'token_sha256' is needed");
    else if (hash && !password_hash_valid(json_string_value(hash)))
        config_fail(c, p, "must be an argon2id hash (pantau --hash-password makes one)");
    else if (sha && !hex64(json_string_value(sha)))
        config_fail(c, p, "must be 64 hex digits (sha256sum of the token)");
    g_free(p);
    check_walls(c, t, at, ids);
}

typedef void (*entry_check)(config_checker *c, const json_t *e, const char *at, GHashTable *seen,
                            const config_sections *ids);

static size_t check_list(config_checker *c, const json_t *section, const char *key,
                         entry_check check, const config_sections *ids)
{
    const json_t *list = json_object_get(section, key);
    char *p = g_strdup_printf("auth.%s", key);
    if (list && !json_is_array(list))
        config_fail(c, p, "must be an array");
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    size_t i;
    const json_t *e;
    json_array_foreach(list, i, e)
    {
        char *at = g_strdup_printf("%s[%zu]", p, i);
        check(c, e, at, seen, ids);
        g_free(at);
    }
    g_hash_table_destroy(seen);
    g_free(p);
    return json_array_size(list);
}

static void check_origins(config_checker *c, const json_t *origins)
{
    if (!origins)
        return;
    if (!json_is_array(origins)) {
        config_fail(c, "auth.allowed_origins", "must be an array");
        return;
    }
    size_t i;
    const json_t *o;
    json_array_foreach(origins, i, o)
    {
        const char *s = json_string_value(o);
        const char *rest = s && g_str_has_prefix(s, "https://")  ? s + 8
                           : s && g_str_has_prefix(s, "http://") ? s + 7
                                                                 : NULL;
        if (rest && *rest && !strchr(rest, '/'))
            continue;
        char *p = g_strdup_printf("auth.allowed_origins[%zu]", i);
        config_fail(c, p, "must be an origin such as https://wall.example:8443 (no path)");
        g_free(p);
    }
}

static void check_tls(config_checker *c, const json_t *tls)
{
    static const char *const keys[] = {"cert", "key", NULL};
    if (!tls)
        return;
    if (!json_is_object(tls)) {
        config_fail(c, "auth.tls", "must be an object with 'cert' and 'key'");
        return;
    }
    config_check_keys(c, tls, "auth.tls", keys);
    for (const char *const *k = keys; *k; k++) {
        const json_t *v = json_object_get(tls, *k);
        char *p = g_strdup_printf("auth.tls.%s", *k);
        if (!v)
            config_fail(c, "auth.tls", "'%s' is required", *k);
        else if (!json_is_string(v) || !*json_string_value(v))
            config_fail(c, p, "must be a path to a PEM file");
        g_free(p);
    }
}

/* auth.anonymous_role: what anyone who has not logged in may do, on a
 * closed network. Never admin: changing users' rights needs a login.
 * Returns whether it is set and valid. */
static bool check_anonymous_role(config_checker *c, const json_t *role)
{
    if (!role)
        return false;
    int r = role_from_name(json_string_value(role));
    if (r < 0 || r == ROLE_ADMIN) {
        config_fail(c, "auth.anonymous_role",
                    "must be one of viewer, operator, presenter (nobody is admin without a login)");
        return false;
    }
    return true;
}

/* auth.playback_roles: role names, each once. */
static void check_playback_roles(config_checker *c, const json_t *roles)
{
    if (!roles)
        return;
    if (!json_is_array(roles)) {
        config_fail(c, "auth.playback_roles",
                    "must be an array of role names (viewer, operator, presenter, admin)");
        return;
    }
    unsigned seen = 0;
    size_t i;
    const json_t *r;
    json_array_foreach(roles, i, r)
    {
        char *at = g_strdup_printf("auth.playback_roles[%zu]", i);
        int role = role_from_name(json_string_value(r));
        if (role < 0)
            config_fail(c, at, "must be one of viewer, operator, presenter, admin");
        else if (seen & (1u << role))
            config_fail(c, at, "'%s' is listed twice", json_string_value(r));
        else
            seen |= 1u << role;
        g_free(at);
    }
}

/* The roles of a checked auth.playback_roles (NULL: the default). */
static unsigned playback_roles_of(const json_t *roles)
{
    if (!roles)
        return SESSION_PLAYBACK_DEFAULT;
    unsigned mask = 0;
    size_t i;
    const json_t *r;
    json_array_foreach(roles, i, r) mask |= 1u << role_from_name(json_string_value(r));
    return mask;
}

void auth_config_check(config_checker *c, const json_t *section, const config_sections *ids)
{
    static const char *const keys[] = {"users",          "viewer_tokens",     "allowed_origins",
                                       "session_hours",  "sessions_per_user", "tls",
                                       "anonymous_role", "playback_roles",    NULL};
    if (!section)
        return;
    if (!json_is_object(section)) {
        config_fail(c, "auth", "must be an object");
        return;
    }
    if (password_init())
        config_fail(c, "auth", "libsodium cannot be initialised");
    config_check_keys(c, section, "auth", keys);
    size_t n = check_list(c, section, "users", check_user, ids);
    n += check_list(c, section, "viewer_tokens", check_token, ids);
    bool anonymous = check_anonymous_role(c, json_object_get(section, "anonymous_role"));
    if (n == 0 && !anonymous)
        config_fail(c, "auth", "at least one user or viewer token (or 'anonymous_role') is needed");
    check_origins(c, json_object_get(section, "allowed_origins"));
    const json_t *hours = json_object_get(section, "session_hours");
    if (hours && (!json_is_integer(hours) || json_integer_value(hours) < 1 ||
                  json_integer_value(hours) > 8760))
        config_fail(c, "auth.session_hours", "must be 1 to 8760");
    const json_t *per_user = json_object_get(section, "sessions_per_user");
    if (per_user && (!json_is_integer(per_user) || json_integer_value(per_user) < 1 ||
                     json_integer_value(per_user) > SESSIONS_PER_USER_MAX))
        config_fail(c, "auth.sessions_per_user", "must be 1 to %d", SESSIONS_PER_USER_MAX);
    check_tls(c, json_object_get(section, "tls"));
    check_playback_roles(c, json_object_get(section, "playback_roles"));
}

/* ---- the center ---- */

static void principal_free(auth_principal *p)
{
    if (p->walls)
        g_hash_table_destroy(p->walls);
    g_free(p->name);
    password_forget(p->hash);
    g_free(p);
}

static GHashTable *wall_set(const json_t *walls)
{
    if (!json_is_array(walls))
        return NULL;
    GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    size_t i;
    const json_t *w;
    json_array_foreach(walls, i, w) g_hash_table_add(set, g_strdup(json_string_value(w)));
    return set;
}

static auth_principal *principal_new(const json_t *e, bool token)
{
    auth_principal *p = g_new0(auth_principal, 1);
    p->name = g_strdup(json_string_value(json_object_get(e, "name")));
    p->role =
        token ? ROLE_VIEWER
              : (enum session_role)role_from_name(json_string_value(json_object_get(e, "role")));
    p->walls = wall_set(json_object_get(e, "walls"));
    const char *hash =
        json_string_value(json_object_get(e, token ? "token_hash" : "password_hash"));
    p->hash = g_strdup(hash);
    const char *sha = json_string_value(json_object_get(e, "token_sha256"));
    for (size_t i = 0; token && sha && i < PASSWORD_SHA256_HEX; i++)
        p->sha256[i] = g_ascii_tolower(sha[i]);
    return p;
}

static GPtrArray *principals(const json_t *list, bool token)
{
    GPtrArray *all = g_ptr_array_new_with_free_func((GDestroyNotify)principal_free);
    size_t i;
    const json_t *e;
    json_array_foreach(list, i, e) g_ptr_array_add(all, principal_new(e, token));
    return all;
}

static void login_session_free(login_session *ls)
{
    g_free(ls->address);
    g_free(ls);
}

/* The principal of requests without credentials, or NULL when the config
 * has no auth.anonymous_role. */
static auth_principal *anonymous_principal(const json_t *role)
{
    if (!role)
        return NULL;
    auth_principal *p = g_new0(auth_principal, 1);
    p->name = g_strdup("anonymous");
    p->role = (enum session_role)role_from_name(json_string_value(role));
    return p;
}

/* The file of auth.tls's key (borrowed, checked), resolved against config_dir. */
static char *tls_file(const json_t *tls, const char *key, const char *config_dir)
{
    const char *file = json_string_value(json_object_get(tls, key));
    if (g_path_is_absolute(file) || !config_dir)
        return g_strdup(file);
    return g_build_filename(config_dir, file, NULL);
}

/* Gives every principal of a the playback roles (1 << role each). */
static void set_playback_roles(auth_center *a, unsigned roles)
{
    for (guint i = 0; i < a->users->len; i++)
        ((auth_principal *)g_ptr_array_index(a->users, i))->playback_roles = roles;
    for (guint i = 0; i < a->tokens->len; i++)
        ((auth_principal *)g_ptr_array_index(a->tokens, i))->playback_roles = roles;
    if (a->anonymous)
        a->anonymous->playback_roles = roles;
}

auth_center *auth_center_new(const json_t *section, const char *config_dir, audit_log *audit,
                             event_bus *bus)
{
    if (!section)
        return NULL; /* only on loopback: the config checker sees to it */
    auth_center *a = g_new0(auth_center, 1);
    a->audit = audit;
    a->bus = bus;
    const json_t *origins = json_object_get(section, "allowed_origins");
    a->allowed_origins = origins ? json_incref((json_t *)origins) : NULL;
    const json_t *tls = json_object_get(section, "tls");
    if (tls) {
        a->tls_cert = tls_file(tls, "cert", config_dir);
        a->tls_key = tls_file(tls, "key", config_dir);
    }
    a->users = principals(json_object_get(section, "users"), false);
    a->tokens = principals(json_object_get(section, "viewer_tokens"), true);
    a->sessions = g_hash_table_new_full(g_str_hash, g_str_equal, (GDestroyNotify)password_forget,
                                        (GDestroyNotify)login_session_free);
    a->token_known = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    a->token_failed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    a->token_checks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < a->tokens->len; i++)
        a->token_hashes |= ((const auth_principal *)g_ptr_array_index(a->tokens, i))->hash != NULL;
    a->limiter = login_limiter_new(LOGIN_ATTEMPTS_PER_MINUTE, 60 * G_USEC_PER_SEC);
    password_key_new(a->key);
    const auth_principal *first = a->users->len ? g_ptr_array_index(a->users, 0) : NULL;
    a->dummy_hash = password_hash_like(first ? first->hash : NULL);
    a->anonymous = anonymous_principal(json_object_get(section, "anonymous_role"));
    set_playback_roles(a, playback_roles_of(json_object_get(section, "playback_roles")));
    const json_t *hours = json_object_get(section, "session_hours");
    a->session_hours = hours ? (int)json_integer_value(hours) : 12;
    a->session_us = (gint64)a->session_hours * 3600 * G_USEC_PER_SEC;
    const json_t *per_user = json_object_get(section, "sessions_per_user");
    a->sessions_per_user = per_user ? (guint)json_integer_value(per_user) : SESSIONS_PER_USER;
    a->sessions_max = SESSIONS_MAX;
    /* Tests cannot log in ten thousand times to fill the table. */
    const char *test_max = getenv("PANTAU_TEST_SESSIONS_MAX");
    if (test_max && atoi(test_max) > 0) {
        a->sessions_max = (guint)atoi(test_max);
        log_warn("at most %u login sessions (PANTAU_TEST_SESSIONS_MAX)", a->sessions_max);
    }
    /* Tests cannot wait an hour for a session to expire. */
    const char *test_seconds = getenv("PANTAU_TEST_SESSION_SECONDS");
    if (test_seconds && atoi(test_seconds) > 0) {
        a->session_us = (gint64)atoi(test_seconds) * G_USEC_PER_SEC;
        log_warn("login sessions last %d s (PANTAU_TEST_SESSION_SECONDS)", atoi(test_seconds));
    }
    log_info("login required: %u users, %u viewer tokens", a->users->len, a->tokens->len);
    return a;
}

void auth_center_free(auth_center *a)
{
    if (!a)
        return;
    /* A login or token still being checked finishes on this loop, into
     * the center. */
    while (a->in_flight > 0 || g_hash_table_size(a->token_checks) > 0)
        g_main_context_iteration(NULL, TRUE);
    /* The writes queued go out before the store closes. */
    if (a->shared_writes)
        g_thread_pool_free(a->shared_writes, FALSE, TRUE);
    kv_store_free(a->shared);
    if (a->shared_sessions)
        g_hash_table_destroy(a->shared_sessions);
    if (a->tickets)
        g_hash_table_destroy(a->tickets);
    g_ptr_array_free(a->users, TRUE);
    g_ptr_array_free(a->tokens, TRUE);
    g_hash_table_destroy(a->sessions);
    g_hash_table_destroy(a->token_known);
    g_hash_table_destroy(a->token_failed);
    g_hash_table_destroy(a->token_checks);
    login_limiter_free(a->limiter);
    json_decref(a->allowed_origins);
    g_free(a->tls_cert);
    g_free(a->tls_key);
    g_free(a->dummy_hash);
    if (a->anonymous)
        principal_free(a->anonymous);
    password_wipe(a->key, sizeof a->key);
    g_free(a);
}

int auth_session_hours(const auth_center *a)
{
    return a ? a->session_hours : 12;
}

bool auth_tls_files(const auth_center *a, char **cert, char **key)
{
    if (!a || !a->tls_cert)
        return false;
    *cert = g_strdup(a->tls_cert);
    *key = g_strdup(a->tls_key);
    return true;
}

bool auth_origin_ok(const auth_center *a, const char *origin, const char *host)
{
    bool tls = a && a->tls_cert;
    return auth_origin_allowed(origin, host, tls, a ? a->allowed_origins : NULL);
}

/* ---- identifying a request ---- */

/* A token being checked against the token_hash tokens on a worker thread. */
typedef struct token_check {
    auth_center *a;
    char key[PASSWORD_KEYED_HEX + 1]; /* the token's keyed hash */
    char *token;                      /* secret: wiped */
    GPtrArray *candidates;            /* auth_principal * with a hash, borrowed */
    char **hashes;                    /* their hashes, copied for the thread */
    char *address;
    GArray *waiters; /* token_waiter */
} token_check;

typedef struct token_waiter {
    auth_token_checked done;
    void *data;
} token_waiter;

static void token_check_free(token_check *c)
{
    password_forget(c->token);
    g_ptr_array_free(c->candidates, TRUE);
    g_strfreev(c->hashes);
    g_free(c->address);
    g_array_free(c->waiters, TRUE);
    g_free(c);
}

static const auth_principal *token_by_sha256(const auth_center *a, const char *token)
{
    char digest[PASSWORD_SHA256_HEX + 1];
    password_sha256_hex(token, digest);
    for (guint i = 0; i < a->tokens->len; i++) {
        const auth_principal *p = g_ptr_array_index(a->tokens, i);
        if (p->sha256[0] && password_equal(p->sha256, digest))
            return p;
    }
    return NULL;
}

/* The index in c->hashes of the one the token matches, or -1. Slow: the
 * worker thread. */
static void token_check_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
    (void)source, (void)cancel;
    const token_check *c = data;
    gssize found = -1;
    for (gssize i = 0; c->hashes[i] && found < 0; i++)
        if (password_verify(c->hashes[i], c->token))
            found = i;
    g_task_return_int(task, found);
}

/* Remembers that the token with keyed hash key matches no token; the set is
 * bounded (emptied when full: a forgotten token is only checked again). */
static void token_failed_add(auth_center *a, const char *key)
{
    if (g_hash_table_size(a->token_failed) >= TOKENS_FAILED_MAX)
        g_hash_table_remove_all(a->token_failed);
    g_hash_table_add(a->token_failed, g_strdup(key));
}

static void token_check_finished(GObject *source, GAsyncResult *res, gpointer data)
{
    (void)source, (void)data;
    token_check *c = g_task_get_task_data(G_TASK(res));
    auth_center *a = c->a;
    gssize found = g_task_propagate_int(G_TASK(res), NULL);
    const auth_principal *who = found >= 0 ? g_ptr_array_index(c->candidates, found) : NULL;
    if (who) {
        login_limiter_forgive(a->limiter, c->address);
        g_hash_table_insert(a->token_known, g_strdup(c->key), (gpointer)who);
    } else {
        token_failed_add(a, c->key);
    }
    g_hash_table_remove(a->token_checks, c->key);
    for (guint i = 0; i < c->waiters->len; i++) {
        const token_waiter *w = &g_array_index(c->waiters, token_waiter, i);
        w->done(who, w->data);
    }
}

static void token_check_wait(token_check *c, auth_token_checked done, void *data)
{
    token_waiter w = {done, data};
    if (done)
        g_array_append_val(c->waiters, w);
}

/* Starts checking token (keyed hash key) against the token_hash tokens off
 * the loop, or joins the check of it that runs. */
static enum auth_identity token_check_start(auth_center *a, const char *token, const char *key,
                                            const char *address, int *retry_after,
                                            auth_token_checked done, void *data)
{
    token_check *c = g_hash_table_lookup(a->token_checks, key);
    if (c) {
        token_check_wait(c, done, data);
        return AUTH_CHECKING;
    }
    if (g_hash_table_size(a->token_checks) >= TOKEN_CHECKS_IN_FLIGHT_MAX) {
        *retry_after = 1;
        return AUTH_BUSY;
    }
    if (login_limiter_take(a->limiter, address, g_get_monotonic_time()))
        return AUTH_NOBODY;
    c = g_new0(token_check, 1);
    c->a = a;
    g_strlcpy(c->key, key, sizeof c->key);
    c->token = g_strdup(token);
    c->candidates = g_ptr_array_new();
    GPtrArray *hashes = g_ptr_array_new();
    for (guint i = 0; i < a->tokens->len; i++) {
        const auth_principal *p = g_ptr_array_index(a->tokens, i);
        if (p->hash) {
            g_ptr_array_add(c->candidates, (gpointer)p);
            g_ptr_array_add(hashes, g_strdup(p->hash));
        }
    }
    g_ptr_array_add(hashes, NULL);
    c->hashes = (char **)g_ptr_array_free(hashes, FALSE);
    c->address = g_strdup(address);
    c->waiters = g_array_new(FALSE, FALSE, sizeof(token_waiter));
    token_check_wait(c, done, data);
    g_hash_table_insert(a->token_checks, g_strdup(key), c);
    GTask *task = g_task_new(NULL, NULL, token_check_finished, NULL);
    g_task_set_task_data(task, c, (GDestroyNotify)token_check_free);
    g_task_run_in_thread(task, token_check_thread);
    g_object_unref(task);
    return AUTH_CHECKING;
}

/* token_sha256 tokens are compared at once; token_hash ones are checked
 * once off the loop (token_check_start), then remembered by a keyed hash,
 * as are tokens that matched none. */
static enum auth_identity identify_token(auth_center *a, const char *token, const char *address,
                                         const auth_principal **who, int *retry_after,
                                         auth_token_checked done, void *data)
{
    size_t n = token ? strlen(token) : 0;
    if (n < TOKEN_MIN_LEN || n > TOKEN_MAX_LEN)
        return AUTH_NOBODY;
    if ((*who = token_by_sha256(a, token)))
        return AUTH_KNOWN;
    char key[PASSWORD_KEYED_HEX + 1];
    password_keyed_hex(a->key, token, key);
    if ((*who = g_hash_table_lookup(a->token_known, key)))
        return AUTH_KNOWN;
    if (!a->token_hashes || g_hash_table_contains(a->token_failed, key))
        return AUTH_NOBODY;
    return token_check_start(a, token, key, address, retry_after, done, data);
}

static const auth_principal *identify_shared(auth_center *a, const char *id);

static const auth_principal *identify_session(auth_center *a, const char *id)
{
    login_session *ls = id && hex64(id) ? g_hash_table_lookup(a->sessions, id) : NULL;
    if (!ls)
        return id && hex64(id) ? identify_shared(a, id) : NULL;
    if (ls->expires <= g_get_monotonic_time()) {
        g_hash_table_remove(a->sessions, id);
        return NULL;
    }
    return ls->who;
}

bool auth_session_alive(auth_center *a, const char *login_id)
{
    return a && identify_session(a, login_id) != NULL;
}

enum auth_identity auth_identify(auth_center *a, const auth_credentials *cred,
                                 const auth_principal **who, int *retry_after,
                                 auth_token_checked checked, void *data)
{
    *who = NULL;
    *retry_after = 0;
    if (!a)
        return AUTH_NOBODY;
    if (cred->token && *cred->token)
        return identify_token(a, cred->token, cred->address, who, retry_after, checked, data);
    char *id = auth_cookie_get(cred->cookies, AUTH_SESSION_COOKIE);
    *who = identify_session(a, id);
    password_forget(id);
    if (*who)
        return AUTH_KNOWN;
    char *cookie_token = auth_cookie_get(cred->cookies, AUTH_TOKEN_COOKIE);
    enum auth_identity found =
        identify_token(a, cookie_token, cred->address, who, retry_after, checked, data);
    password_forget(cookie_token);
    return found;
}

const auth_principal *auth_anonymous(const auth_center *a)
{
    return a ? a->anonymous : NULL;
}

void auth_session_fill(session *s, const auth_principal *who, const char *address)
{
    g_free(s->address);
    s->address = g_strdup(address);
    if (!who)
        return;
    g_free(s->user);
    s->user = g_strdup(who->name);
    s->role = who->role;
    s->playback_roles = who->playback_roles;
    if (s->walls)
        g_hash_table_destroy(s->walls);
    s->walls = NULL;
    if (!who->walls)
        return;
    s->walls = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, who->walls);
    while (g_hash_table_iter_next(&it, &key, NULL))
        g_hash_table_add(s->walls, g_strdup(key));
}

/* ---- login and logout ---- */

typedef struct login_job {
    auth_center *a;
    const auth_principal *who; /* NULL: no such user */
    char *user;                /* for the audit line: the user's name, or unknown_user_tag() */
    char *password;
    char *hash; /* the user's, or the dummy */
    char *address;
    auth_login_done done;
    void *data;
} login_job;

static void login_job_free(login_job *j)
{
    g_free(j->user);
    password_forget(j->password);
    g_free(j->hash);
    g_free(j->address);
    g_free(j);
}

static const auth_principal *find_user(const auth_center *a, const char *name)
{
    for (guint i = 0; name && i < a->users->len; i++) {
        const auth_principal *p = g_ptr_array_index(a->users, i);
        if (strcmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

/* How an unknown user name is audited: "(unknown user" and 8 hex digits of
 * a keyed hash of it. A password typed into the name field must not reach
 * the log admins read, yet repeated tries of one name share a tag (for this
 * run). No configured name has a space, so none looks like this. */
static char *unknown_user_tag(const auth_center *a, const char *typed)
{
    char hex[PASSWORD_KEYED_HEX + 1];
    password_keyed_hex(a->key, typed, hex);
    return g_strdup_printf("(unknown user %.8s)", hex);
}

static void login_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
    (void)source, (void)cancel;
    const login_job *j = data;
    g_task_return_boolean(task, password_verify(j->hash, j->password));
}

/* Appends the login's audit line on the writer thread (the loop never
 * waits for the disk); done (may be NULL) runs when it is on disk. */
static void audit_login(auth_center *a, const login_job *j, bool ok, audit_written done, void *data)
{
    audit_entry e = {
        .user = j->user,
        .role = ok ? session_role_name(j->who->role) : NULL,
        .address = j->address,
        .action = ok ? "login" : "login_failed",
        .version_before = -1,
        .version_after = -1,
        .ok = ok,
    };
    audit_write_async(a->audit, &e, done, data);
}

/* ---- login sessions in a cluster's bucket ---- */

#define SESSION_KEY_PREFIX "session."
#define TICKET_KEY_PREFIX "ticket."
#define TICKETS_PRUNE_AT 256

/* The bucket's key of session id: its SHA-256, never the id. New string. */
static char *session_key(const char *id, char hash[PASSWORD_SHA256_HEX + 1])
{
    password_sha256_hex(id, hash);
    return g_strconcat(SESSION_KEY_PREFIX, hash, NULL);
}

static void shared_write_free(shared_write *w)
{
    g_free(w->key);
    free(w->value);
    g_free(w);
}

/* On the writer's thread. */
static void shared_write_run(gpointer data, gpointer user)
{
    (void)user;
    shared_write *w = data;
    pantau_error err = {0};
    uint64_t rev;
    int rc = w->value ? kv_store_update(w->kv, w->key, w->value, 0, &rev, &err)
                      : kv_store_delete(w->kv, w->key, &err);
    if (rc)
        log_warn("cluster: a login session could not be %s other nodes: %s",
                 w->value ? "shared with" : "ended on", err.message);
    shared_write_free(w);
}

static void shared_write_queue(auth_center *a, char *key, char *value)
{
    shared_write *w = g_new0(shared_write, 1);
    *w = (shared_write){a->shared, key, value};
    g_thread_pool_push(a->shared_writes, w, NULL);
}

/* Puts session id of who in the bucket (a cluster only). */
static void share_session(auth_center *a, const char *id, const auth_principal *who)
{
    if (!a->shared)
        return;
    char hash[PASSWORD_SHA256_HEX + 1];
    char *key = session_key(id, hash);
    gint64 expires_ms = (g_get_real_time() + a->session_us) / 1000;
    json_t *v = json_pack("{s:s, s:I}", "user", who->name, "expires", (json_int_t)expires_ms);
    shared_write_queue(a, key, json_dumps(v, JSON_COMPACT));
    json_decref(v);
    password_wipe(hash, sizeof hash);
}

/* Ends session id on every node (a cluster only): here at once. */
static void unshare_session(auth_center *a, const char *id)
{
    if (!a->shared)
        return;
    char hash[PASSWORD_SHA256_HEX + 1];
    char *key = session_key(id, hash);
    g_hash_table_remove(a->shared_sessions, hash);
    shared_write_queue(a, key, NULL);
    password_wipe(hash, sizeof hash);
}

/* Who session id is, as the bucket knows it, or NULL. */
static const auth_principal *identify_shared(auth_center *a, const char *id)
{
    if (!a->shared)
        return NULL;
    char hash[PASSWORD_SHA256_HEX + 1];
    password_sha256_hex(id, hash);
    const shared_login *sl = g_hash_table_lookup(a->shared_sessions, hash);
    if (sl && sl->expires_ms <= g_get_real_time() / 1000) {
        g_hash_table_remove(a->shared_sessions, hash);
        sl = NULL;
    }
    password_wipe(hash, sizeof hash);
    return sl ? sl->who : NULL;
}

static const auth_principal *principal_named(const GPtrArray *list, const char *name);

/* Ends this node's own session whose id hashes to hash, ended on another
 * node (which audited it): its sockets close (BUS_LOGIN_ENDED). */
static void end_local_session(auth_center *a, const char *hash)
{
    GHashTableIter it;
    gpointer key, value;
    char mine[PASSWORD_SHA256_HEX + 1];
    g_hash_table_iter_init(&it, a->sessions);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        password_sha256_hex(key, mine);
        if (strcmp(mine, hash) != 0)
            continue;
        g_hash_table_iter_steal(&it);
        bus_emit(a->bus, &(bus_event){.kind = BUS_LOGIN_ENDED, .login_ended = {key}});
        password_forget(key);
        login_session_free(value);
        break;
    }
    password_wipe(mine, sizeof mine);
}

/* The watch of the bucket: a session put (value) or ended (NULL). */
static void on_shared_session(const char *key, const char *value, uint64_t rev, void *data)
{
    (void)rev;
    auth_center *a = data;
    const char *hash = key + strlen(SESSION_KEY_PREFIX);
    if (!g_str_has_prefix(key, SESSION_KEY_PREFIX))
        return;
    if (!value) {
        g_hash_table_remove(a->shared_sessions, hash);
        end_local_session(a, hash);
        return;
    }
    json_t *v = json_loads(value, 0, NULL);
    const char *user = json_string_value(json_object_get(v, "user"));
    const auth_principal *who = user ? principal_named(a->users, user) : NULL;
    const json_t *expires = json_object_get(v, "expires");
    if (who && json_is_integer(expires)) {
        shared_login *sl = g_new(shared_login, 1);
        *sl = (shared_login){who, json_integer_value(expires)};
        g_hash_table_replace(a->shared_sessions, g_strdup(hash), sl);
    } else {
        log_warn("cluster: a login session of an unknown user or without expiry was ignored");
    }
    json_decref(v);
}

static void on_shared_ticket(const char *key, const char *value, uint64_t rev, void *data);

int auth_share(auth_center *a, kv_store *kv, pantau_error *err)
{
    if (!a) {
        kv_store_free(kv);
        return 0;
    }
    a->shared = kv;
    a->shared_sessions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    a->tickets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    a->shared_writes = g_thread_pool_new(shared_write_run, NULL, 1, FALSE, NULL);
    if (kv_store_watch(kv, SESSION_KEY_PREFIX ">", on_shared_session, a, err))
        return -1;
    return kv_store_watch(kv, TICKET_KEY_PREFIX ">", on_shared_ticket, a, err);
}

/* When the login whose id hashes to login ends (ms since 1970), as this
 * node knows it (its own sessions or the bucket's); 0: not a live login. */
static gint64 login_expires_ms(auth_center *a, const char *login)
{
    gint64 now_ms = g_get_real_time() / 1000;
    const shared_login *sl = g_hash_table_lookup(a->shared_sessions, login);
    if (sl)
        return sl->expires_ms > now_ms ? sl->expires_ms : 0;
    GHashTableIter it;
    gpointer key, value;
    char mine[PASSWORD_SHA256_HEX + 1];
    gint64 expires = 0, now_us = g_get_monotonic_time();
    g_hash_table_iter_init(&it, a->sessions);
    while (!expires && g_hash_table_iter_next(&it, &key, &value)) {
        password_sha256_hex(key, mine);
        const login_session *ls = value;
        if (strcmp(mine, login) == 0 && ls->expires > now_us)
            expires = now_ms + (ls->expires - now_us) / 1000;
    }
    password_wipe(mine, sizeof mine);
    return expires;
}

/* The principal of the live login whose id hashes to login, or NULL. */
static const auth_principal *login_principal(auth_center *a, const char *login)
{
    const shared_login *sl = g_hash_table_lookup(a->shared_sessions, login);
    if (sl)
        return login_expires_ms(a, login) ? sl->who : NULL;
    GHashTableIter it;
    gpointer key, value;
    char mine[PASSWORD_SHA256_HEX + 1];
    const auth_principal *who = NULL;
    g_hash_table_iter_init(&it, a->sessions);
    while (!who && g_hash_table_iter_next(&it, &key, &value)) {
        password_sha256_hex(key, mine);
        const login_session *ls = value;
        if (strcmp(mine, login) == 0 && ls->expires > g_get_monotonic_time())
            who = ls->who;
    }
    password_wipe(mine, sizeof mine);
    return who;
}

/* The watch of the bucket's tickets: one put (value) or gone (NULL). */
static void on_shared_ticket(const char *key, const char *value, uint64_t rev, void *data)
{
    (void)rev;
    auth_center *a = data;
    if (!g_str_has_prefix(key, TICKET_KEY_PREFIX))
        return;
    const char *hash = key + strlen(TICKET_KEY_PREFIX);
    if (!value) {
        g_hash_table_remove(a->tickets, hash);
        return;
    }
    json_t *v = json_loads(value, 0, NULL);
    const char *login = json_string_value(json_object_get(v, "login"));
    const json_t *expires = json_object_get(v, "expires");
    if (login && hex64(login) && json_is_integer(expires)) {
        shared_ticket *t = g_new0(shared_ticket, 1);
        g_strlcpy(t->login, login, sizeof t->login);
        t->expires_ms = json_integer_value(expires);
        g_hash_table_replace(a->tickets, g_strdup(hash), t);
    }
    json_decref(v);
}

bool auth_login_hash(const char *login_id, char login[PASSWORD_SHA256_HEX + 1])
{
    if (!login_id || !hex64(login_id))
        return false;
    password_sha256_hex(login_id, login);
    return true;
}

/* Forgets the expired tickets once there are many (the bucket forgets them
 * only at its max age, and tells no watch). */
static void prune_tickets(auth_center *a)
{
    if (g_hash_table_size(a->tickets) < TICKETS_PRUNE_AT)
        return;
    gint64 now_ms = g_get_real_time() / 1000;
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, a->tickets);
    while (g_hash_table_iter_next(&it, NULL, &value))
        if (((const shared_ticket *)value)->expires_ms <= now_ms)
            g_hash_table_iter_remove(&it);
}

char *auth_ticket_issue(auth_center *a, const char *login)
{
    if (!a || !a->shared || !login || !hex64(login))
        return NULL;
    gint64 now_ms = g_get_real_time() / 1000;
    gint64 expires = login_expires_ms(a, login);
    if (!expires)
        return NULL;
    if (expires > now_ms + AUTH_TICKET_SECONDS * 1000)
        expires = now_ms + AUTH_TICKET_SECONDS * 1000;
    prune_tickets(a);
    char *ticket = password_random_hex(32);
    char hash[PASSWORD_SHA256_HEX + 1];
    password_sha256_hex(ticket, hash);
    shared_ticket *t = g_new0(shared_ticket, 1);
    g_strlcpy(t->login, login, sizeof t->login);
    t->expires_ms = expires;
    g_hash_table_replace(a->tickets, g_strdup(hash), t);
    json_t *v = json_pack("{s:s, s:I}", "login", login, "expires", (json_int_t)expires);
    shared_write_queue(a, g_strconcat(TICKET_KEY_PREFIX, hash, NULL), json_dumps(v, JSON_COMPACT));
    json_decref(v);
    password_wipe(hash, sizeof hash);
    return ticket;
}

const auth_principal *auth_ticket_identify(auth_center *a, const char *ticket,
                                           char login[PASSWORD_SHA256_HEX + 1])
{
    if (!a || !a->tickets || !ticket || !hex64(ticket))
        return NULL;
    char hash[PASSWORD_SHA256_HEX + 1];
    password_sha256_hex(ticket, hash);
    const shared_ticket *t = g_hash_table_lookup(a->tickets, hash);
    const auth_principal *who = NULL;
    if (t && t->expires_ms > g_get_real_time() / 1000)
        who = login_principal(a, t->login);
    else if (t)
        g_hash_table_remove(a->tickets, hash);
    if (who)
        g_strlcpy(login, t->login, PASSWORD_SHA256_HEX + 1);
    password_wipe(hash, sizeof hash);
    return who;
}

bool auth_login_alive(auth_center *a, const char *login)
{
    return a && a->shared && login && hex64(login) && login_principal(a, login) != NULL;
}

static void prune_sessions(auth_center *a)
{
    gint64 now = g_get_monotonic_time();
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, a->sessions);
    while (g_hash_table_iter_next(&it, NULL, &value))
        if (((login_session *)value)->expires <= now)
            g_hash_table_iter_remove(&it);
}

/* Which sessions oldest_session() looks at. */
enum session_pick { PICK_OF_USER, PICK_NOT_ADMIN, PICK_ANY };

static bool session_matches(const login_session *ls, enum session_pick pick,
                            const auth_principal *who)
{
    return pick == PICK_ANY ||
           (pick == PICK_OF_USER ? ls->who == who : ls->who->role != ROLE_ADMIN);
}

/* The id (borrowed from the table) of the oldest live session that pick
 * (and who, for PICK_OF_USER) selects, or NULL; *count is how many it
 * selects. */
static const char *oldest_session(auth_center *a, enum session_pick pick, const auth_principal *who,
                                  guint *count)
{
    gint64 now = g_get_monotonic_time();
    const char *oldest = NULL;
    guint64 oldest_serial = G_MAXUINT64;
    *count = 0;
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, a->sessions);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        const login_session *ls = value;
        if (ls->expires <= now || !session_matches(ls, pick, who))
            continue;
        ++*count;
        if (ls->serial < oldest_serial) {
            oldest = key;
            oldest_serial = ls->serial;
        }
    }
    return oldest;
}

/* Ends session id before its time to make room for a newer login: its
 * sockets close (as for a logout: app/events.c on BUS_LOGIN_ENDED) and it
 * is audited. */
static void session_evict(auth_center *a, const char *id)
{
    gpointer key, value;
    if (!g_hash_table_steal_extended(a->sessions, id, &key, &value))
        return;
    login_session *ls = value;
    bus_emit(a->bus, &(bus_event){.kind = BUS_LOGIN_ENDED, .login_ended = {key}});
    audit_entry e = {ls->who->name,
                     session_role_name(ls->who->role),
                     ls->address,
                     "session_evicted",
                     NULL,
                     -1,
                     -1,
                     true};
    audit_write_async(a->audit, &e, NULL, NULL);
    log_info("a login session of '%s' ended early to make room for a newer login", ls->who->name);
    unshare_session(a, key);
    password_forget(key);
    login_session_free(ls);
}

/* Makes room in the table for a login by who: past its per-user cap its
 * own oldest session ends (*own set), and when the table is full an admin
 * ends the oldest session of a non-admin (of anyone, if all are admins').
 * false: no room (the table is full and who is not an admin). */
static bool session_make_room(auth_center *a, const auth_principal *who, bool *own)
{
    guint count;
    const char *oldest = oldest_session(a, PICK_OF_USER, who, &count);
    *own = count >= a->sessions_per_user;
    if (*own)
        session_evict(a, oldest);
    if (g_hash_table_size(a->sessions) >= a->sessions_max / 2)
        prune_sessions(a);
    if (g_hash_table_size(a->sessions) < a->sessions_max)
        return true;
    if (who->role != ROLE_ADMIN)
        return false;
    oldest = oldest_session(a, PICK_NOT_ADMIN, NULL, &count);
    if (!oldest)
        oldest = oldest_session(a, PICK_ANY, NULL, &count);
    if (!oldest)
        return false;
    session_evict(a, oldest);
    return true;
}

/* A new login session for who from address (room made); the token is
 * owned by the table. */
static const char *session_start(auth_center *a, const auth_principal *who, const char *address)
{
    login_session *ls = g_new0(login_session, 1);
    ls->who = who;
    ls->address = g_strdup(address);
    ls->expires = g_get_monotonic_time() + a->session_us;
    ls->serial = a->logins++;
    char *token = password_random_hex(32);
    g_hash_table_insert(a->sessions, token, ls);
    share_session(a, token, who);
    return token;
}

/* A successful login whose audit line is being written: the session starts
 * once the line is on disk. */
typedef struct login_audited {
    auth_center *a;
    const auth_principal *who; /* lives as long as a */
    char *address;
    auth_login_done done;
    void *data;
} login_audited;

static void login_audit_written(int status, void *data)
{
    login_audited *l = data;
    auth_center *a = l->a;
    a->in_flight--;
    if (status != 0) {
        l->done(AUTH_LOGIN_BUSY, NULL, NULL, 1, l->data);
    } else {
        const char *token = session_start(a, l->who, l->address);
        log_info("'%s' logged in from %s", l->who->name, l->address ? l->address : "?");
        l->done(AUTH_LOGIN_OK, token, session_role_name(l->who->role), 0, l->data);
    }
    g_free(l->address);
    g_free(l);
}

static void login_finished(GObject *source, GAsyncResult *res, gpointer data)
{
    (void)source, (void)data;
    login_job *j = g_task_get_task_data(G_TASK(res));
    auth_center *a = j->a;
    bool ok = g_task_propagate_boolean(G_TASK(res), NULL) && j->who;
    a->in_flight--;
    if (!ok) {
        audit_login(a, j, false, NULL, NULL);
        j->done(AUTH_LOGIN_WRONG, NULL, NULL, 0, j->data);
        return;
    }
    bool own;
    bool room = session_make_room(a, j->who, &own);
    /* A login that only replaces the user's own older session keeps its
     * attempt: logging in again and again is limited like guessing. */
    if (!own)
        login_limiter_forgive(a->limiter, j->address);
    if (!room) {
        j->done(AUTH_LOGIN_FULL, NULL, NULL, SESSIONS_FULL_RETRY_SECONDS, j->data);
        return;
    }
    login_audited *l = g_new0(login_audited, 1);
    *l = (login_audited){a, j->who, g_strdup(j->address), j->done, j->data};
    a->in_flight++; /* auth_center_free waits for the line too */
    audit_login(a, j, true, login_audit_written, l);
}

void auth_login(auth_center *a, const char *user, const char *password, const char *address,
                auth_login_done done, void *data)
{
    int wait = login_limiter_take(a->limiter, address, g_get_monotonic_time());
    if (wait) {
        done(AUTH_LOGIN_LIMITED, NULL, NULL, wait, data);
        return;
    }
    if (a->in_flight >= LOGINS_IN_FLIGHT_MAX) {
        login_limiter_forgive(a->limiter, address);
        done(AUTH_LOGIN_BUSY, NULL, NULL, 1, data);
        return;
    }
    login_job *j = g_new0(login_job, 1);
    j->a = a;
    j->who = find_user(a, user);
    j->user = j->who ? g_strdup(j->who->name) : unknown_user_tag(a, user);
    j->password = g_strdup(password);
    j->hash = g_strdup(j->who ? j->who->hash : a->dummy_hash);
    j->address = g_strdup(address);
    j->done = done;
    j->data = data;
    a->in_flight++;
    GTask *task = g_task_new(NULL, NULL, login_finished, NULL);
    g_task_set_task_data(task, j, (GDestroyNotify)login_job_free);
    g_task_run_in_thread(task, login_thread);
    g_object_unref(task);
}

enum auth_logout_result auth_logout(auth_center *a, const char *cookies, const char *address)
{
    char *id = a ? auth_cookie_get(cookies, AUTH_SESSION_COOKIE) : NULL;
    if (!id)
        return AUTH_LOGOUT_NO_COOKIE;
    const auth_principal *who = identify_session(a, id);
    if (!who) {
        password_forget(id);
        return AUTH_LOGOUT_UNKNOWN;
    }
    audit_entry e = {who->name, session_role_name(who->role), address, "logout", NULL, -1, -1,
                     true};
    audit_write_async(a->audit, &e, NULL, NULL);
    g_hash_table_remove(a->sessions, id);
    unshare_session(a, id);
    password_forget(id);
    return AUTH_LOGOUT_OK;
}

/* ---- passwords checked off the loop (the RTSP restream) ---- */

static const auth_principal *principal_named(const GPtrArray *list, const char *name)
{
    for (guint i = 0; list && i < list->len; i++) {
        const auth_principal *p = g_ptr_array_index(list, i);
        if (strcmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

/* Whether secret is the token of viewer token t. */
static bool token_matches(const auth_principal *t, const char *secret)
{
    if (t->hash)
        return password_verify(t->hash, secret);
    char hex[PASSWORD_SHA256_HEX + 1];
    password_sha256_hex(secret, hex);
    bool ok = password_equal(hex, t->sha256);
    password_wipe(hex, sizeof hex);
    return ok;
}

bool auth_check_password(const auth_center *a, const char *user, const char *password,
                         const auth_principal **who)
{
    if (who)
        *who = NULL;
    if (!a || !user || !password)
        return false;
    const auth_principal *p = principal_named(a->users, user);
    bool ok = false;
    if (p)
        ok = password_verify(p->hash, password);
    else if ((p = principal_named(a->tokens, user)) != NULL)
        ok = token_matches(p, password);
    else
        password_verify(a->dummy_hash, password); /* as long as for a known name */
    if (ok && who)
        *who = p;
    return ok;
}

const char *auth_principal_name(const auth_principal *who)
{
    return who ? who->name : NULL;
}
