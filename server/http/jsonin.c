/* jsonin.c — strict JSON request bodies: cheap checks first (size, NUL bytes,
 * blank body, nesting depth), then jansson with duplicate keys refused, then
 * the top-level type. Error details are fixed English phrases plus, for
 * syntax errors, a line and column: never bytes of the input, which may be
 * hostile and are echoed to clients. */
#include "sinau/http/jsonin.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sinau/core/common.h"

/* Writes a fixed message into detail (when the caller wants one). */
static void set_detail(char *detail, size_t detail_len, const char *msg)
{
    if (detail != NULL && detail_len > 0) {
        snprintf(detail, detail_len, "%s", msg);
    }
}

/* True when buf holds only JSON whitespace (RFC 8259: space, tab, LF, CR). */
static bool all_whitespace(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            return false;
        }
    }
    return true;
}

int jsonin_depth(const char *buf, size_t len, int limit)
{
    bool in_string = false;
    int depth = 0;
    int max = 0;

    for (size_t i = 0; i < len; i++) {
        char c = buf[i];

        if (in_string) {
            if (c == '\\') {
                i++; /* the escaped byte, even a quote, cannot end the string */
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            depth++;
            if (depth > max) {
                max = depth;
            }
            if (max > limit) {
                return limit + 1;
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return max;
}

/* Maps a jansson failure to our error and a detail without input bytes. */
static enum jsonin_error classify(const json_error_t *err, char *detail, size_t detail_len)
{
    switch (json_error_code(err)) {
    case json_error_duplicate_key:
        set_detail(detail, detail_len, "duplicate object key");
        return JSONIN_DUPLICATE_KEY;
    case json_error_null_character:
    case json_error_null_byte_in_key:
        set_detail(detail, detail_len, "NUL character (\\u0000) not allowed");
        return JSONIN_NUL;
    case json_error_invalid_utf8:
        set_detail(detail, detail_len, "invalid UTF-8");
        return JSONIN_SYNTAX;
    case json_error_stack_overflow: /* only if max_depth exceeds jansson's own limit */
        set_detail(detail, detail_len, "JSON nested too deeply");
        return JSONIN_TOO_DEEP;
    case json_error_numeric_overflow:
        set_detail(detail, detail_len, "number out of range");
        return JSONIN_SYNTAX;
    default:
        if (detail != NULL && detail_len > 0) {
            snprintf(detail, detail_len, "invalid JSON at line %d, column %d", err->line,
                     err->column);
        }
        return JSONIN_SYNTAX;
    }
}

/* The checks that need no parsing, in order of cost. Returns JSONIN_OK when
 * jansson should parse; *blank is set for an empty or whitespace body. */
static enum jsonin_error prescan(const char *buf, size_t len, size_t max_len, int max_depth,
                                 bool *blank, char *detail, size_t detail_len)
{
    *blank = false;
    if (len > max_len) {
        set_detail(detail, detail_len, "body too large");
        return JSONIN_TOO_LARGE;
    }
    if (len == 0 || all_whitespace(buf, len)) {
        *blank = true;
        return JSONIN_OK;
    }
    if (memchr(buf, '\0', len) != NULL) {
        set_detail(detail, detail_len, "NUL byte not allowed");
        return JSONIN_NUL;
    }
    if (jsonin_depth(buf, len, max_depth) > max_depth) {
        set_detail(detail, detail_len, "JSON nested too deeply");
        return JSONIN_TOO_DEEP;
    }
    return JSONIN_OK;
}

enum jsonin_error jsonin_parse(const char *buf, size_t len, size_t max_len, int max_depth,
                               int allow_empty, json_t **out, char *detail, size_t detail_len)
{
    json_error_t err;
    json_t *root = NULL;
    enum jsonin_error rc;
    bool blank;

    *out = NULL;
    set_detail(detail, detail_len, "");
    if (max_depth <= 0) {
        max_depth = JSONIN_DEFAULT_DEPTH;
    }
    rc = prescan(buf, len, max_len, max_depth, &blank, detail, detail_len);
    if (rc != JSONIN_OK) {
        goto out;
    }
    if (blank) {
        if (!allow_empty) {
            set_detail(detail, detail_len, "request body is empty");
            rc = JSONIN_EMPTY;
            goto out;
        }
        root = json_object();
        goto out;
    }
    /* JSON_DECODE_ANY so that `[1]` or `"x"` is reported as the wrong type,
     * not as a syntax error */
    root = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
    if (root == NULL) {
        rc = classify(&err, detail, detail_len);
        goto out;
    }
    if (!json_is_object(root)) {
        set_detail(detail, detail_len, "expected a JSON object");
        rc = JSONIN_NOT_OBJECT;
        json_decref(root);
        root = NULL;
    }
out:
    *out = root;
    return rc;
}

/* What the API answers for each error: its stable code and HTTP status,
 * in one table indexed by the error. */
typedef struct answer {
    const char *code;
    int status;
} answer;

static const answer ANSWERS[] = {
    [JSONIN_OK] = {"ok", 200},
    [JSONIN_EMPTY] = {"empty_body", 400},
    [JSONIN_TOO_LARGE] = {"body_too_large", 413},
    [JSONIN_TOO_DEEP] = {"json_too_deep", 400},
    [JSONIN_NUL] = {"invalid_json", 400},
    [JSONIN_SYNTAX] = {"invalid_json", 400},
    [JSONIN_DUPLICATE_KEY] = {"duplicate_key", 400},
    [JSONIN_NOT_OBJECT] = {"expected_object", 422},
};

/* e's answer; a value outside the enum answers as a syntax error. */
static const answer *answer_of(enum jsonin_error e)
{
    return (unsigned)e < SINAU_ARRAY_LEN(ANSWERS) ? &ANSWERS[e] : &ANSWERS[JSONIN_SYNTAX];
}

const char *jsonin_error_code(enum jsonin_error e)
{
    return answer_of(e)->code;
}

int jsonin_error_status(enum jsonin_error e)
{
    return answer_of(e)->status;
}
