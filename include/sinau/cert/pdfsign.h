/* cert/pdfsign.h — the office's electronic signature on certificate PDFs
 * (TTE): a PAdES baseline B-B signature (ETSI EN 319 142-1), i.e. a CMS
 * SignedData (OpenSSL) detached over the PDF's byte ranges, with the
 * signer's certificate and chain and the CAdES signing-certificate-v2
 * attribute (SubFilter ETSI.CAdES.detached), added to a rendered PDF
 * (certpdf.h) as an incremental update: a signature field whose widget is
 * visible on the page and names the signer. Optionally the signature gets an
 * RFC 3161 timestamp from SINAU_TSA_URL (unsigned attribute
 * id-aa-signatureTimeStampToken).
 *
 * Kept apart from the drawing (pdf.c) on purpose: it only appends to a PDF
 * the renderer made, reading its classic cross-reference table, trailer,
 * catalog and single page; anything else is refused.
 *
 * Threads: pdfsign_sign is CPU work (and, with a TSA, a blocking HTTP
 * request): the worker pool only. A loaded signer is read-only and may be
 * used by several workers at once (signing takes the signer's lock). */
#ifndef SINAU_CERT_PDFSIGN_H
#define SINAU_CERT_PDFSIGN_H

#include <stddef.h>
#include <time.h>

#include "sinau/core/common.h"

#define PDFSIGN_CONTENTS_BYTES 16384 /* room for the CMS (certificates and a timestamp) */

typedef struct pdfsign_signer pdfsign_signer;

/* Loads the PKCS#12 file p12_path (key, certificate, chain) with the
 * password in password_file (its first line). tsa_url may be NULL. Returns
 * 0 with *out owned (pdfsign_free), or -1 with a one-line reason in err
 * (never the password). Blocking file I/O: start-up only. */
SINAU_MUST_CHECK int pdfsign_load(const char *p12_path, const char *password_file,
                                  const char *tsa_url, pdfsign_signer **out, char *err,
                                  size_t errlen);

void pdfsign_free(pdfsign_signer *s);

/* The signer as people read it: the certificate's common name (or its
 * whole subject), its issuer's, and its expiry as "YYYY-MM-DD" (borrowed
 * from s). */
const char *pdfsign_signer_name(const pdfsign_signer *s);
const char *pdfsign_issuer_name(const pdfsign_signer *s);
const char *pdfsign_not_after(const pdfsign_signer *s);
const char *pdfsign_tsa_url(const pdfsign_signer *s);

/* Signs pdf[0..len) (a PDF from certpdf_render): returns 0 with *out a
 * malloc'd signed PDF of *outlen bytes, or -1 with a one-line reason in err.
 * `at` is the signing time written in the signature dictionary (/M) and the
 * widget; lang "en" words the widget in English, else Indonesian. A TSA
 * that does not answer a good token makes signing fail (no half-stamped
 * PDF is stored). Thread: a worker (see the top). */
SINAU_MUST_CHECK int pdfsign_sign(pdfsign_signer *s, const unsigned char *pdf, size_t len,
                                  time_t at, const char *lang, unsigned char **out, size_t *outlen,
                                  char *err, size_t errlen);

#endif /* SINAU_CERT_PDFSIGN_H */
