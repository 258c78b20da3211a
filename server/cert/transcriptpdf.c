/* transcriptpdf.c — the yearly JP transcript as a PDF (transcriptpdf.h):
 * a heading, the table of certificates (as many pages as it takes), the
 * total, and the QR code of the transcript's verify page on the last page.
 * The PDF is written through a memory stream; cairo takes its document
 * dates from the metadata set from issued_at, so no clock reaches it. */
#include "sinau/cert/transcriptpdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/cert/certqr.h"
#include "sinau/cert/i18n_words.h" /* generated from web/i18n/<lang>/certificate.json */
#include "sinau/core/utf8.h"

#define W        595.28 /* A4 portrait, points */
#define H        841.89
#define MARGIN   56.0
#define TOP      72.0
#define ROW_H    30.0
#define TABLE_Y0 250.0 /* first row's top, first page */
#define TABLE_YN 110.0 /* on the pages after */
#define TABLE_Z  700.0 /* no row starts below */
#define FOOT_H   150.0 /* the total, the QR code and the issue date */
#define QR_PT    90.0
#define FIELD    1024

typedef struct words {
    const char *title, *year, *holder, *no, *training, *dates, *jp, *total, *scan, *issued, *id,
        *page;
} words;

/* The words of one language (ID or EN), from the dictionaries. */
#define TRANSCRIPT_WORDS(L)                                                                        \
    {                                                                                              \
        I18N_##L##_CERT_TRANSCRIPT_TITLE, I18N_##L##_CERT_TRANSCRIPT_YEAR,                         \
            I18N_##L##_CERT_TRANSCRIPT_HOLDER, I18N_##L##_CERT_TRANSCRIPT_NO,                      \
            I18N_##L##_CERT_TRANSCRIPT_TRAINING, I18N_##L##_CERT_TRANSCRIPT_DATES,                 \
            I18N_##L##_CERT_TRANSCRIPT_JP, I18N_##L##_CERT_TRANSCRIPT_TOTAL,                       \
            I18N_##L##_CERT_TRANSCRIPT_SCAN, I18N_##L##_CERT_TRANSCRIPT_ISSUED,                    \
            I18N_##L##_CERT_TRANSCRIPT_ID, I18N_##L##_CERT_TRANSCRIPT_PAGE                         \
    }

static const words ID_WORDS = TRANSCRIPT_WORDS(ID);
static const words EN_WORDS = TRANSCRIPT_WORDS(EN);

typedef struct pen {
    cairo_t *cr;
    const words *w;
    const transcriptpdf_fields *f;
    int page;
    double y;
} pen;

static void set_font(cairo_t *cr, bool bold, double size, double gray)
{
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_set_source_rgb(cr, gray, gray, gray);
}

static double advance(cairo_t *cr, const char *s)
{
    cairo_text_extents_t e;

    cairo_text_extents(cr, s, &e);
    return e.x_advance;
}

/* Writes s at (x, y): align 0 left, 1 centred on x, 2 right-aligned at x;
 * shrinks the current font so s is at most max wide (max 0: no limit). */
static void text_at(cairo_t *cr, const char *s, double x, double y, int align, double max)
{
    double w = advance(cr, s);
    cairo_matrix_t m;

    if (max > 0 && w > max) {
        cairo_get_font_matrix(cr, &m);
        cairo_set_font_size(cr, m.xx * max / w);
        w = advance(cr, s);
    }
    cairo_move_to(cr, align == 1 ? x - w / 2 : align == 2 ? x - w : x, y);
    cairo_show_text(cr, s);
}

static void rule(cairo_t *cr, double y)
{
    cairo_set_source_rgb(cr, 0.69, 0.55, 0.34);
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, MARGIN, y);
    cairo_line_to(cr, W - MARGIN, y);
    cairo_stroke(cr);
}

static void table_head(pen *p)
{
    set_font(p->cr, true, 9, 0.1);
    text_at(p->cr, p->w->no, MARGIN, p->y, 0, 0);
    text_at(p->cr, p->w->training, MARGIN + 28, p->y, 0, 0);
    text_at(p->cr, p->w->dates, 360, p->y, 0, 0);
    text_at(p->cr, p->w->jp, W - MARGIN, p->y, 2, 0);
    rule(p->cr, p->y + 6);
    p->y += 22;
}

static void first_page_head(pen *p)
{
    const transcriptpdf_fields *f = p->f;
    char line[FIELD + 64];

    set_font(p->cr, true, 11, 0.1);
    text_at(p->cr, f->issuer_name, W / 2, TOP, 1, W - 2 * MARGIN);
    set_font(p->cr, true, 20, 0.1);
    text_at(p->cr, p->w->title, W / 2, TOP + 40, 1, W - 2 * MARGIN);
    set_font(p->cr, false, 13, 0.2);
    snprintf(line, sizeof line, "%s%d", p->w->year, f->year);
    text_at(p->cr, line, W / 2, TOP + 64, 1, 0);
    rule(p->cr, TOP + 80);
    set_font(p->cr, false, 10, 0.35);
    text_at(p->cr, p->w->holder, MARGIN, TOP + 112, 0, 0);
    set_font(p->cr, true, 16, 0.1);
    text_at(p->cr, f->holder_name, MARGIN, TOP + 134, 0, W - 2 * MARGIN);
    p->y = TABLE_Y0;
    table_head(p);
}

static void page_number(pen *p)
{
    char line[32];

    set_font(p->cr, false, 8, 0.4);
    snprintf(line, sizeof line, "%s%d", p->w->page, p->page);
    text_at(p->cr, line, W - MARGIN, H - 30, 2, 0);
}

static void next_page(pen *p)
{
    page_number(p);
    cairo_show_page(p->cr);
    p->page++;
    p->y = TABLE_YN;
    table_head(p);
}

static void item_row(pen *p, size_t i)
{
    const transcriptpdf_item *it = &p->f->items[i];
    char line[2 * FIELD + 64];

    if (p->y > TABLE_Z)
        next_page(p);
    set_font(p->cr, false, 9.5, 0.1);
    snprintf(line, sizeof line, "%zu", i + 1);
    text_at(p->cr, line, MARGIN, p->y, 0, 0);
    snprintf(line, sizeof line, "%s \xE2\x80\x94 %s", it->programme, it->cohort);
    text_at(p->cr, line, MARGIN + 28, p->y, 0, 360 - MARGIN - 38);
    set_font(p->cr, false, 9, 0.1);
    snprintf(line, sizeof line, "%s \xE2\x80\x93 %s", it->starts_on, it->ends_on);
    text_at(p->cr, line, 360, p->y, 0, W - MARGIN - 40 - 360);
    snprintf(line, sizeof line, "%d", it->jp);
    text_at(p->cr, line, W - MARGIN, p->y, 2, 0);
    set_font(p->cr, false, 7.5, 0.45);
    snprintf(line, sizeof line, "%s%s", p->w->id, it->short_id);
    text_at(p->cr, line, MARGIN + 28, p->y + 11, 0, 0);
    p->y += ROW_H;
}

/* The total, the QR code and the issue date, on a page with room. */
static int footer(pen *p)
{
    const transcriptpdf_fields *f = p->f;
    char line[FIELD + 64], date[16];
    double below;

    if (p->y > H - FOOT_H - 40)
        next_page(p);
    rule(p->cr, p->y - 14);
    set_font(p->cr, true, 11, 0.1);
    snprintf(line, sizeof line, "%s%d", p->w->total, f->year);
    text_at(p->cr, line, MARGIN + 28, p->y + 4, 0, 0);
    snprintf(line, sizeof line, "%d", f->total_jp);
    text_at(p->cr, line, W - MARGIN, p->y + 4, 2, 0);
    snprintf(line, sizeof line, "uri='%s'", f->url);
    cairo_tag_begin(p->cr, CAIRO_TAG_LINK, line);
    if (certqr_draw(p->cr, f->url, MARGIN + 8, H - FOOT_H, QR_PT, 4, &below) != 0)
        return -1;
    set_font(p->cr, true, 8.5, 0.1);
    text_at(p->cr, p->w->scan, MARGIN, below + 12, 0, 0);
    set_font(p->cr, false, 7.5, 0.4);
    text_at(p->cr, f->url, MARGIN, below + 23, 0, 300);
    cairo_tag_end(p->cr, CAIRO_TAG_LINK);
    set_font(p->cr, false, 9, 0.3);
    snprintf(date, sizeof date, "%.10s", f->issued_at);
    snprintf(line, sizeof line, "%s%s", p->w->issued, date);
    text_at(p->cr, line, W - MARGIN, H - FOOT_H + 40, 2, 0);
    snprintf(line, sizeof line, "%s%s", p->w->id, f->short_id);
    text_at(p->cr, line, W - MARGIN, H - FOOT_H + 54, 2, 0);
    page_number(p);
    return 0;
}

static bool ok_text(const char *s)
{
    return s != NULL && strlen(s) <= FIELD && utf8_printable(s);
}

static bool fields_ok(const transcriptpdf_fields *f)
{
    bool ok = ok_text(f->issuer_name) && ok_text(f->holder_name) && ok_text(f->short_id) &&
              ok_text(f->url) && f->issued_at != NULL && strlen(f->issued_at) == 20 &&
              f->nitems <= TRANSCRIPTPDF_MAX_ITEMS && f->url[strcspn(f->url, "' \\")] == '\0';

    for (size_t i = 0; ok && i < f->nitems; i++) {
        const transcriptpdf_item *it = &f->items[i];
        ok = ok_text(it->programme) && ok_text(it->cohort) && ok_text(it->short_id) &&
             it->starts_on != NULL && strlen(it->starts_on) == 10 && it->ends_on != NULL &&
             strlen(it->ends_on) == 10;
    }
    return ok;
}

/* cairo's output into a memory stream. */
static cairo_status_t to_stream(void *closure, const unsigned char *data, unsigned int n)
{
    return fwrite(data, 1, n, closure) == n ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static int draw(cairo_surface_t *s, const transcriptpdf_fields *f)
{
    pen p = {cairo_create(s), f->lang != NULL && strcmp(f->lang, "en") == 0 ? &EN_WORDS : &ID_WORDS,
             f, 1, 0};
    int rc;

    first_page_head(&p);
    for (size_t i = 0; i < f->nitems; i++)
        item_row(&p, i);
    p.y += 8;
    rc = footer(&p);
    if (cairo_status(p.cr) != CAIRO_STATUS_SUCCESS)
        rc = -1;
    cairo_destroy(p.cr);
    return rc;
}

int transcriptpdf_render(const transcriptpdf_fields *f, unsigned char **out, size_t *len)
{
    char *buf = NULL, title[FIELD + 64];
    size_t n = 0;
    FILE *mem;
    cairo_surface_t *s;
    int rc = -1;

    *out = NULL;
    *len = 0;
    if (!fields_ok(f) || (mem = open_memstream(&buf, &n)) == NULL)
        return -1;
    s = cairo_pdf_surface_create_for_stream(to_stream, mem, W, H);
    snprintf(title, sizeof title, "%s %d: %s",
             f->lang != NULL && strcmp(f->lang, "en") == 0 ? EN_WORDS.title : ID_WORDS.title,
             f->year, f->holder_name);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_AUTHOR, f->issuer_name);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "Sinau");
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, f->issued_at);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, f->issued_at);
    if (draw(s, f) == 0) {
        cairo_surface_finish(s);
        rc = cairo_surface_status(s) == CAIRO_STATUS_SUCCESS ? 0 : -1;
    }
    cairo_surface_destroy(s);
    if (fclose(mem) != 0)
        rc = -1;
    if (rc == 0) {
        *out = (unsigned char *)buf;
        *len = n;
    } else {
        free(buf);
    }
    return rc;
}
