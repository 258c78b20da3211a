/* test_hashchain.c — the fairness log's hash chain (hashchain.h): the
 * canonical line, chaining from the genesis, and the offline verifier
 * catching edits, insertions and reordering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sinau/core/hashchain.h"

static void line_joins_fields_with_bars_and_empties_nulls(void **state)
{
    char line[128];
    size_t n = hashchain_line(line, sizeof line, "7", "2026-11-29T00:00:00.000000Z", "asn",
                              "confirmed", NULL, "r1");

    assert_string_equal(line, "7|2026-11-29T00:00:00.000000Z|asn|confirmed||r1");
    assert_int_equal(n, strlen(line));
}

static void next_depends_on_prev_and_line(void **state)
{
    char g[HASHCHAIN_HEX], a[HASHCHAIN_HEX], b[HASHCHAIN_HEX], c[HASHCHAIN_HEX];

    hashchain_genesis(g);
    assert_int_equal(strspn(g, "0"), 64);
    assert_int_equal(hashchain_next(g, "x", 1, a), 0);
    assert_int_equal(hashchain_next(g, "y", 1, b), 0);
    assert_int_equal(hashchain_next(a, "x", 1, c), 0);
    assert_string_not_equal(a, b);
    assert_string_not_equal(a, c);
    assert_int_equal(hashchain_next("nothex", "x", 1, c), -1);
}

/* Writes n entries as the server exports them; returns the head. */
static void write_log(const char *path, int n, int tamper_at, char head[HASHCHAIN_HEX])
{
    FILE *f = fopen(path, "w");
    char line[256], next[HASHCHAIN_HEX], seq[16];

    hashchain_genesis(head);
    for (int i = 1; i <= n; i++) {
        size_t len;
        snprintf(seq, sizeof seq, "%d", i);
        len = hashchain_line(line, sizeof line, seq, "t", "public", "waitlisted", "u", "r");
        assert_int_equal(hashchain_next(head, line, len, next), 0);
        fprintf(f,
                "{\"seq\":%d,\"at\":\"t\",\"segment\":\"public\",\"outcome\":\"%s\","
                "\"user\":\"u\",\"registration\":\"r\",\"prev\":\"%s\",\"hash\":\"%s\"}\n",
                i, i == tamper_at ? "confirmed" : "waitlisted", head, next);
        memcpy(head, next, HASHCHAIN_HEX);
    }
    fclose(f);
}

static void verify_accepts_an_intact_log_and_reports_its_head(void **state)
{
    char path[] = "/tmp/sinau-chain-XXXXXX", head[HASHCHAIN_HEX], got[HASHCHAIN_HEX], err[128];
    long entries = 0;
    int fd = mkstemp(path);

    close(fd);
    write_log(path, 5, 0, head);
    assert_int_equal(hashchain_verify_file(path, got, &entries, err, sizeof err), 0);
    assert_int_equal(entries, 5);
    assert_string_equal(got, head);
    unlink(path);
}

static void verify_refuses_an_edited_entry(void **state)
{
    char path[] = "/tmp/sinau-chain-XXXXXX", head[HASHCHAIN_HEX], got[HASHCHAIN_HEX], err[128];
    long entries = 0;
    int fd = mkstemp(path);

    close(fd);
    write_log(path, 5, 3, head);
    assert_int_equal(hashchain_verify_file(path, got, &entries, err, sizeof err), -1);
    assert_non_null(strstr(err, "line 3"));
    unlink(path);
}

static void verify_refuses_a_missing_file(void **state)
{
    char got[HASHCHAIN_HEX], err[128];
    long entries = 0;

    assert_int_equal(
        hashchain_verify_file("/nonexistent/sinau.ndjson", got, &entries, err, sizeof err), -1);
}

static int setup(void **state)
{
    return sodium_init() < 0 ? -1 : 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(line_joins_fields_with_bars_and_empties_nulls),
        cmocka_unit_test(next_depends_on_prev_and_line),
        cmocka_unit_test(verify_accepts_an_intact_log_and_reports_its_head),
        cmocka_unit_test(verify_refuses_an_edited_entry),
        cmocka_unit_test(verify_refuses_a_missing_file),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
