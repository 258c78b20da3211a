/* test_vccheck.c — the credential verifier (vccheck.h): a credential built as
 * CERTIFICATES.md describes passes every check; for each check, crafted
 * tokens fail that check and no other (later checks that depend on it are
 * reported "not checked"); a changed character anywhere fails; the status
 * list bit flips the verdict; hostile input is refused without a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sinau/cert/jws.h"
#include "sinau/cert/statuslist.h"
#include "sinau/cert/vccheck.h"

#define ORIGIN     "http://127.0.0.1:8080"
#define CTX_VC     "https://www.w3.org/ns/credentials/v2"
#define CTX_OB     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
#define STATUS_URL ORIGIN "/status/1"
#define INDEX      4242

/* Two keys: A is published, B is not (unless a test adds it). */
typedef struct key {
    unsigned char pk[JWS_PK_BYTES], sk[JWS_SK_BYTES];
    char kid[128];
} key;

static key A, B;
static json_t *jwks; /* {"keys":[A]} */

static void make_key(key *k, unsigned char seed_byte)
{
    unsigned char seed[crypto_sign_SEEDBYTES];
    char t[JWS_THUMBPRINT];

    memset(seed, seed_byte, sizeof seed);
    crypto_sign_seed_keypair(k->pk, k->sk, seed);
    jws_thumbprint(k->pk, t);
    snprintf(k->kid, sizeof k->kid, "%s/keys/%s", ORIGIN, t);
}

static int init(void **state)
{
    if (sodium_init() < 0) {
        return -1;
    }
    make_key(&A, 1);
    make_key(&B, 2);
    jwks = json_pack("{s:[o]}", "keys", jws_jwk(A.pk, A.kid));
    return jwks == NULL ? -1 : 0;
}

static int done(void **state)
{
    json_decref(jwks);
    return 0;
}

/* ---- building tokens ----------------------------------------------------------- */

static json_t *header_for(const char *kid)
{
    return json_pack("{s:s, s:s, s:s}", "alg", "EdDSA", "kid", kid, "typ", "JWT");
}

/* The credential of CERTIFICATES.md, valid from 2026-11-29T08:00:00Z
 * (1795939200, `date -u -d ... +%s`). */
static const char good_json[] =
    "{\"@context\":[\"" CTX_VC "\",\"" CTX_OB "\"],"
    "\"id\":\"" ORIGIN "/credentials/0123456789abcdefghjkmnpqrs\","
    "\"type\":[\"VerifiableCredential\",\"OpenBadgeCredential\"],"
    "\"issuer\":{\"id\":\"" ORIGIN "/issuer\",\"type\":[\"Profile\"],\"name\":\"Sinau\","
    "\"url\":\"" ORIGIN "\"},"
    "\"validFrom\":\"2026-11-29T08:00:00Z\",\"awardedDate\":\"2026-11-29T08:00:00Z\","
    "\"name\":\"Sertifikat: Sinau TikTok & YouTube \u2014 Angkatan 1\","
    "\"credentialSubject\":{\"id\":\"urn:uuid:5f0c6c1e-8a43-4c1b-9d1e-1f2a3b4c5d6e\","
    "\"type\":[\"AchievementSubject\"],"
    "\"identifier\":[{\"type\":\"IdentityObject\",\"identityType\":\"name\","
    "\"hashed\":false,\"identityHash\":\"Siti Rahma\"},"
    "{\"type\":\"IdentityObject\",\"identityType\":\"emailAddress\",\"hashed\":true,"
    "\"identityHash\":\"sha256$00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\","
    "\"salt\":\"c2FsdA\"}],"
    "\"achievement\":{\"id\":\"" ORIGIN "/achievements/tiktok-youtube-v1\","
    "\"type\":[\"Achievement\"],\"achievementType\":\"Certificate\","
    "\"name\":\"Sinau TikTok & YouTube\",\"description\":\"Kelas daring\","
    "\"criteria\":{\"narrative\":\"Hadir 80%, 32 JP\"}}},"
    "\"credentialStatus\":{\"id\":\"" STATUS_URL "#4242\","
    "\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"revocation\","
    "\"statusListIndex\":\"4242\",\"statusListCredential\":\"" STATUS_URL "\"},"
    "\"iss\":\"" ORIGIN "/issuer\","
    "\"jti\":\"" ORIGIN "/credentials/0123456789abcdefghjkmnpqrs\","
    "\"sub\":\"urn:uuid:5f0c6c1e-8a43-4c1b-9d1e-1f2a3b4c5d6e\","
    "\"nbf\":1795939200,\"iat\":1795939200}";

static json_t *good_payload(void)
{
    json_error_t e;
    json_t *p = json_loads(good_json, JSON_REJECT_DUPLICATES, &e);

    if (p == NULL) {
        fail_msg("good_json: %s", e.text);
    }
    return p;
}

/* Signs header and payload (both taken) with sk. */
static char *sign_new(json_t *header, json_t *payload, const unsigned char *sk)
{
    char *h = json_dumps(header, JSON_COMPACT);
    char *p = json_dumps(payload, JSON_COMPACT);
    char *t = jws_sign(h, p, sk);

    free(h);
    free(p);
    json_decref(header);
    json_decref(payload);
    return t;
}

static char *good_token(void)
{
    return sign_new(header_for(A.kid), good_payload(), A.sk);
}

/* A status list credential whose list has the given bits set (-1 ends). */
static json_t *status_payload(const int *set, size_t nbytes)
{
    unsigned char *bits = calloc(1, nbytes);
    char *enc;
    json_t *p;

    for (; *set >= 0; set++) {
        assert_int_equal(statuslist_set(bits, nbytes, (size_t)*set, true), 0);
    }
    enc = statuslist_encode(bits, nbytes);
    p = json_pack("{s:[s], s:s, s:[s,s], s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:s, s:s}", "@context",
                  CTX_VC, "id", STATUS_URL, "type", "VerifiableCredential",
                  "BitstringStatusListCredential", "issuer", ORIGIN "/issuer", "validFrom",
                  "2026-11-29T08:00:00Z", "credentialSubject", "id", STATUS_URL "#list", "type",
                  "BitstringStatusList", "statusPurpose", "revocation", "encodedList", enc, "iss",
                  ORIGIN "/issuer", "jti", STATUS_URL);
    free(enc);
    free(bits);
    return p;
}

static char *status_token(const int *set)
{
    return sign_new(header_for(A.kid), status_payload(set, STATUSLIST_BYTES), A.sk);
}

static const int none_set[] = {-1};
static const int index_set[] = {1, INDEX, 9000, -1};
static const int neighbours_set[] = {INDEX - 1, INDEX + 1, -1};

/* ---- looking at results --------------------------------------------------------- */

static const vccheck_item *find(const vccheck_result *r, const char *name)
{
    for (size_t i = 0; i < r->nchecks; i++) {
        if (strcmp(r->checks[i].name, name) == 0) {
            return &r->checks[i];
        }
    }
    fail_msg("no check named %s", name);
    return NULL;
}

/* Every check passed, with the given names in this order. */
static void expect_all_ok(const vccheck_result *r, const char *const *names, size_t n)
{
    assert_true(r->valid);
    assert_int_equal(r->nchecks, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(r->checks[i].name, names[i]);
        if (!r->checks[i].ok) {
            fail_msg("%s: %s", r->checks[i].name, r->checks[i].detail);
        }
    }
    assert_string_equal(vccheck_verdict(r), "valid");
}

/* The check `name` failed with a reason containing `why`, and every other
 * failed check is one that could not run because `name` failed. */
static void expect_only(const vccheck_result *r, const char *name, const char *why)
{
    char skipped[64];
    const vccheck_item *c = find(r, name);

    snprintf(skipped, sizeof skipped, "not checked: %s failed", name);
    assert_false(r->valid);
    /* the payload is handed out exactly when the signature verified */
    assert_int_equal(r->payload != NULL, find(r, "signature")->ok);
    if (c->ok || strstr(c->detail, why) == NULL) {
        fail_msg("%s: ok=%d detail \"%s\", expected \"%s\"", name, c->ok, c->detail, why);
    }
    for (size_t i = 0; i < r->nchecks; i++) {
        const vccheck_item *o = &r->checks[i];
        if (o != c && !o->ok && strcmp(o->detail, skipped) != 0) {
            fail_msg("also failed: %s: %s", o->name, o->detail);
        }
    }
    if (r->status != VCCHECK_STATUS_REVOKED) {
        assert_string_equal(vccheck_verdict(r), "invalid");
    }
}

/* Runs the verifier on a token built from header and payload (taken),
 * signed by k, and expects `name` alone to fail with `why`. */
static void expect_token_fails(json_t *header, json_t *payload, const key *k, const char *name,
                               const char *why)
{
    char *t = sign_new(header, payload, k->sk);
    vccheck_result *r = vccheck_run(t, jwks, ORIGIN, NULL);

    expect_only(r, name, why);
    vccheck_result_free(r);
    free(t);
}

/* The good credential with one payload member replaced (value taken; NULL
 * deletes it) must fail claims with `why`. */
static void expect_claim_fails(const char *member, json_t *value, const char *why)
{
    json_t *p = good_payload();

    if (value == NULL) {
        json_object_del(p, member);
    } else {
        json_object_set_new(p, member, value);
    }
    expect_token_fails(header_for(A.kid), p, &A, "claims", why);
}

/* Same, for a member of credentialStatus. */
static void expect_entry_fails(const char *member, json_t *value, const char *why)
{
    json_t *p = good_payload();
    json_t *cs = json_object_get(p, "credentialStatus");

    if (value == NULL) {
        json_object_del(cs, member);
    } else {
        json_object_set_new(cs, member, value);
    }
    expect_token_fails(header_for(A.kid), p, &A, "claims", why);
}

/* ---- a good credential ------------------------------------------------------------ */

static const char *const offline_names[] = {"format",    "header", "key",
                                            "signature", "claims", "status"};
static const char *const online_names[] = {"format", "header",           "key",   "signature",
                                           "claims", "status_signature", "status"};

static void good_credential_passes_offline(void **state)
{
    char *t = good_token();
    vccheck_result *r = vccheck_run(t, jwks, ORIGIN, NULL);

    expect_all_ok(r, offline_names, 6);
    assert_int_equal(r->status, VCCHECK_STATUS_UNKNOWN);
    assert_string_equal(find(r, "status")->detail, "not checked offline");
    assert_non_null(r->payload);
    assert_string_equal(json_string_value(json_object_get(r->payload, "iss")), ORIGIN "/issuer");
    vccheck_result_free(r);
    free(t);
}

static void good_credential_with_a_clear_bit_is_valid(void **state)
{
    char *t = good_token(), *s = status_token(neighbours_set);
    vccheck_result *r = vccheck_run(t, jwks, ORIGIN, s);

    expect_all_ok(r, online_names, 7);
    assert_int_equal(r->status, VCCHECK_STATUS_VALID);
    vccheck_result_free(r);
    free(s);
    free(t);
}

static void set_bit_makes_it_revoked(void **state)
{
    char *t = good_token(), *s = status_token(index_set);
    vccheck_result *r = vccheck_run(t, jwks, ORIGIN, s);

    expect_only(r, "status", "revoked");
    assert_int_equal(r->status, VCCHECK_STATUS_REVOKED);
    assert_string_equal(vccheck_verdict(r), "revoked");
    assert_non_null(r->payload); /* signed: shown with the revocation */
    vccheck_result_free(r);
    free(s);
    free(t);
}

static void trailing_slash_on_origin_is_ignored(void **state)
{
    char *t = good_token();
    vccheck_result *r = vccheck_run(t, jwks, ORIGIN "/", NULL);

    expect_all_ok(r, offline_names, 6);
    vccheck_result_free(r);
    free(t);
}

static void valid_until_with_matching_exp_passes(void **state)
{
    json_t *p = good_payload();
    char *t;
    vccheck_result *r;

    json_object_set_new(p, "validUntil", json_string("2028-02-29T23:59:59Z"));
    json_object_set_new(p, "exp", json_integer(1835481599)); /* date -d ... +%s */
    t = sign_new(header_for(A.kid), p, A.sk);
    r = vccheck_run(t, jwks, ORIGIN, NULL);
    expect_all_ok(r, offline_names, 6);
    vccheck_result_free(r);
    free(t);
}

/* nbf agrees with validFrom for dates the C library converts (timegm). */
static void nbf_matches_valid_from_on_many_dates(void **state)
{
    static const char *const dates[] = {"1970-01-01T00:00:00Z", "2000-02-29T12:34:56Z",
                                        "2024-12-31T23:59:59Z", "2026-03-01T00:00:00Z",
                                        "2100-02-28T01:02:03Z", "9999-12-31T23:59:59Z"};

    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        struct tm tm;
        json_t *p = good_payload();
        char *t;
        vccheck_result *r;

        memset(&tm, 0, sizeof tm);
        assert_int_equal(sscanf(dates[i], "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                                &tm.tm_hour, &tm.tm_min, &tm.tm_sec),
                         6);
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        json_object_set_new(p, "validFrom", json_string(dates[i]));
        json_object_set_new(p, "nbf", json_integer((json_int_t)timegm(&tm)));
        t = sign_new(header_for(A.kid), p, A.sk);
        r = vccheck_run(t, jwks, ORIGIN, NULL);
        if (!r->valid) {
            fail_msg("%s: %s", dates[i], find(r, "claims")->detail);
        }
        vccheck_result_free(r);
        free(t);
    }
}

/* ---- format ----------------------------------------------------------------------- */

static void expect_format_fails(const char *token)
{
    vccheck_result *r = vccheck_run(token, jwks, ORIGIN, NULL);

    expect_only(r, "format", "");
    assert_int_equal(r->nchecks, 6);
    assert_string_equal(find(r, "claims")->detail, "not checked: format failed");
    vccheck_result_free(r);
}

static void format_refuses_what_is_not_three_parts(void **state)
{
    char *t = good_token();
    char *four = malloc(strlen(t) + 4);

    snprintf(four, strlen(t) + 4, "%s.AA", t);
    expect_format_fails(NULL);
    expect_format_fails("");
    expect_format_fails(".");
    expect_format_fails("..");
    expect_format_fails("...");
    expect_format_fails("not a token");
    expect_format_fails(four);
    *strrchr(t, '.') = '\0'; /* two parts */
    expect_format_fails(t);
    free(four);
    free(t);
}

static void format_refuses_what_is_not_json_objects(void **state)
{
    static const char *const bodies[] = {"[1,2]", "\"str\"", "null", "42", "not json", "{\"a\":"};

    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        char *t = jws_sign("{\"alg\":\"EdDSA\"}", bodies[i], A.sk);
        char *u = jws_sign(bodies[i], "{}", A.sk);
        expect_format_fails(t);
        expect_format_fails(u);
        free(t);
        free(u);
    }
}

static void format_refuses_huge_tokens(void **state)
{
    size_t n = JWS_MAX_TOKEN + 10;
    char *huge = malloc(n + 1);
    json_t *p = good_payload();
    char *pad = malloc(JWS_MAX_TOKEN);
    char *t;

    memset(huge, 'A', n);
    huge[100] = '.';
    huge[200] = '.';
    huge[n] = '\0';
    expect_format_fails(huge);
    /* a well-formed, correctly signed token just over the limit */
    memset(pad, 'x', JWS_MAX_TOKEN - 1);
    pad[JWS_MAX_TOKEN - 1] = '\0';
    json_object_set_new(p, "description", json_string(pad));
    t = sign_new(header_for(A.kid), p, A.sk);
    assert_true(strlen(t) > JWS_MAX_TOKEN);
    expect_format_fails(t);
    free(t);
    free(pad);
    free(huge);
}

/* ---- header ------------------------------------------------------------------------ */

static void expect_header_fails(json_t *header, const char *why)
{
    expect_token_fails(header, good_payload(), &A, "header", why);
}

static void header_refuses_other_algorithms(void **state)
{
    json_t *h = header_for(A.kid);
    char *t;
    vccheck_result *r;

    json_object_set_new(h, "alg", json_string("none"));
    expect_header_fails(json_deep_copy(h), "alg none");
    json_object_set_new(h, "alg", json_string("HS256"));
    expect_header_fails(json_deep_copy(h), "HMAC");
    json_object_set_new(h, "alg", json_string("HS512"));
    expect_header_fails(json_deep_copy(h), "HMAC");
    json_object_set_new(h, "alg", json_string("ES256"));
    expect_header_fails(json_deep_copy(h), "not EdDSA");
    json_object_set_new(h, "alg", json_string("eddsa"));
    expect_header_fails(json_deep_copy(h), "not EdDSA");
    json_object_set_new(h, "alg", json_integer(1));
    expect_header_fails(json_deep_copy(h), "no alg");
    json_object_del(h, "alg");
    expect_header_fails(json_deep_copy(h), "no alg");
    json_decref(h);
    /* the classic alg:none token: empty signature part is a format error */
    t = jws_sign("{\"alg\":\"none\"}", "{}", A.sk);
    *(strrchr(t, '.') + 1) = '\0';
    r = vccheck_run(t, jwks, ORIGIN, NULL);
    assert_false(r->valid);
    vccheck_result_free(r);
    free(t);
}

static void header_refuses_crit_typ_and_extra_members(void **state)
{
    json_t *h = header_for(A.kid);

    json_object_set_new(h, "crit", json_pack("[s]", "exp"));
    expect_header_fails(h, "crit");
    h = header_for(A.kid);
    json_object_set_new(h, "crit", json_array());
    expect_header_fails(h, "crit");
    h = header_for(A.kid);
    json_object_set_new(h, "typ", json_string("vc+jwt"));
    expect_header_fails(h, "typ");
    h = header_for(A.kid);
    json_object_del(h, "typ");
    expect_header_fails(h, "typ");
    h = header_for(A.kid);
    json_object_set_new(h, "jwk", jws_jwk(B.pk, B.kid));
    expect_header_fails(h, "exactly alg, kid and typ");
    h = header_for(A.kid);
    json_object_del(h, "kid");
    expect_header_fails(h, "exactly alg, kid and typ");
}

static void header_refuses_kids_off_our_origin(void **state)
{
    char kid[256];
    const char *thumb = strrchr(A.kid, '/') + 1;
    /* kid = before + thumbprint + after */
    static const struct {
        const char *before, *after;
    } forms[] = {
        {"http://evil.example/keys/", ""},     {"http://127.0.0.1:8080.evil/keys/", ""},
        {"http://127.0.0.1:8080/keys/", "/"},  {"http://127.0.0.1:8080/keys/x/", ""},
        {"http://127.0.0.1:8080/key/", ""},    {"", ""},
        {"http://127.0.0.1:8080/keys/", "?x"}, {"http://127.0.0.1:8080/keys/", "A"},
        {"https://127.0.0.1:8080/keys/", ""},
    };

    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        snprintf(kid, sizeof kid, "%s%s%s", forms[i].before, thumb, forms[i].after);
        expect_header_fails(header_for(kid), "kid");
    }
    /* one character short */
    snprintf(kid, sizeof kid, "%s/keys/%.42s", ORIGIN, thumb);
    expect_header_fails(header_for(kid), "kid");
    expect_header_fails(json_pack("{s:s, s:i, s:s}", "alg", "EdDSA", "kid", 7, "typ", "JWT"),
                        "exactly alg, kid and typ");
}

static void header_refuses_any_kid_without_an_origin(void **state)
{
    char *t = good_token();
    vccheck_result *r = vccheck_run(t, jwks, NULL, NULL);
    vccheck_result *e = vccheck_run(t, jwks, "", NULL);

    expect_only(r, "header", "kid");
    expect_only(e, "header", "kid");
    vccheck_result_free(r);
    vccheck_result_free(e);
    free(t);
}

/* ---- key ---------------------------------------------------------------------------- */

/* Runs the good token (signed by signer, kid kid) against the key set. */
static void expect_key_fails(const json_t *set, const key *signer, const char *kid, const char *why)
{
    char *t = sign_new(header_for(kid), good_payload(), signer->sk);
    vccheck_result *r = vccheck_run(t, set, ORIGIN, NULL);

    expect_only(r, "key", why);
    assert_string_equal(find(r, "signature")->detail, "not checked: key failed");
    vccheck_result_free(r);
    free(t);
}

static void key_must_be_in_the_set_once(void **state)
{
    json_t *twice = json_pack("{s:[o,o]}", "keys", jws_jwk(A.pk, A.kid), jws_jwk(A.pk, A.kid));

    expect_key_fails(jwks, &B, B.kid, "no key with this kid");
    expect_key_fails(twice, &A, A.kid, "more than one key");
    json_decref(twice);
}

static void key_must_be_okp_ed25519_with_32_bytes(void **state)
{
    static const struct {
        const char *member, *value, *why;
    } bad[] = {
        {"kty", "EC", "OKP/Ed25519"},
        {"crv", "Ed448", "OKP/Ed25519"},
        {"crv", "X25519", "OKP/Ed25519"},
        {"x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHUR", "32 bytes"},
        {"x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo=", "32 bytes"},
        {"x", "AAAA", "32 bytes"},
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *k = jws_jwk(A.pk, A.kid);
        json_t *set;
        json_object_set_new(k, bad[i].member, json_string(bad[i].value));
        set = json_pack("{s:[o]}", "keys", k);
        expect_key_fails(set, &A, A.kid, bad[i].why);
        json_decref(set);
    }
}

static void key_thumbprint_must_match_its_kid(void **state)
{
    /* B's key published under A's kid: the token names A's kid, is signed by
     * B, and would verify if the thumbprint were not checked */
    json_t *set = json_pack("{s:[o]}", "keys", jws_jwk(B.pk, A.kid));

    expect_key_fails(set, &B, A.kid, "thumbprint");
    json_decref(set);
}

static void key_set_malformed_is_refused(void **state)
{
    json_t *no_keys = json_object();
    json_t *keys_obj = json_pack("{s:{}}", "keys");
    json_t *odd_items = json_pack("{s:[i, s, [], {s:i}]}", "keys", 1, "x", "kid", 3);
    json_t *arr = json_array();

    expect_key_fails(NULL, &A, A.kid, "no keys array");
    expect_key_fails(no_keys, &A, A.kid, "no keys array");
    expect_key_fails(keys_obj, &A, A.kid, "no keys array");
    expect_key_fails(arr, &A, A.kid, "no keys array");
    expect_key_fails(odd_items, &A, A.kid, "no key with this kid");
    json_decref(no_keys);
    json_decref(keys_obj);
    json_decref(odd_items);
    json_decref(arr);
}

static void other_keys_in_the_set_are_fine(void **state)
{
    json_t *set = json_pack("{s:[o,o]}", "keys", jws_jwk(B.pk, B.kid), jws_jwk(A.pk, A.kid));
    char *t = good_token();
    char *u = sign_new(header_for(B.kid), good_payload(), B.sk);
    vccheck_result *r = vccheck_run(t, set, ORIGIN, NULL);
    vccheck_result *s = vccheck_run(u, set, ORIGIN, NULL);

    expect_all_ok(r, offline_names, 6);
    expect_all_ok(s, offline_names, 6);
    vccheck_result_free(r);
    vccheck_result_free(s);
    json_decref(set);
    free(u);
    free(t);
}

/* ---- signature ---------------------------------------------------------------------- */

static void signature_by_another_key_fails(void **state)
{
    expect_token_fails(header_for(A.kid), good_payload(), &B, "signature", "does not verify");
}

static void signature_of_the_wrong_length_fails(void **state)
{
    char *t = good_token();
    char *cut = strrchr(t, '.') + 1;
    vccheck_result *r;

    cut[84] = '\0'; /* 84 characters: a 63-byte signature */
    r = vccheck_run(t, jwks, ORIGIN, NULL);
    expect_only(r, "signature", "does not verify");
    vccheck_result_free(r);
    free(t);
}

/* Every character of the token replaced by another base64url character: the
 * credential is never valid, and each of the three parts was hit. */
static void one_changed_character_anywhere_fails(void **state)
{
    char *t = good_token();
    size_t hit[3] = {0, 0, 0}, part = 0;

    for (size_t i = 0; t[i] != '\0'; i++) {
        char saved = t[i];
        vccheck_result *r;
        if (saved == '.') {
            part++;
            continue;
        }
        t[i] = saved == 'A' ? 'B' : 'A';
        r = vccheck_run(t, jwks, ORIGIN, NULL);
        if (r->valid || r->payload != NULL) {
            fail_msg("still valid after changing character %zu (part %zu)", i, part + 1);
        }
        vccheck_result_free(r);
        hit[part]++;
        t[i] = saved;
    }
    assert_true(hit[0] > 40 && hit[1] > 400 && hit[2] == 86);
    free(t);
}

/* ---- claims ---------------------------------------------------------------------------- */

static void claims_refuse_a_vc_wrapper(void **state)
{
    expect_claim_fails("vc", json_pack("{s:s}", "type", "VerifiableCredential"), "vc claim");
}

static void claims_need_the_two_contexts_in_order(void **state)
{
    expect_claim_fails("@context", json_pack("[s,s]", CTX_OB, CTX_VC), "@context");
    expect_claim_fails("@context", json_pack("[s]", CTX_VC), "@context");
    expect_claim_fails("@context", json_pack("[s,s,s]", CTX_VC, CTX_OB, "https://x/ctx"),
                       "@context");
    expect_claim_fails("@context", json_string(CTX_VC), "@context");
    expect_claim_fails("@context", NULL, "@context");
}

static void claims_need_both_types(void **state)
{
    expect_claim_fails("type", json_pack("[s]", "VerifiableCredential"), "type");
    expect_claim_fails("type", json_pack("[s]", "OpenBadgeCredential"), "type");
    expect_claim_fails("type", json_string("VerifiableCredential"), "type");
    expect_claim_fails("type", NULL, "type");
}

static void claims_iss_jti_sub_must_agree(void **state)
{
    expect_claim_fails("iss", json_string(ORIGIN "/issuer2"), "iss differs from issuer.id");
    expect_claim_fails("iss", NULL, "iss differs from issuer.id");
    expect_claim_fails("issuer", json_string(ORIGIN "/issuer"), "iss differs from issuer.id");
    expect_claim_fails("jti", json_string(ORIGIN "/credentials/other"), "jti differs from id");
    expect_claim_fails("id", NULL, "jti differs from id");
    expect_claim_fails("sub", json_string("urn:uuid:other"), "sub differs");
    expect_claim_fails("sub", json_integer(1), "sub differs");
    expect_claim_fails("credentialSubject", json_object(), "sub differs");
}

static void claims_nbf_must_be_valid_from(void **state)
{
    expect_claim_fails("nbf", json_integer(1795939201), "nbf differs from validFrom");
    expect_claim_fails("nbf", json_real(1795939200.0), "nbf differs from validFrom");
    expect_claim_fails("nbf", json_string("1795939200"), "nbf differs from validFrom");
    expect_claim_fails("nbf", NULL, "nbf differs from validFrom");
    expect_claim_fails("validFrom", json_string("2026-11-29T08:00:00.000Z"), "validFrom is not");
    expect_claim_fails("validFrom", json_string("2026-11-29T08:00:00+00:00"), "validFrom is not");
    expect_claim_fails("validFrom", json_string("2026-11-29 08:00:00Z"), "validFrom is not");
    expect_claim_fails("validFrom", json_string("2026-02-29T08:00:00Z"), "validFrom is not");
    expect_claim_fails("validFrom", json_string("2026-13-01T08:00:00Z"), "validFrom is not");
    expect_claim_fails("validFrom", json_string("2026-11-29T24:00:00Z"), "validFrom is not");
    expect_claim_fails("validFrom", json_string("2026-11-29T08:00:60Z"), "validFrom is not");
    expect_claim_fails("validFrom", json_string("+026-11-29T08:00:00Z"), "validFrom is not");
    expect_claim_fails("validFrom", NULL, "validFrom is not");
}

static void claims_exp_must_be_valid_until(void **state)
{
    json_t *p = good_payload();

    /* exp without validUntil */
    json_object_set_new(p, "exp", json_integer(1895939200));
    expect_token_fails(header_for(A.kid), p, &A, "claims", "validUntil is not");
    /* validUntil without exp */
    p = good_payload();
    json_object_set_new(p, "validUntil", json_string("2030-01-01T00:00:00Z"));
    expect_token_fails(header_for(A.kid), p, &A, "claims", "exp differs from validUntil");
    /* both, disagreeing */
    p = good_payload();
    json_object_set_new(p, "validUntil", json_string("2030-01-01T00:00:00Z"));
    json_object_set_new(p, "exp", json_integer(1893456001));
    expect_token_fails(header_for(A.kid), p, &A, "claims", "exp differs from validUntil");
}

static void claims_need_a_revocation_status_entry(void **state)
{
    expect_claim_fails("credentialStatus", NULL, "no credentialStatus");
    expect_claim_fails("credentialStatus", json_string(STATUS_URL), "no credentialStatus");
    expect_entry_fails("type", json_string("StatusList2021Entry"), "BitstringStatusListEntry");
    expect_entry_fails("statusPurpose", json_string("suspension"), "revocation");
    expect_entry_fails("statusListIndex", json_integer(INDEX), "statusListIndex");
    expect_entry_fails("statusListIndex", json_string("-1"), "statusListIndex");
    expect_entry_fails("statusListIndex", json_string("04242"), "statusListIndex");
    expect_entry_fails("statusListIndex", json_string("42a"), "statusListIndex");
    expect_entry_fails("statusListIndex", json_string(""), "statusListIndex");
    expect_entry_fails("statusListIndex", json_string("99999999999"), "statusListIndex");
    expect_entry_fails("statusListIndex", json_string("134217728"), "statusListIndex");
    expect_entry_fails("statusListIndex", NULL, "statusListIndex");
    expect_entry_fails("statusListCredential", NULL, "statusListCredential");
    expect_entry_fails("statusListCredential", json_string(""), "statusListCredential");
}

static void claims_are_checked_even_when_the_signature_fails(void **state)
{
    json_t *p = good_payload();
    char *t;
    vccheck_result *r;

    json_object_set_new(p, "iss", json_string("http://evil.example/issuer"));
    t = sign_new(header_for(A.kid), p, B.sk);
    r = vccheck_run(t, jwks, ORIGIN, NULL);
    assert_false(find(r, "signature")->ok);
    assert_false(find(r, "claims")->ok);
    assert_null(r->payload);
    vccheck_result_free(r);
    free(t);
}

/* ---- status --------------------------------------------------------------------------- */

/* The good credential against status token s (taken): `name` alone fails. */
static void expect_status_fails(char *s, const char *name, const char *why)
{
    char *t = good_token();
    vccheck_result *r = vccheck_run(t, jwks, ORIGIN, s);

    expect_only(r, name, why);
    assert_int_equal(r->status, VCCHECK_STATUS_UNKNOWN);
    vccheck_result_free(r);
    free(t);
    free(s);
}

static void status_token_must_verify_with_the_same_keys(void **state)
{
    json_t *h = header_for(A.kid);

    expect_status_fails(
        sign_new(header_for(B.kid), status_payload(none_set, STATUSLIST_BYTES), B.sk),
        "status_signature", "key");
    expect_status_fails(
        sign_new(header_for(A.kid), status_payload(none_set, STATUSLIST_BYTES), B.sk),
        "status_signature", "signature");
    json_object_set_new(h, "alg", json_string("none"));
    expect_status_fails(sign_new(h, status_payload(none_set, STATUSLIST_BYTES), A.sk),
                        "status_signature", "alg none");
    expect_status_fails(strdup("garbage"), "status_signature", "format");
    expect_status_fails(strdup(""), "status_signature", "format");
}

/* The status list credential with one member replaced (value taken); in
 * credentialSubject when sub is true. */
static char *status_with(const char *member, json_t *value, bool sub)
{
    json_t *p = status_payload(none_set, STATUSLIST_BYTES);
    json_t *o = sub ? json_object_get(p, "credentialSubject") : p;

    if (value == NULL) {
        json_object_del(o, member);
    } else {
        json_object_set_new(o, member, value);
    }
    return sign_new(header_for(A.kid), p, A.sk);
}

static void status_list_must_fit_the_entry(void **state)
{
    expect_status_fails(
        status_with("type", json_pack("[s,s]", "VerifiableCredential", "OpenBadgeCredential"),
                    false),
        "status", "type");
    expect_status_fails(status_with("type",
                                    json_pack("[s,s,s]", "VerifiableCredential",
                                              "BitstringStatusListCredential", "Extra"),
                                    false),
                        "status", "type");
    expect_status_fails(status_with("id", json_string(ORIGIN "/status/2"), false), "status",
                        "statusListCredential");
    expect_status_fails(status_with("id", NULL, false), "status", "statusListCredential");
    expect_status_fails(status_with("statusPurpose", json_string("suspension"), true), "status",
                        "revocation");
    expect_status_fails(status_with("type", json_string("StatusList2021"), true), "status",
                        "BitstringStatusList");
    expect_status_fails(status_with("encodedList", NULL, true), "status", "no encodedList");
    expect_status_fails(status_with("encodedList", json_string("H4sIAAAA"), true), "status",
                        "gzip");
    expect_status_fails(status_with("encodedList", json_string("u!!"), true), "status", "gzip");
}

static void status_list_too_short_is_refused(void **state)
{
    expect_status_fails(sign_new(header_for(A.kid), status_payload(none_set, 100), A.sk), "status",
                        "shorter than 131072 bits");
}

static void status_index_past_the_end_is_refused(void **state)
{
    json_t *p = good_payload();
    json_t *cs = json_object_get(p, "credentialStatus");
    char *t, *s = status_token(none_set);
    vccheck_result *r;

    json_object_set_new(cs, "statusListIndex", json_string("131072"));
    t = sign_new(header_for(A.kid), p, A.sk);
    r = vccheck_run(t, jwks, ORIGIN, s);
    expect_only(r, "status", "past the end");
    vccheck_result_free(r);
    free(s);
    free(t);
}

static void status_is_not_read_without_a_usable_entry(void **state)
{
    json_t *p = good_payload();
    char *t, *s = status_token(index_set);
    vccheck_result *r;

    json_object_del(p, "credentialStatus");
    t = sign_new(header_for(A.kid), p, A.sk);
    r = vccheck_run(t, jwks, ORIGIN, s);
    assert_false(r->valid);
    assert_false(find(r, "claims")->ok);
    assert_true(find(r, "status_signature")->ok);
    assert_string_equal(find(r, "status")->detail, "not checked: claims failed");
    assert_int_equal(r->status, VCCHECK_STATUS_UNKNOWN);
    vccheck_result_free(r);
    free(s);
    free(t);
}

/* ---- the JSON answer and hostile input ------------------------------------------------ */

static void result_json_has_exactly_valid_status_checks(void **state)
{
    char *t = good_token(), *s = status_token(index_set);
    vccheck_result *r = vccheck_run(t, jwks, ORIGIN, s);
    json_t *j = vccheck_result_json(r);
    json_t *checks = NULL, *c;
    int valid = 1, ok = 0;
    const char *status = NULL, *name = NULL, *detail = NULL;
    size_t i;

    assert_int_equal(
        json_unpack(j, "{s:b, s:s, s:o !}", "valid", &valid, "status", &status, "checks", &checks),
        0);
    assert_false(valid);
    assert_string_equal(status, "revoked");
    assert_int_equal(json_array_size(checks), 7);
    json_array_foreach (checks, i, c) {
        assert_int_equal(
            json_unpack(c, "{s:s, s:b, s:s !}", "name", &name, "ok", &ok, "detail", &detail), 0);
        assert_string_equal(name, online_names[i]);
        assert_int_equal(ok, i < 6);
    }
    json_decref(j);
    vccheck_result_free(r);
    free(s);
    free(t);
}

static void hostile_inputs_are_refused_cleanly(void **state)
{
    static const char *const tokens[] = {
        "",
        ".",
        "..",
        "\xff\xfe.\xff.\xff",
        "eyJhbGciOiJFZERTQSJ9..",
        "W10.W10.AA",                     /* [] . [] */
        "e30.e30.AA",                     /* {} . {} */
        "eyJhIjoxLCJhIjoyfQ.e30.AA",      /* duplicate member */
        "eyJhbGciOiJFZERTQSJ9.bnVsbA.AA", /* null payload */
    };
    json_t *odd_sets[] = {NULL, json_array(), json_string("x"), json_pack("{s:n}", "keys")};

    for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++) {
        for (size_t k = 0; k < sizeof odd_sets / sizeof odd_sets[0]; k++) {
            vccheck_result *r = vccheck_run(tokens[i], odd_sets[k], ORIGIN, tokens[i]);
            json_t *j = vccheck_result_json(r);
            assert_false(r->valid);
            assert_null(r->payload);
            assert_non_null(j);
            assert_true(r->nchecks >= 6 && r->nchecks <= VCCHECK_MAX_CHECKS);
            json_decref(j);
            vccheck_result_free(r);
        }
    }
    for (size_t k = 0; k < sizeof odd_sets / sizeof odd_sets[0]; k++) {
        json_decref(odd_sets[k]);
    }
    vccheck_result_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_credential_passes_offline),
        cmocka_unit_test(good_credential_with_a_clear_bit_is_valid),
        cmocka_unit_test(set_bit_makes_it_revoked),
        cmocka_unit_test(trailing_slash_on_origin_is_ignored),
        cmocka_unit_test(valid_until_with_matching_exp_passes),
        cmocka_unit_test(nbf_matches_valid_from_on_many_dates),
        cmocka_unit_test(format_refuses_what_is_not_three_parts),
        cmocka_unit_test(format_refuses_what_is_not_json_objects),
        cmocka_unit_test(format_refuses_huge_tokens),
        cmocka_unit_test(header_refuses_other_algorithms),
        cmocka_unit_test(header_refuses_crit_typ_and_extra_members),
        cmocka_unit_test(header_refuses_kids_off_our_origin),
        cmocka_unit_test(header_refuses_any_kid_without_an_origin),
        cmocka_unit_test(key_must_be_in_the_set_once),
        cmocka_unit_test(key_must_be_okp_ed25519_with_32_bytes),
        cmocka_unit_test(key_thumbprint_must_match_its_kid),
        cmocka_unit_test(key_set_malformed_is_refused),
        cmocka_unit_test(other_keys_in_the_set_are_fine),
        cmocka_unit_test(signature_by_another_key_fails),
        cmocka_unit_test(signature_of_the_wrong_length_fails),
        cmocka_unit_test(one_changed_character_anywhere_fails),
        cmocka_unit_test(claims_refuse_a_vc_wrapper),
        cmocka_unit_test(claims_need_the_two_contexts_in_order),
        cmocka_unit_test(claims_need_both_types),
        cmocka_unit_test(claims_iss_jti_sub_must_agree),
        cmocka_unit_test(claims_nbf_must_be_valid_from),
        cmocka_unit_test(claims_exp_must_be_valid_until),
        cmocka_unit_test(claims_need_a_revocation_status_entry),
        cmocka_unit_test(claims_are_checked_even_when_the_signature_fails),
        cmocka_unit_test(status_token_must_verify_with_the_same_keys),
        cmocka_unit_test(status_list_must_fit_the_entry),
        cmocka_unit_test(status_list_too_short_is_refused),
        cmocka_unit_test(status_index_past_the_end_is_refused),
        cmocka_unit_test(status_is_not_read_without_a_usable_entry),
        cmocka_unit_test(result_json_has_exactly_valid_status_checks),
        cmocka_unit_test(hostile_inputs_are_refused_cleanly),
    };

    return cmocka_run_group_tests(tests, init, done);
}
