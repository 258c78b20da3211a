/* test_idnum.c — unit tests for idnum.c: NIK, NIP and NIB plausibility,
 * masks, and Indonesian mobile number normalisation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "sinau/core/idnum.h"

#define YEAR 2025 /* "current year" for NIP checks */

/* ---- NIK --------------------------------------------------------------- */

static void nik_accepts_plausible_numbers(void **state)
{
    assert_int_equal(idnum_nik_check("3573011203900001"), IDNUM_OK); /* Kota Malang */
    assert_int_equal(idnum_nik_check("1101010101000001"), IDNUM_OK); /* Aceh, 1 Jan */
    assert_int_equal(idnum_nik_check("6571013112999999"), IDNUM_OK); /* Kaltara, 31 Dec */
    assert_int_equal(idnum_nik_check("9701010101010001"), IDNUM_OK); /* Papua, newest */
    assert_int_equal(idnum_nik_check("3599990101900001"), IDNUM_OK); /* regency 99 */
}

static void nik_accepts_womens_day_plus_40(void **state)
{
    assert_int_equal(idnum_nik_check("3573015203900001"), IDNUM_OK); /* 12 Mar */
    assert_int_equal(idnum_nik_check("3573014101900001"), IDNUM_OK); /* 1 Jan */
    assert_int_equal(idnum_nik_check("3573017101900001"), IDNUM_OK); /* 31 Jan */
    assert_int_equal(idnum_nik_check("3573016902040001"), IDNUM_OK); /* 29 Feb 2004 */
}

static void nik_refuses_impossible_days(void **state)
{
    assert_int_equal(idnum_nik_check("3573010003900001"), IDNUM_ERR_BIRTH_DATE); /* day 00 */
    assert_int_equal(idnum_nik_check("3573013203900001"), IDNUM_ERR_BIRTH_DATE); /* day 32 */
    assert_int_equal(idnum_nik_check("3573014003900001"), IDNUM_ERR_BIRTH_DATE); /* day 40 */
    assert_int_equal(idnum_nik_check("3573017203900001"), IDNUM_ERR_BIRTH_DATE); /* day 72 */
    assert_int_equal(idnum_nik_check("3573019903900001"), IDNUM_ERR_BIRTH_DATE); /* day 99 */
}

static void nik_refuses_31_february_and_31_april(void **state)
{
    assert_int_equal(idnum_nik_check("3573013102900001"), IDNUM_ERR_BIRTH_DATE);
    assert_int_equal(idnum_nik_check("3573017102900001"), IDNUM_ERR_BIRTH_DATE); /* woman */
    assert_int_equal(idnum_nik_check("3573013002900001"), IDNUM_ERR_BIRTH_DATE); /* 30 Feb */
    assert_int_equal(idnum_nik_check("3573013104900001"), IDNUM_ERR_BIRTH_DATE);
    assert_int_equal(idnum_nik_check("3573013004900001"), IDNUM_OK); /* 30 Apr */
}

static void nik_29_february_only_in_leap_years(void **state)
{
    assert_int_equal(idnum_nik_check("3573012902000001"), IDNUM_OK); /* 2000 (1900 not) */
    assert_int_equal(idnum_nik_check("3573012902960001"), IDNUM_OK); /* 1996 */
    assert_int_equal(idnum_nik_check("3573012902010001"), IDNUM_ERR_BIRTH_DATE);
    assert_int_equal(idnum_nik_check("3573016902990001"), IDNUM_ERR_BIRTH_DATE);
}

static void nik_refuses_month_00_and_13(void **state)
{
    assert_int_equal(idnum_nik_check("3573011200900001"), IDNUM_ERR_BIRTH_DATE);
    assert_int_equal(idnum_nik_check("3573011213900001"), IDNUM_ERR_BIRTH_DATE);
}

static void nik_refuses_unknown_regions(void **state)
{
    assert_int_equal(idnum_nik_check("0073011203900001"), IDNUM_ERR_REGION);
    assert_int_equal(idnum_nik_check("9973011203900001"), IDNUM_ERR_REGION);
    assert_int_equal(idnum_nik_check("2073011203900001"), IDNUM_ERR_REGION);
    assert_int_equal(idnum_nik_check("1073011203900001"), IDNUM_ERR_REGION);
    assert_int_equal(idnum_nik_check("5473011203900001"), IDNUM_ERR_REGION); /* Timor Timur */
    assert_int_equal(idnum_nik_check("9873011203900001"), IDNUM_ERR_REGION);
    assert_int_equal(idnum_nik_check("3500011203900001"), IDNUM_ERR_REGION); /* regency 00 */
    assert_int_equal(idnum_nik_check("3573001203900001"), IDNUM_ERR_REGION); /* district 00 */
}

static void nik_refuses_serial_0000(void **state)
{
    assert_int_equal(idnum_nik_check("3573011203900000"), IDNUM_ERR_SERIAL);
}

static void nik_refuses_anything_but_ascii_digits(void **state)
{
    assert_int_equal(idnum_nik_check("3573O11203900001"), IDNUM_ERR_NOT_DIGITS); /* letter O */
    assert_int_equal(idnum_nik_check("3573 011203900001"), IDNUM_ERR_NOT_DIGITS);
    assert_int_equal(idnum_nik_check(" 3573011203900001"), IDNUM_ERR_NOT_DIGITS);
    assert_int_equal(idnum_nik_check("3573011203900001\n"), IDNUM_ERR_NOT_DIGITS);
    assert_int_equal(idnum_nik_check("+573011203900001"), IDNUM_ERR_NOT_DIGITS);
    assert_int_equal(idnum_nik_check("-573011203900001"), IDNUM_ERR_NOT_DIGITS);
    /* full-width digits, UTF-8 */
    assert_int_equal(idnum_nik_check("\xef\xbc\x93\xef\xbc\x95\xef\xbc\x97\xef\xbc\x93"
                                     "011203900001"),
                     IDNUM_ERR_NOT_DIGITS);
    /* Arabic-Indic digits, UTF-8 */
    assert_int_equal(idnum_nik_check("\xd9\xa3\xd9\xa5\xd9\xa7\xd9\xa3"
                                     "011203900001"),
                     IDNUM_ERR_NOT_DIGITS);
    /* a letter beats a wrong length */
    assert_int_equal(idnum_nik_check("35a"), IDNUM_ERR_NOT_DIGITS);
}

static void nik_refuses_wrong_length(void **state)
{
    assert_int_equal(idnum_nik_check("357301120390001"), IDNUM_ERR_LENGTH);   /* 15 */
    assert_int_equal(idnum_nik_check("35730112039000011"), IDNUM_ERR_LENGTH); /* 17 */
    assert_int_equal(idnum_nik_check(""), IDNUM_ERR_LENGTH);
}

/* ---- NIP --------------------------------------------------------------- */

static void nip_accepts_plausible_numbers(void **state)
{
    assert_int_equal(idnum_nip_check("198503122010011001", YEAR), IDNUM_OK);
    assert_int_equal(idnum_nip_check("199001012015032002", YEAR), IDNUM_OK); /* woman */
    assert_int_equal(idnum_nip_check("194001011960011001", YEAR), IDNUM_OK); /* oldest */
    assert_int_equal(idnum_nip_check("198402292010011001", YEAR), IDNUM_OK); /* 29 Feb 1984 */
}

static void nip_refuses_implausible_birth_dates(void **state)
{
    assert_int_equal(idnum_nip_check("193912312010011001", YEAR), IDNUM_ERR_BIRTH_DATE);
    assert_int_equal(idnum_nip_check("201101012026011001", YEAR), IDNUM_ERR_BIRTH_DATE);
    assert_int_equal(idnum_nip_check("198502292010011001", YEAR), IDNUM_ERR_BIRTH_DATE);
    assert_int_equal(idnum_nip_check("198502302010011001", YEAR), IDNUM_ERR_BIRTH_DATE);
    assert_int_equal(idnum_nip_check("198513012010011001", YEAR), IDNUM_ERR_BIRTH_DATE);
    assert_int_equal(idnum_nip_check("198500012010011001", YEAR), IDNUM_ERR_BIRTH_DATE);
    assert_int_equal(idnum_nip_check("198501002010011001", YEAR), IDNUM_ERR_BIRTH_DATE);
}

static void nip_refuses_appointment_before_age_17(void **state)
{
    assert_int_equal(idnum_nip_check("198503122001011001", YEAR), IDNUM_ERR_APPOINTMENT);
    assert_int_equal(idnum_nip_check("198503122002011001", YEAR), IDNUM_OK); /* exactly 17 */
    assert_int_equal(idnum_nip_check("198503121984011001", YEAR), IDNUM_ERR_APPOINTMENT);
}

static void nip_refuses_appointment_month_or_far_future(void **state)
{
    assert_int_equal(idnum_nip_check("198503122010001001", YEAR), IDNUM_ERR_APPOINTMENT);
    assert_int_equal(idnum_nip_check("198503122010131001", YEAR), IDNUM_ERR_APPOINTMENT);
    assert_int_equal(idnum_nip_check("198503122026011001", YEAR), IDNUM_OK); /* next year */
    assert_int_equal(idnum_nip_check("198503122027011001", YEAR), IDNUM_ERR_APPOINTMENT);
}

static void nip_uses_the_given_current_year(void **state)
{
    assert_int_equal(idnum_nip_check("198503122026011001", 2024), IDNUM_ERR_APPOINTMENT);
    assert_int_equal(idnum_nip_check("201001012027011001", 2026), IDNUM_OK);
    assert_int_equal(idnum_nip_check("201001012027011001", 2024), IDNUM_ERR_BIRTH_DATE);
}

static void nip_refuses_sex_digit_other_than_1_or_2(void **state)
{
    assert_int_equal(idnum_nip_check("198503122010013001", YEAR), IDNUM_ERR_SEX);
    assert_int_equal(idnum_nip_check("198503122010010001", YEAR), IDNUM_ERR_SEX);
    assert_int_equal(idnum_nip_check("198503122010019001", YEAR), IDNUM_ERR_SEX);
}

static void nip_refuses_serial_000(void **state)
{
    assert_int_equal(idnum_nip_check("198503122010011000", YEAR), IDNUM_ERR_SERIAL);
}

static void nip_refuses_non_digits_and_wrong_length(void **state)
{
    assert_int_equal(idnum_nip_check("19850312 201001 1 001", YEAR), IDNUM_ERR_NOT_DIGITS);
    assert_int_equal(idnum_nip_check("19850312201001100l", YEAR), IDNUM_ERR_NOT_DIGITS);
    assert_int_equal(idnum_nip_check("\xef\xbc\x91"
                                     "98503122010011001",
                                     YEAR),
                     IDNUM_ERR_NOT_DIGITS);
    assert_int_equal(idnum_nip_check("19850312201001100", YEAR), IDNUM_ERR_LENGTH);
    assert_int_equal(idnum_nip_check("1985031220100110011", YEAR), IDNUM_ERR_LENGTH);
}

/* ---- NIB --------------------------------------------------------------- */

static void nib_is_13_digits_not_all_zero(void **state)
{
    assert_int_equal(idnum_nib_check("1234567890123"), IDNUM_OK);
    assert_int_equal(idnum_nib_check("0000000000001"), IDNUM_OK);
    assert_int_equal(idnum_nib_check("0000000000000"), IDNUM_ERR_ZERO);
    assert_int_equal(idnum_nib_check("123456789012"), IDNUM_ERR_LENGTH);
    assert_int_equal(idnum_nib_check("12345678901234"), IDNUM_ERR_LENGTH);
    assert_int_equal(idnum_nib_check("123456789012a"), IDNUM_ERR_NOT_DIGITS);
}

static void error_names_and_messages_never_empty(void **state)
{
    assert_string_equal(idnum_error_name(IDNUM_ERR_NOT_DIGITS), "not_digits");
    assert_string_equal(idnum_error_name(IDNUM_ERR_BIRTH_DATE), "birth_date");
    for (int e = IDNUM_OK; e <= IDNUM_ERR_ZERO + 1; e++) {
        assert_true(strlen(idnum_error_name((enum idnum_error)e)) > 0);
        assert_true(strlen(idnum_error_message((enum idnum_error)e)) > 0);
    }
}

/* ---- masks ------------------------------------------------------------- */

static void masks_keep_head_and_tail(void **state)
{
    char out[32];

    assert_int_equal(idnum_mask_nik("3573011203900001", out, sizeof out), 0);
    assert_string_equal(out, "3573********0001");
    assert_int_equal(idnum_mask_nip("198503122010011001", out, sizeof out), 0);
    assert_string_equal(out, "1985**********1001");
    assert_int_equal(idnum_mask_phone("081234567123", out, sizeof out), 0);
    assert_string_equal(out, "*********123");
    assert_int_equal(idnum_mask_phone("+6281234567123", out, sizeof out), 0);
    assert_string_equal(out, "***********123");
    assert_int_equal(idnum_mask("12345", 2, 2, out, sizeof out), 0);
    assert_string_equal(out, "12*45");
    assert_int_equal(idnum_mask("12345", 0, 0, out, sizeof out), 0);
    assert_string_equal(out, "*****");
}

static void mask_never_shows_a_whole_short_value(void **state)
{
    char out[32];

    assert_int_equal(idnum_mask("1234", 2, 2, out, sizeof out), 0);
    assert_string_equal(out, "****");
    assert_int_equal(idnum_mask("123", 4, 4, out, sizeof out), 0);
    assert_string_equal(out, "***");
    assert_int_equal(idnum_mask("123", SIZE_MAX, SIZE_MAX, out, sizeof out), 0);
    assert_string_equal(out, "***");
    assert_int_equal(idnum_mask("", 4, 4, out, sizeof out), 0);
    assert_string_equal(out, "");
}

static void mask_refuses_a_short_buffer(void **state)
{
    char out[16] = "x";

    assert_int_equal(idnum_mask_nik("3573011203900001", out, 16), -1);
    assert_string_equal(out, "");
    assert_int_equal(idnum_mask_nik("3573011203900001", out, 0), -1);
}

/* ---- phone ------------------------------------------------------------- */

/* Normalises in and asserts the result. */
static void phone_ok(const char *in, const char *want)
{
    char out[IDNUM_PHONE_SIZE];

    if (idnum_phone_normalize(in, out, sizeof out) != 0) {
        fail_msg("refused: \"%s\"", in);
    }
    assert_string_equal(out, want);
}

static void phone_bad(const char *in)
{
    char out[IDNUM_PHONE_SIZE] = "x";

    if (idnum_phone_normalize(in, out, sizeof out) != -1) {
        fail_msg("accepted: \"%s\" as \"%s\"", in, out);
    }
    assert_string_equal(out, "");
}

static void phone_accepts_the_three_forms(void **state)
{
    phone_ok("081234567890", "+6281234567890");
    phone_ok("6281234567890", "+6281234567890");
    phone_ok("+6281234567890", "+6281234567890");
}

static void phone_accepts_single_spaces_and_dashes(void **state)
{
    phone_ok("0812-3456-7890", "+6281234567890");
    phone_ok("0812 3456 7890", "+6281234567890");
    phone_ok("+62 812-3456-7890", "+6281234567890");
    phone_ok("62 812 3456 7890", "+6281234567890");
}

static void phone_accepts_9_to_13_national_digits(void **state)
{
    phone_ok("0812345678", "+62812345678");           /* 9 */
    phone_ok("08123456789012", "+628123456789012");   /* 13 */
    phone_ok("+628123456789012", "+628123456789012"); /* 13 */
    phone_bad("081234567");                           /* 8 */
    phone_bad("081234567890123");                     /* 14 */
    phone_bad("+6281234567890123");                   /* 14 */
    phone_bad("+6281234567890123456789012345678901234567890");
}

static void phone_refuses_other_numbers_and_forms(void **state)
{
    phone_bad("");
    phone_bad("+");
    phone_bad("0");
    phone_bad("+14155550100");       /* another country */
    phone_bad("021-1234567");        /* landline */
    phone_bad("+62 0812 3456 7890"); /* trunk 0 after +62 */
    phone_bad("0062812345678");      /* international prefix */
    phone_bad("81234567890");        /* no prefix */
    phone_bad("+81234567890");       /* + without 62 */
    phone_bad("++6281234567890");    /* doubled + */
    phone_bad("+ 6281234567890");    /* separator after + */
    phone_bad(" 081234567890");      /* leading space */
    phone_bad("081234567890 ");      /* trailing space */
    phone_bad("0812--34567890");     /* doubled separator */
    phone_bad("0812 -34567890");     /* mixed doubled separator */
    phone_bad("0812.3456.7890");     /* other separator */
    phone_bad("(0812)34567890");     /* brackets */
    phone_bad("08123456789a");       /* letter */
    phone_bad("\xef\xbc\x90"         /* full-width 0 */
              "81234567890");
}

static void phone_refuses_a_short_buffer(void **state)
{
    char out[15] = "x";

    assert_int_equal(idnum_phone_normalize("081234567890", out, 14), -1);
    assert_string_equal(out, "");
    assert_int_equal(idnum_phone_normalize("081234567890", out, 15), 0);
    assert_string_equal(out, "+6281234567890");
}

/* Issue 12: numbers as printed on ASN documents and cards are accepted. */
static void strip_drops_spaces_dots_dashes_and_no_break_spaces(void **state)
{
    char out[32];

    (void)state;
    assert_int_equal(idnum_strip_separators("19900101 201503 2 001", out, sizeof out), 0);
    assert_string_equal(out, "199001012015032001");
    assert_int_equal(idnum_nip_check(out, 2026), IDNUM_OK);
    assert_int_equal(idnum_strip_separators("3573.0101.9000-0001", out, sizeof out), 0);
    assert_string_equal(out, "3573010190000001");
    assert_int_equal(idnum_strip_separators(" 3573\xC2\xA0"
                                            "010190\t000001 ",
                                            out, sizeof out),
                     0);
    assert_string_equal(out, "3573010190000001");
    /* anything else stays for the checks to refuse */
    assert_int_equal(idnum_strip_separators("3573/0101", out, sizeof out), 0);
    assert_string_equal(out, "3573/0101");
    assert_int_equal(idnum_nik_check(out), IDNUM_ERR_NOT_DIGITS);
    assert_int_equal(idnum_strip_separators("+62 812-3456-7890", out, sizeof out), 0);
    assert_string_equal(out, "+6281234567890");
}

static void strip_refuses_a_short_buffer(void **state)
{
    char out[8];

    (void)state;
    assert_int_equal(idnum_strip_separators("1 2 3 4 5 6 7 8", out, sizeof out), -1);
    assert_string_equal(out, "");
    assert_int_equal(idnum_strip_separators("1 2 3 4 5 6 7", out, sizeof out), 0);
    assert_string_equal(out, "1234567");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nik_accepts_plausible_numbers),
        cmocka_unit_test(nik_accepts_womens_day_plus_40),
        cmocka_unit_test(nik_refuses_impossible_days),
        cmocka_unit_test(nik_refuses_31_february_and_31_april),
        cmocka_unit_test(nik_29_february_only_in_leap_years),
        cmocka_unit_test(nik_refuses_month_00_and_13),
        cmocka_unit_test(nik_refuses_unknown_regions),
        cmocka_unit_test(nik_refuses_serial_0000),
        cmocka_unit_test(nik_refuses_anything_but_ascii_digits),
        cmocka_unit_test(nik_refuses_wrong_length),
        cmocka_unit_test(nip_accepts_plausible_numbers),
        cmocka_unit_test(nip_refuses_implausible_birth_dates),
        cmocka_unit_test(nip_refuses_appointment_before_age_17),
        cmocka_unit_test(nip_refuses_appointment_month_or_far_future),
        cmocka_unit_test(nip_uses_the_given_current_year),
        cmocka_unit_test(nip_refuses_sex_digit_other_than_1_or_2),
        cmocka_unit_test(nip_refuses_serial_000),
        cmocka_unit_test(nip_refuses_non_digits_and_wrong_length),
        cmocka_unit_test(nib_is_13_digits_not_all_zero),
        cmocka_unit_test(error_names_and_messages_never_empty),
        cmocka_unit_test(masks_keep_head_and_tail),
        cmocka_unit_test(mask_never_shows_a_whole_short_value),
        cmocka_unit_test(mask_refuses_a_short_buffer),
        cmocka_unit_test(phone_accepts_the_three_forms),
        cmocka_unit_test(phone_accepts_single_spaces_and_dashes),
        cmocka_unit_test(phone_accepts_9_to_13_national_digits),
        cmocka_unit_test(phone_refuses_other_numbers_and_forms),
        cmocka_unit_test(phone_refuses_a_short_buffer),
        cmocka_unit_test(strip_drops_spaces_dots_dashes_and_no_break_spaces),
        cmocka_unit_test(strip_refuses_a_short_buffer),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
