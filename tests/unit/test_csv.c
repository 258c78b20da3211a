/* test_csv.c — spreadsheet-safe CSV (csv.h): separators, quoting, line
 * breaks, formula injection, numbers we wrote; and reading back what a
 * spreadsheet saved (separator, quotes, line ends, encodings, errors). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "sinau/core/csv.h"

static const char *row(csv_buf *b, const char *const *fields, size_t n)
{
    csv_begin(b);
    for (size_t i = 0; i < n; i++)
        csv_field(b, fields[i]);
    csv_end_row(b);
    return b->data + 3; /* after the byte-order mark */
}

static void csv_starts_with_a_utf8_bom_and_uses_semicolons(void **state)
{
    csv_buf b;
    const char *f[] = {"Siti", "ASN", "Kota Malang"};

    row(&b, f, 3);
    assert_memory_equal(b.data, "\xEF\xBB\xBF", 3);
    assert_string_equal(b.data + 3, "Siti;ASN;Kota Malang\r\n");
    csv_free(&b);
}

static void csv_quotes_separators_quotes_and_newlines(void **state)
{
    csv_buf b;
    const char *f[] = {"a;b", "say \"hi\"", "two\nlines", "1,5"};

    assert_string_equal(row(&b, f, 4), "\"a;b\";\"say \"\"hi\"\"\";\"two\nlines\";\"1,5\"\r\n");
    csv_free(&b);
}

static void csv_defuses_formulas(void **state)
{
    csv_buf b;
    const char *f[] = {"=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "ok=fine"};

    assert_string_equal(row(&b, f, 5), "\"'=HYPERLINK(\"\"x\"\")\";'+1;'-2;'@SUM(A1);ok=fine\r\n");
    csv_free(&b);
}

static void csv_empty_and_null_fields_stay_empty(void **state)
{
    csv_buf b;
    const char *f[] = {"", NULL, "x"};

    assert_string_equal(row(&b, f, 3), ";;x\r\n");
    csv_free(&b);
}

static void csv_keeps_utf8_text_as_is(void **state)
{
    csv_buf b;
    const char *f[] = {"Dinas Komunikasi dan Informatika — Kota Malang", "Ngalam ☕"};

    assert_string_equal(row(&b, f, 2),
                        "Dinas Komunikasi dan Informatika — Kota Malang;Ngalam ☕\r\n");
    csv_free(&b);
}

static void csv_numbers_stay_numbers(void **state)
{
    csv_buf b;

    csv_begin(&b);
    csv_number(&b, "-12,5");
    csv_number(&b, "7");
    csv_number(&b, NULL);
    csv_number(&b, "-=1");
    csv_end_row(&b);
    assert_string_equal(b.data + 3, "\"-12,5\";7;;'-=1\r\n");
    csv_free(&b);
}

/* Row r, field f of a parse, or NULL. */
static const char *cell(json_t *rows, size_t r, size_t f)
{
    return json_string_value(json_array_get(json_array_get(rows, r), f));
}

static void csv_reads_semicolons_quotes_and_line_ends(void **state)
{
    const char *text = "\xEF\xBB\xBFtipe;soal;kunci\r\npg;\"a; \"\"b\"\"\nc\";A\r\n;;\nx;;\r";
    json_t *rows = NULL;
    size_t line = 0;

    assert_int_equal(csv_parse(text, strlen(text), &rows, &line), CSV_OK);
    assert_int_equal(json_array_size(rows), 4);
    assert_string_equal(cell(rows, 0, 0), "tipe");
    assert_string_equal(cell(rows, 1, 1), "a; \"b\"\nc");
    assert_string_equal(cell(rows, 1, 2), "A");
    assert_int_equal(json_array_size(json_array_get(rows, 2)), 0); /* a blank row kept empty */
    assert_string_equal(cell(rows, 3, 0), "x");
    assert_int_equal(json_array_size(json_array_get(rows, 3)), 3);
    json_decref(rows);
}

static void csv_detects_commas_and_tabs(void **state)
{
    json_t *rows = NULL;
    size_t line = 0;

    assert_int_equal(csv_parse("a,b;c,d\n1,2\n", strlen("a,b;c,d\n1,2\n"), &rows, &line), CSV_OK);
    assert_string_equal(cell(rows, 0, 1), "b;c");
    json_decref(rows);
    assert_int_equal(csv_parse("a\tb\n1\t2", strlen("a\tb\n1\t2"), &rows, &line), CSV_OK);
    assert_string_equal(cell(rows, 1, 1), "2");
    json_decref(rows);
}

static void csv_reads_windows_1252_as_utf8(void **state)
{
    /* "Café – €5" as Excel's "CSV" saves it on Windows */
    const char text[] = "Caf\xE9 \x96 \x80"
                        "5;x\n";
    json_t *rows = NULL;
    size_t line = 0;

    assert_int_equal(csv_parse(text, sizeof text - 1, &rows, &line), CSV_OK);
    assert_string_equal(cell(rows, 0, 0), "Café – €5");
    json_decref(rows);
}

static void csv_refuses_what_it_cannot_read(void **state)
{
    json_t *rows = NULL;
    size_t line = 0;

    assert_int_equal(csv_parse("a;b\n\"open;x\n", strlen("a;b\n\"open;x\n"), &rows, &line),
                     CSV_QUOTE);
    assert_null(rows);
    assert_int_equal(line, 2);
    assert_int_equal(csv_parse("a;\"b\"c\n", strlen("a;\"b\"c\n"), &rows, &line), CSV_QUOTE);
    assert_int_equal(csv_parse("a\0b", 3, &rows, &line), CSV_BINARY);
    assert_int_equal(csv_parse("\n;;\n", strlen("\n;;\n"), &rows, &line), CSV_EMPTY);
    assert_int_equal(line, 1);
    assert_string_equal(csv_read_error_text(CSV_QUOTE), "a quoted field is not closed properly");
}

static void csv_bounds_rows_and_width(void **state)
{
    csv_buf b;
    json_t *rows = NULL;
    size_t line = 0;

    memset(&b, 0, sizeof b);
    for (int i = 0; i < CSV_MAX_FIELDS + 1; i++)
        csv_field(&b, "x");
    csv_end_row(&b);
    assert_int_equal(csv_parse(b.data, b.len, &rows, &line), CSV_TOO_WIDE);
    csv_free(&b);
    memset(&b, 0, sizeof b);
    for (int i = 0; i < CSV_MAX_ROWS + 1; i++) {
        csv_field(&b, "x");
        csv_end_row(&b);
    }
    assert_int_equal(csv_parse(b.data, b.len, &rows, &line), CSV_TOO_MANY_ROWS);
    assert_int_equal(line, CSV_MAX_ROWS + 1);
    csv_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_starts_with_a_utf8_bom_and_uses_semicolons),
        cmocka_unit_test(csv_quotes_separators_quotes_and_newlines),
        cmocka_unit_test(csv_defuses_formulas),
        cmocka_unit_test(csv_empty_and_null_fields_stay_empty),
        cmocka_unit_test(csv_keeps_utf8_text_as_is),
        cmocka_unit_test(csv_numbers_stay_numbers),
        cmocka_unit_test(csv_reads_semicolons_quotes_and_line_ends),
        cmocka_unit_test(csv_detects_commas_and_tabs),
        cmocka_unit_test(csv_reads_windows_1252_as_utf8),
        cmocka_unit_test(csv_refuses_what_it_cannot_read),
        cmocka_unit_test(csv_bounds_rows_and_width),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
