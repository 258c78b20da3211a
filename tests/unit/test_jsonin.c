/* test_jsonin.c — unit tests for jsonin.c: every refusal has its own error,
 * details never echo the input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sinau/http/jsonin.h"

#define LIMIT (1024u * 1024u)

/* Parses a string with the default limits; returns the error, frees the result. */
static enum jsonin_error parse_str(const char *s, char *detail, size_t detail_len)
{
    json_t *out = (json_t *)1;
    enum jsonin_error e =
        jsonin_parse(s, strlen(s), LIMIT, JSONIN_DEFAULT_DEPTH, 0, &out, detail, detail_len);

    if (e != JSONIN_OK) {
        assert_null(out);
    } else {
        assert_non_null(out);
    }
    json_decref(out);
    return e;
}

/* Builds n opening brackets followed by n closing ones (owned). */
static char *nested(size_t n, size_t *len)
{
    char *s = malloc(2 * n + 1);

    assert_non_null(s);
    memset(s, '[', n);
    memset(s + n, ']', n);
    s[2 * n] = '\0';
    *len = 2 * n;
    return s;
}

static void jsonin_parses_object(void **state)
{
    const char *s = "{\"name\": \"Ani\", \"n\": [1, 2, {\"x\": null}]}";
    json_t *out = NULL;
    char detail[128];

    assert_int_equal(jsonin_parse(s, strlen(s), LIMIT, 32, 0, &out, detail, sizeof detail),
                     JSONIN_OK);
    assert_true(json_is_object(out));
    assert_string_equal(json_string_value(json_object_get(out, "name")), "Ani");
    json_decref(out);
}

static void jsonin_refuses_3000_deep_nesting(void **state)
{
    size_t len;
    char *s = nested(3000, &len);
    json_t *out = (json_t *)1;
    char detail[128];
    enum jsonin_error e = jsonin_parse(s, len, LIMIT, 32, 0, &out, detail, sizeof detail);

    assert_int_equal(e, JSONIN_TOO_DEEP);
    assert_null(out);
    assert_string_equal(jsonin_error_code(e), "json_too_deep");
    assert_int_equal(jsonin_error_status(e), 400);
    free(s);
}

static void jsonin_jansson_depth_limit_also_reports_too_deep(void **state)
{
    size_t len;
    char *s = nested(3000, &len);
    json_t *out = NULL;

    /* a caller limit above jansson's own (2048) still ends as TOO_DEEP */
    assert_int_equal(jsonin_parse(s, len, LIMIT, 5000, 0, &out, NULL, 0), JSONIN_TOO_DEEP);
    assert_null(out);
    free(s);
}

static void jsonin_refuses_unclosed_deep_nesting(void **state)
{
    char s[200];
    json_t *out = NULL;

    memset(s, '{', sizeof s);
    assert_int_equal(jsonin_parse(s, sizeof s, LIMIT, 32, 0, &out, NULL, 0), JSONIN_TOO_DEEP);
    assert_null(out);
}

static void jsonin_depth_limit_is_inclusive(void **state)
{
    char buf[80];
    json_t *out = NULL;

    /* an object holding 3 nested arrays: depth 4 */
    snprintf(buf, sizeof buf, "{\"a\":[[[1]]]}");
    assert_int_equal(jsonin_depth(buf, strlen(buf), 100), 4);
    assert_int_equal(jsonin_parse(buf, strlen(buf), LIMIT, 4, 0, &out, NULL, 0), JSONIN_OK);
    json_decref(out);
    assert_int_equal(jsonin_parse(buf, strlen(buf), LIMIT, 3, 0, &out, NULL, 0), JSONIN_TOO_DEEP);
}

static void jsonin_depth_skips_strings_and_escaped_quotes(void **state)
{
    const char *s = "{\"a\\\"[[[[\": \"]]]}{{{\\\\\", \"b\": [\"\\\"{\"]}";

    assert_int_equal(jsonin_depth(s, strlen(s), 100), 2);
    assert_int_equal(parse_str(s, NULL, 0), JSONIN_OK);
}

static void jsonin_depth_stops_early_past_limit(void **state)
{
    size_t len;
    char *s = nested(100, &len);

    assert_int_equal(jsonin_depth(s, len, 10), 11);
    assert_int_equal(jsonin_depth(s, len, 100), 100);
    assert_int_equal(jsonin_depth("", 0, 5), 0);
    free(s);
}

static void jsonin_default_depth_when_zero(void **state)
{
    size_t len;
    char *s = nested(JSONIN_DEFAULT_DEPTH + 1, &len);
    json_t *out = NULL;

    s[0] = '{';
    /* not valid JSON, but the depth scan refuses it first */
    assert_int_equal(jsonin_parse(s, len, LIMIT, 0, 0, &out, NULL, 0), JSONIN_TOO_DEEP);
    free(s);
}

static void jsonin_refuses_duplicate_keys(void **state)
{
    char detail[128];
    enum jsonin_error e = parse_str("{\"a\": 1, \"b\": 2, \"a\": 3}", detail, sizeof detail);

    assert_int_equal(e, JSONIN_DUPLICATE_KEY);
    assert_string_equal(jsonin_error_code(e), "duplicate_key");
    assert_int_equal(jsonin_error_status(e), 400);
    assert_null(strstr(detail, "\"a\""));
    assert_int_equal(parse_str("{\"x\": {\"k\": 1, \"k\": 1}}", NULL, 0), JSONIN_DUPLICATE_KEY);
}

static void jsonin_refuses_raw_nul(void **state)
{
    static const char s[] = "{\"a\": \"b\0c\"}";
    json_t *out = NULL;
    char detail[128];
    enum jsonin_error e = jsonin_parse(s, sizeof s - 1, LIMIT, 32, 0, &out, detail, sizeof detail);

    assert_int_equal(e, JSONIN_NUL);
    assert_string_equal(jsonin_error_code(e), "invalid_json");
    assert_null(out);
}

static void jsonin_refuses_escaped_nul(void **state)
{
    char detail[128];

    assert_int_equal(parse_str("{\"a\": \"b\\u0000c\"}", detail, sizeof detail), JSONIN_NUL);
    assert_int_equal(parse_str("{\"a\\u0000\": 1}", NULL, 0), JSONIN_NUL);
}

static void jsonin_refuses_invalid_utf8(void **state)
{
    char detail[128];

    assert_int_equal(parse_str("{\"a\": \"\xff\xfe\"}", detail, sizeof detail), JSONIN_SYNTAX);
    assert_string_equal(detail, "invalid UTF-8");
    assert_int_equal(parse_str("{\"a\": \"\xc0\xaf\"}", NULL, 0), JSONIN_SYNTAX); /* overlong */
    assert_int_equal(parse_str("{\"a\": \"\xed\xa0\x80\"}", NULL, 0),
                     JSONIN_SYNTAX);                                          /* surrogate */
    assert_int_equal(parse_str("{\"\xe2\x82\": 1}", NULL, 0), JSONIN_SYNTAX); /* truncated */
    assert_int_equal(parse_str("{\"a\": \"\xc3\xa9\"}", NULL, 0), JSONIN_OK);
}

static void jsonin_refuses_syntax_errors_without_echo(void **state)
{
    static const char *const bad[] = {
        "{",           "{\"a\": }",    "{\"a\" 1}",        "{'a': 1}",
        "{\"a\": 1,}", "{\"a\": 1} x", "{\"a\": 1}{}",     "{\"a\": tru}",
        "{\"a\": 01}", "{\"a\": NaN}", "secret-token-xyz",
    };
    char detail[128];

    for (size_t i = 0; i < SINAU_ARRAY_LEN(bad); i++) {
        enum jsonin_error e = parse_str(bad[i], detail, sizeof detail);
        assert_int_equal(e, JSONIN_SYNTAX);
        assert_int_equal(jsonin_error_status(e), 400);
        assert_true(strlen(detail) > 0);
        assert_null(strstr(detail, "secret"));
        assert_null(strstr(detail, "tru"));
        assert_null(strchr(detail, '\''));
    }
}

static void jsonin_refuses_number_overflow(void **state)
{
    char detail[128];

    assert_int_equal(parse_str("{\"a\": 99999999999999999999999}", detail, sizeof detail),
                     JSONIN_SYNTAX);
    assert_string_equal(detail, "number out of range");
}

static void jsonin_refuses_wrong_top_level_type(void **state)
{
    static const char *const bad[] = {"[]", "[1, 2]", "1", "\"x\"", "null", "true"};
    char detail[128];

    for (size_t i = 0; i < SINAU_ARRAY_LEN(bad); i++) {
        enum jsonin_error e = parse_str(bad[i], detail, sizeof detail);
        assert_int_equal(e, JSONIN_NOT_OBJECT);
        assert_string_equal(jsonin_error_code(e), "expected_object");
        assert_int_equal(jsonin_error_status(e), 422);
    }
}

static void jsonin_refuses_body_over_limit(void **state)
{
    const char *s = "{\"a\": \"0123456789\"}";
    json_t *out = NULL;
    enum jsonin_error e = jsonin_parse(s, strlen(s), strlen(s) - 1, 32, 0, &out, NULL, 0);

    assert_int_equal(e, JSONIN_TOO_LARGE);
    assert_string_equal(jsonin_error_code(e), "body_too_large");
    assert_int_equal(jsonin_error_status(e), 413);
    assert_int_equal(jsonin_parse(s, strlen(s), strlen(s), 32, 0, &out, NULL, 0), JSONIN_OK);
    json_decref(out);
}

static void jsonin_refuses_empty_body(void **state)
{
    json_t *out = (json_t *)1;
    char detail[128];
    enum jsonin_error e = jsonin_parse(NULL, 0, LIMIT, 32, 0, &out, detail, sizeof detail);

    assert_int_equal(e, JSONIN_EMPTY);
    assert_null(out);
    assert_string_equal(jsonin_error_code(e), "empty_body");
    assert_int_equal(jsonin_error_status(e), 400);
    assert_int_equal(parse_str(" \r\n\t ", NULL, 0), JSONIN_EMPTY);
}

static void jsonin_empty_body_allowed_gives_empty_object(void **state)
{
    json_t *out = NULL;

    assert_int_equal(jsonin_parse("", 0, LIMIT, 32, 1, &out, NULL, 0), JSONIN_OK);
    assert_true(json_is_object(out));
    assert_int_equal(json_object_size(out), 0);
    json_decref(out);
    assert_int_equal(jsonin_parse("  \n", 3, LIMIT, 32, 1, &out, NULL, 0), JSONIN_OK);
    assert_true(json_is_object(out));
    json_decref(out);
    /* allow_empty does not excuse a wrong body */
    assert_int_equal(jsonin_parse(" [] ", 4, LIMIT, 32, 1, &out, NULL, 0), JSONIN_NOT_OBJECT);
}

static void jsonin_detail_truncates_safely(void **state)
{
    char detail[4];

    assert_int_equal(parse_str("{\"a\": 1, \"a\": 2}", detail, sizeof detail),
                     JSONIN_DUPLICATE_KEY);
    assert_string_equal(detail, "dup");
}

static void jsonin_error_codes_are_stable(void **state)
{
    assert_string_equal(jsonin_error_code(JSONIN_NUL), "invalid_json");
    assert_string_equal(jsonin_error_code(JSONIN_SYNTAX), "invalid_json");
    assert_int_equal(jsonin_error_status(JSONIN_NUL), 400);
    assert_int_equal(jsonin_error_status(JSONIN_DUPLICATE_KEY), 400);
    assert_int_equal(jsonin_error_status(JSONIN_OK), 200);
}

/* every error's code and status, from the one table (a value outside the
 * enum answers as a syntax error) */
static void jsonin_answers_per_error(void **state)
{
    static const struct {
        enum jsonin_error e;
        const char *code;
        int status;
    } want[] = {
        {JSONIN_OK, "ok", 200},
        {JSONIN_EMPTY, "empty_body", 400},
        {JSONIN_TOO_LARGE, "body_too_large", 413},
        {JSONIN_TOO_DEEP, "json_too_deep", 400},
        {JSONIN_NUL, "invalid_json", 400},
        {JSONIN_SYNTAX, "invalid_json", 400},
        {JSONIN_DUPLICATE_KEY, "duplicate_key", 400},
        {JSONIN_NOT_OBJECT, "expected_object", 422},
        {(enum jsonin_error)42, "invalid_json", 400},
    };

    (void)state;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_string_equal(jsonin_error_code(want[i].e), want[i].code);
        assert_int_equal(jsonin_error_status(want[i].e), want[i].status);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(jsonin_answers_per_error),
        cmocka_unit_test(jsonin_parses_object),
        cmocka_unit_test(jsonin_refuses_3000_deep_nesting),
        cmocka_unit_test(jsonin_jansson_depth_limit_also_reports_too_deep),
        cmocka_unit_test(jsonin_refuses_unclosed_deep_nesting),
        cmocka_unit_test(jsonin_depth_limit_is_inclusive),
        cmocka_unit_test(jsonin_depth_skips_strings_and_escaped_quotes),
        cmocka_unit_test(jsonin_depth_stops_early_past_limit),
        cmocka_unit_test(jsonin_default_depth_when_zero),
        cmocka_unit_test(jsonin_refuses_duplicate_keys),
        cmocka_unit_test(jsonin_refuses_raw_nul),
        cmocka_unit_test(jsonin_refuses_escaped_nul),
        cmocka_unit_test(jsonin_refuses_invalid_utf8),
        cmocka_unit_test(jsonin_refuses_syntax_errors_without_echo),
        cmocka_unit_test(jsonin_refuses_number_overflow),
        cmocka_unit_test(jsonin_refuses_wrong_top_level_type),
        cmocka_unit_test(jsonin_refuses_body_over_limit),
        cmocka_unit_test(jsonin_refuses_empty_body),
        cmocka_unit_test(jsonin_empty_body_allowed_gives_empty_object),
        cmocka_unit_test(jsonin_detail_truncates_safely),
        cmocka_unit_test(jsonin_error_codes_are_stable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
