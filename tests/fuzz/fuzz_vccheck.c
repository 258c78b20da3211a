/* fuzz_vccheck.c — libFuzzer driver for the credential verifier (vccheck.c,
 * with jws.c and statuslist.c): the bytes up to the first newline are the
 * token, the rest (if any) the status list token, checked against a fixed
 * key set. Any input must give a well-formed result, never a crash or leak.
 * The whole input also goes to statuslist_decode, which a status token can
 * only reach with a valid signature.
 *
 * The key is made from the seed bytes 0x5a x 32 on origin
 * http://127.0.0.1:8080, so the committed corpus can hold signed tokens. */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "sinau/cert/jws.h"
#include "sinau/cert/statuslist.h"
#include "sinau/cert/vccheck.h"

#define ORIGIN "http://127.0.0.1:8080"

static json_t *fixed_jwks(void)
{
    static json_t *jwks;
    unsigned char seed[crypto_sign_SEEDBYTES], pk[JWS_PK_BYTES], sk[JWS_SK_BYTES];
    char thumb[JWS_THUMBPRINT], kid[128];

    if (jwks != NULL) {
        return jwks;
    }
    CHECK(sodium_init() >= 0);
    memset(seed, 0x5a, sizeof seed);
    crypto_sign_seed_keypair(pk, sk, seed);
    jws_thumbprint(pk, thumb);
    memcpy(kid, ORIGIN "/keys/", sizeof ORIGIN "/keys/");
    memcpy(kid + sizeof ORIGIN "/keys/" - 1, thumb, sizeof thumb);
    jwks = json_pack("{s:[o]}", "keys", jws_jwk(pk, kid));
    CHECK(jwks != NULL);
    return jwks; /* kept for the whole run */
}

static void check_result(const vccheck_result *r)
{
    json_t *j = vccheck_result_json(r);
    bool all_ok = true, signature_ok = false;

    CHECK(r->nchecks >= 6 && r->nchecks <= VCCHECK_MAX_CHECKS);
    for (size_t i = 0; i < r->nchecks; i++) {
        CHECK(r->checks[i].name != NULL);
        CHECK(strlen(r->checks[i].detail) < VCCHECK_DETAIL);
        all_ok = all_ok && r->checks[i].ok;
        if (strcmp(r->checks[i].name, "signature") == 0) {
            signature_ok = r->checks[i].ok;
        }
    }
    CHECK(r->valid == all_ok);
    CHECK((r->payload != NULL) == signature_ok);
    CHECK(r->status != VCCHECK_STATUS_REVOKED || !r->valid);
    CHECK(j != NULL && json_array_size(json_object_get(j, "checks")) == r->nchecks);
    CHECK(vccheck_verdict(r) != NULL);
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    char *nl, *status = NULL;
    unsigned char *bits = NULL;
    size_t nbytes = 0;
    vccheck_result *r;

    memcpy(text, data, size);
    text[size] = '\0';
    if (statuslist_decode(text, &bits, &nbytes) == 0) {
        CHECK(nbytes > 0 && nbytes <= STATUSLIST_MAX_BYTES);
        free(bits);
    }
    nl = memchr(text, '\n', size);
    if (nl != NULL) {
        *nl = '\0';
        status = nl + 1;
    }
    r = vccheck_run(text, fixed_jwks(), ORIGIN, status);
    check_result(r);
    vccheck_result_free(r);
    free(text);
    return 0;
}
