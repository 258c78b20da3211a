/* test_names.c — an enum value's name from a table (names.h): set entries
 * answer, holes and values outside the table get the fallback, and the
 * tables of the modules that use it keep their words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sinau/cert/vccheck.h"
#include "sinau/core/csv.h"
#include "sinau/core/names.h"
#include "sinau/core/video.h"
#include "sinau/db/pool.h"

enum colour { RED, GREEN, BLUE, COLOURS };

static const char *const COLOUR_NAMES[] = {[RED] = "red", [BLUE] = "blue"};

static void names_answer_set_entries(void **state)
{
    (void)state;
    assert_string_equal(NAMES_LOOKUP(COLOUR_NAMES, RED, "?"), "red");
    assert_string_equal(NAMES_LOOKUP(COLOUR_NAMES, BLUE, "?"), "blue");
}

static void names_fall_back_on_holes_and_outside_values(void **state)
{
    (void)state;
    assert_string_equal(NAMES_LOOKUP(COLOUR_NAMES, GREEN, "?"), "?"); /* a hole */
    assert_string_equal(NAMES_LOOKUP(COLOUR_NAMES, COLOURS, "?"), "?");
    assert_string_equal(NAMES_LOOKUP(COLOUR_NAMES, -1, "?"), "?");
    assert_string_equal(NAMES_LOOKUP(COLOUR_NAMES, 1L << 40, "?"), "?");
    assert_null(names_lookup(COLOUR_NAMES, 2, BLUE, NULL)); /* n bounds the table */
}

static void names_of_the_modules_that_use_it(void **state)
{
    (void)state;
    assert_string_equal(video_provider_name(VIDEO_YOUTUBE), "youtube");
    assert_string_equal(video_provider_name(VIDEO_TIKTOK), "tiktok");
    assert_string_equal(video_provider_name(VIDEO_NONE), "");
    assert_string_equal(video_provider_name((enum video_provider)7), "");
    assert_string_equal(csv_read_error_text(CSV_OK), "ok");
    assert_string_equal(csv_read_error_text(CSV_FIELD_TOO_LONG),
                        "a cell holds more than 65,536 bytes");
    assert_string_equal(csv_read_error_text((enum csv_read_error)99), "unreadable CSV");
    assert_string_equal(vccheck_status_name(VCCHECK_STATUS_VALID), "valid");
    assert_string_equal(vccheck_status_name(VCCHECK_STATUS_REVOKED), "revoked");
    assert_string_equal(vccheck_status_name(VCCHECK_STATUS_UNKNOWN), "unknown");
    assert_string_equal(db_status_name(DB_OK), "ok");
    assert_string_equal(db_status_name(DB_ERR_BUSY), "busy");
    assert_string_equal(db_status_name((enum db_status) - 1), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_answer_set_entries),
        cmocka_unit_test(names_fall_back_on_holes_and_outside_values),
        cmocka_unit_test(names_of_the_modules_that_use_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
