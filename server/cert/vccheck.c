/* vccheck.c — the credential verifier (see vccheck.h for the checks and
 * their contracts). Every step takes what earlier steps produced from a
 * small struct, writes a fixed reason into err on failure and never quotes
 * the input, which may come from anyone. */
#include "sinau/cert/vccheck.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/cert/diproof.h"
#include "sinau/cert/jws.h"
#include "sinau/cert/statuslist.h"
#include "sinau/core/alloc.h"
#include "sinau/core/names.h"

#define CTX_VC       "https://www.w3.org/ns/credentials/v2"
#define CTX_OB       "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
#define KEYS_PATH    "/keys/"
#define B64U_CHARS   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
#define THUMB_LEN    (JWS_THUMBPRINT - 1)
#define MAX_INDEX    ((uint64_t)STATUSLIST_MAX_BYTES * 8) /* indexes stay below */
#define INDEX_DIGITS 10
#define ERRLEN       VCCHECK_DETAIL

/* A token going through format, header, key and signature. */
typedef struct checked_token {
    jws_parsed p;
    unsigned char pk[JWS_PK_BYTES]; /* the key that must have signed it */
} checked_token;

/* What the steps read: the token and the trust anchors. */
typedef struct step_args {
    const char *token;
    size_t max_len;
    const json_t *jwks;
    const char *origin;
} step_args;

typedef struct checked_doc checked_doc;

/* One step of the check, on a compact JWS token or on a Data Integrity
 * document (one of the two runs is set), and what passing it means. */
typedef struct check_step {
    const char *name;
    int (*jws)(checked_token *t, const step_args *a, char *err);
    int (*di)(checked_doc *d, const step_args *a, char *err);
    const char *ok_detail;
} check_step;

/* What the steps run on: a token or a document. */
typedef struct step_subject {
    checked_token *t;
    checked_doc *d;
} step_subject;

/* The credentialStatus entry, once claims found it usable. */
typedef struct status_entry {
    bool ok;
    const char *url; /* borrowed from the credential's payload */
    uint64_t index;
} status_entry;

/* ---- reporting --------------------------------------------------------------- */

SINAU_PRINTF(4, 5)
static void add(vccheck_result *r, const char *name, bool ok, const char *fmt, ...)
{
    vccheck_item *it;
    va_list ap;

    assert(r->nchecks < VCCHECK_MAX_CHECKS);
    it = &r->checks[r->nchecks++];
    it->name = name;
    it->ok = ok;
    va_start(ap, fmt);
    vsnprintf(it->detail, sizeof it->detail, fmt, ap);
    va_end(ap);
}

static void not_checked(vccheck_result *r, const char *name, const char *failed)
{
    add(r, name, false, "not checked: %s failed", failed);
}

/* Copies a fixed reason into err; returns -1 so steps can `return why(...)`. */
static int why(char *err, const char *reason)
{
    snprintf(err, ERRLEN, "%s", reason);
    return -1;
}

/* ---- small JSON helpers ------------------------------------------------------------ */

/* The string member key of obj, or NULL when obj is no object or the member
 * is missing or not a string. */
static const char *str_member(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static bool str_member_is(const json_t *obj, const char *key, const char *want)
{
    const char *s = str_member(obj, key);

    return s != NULL && strcmp(s, want) == 0;
}

static bool array_has_string(const json_t *a, const char *want)
{
    size_t i;
    const json_t *v;

    json_array_foreach (a, i, v) {
        if (json_is_string(v) && strcmp(json_string_value(v), want) == 0) {
            return true;
        }
    }
    return false;
}

/* True when a is an array of exactly the strings s0, s1 in that order. */
static bool array_is_pair(const json_t *a, const char *s0, const char *s1)
{
    const char *a0 = json_string_value(json_array_get(a, 0));
    const char *a1 = json_string_value(json_array_get(a, 1));

    return json_array_size(a) == 2 && a0 != NULL && a1 != NULL && strcmp(a0, s0) == 0 &&
           strcmp(a1, s1) == 0;
}

/* ---- format, header, key, signature ------------------------------------------------ */

/* kid must be "<origin>/keys/<43 base64url chars>" (one trailing '/' of
 * origin ignored). Returns the thumbprint part of kid, or NULL. */
static const char *kid_thumbprint(const char *kid, const char *origin)
{
    size_t olen = strlen(origin);
    size_t plen = strlen(KEYS_PATH);
    const char *t;

    if (olen > 0 && origin[olen - 1] == '/') {
        olen--;
    }
    if (olen == 0 || strncmp(kid, origin, olen) != 0 || strncmp(kid + olen, KEYS_PATH, plen) != 0) {
        return NULL;
    }
    t = kid + olen + plen;
    if (strlen(t) != THUMB_LEN || strspn(t, B64U_CHARS) != THUMB_LEN) {
        return NULL;
    }
    return t;
}

static int step_format(checked_token *t, const step_args *a, char *err)
{
    return jws_parse(a->token, a->max_len, &t->p, err, ERRLEN);
}

static int step_header(checked_token *t, const step_args *a, char *err)
{
    const json_t *h = t->p.header;
    const char *alg = str_member(h, "alg");
    const char *kid = str_member(h, "kid");

    if (json_object_get(h, "crit") != NULL) {
        return why(err, "crit refused");
    }
    if (alg == NULL) {
        return why(err, "no alg");
    }
    if (strcmp(alg, "none") == 0) {
        return why(err, "alg none refused");
    }
    if (strncmp(alg, "HS", 2) == 0) {
        return why(err, "HMAC algorithm refused");
    }
    if (strcmp(alg, "EdDSA") != 0) {
        return why(err, "alg is not EdDSA");
    }
    if (!str_member_is(h, "typ", "JWT")) {
        return why(err, "typ is not JWT");
    }
    if (kid == NULL || json_object_size(h) != 3) {
        return why(err, "header members are not exactly alg, kid and typ");
    }
    if (a->origin == NULL || kid_thumbprint(kid, a->origin) == NULL) {
        return why(err, "kid is not <origin>/keys/<thumbprint> on the expected origin");
    }
    return 0;
}

/* The one key of jwks whose kid is kid, or NULL with a reason in err. */
static const json_t *unique_key(const json_t *jwks, const char *kid, char *err)
{
    const json_t *keys = json_object_get(jwks, "keys");
    const json_t *k, *found = NULL;
    size_t i, n = 0;

    if (!json_is_array(keys)) {
        why(err, "the key set has no keys array");
        return NULL;
    }
    json_array_foreach (keys, i, k) {
        if (str_member_is(k, "kid", kid)) {
            found = k;
            n++;
        }
    }
    if (n != 1) {
        why(err, n == 0 ? "no key with this kid in the key set"
                        : "more than one key with this kid in the key set");
        return NULL;
    }
    return found;
}

/* The public key of kid in the key set, checked against the thumbprint
 * the kid names. */
static int key_for_kid(const step_args *a, const char *kid, unsigned char pk[JWS_PK_BYTES],
                       char *err)
{
    const json_t *k = unique_key(a->jwks, kid, err);
    const char *x;
    unsigned char *raw = NULL;
    size_t rawlen = 0;
    char thumb[JWS_THUMBPRINT];

    if (k == NULL) {
        return -1;
    }
    if (!str_member_is(k, "kty", "OKP") || !str_member_is(k, "crv", "Ed25519")) {
        return why(err, "the key is not OKP/Ed25519");
    }
    x = str_member(k, "x");
    if (x == NULL || jws_b64u_decode(x, strlen(x), &raw, &rawlen) != 0 || rawlen != JWS_PK_BYTES) {
        free(raw);
        return why(err, "the key's x is not 32 bytes of base64url");
    }
    memcpy(pk, raw, JWS_PK_BYTES);
    free(raw);
    jws_thumbprint(pk, thumb);
    if (strcmp(thumb, kid_thumbprint(kid, a->origin)) != 0) {
        return why(err, "the key's thumbprint is not the one in its kid");
    }
    return 0;
}

static int step_key(checked_token *t, const step_args *a, char *err)
{
    return key_for_kid(a, str_member(t->p.header, "kid"), t->pk, err);
}

static int step_signature(checked_token *t, const step_args *a, char *err)
{
    if (!jws_verify_sig(&t->p, t->pk)) {
        return why(err, "the Ed25519 signature does not verify");
    }
    return 0;
}

static const check_step steps[] = {
    {"format", step_format, NULL, "three base64url parts, header and payload JSON objects"},
    {"header", step_header, NULL, "alg EdDSA, typ JWT, kid on the expected origin"},
    {"key", step_key, NULL, "one OKP/Ed25519 key with this kid, thumbprint matches"},
    {"signature", step_signature, NULL, "Ed25519 signature verifies"},
};

static int run_step(const check_step *st, const step_subject *x, const step_args *a, char *err)
{
    return st->jws != NULL ? st->jws(x->t, a, err) : st->di(x->d, a, err);
}

/* Runs the n steps on the credential, one check each; after the first
 * failure the rest are reported as not checked. Returns how many passed. */
static size_t run_credential(vccheck_result *r, const check_step *st, size_t n,
                             const step_subject *x, const step_args *a)
{
    char err[ERRLEN];
    size_t i, passed = 0;

    for (i = 0; i < n; i++) {
        if (passed < i) {
            not_checked(r, st[i].name, st[passed].name);
        } else if (run_step(&st[i], x, a, err) != 0) {
            add(r, st[i].name, false, "%s", err);
        } else {
            add(r, st[i].name, true, "%s", st[i].ok_detail);
            passed++;
        }
    }
    return passed;
}

/* The same n steps on the status list (token or document), as one check
 * (ok: its detail when every step passes). Returns 0 or -1. */
static int run_status_steps(vccheck_result *r, const check_step *st, size_t n,
                            const step_subject *x, const step_args *a, const char *ok)
{
    char err[ERRLEN];

    for (size_t i = 0; i < n; i++) {
        if (run_step(&st[i], x, a, err) != 0) {
            add(r, "status_signature", false, "status list %s: %s", st[i].name, err);
            return -1;
        }
    }
    add(r, "status_signature", true, "%s", ok);
    return 0;
}

/* ---- the same steps for a Data Integrity credential (diproof.h) ------------------ */

/* A credential with a Data Integrity proof going through the steps. */
struct checked_doc {
    json_t *doc;
    char kid[600]; /* the verification method less "/multikey": the JWKS kid */
    unsigned char pk[JWS_PK_BYTES];
};

#define MULTIKEY_SUFFIX "/multikey"

static int di_format(checked_doc *d, const step_args *a, char *err)
{
    size_t n = strlen(a->token);

    if (n > DIPROOF_MAX_DOC) {
        return why(err, "longer than the verifier reads");
    }
    d->doc = json_loadb(a->token, n, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(d->doc)) {
        return why(err, "not a JSON object (UTF-8, no duplicate members)");
    }
    return 0;
}

static int di_proof(checked_doc *d, const step_args *a, char *err)
{
    const json_t *proof = json_object_get(d->doc, "proof");
    const char *vm = diproof_vm_of(d->doc);
    size_t n = vm != NULL ? strlen(vm) : 0, sl = strlen(MULTIKEY_SUFFIX);

    if (!json_is_object(proof)) {
        return why(err, "not exactly one proof");
    }
    if (!str_member_is(proof, "type", "DataIntegrityProof") ||
        !str_member_is(proof, "cryptosuite", DIPROOF_CRYPTOSUITE)) {
        return why(err, "the proof is not a DataIntegrityProof of eddsa-rdfc-2022");
    }
    if (!str_member_is(proof, "proofPurpose", "assertionMethod")) {
        return why(err, "the proof purpose is not assertionMethod");
    }
    if (n <= sl || n - sl >= sizeof d->kid || strcmp(vm + n - sl, MULTIKEY_SUFFIX) != 0) {
        return why(err, "verificationMethod is not <origin>/keys/<thumbprint>/multikey");
    }
    memcpy(d->kid, vm, n - sl);
    d->kid[n - sl] = '\0';
    if (a->origin == NULL || kid_thumbprint(d->kid, a->origin) == NULL) {
        return why(err, "verificationMethod is not a key on the expected origin");
    }
    return 0;
}

static int di_key(checked_doc *d, const step_args *a, char *err)
{
    return key_for_kid(a, d->kid, d->pk, err);
}

static int di_signature(checked_doc *d, const step_args *a, char *err)
{
    char reason[ERRLEN];

    (void)a;
    if (diproof_verify(d->doc, d->pk, reason, sizeof reason) != 0) {
        snprintf(err, ERRLEN, "%s", reason);
        return -1;
    }
    return 0;
}

static const check_step di_steps[] = {
    {"format", NULL, di_format, "a JSON object"},
    {"proof", NULL, di_proof,
     "DataIntegrityProof, eddsa-rdfc-2022, assertionMethod, Multikey on origin"},
    {"key", NULL, di_key, "one OKP/Ed25519 key with this kid, thumbprint matches"},
    {"signature", NULL, di_signature, "RDFC-1.0 canonical form verifies with Ed25519"},
};

/* True when text (after blanks) starts a JSON object: a Data Integrity
 * credential rather than a compact JWS. */
static bool is_json_doc(const char *text)
{
    if (text == NULL)
        return false;
    text += strspn(text, " \t\r\n");
    return *text == '{';
}

/* ---- claims ---------------------------------------------------------------------- */

static int check_shape(const json_t *p, char *err)
{
    if (json_object_get(p, "vc") != NULL) {
        return why(err, "a vc claim (the credential must not be wrapped)");
    }
    if (!array_is_pair(json_object_get(p, "@context"), CTX_VC, CTX_OB)) {
        return why(err, "@context is not the two contexts in order");
    }
    if (!json_is_array(json_object_get(p, "type")) ||
        !array_has_string(json_object_get(p, "type"), "VerifiableCredential") ||
        !array_has_string(json_object_get(p, "type"), "OpenBadgeCredential")) {
        return why(err, "type lacks VerifiableCredential or OpenBadgeCredential");
    }
    return 0;
}

/* The string claim must equal obj.member (both present). */
static int same_string(const json_t *p, const char *claim, const json_t *obj, const char *member,
                       const char *reason, char *err)
{
    const char *a = str_member(p, claim);
    const char *b = str_member(obj, member);

    if (a == NULL || b == NULL || strcmp(a, b) != 0) {
        return why(err, reason);
    }
    return 0;
}

static int check_jwt_claims(const json_t *p, char *err)
{
    if (same_string(p, "iss", json_object_get(p, "issuer"), "id",
                    "iss differs from issuer.id (or one is missing)", err) != 0 ||
        same_string(p, "jti", p, "id", "jti differs from id (or one is missing)", err) != 0 ||
        same_string(p, "sub", json_object_get(p, "credentialSubject"), "id",
                    "sub differs from credentialSubject.id (or one is missing)", err) != 0) {
        return -1;
    }
    return 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static unsigned digits(const char *s, size_t n)
{
    unsigned v = 0;

    for (size_t i = 0; i < n; i++) {
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    return v;
}

/* Parses exactly YYYY-MM-DDTHH:MM:SSZ into epoch seconds; 0, or -1. */
static int parse_utc(const char *s, int64_t *out)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    static const unsigned char mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned y, mo, d, h, mi, se, last;

    if (s == NULL || strlen(s) != sizeof shape - 1) {
        return -1;
    }
    for (size_t i = 0; i < sizeof shape - 1; i++) {
        bool digit = s[i] >= '0' && s[i] <= '9';
        if (shape[i] == 'd' ? !digit : s[i] != shape[i]) {
            return -1;
        }
    }
    y = digits(s, 4);
    mo = digits(s + 5, 2);
    d = digits(s + 8, 2);
    h = digits(s + 11, 2);
    mi = digits(s + 14, 2);
    se = digits(s + 17, 2);
    if (mo < 1 || mo > 12 || h > 23 || mi > 59 || se > 59) {
        return -1;
    }
    last = mdays[mo - 1] + (mo == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
    if (d < 1 || d > last) {
        return -1;
    }
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    return 0;
}

/* The integer claim must equal the date member in epoch seconds. */
static int same_time(const json_t *p, const char *claim, const char *member, const char *reason,
                     char *err)
{
    const json_t *c = json_object_get(p, claim);
    int64_t t = 0;

    if (parse_utc(str_member(p, member), &t) != 0) {
        return why(err, strcmp(member, "validFrom") == 0
                            ? "validFrom is not YYYY-MM-DDTHH:MM:SSZ"
                            : "validUntil is not YYYY-MM-DDTHH:MM:SSZ");
    }
    if (!json_is_integer(c) || json_integer_value(c) != t) {
        return why(err, reason);
    }
    return 0;
}

static int check_dates(const json_t *p, char *err)
{
    if (same_time(p, "nbf", "validFrom", "nbf differs from validFrom", err) != 0) {
        return -1;
    }
    if (json_object_get(p, "validUntil") == NULL && json_object_get(p, "exp") == NULL) {
        return 0;
    }
    return same_time(p, "exp", "validUntil", "exp differs from validUntil (or one is missing)",
                     err);
}

/* A canonical decimal below MAX_INDEX: digits only, no leading zero. */
static int parse_index(const char *s, uint64_t *out)
{
    size_t n = s == NULL ? 0 : strlen(s);
    uint64_t v = 0;

    if (n == 0 || n > INDEX_DIGITS || strspn(s, "0123456789") != n || (s[0] == '0' && n > 1)) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v >= MAX_INDEX) {
        return -1;
    }
    *out = v;
    return 0;
}

static int check_entry(const json_t *p, status_entry *e, char *err)
{
    const json_t *cs = json_object_get(p, "credentialStatus");

    if (!json_is_object(cs)) {
        return why(err, "no credentialStatus");
    }
    if (!str_member_is(cs, "type", "BitstringStatusListEntry")) {
        return why(err, "credentialStatus is not a BitstringStatusListEntry");
    }
    if (!str_member_is(cs, "statusPurpose", "revocation")) {
        return why(err, "credentialStatus purpose is not revocation");
    }
    if (parse_index(str_member(cs, "statusListIndex"), &e->index) != 0) {
        return why(err, "statusListIndex is not a decimal string in range");
    }
    e->url = str_member(cs, "statusListCredential");
    if (e->url == NULL || e->url[0] == '\0') {
        return why(err, "no statusListCredential");
    }
    e->ok = true;
    return 0;
}

/* A Data Integrity credential carries no JWT claims: its dates are only
 * validFrom (and validUntil), in whole seconds UTC. */
static int check_di_dates(const json_t *p, char *err)
{
    static const char *const jwt_claims[] = {"iss", "jti", "sub", "nbf", "iat", "exp"};
    int64_t t;

    for (size_t i = 0; i < SINAU_ARRAY_LEN(jwt_claims); i++) {
        if (json_object_get(p, jwt_claims[i]) != NULL) {
            return why(err, "a JWT claim in a Data Integrity credential");
        }
    }
    if (parse_utc(str_member(p, "validFrom"), &t) != 0) {
        return why(err, "validFrom is not YYYY-MM-DDTHH:MM:SSZ");
    }
    if (json_object_get(p, "validUntil") != NULL &&
        parse_utc(str_member(p, "validUntil"), &t) != 0) {
        return why(err, "validUntil is not YYYY-MM-DDTHH:MM:SSZ");
    }
    return 0;
}

static void run_di_claims(vccheck_result *r, const json_t *p, status_entry *e)
{
    char err[ERRLEN];

    if (p == NULL) {
        not_checked(r, "claims", "format");
        return;
    }
    if (check_shape(p, err) != 0 || check_di_dates(p, err) != 0 || check_entry(p, e, err) != 0) {
        add(r, "claims", false, "%s", err);
        return;
    }
    add(r, "claims", true, "claims agree with the credential");
}

static void run_claims(vccheck_result *r, const checked_token *t, status_entry *e)
{
    char err[ERRLEN];
    const json_t *p = t->p.payload;

    if (p == NULL) {
        not_checked(r, "claims", "format");
        return;
    }
    if (check_shape(p, err) != 0 || check_jwt_claims(p, err) != 0 || check_dates(p, err) != 0 ||
        check_entry(p, e, err) != 0) {
        add(r, "claims", false, "%s", err);
        return;
    }
    add(r, "claims", true, "claims agree with the credential");
}

/* ---- status -------------------------------------------------------------------- */

/* The status list credential sp fits entry e; *encoded its encodedList. */
static int check_list_shape(const json_t *sp, const status_entry *e, const char **encoded,
                            char *err)
{
    const json_t *cs = json_object_get(sp, "credentialSubject");

    if (!array_is_pair(json_object_get(sp, "type"), "VerifiableCredential",
                       "BitstringStatusListCredential")) {
        return why(err, "the status list's type is not "
                        "[VerifiableCredential, BitstringStatusListCredential]");
    }
    if (!str_member_is(sp, "id", e->url)) {
        return why(err, "the status list's id is not the entry's statusListCredential");
    }
    if (!str_member_is(cs, "type", "BitstringStatusList") ||
        !str_member_is(cs, "statusPurpose", "revocation")) {
        return why(err, "the status list is not a BitstringStatusList for revocation");
    }
    *encoded = str_member(cs, "encodedList");
    if (*encoded == NULL) {
        return why(err, "the status list has no encodedList");
    }
    return 0;
}

static void read_bit(vccheck_result *r, const json_t *sp, const status_entry *e)
{
    char err[ERRLEN];
    const char *encoded = NULL;
    unsigned char *bits = NULL;
    size_t n = 0;
    int bit;

    if (check_list_shape(sp, e, &encoded, err) != 0) {
        add(r, "status", false, "%s", err);
        return;
    }
    if (statuslist_decode(encoded, &bits, &n) != 0) {
        add(r, "status", false, "the encodedList is not u + base64url of gzip");
        return;
    }
    bit = n < STATUSLIST_BYTES ? -2 : statuslist_get(bits, n, (size_t)e->index);
    if (bit == -2) {
        add(r, "status", false, "the status list is shorter than %d bits", STATUSLIST_BITS);
    } else if (bit < 0) {
        add(r, "status", false, "statusListIndex is past the end of the status list");
    } else if (bit == 0) {
        r->status = VCCHECK_STATUS_VALID;
        add(r, "status", true, "bit %" PRIu64 " is 0: not revoked", e->index);
    } else {
        r->status = VCCHECK_STATUS_REVOKED;
        add(r, "status", false, "revoked: bit %" PRIu64 " is set", e->index);
    }
    free(bits);
}

/* The status check: the status list (a JWS token, or a Data Integrity
 * document when it is JSON) through the same steps as the credential, then
 * the credential's bit in it. */
static void run_status(vccheck_result *r, const step_args *a, const status_entry *e)
{
    checked_token st;
    checked_doc sd;
    step_subject x = {.t = &st, .d = &sd};
    bool di;

    if (a->token == NULL) {
        add(r, "status", true, "not checked offline");
        return;
    }
    di = is_json_doc(a->token);
    memset(&st, 0, sizeof st);
    memset(&sd, 0, sizeof sd);
    if (run_status_steps(r, di ? di_steps : steps,
                         di ? SINAU_ARRAY_LEN(di_steps) : SINAU_ARRAY_LEN(steps), &x, a,
                         di ? "status list proof verifies with the same key set"
                            : "status list token verifies with the same key set") != 0) {
        not_checked(r, "status", "status_signature");
    } else if (!e->ok) {
        not_checked(r, "status", "claims");
    } else {
        read_bit(r, di ? sd.doc : st.p.payload, e);
    }
    json_decref(sd.doc);
    jws_parsed_clear(&st.p);
}

/* ---- public ------------------------------------------------------------------------ */

static void finish_result(vccheck_result *r)
{
    r->valid = true;
    for (size_t i = 0; i < r->nchecks; i++) {
        r->valid = r->valid && r->checks[i].ok;
    }
}

/* vccheck_run for a credential with a Data Integrity proof. */
static vccheck_result *run_di(const char *text, const json_t *jwks, const char *origin,
                              const char *status_text)
{
    vccheck_result *r = xcalloc(1, sizeof *r);
    step_args args = {text + strspn(text, " \t\r\n"), DIPROOF_MAX_DOC, jwks, origin};
    step_args status_args = {status_text, VCCHECK_MAX_STATUS_TOKEN, jwks, origin};
    checked_doc d;
    status_entry entry;
    bool signed_ok;

    memset(&d, 0, sizeof d);
    memset(&entry, 0, sizeof entry);
    signed_ok = run_credential(r, di_steps, SINAU_ARRAY_LEN(di_steps), &(step_subject){.d = &d},
                               &args) == SINAU_ARRAY_LEN(di_steps);
    run_di_claims(r, d.doc, &entry);
    run_status(r, &status_args, &entry); /* entry borrows from d.doc: free after */
    finish_result(r);
    if (signed_ok) {
        r->payload = json_incref(d.doc);
    }
    json_decref(d.doc);
    return r;
}

vccheck_result *vccheck_run(const char *token, const json_t *jwks, const char *origin,
                            const char *status_token)
{
    vccheck_result *r;
    step_args cred_args = {token, JWS_MAX_TOKEN, jwks, origin};
    step_args status_args = {status_token, VCCHECK_MAX_STATUS_TOKEN, jwks, origin};
    checked_token cred;
    status_entry entry;
    bool signed_ok;

    if (is_json_doc(token)) {
        return run_di(token, jwks, origin, status_token);
    }
    r = xcalloc(1, sizeof *r);
    memset(&cred, 0, sizeof cred);
    memset(&entry, 0, sizeof entry);
    signed_ok = run_credential(r, steps, SINAU_ARRAY_LEN(steps), &(step_subject){.t = &cred},
                               &cred_args) == SINAU_ARRAY_LEN(steps);
    run_claims(r, &cred, &entry);
    run_status(r, &status_args, &entry); /* entry borrows from cred: clear after */
    finish_result(r);
    if (signed_ok) {
        r->payload = json_incref(cred.p.payload);
    }
    jws_parsed_clear(&cred.p);
    return r;
}

/* The reason the stored pair disagrees, or NULL when it agrees. */
static const char *pair_problem(const json_t *payload, const json_t *di, const unsigned char *pk,
                                const char *origin, char *err)
{
    static const char *const jwt_claims[] = {"iss", "jti", "sub", "nbf", "iat", "exp"};
    char thumb[JWS_THUMBPRINT], *vm;
    json_t *a, *b;
    bool same;

    if (diproof_verify(di, pk, err, ERRLEN) != 0) {
        return err;
    }
    jws_thumbprint(pk, thumb);
    vm = diproof_vm_url(origin, thumb);
    same = str_member_is(json_object_get(di, "proof"), "verificationMethod", vm);
    free(vm);
    if (!same) {
        return "the proof's verification method is not the VC-JWT's key";
    }
    a = json_deep_copy(payload);
    b = json_deep_copy(di);
    for (size_t i = 0; i < SINAU_ARRAY_LEN(jwt_claims); i++) {
        json_object_del(a, jwt_claims[i]);
    }
    json_object_del(b, "proof");
    same = json_equal(a, b);
    json_decref(a);
    json_decref(b);
    return same ? NULL : "the Data Integrity credential does not say what the VC-JWT says";
}

void vccheck_add_data_integrity(vccheck_result *r, const char *di_json,
                                const unsigned char pk[JWS_PK_BYTES], const char *origin)
{
    char err[ERRLEN];
    const char *problem;
    json_t *di;

    if (r->payload == NULL) {
        not_checked(r, "data_integrity", "signature");
    } else if (di_json == NULL ||
               (di = json_loads(di_json, JSON_REJECT_DUPLICATES, NULL)) == NULL) {
        add(r, "data_integrity", false, "no Data Integrity credential stored");
    } else {
        problem = pair_problem(r->payload, di, pk, origin, err);
        json_decref(di);
        if (problem != NULL) {
            add(r, "data_integrity", false, "%s", problem);
        } else {
            add(r, "data_integrity", true, "the eddsa-rdfc-2022 proof verifies; same credential");
        }
    }
    finish_result(r);
}

void vccheck_result_free(vccheck_result *r)
{
    if (r == NULL) {
        return;
    }
    json_decref(r->payload);
    free(r);
}

static const char *const STATUS_NAMES[] = {
    [VCCHECK_STATUS_UNKNOWN] = "unknown",
    [VCCHECK_STATUS_VALID] = "valid",
    [VCCHECK_STATUS_REVOKED] = "revoked",
};

const char *vccheck_status_name(enum vccheck_status s)
{
    return NAMES_LOOKUP(STATUS_NAMES, s, "unknown");
}

const char *vccheck_verdict(const vccheck_result *r)
{
    if (r->valid) {
        return "valid";
    }
    if (r->status != VCCHECK_STATUS_REVOKED) {
        return "invalid";
    }
    for (size_t i = 0; i < r->nchecks; i++) {
        if (!r->checks[i].ok && strcmp(r->checks[i].name, "status") != 0) {
            return "invalid";
        }
    }
    return "revoked";
}

json_t *vccheck_result_json(const vccheck_result *r)
{
    json_t *checks = json_array();

    for (size_t i = 0; i < r->nchecks; i++) {
        const vccheck_item *c = &r->checks[i];
        json_array_append_new(checks, json_pack("{s:s, s:b, s:s}", "name", c->name, "ok", c->ok,
                                                "detail", c->detail));
    }
    return json_pack("{s:b, s:s, s:o}", "valid", r->valid, "status", vccheck_status_name(r->status),
                     "checks", checks);
}
