/* crypto/pii.h — protection of personal data (NIK, NIP, phone) at rest.
 *
 * One master key, kept in a file (SINAU_KEY_FILE) and in guarded memory,
 * from which subkeys are derived per purpose with crypto_kdf. Fields are
 * encrypted with XChaCha20-Poly1305 whose associated data binds table,
 * column, row id and key version, so a ciphertext copied to another row or
 * column does not decrypt (SECURITY.md case 25). Uniqueness ("one NIK per
 * account") uses a keyed BLAKE2b blind index instead of the value.
 *
 * Pure: no event loop, no database. Nothing here logs, and no message ever
 * holds a key or a value. Thread: after pii_keyring_load returns, the keyring
 * is read-only and any thread may use it at once; only pii_keyring_free must
 * wait until no thread uses it any more. */
#ifndef SINAU_CRYPTO_PII_H
#define SINAU_CRYPTO_PII_H

#include <stdbool.h>
#include <stddef.h>

#include "sinau/core/common.h"

#define PII_KEY_BYTES     32   /* master key and every subkey */
#define PII_INDEX_HEX     65   /* blind index: 64 lowercase hex chars + NUL */
#define PII_MAX_PLAIN     4096 /* longest value pii_encrypt accepts */
#define PII_MAX_AAD_FIELD 255  /* longest table, column or row id */
#define PII_MAX_KIND      32   /* longest blind-index kind */

/* What a subkey is for; each has its own 8-character crypto_kdf context. */
enum pii_purpose {
    PII_PURPOSE_ENCRYPT = 0, /* "sinaupii": field encryption */
    PII_PURPOSE_BLIND_INDEX, /* "sinaubix": blind indexes */
    PII_PURPOSE_SIGNING,     /* "sinausig": signing-key seeds (later) */
    PII_PURPOSE_SESSION,     /* "sinausss": session-related needs (later) */
};

typedef struct pii_keyring pii_keyring;

/* Loads the master key from the file at path into a new keyring.
 *
 * When the file does not exist and create is true, it is first created with
 * 32 random bytes as 64 hex characters and a newline, mode 0600, fsync'ed,
 * and published atomically (written under a temporary name opened with
 * O_CREAT|O_EXCL, then hard-linked to path, which never replaces a file, so
 * two processes starting at once end up with the same key); *created
 * (optional, may be NULL) then says true so the caller can log it.
 *
 * An existing file is refused when it is not a regular file, when group or
 * others have any permission on it (mode & 077), or when it does not hold
 * exactly 64 hex characters, optionally followed by one "\n" (an all-zero key
 * is refused too). Returns 0 and an owned keyring in *out (release with
 * pii_keyring_free), or -1 with *out NULL and a one-line message in err that
 * names the path but never holds key material. Calls sodium_init. */
SINAU_MUST_CHECK int pii_keyring_load(const char *path, bool create, pii_keyring **out,
                                      bool *created, char *err, size_t errlen);

/* A keyring holding a copy of key under the given version (1..999999999),
 * for tests and for rotation tools. Returns 0 and an owned keyring, or -1
 * (bad version, or out of guarded memory). Calls sodium_init. */
SINAU_MUST_CHECK int pii_keyring_from_key(const unsigned char key[PII_KEY_BYTES], int version,
                                          pii_keyring **out);

/* Wipes and frees the keyring. NULL-safe. */
void pii_keyring_free(pii_keyring *kr);

/* The key version that pii_encrypt writes into tokens (1 for now; the field
 * is reserved for rotation). */
int pii_keyring_version(const pii_keyring *kr);

/* Derives the subkey for purpose into out. Returns 0, or -1 for an unknown
 * purpose. The caller wipes out with sodium_memzero when done. */
SINAU_MUST_CHECK int pii_subkey(const pii_keyring *kr, enum pii_purpose purpose,
                                unsigned char out[PII_KEY_BYTES]);

/* Encrypts plain[0..plain_len) for the cell (table, column, row_id) under the
 * keyring's current version, with a fresh random nonce (two encryptions of
 * one value differ). table, column and row_id must be non-empty and at most
 * PII_MAX_AAD_FIELD bytes; plain_len at most PII_MAX_PLAIN. On success,
 * *out_token is an owned NUL-terminated token (free()), plain ASCII safe for
 * a text column: "v<version>." + base64url without padding of
 * (24-byte nonce || ciphertext || 16-byte tag). Returns 0, or -1 with
 * *out_token NULL. */
SINAU_MUST_CHECK int pii_encrypt(const pii_keyring *kr, const char *table, const char *column,
                                 const char *row_id, const char *plain, size_t plain_len,
                                 char **out_token);

/* Decrypts a token made by pii_encrypt for the same (table, column, row_id).
 * On success, *out_plain is an owned copy of the value with a NUL appended
 * (free(); wipe it first with sodium_memzero(p, *out_len) where possible) and
 * *out_len its length without the NUL. Returns -1, with *out_plain NULL and
 * *out_len 0, when the token is malformed, its version is not the keyring's,
 * or authentication fails (tampered, or moved to another table, column or
 * row, or relabelled with another version). */
SINAU_MUST_CHECK int pii_decrypt(const pii_keyring *kr, const char *table, const char *column,
                                 const char *row_id, const char *token, char **out_plain,
                                 size_t *out_len);

/* Computes the blind index of value for kind ("nik", "nip", "phone"...):
 * keyed BLAKE2b-256 of "<kind>:<value>" with the blind-index subkey, as 64
 * lowercase hex characters and a NUL in out. Deterministic for one key, so a
 * UNIQUE constraint on it enforces one value per account; pass the value
 * normalised (idnum.h) so that equal values give equal indexes. kind must be
 * 1..PII_MAX_KIND bytes of [a-z0-9_]. Returns 0, or -1 for a bad kind. */
SINAU_MUST_CHECK int pii_blind_index(const pii_keyring *kr, const char *kind, const char *value,
                                     char out[PII_INDEX_HEX]);

#endif /* SINAU_CRYPTO_PII_H */
