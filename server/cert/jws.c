/* jws.c — base64url, Ed25519 JWK thumbprints, compact JWS signing and a
 * strict parser (see jws.h for the contracts). */
#include "sinau/cert/jws.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/core/alloc.h"
#include "sinau/core/errmsg.h"
#include "sinau/core/utf8.h"

#define B64_VARIANT sodium_base64_VARIANT_URLSAFE_NO_PADDING

/* ---- base64url ------------------------------------------------------------ */

char *jws_b64u_encode(const unsigned char *bin, size_t len)
{
    size_t cap = sodium_base64_ENCODED_LEN(len, B64_VARIANT);
    char *out = xmalloc(cap);

    if (len == 0) {
        out[0] = '\0';
        return out;
    }
    sodium_bin2base64(out, cap, bin, len, B64_VARIANT);
    return out;
}

static bool b64u_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

/* True when s[0..len) holds only base64url characters. */
static bool b64u_alphabet(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (!b64u_char((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

int jws_b64u_decode(const char *s, size_t slen, unsigned char **out, size_t *outlen)
{
    /* ceil(slen / 4) * 3 bytes always suffice; one more for the NUL */
    size_t cap;
    unsigned char *buf;
    size_t n = 0;

    *out = NULL;
    *outlen = 0;
    /* libsodium 1.0.18 maps some bytes >= 0x80 to sextets instead of
     * refusing them, which would give one value several encodings: check the
     * alphabet first */
    if (s == NULL || slen > JWS_MAX_B64_INPUT || !b64u_alphabet(s, slen)) {
        return -1;
    }
    cap = (slen + 3) / 4 * 3 + 1;
    buf = xmalloc(cap);
    /* b64_end NULL: libsodium fails unless every character was consumed;
     * it also refuses a dangling character and non-zero unused bits */
    if (slen > 0 && sodium_base642bin(buf, cap - 1, s, slen, NULL, &n, NULL, B64_VARIANT) != 0) {
        free(buf);
        return -1;
    }
    buf[n] = '\0';
    *out = buf;
    *outlen = n;
    return 0;
}

/* ---- keys ------------------------------------------------------------------ */

void jws_thumbprint(const unsigned char pk[JWS_PK_BYTES], char out[JWS_THUMBPRINT])
{
    /* 43 characters of x between a fixed prefix and suffix */
    static const char prefix[] = "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"";
    static const char suffix[] = "\"}";
    char canon[sizeof prefix - 1 + 43 + sizeof suffix];
    unsigned char digest[crypto_hash_sha256_BYTES];
    char *x = jws_b64u_encode(pk, JWS_PK_BYTES);
    size_t n = sizeof prefix - 1;

    memcpy(canon, prefix, n);
    memcpy(canon + n, x, 43);
    n += 43;
    memcpy(canon + n, suffix, sizeof suffix - 1);
    n += sizeof suffix - 1;
    crypto_hash_sha256(digest, (const unsigned char *)canon, n);
    sodium_bin2base64(out, JWS_THUMBPRINT, digest, sizeof digest, B64_VARIANT);
    free(x);
}

json_t *jws_jwk(const unsigned char pk[JWS_PK_BYTES], const char *kid_url)
{
    char *x;
    json_t *jwk;

    if (kid_url == NULL) {
        return NULL;
    }
    x = jws_b64u_encode(pk, JWS_PK_BYTES);
    /* json_pack fails (NULL) when kid_url is not valid UTF-8 */
    jwk = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "OKP", "crv", "Ed25519", "x", x, "kid",
                    kid_url, "use", "sig", "alg", "EdDSA");
    free(x);
    return jwk;
}

/* ---- signing ------------------------------------------------------------------ */

/* True when s can sit between JSON quotes as it is. */
static bool json_verbatim(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p < 0x20 || *p == '"' || *p == '\\') {
            return false;
        }
    }
    return true;
}

char *jws_header_json(const char *kid_url)
{
    static const char head[] = "{\"alg\":\"EdDSA\",\"kid\":\"";
    static const char tail[] = "\",\"typ\":\"JWT\"}";
    size_t klen;
    char *out;

    if (kid_url == NULL || kid_url[0] == '\0' || !json_verbatim(kid_url)) {
        return NULL;
    }
    if (!utf8_valid(kid_url)) {
        return NULL;
    }
    klen = strlen(kid_url);
    out = xmalloc(sizeof head - 1 + klen + sizeof tail);
    memcpy(out, head, sizeof head - 1);
    memcpy(out + sizeof head - 1, kid_url, klen);
    memcpy(out + sizeof head - 1 + klen, tail, sizeof tail);
    return out;
}

char *jws_sign(const char *header_json, const char *payload_json,
               const unsigned char sk[JWS_SK_BYTES])
{
    unsigned char sig[JWS_SIG_BYTES];
    char *h, *p, *s, *token;
    size_t hl, pl, sl;

    if (header_json == NULL || payload_json == NULL || sk == NULL) {
        return NULL;
    }
    h = jws_b64u_encode((const unsigned char *)header_json, strlen(header_json));
    p = jws_b64u_encode((const unsigned char *)payload_json, strlen(payload_json));
    hl = strlen(h);
    pl = strlen(p);
    token = xmalloc(hl + 1 + pl + 1 + sodium_base64_ENCODED_LEN(JWS_SIG_BYTES, B64_VARIANT));
    memcpy(token, h, hl);
    token[hl] = '.';
    memcpy(token + hl + 1, p, pl);
    crypto_sign_detached(sig, NULL, (const unsigned char *)token, hl + 1 + pl, sk);
    s = jws_b64u_encode(sig, sizeof sig);
    sl = strlen(s);
    token[hl + 1 + pl] = '.';
    memcpy(token + hl + 1 + pl + 1, s, sl + 1);
    free(h);
    free(p);
    free(s);
    return token;
}

/* ---- parsing -------------------------------------------------------------------- */

/* Decodes one base64url part that must hold a JSON object. */
static json_t *decode_object(const char *part, size_t len)
{
    unsigned char *raw = NULL;
    size_t rawlen = 0;
    json_error_t jerr;
    json_t *obj;

    if (jws_b64u_decode(part, len, &raw, &rawlen) != 0) {
        return NULL;
    }
    obj = json_loadb((const char *)raw, rawlen, JSON_REJECT_DUPLICATES, &jerr);
    free(raw);
    if (obj != NULL && !json_is_object(obj)) {
        json_decref(obj);
        obj = NULL;
    }
    return obj;
}

/* Finds the two dots: returns 0 with the part lengths, or -1. */
static int split3(const char *t, size_t len, size_t *l1, size_t *l2, size_t *l3)
{
    const char *d1 = memchr(t, '.', len);
    const char *d2 = d1 == NULL ? NULL : memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - t));

    if (d2 == NULL || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - t)) != NULL) {
        return -1;
    }
    *l1 = (size_t)(d1 - t);
    *l2 = (size_t)(d2 - d1 - 1);
    *l3 = len - (size_t)(d2 + 1 - t);
    return 0;
}

int jws_parse(const char *token, size_t max_len, jws_parsed *out, char *err, size_t errlen)
{
    size_t len, l1, l2, l3;

    memset(out, 0, sizeof *out);
    if (token == NULL) {
        errmsg_set(err, errlen, "no token");
        return -1;
    }
    len = strnlen(token, max_len + 1);
    if (len > max_len) {
        errmsg_set(err, errlen, "token longer than %zu bytes", max_len);
        return -1;
    }
    if (split3(token, len, &l1, &l2, &l3) != 0) {
        errmsg_set(err, errlen, "not three parts separated by dots");
        return -1;
    }
    if (l1 == 0 || l2 == 0 || l3 == 0) {
        errmsg_set(err, errlen, "an empty part");
        return -1;
    }
    out->header = decode_object(token, l1);
    if (out->header == NULL) {
        errmsg_set(err, errlen, "the header is not base64url of a JSON object");
        goto failed;
    }
    out->payload = decode_object(token + l1 + 1, l2);
    if (out->payload == NULL) {
        errmsg_set(err, errlen, "the payload is not base64url of a JSON object");
        goto failed;
    }
    if (jws_b64u_decode(token + l1 + 1 + l2 + 1, l3, &out->sig, &out->sig_len) != 0) {
        errmsg_set(err, errlen, "the signature is not base64url");
        goto failed;
    }
    out->signing_input_len = l1 + 1 + l2;
    out->signing_input = xstrndup(token, out->signing_input_len);
    return 0;
failed:
    jws_parsed_clear(out);
    return -1;
}

void jws_parsed_clear(jws_parsed *p)
{
    if (p == NULL) {
        return;
    }
    json_decref(p->header);
    json_decref(p->payload);
    free(p->signing_input);
    free(p->sig);
    memset(p, 0, sizeof *p);
}

bool jws_verify_sig(const jws_parsed *p, const unsigned char pk[JWS_PK_BYTES])
{
    if (p == NULL || p->sig == NULL || p->sig_len != JWS_SIG_BYTES || p->signing_input == NULL) {
        return false;
    }
    return crypto_sign_verify_detached(p->sig, (const unsigned char *)p->signing_input,
                                       p->signing_input_len, pk) == 0;
}
