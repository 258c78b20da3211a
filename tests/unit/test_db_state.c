/* test_db_state.c — the database connection state machine's rules
 * (db_state.h): which moves are legal, what counts as up or working,
 * the reconnect backoff; and the host lists of failover. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sinau/db/state.h"

static void conn_connects_only_from_down(void **state)
{
    for (int s = 0; s < DB_CONN_NSTATES; s++)
        assert_int_equal(db_conn_transition_ok((enum db_conn_state)s, DB_CONN_CONNECTING),
                         s == DB_CONN_DOWN);
}

static void conn_runs_statements_only_once_idle(void **state)
{
    for (int s = 0; s < DB_CONN_NSTATES; s++) {
        bool from_idle = s == DB_CONN_IDLE;
        assert_int_equal(db_conn_transition_ok((enum db_conn_state)s, DB_CONN_PREPARING),
                         from_idle);
        /* busy is also reached from preparing (prepare done, query sent) */
        assert_int_equal(db_conn_transition_ok((enum db_conn_state)s, DB_CONN_BUSY),
                         from_idle || s == DB_CONN_PREPARING);
    }
}

static void conn_rollback_only_after_a_statement(void **state)
{
    for (int s = 0; s < DB_CONN_NSTATES; s++)
        assert_int_equal(db_conn_transition_ok((enum db_conn_state)s, DB_CONN_RESETTING),
                         s == DB_CONN_BUSY);
}

static void conn_can_be_lost_from_every_live_state(void **state)
{
    for (int s = 0; s < DB_CONN_NSTATES; s++) {
        bool live = s != DB_CONN_DOWN && s != DB_CONN_CLOSED;
        assert_int_equal(db_conn_transition_ok((enum db_conn_state)s, DB_CONN_DOWN), live);
    }
}

static void conn_closed_is_terminal(void **state)
{
    for (int s = 0; s < DB_CONN_NSTATES; s++)
        assert_false(db_conn_transition_ok(DB_CONN_CLOSED, (enum db_conn_state)s));
    for (int s = 0; s < DB_CONN_NSTATES; s++)
        assert_int_equal(db_conn_transition_ok((enum db_conn_state)s, DB_CONN_CLOSED),
                         s != DB_CONN_CLOSED);
}

static void conn_never_stays_in_place(void **state)
{
    for (int s = 0; s < DB_CONN_NSTATES; s++)
        assert_false(db_conn_transition_ok((enum db_conn_state)s, (enum db_conn_state)s));
}

static void conn_out_of_range_states_are_refused(void **state)
{
    assert_false(db_conn_transition_ok(DB_CONN_NSTATES, DB_CONN_IDLE));
    assert_false(db_conn_transition_ok(DB_CONN_IDLE, DB_CONN_NSTATES));
    assert_string_equal(db_conn_state_name(DB_CONN_NSTATES), "invalid");
}

static void conn_up_and_working_sets(void **state)
{
    assert_false(db_conn_state_is_up(DB_CONN_DOWN));
    assert_false(db_conn_state_is_up(DB_CONN_CONNECTING));
    assert_true(db_conn_state_is_up(DB_CONN_IDLE));
    assert_false(db_conn_state_is_working(DB_CONN_IDLE));
    assert_true(db_conn_state_is_working(DB_CONN_PREPARING));
    assert_true(db_conn_state_is_working(DB_CONN_BUSY));
    assert_true(db_conn_state_is_working(DB_CONN_RESETTING));
    assert_false(db_conn_state_is_up(DB_CONN_CLOSED));
}

static void backoff_doubles_from_100ms_to_5s(void **state)
{
    /* u = 0.5 gives the midpoint of the jitter, i.e. the nominal delay */
    assert_int_equal(db_backoff_ms(0, 0.5), 100);
    assert_int_equal(db_backoff_ms(1, 0.5), 200);
    assert_int_equal(db_backoff_ms(2, 0.5), 400);
    assert_int_equal(db_backoff_ms(5, 0.5), 3200);
    assert_int_equal(db_backoff_ms(6, 0.5), 5000);
    assert_int_equal(db_backoff_ms(1000, 0.5), 5000);
}

static void backoff_jitter_stays_within_20_percent(void **state)
{
    for (int a = 0; a < 10; a++) {
        int nominal = db_backoff_ms(a, 0.5);
        assert_true(db_backoff_ms(a, 0.0) >= nominal * 8 / 10);
        assert_true(db_backoff_ms(a, 0.999) <= nominal * 12 / 10);
        assert_true(db_backoff_ms(a, -3.0) == db_backoff_ms(a, 0.0));
        assert_true(db_backoff_ms(a, 7.0) <= nominal * 12 / 10);
    }
}

static void lists_count_entries(void **state)
{
    assert_int_equal(db_list_count(NULL), 0);
    assert_int_equal(db_list_count(""), 1);
    assert_int_equal(db_list_count("a"), 1);
    assert_int_equal(db_list_count("a,b,c"), 3);
    assert_int_equal(db_list_count("127.0.0.1,127.0.0.1"), 2);
}

static void lists_rotate_from_the_host_that_worked(void **state)
{
    char out[64];

    assert_int_equal(db_list_rotate("a,b,c", 0, out, sizeof out), 0);
    assert_string_equal(out, "a,b,c");
    assert_int_equal(db_list_rotate("a,b,c", 1, out, sizeof out), 0);
    assert_string_equal(out, "b,c,a");
    assert_int_equal(db_list_rotate("a,b,c", 5, out, sizeof out), 0);
    assert_string_equal(out, "c,a,b");
    assert_int_equal(db_list_rotate("5432,,5434", 1, out, sizeof out), 0);
    assert_string_equal(out, ",5434,5432");
    assert_int_equal(db_list_rotate("only", 3, out, sizeof out), 0);
    assert_string_equal(out, "only");
    /* too small: refused, never truncated */
    assert_int_equal(db_list_rotate("aaaa,bbbb", 1, out, 9), -1);
    assert_int_equal(db_list_rotate("aaaa,bbbb", 1, out, 10), 0);
    assert_string_equal(out, "bbbb,aaaa");
}

static void lists_give_one_entry(void **state)
{
    char out[16];

    assert_int_equal(db_list_entry("a,bb,ccc", 1, out, sizeof out), 0);
    assert_string_equal(out, "bb");
    assert_int_equal(db_list_entry("a,bb,ccc", 2, out, sizeof out), 0);
    assert_string_equal(out, "ccc");
    assert_int_equal(db_list_entry("a,bb,ccc", 3, out, sizeof out), -1);
    assert_int_equal(db_list_entry("a,bb,ccc", -1, out, sizeof out), -1);
    /* a single port applies to every host (libpq's rule) */
    assert_int_equal(db_list_entry("5432", 2, out, sizeof out), 0);
    assert_string_equal(out, "5432");
    assert_int_equal(db_list_entry("a,bb,ccc", 2, out, 3), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conn_connects_only_from_down),
        cmocka_unit_test(lists_count_entries),
        cmocka_unit_test(lists_rotate_from_the_host_that_worked),
        cmocka_unit_test(lists_give_one_entry),
        cmocka_unit_test(conn_runs_statements_only_once_idle),
        cmocka_unit_test(conn_rollback_only_after_a_statement),
        cmocka_unit_test(conn_can_be_lost_from_every_live_state),
        cmocka_unit_test(conn_closed_is_terminal),
        cmocka_unit_test(conn_never_stays_in_place),
        cmocka_unit_test(conn_out_of_range_states_are_refused),
        cmocka_unit_test(conn_up_and_working_sets),
        cmocka_unit_test(backoff_doubles_from_100ms_to_5s),
        cmocka_unit_test(backoff_jitter_stays_within_20_percent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
