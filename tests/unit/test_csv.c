/* test_csv.c — spreadsheet-safe CSV (csv.h): separators, quoting, line
 * breaks, and formula injection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "sinau/csv.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_starts_with_a_utf8_bom_and_uses_semicolons),
        cmocka_unit_test(csv_quotes_separators_quotes_and_newlines),
        cmocka_unit_test(csv_defuses_formulas),
        cmocka_unit_test(csv_empty_and_null_fields_stay_empty),
        cmocka_unit_test(csv_keeps_utf8_text_as_is),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
