/* cert/transcriptpdf.h — the printable yearly JP transcript (issue 18): an A4
 * portrait PDF with the issuer, the holder, the year, a table of the year's
 * certificates (programme and cohort, dates, JP, the certificate's printed
 * id), the total JP, and a QR code of the transcript's own verify URL.
 * Pages follow as the table needs. Pure like certpdf.h (no clock, no I/O:
 * the same fields give the same bytes); any thread; CPU work for the
 * worker pool. Font: DejaVu Sans through cairo's toy API. */
#ifndef SINAU_CERT_TRANSCRIPTPDF_H
#define SINAU_CERT_TRANSCRIPTPDF_H

#include <stddef.h>

#include "sinau/core/common.h"

#define TRANSCRIPTPDF_MAX_ITEMS 500

/* One certificate of the year; strings borrowed, UTF-8. */
typedef struct transcriptpdf_item {
    const char *programme, *cohort;
    const char *starts_on, *ends_on; /* YYYY-MM-DD */
    const char *short_id;            /* the id as printed: "xxxxx-xxxxx-…" */
    int jp;
} transcriptpdf_item;

typedef struct transcriptpdf_fields {
    const char *lang; /* "en": English; otherwise Indonesian */
    const char *issuer_name, *holder_name;
    int year, total_jp;
    const char *issued_at; /* "YYYY-MM-DDTHH:MM:SSZ": the document dates */
    const char *short_id;  /* the transcript's own */
    const char *url;       /* its verify URL: the QR code's content */
    const transcriptpdf_item *items;
    size_t nitems;
} transcriptpdf_fields;

/* Renders the transcript. Returns 0 with *out malloc'd (*len bytes), or -1
 * when a field is missing or too long, there are more than
 * TRANSCRIPTPDF_MAX_ITEMS items, or cairo or libqrencode fail. */
SINAU_MUST_CHECK int transcriptpdf_render(const transcriptpdf_fields *f, unsigned char **out,
                                          size_t *len);

#endif /* SINAU_CERT_TRANSCRIPTPDF_H */
