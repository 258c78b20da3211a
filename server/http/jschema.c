/* jschema.c — a JSON Schema validator for the subset the route schemas use
 * (http/jschema.h), so the declaration of a request body is what the
 * server enforces. The first refusal wins; its text names the member and
 * the kind of value, never the value. */
#include "sinau/http/jschema.h"

#include <stdio.h>
#include <string.h>

static int check(const json_t *schema, const json_t *value, const char *name, jschema_error *err);

/* Fills *err about name (NULL: the body) and returns -1. */
static int refuse(jschema_error *err, bool unknown, const char *name, const char *what)
{
    err->unknown = unknown;
    snprintf(err->field, sizeof err->field, "%s", name != NULL ? name : "");
    snprintf(err->text, sizeof err->text, "%s: %s", name != NULL ? name : "body", what);
    return -1;
}

/* The JSON Schema name of value's type ("integer" for a whole number). */
static const char *type_name(const json_t *value)
{
    static const char *const names[] = {
        [JSON_OBJECT] = "object",   [JSON_ARRAY] = "array", [JSON_STRING] = "string",
        [JSON_INTEGER] = "integer", [JSON_REAL] = "number", [JSON_TRUE] = "boolean",
        [JSON_FALSE] = "boolean",   [JSON_NULL] = "null",
    };

    return names[json_typeof(value)];
}

/* True when value is of the type named want. */
static bool type_is(const json_t *value, const char *want)
{
    const char *have = type_name(value);

    return strcmp(want, have) == 0 || (strcmp(want, "number") == 0 && json_is_integer(value));
}

static int check_type(const json_t *type, const json_t *value, const char *name, jschema_error *err)
{
    char what[96];
    size_t i;
    json_t *t;

    if (type == NULL)
        return 0;
    if (json_is_string(type) && type_is(value, json_string_value(type)))
        return 0;
    json_array_foreach (type, i, t)
        if (json_is_string(t) && type_is(value, json_string_value(t)))
            return 0;
    snprintf(what, sizeof what, "expected %s, got %s",
             json_is_string(type) ? json_string_value(type) : "another type", type_name(value));
    return refuse(err, false, name, what);
}

static int check_enum(const json_t *allowed, const json_t *value, const char *name,
                      jschema_error *err)
{
    size_t i;
    json_t *v;

    if (allowed == NULL)
        return 0;
    json_array_foreach (allowed, i, v)
        if (json_equal(v, value))
            return 0;
    return refuse(err, false, name, "not one of the allowed values");
}

/* minKey/maxKey of schema bound n (a length, a count or a number). */
static int check_bounds(const json_t *schema, const char *min_key, const char *max_key, double n,
                        const char *name, jschema_error *err)
{
    const json_t *min = json_object_get(schema, min_key), *max = json_object_get(schema, max_key);
    char what[64];

    if (min != NULL && n < json_number_value(min)) {
        snprintf(what, sizeof what, "below %s", min_key);
        return refuse(err, false, name, what);
    }
    if (max != NULL && n > json_number_value(max)) {
        snprintf(what, sizeof what, "above %s", max_key);
        return refuse(err, false, name, what);
    }
    return 0;
}

/* The length of a UTF-8 string in code points, as JSON Schema counts. */
static double code_points(const json_t *value)
{
    const char *s = json_string_value(value);
    size_t n = 0;

    for (size_t i = 0; i < json_string_length(value); i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return (double)n;
}

/* An object's members: each declared one present is checked, the required
 * ones must be there, and undeclared ones meet additionalProperties. */
static int check_object(const json_t *schema, const json_t *value, jschema_error *err)
{
    const json_t *props = json_object_get(schema, "properties");
    const json_t *extra = json_object_get(schema, "additionalProperties");
    const char *key;
    json_t *sub, *member;
    size_t i;

    json_object_foreach ((json_t *)props, key, sub) {
        member = json_object_get(value, key);
        if (member != NULL && check(sub, member, key, err) != 0)
            return -1;
    }
    json_array_foreach (json_object_get(schema, "required"), i, sub)
        if (json_object_get(value, json_string_value(sub)) == NULL)
            return refuse(err, false, json_string_value(sub), "required member not present");
    json_object_foreach ((json_t *)value, key, member) {
        if (json_object_get(props, key) != NULL)
            continue;
        if (json_is_false(extra))
            return refuse(err, true, key, "member not allowed here");
        if (json_is_object(extra) && check(extra, member, key, err) != 0)
            return -1;
    }
    return 0;
}

/* An array's items: each one, their count and, when asked, uniqueness. */
static int check_array(const json_t *schema, const json_t *value, const char *name,
                       jschema_error *err)
{
    const json_t *items = json_object_get(schema, "items");
    size_t i, j;
    json_t *v;

    if (check_bounds(schema, "minItems", "maxItems", (double)json_array_size(value), name, err))
        return -1;
    json_array_foreach (value, i, v) {
        if (check(items, v, name, err) != 0)
            return -1;
        for (j = 0; json_is_true(json_object_get(schema, "uniqueItems")) && j < i; j++)
            if (json_equal(json_array_get(value, j), v))
                return refuse(err, false, name, "items not unique");
    }
    return 0;
}

static int check(const json_t *schema, const json_t *value, const char *name, jschema_error *err)
{
    if (!json_is_object(schema))
        return 0;
    if (check_type(json_object_get(schema, "type"), value, name, err) != 0 ||
        check_enum(json_object_get(schema, "enum"), value, name, err) != 0)
        return -1;
    if (json_is_object(value))
        return check_object(schema, value, err);
    if (json_is_array(value))
        return check_array(schema, value, name, err);
    if (json_is_string(value))
        return check_bounds(schema, "minLength", "maxLength", code_points(value), name, err);
    if (json_is_number(value))
        return check_bounds(schema, "minimum", "maximum", json_number_value(value), name, err);
    return 0;
}

int jschema_check(const json_t *schema, const json_t *value, jschema_error *err)
{
    return check(schema, value, NULL, err);
}
