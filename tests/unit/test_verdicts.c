/* test_verdicts.c — the verdict cache (verdicts.h): a verdict comes back
 * as it was put, a change in any part of what it was computed from is
 * another key (so a stale verdict cannot be served), parts cannot run into
 * each other, and a full cache replaces rather than grows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/cert/verdicts.h"

static void key_of(unsigned char key[VERDICTS_KEY], const char *a, const char *b)
{
    const char *parts[2] = {a, b};

    verdict_key(key, parts, 2);
}

static vccheck_result verdict(bool ok)
{
    vccheck_result r;

    memset(&r, 0, sizeof r);
    r.valid = ok;
    r.status = VCCHECK_STATUS_UNKNOWN;
    r.nchecks = 1;
    r.checks[0].name = "signature";
    r.checks[0].ok = ok;
    snprintf(r.checks[0].detail, sizeof r.checks[0].detail, "%s",
             ok ? "verifies" : "does not verify");
    return r;
}

static void round_trip_and_misses(void **state)
{
    verdict_cache *c = verdict_cache_new(64);
    unsigned char k1[VERDICTS_KEY], k2[VERDICTS_KEY], k3[VERDICTS_KEY];
    vccheck_result in = verdict(true), *out;

    key_of(k1, "token", "di");
    key_of(k2, "token", "di!");
    key_of(k3, "tokend", "i");
    assert_memory_not_equal(k1, k2, VERDICTS_KEY);
    assert_memory_not_equal(k1, k3, VERDICTS_KEY);
    assert_null(verdict_cache_get(c, k1));
    verdict_cache_put(c, k1, &in);
    out = verdict_cache_get(c, k1);
    assert_non_null(out);
    assert_true(out->valid);
    assert_int_equal(out->nchecks, 1);
    assert_string_equal(out->checks[0].name, "signature");
    assert_string_equal(out->checks[0].detail, "verifies");
    assert_null(out->payload);
    vccheck_result_free(out);
    assert_null(verdict_cache_get(c, k2));
    verdict_cache_free(c);
}

static void a_full_cache_replaces(void **state)
{
    verdict_cache *c = verdict_cache_new(1);
    unsigned char k1[VERDICTS_KEY], k2[VERDICTS_KEY];
    vccheck_result a = verdict(true), b = verdict(false), *out;

    key_of(k1, "one", NULL);
    key_of(k2, "two", NULL);
    verdict_cache_put(c, k1, &a);
    verdict_cache_put(c, k2, &b);
    assert_null(verdict_cache_get(c, k1));
    out = verdict_cache_get(c, k2);
    assert_non_null(out);
    assert_false(out->valid);
    vccheck_result_free(out);
    verdict_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_and_misses),
        cmocka_unit_test(a_full_cache_replaces),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
