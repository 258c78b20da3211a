/* cert/certwords.h — the certificate's words in one language (Indonesian
 * or English) for what the server prints itself: the verify and
 * achievement pages and the certificate PDF. They come from the web's
 * dictionaries (web/i18n/<lang>/certificate.json, one translation source)
 * through the generated sinau/cert/i18n_words.h, whose enum i18n_word
 * indexes `text` (cert layer only: the header is generated there).
 * Constant tables and pure functions: any thread. */
#ifndef SINAU_CERT_CERTWORDS_H
#define SINAU_CERT_CERTWORDS_H

#include <stddef.h>

typedef struct certwords {
    const char *lang;        /* "id" or "en" */
    const char *other;       /* the other language's code */
    const char *const *text; /* I18N_WORDS texts, indexed by enum i18n_word */
} certwords;

/* The words of lang: English for "en", Indonesian for anything else (NULL
 * too). Returns a static table, never NULL. */
const certwords *certwords_for(const char *lang);

/* Writes the date y-m-d as people read it ("22 Maret 2021", "22 March
 * 2021") into buf (size bytes, truncated to fit). Returns 0, or -1 (buf
 * untouched) when m is not 1..12. */
int certwords_date(char *buf, size_t size, const certwords *w, int y, int m, int d);

/* Writes the NIP with its label as ASN documents print it ("NIP. 19900101
 * 201503 2 001"; a NIP of another length as given) into buf (size bytes,
 * truncated to fit). nip is not NULL. */
void certwords_nip(char *buf, size_t size, const certwords *w, const char *nip);

/* Writes text with every "{name}" in it replaced by value (the
 * dictionaries' placeholders) into buf (size bytes, truncated to fit). */
void certwords_fill(char *buf, size_t size, const char *text, const char *name, const char *value);

#endif /* SINAU_CERT_CERTWORDS_H */
