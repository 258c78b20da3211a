/* test_dynbuf.c — the one growable buffer (dynbuf.h): growth keeps bytes
 * and the terminator, the hard cap fails the buffer stickily and frees it,
 * a refused allocation does the same, take hands the bytes over. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/core/dynbuf.h"

/* the OOM test asks for an impossible allocation: under ASan it must come
 * back NULL like the C library's instead of aborting the test */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}

static void dynbuf_grows_and_keeps_every_byte(void **state)
{
    dynbuf b;
    size_t len = 0;
    char *p;

    (void)state;
    dynbuf_init(&b, 1 << 20);
    assert_string_equal(dynbuf_ptr(&b), "");
    for (int i = 0; i < 10000; i++)
        assert_int_equal(dynbuf_add(&b, "abc", 3), 0);
    assert_int_equal(b.len, 30000);
    assert_true(b.cap >= 30001);
    assert_int_equal(b.data[30000], '\0');
    assert_memory_equal(b.data + 29997, "abc", 3);
    assert_int_equal(dynbuf_printf(&b, "%d-%s", 42, "x"), 0);
    assert_string_equal(b.data + 30000, "42-x");
    p = dynbuf_take(&b, &len);
    assert_int_equal(len, 30004);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    free(p);
    dynbuf_free(&b);
}

static void dynbuf_printf_longer_than_its_scratch(void **state)
{
    dynbuf b;
    char big[1000];

    (void)state;
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    dynbuf_init(&b, 4096);
    assert_int_equal(dynbuf_addstr(&b, "<"), 0);
    assert_int_equal(dynbuf_printf(&b, "%s>", big), 0);
    assert_int_equal(b.len, 1001);
    assert_int_equal(b.data[0], '<');
    assert_int_equal(b.data[1000], '>');
    assert_int_equal(b.data[1001], '\0');
    dynbuf_free(&b);
}

static void dynbuf_cap_is_hard_and_sticky(void **state)
{
    dynbuf b;

    (void)state;
    dynbuf_init(&b, 10);
    assert_int_equal(dynbuf_add(&b, "0123456789", 10), 0); /* exactly the cap */
    assert_true(b.cap <= 11);
    assert_int_equal(dynbuf_add(&b, "", 0), 0);
    assert_int_equal(dynbuf_add(&b, "x", 1), -1); /* one past */
    assert_true(dynbuf_failed(&b));
    assert_null(b.data);
    assert_null(dynbuf_ptr(&b));
    assert_int_equal(dynbuf_add(&b, "", 0), -1); /* sticky */
    assert_int_equal(dynbuf_printf(&b, "%s", "y"), -1);
    assert_null(dynbuf_take(&b, NULL));
    assert_false(dynbuf_failed(&b)); /* take resets */
    assert_int_equal(dynbuf_addstr(&b, "again"), 0);
    assert_string_equal(dynbuf_ptr(&b), "again");
    assert_int_equal(dynbuf_printf(&b, "%s", "0123456"), -1); /* printf obeys the cap */
    assert_true(dynbuf_failed(&b));
    dynbuf_free(&b);
    assert_false(dynbuf_failed(&b));
}

static void dynbuf_out_of_memory_fails_without_aborting(void **state)
{
    dynbuf b;
    static const char small[8] = "abcdefg";

    (void)state;
    dynbuf_init(&b, SIZE_MAX);
    assert_int_equal(dynbuf_addstr(&b, "kept until the failure"), 0);
    /* a few exabytes: the C library refuses, the buffer reports it; the
     * bytes of small are never read (the allocation comes first) */
    assert_int_equal(dynbuf_add(&b, small, SIZE_MAX / 4), -1);
    assert_true(dynbuf_failed(&b));
    assert_null(b.data);
    assert_int_equal(dynbuf_add(&b, "a", 1), -1);
    dynbuf_free(&b);
    assert_int_equal(dynbuf_add(&b, "a", 1), 0);
    assert_string_equal(dynbuf_ptr(&b), "a");
    dynbuf_free(&b);
}

static void dynbuf_take_of_empty_is_an_empty_string(void **state)
{
    dynbuf b;
    size_t len = 99;
    char *p;

    (void)state;
    dynbuf_init(&b, 16);
    p = dynbuf_take(&b, &len);
    assert_non_null(p);
    assert_string_equal(p, "");
    assert_int_equal(len, 0);
    free(p);
}

static void dynbuf_reset_keeps_memory_and_failure(void **state)
{
    dynbuf b;
    const char *before;

    (void)state;
    dynbuf_init(&b, 8);
    assert_int_equal(dynbuf_addstr(&b, "abcdef"), 0);
    before = b.data;
    dynbuf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(dynbuf_ptr(&b), "");
    assert_ptr_equal(b.data, before);
    assert_int_equal(dynbuf_addstr(&b, "xyz"), 0);
    assert_string_equal(dynbuf_ptr(&b), "xyz");
    assert_int_equal(dynbuf_addstr(&b, "123456"), -1);
    dynbuf_reset(&b);
    assert_true(dynbuf_failed(&b));
    assert_null(dynbuf_ptr(&b));
    dynbuf_free(&b);
}

/* reserve/commit, as a read(2) straight into the buffer uses them: room
 * only when full, by doubling, never past the cap or want */
static void dynbuf_reserve_and_commit_read_into_it(void **state)
{
    dynbuf b;
    size_t room = 99, total = 0;
    char *p;
    int grows = 0;

    (void)state;
    dynbuf_init(&b, 1000);
    p = dynbuf_reserve(&b, 10, &room);
    assert_non_null(p);
    assert_int_equal(room, 10); /* want bounds it */
    memcpy(p, "0123456789", 10);
    dynbuf_commit(&b, 10);
    assert_string_equal(dynbuf_ptr(&b), "0123456789");
    while (b.len < b.max) {
        size_t cap = b.cap;
        p = dynbuf_reserve(&b, SIZE_MAX, &room);
        assert_non_null(p);
        assert_true(room >= 1);
        assert_true(b.len + room <= b.max);
        assert_true(b.len + room < b.cap); /* the terminator keeps its byte */
        grows += b.cap != cap;
        memset(p, 'x', room);
        dynbuf_commit(&b, room);
        total += room;
        assert_int_equal(b.data[b.len], '\0');
    }
    assert_int_equal(total, 990);
    assert_true(grows >= 3 && grows <= 6); /* doubling from the first allocation */
    assert_int_equal(b.cap, 1001);
    p = dynbuf_reserve(&b, 5, &room); /* at the cap: no room, not failed */
    assert_non_null(p);
    assert_int_equal(room, 0);
    assert_false(dynbuf_failed(&b));
    dynbuf_commit(&b, 0);
    assert_int_equal(b.len, 1000);
    assert_int_equal(dynbuf_add(&b, "y", 1), -1); /* over the cap: failed */
    assert_null(dynbuf_reserve(&b, 5, &room));
    assert_int_equal(room, 0);
    dynbuf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dynbuf_grows_and_keeps_every_byte),
        cmocka_unit_test(dynbuf_printf_longer_than_its_scratch),
        cmocka_unit_test(dynbuf_cap_is_hard_and_sticky),
        cmocka_unit_test(dynbuf_out_of_memory_fails_without_aborting),
        cmocka_unit_test(dynbuf_take_of_empty_is_an_empty_string),
        cmocka_unit_test(dynbuf_reset_keeps_memory_and_failure),
        cmocka_unit_test(dynbuf_reserve_and_commit_read_into_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
