/* test_utf8.c — the shared UTF-8 checks (utf8.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sinau/core/utf8.h"

static void test_sequence_lengths(void **state)
{
    (void)state;
    assert_int_equal(utf8_seq_len((const unsigned char *)"a"), 1);
    assert_int_equal(utf8_seq_len((const unsigned char *)"\xc3\xa9"), 2);         /* é */
    assert_int_equal(utf8_seq_len((const unsigned char *)"\xea\xa6\xa0"), 3);     /* Javanese */
    assert_int_equal(utf8_seq_len((const unsigned char *)"\xf0\x9f\x98\x80"), 4); /* emoji */
    assert_int_equal(utf8_seq_len((const unsigned char *)"\xc0\xaf"), 0);         /* overlong */
    assert_int_equal(utf8_seq_len((const unsigned char *)"\xe0\x80\xaf"), 0);     /* overlong */
    assert_int_equal(utf8_seq_len((const unsigned char *)"\xed\xa0\x80"), 0);     /* surrogate */
    assert_int_equal(utf8_seq_len((const unsigned char *)"\xf4\x90\x80\x80"), 0); /* > U+10FFFF */
    assert_int_equal(utf8_seq_len((const unsigned char *)"\xe2\x82"), 0);         /* cut short */
    assert_int_equal(utf8_seq_len((const unsigned char *)"\x80"), 0);             /* continuation */
}

static void test_valid_and_printable(void **state)
{
    (void)state;
    assert_true(utf8_valid("Siti Rahayu — Malang"));
    assert_true(utf8_valid("tab\there"));
    assert_false(utf8_valid("bad \xff byte"));
    assert_true(utf8_printable("gambar saya.png"));
    assert_true(utf8_printable("Café ꦱꦶꦤꦮ"));
    assert_false(utf8_printable("tab\there"));
    assert_false(utf8_printable("del\x7f"));
    assert_false(utf8_printable("c1 \xc2\x85 control"));
    assert_false(utf8_printable("bad \xc3 cut"));
    assert_true(utf8_printable(""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequence_lengths),
        cmocka_unit_test(test_valid_and_printable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
