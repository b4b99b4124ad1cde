/* password.c - libsodium wrappers: argon2id hashes, SHA-256, random tokens. */
#include "password.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

int password_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

static char *hash_with(const char *password, unsigned long long ops, size_t mem)
{
    char out[crypto_pwhash_STRBYTES];
    if (password_init() || crypto_pwhash_str_alg(out, password, strlen(password), ops, mem,
                                                 crypto_pwhash_ALG_ARGON2ID13) != 0)
        return NULL;
    return g_strdup(out);
}

char *password_hash(const char *password)
{
    return hash_with(password, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                     crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

/* Reads m (KiB) and t of "$argon2id$v=19$m=65536,t=2,p=1$...". */
static bool cost_of(const char *hash, unsigned long long *ops, size_t *mem)
{
    unsigned long m = 0, t = 0, p = 0;
    if (!hash || sscanf(hash, "$argon2id$v=19$m=%lu,t=%lu,p=%lu$", &m, &t, &p) != 3)
        return false;
    if (m < crypto_pwhash_MEMLIMIT_MIN / 1024 || m > (4UL << 20) || t < 1 || t > 64)
        return false;
    *ops = t;
    *mem = (size_t)m * 1024;
    return true;
}

char *password_hash_like(const char *model)
{
    unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
    cost_of(model, &ops, &mem);
    char *random = password_random_hex(16);
    char *hash = hash_with(random, ops, mem);
    g_free(random);
    return hash;
}

bool password_verify(const char *hash, const char *password)
{
    if (!hash || !password || password_init() || !password_hash_valid(hash))
        return false;
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

bool password_hash_valid(const char *hash)
{
    unsigned long long ops;
    size_t mem;
    if (!hash || strlen(hash) >= crypto_pwhash_STRBYTES || !cost_of(hash, &ops, &mem) ||
        password_init())
        return false;
    /* -1: not a hash this library can verify. */
    return crypto_pwhash_str_needs_rehash(hash, ops, mem) != -1;
}

void password_sha256_hex(const char *text, char out[PASSWORD_SHA256_HEX + 1])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *)text, strlen(text));
    sodium_bin2hex(out, PASSWORD_SHA256_HEX + 1, digest, sizeof digest);
}

void password_key_new(unsigned char key[PASSWORD_KEY_BYTES])
{
    password_init();
    randombytes_buf(key, PASSWORD_KEY_BYTES);
}

void password_keyed_hex(const unsigned char key[PASSWORD_KEY_BYTES], const char *text,
                        char out[PASSWORD_KEYED_HEX + 1])
{
    G_STATIC_ASSERT(PASSWORD_KEY_BYTES == crypto_generichash_KEYBYTES);
    unsigned char digest[PASSWORD_KEYED_HEX / 2];
    crypto_generichash(digest, sizeof digest, (const unsigned char *)text, strlen(text), key,
                       PASSWORD_KEY_BYTES);
    sodium_bin2hex(out, PASSWORD_KEYED_HEX + 1, digest, sizeof digest);
}

bool password_equal(const char *a, const char *b)
{
    size_t n = strlen(a);
    return n == strlen(b) && sodium_memcmp(a, b, n) == 0;
}

char *password_random_hex(size_t n)
{
    unsigned char *bytes = g_malloc(n);
    char *hex = g_malloc(2 * n + 1);
    password_init();
    randombytes_buf(bytes, n);
    sodium_bin2hex(hex, 2 * n + 1, bytes, n);
    g_free(bytes);
    return hex;
}

void password_wipe(void *p, size_t n)
{
    if (p)
        sodium_memzero(p, n);
}

void password_forget(char *s)
{
    if (!s)
        return;
    sodium_memzero(s, strlen(s));
    g_free(s);
}
