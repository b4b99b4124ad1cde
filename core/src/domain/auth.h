/* auth.h - who may do what: users and viewer tokens from the config, login
 * sessions, roles, per-wall permissions (docs/security.md). */
#ifndef PANTAU_AUTH_H
#define PANTAU_AUTH_H

#include "audit.h"
#include "bus.h"
#include "config_check.h"
#include "pantau_error.h"
#include "kv_store.h"
#include "session.h"

#include <stdbool.h>

#define AUTH_SESSION_COOKIE "pantau_session"
#define AUTH_TOKEN_COOKIE "pantau_token"

typedef struct auth_center auth_center;

/* A configured user or viewer token. Owned by the auth center. */
typedef struct auth_principal auth_principal;

/* Checks the config's "auth" section (NULL when absent: no login, everyone
 * is an admin; the config checker allows that only on loopback). */
void auth_config_check(config_checker *c, const json_t *section, const config_sections *ids);

/* The users, tokens and login sessions of section (the config's "auth",
 * borrowed; checked valid); NULL when section is NULL. config_dir (may be
 * NULL) resolves the TLS files; logins are audited in audit (may be NULL),
 * logins ended early emitted on bus (may be NULL); both borrowed, they
 * outlive the center. */
auth_center *auth_center_new(const json_t *section, const char *config_dir, audit_log *audit,
                             event_bus *bus);

/* Frees a; waits for logins still being verified. NULL is fine. */
void auth_center_free(auth_center *a);

/* Shares a's login sessions through kv (stolen; a cluster's bucket of
 * sessions, docs/cluster.md): each session started here is put there under
 * the SHA-256 of its id (never the id), a logout or an eviction deletes
 * it, and the sessions any node puts there are known here too, until they
 * expire. The writes run in order on a thread of a's; the watch's entries
 * come on the main loop. a NULL (no auth section): kv is freed. Returns 0,
 * or -1 with err. */
int auth_share(auth_center *a, kv_store *kv, pantau_error *err);

/* How long a failover ticket is valid at most (within its login's life):
 * a socket gets a new one at least this often (AUTH_TICKET_ROTATE_SECONDS). */
#define AUTH_TICKET_SECONDS 600
#define AUTH_TICKET_ROTATE_SECONDS 300
#define AUTH_LOGIN_HASH_HEX 64

/* The SHA-256 hex of login_id (a session cookie's value) into login;
 * false when login_id is not a session id. */
bool auth_login_hash(const char *login_id, char login[AUTH_LOGIN_HASH_HEX + 1]);

/* A new failover ticket (docs/security.md) for the live login whose id
 * hashes to login: 256 random bits, put in the cluster's bucket by its
 * SHA-256, valid until the login ends or AUTH_TICKET_SECONDS, whichever
 * comes first. A secret: g_free it after password_wipe. NULL without a
 * cluster or when the login is not live. */
char *auth_ticket_issue(auth_center *a, const char *login);

/* Who a failover ticket shows (the user of the live login it is bound to,
 * lives as long as a), its login's hash into login; NULL when the ticket
 * is unknown, expired or its login has ended. */
const auth_principal *auth_ticket_identify(auth_center *a, const char *ticket,
                                           char login[AUTH_LOGIN_HASH_HEX + 1]);

/* Whether the login whose id hashes to login is live (a cluster only). */
bool auth_login_alive(auth_center *a, const char *login);

/* What an action needs of a session's role. */
enum auth_permission {
    AUTH_READ,     /* every role, viewers included */
    AUTH_OPERATE,  /* layouts, presets, alarms: operator, admin */
    AUTH_PRESENT,  /* presentations: presenter, admin */
    AUTH_ADMIN,    /* admin only */
    AUTH_PLAYBACK, /* replay and export recordings: operator, admin by default */
};

/* Whether session s may do what needs `permission` on wall_id (NULL: no
 * wall). Returns 0, or -1 with a `forbidden` error naming the field. A
 * NULL session (no connection: unit tests) may do everything. */
int auth_allows(const session *s, enum auth_permission permission, const char *wall_id,
                pantau_error *err);

/* The TLS certificate and key of auth.tls (paths resolved against the
 * config's directory, g_free them); false without it (a NULL: no login). */
bool auth_tls_files(const auth_center *a, char **cert, char **key);

/* Whether a browser whose page has origin `origin` may talk to the server
 * reached as `host` (docs/security.md); a NULL a: no login, no TLS, no
 * allowed_origins. NULL origin: false. */
bool auth_origin_ok(const auth_center *a, const char *origin, const char *host);

/* The credentials of a request, borrowed for the call. */
typedef struct auth_credentials {
    const char *cookies; /* the Cookie header, or NULL */
    const char *token;   /* ?token=, or NULL; when given, the cookies do not count */
    const char *address; /* the peer's address: token checks count against it */
} auth_credentials;

enum auth_identity {
    AUTH_KNOWN,    /* *who is set */
    AUTH_NOBODY,   /* no valid credential (or the address is rate-limited) */
    AUTH_CHECKING, /* a token is being checked off the loop; ask again when it ends */
    AUTH_BUSY,     /* too many token checks at once: try again in *retry_after s */
};

/* A token check ended (on the main loop): who is the token's viewer, or
 * NULL when it is not a valid token. Borrowed: lives as long as the center. */
typedef void (*auth_token_checked)(const auth_principal *who, void *data);

/* Who presents cred: a viewer token (cred->token, else the token cookie) or
 * a login session (the session cookie), without ever checking a hash on the
 * loop. A token not seen before that only an argon2id token_hash can tell is
 * checked on a worker thread (AUTH_CHECKING; the attempt counts against
 * cred->address, given back when it matches); when that ends, checked (may
 * be NULL: nobody waits) is called once with data, and the result is
 * remembered, so the same token is answered at once afterwards. *who: a
 * principal that lives as long as a, or NULL. */
enum auth_identity auth_identify(auth_center *a, const auth_credentials *cred,
                                 const auth_principal **who, int *retry_after,
                                 auth_token_checked checked, void *data);

/* Who a request without valid credentials is: the auth.anonymous_role
 * principal, or NULL (log in first). Borrowed: lives as long as a. */
const auth_principal *auth_anonymous(const auth_center *a);

/* Sets s's user, role and walls to who's (NULL: leaves them) and its
 * address (may be NULL). */
void auth_session_fill(session *s, const auth_principal *who, const char *address);

/* Hours a login session lasts. */
int auth_session_hours(const auth_center *a);

/* Whether login_id (a session cookie's value) is a login session that has
 * neither expired nor been logged out; an expired one is forgotten. */
bool auth_session_alive(auth_center *a, const char *login_id);

enum auth_login_result {
    AUTH_LOGIN_OK,
    AUTH_LOGIN_WRONG,   /* unknown user or wrong password: one answer for both */
    AUTH_LOGIN_LIMITED, /* too many attempts from the address */
    AUTH_LOGIN_BUSY,    /* too many logins being verified at once */
    AUTH_LOGIN_FULL,    /* the session table is full (an admin always gets in) */
};

/* How a login ended: on OK, token is the new session's (borrowed for the
 * call), role the user's role; retry_after is seconds for LIMITED, BUSY
 * and FULL. */
typedef void (*auth_login_done)(enum auth_login_result result, const char *token, const char *role,
                                int retry_after, void *data);

/* Checks user's password off the main loop and calls done (on the main
 * loop; at once when refused before checking). user and password are
 * copied; the attempt counts against address before it is checked, and
 * is audited (never the password). */
void auth_login(auth_center *a, const char *user, const char *password, const char *address,
                auth_login_done done, void *data);

enum auth_logout_result {
    AUTH_LOGOUT_OK,        /* the session ended; audited */
    AUTH_LOGOUT_NO_COOKIE, /* the cookies carry no session cookie */
    AUTH_LOGOUT_UNKNOWN,   /* no such session: ended, expired or never made */
};

/* Whether user and password are a configured user's name and password or
 * a viewer token's name and token (RTSP Basic, docs/cameras.md "RTSP
 * restream"); *who (may be NULL) is then the principal, which lives as long
 * as a. An unknown name is checked against a dummy hash, so it takes as
 * long. Blocking (argon2id): never on the main loop. Safe from any thread:
 * it reads only what auth_center_new made and nothing changes; a outlives
 * the call. Nothing is logged or audited. */
bool auth_check_password(const auth_center *a, const char *user, const char *password,
                         const auth_principal **who);

/* The principal's name (borrowed: lives as long as its center). */
const char *auth_principal_name(const auth_principal *who);

/* Ends the login session of the session cookie in cookies (the Cookie
 * header, may be NULL) and audits it; says why when there is none. */
enum auth_logout_result auth_logout(auth_center *a, const char *cookies, const char *address);

#endif
