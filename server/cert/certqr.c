/* certqr.c — QR codes on the PDFs (see certqr.h). */
#include "sinau/cert/certqr.h"

#include <qrencode.h>
#include <string.h>

int certqr_draw(cairo_t *cr, const char *text, double x, double y, double size, int quiet,
                double *bottom)
{
    QRcode *qr = QRcode_encodeData((int)strlen(text), (const unsigned char *)text, 0, QR_ECLEVEL_M);
    double m;

    if (qr == NULL)
        return -1;
    m = size / qr->width;
    *bottom = y + size + quiet * m;
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x - quiet * m, y - quiet * m, size + 2 * quiet * m, size + 2 * quiet * m);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int r = 0; r < qr->width; r++) {
        for (int c = 0; c < qr->width; c++) {
            int run = 0;

            while (c + run < qr->width && (qr->data[r * qr->width + c + run] & 1))
                run++;
            if (run > 0)
                cairo_rectangle(cr, x + c * m, y + r * m, run * m, m);
            c += run;
        }
    }
    cairo_fill(cr);
    QRcode_free(qr);
    return 0;
}
