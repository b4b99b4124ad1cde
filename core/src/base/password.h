/* password.h - password hashes (argon2id, libsodium), token digests and
 * random tokens. Nothing here logs or keeps a secret. */
#ifndef PANTAU_PASSWORD_H
#define PANTAU_PASSWORD_H

#include <glib.h>
#include <stdbool.h>

#define PASSWORD_SHA256_HEX 64

/* Initialises libsodium (once; safe to call again). 0, or -1 when the
 * library cannot be used. */
int password_init(void);

/* An argon2id hash of password with libsodium's "interactive" cost (about
 * 64 MiB and a fraction of a second). NULL on failure; g_free it. */
char *password_hash(const char *password);

/* A hash of a random password with the cost parameters of model (an
 * argon2id hash), so that verifying against it takes as long as against
 * model; the interactive cost when model is NULL or unreadable. g_free it. */
char *password_hash_like(const char *model);

/* Whether password matches hash; false for a malformed hash. Slow by
 * design: call it off the main loop. */
bool password_verify(const char *hash, const char *password);

/* Whether hash is a well-formed argon2id hash string. */
bool password_hash_valid(const char *hash);

/* The SHA-256 of text as 64 lower-case hex digits and a NUL in out. */
void password_sha256_hex(const char *text, char out[PASSWORD_SHA256_HEX + 1]);

#define PASSWORD_KEY_BYTES 32
#define PASSWORD_KEYED_HEX 64

/* Fills key with random bytes for password_keyed_hex. */
void password_key_new(unsigned char key[PASSWORD_KEY_BYTES]);

/* The BLAKE2b hash of text keyed with key, as 64 lower-case hex digits and
 * a NUL in out: fast, and without the key it tells nothing about text. */
void password_keyed_hex(const unsigned char key[PASSWORD_KEY_BYTES], const char *text,
                        char out[PASSWORD_KEYED_HEX + 1]);

/* Whether a and b are equal strings, in time that depends only on their
 * lengths. */
bool password_equal(const char *a, const char *b);

/* Overwrites n bytes at p with zeros (the compiler keeps this). */
void password_wipe(void *p, size_t n);

/* Overwrites s with zeros and frees it (g_free); NULL is fine. */
void password_forget(char *s);

/* n random bytes as 2n lower-case hex digits; g_free it. */
char *password_random_hex(size_t n);

#endif
