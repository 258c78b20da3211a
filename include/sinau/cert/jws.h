/* cert/jws.h — compact JWS with Ed25519 ("EdDSA"), as CERTIFICATES.md fixes it:
 * base64url without padding, RFC 7638 thumbprints of OKP/Ed25519 keys, the
 * header our credentials carry, signing, and a strict parser plus signature
 * check for the verifier (vccheck.h).
 *
 * Pure code: no event loop, no database, no logging, no global state. Every
 * function is thread-safe once sodium_init() has succeeded (the caller's job;
 * main does it at start). Out of memory aborts (alloc.h). */
#ifndef SINAU_CERT_JWS_H
#define SINAU_CERT_JWS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "sinau/core/common.h"

#define JWS_PK_BYTES      32          /* Ed25519 public key */
#define JWS_SK_BYTES      64          /* libsodium Ed25519 secret key (seed ‖ public key) */
#define JWS_SIG_BYTES     64          /* Ed25519 signature */
#define JWS_THUMBPRINT    44          /* thumbprint: 43 base64url chars + NUL */
#define JWS_MAX_TOKEN     (64 * 1024) /* longest credential token the verifier reads */
#define JWS_MAX_B64_INPUT (64 * 1024 * 1024) /* jws_b64u_decode refuses longer input */

/* ---- base64url, no padding ---------------------------------------------- */

/* Encodes bin[0..len) as base64url without padding. Returns an owned
 * NUL-terminated string (free()). bin may be NULL when len is 0. */
char *jws_b64u_encode(const unsigned char *bin, size_t len);

/* Decodes s[0..slen) strictly: only [A-Za-z0-9_-], no '=', no whitespace, no
 * length of 1 mod 4, and the unused low bits of the last character must be
 * zero (so every byte string has exactly one encoding). On success returns 0
 * and *out is an owned buffer of *outlen bytes with one extra NUL after them
 * (so decoded text can be read as a C string; free()). On failure returns -1
 * with *out NULL and *outlen 0. The empty string decodes to 0 bytes. */
SINAU_MUST_CHECK int jws_b64u_decode(const char *s, size_t slen, unsigned char **out,
                                     size_t *outlen);

/* ---- keys ------------------------------------------------------------------ */

/* Writes the RFC 7638 thumbprint of the Ed25519 public key pk: base64url of
 * SHA-256 of {"crv":"Ed25519","kty":"OKP","x":"<b64u(pk)>"} (that member
 * order, no spaces), 43 characters and a NUL. */
void jws_thumbprint(const unsigned char pk[JWS_PK_BYTES], char out[JWS_THUMBPRINT]);

/* A new JWK object for pk: {"kty":"OKP","crv":"Ed25519","x":…,"kid":kid_url,
 * "use":"sig","alg":"EdDSA"}. Returns an owned reference (json_decref), or
 * NULL when kid_url is NULL or not valid UTF-8. kid_url is copied. */
json_t *jws_jwk(const unsigned char pk[JWS_PK_BYTES], const char *kid_url);

/* ---- signing ----------------------------------------------------------------- */

/* The protected header of our tokens, exactly
 * {"alg":"EdDSA","kid":"<kid_url>","typ":"JWT"}. Returns an owned string
 * (free()), or NULL when kid_url is NULL, empty, not valid UTF-8, or holds a
 * character JSON would have to escape ('"', '\\' or a control character):
 * a kid is a URL and must appear verbatim. */
char *jws_header_json(const char *kid_url);

/* Signs: returns the owned compact token b64u(header).b64u(payload).b64u(sig)
 * (free()), sig = crypto_sign_detached over the ASCII of the first two parts
 * with the libsodium secret key sk. header_json and payload_json are taken
 * verbatim (never re-serialised): build them once and store the token as it
 * is. Returns NULL when an argument is NULL. Does not check that the strings
 * are JSON. */
char *jws_sign(const char *header_json, const char *payload_json,
               const unsigned char sk[JWS_SK_BYTES]);

/* ---- parsing and verifying -------------------------------------------------------- */

/* A token split by jws_parse. All members owned by the struct; release them
 * with jws_parsed_clear. Nothing in it has been verified yet. */
typedef struct jws_parsed {
    json_t *header;      /* the decoded header, a JSON object */
    json_t *payload;     /* the decoded payload, a JSON object */
    char *signing_input; /* "<part1>.<part2>" as it came, NUL-terminated */
    size_t signing_input_len;
    unsigned char *sig; /* the decoded third part (any length) */
    size_t sig_len;
} jws_parsed;

/* Splits token (NUL-terminated, at most max_len bytes before the NUL) into
 * its three parts and decodes them: exactly two dots, three non-empty parts,
 * each strict base64url (jws_b64u_decode); header and payload each a JSON
 * object (UTF-8, no duplicate member names, no NUL escapes). Returns 0 with
 * *out filled, or -1 with *out zeroed and a one-line reason in err (a fixed
 * text that never quotes the token). Safe on any input. */
SINAU_MUST_CHECK int jws_parse(const char *token, size_t max_len, jws_parsed *out, char *err,
                               size_t errlen);

/* Frees what p holds and zeroes it. NULL-safe; safe on a zeroed struct. */
void jws_parsed_clear(jws_parsed *p);

/* True when p's signature is a 64-byte Ed25519 signature by pk over
 * p->signing_input. Looks at nothing in the header: checking alg and kid is
 * the caller's job (vccheck.h). */
bool jws_verify_sig(const jws_parsed *p, const unsigned char pk[JWS_PK_BYTES]);

#endif /* SINAU_CERT_JWS_H */
