/* certwords.c — see certwords.h. The tables are the generated header's
 * initialisers: a key the dictionaries lack fails the build here or where
 * it is used. */
#include "sinau/cert/certwords.h"

#include <stdio.h>
#include <string.h>

#include "sinau/cert/i18n_words.h" /* generated from web/i18n/<lang>/certificate.json */

static const char *const TEXT_ID[I18N_WORDS] = I18N_ID_WORDS;
static const char *const TEXT_EN[I18N_WORDS] = I18N_EN_WORDS;
static const certwords ID = {"id", "en", TEXT_ID};
static const certwords EN = {"en", "id", TEXT_EN};

/* The month keys in calendar order (the dictionaries sort them as text). */
static const enum i18n_word MONTHS[12] = {
    I18N_CERT_MONTH_1, I18N_CERT_MONTH_2,  I18N_CERT_MONTH_3,  I18N_CERT_MONTH_4,
    I18N_CERT_MONTH_5, I18N_CERT_MONTH_6,  I18N_CERT_MONTH_7,  I18N_CERT_MONTH_8,
    I18N_CERT_MONTH_9, I18N_CERT_MONTH_10, I18N_CERT_MONTH_11, I18N_CERT_MONTH_12,
};

const certwords *certwords_for(const char *lang)
{
    return lang != NULL && strcmp(lang, "en") == 0 ? &EN : &ID;
}

int certwords_date(char *buf, size_t size, const certwords *w, int y, int m, int d)
{
    if (m < 1 || m > 12)
        return -1;
    snprintf(buf, size, "%d %s %d", d, w->text[MONTHS[m - 1]], y);
    return 0;
}

void certwords_nip(char *buf, size_t size, const certwords *w, const char *nip)
{
    const char *label = w->text[I18N_CERT_NIP];

    if (strlen(nip) == 18)
        snprintf(buf, size, "%s%.8s %.6s %.1s %.3s", label, nip, nip + 8, nip + 14, nip + 15);
    else
        snprintf(buf, size, "%s%s", label, nip);
}

void certwords_fill(char *buf, size_t size, const char *text, const char *name, const char *value)
{
    size_t n = strlen(name), used = 0;

    for (const char *s = text; *s != '\0' && used + 1 < size;) {
        if (s[0] == '{' && strncmp(s + 1, name, n) == 0 && s[n + 1] == '}') {
            used += (size_t)snprintf(buf + used, size - used, "%s", value);
            s += n + 2;
        } else {
            buf[used++] = *s++;
        }
    }
    buf[used < size ? used : size - 1] = '\0';
}
