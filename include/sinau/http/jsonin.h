/* http/jsonin.h — strict reading of JSON request bodies.
 *
 * Refuses, each with its own error: an empty body where one is required,
 * bodies over the size limit, nesting deeper than the depth limit (checked by
 * a scan before jansson parses, so hostile nesting costs nothing), invalid
 * UTF-8, NUL bytes (raw or \u0000), syntax errors, duplicate keys, and a top
 * level that is not an object. Pure code: no libevent, no I/O. Thread-safe. */
#ifndef SINAU_HTTP_JSONIN_H
#define SINAU_HTTP_JSONIN_H

#include <jansson.h>
#include <stddef.h>

#include "sinau/core/common.h"

#define JSONIN_DEFAULT_DEPTH 32

enum jsonin_error {
    JSONIN_OK = 0,
    JSONIN_EMPTY,         /* 400 empty_body */
    JSONIN_TOO_LARGE,     /* 413 body_too_large */
    JSONIN_TOO_DEEP,      /* 400 json_too_deep */
    JSONIN_NUL,           /* 400 invalid_json (NUL byte or \u0000) */
    JSONIN_SYNTAX,        /* 400 invalid_json (also invalid UTF-8) */
    JSONIN_DUPLICATE_KEY, /* 400 duplicate_key */
    JSONIN_NOT_OBJECT,    /* 422 expected_object */
};

/* Parses buf[0..len) into a new object in *out (owned by the caller,
 * json_decref). allow_empty: an empty or all-whitespace body gives an empty
 * object instead of JSONIN_EMPTY. On failure *out is NULL and, when detail is
 * not NULL, a short English description without any of the input's bytes
 * (safe to send to clients) is written to it. */
SINAU_MUST_CHECK enum jsonin_error jsonin_parse(const char *buf, size_t len, size_t max_len,
                                                int max_depth, int allow_empty, json_t **out,
                                                char *detail, size_t detail_len);

/* Deepest nesting of arrays/objects in buf (strings skipped), stopping early
 * once limit is exceeded (returns limit + 1 then). */
int jsonin_depth(const char *buf, size_t len, int limit);

/* Stable error code for the API ("invalid_json", "duplicate_key", ...). */
const char *jsonin_error_code(enum jsonin_error e);

/* HTTP status for the error (400, 413 or 422). */
int jsonin_error_status(enum jsonin_error e);

#endif /* SINAU_HTTP_JSONIN_H */
