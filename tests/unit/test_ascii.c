/* test_ascii.c — ascii_only (ascii.h): letters, digits and the extra set
 * pass; anything else, a NUL byte included, fails; length is the caller's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sinau/core/ascii.h"

static void ascii_only_allows_letters_digits_and_extra(void **state)
{
    (void)state;
    assert_true(ascii_only("Abc-09_x.y", 10, "-_."));
    assert_true(ascii_only("", 0, ""));
    assert_false(ascii_only("a/b", 3, "-_."));
    assert_true(ascii_only("a/b", 3, "/"));
    assert_false(ascii_only("caf\xc3\xa9", 5, "-"));
    assert_false(ascii_only("a b", 3, "-"));
}

static void ascii_only_never_allows_nul(void **state)
{
    (void)state;
    assert_false(ascii_only("ab\0cd", 5, "-"));
    assert_true(ascii_only("ab\0cd", 2, "-"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ascii_only_allows_letters_digits_and_extra),
        cmocka_unit_test(ascii_only_never_allows_nul),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
