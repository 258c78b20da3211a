/* test_vec.c — the growth step of the typed arrays (vec.h): the capacity
 * starts at the first size and doubles until it holds what is asked,
 * elements are kept across moves, enough room is a no-op, a parallel
 * array follows, and a size that overflows aborts (the alloc.h policy). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <stdlib.h>

#include "sinau/core/vec.h"

typedef struct item {
    size_t k;
    char tag[13];
} item;

static void vec_grows_from_first_by_doubling_and_keeps_elements(void **state)
{
    item *v = NULL;
    size_t n = 0, cap = 0;

    (void)state;
    v = vec_reserve(v, &cap, 1, sizeof *v, 8);
    assert_int_equal(cap, 8);
    for (size_t i = 0; i < 1000; i++) {
        size_t before = cap;
        v = vec_reserve(v, &cap, n + 1, sizeof *v, 8);
        assert_true(cap >= n + 1);
        assert_true(cap == before || cap == 2 * before); /* doubling, only when full */
        assert_true(cap == before || n == before);
        v[n++] = (item){.k = i * 3, .tag = "x"};
    }
    assert_int_equal(cap, 1024);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(v[i].k, i * 3);
    free(v);
}

static void vec_with_room_is_a_no_op(void **state)
{
    size_t cap = 0;
    int *v = vec_reserve(NULL, &cap, 5, sizeof *v, 4);
    int *same;

    (void)state;
    assert_int_equal(cap, 8); /* 4 doubled once to hold 5 */
    same = vec_reserve(v, &cap, 8, sizeof *v, 4);
    assert_ptr_equal(same, v);
    assert_int_equal(cap, 8);
    assert_ptr_equal(vec_reserve(v, &cap, 0, sizeof *v, 4), v);
    v = vec_reserve(v, &cap, 100, sizeof *v, 4); /* a big step doubles as far as needed */
    assert_int_equal(cap, 128);
    free(v);
}

static void vec_parallel_array_follows(void **state)
{
    long *a = NULL;
    const char **b = NULL;
    size_t n = 0, cap = 0;

    (void)state;
    for (long i = 0; i < 100; i++) {
        if (n == cap) {
            a = vec_reserve(a, &cap, n + 1, sizeof *a, 4);
            b = vec_resize(b, cap, sizeof *b);
        }
        a[n] = i;
        b[n] = "b";
        n++;
    }
    assert_int_equal(cap, 128);
    assert_int_equal(a[99], 99);
    assert_string_equal(b[99], "b");
    free(a);
    free(b);
}

/* Runs fn in a child: it must abort. */
static void assert_aborts(void (*fn)(void))
{
    int status = 0;
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0) {
        fn();
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void reserve_too_many(void)
{
    size_t cap = 0;
    void *p = vec_reserve(NULL, &cap, SIZE_MAX / 4, 16, 8); /* count * size overflows */
    free(p);
}

static void double_past_size_max(void)
{
    size_t cap = 0;
    void *p = vec_reserve(NULL, &cap, SIZE_MAX, 1, 8); /* no doubling reaches it */
    free(p);
}

static void resize_too_many(void)
{
    free(vec_resize(NULL, SIZE_MAX / 2, 4));
}

static void vec_overflow_aborts(void **state)
{
    (void)state;
    assert_aborts(reserve_too_many);
    assert_aborts(double_past_size_max);
    assert_aborts(resize_too_many);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vec_grows_from_first_by_doubling_and_keeps_elements),
        cmocka_unit_test(vec_with_room_is_a_no_op),
        cmocka_unit_test(vec_parallel_array_follows),
        cmocka_unit_test(vec_overflow_aborts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
