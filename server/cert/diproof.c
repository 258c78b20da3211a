/* diproof.c — Data Integrity proofs with eddsa-rdfc-2022, Multikey and
 * base58btc (see diproof.h). */
#include "sinau/cert/diproof.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/cert/jsonld.h"
#include "sinau/cert/rdfc.h"
#include "sinau/core/alloc.h"

static const char b58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

char *diproof_base58(const unsigned char *bin, size_t len)
{
    size_t zeros = 0, cap = len * 138 / 100 + 2, n = 0;
    unsigned char *digits = xcalloc(cap, 1);
    char *out;

    while (zeros < len && bin[zeros] == 0)
        zeros++;
    for (size_t i = zeros; i < len; i++) {
        unsigned carry = bin[i];
        for (size_t j = 0; j < n; j++) {
            carry += (unsigned)digits[j] << 8;
            digits[j] = (unsigned char)(carry % 58);
            carry /= 58;
        }
        while (carry > 0) {
            digits[n++] = (unsigned char)(carry % 58);
            carry /= 58;
        }
    }
    out = xmalloc(zeros + n + 1);
    memset(out, '1', zeros);
    for (size_t j = 0; j < n; j++)
        out[zeros + j] = b58[digits[n - 1 - j]];
    out[zeros + n] = '\0';
    free(digits);
    return out;
}

long diproof_base58_decode(const char *text, unsigned char *out, size_t cap)
{
    size_t zeros = 0, n = 0, len = strlen(text);
    unsigned char *bytes;

    if (len > 4 * cap + 8)
        return -1;
    bytes = xcalloc(len + 1, 1);
    while (text[zeros] == '1')
        zeros++;
    for (size_t i = zeros; i < len; i++) {
        const char *p = strchr(b58, text[i]);
        unsigned carry;
        if (text[i] == '\0' || p == NULL) {
            free(bytes);
            return -1;
        }
        carry = (unsigned)(p - b58);
        for (size_t j = 0; j < n; j++) {
            carry += (unsigned)bytes[j] * 58;
            bytes[j] = (unsigned char)(carry & 0xff);
            carry >>= 8;
        }
        while (carry > 0) {
            bytes[n++] = (unsigned char)(carry & 0xff);
            carry >>= 8;
        }
    }
    if (zeros + n > cap) {
        free(bytes);
        return -1;
    }
    memset(out, 0, zeros);
    for (size_t j = 0; j < n; j++)
        out[zeros + j] = bytes[n - 1 - j];
    free(bytes);
    return (long)(zeros + n);
}

void diproof_multikey(const unsigned char pk[JWS_PK_BYTES], char out[DIPROOF_MULTIKEY])
{
    unsigned char k[2 + JWS_PK_BYTES] = {0xed, 0x01};
    char *enc;

    memcpy(k + 2, pk, JWS_PK_BYTES);
    enc = diproof_base58(k, sizeof k);
    snprintf(out, DIPROOF_MULTIKEY, "z%s", enc);
    free(enc);
}

char *diproof_vm_url(const char *public_url, const char *thumbprint)
{
    size_t n = strlen(public_url) + strlen(thumbprint) + 16;
    char *url = xmalloc(n);

    snprintf(url, n, "%s/keys/%s/multikey", public_url, thumbprint);
    return url;
}

json_t *diproof_vm_doc(const char *public_url, const unsigned char pk[JWS_PK_BYTES])
{
    char thumb[JWS_THUMBPRINT], mk[DIPROOF_MULTIKEY], *vm, *issuer;
    size_t n = strlen(public_url) + 8;
    json_t *doc;

    jws_thumbprint(pk, thumb);
    diproof_multikey(pk, mk);
    vm = diproof_vm_url(public_url, thumb);
    issuer = xmalloc(n);
    snprintf(issuer, n, "%s/issuer", public_url);
    doc =
        json_pack("{s:s, s:s, s:s, s:s, s:s}", "@context", "https://w3id.org/security/multikey/v1",
                  "id", vm, "type", "Multikey", "controller", issuer, "publicKeyMultibase", mk);
    free(vm);
    free(issuer);
    return doc;
}

/* SHA-256 of the canonical N-Quads of doc. Returns 0 or -1 (reason in err). */
static int canonical_hash(const json_t *doc, unsigned char out[crypto_hash_sha256_BYTES], char *err,
                          size_t errlen)
{
    rdf_dataset *d = NULL;
    char *nq;

    if (jsonld_to_rdf(doc, &d, err, errlen) != 0)
        return -1;
    nq = rdfc_canonize(d);
    rdf_dataset_free(d);
    if (nq == NULL) {
        snprintf(err, errlen,
                 "the document is too large, or its blank nodes too many, to canonicalize");
        return -1;
    }
    crypto_hash_sha256(out, (const unsigned char *)nq, strlen(nq));
    free(nq);
    return 0;
}

/* proofConfigHash ‖ transformedDocumentHash: the data eddsa-rdfc-2022
 * signs. config and unsecured are borrowed. */
static int hash_data(const json_t *config, const json_t *unsecured, unsigned char out[64],
                     char *err, size_t errlen)
{
    if (canonical_hash(config, out, err, errlen) != 0)
        return -1;
    return canonical_hash(unsecured, out + 32, err, errlen);
}

static void utc_text(time_t t, char out[21])
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

char *diproof_sign(const json_t *doc, const unsigned char sk[JWS_SK_BYTES], const char *vm_url,
                   time_t created, char *err, size_t errlen)
{
    unsigned char data[64], sig[crypto_sign_BYTES];
    char at[21], *b58sig, *value, *out = NULL;
    json_t *config, *signed_doc, *proof;

    utc_text(created, at);
    config =
        json_pack("{s:O, s:s, s:s, s:s, s:s, s:s}", "@context", json_object_get(doc, "@context"),
                  "type", "DataIntegrityProof", "cryptosuite", DIPROOF_CRYPTOSUITE, "created", at,
                  "verificationMethod", vm_url, "proofPurpose", "assertionMethod");
    if (config == NULL) {
        snprintf(err, errlen, "the document has no @context");
        return NULL;
    }
    if (hash_data(config, doc, data, err, errlen) == 0) {
        crypto_sign_detached(sig, NULL, data, sizeof data, sk);
        b58sig = diproof_base58(sig, sizeof sig);
        value = xmalloc(strlen(b58sig) + 2);
        value[0] = 'z';
        memcpy(value + 1, b58sig, strlen(b58sig) + 1);
        free(b58sig);
        proof = json_deep_copy(config);
        json_object_del(proof, "@context");
        json_object_set_new(proof, "proofValue", json_string(value));
        free(value);
        signed_doc = json_deep_copy(doc);
        json_object_set_new(signed_doc, "proof", proof);
        out = json_dumps(signed_doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(signed_doc);
    }
    json_decref(config);
    return out;
}

const char *diproof_vm_of(const json_t *doc)
{
    return json_string_value(json_object_get(json_object_get(doc, "proof"), "verificationMethod"));
}

static int refuse(char *err, size_t errlen, const char *why)
{
    snprintf(err, errlen, "%s", why);
    return -1;
}

/* The proof's own members, checked; its signature into sig. */
/* s, or "" when NULL. */
static const char *str_or_empty(const json_t *v)
{
    const char *s = json_string_value(v);

    return s != NULL ? s : "";
}

static int proof_shape(const json_t *proof, unsigned char sig[crypto_sign_BYTES], char *err,
                       size_t errlen)
{
    const char *value = json_string_value(json_object_get(proof, "proofValue"));

    if (!json_is_object(proof))
        return refuse(err, errlen, "not exactly one proof");
    if (strcmp(str_or_empty(json_object_get(proof, "type")), "DataIntegrityProof") != 0)
        return refuse(err, errlen, "the proof is not a DataIntegrityProof");
    if (strcmp(str_or_empty(json_object_get(proof, "cryptosuite")), DIPROOF_CRYPTOSUITE) != 0)
        return refuse(err, errlen, "the cryptosuite is not eddsa-rdfc-2022");
    if (strcmp(str_or_empty(json_object_get(proof, "proofPurpose")), "assertionMethod") != 0)
        return refuse(err, errlen, "the proof purpose is not assertionMethod");
    if (!json_is_string(json_object_get(proof, "created")) ||
        !json_is_string(json_object_get(proof, "verificationMethod")))
        return refuse(err, errlen, "the proof has no created time or verification method");
    if (value == NULL || value[0] != 'z' ||
        diproof_base58_decode(value + 1, sig, crypto_sign_BYTES) != crypto_sign_BYTES)
        return refuse(err, errlen, "proofValue is not a base58btc Ed25519 signature");
    return 0;
}

int diproof_verify(const json_t *doc, const unsigned char pk[JWS_PK_BYTES], char *err,
                   size_t errlen)
{
    unsigned char sig[crypto_sign_BYTES], data[64];
    json_t *proof = json_object_get(doc, "proof"), *config, *unsecured;
    int rc = -1;

    if (!json_is_object(doc) || proof_shape(proof, sig, err, errlen) != 0)
        return -1;
    config = json_deep_copy(proof);
    json_object_del(config, "proofValue");
    json_object_set(config, "@context", json_object_get(doc, "@context"));
    unsecured = json_deep_copy(doc);
    json_object_del(unsecured, "proof");
    if (hash_data(config, unsecured, data, err, errlen) == 0) {
        if (crypto_sign_verify_detached(sig, data, sizeof data, pk) == 0)
            rc = 0;
        else
            refuse(err, errlen, "the signature does not verify");
    }
    json_decref(config);
    json_decref(unsecured);
    return rc;
}
