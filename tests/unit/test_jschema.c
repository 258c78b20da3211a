/* test_jschema.c — unit tests for jschema.c: each keyword of the subset the
 * route schemas use accepts what it declares and refuses the rest, naming
 * the member (never the value) and telling an undeclared member apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "sinau/http/jschema.h"

/* A schema like the route declarations: a session, with every keyword. */
static const char *const schema_text =
    "{\"type\": \"object\", \"additionalProperties\": false,"
    " \"required\": [\"title\", \"starts_at\"],"
    " \"properties\": {"
    "  \"title\": {\"type\": \"string\", \"minLength\": 2, \"maxLength\": 5},"
    "  \"starts_at\": {\"type\": \"string\", \"format\": \"date-time\"},"
    "  \"place\": {\"type\": [\"string\", \"null\"]},"
    "  \"kind\": {\"type\": \"string\", \"enum\": [\"online\", \"offline\"]},"
    "  \"quota\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 10},"
    "  \"weight\": {\"type\": \"number\"},"
    "  \"open\": {\"type\": \"boolean\"},"
    "  \"ids\": {\"type\": \"array\", \"minItems\": 1, \"maxItems\": 3, \"uniqueItems\": true,"
    "           \"items\": {\"type\": \"string\"}},"
    "  \"segments\": {\"type\": \"array\", \"items\": {\"type\": \"object\","
    "     \"additionalProperties\": false, \"required\": [\"segment\"],"
    "     \"properties\": {\"segment\": {\"type\": \"string\"}}}},"
    "  \"extra\": {\"type\": \"object\", \"additionalProperties\": {\"type\": \"integer\"}}"
    " }}";

/* Checks body (JSON text) against the schema; returns jschema_check's
 * answer with *err filled. */
static int run(const char *body, jschema_error *err)
{
    json_t *schema = json_loads(schema_text, 0, NULL);
    json_t *value = json_loads(body, JSON_DECODE_ANY, NULL);
    int rc;

    assert_non_null(schema);
    assert_non_null(value);
    memset(err, 0, sizeof *err);
    rc = jschema_check(schema, value, err);
    json_decref(value);
    json_decref(schema);
    return rc;
}

/* body is refused about field, as an undeclared member or not, and the
 * text names the field but never the value secret. */
static void refused(const char *body, const char *field, bool unknown)
{
    jschema_error err;

    assert_int_equal(run(body, &err), -1);
    assert_string_equal(err.field, field);
    assert_int_equal(err.unknown, unknown);
    assert_non_null(strstr(err.text, field[0] != '\0' ? field : "body"));
    assert_null(strstr(err.text, "secret"));
}

static void accepts_what_it_declares(void **state)
{
    jschema_error err;

    (void)state;
    assert_int_equal(run("{\"title\": \"abc\", \"starts_at\": \"2031-01-01T00:00:00Z\"}", &err), 0);
    assert_int_equal(run("{\"title\": \"ab\", \"starts_at\": \"x\", \"place\": null,"
                         " \"kind\": \"online\", \"quota\": 10, \"weight\": 2, \"open\": false,"
                         " \"ids\": [\"a\", \"b\"], \"segments\": [{\"segment\": \"s\"}],"
                         " \"extra\": {\"a\": 1}}",
                         &err),
                     0);
    /* lengths count code points: five, in ten bytes */
    assert_int_equal(
        run("{\"title\": \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\", \"starts_at\": \"\"}", &err),
        0);
}

static void refuses_missing_and_unknown_members(void **state)
{
    (void)state;
    refused("{\"starts_at\": \"x\"}", "title", false);
    refused("{\"title\": \"abc\", \"starts_at\": \"x\", \"zz\": \"secret\"}", "zz", true);
    /* a member of the wrong type before an unknown one: the declared one first */
    refused("{\"title\": 5, \"starts_at\": \"x\", \"zzz\": 1}", "title", false);
    refused("{\"title\": \"abc\", \"starts_at\": \"x\", \"segments\": [{\"segment\": \"s\","
            " \"other\": 1}]}",
            "other", true);
    refused("{\"title\": \"abc\", \"starts_at\": \"x\", \"segments\": [{}]}", "segment", false);
}

static void refuses_wrong_types(void **state)
{
    (void)state;
    refused("[]", "", false);
    refused("{\"title\": null, \"starts_at\": \"x\"}", "title", false);
    refused("{\"title\": \"abc\", \"starts_at\": \"x\", \"quota\": 1.5}", "quota", false);
    refused("{\"title\": \"abc\", \"starts_at\": \"x\", \"quota\": \"1\"}", "quota", false);
    refused("{\"title\": \"abc\", \"starts_at\": \"x\", \"weight\": \"secret\"}", "weight", false);
    refused("{\"title\": \"abc\", \"starts_at\": \"x\", \"open\": 1}", "open", false);
    refused("{\"title\": \"abc\", \"starts_at\": \"x\", \"place\": 3}", "place", false);
    refused("{\"title\": \"abc\", \"starts_at\": \"x\", \"ids\": [1]}", "ids", false);
    refused("{\"title\": \"abc\", \"starts_at\": \"x\", \"extra\": {\"a\": \"secret\"}}", "a",
            false);
}

static void refuses_values_out_of_bounds(void **state)
{
    (void)state;
    refused("{\"title\": \"a\", \"starts_at\": \"x\"}", "title", false);
    refused("{\"title\": \"secret\", \"starts_at\": \"x\"}", "title", false);
    refused("{\"title\": \"abc\", \"starts_at\": \"x\", \"kind\": \"secret\"}", "kind", false);
    refused("{\"title\": \"abc\", \"starts_at\": \"x\", \"quota\": 0}", "quota", false);
    refused("{\"title\": \"abc\", \"starts_at\": \"x\", \"quota\": 11}", "quota", false);
    refused("{\"title\": \"abc\", \"starts_at\": \"x\", \"ids\": []}", "ids", false);
    refused("{\"title\": \"abc\", \"starts_at\": \"x\", \"ids\": [\"a\", \"b\", \"c\", \"d\"]}",
            "ids", false);
    refused("{\"title\": \"abc\", \"starts_at\": \"x\", \"ids\": [\"a\", \"a\"]}", "ids", false);
}

static void a_schema_that_is_no_object_accepts_anything(void **state)
{
    jschema_error err;
    json_t *v = json_pack("{s:i}", "a", 1);

    (void)state;
    assert_int_equal(jschema_check(json_true(), v, &err), 0);
    assert_int_equal(jschema_check(NULL, v, &err), 0);
    json_decref(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_what_it_declares),
        cmocka_unit_test(refuses_missing_and_unknown_members),
        cmocka_unit_test(refuses_wrong_types),
        cmocka_unit_test(refuses_values_out_of_bounds),
        cmocka_unit_test(a_schema_that_is_no_object_accepts_anything),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
