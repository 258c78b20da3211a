/* http/jschema.h — checks a JSON request body against the JSON Schema that
 * declares it (server/http/jschema.c), for the subset the route schemas
 * use (server/api/schemas/): type (a name or a list of names, "null"
 * among them), properties, required, additionalProperties (false or a
 * schema), enum, items, minItems, maxItems, uniqueItems, minLength,
 * maxLength, minimum, maximum. format is an annotation, as JSON Schema
 * 2020-12 has it by default: the SQL that reads a time or a date decides
 * (with its own error code). $ref is not followed: resolve it first. Pure
 * code: no I/O; any thread. */
#ifndef SINAU_HTTP_JSCHEMA_H
#define SINAU_HTTP_JSCHEMA_H

#include <jansson.h>
#include <stdbool.h>

#include "sinau/core/common.h"

/* Why a value does not match: what http_unpack would say. */
typedef struct jschema_error {
    bool unknown;    /* an undeclared member (additionalProperties: false) */
    char field[128]; /* the member it is about (the innermost name); "" for the body */
    char text[192];  /* what is wrong, naming the member, never its value */
} jschema_error;

/* Checks value against schema (borrowed both; a schema that is not an
 * object accepts anything). Members are checked in the order of the
 * schema's properties, then the undeclared ones, as json_unpack does.
 * Returns 0, or -1 with *err filled. */
SINAU_MUST_CHECK int jschema_check(const json_t *schema, const json_t *value, jschema_error *err);

#endif /* SINAU_HTTP_JSCHEMA_H */
