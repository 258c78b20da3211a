/* test_yield.c — when background work gives way to a busy instance
 * (yield.h): never at threshold 0 or below the threshold; inside a busy
 * period for at most max_ns from its start; dips shorter than max_ns keep
 * the period (the wait does not start again); max_ns below the threshold
 * ends it, and the next crowd gets a wait of its own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sinau/core/yield.h"

#define MS       1000000LL
#define MAX      (5000 * MS)
#define T0       (1000000 * MS) /* any start: the clock's zero is arbitrary */
#define YIELD_AT 32

static bool at(yield_state *st, int load, int64_t ms)
{
    return yield_now(st, load, YIELD_AT, MAX, T0 + ms * MS);
}

static void yield_never_at_threshold_zero(void **state)
{
    yield_state st = {0};

    (void)state;
    assert_false(yield_now(&st, 1000, 0, MAX, T0));
    assert_false(yield_now(&st, 1000, 0, MAX, T0 + 250 * MS));
}

static void yield_never_below_the_threshold(void **state)
{
    yield_state st = {0};

    (void)state;
    for (int64_t ms = 0; ms < 20000; ms += 250)
        assert_false(at(&st, YIELD_AT - 1, ms));
}

static void yield_for_at_most_max_in_a_busy_period(void **state)
{
    yield_state st = {0};

    (void)state;
    assert_true(at(&st, YIELD_AT, 0));
    assert_true(at(&st, 500, 2500));
    assert_true(at(&st, 500, 4999));
    assert_false(at(&st, 500, 5000));  /* the longest wait is over */
    assert_false(at(&st, 500, 60000)); /* and stays over while busy */
}

static void yield_dips_do_not_start_the_wait_again(void **state)
{
    yield_state st = {0};

    (void)state;
    assert_true(at(&st, 100, 0));
    for (int64_t ms = 1000; ms < 5000; ms += 1000) {
        assert_false(at(&st, 3, ms));        /* a dip: this turn goes */
        assert_true(at(&st, 100, ms + 250)); /* busy again: still the same period */
    }
    assert_false(at(&st, 100, 5000)); /* counted from the period's start */
    assert_false(at(&st, 3, 6000));
    assert_false(at(&st, 100, 9000)); /* a dip of 3 s < 5 s: the same period */
}

static void yield_quiet_for_max_ends_the_period(void **state)
{
    yield_state st = {0};

    (void)state;
    assert_true(at(&st, 100, 0));
    assert_false(at(&st, 100, 6000));
    assert_false(at(&st, 0, 7000));
    assert_false(at(&st, 0, 11999));   /* quiet for 4,999 ms: not yet over */
    assert_false(at(&st, 100, 12000)); /* busy again within the period */
    assert_false(at(&st, 0, 13000));
    assert_false(at(&st, 0, 18000));  /* quiet for 5 s: over */
    assert_true(at(&st, 100, 18250)); /* a new crowd waits again */
    assert_true(at(&st, 100, 23249));
    assert_false(at(&st, 100, 23250));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(yield_never_at_threshold_zero),
        cmocka_unit_test(yield_never_below_the_threshold),
        cmocka_unit_test(yield_for_at_most_max_in_a_busy_period),
        cmocka_unit_test(yield_dips_do_not_start_the_wait_again),
        cmocka_unit_test(yield_quiet_for_max_ends_the_period),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
