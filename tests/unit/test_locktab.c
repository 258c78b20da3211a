/* test_locktab.c — a shared table's slots and mutex (locktab.h): the slots
 * come zeroed, the mutex works, and both are released together. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>

#include "sinau/core/locktab.h"

typedef struct slot {
    uint64_t key;
    int count;
} slot;

static void locktab_slots_are_zeroed_and_the_mutex_works(void **state)
{
    pthread_mutex_t mu;
    slot *s = locktab_new(&mu, 1000, sizeof *s);

    (void)state;
    for (size_t i = 0; i < 1000; i++) {
        assert_int_equal(s[i].key, 0);
        assert_int_equal(s[i].count, 0);
    }
    assert_int_equal(pthread_mutex_lock(&mu), 0);
    s[999].count = 1;
    assert_int_equal(pthread_mutex_unlock(&mu), 0);
    locktab_free(&mu, s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(locktab_slots_are_zeroed_and_the_mutex_works),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
