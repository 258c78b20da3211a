/* test_diproof.c — Data Integrity proofs (diproof.h, jsonld.h): base58btc
 * against known vectors, Multikey encoding, the canonical form of a proof
 * configuration as an independent JSON-LD processor gives it (jsonld.js
 * toRDF + rdf-canonize RDFC-1.0, computed once and pasted here), signing and
 * checking, and what must fail: a changed value, another key, a term or
 * context this server does not sign, a missing proof. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/cert/diproof.h"
#include "sinau/cert/jsonld.h"
#include "sinau/cert/rdfc.h"

static const char credential[] =
    "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\","
    "\"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json\"],"
    "\"id\":\"http://127.0.0.1:8080/credentials/abc\","
    "\"type\":[\"VerifiableCredential\",\"OpenBadgeCredential\"],"
    "\"issuer\":{\"id\":\"http://127.0.0.1:8080/issuer\",\"type\":[\"Profile\"],"
    "\"name\":\"Pemerintah Kota Malang\",\"url\":\"http://127.0.0.1:8080\"},"
    "\"validFrom\":\"2026-12-06T10:00:00Z\",\"awardedDate\":\"2026-12-06T10:00:00Z\","
    "\"name\":\"Sertifikat: Sinau\","
    "\"credentialSubject\":{\"id\":\"urn:uuid:0b7a0b6e-1111-4222-8333-444455556666\","
    "\"type\":[\"AchievementSubject\"],\"identifier\":[{\"type\":\"IdentityObject\","
    "\"identityHash\":\"Budi Santoso\",\"identityType\":\"name\",\"hashed\":false}],"
    "\"achievement\":{\"id\":\"http://127.0.0.1:8080/achievements/sinau-v1\","
    "\"type\":[\"Achievement\"],\"achievementType\":\"Certificate\",\"name\":\"Sinau\","
    "\"criteria\":{\"narrative\":\"12 JP.\"}}},"
    "\"credentialStatus\":{\"id\":\"http://127.0.0.1:8080/status/1#5\","
    "\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"revocation\","
    "\"statusListIndex\":\"5\",\"statusListCredential\":\"http://127.0.0.1:8080/status/1\"}}";

static void keypair(unsigned char pk[32], unsigned char sk[64], unsigned char fill)
{
    unsigned char seed[32];

    memset(seed, fill, sizeof seed);
    crypto_sign_seed_keypair(pk, sk, seed);
}

static void base58_vectors(void **state)
{
    static const unsigned char zeros[] = {0, 0, 1};
    unsigned char back[64];
    char *s = diproof_base58((const unsigned char *)"Hello World!", 12);

    assert_string_equal(s, "2NEpo7TZRRrLZSi2U");
    free(s);
    s = diproof_base58(zeros, sizeof zeros);
    assert_string_equal(s, "112");
    assert_int_equal(diproof_base58_decode(s, back, sizeof back), 3);
    assert_memory_equal(back, zeros, 3);
    free(s);
    assert_int_equal(diproof_base58_decode("2NEpo7TZRRrLZSi2U", back, sizeof back), 12);
    assert_memory_equal(back, "Hello World!", 12);
    assert_int_equal(diproof_base58_decode("0OIl", back, sizeof back), -1);
    assert_int_equal(diproof_base58_decode("2NEpo7TZRRrLZSi2U", back, 4), -1);
}

static void multikey_is_ed25519_multicodec(void **state)
{
    unsigned char pk[32], sk[64], raw[40];
    char mk[DIPROOF_MULTIKEY];

    keypair(pk, sk, 7);
    diproof_multikey(pk, mk);
    assert_memory_equal(mk, "z6Mk", 4); /* every Ed25519 Multikey starts so */
    assert_int_equal(diproof_base58_decode(mk + 1, raw, sizeof raw), 34);
    assert_int_equal(raw[0], 0xed);
    assert_int_equal(raw[1], 0x01);
    assert_memory_equal(raw + 2, pk, 32);
}

static void proof_configuration_canonical_form(void **state)
{
    json_t *cfg = json_loads("{\"@context\":[\"https://www.w3.org/ns/credentials/v2\","
                             "\"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json\"],"
                             "\"type\":\"DataIntegrityProof\",\"cryptosuite\":\"eddsa-rdfc-2022\","
                             "\"created\":\"2026-12-06T10:00:00Z\","
                             "\"verificationMethod\":\"http://127.0.0.1:8080/keys/abc/multikey\","
                             "\"proofPurpose\":\"assertionMethod\"}",
                             0, NULL);
    rdf_dataset *d = NULL;
    char err[160], *nq;

    assert_int_equal(jsonld_to_rdf(cfg, &d, err, sizeof err), 0);
    nq = rdfc_canonize(d);
    assert_string_equal(nq,
                        "_:c14n0 <http://purl.org/dc/terms/created> "
                        "\"2026-12-06T10:00:00Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n"
                        "_:c14n0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                        "<https://w3id.org/security#DataIntegrityProof> .\n"
                        "_:c14n0 <https://w3id.org/security#cryptosuite> "
                        "\"eddsa-rdfc-2022\"^^<https://w3id.org/security#cryptosuiteString> .\n"
                        "_:c14n0 <https://w3id.org/security#proofPurpose> "
                        "<https://w3id.org/security#assertionMethod> .\n"
                        "_:c14n0 <https://w3id.org/security#verificationMethod> "
                        "<http://127.0.0.1:8080/keys/abc/multikey> .\n");
    free(nq);
    rdf_dataset_free(d);
    json_decref(cfg);
}

/* The signed credential, parsed. */
static json_t *signed_doc(const unsigned char sk[64])
{
    json_t *doc = json_loads(credential, 0, NULL);
    char err[160], *text = diproof_sign(doc, sk, "http://127.0.0.1:8080/keys/t/multikey",
                                        1765015200, err, sizeof err);
    json_t *out;

    assert_non_null(text);
    out = json_loads(text, 0, NULL);
    free(text);
    json_decref(doc);
    return out;
}

static void sign_then_verify(void **state)
{
    unsigned char pk[32], sk[64], other_pk[32], other_sk[64];
    json_t *doc, *proof;
    char err[160];

    keypair(pk, sk, 1);
    keypair(other_pk, other_sk, 2);
    doc = signed_doc(sk);
    proof = json_object_get(doc, "proof");
    assert_string_equal(json_string_value(json_object_get(proof, "cryptosuite")),
                        "eddsa-rdfc-2022");
    assert_string_equal(json_string_value(json_object_get(proof, "created")),
                        "2025-12-06T10:00:00Z");
    assert_string_equal(diproof_vm_of(doc), "http://127.0.0.1:8080/keys/t/multikey");
    assert_int_equal(diproof_verify(doc, pk, err, sizeof err), 0);
    assert_int_equal(diproof_verify(doc, other_pk, err, sizeof err), -1);
    assert_string_equal(err, "the signature does not verify");
    json_decref(doc);
}

static void changes_fail(void **state)
{
    unsigned char pk[32], sk[64];
    char err[160];
    json_t *doc;

    keypair(pk, sk, 3);
    doc = signed_doc(sk);
    json_object_set_new(doc, "name", json_string("Sertifikat: Sinou"));
    assert_int_equal(diproof_verify(doc, pk, err, sizeof err), -1);
    json_decref(doc);

    doc = signed_doc(sk);
    json_object_set_new(json_object_get(doc, "proof"), "created",
                        json_string("2025-12-06T10:00:01Z"));
    assert_int_equal(diproof_verify(doc, pk, err, sizeof err), -1);
    json_decref(doc);

    doc = signed_doc(sk);
    json_object_set_new(json_object_get(doc, "credentialSubject"), "nickname", json_string("B"));
    assert_int_equal(diproof_verify(doc, pk, err, sizeof err), -1);
    assert_string_equal(err, "a term this server does not know: nickname");
    json_decref(doc);

    doc = signed_doc(sk);
    json_array_append_new(json_object_get(doc, "@context"),
                          json_string("https://example.org/other.jsonld"));
    assert_int_equal(diproof_verify(doc, pk, err, sizeof err), -1);
    json_decref(doc);

    doc = signed_doc(sk);
    json_object_del(doc, "proof");
    assert_int_equal(diproof_verify(doc, pk, err, sizeof err), -1);
    assert_string_equal(err, "not exactly one proof");
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(base58_vectors),
        cmocka_unit_test(multikey_is_ed25519_multicodec),
        cmocka_unit_test(proof_configuration_canonical_form),
        cmocka_unit_test(sign_then_verify),
        cmocka_unit_test(changes_fail),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
