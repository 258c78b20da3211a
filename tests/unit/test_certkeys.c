/* test_certkeys.c — the certificate id as people type it (certkeys.h,
 * issue 12): whatever the PDF prints, the verify page finds it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "sinau/cert/keys.h"

static const char CID[] = "3f9ab1c2bexyz0123456789abc";

static void printed_id_groups_by_five_and_parses_back(void **state)
{
    char printed[CERT_ID_PRINTED], back[CERT_ID_CHARS + 1];

    (void)state;
    certkey_cid_printed(CID, printed);
    assert_string_equal(printed, "3f9ab-1c2be-xyz01-23456-789ab-c");
    assert_true(certkey_cid_parse(printed, back));
    assert_string_equal(back, CID);
}

static void typed_ids_are_forgiven_case_spaces_and_look_alikes(void **state)
{
    char out[CERT_ID_CHARS + 1];

    (void)state;
    assert_true(certkey_cid_parse("ID: 3F9AB-1C2BE-XYZO1-23456-789AB-C", out));
    assert_string_equal(out, CID);
    assert_true(certkey_cid_parse("  3f9ab 1c2be xyzOl 23456 789ab c\n", out));
    assert_string_equal(out, "3f9ab1c2bexyz0123456789abc");
    assert_true(certkey_cid_parse("id 3f9ab.1c2be.xyz01.23456.789ab.c", out));
    assert_string_equal(out, CID);
    assert_true(certkey_cid_parse(
        "https://sinau.example/credentials/3f9ab1c2bexyz0123456789abc?lang=en", out));
    assert_string_equal(out, CID);
}

static void malformed_ids_are_refused(void **state)
{
    char out[CERT_ID_CHARS + 1];

    (void)state;
    assert_false(certkey_cid_parse("", out));
    assert_false(certkey_cid_parse("3f9a-1c2b", out));                   /* too short */
    assert_false(certkey_cid_parse("3f9ab1c2bexyz0123456789abcd", out)); /* too long */
    assert_false(certkey_cid_parse("3f9ab1c2bexyz0123456789abu", out));  /* u is no digit */
    assert_false(certkey_cid_parse("8f9ab1c2bexyz0123456789abc", out));  /* over 128 bits */
    assert_false(certkey_cid_parse("eyJhbGciOiJFZERTQSJ9.e30.sig", out));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(printed_id_groups_by_five_and_parses_back),
        cmocka_unit_test(typed_ids_are_forgiven_case_spaces_and_look_alikes),
        cmocka_unit_test(malformed_ids_are_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
