/* core/idnum.h — validation and masking of Indonesian identity numbers (NIK, NIP,
 * NIB) and normalisation of mobile phone numbers.
 *
 * Input is a NUL-terminated string as it came from JSON. Only ASCII digits
 * '0'..'9' count as digits: letters, spaces, signs and non-ASCII digits
 * (Arabic-Indic, full-width "３５７３"...) are refused. The checks say whether
 * a number is plausible, not whether it was issued. Results are reasons safe
 * to show (they never quote the value); nothing here logs or keeps a value.
 * Pure and thread-safe: no state, no allocation. */
#ifndef SINAU_CORE_IDNUM_H
#define SINAU_CORE_IDNUM_H

#include <stddef.h>

#include "sinau/core/common.h"

#define IDNUM_NIK_LEN 16
#define IDNUM_NIP_LEN 18
#define IDNUM_NIB_LEN 13
/* room for a normalised phone number: "+62" + at most 13 digits + NUL */
#define IDNUM_PHONE_SIZE 17

/* Why a number was refused; IDNUM_OK (0) when it was not. */
enum idnum_error {
    IDNUM_OK = 0,
    IDNUM_ERR_LENGTH,      /* not the number of digits the kind has */
    IDNUM_ERR_NOT_DIGITS,  /* something other than ASCII '0'..'9' */
    IDNUM_ERR_REGION,      /* NIK: province, regency/city or district code */
    IDNUM_ERR_BIRTH_DATE,  /* NIK or NIP: no such date, or implausible year */
    IDNUM_ERR_APPOINTMENT, /* NIP: appointment (TMT CPNS) month */
    IDNUM_ERR_SEX,         /* NIP: sex digit other than 1 or 2 */
    IDNUM_ERR_SERIAL,      /* NIK 0000 or NIP 000 serial */
    IDNUM_ERR_ZERO,        /* NIB: all zeros */
};

/* A stable snake_case name for the reason ("length", "not_digits",
 * "region", "birth_date", "appointment", "sex", "serial", "zero"; "ok"),
 * for API error details. Static string. */
const char *idnum_error_name(enum idnum_error e);

/* A short English sentence for the reason that never quotes the value,
 * e.g. "only the digits 0-9 are allowed". Static string. */
const char *idnum_error_message(enum idnum_error e);

/* NIK, Nomor Induk Kependudukan: 16 digits. 1-2 province (a current code,
 * see idnum.c), 3-4 regency/city and 5-6 district (not 00), 7-8 day of birth
 * (01..31, or 41..71 for women: day + 40), 9-10 month, 11-12 year; the date
 * must exist in 19yy or 20yy (29 Feb: in either); 13-16 serial not 0000. */
SINAU_MUST_CHECK enum idnum_error idnum_nik_check(const char *s);

/* NIP, Nomor Induk Pegawai (civil servant): 18 digits. 1-8 birth date
 * YYYYMMDD, a real date with 1940 <= YYYY <= current_year - 15; 9-14
 * appointment (TMT CPNS) YYYYMM, month 01..12, birth year + 17 <= year <=
 * current_year + 1; 15 sex, 1 (man) or 2 (woman); 16-18 serial not 000.
 * current_year is passed in so that results are stable in tests. */
SINAU_MUST_CHECK enum idnum_error idnum_nip_check(const char *s, int current_year);

/* NIB, Nomor Induk Berusaha (business): 13 digits, not all zeros. */
SINAU_MUST_CHECK enum idnum_error idnum_nib_check(const char *s);

/* Copies value into out with every byte but the first keep_head and the
 * last keep_tail replaced by '*' (same length; byte-wise, so meant for the
 * ASCII values this module validates). When keep_head + keep_tail is not
 * less than the length, everything is masked: a mask never shows the whole
 * value. Returns 0, or -1 (out set to "" when outlen > 0) when out cannot
 * hold the result and its NUL. */
SINAU_MUST_CHECK int idnum_mask(const char *value, size_t keep_head, size_t keep_tail, char *out,
                                size_t outlen);

/* idnum_mask keeping 4 and 4: "3573********0001". */
SINAU_MUST_CHECK int idnum_mask_nik(const char *value, char *out, size_t outlen);

/* idnum_mask keeping 4 and 4: "1985**********1001". */
SINAU_MUST_CHECK int idnum_mask_nip(const char *value, char *out, size_t outlen);

/* idnum_mask keeping the last 3: "***********123". */
SINAU_MUST_CHECK int idnum_mask_phone(const char *value, char *out, size_t outlen);

/* Copies in to out without the separators people type or paste into
 * identity and phone numbers: ASCII spaces, tabs, dots and dashes, and
 * no-break spaces (U+00A0), anywhere ("19900101 201503 2 001",
 * "3573.0101.9000.0001"). Everything else is kept for the checks above to
 * judge. Returns 0, or -1 (out set to "" when outlen > 0) when the result
 * and its NUL do not fit in outlen bytes. */
SINAU_MUST_CHECK int idnum_strip_separators(const char *in, char *out, size_t outlen);

/* Normalises an Indonesian mobile number written as 08..., 628... or
 * +628..., with single spaces or dashes allowed between digits, to E.164
 * "+628..." with 9..13 digits after "+62". Anything else is refused (other
 * countries, landlines, "+62 0812...", letters, leading or doubled
 * separators). Returns 0 with the result in out (IDNUM_PHONE_SIZE bytes is
 * always enough), or -1 with out set to "" (when outlen > 0). */
SINAU_MUST_CHECK int idnum_phone_normalize(const char *in, char *out, size_t outlen);

#endif /* SINAU_CORE_IDNUM_H */
