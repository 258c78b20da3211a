/* cert/vccheck.h — the verifier of our credentials: exactly the checks of
 * CERTIFICATES.md "What an outside verifier checks", for `sinau verify`
 * (offline) and POST /api/v1/verify (fed attacker tokens: safe on any input,
 * sizes bounded, details are fixed texts that never quote the input).
 *
 * The checks, in this order, with stable names:
 *   format            three non-empty base64url parts, header and payload
 *                     JSON objects, at most JWS_MAX_TOKEN bytes
 *   header            alg EdDSA (none, HS* refused), typ JWT, no crit,
 *                     exactly the members alg, kid, typ, and kid =
 *                     "<origin>/keys/<43 base64url chars>"
 *   key               the key set has exactly one key with that kid, kty
 *                     OKP, crv Ed25519, x 32 bytes, and the thumbprint of x
 *                     is the kid's last path segment
 *   signature         the Ed25519 signature verifies with that key
 *   claims            no vc claim; @context the two contexts in order; type
 *                     has VerifiableCredential and OpenBadgeCredential; iss =
 *                     issuer.id, jti = id, sub = credentialSubject.id, nbf =
 *                     validFrom (YYYY-MM-DDTHH:MM:SSZ) in epoch seconds, exp =
 *                     validUntil when either is present; credentialStatus a
 *                     BitstringStatusListEntry for revocation with a decimal
 *                     statusListIndex and a statusListCredential
 *   status_signature  (only when a status token is given) the status list
 *                     token passes format, header, key and signature as above
 *                     with the same key set and origin
 *   status            without a status token: ok, "not checked offline",
 *                     status unknown. With one: its type is exactly
 *                     [VerifiableCredential, BitstringStatusListCredential],
 *                     credentialSubject is a BitstringStatusList for
 *                     revocation, its id is the entry's statusListCredential,
 *                     the list decodes to at least STATUSLIST_BITS bits, and
 *                     the bit at statusListIndex is 0 (status valid) or 1
 *                     (status revoked, check failed).
 * A check whose inputs an earlier failure took away is reported as failed
 * with detail "not checked: …"; claims do not wait for the signature (so a
 * forged token shows exactly which parts are wrong), but the payload is
 * handed out only once the signature verified.
 *
 * A credential with a Data Integrity proof (JSON text starting with '{',
 * issue 18, diproof.h) gets the same report with these steps instead of the
 * first four: format (a JSON object of at most DIPROOF_MAX_DOC bytes, no
 * duplicate members), proof (one DataIntegrityProof, eddsa-rdfc-2022,
 * assertionMethod, verificationMethod "<origin>/keys/<thumbprint>/multikey"),
 * key (as above, for the kid "<origin>/keys/<thumbprint>"), signature (the
 * RDFC-1.0 canonical forms verify; a document of a shape the server does not
 * sign fails here with the term named); claims then check the contexts and
 * types, no JWT claims, validFrom, and the status entry. The status list
 * may be given in either format, whatever the credential's.
 *
 * Not checked (not among the five points): the current time against
 * nbf/exp, and iat.
 *
 * Pure code, no global state: thread-safe once sodium_init() has succeeded.
 * CPU: a few signature checks and at most one status-list inflate of up to
 * STATUSLIST_MAX_BYTES, so call it from a worker thread in the server. */
#ifndef SINAU_CERT_VCCHECK_H
#define SINAU_CERT_VCCHECK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "sinau/cert/jws.h"
#include "sinau/core/common.h"

#define VCCHECK_MAX_CHECKS       8
#define VCCHECK_DETAIL           128
#define VCCHECK_MAX_STATUS_TOKEN (1024 * 1024) /* longest status list token read */

enum vccheck_status {
    VCCHECK_STATUS_UNKNOWN = 0, /* not checked (no status token, or a check before failed) */
    VCCHECK_STATUS_VALID,       /* the bit is 0 */
    VCCHECK_STATUS_REVOKED,     /* the bit is 1 */
};

typedef struct vccheck_item {
    const char *name; /* static: "format", "header", ... (see above) */
    bool ok;
    char detail[VCCHECK_DETAIL]; /* one line, a fixed text plus numbers */
} vccheck_item;

/* Read-only for callers; made by vccheck_run, released by vccheck_result_free. */
typedef struct vccheck_result {
    bool valid;                 /* every check ok (a revoked credential is not valid) */
    enum vccheck_status status; /* what the status list says, if it was read */
    size_t nchecks;
    vccheck_item checks[VCCHECK_MAX_CHECKS];
    json_t *payload; /* owned: the decoded payload when the signature verified, else NULL */
} vccheck_result;

/* Runs every check on token (NUL-terminated) against jwks ({"keys":[…]},
 * borrowed) for origin (PUBLIC_URL, e.g. "http://127.0.0.1:8080"; one
 * trailing '/' is ignored), and, when status_token is not NULL, against that
 * status list token (NUL-terminated, at most VCCHECK_MAX_STATUS_TOKEN).
 * Any argument may be NULL or hostile: a NULL token fails "format", a NULL
 * or malformed jwks fails "key", a NULL or empty origin fails "header".
 * Returns an owned result (never NULL; vccheck_result_free). */
vccheck_result *vccheck_run(const char *token, const json_t *jwks, const char *origin,
                            const char *status_token);

/* Adds the check "data_integrity" to r (the verify page's own check of a
 * stored credential's second form): di_json (the stored Data Integrity
 * credential, NUL-terminated) verifies with pk (diproof.h), its
 * verification method is <origin>/keys/<thumbprint of pk>/multikey, and it
 * says exactly what the VC-JWT's verified payload (r->payload) says, less
 * the JWT claims. Not checked (failed) when the VC-JWT's signature did not
 * verify. Updates r->valid. */
void vccheck_add_data_integrity(vccheck_result *r, const char *di_json,
                                const unsigned char pk[JWS_PK_BYTES], const char *origin);

/* Frees r and its payload. NULL-safe. */
void vccheck_result_free(vccheck_result *r);

/* "valid", "revoked" or "unknown". */
const char *vccheck_status_name(enum vccheck_status s);

/* The one-word verdict: "valid" when r->valid; "revoked" when the only
 * failed check is status and the bit is set; otherwise "invalid". Static
 * string. */
const char *vccheck_verdict(const vccheck_result *r);

/* A new JSON object {"valid":bool,"status":"valid|revoked|unknown",
 * "checks":[{"name":…,"ok":bool,"detail":…},…]} (the answer of
 * POST /api/v1/verify). Owned by the caller (json_decref). */
json_t *vccheck_result_json(const vccheck_result *r);

#endif /* SINAU_CERT_VCCHECK_H */
