/* auth/password.h — passwords (server/auth/password.c): the policy and
 * argon2id hashing through libsodium. */
#ifndef SINAU_AUTH_PASSWORD_H
#define SINAU_AUTH_PASSWORD_H

#include <stdbool.h>

#include "sinau/core/common.h"
#include "sinau/core/config.h"

enum auth_pw_verdict { AUTH_PW_OK = 0, AUTH_PW_TOO_SHORT, AUTH_PW_TOO_LONG, AUTH_PW_COMMON };

/* Policy: 10..256 bytes, not among the most common passwords. */
enum auth_pw_verdict auth_password_check(const char *pw);

/* Hashes with crypto_pwhash_str at the configured cost. Blocking and CPU
 * heavy (~0.1 s at `interactive`): worker threads and the CLI only.
 * Returns 0 or -1 (out of memory). */
SINAU_MUST_CHECK int auth_password_hash(enum pwhash_cost cost, const char *pw, char out[128]);

/* Verifies pw against a stored hash; *rehash set when the hash's cost is
 * below the configured one. Blocking (worker threads and the CLI only). */
bool auth_password_verify(enum pwhash_cost cost, const char *hash, const char *pw, bool *rehash);

/* A hash of a random password at the configured cost, made once at start:
 * logins for unknown e-mails verify against it, so they take as long as
 * real ones. Not thread-safe to call concurrently with itself; call before
 * the loops start. */
SINAU_MUST_CHECK int auth_dummy_hash_init(enum pwhash_cost cost);
const char *auth_dummy_hash(void);

#endif /* SINAU_AUTH_PASSWORD_H */
