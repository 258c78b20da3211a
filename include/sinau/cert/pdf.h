/* cert/pdf.h — the printable certificate: an A4 landscape PDF with the
 * holder's name, the programme, cohort, dates, JP, issuer, a signatory block,
 * the short id and a QR code whose content is exactly the credential URL
 * (CERTIFICATES.md, "What people see"). Pure: no I/O, no clock, no globals of
 * ours; the same fields give byte-identical output.
 *
 * Threads: certpdf_render may run on any number of threads at once (it is
 * CPU work for the worker pool, never for a loop thread). Each call has its
 * own cairo surface and context; what they share is cairo's font caches and
 * the FreeType library behind them, which cairo guards with its own mutexes,
 * fontconfig (thread-safe since 2.11; it loads its configuration on first
 * use under its own locks) and libqrencode (built with pthread, which
 * makes its encoder thread-safe). No one-time initialisation is required.
 * A render takes ~3 ms of CPU; the first in a process ~6 ms more, as
 * fontconfig loads its configuration and cache then. Those caches live until
 * exit; certpdf_cleanup frees them for leak checkers.
 *
 * Font: DejaVu Sans (fonts-dejavu-core) through cairo's toy font API; text
 * outside its repertoire (e.g. Javanese script) prints as missing-glyph
 * boxes. */
#ifndef SINAU_CERT_PDF_H
#define SINAU_CERT_PDF_H

#include <stddef.h>

#include "sinau/core/common.h"

/* Longest accepted string field, in bytes; longer ones are refused. */
#define CERTPDF_FIELD_MAX 1024

/* What the certificate says. Every string is borrowed for the call, UTF-8
 * without control characters, non-NULL except lang, and at most
 * CERTPDF_FIELD_MAX bytes. */
typedef struct certpdf_fields {
    /* "en": English labels; anything else or NULL: Indonesian */
    const char *lang;
    /* non-empty; shrinks (and may take two lines) to fit */
    const char *holder_name;
    /* non-empty, "Sinau TikTok & YouTube"; shrinks (and may take two lines) to fit */
    const char *programme;
    /* "Angkatan 1" */
    const char *cohort;
    /* "2026-03-01", real dates, ends_on not before starts_on; printed
     * "1 Maret 2026 – 22 April 2026" / "1 March 2026 – 22 April 2026", one date when equal */
    const char *starts_on, *ends_on;
    /* jam pelajaran, 0..9999: "32 JP (jam pelajaran)" */
    int jp;
    /* "2026-11-29T10:00:00Z" exactly (UTC, whole seconds): the PDF's creation and
     * modification dates, and the issue date printed, in Malang's time (WIB, UTC+7) */
    const char *issued_at;
    /* "Pemerintah Kota Malang — Diskominfo": at the top, and the PDF's author
     * (the signatory's organisation) */
    const char *issuer_name;
    /* under a signature line, on the right */
    const char *signatory_name, *signatory_title;
    /* the signatory's NIP, 18 digits, printed "NIP. 19900101 201503 2 001"
     * under the title; NULL or "" prints none */
    const char *signatory_nip;
    /* optional PNG images (NULL: none; see certpdf_png_check): the
     * signature above the line, the logo at the top left */
    const unsigned char *signature_png, *logo_png;
    size_t signature_png_len, logo_png_len;
    /* the credential id as printed after "ID: " (the whole id, grouped:
     * the verify page finds the certificate from it); 8 letters and digits
     * print as "xxxx-xxxx" */
    const char *short_id;
    /* the credential URL, printable ASCII without spaces (percent-encode the rest): the QR
     * code's content byte for byte, also printed under it and linked */
    const char *url;
} certpdf_fields;

/* Renders the certificate as a one-page A4 landscape PDF (841.89 x 595.28 pt)
 * with a QR code of `url` (error correction M, 8-bit mode, 32 mm plus a
 * four-module quiet zone).
 * Returns 0 with *out a malloc'd PDF of *len bytes that the caller frees, or
 * -1 (*out NULL, *len 0) when a field is missing, too long, not valid UTF-8,
 * holds a control character, a date is malformed or the end precedes the
 * start, jp is out of range, or cairo or libqrencode fail.
 * Thread: any (see the top of this file). */
SINAU_MUST_CHECK int certpdf_render(const certpdf_fields *f, unsigned char **out, size_t *len);

/* Largest PNG accepted for a signature or logo, and its largest side. */
#define CERTPDF_PNG_MAX  (512u * 1024u)
#define CERTPDF_PNG_SIDE 4000

/* Decodes png[0..len) as a PNG (the signature or logo drawn on
 * certificates) and gives its size. Returns 0, or -1 when it is not a PNG,
 * is larger than CERTPDF_PNG_MAX bytes or CERTPDF_PNG_SIDE pixels a side
 * (read from its header before decoding), or does not decode. CPU work:
 * the worker pool. Thread: any. */
SINAU_MUST_CHECK int certpdf_png_check(const unsigned char *png, size_t len, int *width,
                                       int *height);

/* Drops the process-wide caches that renders fill (cairo's font caches,
 * fontconfig's configuration), so that LeakSanitizer sees a clean exit.
 * Optional; call at most once, at exit, after every render has returned and
 * when nothing else in the process will use cairo or fontconfig again. */
void certpdf_cleanup(void);

#endif /* SINAU_CERT_PDF_H */
