/* cert/keys.h — the issuer's signing keys and the signing of what the
 * issuer publishes (CERTIFICATES.md): certificates and the revocation
 * status list, as VC-JWTs with EdDSA (Ed25519, libsodium).
 *
 * A key's seed is stored in signing_keys encrypted with pii_encrypt under
 * the master key, bound to (signing_keys, seed, <thumbprint>), so a seed
 * copied to another row does not decrypt. The newest key signs; every key
 * stays published and keeps verifying what it signed.
 *
 * The pure functions run on any thread. certkeys_bootstrap and
 * certkeys_rotate use blocking libpq: only for start-up (before the loops
 * run) and the `sinau keys rotate` command. */
#ifndef SINAU_CERT_KEYS_H
#define SINAU_CERT_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "sinau/cert/jws.h"
#include "sinau/core/common.h"

struct pg_result;
struct pii_keyring;
struct sinau_config;

/* A key in memory. Wipe with certkey_wipe when done. */
typedef struct certkey {
    unsigned char sk[JWS_SK_BYTES];
    unsigned char pk[JWS_PK_BYTES];
    char thumbprint[JWS_THUMBPRINT];
} certkey;

/* A new random key; *seed_enc (owned, free()) is its encrypted seed.
 * Returns 0 or -1. */
SINAU_MUST_CHECK int certkey_generate(const struct pii_keyring *kr, certkey *out, char **seed_enc);

/* The key of a stored row: decrypts seed_enc and checks that it gives the
 * thumbprint. Returns 0 or -1 (tampered, moved, wrong master key). */
SINAU_MUST_CHECK int certkey_open(const struct pii_keyring *kr, const char *thumbprint,
                                  const char *seed_enc, certkey *out);

void certkey_wipe(certkey *k);

/* A new certificate id: 128 random bits as 26 lower-case Crockford base32
 * characters (the top two bits of the first character are always 0). */
#define CERT_ID_CHARS 26
void certkey_new_cid(char out[CERT_ID_CHARS + 1]);

/* The certificate id in what a person typed or pasted: the id as printed
 * on the PDF ("ID: 3f9ab-1c2be-…", dashes, spaces and dots anywhere, upper
 * or lower case, Crockford's look-alikes O for 0 and I or L for 1) or a
 * /credentials/<id> link. Returns true with the canonical id in out, false
 * when it has not the shape of one. Pure; any thread. */
bool certkey_cid_parse(const char *typed, char out[CERT_ID_CHARS + 1]);

/* The id as the PDF prints it: groups of five, "3f9ab-1c2be-…-x" (owned by
 * the caller's buffer of CERT_ID_PRINTED bytes). */
#define CERT_ID_PRINTED (CERT_ID_CHARS + CERT_ID_CHARS / 5 + 1)
void certkey_cid_printed(const char *cid, char out[CERT_ID_PRINTED]);

/* "<public_url>/keys/<thumbprint>" (owned, free()). */
char *certkey_kid(const char *public_url, const char *thumbprint);

/* The compact JWS of payload_json signed by k, with the header
 * {"alg":"EdDSA","kid":<kid>,"typ":"JWT"} (owned, free()), or NULL. */
char *certkey_sign(const certkey *k, const char *public_url, const char *payload_json);

/* The Data Integrity form of a credential (diproof.h): payload_json (a
 * VC-JWT payload) less its JWT claims (iss, jti, sub, nbf, iat, exp),
 * signed by k with an eddsa-rdfc-2022 proof created at `created`, for the
 * verification method <public_url>/keys/<thumbprint>/multikey. Returns the
 * compact JSON text (owned, free()), or NULL. */
char *certkey_sign_di(const certkey *k, const char *public_url, const char *payload_json,
                      time_t created);

/* The status list credential (CERTIFICATES.md "Revocation") for the given
 * bits, as compact JSON (owned, free()), or NULL. */
char *certkeys_status_payload(const char *public_url, const char *issuer_name,
                              const unsigned char *bits, size_t nbytes, time_t now);

/* The status list as a Data Integrity credential: the same list with
 * @context credentials v2 only, issuer <public_url>/issuer, signed by k
 * (owned JSON text, free()), or NULL. */
char *certkeys_status_di(const certkey *k, const char *public_url, const unsigned char *bits,
                         size_t nbytes, time_t now);

/* ---- one path for adding a key and re-signing the status list ----
 * The request path (api/certificates.c, on the pool) and the blocking
 * start-up and `sinau keys rotate` (below) run the same statements and the
 * same signing code. */

/* Adds a key (the signer from now on; the list's version is bumped so that
 * it is re-signed; audited as keys.rotated): (thumbprint, public key hex,
 * seed_enc, actor id or NULL) -> (status, body). */
#define CERTKEYS_ADD_SQL "select (r->>'status')::int, r->'body' from cert_key_add($1, $2, $3, $4) r"

/* The list's bits and version, the current key, and whether the stored
 * token is older than the bits (text columns 0..4). No row: no key yet. */
#define CERTKEYS_STATUS_READ_SQL                                                                   \
    "select s.bits, s.version, k.thumbprint, k.seed_enc,"                                          \
    " (s.token is null or s.credential_di is null or s.token_version < s.version)"                 \
    " from status_lists s, cert_current_key() k where s.id = 1 and k.thumbprint is not null"

/* Stores a signed list unless a newer one is there: (version, token, di). */
#define CERTKEYS_STATUS_STORE_SQL "select cert_status_store($1::bigint, $2, $3)"

/* A new key as CERTKEYS_ADD_SQL's first three parameters. */
typedef struct certkeys_new {
    char thumbprint[JWS_THUMBPRINT];
    char pkhex[2 * JWS_PK_BYTES + 1];
    char *seed_enc; /* owned; certkeys_new_clear */
} certkeys_new;

/* Makes a random key (certkey_generate) and its row. Returns 0 or -1. Any
 * thread. */
SINAU_MUST_CHECK int certkeys_new_make(const struct pii_keyring *kr, certkeys_new *out);

void certkeys_new_clear(certkeys_new *n);

/* Signs the list of a CERTKEYS_STATUS_READ_SQL row (row 0, text format)
 * with the key it names: *token (the VC-JWT) and *di (the Data Integrity
 * credential), both owned. Returns 0, or -1 with both NULL. Any thread. */
SINAU_MUST_CHECK int certkeys_status_sign(const struct pii_keyring *kr, const char *public_url,
                                          const char *issuer_name, const struct pg_result *row,
                                          char **token, char **di);

/* Start-up, blocking: makes the first key when there is none, signs the
 * status list when its token is missing or older than its bits, and gives
 * every certificate issued before Data Integrity proofs existed its Data
 * Integrity form (signed by the key that signed its VC-JWT). Returns 0,
 * or -1 with a one-line message in err (the server serves anyway; issuing
 * then answers 503 until a key exists). */
int certkeys_bootstrap(const struct sinau_config *cfg, const struct pii_keyring *kr, char *err,
                       size_t errlen);

/* `sinau keys rotate`, blocking: adds a new key (the signer from now on) and
 * re-signs the status list with it. Prints the new kid on success. Returns 0
 * or -1 with a message in err. */
int certkeys_rotate(const struct sinau_config *cfg, const struct pii_keyring *kr, char *kid_out,
                    size_t kid_len, char *err, size_t errlen);

#endif /* SINAU_CERT_KEYS_H */
