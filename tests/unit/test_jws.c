/* test_jws.c — compact JWS with Ed25519 (jws.h): strict base64url, the RFC
 * 7638 thumbprint against RFC 8037's vector, signing byte for byte as RFC
 * 8037 A.4 does with the RFC 8032 test 1 key, and a parser that refuses
 * anything but three base64url parts of which the first two are objects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/cert/jws.h"

/* RFC 8032 section 7.1 test 1, as RFC 8037 appendix A.1-A.3 uses it */
static const char rfc_seed_hex[] =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
static const char rfc_x[] = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
static const char rfc_thumbprint[] = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";
/* RFC 8037 appendix A.4: {"alg":"EdDSA"} over "Example of Ed25519 signing" */
static const char rfc_token[] =
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

static void rfc_keypair(unsigned char pk[JWS_PK_BYTES], unsigned char sk[JWS_SK_BYTES])
{
    unsigned char seed[crypto_sign_SEEDBYTES];

    assert_int_equal(
        sodium_hex2bin(seed, sizeof seed, rfc_seed_hex, strlen(rfc_seed_hex), NULL, NULL, NULL), 0);
    crypto_sign_seed_keypair(pk, sk, seed);
}

/* Decodes s and expects exactly want[0..wlen). */
static void expect_decodes(const char *s, const void *want, size_t wlen)
{
    unsigned char *out = NULL;
    size_t n = 99;

    assert_int_equal(jws_b64u_decode(s, strlen(s), &out, &n), 0);
    assert_int_equal(n, wlen);
    assert_memory_equal(out, want, wlen);
    assert_int_equal(out[n], 0); /* the extra NUL */
    free(out);
}

static void expect_refused(const char *s)
{
    unsigned char *out = (unsigned char *)"sentinel";
    size_t n = 99;

    assert_int_equal(jws_b64u_decode(s, strlen(s), &out, &n), -1);
    assert_null(out);
    assert_int_equal(n, 0);
}

static void b64u_known_values_without_padding(void **state)
{
    static const struct {
        const char *bin, *b64;
    } cases[] = {{"", ""},        {"f", "Zg"},        {"fo", "Zm8"},
                 {"foo", "Zm9v"}, {"foob", "Zm9vYg"}, {"\xfb\xff", "-_8"}};

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *e = jws_b64u_encode((const unsigned char *)cases[i].bin, strlen(cases[i].bin));
        assert_string_equal(e, cases[i].b64);
        expect_decodes(cases[i].b64, cases[i].bin, strlen(cases[i].bin));
        free(e);
    }
}

static void b64u_round_trips_every_length(void **state)
{
    unsigned char bin[200];

    randombytes_buf(bin, sizeof bin);
    for (size_t len = 0; len <= sizeof bin; len++) {
        char *e = jws_b64u_encode(bin, len);
        assert_int_equal(strlen(e), (len * 4 + 2) / 3);
        assert_int_equal(strcspn(e, "=+/ \n"), strlen(e));
        expect_decodes(e, bin, len);
        free(e);
    }
}

static void b64u_decode_is_strict(void **state)
{
    expect_refused("Zg==");       /* padding */
    expect_refused("Zg=");        /* padding */
    expect_refused("+/8");        /* standard alphabet */
    expect_refused("Zm9v Yg");    /* whitespace inside */
    expect_refused("Zm9v\n");     /* trailing newline */
    expect_refused(" Zm9v");      /* leading blank */
    expect_refused("Z");          /* a dangling character (length 1 mod 4) */
    expect_refused("Zm9vY");      /* the same after a full group */
    expect_refused("Zh");         /* non-zero unused bits: one encoding per value */
    expect_refused("Zm9");        /* same, for two bytes */
    expect_refused("Zm9v.");      /* a dot */
    expect_refused("Zm\xc3\xa9"); /* non-ASCII */
}

static void b64u_decode_stops_at_the_given_length(void **state)
{
    unsigned char *out = NULL;
    size_t n = 0;

    /* "Zm9v" then a NUL and more: only the first four count */
    assert_int_equal(jws_b64u_decode("Zm9vYg", 4, &out, &n), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(out, "foo", 3);
    free(out);
    assert_int_equal(jws_b64u_decode("Zm9v\0Yg", 7, &out, &n), -1);
    assert_null(out);
    assert_int_equal(jws_b64u_decode(NULL, 0, &out, &n), -1);
}

static void thumbprint_matches_rfc8037_appendix_a3(void **state)
{
    unsigned char *pk = NULL;
    size_t n = 0;
    char t[JWS_THUMBPRINT];

    assert_int_equal(jws_b64u_decode(rfc_x, strlen(rfc_x), &pk, &n), 0);
    assert_int_equal(n, JWS_PK_BYTES);
    jws_thumbprint(pk, t);
    assert_string_equal(t, rfc_thumbprint);
    free(pk);
}

static void thumbprint_differs_per_key(void **state)
{
    unsigned char pk1[JWS_PK_BYTES], pk2[JWS_PK_BYTES], sk[JWS_SK_BYTES];
    char t1[JWS_THUMBPRINT], t2[JWS_THUMBPRINT];

    crypto_sign_keypair(pk1, sk);
    crypto_sign_keypair(pk2, sk);
    jws_thumbprint(pk1, t1);
    jws_thumbprint(pk2, t2);
    assert_int_equal(strlen(t1), 43);
    assert_string_not_equal(t1, t2);
}

static void jwk_has_the_published_members(void **state)
{
    unsigned char pk[JWS_PK_BYTES], sk[JWS_SK_BYTES];
    const char *kty, *crv, *x, *kid, *use, *alg;
    json_t *jwk;

    rfc_keypair(pk, sk);
    jwk = jws_jwk(pk, "http://127.0.0.1:8080/keys/kPrK");
    assert_non_null(jwk);
    assert_int_equal(json_unpack(jwk, "{s:s, s:s, s:s, s:s, s:s, s:s !}", "kty", &kty, "crv", &crv,
                                 "x", &x, "kid", &kid, "use", &use, "alg", &alg),
                     0);
    assert_string_equal(kty, "OKP");
    assert_string_equal(crv, "Ed25519");
    assert_string_equal(x, rfc_x);
    assert_string_equal(kid, "http://127.0.0.1:8080/keys/kPrK");
    assert_string_equal(use, "sig");
    assert_string_equal(alg, "EdDSA");
    json_decref(jwk);
    assert_null(jws_jwk(pk, NULL));
    assert_null(jws_jwk(pk, "bad \xff utf-8"));
}

static void header_json_is_exact_and_refuses_odd_kids(void **state)
{
    char *h = jws_header_json("https://sinau.example/keys/abc");

    assert_string_equal(h, "{\"alg\":\"EdDSA\",\"kid\":\"https://sinau.example/keys/abc\","
                           "\"typ\":\"JWT\"}");
    free(h);
    assert_null(jws_header_json(NULL));
    assert_null(jws_header_json(""));
    assert_null(jws_header_json("a\"b"));
    assert_null(jws_header_json("a\\b"));
    assert_null(jws_header_json("a\nb"));
    assert_null(jws_header_json("a\xff"));
}

static void sign_matches_rfc8037_appendix_a4(void **state)
{
    unsigned char pk[JWS_PK_BYTES], sk[JWS_SK_BYTES];
    char *t;

    rfc_keypair(pk, sk);
    t = jws_sign("{\"alg\":\"EdDSA\"}", "Example of Ed25519 signing", sk);
    assert_string_equal(t, rfc_token);
    free(t);
    assert_null(jws_sign(NULL, "{}", sk));
    assert_null(jws_sign("{}", NULL, sk));
}

static void parse_and_verify_with_the_rfc_key(void **state)
{
    unsigned char pk[JWS_PK_BYTES], sk[JWS_SK_BYTES];
    jws_parsed p;
    char err[128];
    char *t;

    rfc_keypair(pk, sk);
    t = jws_sign("{\"alg\":\"EdDSA\",\"kid\":\"k\",\"typ\":\"JWT\"}", "{\"sub\":\"x\"}", sk);
    assert_int_equal(jws_parse(t, JWS_MAX_TOKEN, &p, err, sizeof err), 0);
    assert_string_equal(json_string_value(json_object_get(p.header, "kid")), "k");
    assert_string_equal(json_string_value(json_object_get(p.payload, "sub")), "x");
    assert_int_equal(p.signing_input_len, (size_t)(strrchr(t, '.') - t));
    assert_memory_equal(p.signing_input, t, p.signing_input_len);
    assert_int_equal(p.sig_len, JWS_SIG_BYTES);
    assert_true(jws_verify_sig(&p, pk));
    jws_parsed_clear(&p);
    free(t);
}

static void verify_fails_with_another_key(void **state)
{
    unsigned char pk[JWS_PK_BYTES], sk[JWS_SK_BYTES], pk2[JWS_PK_BYTES], sk2[JWS_SK_BYTES];
    jws_parsed p;
    char *t;

    crypto_sign_keypair(pk, sk);
    crypto_sign_keypair(pk2, sk2);
    t = jws_sign("{\"alg\":\"EdDSA\"}", "{\"a\":1}", sk);
    assert_int_equal(jws_parse(t, JWS_MAX_TOKEN, &p, NULL, 0), 0);
    assert_true(jws_verify_sig(&p, pk));
    assert_false(jws_verify_sig(&p, pk2));
    jws_parsed_clear(&p);
    free(t);
}

/* Every character replaced by another base64url character, in each of the
 * three parts: the token no longer parses, or no longer verifies. */
static void one_changed_character_anywhere_fails(void **state)
{
    unsigned char pk[JWS_PK_BYTES], sk[JWS_SK_BYTES];
    char *t;
    int parts_hit[3] = {0, 0, 0};

    crypto_sign_keypair(pk, sk);
    t = jws_sign("{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}", "{\"iss\":\"http://x/issuer\",\"n\":12}",
                 sk);
    for (size_t i = 0, part = 0; t[i] != '\0'; i++) {
        char saved = t[i];
        jws_parsed p;
        if (saved == '.') {
            part++;
            continue;
        }
        t[i] = saved == 'A' ? 'B' : 'A';
        if (jws_parse(t, JWS_MAX_TOKEN, &p, NULL, 0) == 0) {
            assert_false(jws_verify_sig(&p, pk));
            jws_parsed_clear(&p);
        }
        parts_hit[part]++;
        t[i] = saved;
    }
    assert_true(parts_hit[0] > 0 && parts_hit[1] > 0 && parts_hit[2] == 86);
    free(t);
}

static void expect_parse_refused(const char *token, size_t max)
{
    jws_parsed p;
    char err[128] = "";

    memset(&p, 0x5a, sizeof p); /* must be zeroed on failure, whatever it held */
    assert_int_equal(jws_parse(token, max, &p, err, sizeof err), -1);
    assert_null(p.header);
    assert_null(p.payload);
    assert_null(p.signing_input);
    assert_null(p.sig);
    assert_true(err[0] != '\0' || token == NULL);
}

/* b64u of a text, for building hostile tokens */
static char *b64(const char *s)
{
    return jws_b64u_encode((const unsigned char *)s, strlen(s));
}

static char *join3(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 3;
    char *t = malloc(n);

    snprintf(t, n, "%s.%s.%s", a, b, c);
    return t;
}

static void parse_refuses_malformed_tokens(void **state)
{
    static const char *const bad[] = {
        "",         ".",       "..",      "...",           "a.b",       "a.b.c",      "e30.e30",
        "e30.e30.", ".e30.AA", "e30..AA", "e30.e30.AA.AA", "e30.e30.A", "e30=.e30.AA"};
    /* header or payload that decode but are not JSON objects */
    static const char *const not_objects[] = {"[]",
                                              "\"s\"",
                                              "1",
                                              "null",
                                              "{",
                                              "{\"a\":1}x",
                                              "{\"a\":1,\"a\":2}",
                                              "{\"a\":\"\\u0000\"}",
                                              "{\"a\":\"\xff\"}",
                                              ""};
    char *ok = b64("{}");

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_parse_refused(bad[i], JWS_MAX_TOKEN);
    }
    expect_parse_refused(NULL, JWS_MAX_TOKEN);
    for (size_t i = 0; i < sizeof not_objects / sizeof not_objects[0]; i++) {
        char *x = b64(not_objects[i]);
        char *t1 = join3(x, ok, "AA");
        char *t2 = join3(ok, x, "AA");
        expect_parse_refused(t1, JWS_MAX_TOKEN);
        expect_parse_refused(t2, JWS_MAX_TOKEN);
        free(t1);
        free(t2);
        free(x);
    }
    free(ok);
}

static void parse_refuses_tokens_over_the_limit(void **state)
{
    char *ok = b64("{}");
    char *t = join3(ok, ok, "AA");
    size_t len = strlen(t);
    jws_parsed p;

    assert_int_equal(jws_parse(t, len, &p, NULL, 0), 0);
    jws_parsed_clear(&p);
    expect_parse_refused(t, len - 1);
    free(t);
    free(ok);
}

static void parse_refuses_deep_nesting_without_crashing(void **state)
{
    size_t depth = 40000;
    char *deep = malloc(depth + 1);
    char *h = b64("{}"), *d, *t;

    memset(deep, '[', depth);
    deep[depth] = '\0';
    d = b64(deep);
    t = join3(h, d, "AA");
    expect_parse_refused(t, SIZE_MAX - 1);
    free(t);
    free(d);
    free(h);
    free(deep);
}

static void parsed_clear_is_null_safe(void **state)
{
    jws_parsed p;

    memset(&p, 0, sizeof p);
    jws_parsed_clear(&p);
    jws_parsed_clear(NULL);
    assert_false(jws_verify_sig(&p, (const unsigned char *)"0123456789abcdef0123456789abcdef"));
}

static int init(void **state)
{
    return sodium_init() < 0 ? -1 : 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(b64u_known_values_without_padding),
        cmocka_unit_test(b64u_round_trips_every_length),
        cmocka_unit_test(b64u_decode_is_strict),
        cmocka_unit_test(b64u_decode_stops_at_the_given_length),
        cmocka_unit_test(thumbprint_matches_rfc8037_appendix_a3),
        cmocka_unit_test(thumbprint_differs_per_key),
        cmocka_unit_test(jwk_has_the_published_members),
        cmocka_unit_test(header_json_is_exact_and_refuses_odd_kids),
        cmocka_unit_test(sign_matches_rfc8037_appendix_a4),
        cmocka_unit_test(parse_and_verify_with_the_rfc_key),
        cmocka_unit_test(verify_fails_with_another_key),
        cmocka_unit_test(one_changed_character_anywhere_fails),
        cmocka_unit_test(parse_refuses_malformed_tokens),
        cmocka_unit_test(parse_refuses_tokens_over_the_limit),
        cmocka_unit_test(parse_refuses_deep_nesting_without_crashing),
        cmocka_unit_test(parsed_clear_is_null_safe),
    };

    return cmocka_run_group_tests(tests, init, NULL);
}
