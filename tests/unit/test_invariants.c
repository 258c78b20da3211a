/* test_invariants.c — the invariant checks (assert) are compiled into the
 * library as built, whatever the build type (issue 14: RelWithDebInfo used to
 * define NDEBUG). A violated invariant in sinau_lib must abort the process,
 * not run on: each case runs in a child process and expects SIGABRT. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "sinau/core/idnum.h"

/* Runs fn in a child; returns the signal that ended it (0 if it exited). */
static int signal_of_child(void (*fn)(void))
{
    pid_t pid = fork();
    int status = 0;

    if (pid == 0) {
        /* no core files from the expected abort */
        signal(SIGABRT, SIG_DFL);
        fn();
        _exit(0);
    }
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/* A null pointer where the library asserts a string: with the checks on,
 * the assert aborts before anything reads it (with NDEBUG the read would
 * crash with SIGSEGV instead, or worse, not at all). */
static void null_nik(void)
{
    const char *volatile none = NULL;
    enum idnum_error e = idnum_nik_check(none);

    (void)e;
}

static void library_asserts_abort(void **state)
{
    assert_int_equal(signal_of_child(null_nik), SIGABRT);
}

/* This file is compiled with the same flags as the library. */
static void ndebug_is_not_defined(void **state)
{
#ifdef NDEBUG
    fail_msg("NDEBUG is defined: assert() is compiled out of this build");
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(library_asserts_abort),
        cmocka_unit_test(ndebug_is_not_defined),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
