/* cert/certqr.h — a QR code drawn with cairo, shared by the certificate and
 * transcript PDFs: error correction M, 8-bit mode, dark modules as filled
 * rectangles (one per horizontal run) on a white quiet zone. Any thread
 * (libqrencode is built with pthread). */
#ifndef SINAU_CERT_CERTQR_H
#define SINAU_CERT_CERTQR_H

#include <cairo.h>

#include "sinau/core/common.h"

/* Draws the QR code of text with its top left module at (x, y), `size`
 * points wide without the quiet zone of `quiet` modules on each side; the
 * zone's bottom edge goes to *bottom. Returns 0, or -1 when libqrencode
 * fails. */
SINAU_MUST_CHECK int certqr_draw(cairo_t *cr, const char *text, double x, double y, double size,
                                 int quiet, double *bottom);

#endif /* SINAU_CERT_CERTQR_H */
