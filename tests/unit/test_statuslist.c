/* test_statuslist.c — the revocation bitstring (statuslist.h): bit 0 is the
 * most significant bit of byte 0, "u" + base64url(gzip) round trips and is
 * byte-for-byte stable, the W3C example list decodes, and malformed or
 * oversized lists are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "sinau/cert/jws.h"
#include "sinau/cert/statuslist.h"

/* The example of the W3C Bitstring Status List v1.0 recommendation: an
 * all-zero list of 131,072 bits, gzip'ed by another implementation. */
static const char w3c_example[] =
    "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA";

static void bit_zero_is_the_top_bit_of_byte_zero(void **state)
{
    unsigned char b[4] = {0, 0, 0, 0};

    assert_int_equal(statuslist_set(b, sizeof b, 0, true), 0);
    assert_int_equal(b[0], 0x80);
    assert_int_equal(statuslist_set(b, sizeof b, 7, true), 0);
    assert_int_equal(b[0], 0x81);
    assert_int_equal(statuslist_set(b, sizeof b, 8, true), 0);
    assert_int_equal(b[1], 0x80);
    assert_int_equal(statuslist_set(b, sizeof b, 31, true), 0);
    assert_int_equal(b[3], 0x01);
    assert_int_equal(statuslist_get(b, sizeof b, 0), 1);
    assert_int_equal(statuslist_get(b, sizeof b, 1), 0);
    assert_int_equal(statuslist_get(b, sizeof b, 7), 1);
    assert_int_equal(statuslist_get(b, sizeof b, 9), 0);
    assert_int_equal(statuslist_set(b, sizeof b, 0, false), 0);
    assert_int_equal(b[0], 0x01);
    assert_int_equal(statuslist_get(b, sizeof b, 0), 0);
}

static void indexes_past_the_end_are_refused(void **state)
{
    unsigned char b[2] = {0xff, 0xff};

    assert_int_equal(statuslist_get(b, sizeof b, 16), -1);
    assert_int_equal(statuslist_get(b, sizeof b, SIZE_MAX), -1);
    assert_int_equal(statuslist_set(b, sizeof b, 16, false), -1);
    assert_int_equal(statuslist_get(NULL, 0, 0), -1);
    assert_int_equal(b[0] & b[1], 0xff);
}

static void encode_decode_round_trip(void **state)
{
    unsigned char *bits = calloc(1, STATUSLIST_BYTES), *back = NULL;
    size_t idx[] = {0, 1, 8, 1000, 65535, STATUSLIST_BITS - 1};
    size_t n = 0;
    char *enc;

    for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++) {
        assert_int_equal(statuslist_set(bits, STATUSLIST_BYTES, idx[i], true), 0);
    }
    enc = statuslist_encode(bits, STATUSLIST_BYTES);
    assert_non_null(enc);
    assert_int_equal(enc[0], 'u');
    assert_true(strlen(enc) < 200); /* sparse lists stay small */
    assert_int_equal(statuslist_decode(enc, &back, &n), 0);
    assert_int_equal(n, STATUSLIST_BYTES);
    assert_memory_equal(back, bits, n);
    for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++) {
        assert_int_equal(statuslist_get(back, n, idx[i]), 1);
        assert_int_equal(statuslist_get(back, n, idx[i] ^ 2), 0);
    }
    free(enc);
    free(back);
    free(bits);
}

static void random_list_round_trips(void **state)
{
    unsigned char *bits = malloc(STATUSLIST_BYTES), *back = NULL;
    size_t n = 0;
    char *enc;

    randombytes_buf(bits, STATUSLIST_BYTES);
    enc = statuslist_encode(bits, STATUSLIST_BYTES);
    assert_int_equal(statuslist_decode(enc, &back, &n), 0);
    assert_int_equal(n, STATUSLIST_BYTES);
    assert_memory_equal(back, bits, n);
    free(enc);
    free(back);
    free(bits);
}

static void encoding_is_deterministic_with_a_fixed_gzip_header(void **state)
{
    unsigned char *bits = calloc(1, STATUSLIST_BYTES), *gz = NULL;
    size_t gzlen = 0;
    char *a, *b;

    assert_int_equal(statuslist_set(bits, STATUSLIST_BYTES, 4242, true), 0);
    a = statuslist_encode(bits, STATUSLIST_BYTES);
    b = statuslist_encode(bits, STATUSLIST_BYTES);
    assert_string_equal(a, b);
    assert_int_equal(jws_b64u_decode(a + 1, strlen(a + 1), &gz, &gzlen), 0);
    assert_true(gzlen > 18);
    assert_int_equal(gz[0], 0x1f); /* gzip magic */
    assert_int_equal(gz[1], 0x8b);
    assert_int_equal(gz[3], 0);                         /* no name, comment or extra */
    assert_int_equal(gz[4] | gz[5] | gz[6] | gz[7], 0); /* mtime 0 */
    assert_int_equal(gz[9], 255);                       /* OS unknown */
    free(gz);
    free(a);
    free(b);
    free(bits);
}

static void decodes_the_w3c_example(void **state)
{
    unsigned char *bits = NULL;
    size_t n = 0;

    assert_int_equal(statuslist_decode(w3c_example, &bits, &n), 0);
    assert_int_equal(n, STATUSLIST_BYTES);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(bits[i], 0);
    }
    free(bits);
}

/* gzip of len bytes of value c, by zlib directly (encode refuses sizes
 * over the cap, and some cases need them); "u"-prefixed base64url. */
static char *raw_list(size_t len, int c, const char *trailer)
{
    unsigned char *in = malloc(len), *out;
    size_t tl = trailer == NULL ? 0 : strlen(trailer);
    z_stream z;
    char *b64, *enc;

    memset(in, c, len);
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    out = malloc(deflateBound(&z, len) + 64 + tl);
    z.next_in = in;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)(deflateBound(&z, len) + 64);
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    memcpy(out + z.total_out, trailer == NULL ? "" : trailer, tl);
    b64 = jws_b64u_encode(out, z.total_out + tl);
    enc = malloc(strlen(b64) + 2);
    enc[0] = 'u';
    memcpy(enc + 1, b64, strlen(b64) + 1);
    deflateEnd(&z);
    free(b64);
    free(out);
    free(in);
    return enc;
}

static void expect_decode_refused(const char *enc)
{
    unsigned char *bits = (unsigned char *)"x";
    size_t n = 7;

    assert_int_equal(statuslist_decode(enc, &bits, &n), -1);
    assert_null(bits);
    assert_int_equal(n, 0);
}

static void decode_refuses_malformed_lists(void **state)
{
    char *good = raw_list(100, 0, NULL);
    char *trailing = raw_list(100, 0, "junk");
    char *empty = raw_list(0, 0, NULL);
    char *truncated = strdup(good);
    char *plain = jws_b64u_encode((const unsigned char *)"not gzip at all", 15);

    truncated[strlen(truncated) - 8] = '\0'; /* the 8-byte trailer loses 6 bytes */
    expect_decode_refused(NULL);
    expect_decode_refused("");
    expect_decode_refused("u");
    expect_decode_refused(good + 1); /* no "u" */
    expect_decode_refused("zAAAA");  /* another multibase */
    expect_decode_refused("uH4sI="); /* padding */
    expect_decode_refused("u+/8");   /* not base64url */
    expect_decode_refused(plain);    /* no "u", not gzip */
    plain[0] = 'u';                  /* "u" + not gzip */
    expect_decode_refused(plain);
    expect_decode_refused(trailing);
    expect_decode_refused(truncated);
    expect_decode_refused(empty);
    free(good);
    free(trailing);
    free(empty);
    free(truncated);
    free(plain);
}

static void decode_stops_gzip_bombs_at_16_mib(void **state)
{
    char *at_cap = raw_list(STATUSLIST_MAX_BYTES, 0, NULL);
    char *over = raw_list(STATUSLIST_MAX_BYTES + 1, 0, NULL);
    unsigned char *bits = NULL;
    size_t n = 0;

    assert_int_equal(statuslist_decode(at_cap, &bits, &n), 0);
    assert_int_equal(n, STATUSLIST_MAX_BYTES);
    free(bits);
    expect_decode_refused(over);
    free(at_cap);
    free(over);
}

static void encode_refuses_empty_and_oversized(void **state)
{
    unsigned char b = 0;

    assert_null(statuslist_encode(NULL, 1));
    assert_null(statuslist_encode(&b, 0));
    assert_null(statuslist_encode(&b, (size_t)STATUSLIST_MAX_BYTES + 1));
}

static int init(void **state)
{
    return sodium_init() < 0 ? -1 : 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bit_zero_is_the_top_bit_of_byte_zero),
        cmocka_unit_test(indexes_past_the_end_are_refused),
        cmocka_unit_test(encode_decode_round_trip),
        cmocka_unit_test(random_list_round_trips),
        cmocka_unit_test(encoding_is_deterministic_with_a_fixed_gzip_header),
        cmocka_unit_test(decodes_the_w3c_example),
        cmocka_unit_test(decode_refuses_malformed_lists),
        cmocka_unit_test(decode_stops_gzip_bombs_at_16_mib),
        cmocka_unit_test(encode_refuses_empty_and_oversized),
    };

    return cmocka_run_group_tests(tests, init, NULL);
}
