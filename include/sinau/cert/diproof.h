/* cert/diproof.h — Data Integrity proofs (W3C Verifiable Credential Data
 * Integrity 1.0) with the cryptosuite eddsa-rdfc-2022 (Data Integrity EdDSA
 * Cryptosuites v1.0): the credential without its proof and the proof
 * configuration are each canonicalized (jsonld.h → rdfc.h), hashed with
 * SHA-256, and the two hashes (proof configuration's first) are signed with
 * Ed25519; proofValue is the signature in multibase base58btc ("z…").
 *
 * Keys are published as Multikey verification methods: publicKeyMultibase
 * = "z" + base58btc(0xed 0x01 ‖ public key), at
 * <PUBLIC_URL>/keys/<thumbprint>/multikey with controller
 * <PUBLIC_URL>/issuer (the credential's issuer.id), the same Ed25519 keys
 * as the VC-JWTs (certkeys.h).
 *
 * Pure code, thread-safe once sodium_init() has succeeded. Out of memory
 * aborts. Signing and checking canonicalize: ~0.1–1 ms of CPU. */
#ifndef SINAU_CERT_DIPROOF_H
#define SINAU_CERT_DIPROOF_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

#include "sinau/cert/jws.h"
#include "sinau/core/common.h"

#define DIPROOF_CRYPTOSUITE "eddsa-rdfc-2022"
#define DIPROOF_MULTIKEY    64          /* room for "z" + base58btc of 34 bytes and a NUL */
#define DIPROOF_MAX_DOC     (64 * 1024) /* longest document the checker reads */

/* base58btc (Bitcoin alphabet) of bin[0..len) into out (owned, free()). */
char *diproof_base58(const unsigned char *bin, size_t len);

/* Decodes base58btc text into out[0..cap); returns the length, or -1 when
 * the text is not base58btc or does not fit. */
SINAU_MUST_CHECK long diproof_base58_decode(const char *text, unsigned char *out, size_t cap);

/* "z" + base58btc(0xed 0x01 ‖ pk). */
void diproof_multikey(const unsigned char pk[JWS_PK_BYTES], char out[DIPROOF_MULTIKEY]);

/* "<public_url>/keys/<thumbprint>/multikey" (owned, free()). */
char *diproof_vm_url(const char *public_url, const char *thumbprint);

/* The Multikey document of a key: {"@context":"https://w3id.org/security/multikey/v1",
 * "id":<vm url>,"type":"Multikey","controller":"<public_url>/issuer",
 * "publicKeyMultibase":…}. Owned (json_decref). */
json_t *diproof_vm_doc(const char *public_url, const unsigned char pk[JWS_PK_BYTES]);

/* Signs doc (a credential without "proof", borrowed) with sk for the
 * verification method vm_url, created at `created`: returns the credential
 * with its proof as compact JSON text (owned, free()), or NULL with a
 * one-line reason in err (a shape jsonld.h refuses). */
char *diproof_sign(const json_t *doc, const unsigned char sk[JWS_SK_BYTES], const char *vm_url,
                   time_t created, char *err, size_t errlen);

/* Checks the proof of doc (borrowed) with the public key pk: exactly one
 * proof, a DataIntegrityProof of eddsa-rdfc-2022 for assertionMethod with a
 * created time, and the signature over both canonical hashes. Returns 0 when
 * it verifies, else -1 with a one-line reason in err. The caller has
 * chosen pk from proof.verificationMethod (diproof_vm_of). */
SINAU_MUST_CHECK int diproof_verify(const json_t *doc, const unsigned char pk[JWS_PK_BYTES],
                                    char *err, size_t errlen);

/* proof.verificationMethod of doc, or NULL (borrowed from doc). */
const char *diproof_vm_of(const json_t *doc);

#endif /* SINAU_CERT_DIPROOF_H */
