/* fuzz_csv.c — libFuzzer driver for csv.c's reader (question banks come
 * from anyone with an author's account): any bytes either parse or give an
 * error with a row number; a parse is an array of rows, each an array of
 * at most CSV_MAX_FIELDS valid UTF-8 strings, at most CSV_MAX_ROWS rows,
 * and writing the rows back with csv_field and reading that again gives the
 * same cells. */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "sinau/core/csv.h"
#include "sinau/core/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The rows written back as CSV (quotes as needed; formulas defused, so a
 * cell starting with one of = + - @ TAB CR gains a quote and is skipped in
 * the comparison). */
static void write_back(json_t *rows, csv_buf *b)
{
    size_t i, j;
    json_t *row, *v;

    csv_begin(b);
    json_array_foreach (rows, i, row) {
        json_array_foreach (row, j, v)
            csv_field(b, json_string_value(v));
        csv_end_row(b);
    }
}

static bool formula(const char *s)
{
    return s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *rows = NULL, *again = NULL, *row, *v;
    size_t line = 0, i, j;
    csv_buf b;

    if (csv_parse((const char *)data, size, &rows, &line) != CSV_OK) {
        CHECK(rows == NULL && line >= 1);
        return 0;
    }
    CHECK(json_is_array(rows) && json_array_size(rows) <= CSV_MAX_ROWS);
    json_array_foreach (rows, i, row) {
        CHECK(json_is_array(row) && json_array_size(row) <= CSV_MAX_FIELDS);
        json_array_foreach (row, j, v)
            CHECK(json_is_string(v) && utf8_valid(json_string_value(v)));
    }
    write_back(rows, &b);
    if (csv_parse(b.data, b.len, &again, &line) == CSV_OK) {
        json_array_foreach (rows, i, row) {
            json_t *other = json_array_get(again, i);
            json_array_foreach (row, j, v) {
                const char *s = json_string_value(v);
                if (!formula(s) && json_array_size(row) > 1)
                    CHECK(strcmp(s, json_string_value(json_array_get(other, j))) == 0);
            }
        }
        json_decref(again);
    }
    csv_free(&b);
    json_decref(rows);
    return 0;
}
