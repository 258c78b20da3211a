/* idnum.c — plausibility checks for NIK, NIP and NIB, masks for responses,
 * and normalisation of Indonesian mobile numbers (see idnum.h).
 *
 * Every check first requires the exact number of ASCII digits, so the field
 * positions below can be read without bounds checks. Reasons never carry the
 * value, and nothing here logs. */
#include "sinau/core/idnum.h"

#include <assert.h>
#include <stdbool.h>
#include <string.h>

#define NIP_MIN_BIRTH_YEAR   1940
#define NIP_MIN_AGE_AT_BIRTH 15 /* youngest birth year: current year - 15 */
#define NIP_MIN_AGE_APPOINT  17 /* appointment year >= birth year + 17 */
#define PHONE_MIN_NATIONAL   9  /* digits after +62 */
#define PHONE_MAX_NATIONAL   13

/* Province codes (first two NIK digits), Kemendagri, as of 2024:
 * 11-19 Sumatra (Aceh .. Bangka Belitung), 21 Kepulauan Riau,
 * 31-36 Java (DKI Jakarta .. Banten), 51-53 Bali and Nusa Tenggara,
 * 61-65 Kalimantan (with 65 Kalimantan Utara, 2012), 71-76 Sulawesi,
 * 81-82 Maluku, 91-97 Papua: 91 Papua and 92 Papua Barat, and the
 * provinces created in 2022 (Papua Selatan, Tengah, Pegunungan, Barat Daya),
 * which Kemendagri numbers 93-96 and BPS numbers up to 97; both are accepted,
 * since refusing a real NIK costs more than accepting an unissued one. A NIK
 * keeps its code for life, so codes are only ever added here. */
static const unsigned char provinces[] = {
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61,
    62, 63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96, 97,
};

/* Each error's stable name (API details) and its English message. */
static const struct {
    const char *name;
    const char *message;
} errors[] = {
    [IDNUM_OK] = {"ok", "valid"},
    [IDNUM_ERR_LENGTH] = {"length", "has the wrong number of digits"},
    [IDNUM_ERR_NOT_DIGITS] = {"not_digits", "only the digits 0-9 are allowed"},
    [IDNUM_ERR_REGION] = {"region", "the region code is not valid"},
    [IDNUM_ERR_BIRTH_DATE] = {"birth_date", "the birth date in it is not valid"},
    [IDNUM_ERR_APPOINTMENT] = {"appointment", "the appointment date in it is not valid"},
    [IDNUM_ERR_SEX] = {"sex", "the sex digit must be 1 or 2"},
    [IDNUM_ERR_SERIAL] = {"serial", "the serial number in it is not valid"},
    [IDNUM_ERR_ZERO] = {"zero", "cannot be all zeros"},
};

const char *idnum_error_name(enum idnum_error e)
{
    if ((unsigned)e >= SINAU_ARRAY_LEN(errors)) {
        return "invalid";
    }
    return errors[e].name;
}

const char *idnum_error_message(enum idnum_error e)
{
    if ((unsigned)e >= SINAU_ARRAY_LEN(errors)) {
        return "is not valid";
    }
    return errors[e].message;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Any byte but an ASCII digit fails first, then the count of digits. */
static enum idnum_error check_digits(const char *s, size_t want)
{
    size_t n = 0;

    assert(s != NULL);
    for (; s[n] != '\0'; n++) {
        if (!is_digit(s[n])) {
            return IDNUM_ERR_NOT_DIGITS;
        }
    }
    return n == want ? IDNUM_OK : IDNUM_ERR_LENGTH;
}

/* The decimal number in s[at .. at+len), all digits already checked. */
static int field(const char *s, size_t at, size_t len)
{
    int v = 0;

    for (size_t i = at; i < at + len; i++) {
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static bool is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static bool date_exists(int year, int month, int day)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int max;

    if (month < 1 || month > 12 || day < 1) {
        return false;
    }
    max = days[month - 1] + (month == 2 && is_leap(year) ? 1 : 0);
    return day <= max;
}

static bool province_ok(int code)
{
    for (size_t i = 0; i < SINAU_ARRAY_LEN(provinces); i++) {
        if (provinces[i] == code) {
            return true;
        }
    }
    return false;
}

enum idnum_error idnum_nik_check(const char *s)
{
    enum idnum_error e = check_digits(s, IDNUM_NIK_LEN);
    int day, month, yy;

    if (e != IDNUM_OK) {
        return e;
    }
    if (!province_ok(field(s, 0, 2)) || field(s, 2, 2) == 0 || field(s, 4, 2) == 0) {
        return IDNUM_ERR_REGION;
    }
    day = field(s, 6, 2);
    month = field(s, 8, 2);
    yy = field(s, 10, 2);
    if (day > 40) {
        day -= 40; /* women: day + 40, so 41..71 */
    }
    /* two-digit year: plausible if the date exists in either century */
    if (!date_exists(1900 + yy, month, day) && !date_exists(2000 + yy, month, day)) {
        return IDNUM_ERR_BIRTH_DATE;
    }
    if (field(s, 12, 4) == 0) {
        return IDNUM_ERR_SERIAL;
    }
    return IDNUM_OK;
}

enum idnum_error idnum_nip_check(const char *s, int current_year)
{
    enum idnum_error e = check_digits(s, IDNUM_NIP_LEN);
    int birth_year, appoint_year;

    if (e != IDNUM_OK) {
        return e;
    }
    birth_year = field(s, 0, 4);
    if (birth_year < NIP_MIN_BIRTH_YEAR || birth_year > current_year - NIP_MIN_AGE_AT_BIRTH ||
        !date_exists(birth_year, field(s, 4, 2), field(s, 6, 2))) {
        return IDNUM_ERR_BIRTH_DATE;
    }
    appoint_year = field(s, 8, 4);
    if (field(s, 12, 2) < 1 || field(s, 12, 2) > 12 ||
        appoint_year < birth_year + NIP_MIN_AGE_APPOINT || appoint_year > current_year + 1) {
        return IDNUM_ERR_APPOINTMENT;
    }
    if (s[14] != '1' && s[14] != '2') {
        return IDNUM_ERR_SEX;
    }
    if (field(s, 15, 3) == 0) {
        return IDNUM_ERR_SERIAL;
    }
    return IDNUM_OK;
}

enum idnum_error idnum_nib_check(const char *s)
{
    enum idnum_error e = check_digits(s, IDNUM_NIB_LEN);

    if (e != IDNUM_OK) {
        return e;
    }
    return strspn(s, "0") == IDNUM_NIB_LEN ? IDNUM_ERR_ZERO : IDNUM_OK;
}

int idnum_mask(const char *value, size_t keep_head, size_t keep_tail, char *out, size_t outlen)
{
    size_t len = strlen(value);
    bool all = keep_head >= len || keep_tail >= len - keep_head;

    if (outlen < len + 1) {
        if (outlen > 0) {
            out[0] = '\0';
        }
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        bool keep = !all && (i < keep_head || i >= len - keep_tail);
        out[i] = keep ? value[i] : '*';
    }
    out[len] = '\0';
    return 0;
}

int idnum_mask_nik(const char *value, char *out, size_t outlen)
{
    return idnum_mask(value, 4, 4, out, outlen);
}

int idnum_mask_nip(const char *value, char *out, size_t outlen)
{
    return idnum_mask(value, 4, 4, out, outlen);
}

int idnum_mask_phone(const char *value, char *out, size_t outlen)
{
    return idnum_mask(value, 0, 3, out, outlen);
}

int idnum_strip_separators(const char *in, char *out, size_t outlen)
{
    size_t o = 0;

    assert(in != NULL);
    if (outlen == 0)
        return -1;
    for (size_t i = 0; in[i] != '\0'; i++) {
        if (in[i] == ' ' || in[i] == '\t' || in[i] == '.' || in[i] == '-')
            continue;
        if ((unsigned char)in[i] == 0xC2 && (unsigned char)in[i + 1] == 0xA0) {
            i++; /* U+00A0 NO-BREAK SPACE */
            continue;
        }
        if (o + 1 >= outlen) {
            out[0] = '\0';
            return -1;
        }
        out[o++] = in[i];
    }
    out[o] = '\0';
    return 0;
}

/* Copies the digits of in (after an optional leading '+') into digits, with
 * single spaces or dashes allowed only between two digits. Returns the count,
 * or 0 when something else is there or there are more than cap - 1 digits. */
static size_t phone_digits(const char *in, bool *plus, char *digits, size_t cap)
{
    size_t start = in[0] == '+' ? 1 : 0;
    size_t n = 0;

    *plus = start == 1;
    for (size_t i = start; in[i] != '\0'; i++) {
        char c = in[i];
        if (is_digit(c)) {
            if (n + 1 == cap) {
                return 0;
            }
            digits[n++] = c;
        } else if ((c != ' ' && c != '-') || i == start || !is_digit(in[i - 1]) ||
                   !is_digit(in[i + 1])) {
            return 0;
        }
    }
    digits[n] = '\0';
    return n;
}

int idnum_phone_normalize(const char *in, char *out, size_t outlen)
{
    char digits[2 + PHONE_MAX_NATIONAL + 1]; /* "62" + national + NUL */
    const char *national = NULL;
    bool plus = false;
    size_t n;

    assert(in != NULL);
    if (outlen > 0) {
        out[0] = '\0';
    }
    if (phone_digits(in, &plus, digits, sizeof digits) == 0) {
        return -1;
    }
    if (strncmp(digits, "62", 2) == 0) {
        national = digits + 2;
    } else if (!plus && digits[0] == '0') {
        national = digits + 1;
    } else {
        return -1;
    }
    n = strlen(national);
    if (national[0] != '8' || n < PHONE_MIN_NATIONAL || n > PHONE_MAX_NATIONAL || outlen < n + 4) {
        return -1;
    }
    memcpy(out, "+62", 3);
    memcpy(out + 3, national, n + 1);
    return 0;
}
