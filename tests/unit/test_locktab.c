/* test_locktab.c — a shared table made and unmade whole (locktab.h): the
 * owner and its slots come zeroed in one block, the mutex the owner begins
 * with works, every slot is writable, a size that overflows is refused,
 * and freeing NULL is a no-op. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <pthread.h>

#include "sinau/core/locktab.h"

typedef struct slot {
    uint64_t key;
    int count;
} slot;

typedef struct table {
    pthread_mutex_t mu;
    size_t n;
    slot slots[];
} table;

static void locktab_slots_are_zeroed_and_the_mutex_works(void **state)
{
    table *t = locktab_new(sizeof *t, 1000, sizeof t->slots[0]);

    (void)state;
    assert_int_equal(t->n, 0);
    for (size_t i = 0; i < 1000; i++) {
        assert_int_equal(t->slots[i].key, 0);
        assert_int_equal(t->slots[i].count, 0);
    }
    assert_int_equal(pthread_mutex_lock(&t->mu), 0);
    t->n = 1000;
    for (size_t i = 0; i < t->n; i++)
        t->slots[i] = (slot){.key = i, .count = 1};
    assert_int_equal(pthread_mutex_unlock(&t->mu), 0);
    assert_int_equal(t->slots[999].key, 999);
    locktab_free(t);
}

static void locktab_free_of_null_is_a_no_op(void **state)
{
    (void)state;
    locktab_free(NULL);
}

static void locktab_refuses_a_size_that_overflows(void **state)
{
    pid_t pid;
    int status = 0;

    (void)state;
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        table *t = locktab_new(sizeof *t, SIZE_MAX / 8, sizeof t->slots[0]);
        (void)t;
        _exit(0); /* not reached: the policy aborts */
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(locktab_slots_are_zeroed_and_the_mutex_works),
        cmocka_unit_test(locktab_free_of_null_is_a_no_op),
        cmocka_unit_test(locktab_refuses_a_size_that_overflows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
