/* test_ratelimit.c — the miss budget (ratelimit.h): a lookup reserves its
 * miss before it looks, so `limit` reservations are all a window allows
 * however many are in flight; a forgiven reservation frees its place, but
 * only in the window it was taken in; other keys keep their own budget. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sodium.h>
#include <time.h>

#include "sinau/core/ratelimit.h"

#define T0 ((time_t)1000000)

static void reservations_stop_at_the_limit_without_being_forgiven(void **state)
{
    ratelimit *rl = ratelimit_new(3, 60);
    time_t t = 0;

    (void)state;
    for (int i = 0; i < 3; i++)
        assert_int_equal(ratelimit_take(rl, "10.0.0.1", T0, &t), 0);
    assert_int_equal(ratelimit_take(rl, "10.0.0.1", T0 + 10, &t), 50); /* seconds left */
    assert_int_equal(ratelimit_take(rl, "10.0.0.2", T0 + 10, &t), 0);  /* its own budget */
    assert_int_equal(ratelimit_take(rl, "10.0.0.1", T0 + 60, &t), 0);  /* a new window */
    ratelimit_free(rl);
}

static void a_forgiven_reservation_frees_its_place(void **state)
{
    ratelimit *rl = ratelimit_new(2, 60);
    time_t a = 0, b = 0, c = 0;

    (void)state;
    assert_int_equal(ratelimit_take(rl, "k", T0, &a), 0);
    assert_int_equal(ratelimit_take(rl, "k", T0, &b), 0);
    assert_int_not_equal(ratelimit_take(rl, "k", T0, &c), 0);
    ratelimit_forgive(rl, "k", a); /* found */
    assert_int_equal(ratelimit_take(rl, "k", T0 + 1, &c), 0);
    assert_int_not_equal(ratelimit_take(rl, "k", T0 + 1, &c), 0);
    ratelimit_free(rl);
}

static void a_reservation_of_an_ended_window_frees_nothing_in_the_next(void **state)
{
    ratelimit *rl = ratelimit_new(2, 60);
    time_t old = 0, t = 0;

    (void)state;
    assert_int_equal(ratelimit_take(rl, "k", T0, &old), 0);
    assert_int_equal(ratelimit_take(rl, "k", T0 + 60, &t), 0);
    assert_int_equal(ratelimit_take(rl, "k", T0 + 60, &t), 0);
    ratelimit_forgive(rl, "k", old); /* a lookup that straddled the windows */
    assert_int_not_equal(ratelimit_take(rl, "k", T0 + 61, &t), 0);
    ratelimit_free(rl);
}

static int setup(void **state)
{
    (void)state;
    return sodium_init() < 0 ? -1 : 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reservations_stop_at_the_limit_without_being_forgiven),
        cmocka_unit_test(a_forgiven_reservation_frees_its_place),
        cmocka_unit_test(a_reservation_of_an_ended_window_frees_nothing_in_the_next),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
