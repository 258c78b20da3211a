/* test_errmsg.c — the (err, errlen) message convention (errmsg.h): a
 * message is formatted and NUL-terminated, cut to the room given, and no
 * room (NULL or 0) writes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "sinau/core/errmsg.h"

static void errmsg_formats_the_message(void **state)
{
    char err[64];

    (void)state;
    errmsg_set(err, sizeof err, "key file %s: %d bytes", "/k", 31);
    assert_string_equal(err, "key file /k: 31 bytes");
}

static void errmsg_truncates_to_the_room_given(void **state)
{
    char err[8];

    (void)state;
    memset(err, 'x', sizeof err);
    errmsg_set(err, sizeof err, "%s", "a longer message");
    assert_string_equal(err, "a longe");
}

static void errmsg_without_room_writes_nothing(void **state)
{
    char err[4] = "abc";

    (void)state;
    errmsg_set(NULL, 16, "%s", "nothing");
    errmsg_set(err, 0, "%s", "nothing");
    assert_string_equal(err, "abc");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(errmsg_formats_the_message),
        cmocka_unit_test(errmsg_truncates_to_the_room_given),
        cmocka_unit_test(errmsg_without_room_writes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
