/* pdf.c — the printable certificate (certpdf.h). The fields are checked and
 * formatted first (prepare), then cairo draws on a PDF surface that writes
 * into a growing buffer: the frame, the heading, the body, the signatory,
 * the QR code. Determinism: cairo takes the document dates from the
 * metadata we set from issued_at, and everything else it writes (font subset
 * tags, object order) follows from the drawing alone; the unit test renders
 * twice, across threads, and compares the bytes. */
#include "sinau/cert/pdf.h"

#include <assert.h>
#include <cairo-pdf.h>
#include <ctype.h>
#include <dlfcn.h>
#include <cairo.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/cert/certqr.h"
#include "sinau/cert/certwords.h"
#include "sinau/core/alloc.h"
#include "sinau/cert/i18n_words.h" /* generated from web/i18n/<lang>/certificate.json */
#include "sinau/core/dynbuf.h"
#include "sinau/core/utf8.h"

#define PAGE_W    841.89 /* A4 landscape, in points */
#define PAGE_H    595.28
#define MM        (72.0 / 25.4)
#define CENTER_X  (PAGE_W / 2)
#define TEXT_W    600.0 /* the widest centred line */
#define FONT      "DejaVu Sans"
#define CAP       0.73 /* DejaVu Sans cap height, in em */
#define PDF_MAX   ((size_t)16 << 20)
#define JP_MAX    9999
#define WIB_HOURS 7 /* Malang's time: UTC+7 all year */

#define QR_SIZE  (32 * MM) /* the symbol, without its quiet zone */
#define QR_QUIET 4         /* modules of quiet zone on each side */
#define QR_X     76.0
#define QR_Y     420.0

typedef struct rgb {
    double r, g, b;
} rgb;

static const rgb NAVY = {0.106, 0.212, 0.365};
static const rgb GOLD = {0.690, 0.553, 0.341};
static const rgb INK = {0.133, 0.133, 0.133};
static const rgb MUTED = {0.376, 0.376, 0.376};

typedef struct ymd {
    int y, m, d;
} ymd;

/* The fields turned into the lines that are printed. */
typedef struct text {
    const certwords *w;
    char dates_jp[160]; /* "1 Maret 2026 – 30 April 2026 · 32 JP (jam pelajaran)" */
    char issued[64];    /* "Diterbitkan 29 November 2026" */
    char id[CERTPDF_FIELD_MAX + 8];
} text;

/* ---- checking and formatting the fields ---- */

/* A printable string: non-NULL, at most CERTPDF_FIELD_MAX bytes, valid
 * UTF-8, no C0/C1 control characters (they would print as boxes). */
static bool field_ok(const char *s)
{
    return s != NULL && strnlen(s, CERTPDF_FIELD_MAX + 1) <= CERTPDF_FIELD_MAX && utf8_printable(s);
}

/* The URL: printable ASCII without spaces, so the QR code's bytes, the
 * printed text and the link are the same string. */
static bool url_ok(const char *s)
{
    if (s == NULL || s[0] == '\0' || strnlen(s, CERTPDF_FIELD_MAX + 1) > CERTPDF_FIELD_MAX)
        return false;
    for (; *s != '\0'; s++) {
        if (*s <= 0x20 || *s >= 0x7F)
            return false;
    }
    return true;
}

/* The value of n decimal digits at s, or -1. */
static int digits(const char *s, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : days[m - 1];
}

/* Parses the "YYYY-MM-DD" at the start of s (a real date, years 1900..9999). */
static int parse_ymd(const char *s, ymd *out)
{
    out->y = digits(s, 4);
    out->m = s[4] == '-' ? digits(s + 5, 2) : -1;
    out->d = out->m > 0 && s[7] == '-' ? digits(s + 8, 2) : -1;
    if (out->y < 1900 || out->m < 1 || out->m > 12 || out->d < 1 ||
        out->d > days_in_month(out->y, out->m))
        return -1;
    return 0;
}

static int parse_date(const char *s, ymd *out)
{
    if (s == NULL || strlen(s) != 10)
        return -1;
    return parse_ymd(s, out);
}

/* Parses "YYYY-MM-DDThh:mm:ssZ" and gives the calendar date in WIB. */
static int parse_issued_wib(const char *s, ymd *out)
{
    int h, mi, se;

    if (s == NULL || strlen(s) != 20 || parse_ymd(s, out) < 0 || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':' || s[19] != 'Z')
        return -1;
    h = digits(s + 11, 2);
    mi = digits(s + 14, 2);
    se = digits(s + 17, 2);
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59)
        return -1;
    if (h + WIB_HOURS < 24)
        return 0;
    if (++out->d > days_in_month(out->y, out->m)) {
        out->d = 1;
        if (++out->m > 12) {
            out->m = 1;
            out->y++;
        }
    }
    return 0;
}

/* "ID: 3f9a-1c2b" for a short id of 8 letters and digits; other forms as
 * given. */
static void format_id(char *buf, size_t size, const certwords *w, const char *short_id)
{
    const char *label = w->text[I18N_CERT_ID];
    bool plain = strlen(short_id) == 8;

    for (size_t i = 0; plain && i < 8; i++)
        plain = isalnum((unsigned char)short_id[i]) != 0;
    if (plain)
        snprintf(buf, size, "%s%.4s-%.4s", label, short_id, short_id + 4);
    else
        snprintf(buf, size, "%s%s", label, short_id);
}

/* Checks every field and fills t. Returns 0 or -1. */
static int prepare(const certpdf_fields *f, text *t)
{
    const char *strings[] = {f->holder_name,    f->programme,
                             f->cohort,         f->issuer_name,
                             f->signatory_name, f->signatory_title,
                             f->short_id,       f->signatory_nip != NULL ? f->signatory_nip : ""};
    char from[48], to[48], issued[48];
    ymd start, end, iss;

    for (size_t i = 0; i < SINAU_ARRAY_LEN(strings); i++) {
        if (!field_ok(strings[i]))
            return -1;
    }
    if (f->holder_name[0] == '\0' || f->programme[0] == '\0' || !url_ok(f->url) || f->jp < 0 ||
        f->jp > JP_MAX || parse_date(f->starts_on, &start) < 0 ||
        parse_date(f->ends_on, &end) < 0 || strcmp(f->ends_on, f->starts_on) < 0 ||
        parse_issued_wib(f->issued_at, &iss) < 0)
        return -1;
    t->w = certwords_for(f->lang);
    certwords_date(from, sizeof(from), t->w, start.y, start.m, start.d);
    certwords_date(to, sizeof(to), t->w, end.y, end.m, end.d);
    certwords_date(issued, sizeof(issued), t->w, iss.y, iss.m, iss.d);
    if (strcmp(f->starts_on, f->ends_on) == 0)
        snprintf(t->dates_jp, sizeof(t->dates_jp), "%s  \xC2\xB7  %d%s", from, f->jp,
                 t->w->text[I18N_CERT_PDF_JP]);
    else
        snprintf(t->dates_jp, sizeof(t->dates_jp), "%s \xE2\x80\x93 %s  \xC2\xB7  %d%s", from, to,
                 f->jp, t->w->text[I18N_CERT_PDF_JP]);
    snprintf(t->issued, sizeof(t->issued), "%s %s", t->w->text[I18N_CERT_PDF_ISSUED], issued);
    format_id(t->id, sizeof(t->id), t->w, f->short_id);
    return 0;
}

/* ---- text ---- */

enum style { REGULAR, BOLD, ITALIC };
enum align { LEFT, CENTER };

static void color(cairo_t *cr, rgb c)
{
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

static void font(cairo_t *cr, enum style st, double size)
{
    cairo_select_font_face(cr, FONT,
                           st == ITALIC ? CAIRO_FONT_SLANT_OBLIQUE : CAIRO_FONT_SLANT_NORMAL,
                           st == BOLD ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

static double width(cairo_t *cr, const char *s)
{
    cairo_text_extents_t e;

    cairo_text_extents(cr, s, &e);
    return e.x_advance;
}

/* Sets the font in style st at the largest size <= max at which s is at most
 * w wide, measured (cairo scales PDF text linearly, so the first guess is
 * near; the loop makes sure). Returns the size. */
static double fit(cairo_t *cr, enum style st, const char *s, double max, double w)
{
    double size = max, tw;

    font(cr, st, size);
    tw = width(cr, s);
    if (tw > w)
        size = max * w / tw;
    for (int i = 0; i < 200; i++) {
        font(cr, st, size);
        if (width(cr, s) <= w)
            break;
        size *= 0.98;
    }
    return size;
}

/* Draws s in the current font, starting at x (LEFT) or centred on x, with
 * its baseline at y. */
static void show(cairo_t *cr, const char *s, double x, double y, enum align a)
{
    cairo_move_to(cr, a == CENTER ? x - width(cr, s) / 2 : x, y);
    cairo_show_text(cr, s);
}

/* Draws s on one line at the largest size <= max at which it is at most w
 * wide (fit), from x (LEFT) or centred on x, its baseline at y. */
static void show_fit(cairo_t *cr, const char *s, enum style st, double max, double x, double y,
                     double w, enum align a)
{
    fit(cr, st, s, max, w);
    show(cr, s, x, y, a);
}

/* A thin horizontal line from x0 to x1 at y, in the current colour. */
static void hline(cairo_t *cr, double x0, double x1, double y)
{
    cairo_set_line_width(cr, 0.6);
    cairo_move_to(cr, x0, y);
    cairo_line_to(cr, x1, y);
    cairo_stroke(cr);
}

/* Draws ASCII s centred on cx with `track` points between letters. */
static void show_tracked(cairo_t *cr, const char *s, double cx, double y, double track)
{
    size_t n = strlen(s);
    double x = cx - (width(cr, s) + track * (double)(n - 1)) / 2;
    char one[2] = {0, 0};

    for (size_t i = 0; i < n; i++) {
        one[0] = s[i];
        cairo_move_to(cr, x, y);
        cairo_show_text(cr, one);
        x += width(cr, one) + track;
    }
}

/* A rectangle that text is fitted into, centred on cx. */
typedef struct box {
    double cx, top, w, h;
} box;

/* Splits s at the space that makes its longer half narrowest in the current
 * font; a and b receive the halves. Returns false when s has no space. */
static bool split_two(cairo_t *cr, const char *s, char *a, char *b)
{
    double best = -1;
    size_t at = 0, n = strlen(s);

    for (size_t i = 1; i < n; i++) {
        double w, rest;

        if (s[i] != ' ')
            continue;
        memcpy(a, s, i);
        a[i] = '\0';
        w = width(cr, a);
        rest = width(cr, s + i + 1);
        if (rest > w)
            w = rest;
        if (best < 0 || w < best) {
            best = w;
            at = i;
        }
    }
    if (best < 0)
        return false;
    memcpy(a, s, at);
    a[at] = '\0';
    memcpy(b, s + at + 1, n - at);
    return true;
}

/* Draws s centred in b, at most max points: on one line while that keeps
 * three quarters of max, otherwise on two balanced lines if that is larger. */
static void show_block(cairo_t *cr, const char *s, enum style st, double max, box b)
{
    char a[CERTPDF_FIELD_MAX + 1], z[CERTPDF_FIELD_MAX + 1];
    double one = fit(cr, st, s, max, b.w), two, gap;

    if (one < 0.75 * max && split_two(cr, s, a, z)) {
        two = fit(cr, st, a, b.h / 2.4, b.w);
        two = fit(cr, st, z, two, b.w);
        if (two > one) {
            font(cr, st, two);
            gap = two * 1.2;
            show(cr, a, b.cx, b.top + b.h / 2 + (CAP * two - gap) / 2, CENTER);
            show(cr, z, b.cx, b.top + b.h / 2 + (CAP * two + gap) / 2, CENTER);
            return;
        }
    }
    font(cr, st, one);
    show(cr, s, b.cx, b.top + (b.h + CAP * one) / 2, CENTER);
}

/* ---- images (signature, logo) ---- */

/* Reads a PNG from memory for cairo. */
typedef struct png_reader {
    const unsigned char *data;
    size_t len, at;
} png_reader;

static cairo_status_t png_read(void *closure, unsigned char *out, unsigned int n)
{
    png_reader *r = closure;

    if (n > r->len - r->at)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(out, r->data + r->at, n);
    r->at += n;
    return CAIRO_STATUS_SUCCESS;
}

/* The width and height in a PNG's header (signature, IHDR first); -1 when
 * it is no PNG or larger than allowed. */
static int png_header(const unsigned char *p, size_t len, int *w, int *h)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned long wl, hl;

    if (p == NULL || len < 24 || len > CERTPDF_PNG_MAX || memcmp(p, sig, 8) != 0 ||
        memcmp(p + 12, "IHDR", 4) != 0)
        return -1;
    wl =
        (unsigned long)p[16] << 24 | (unsigned long)p[17] << 16 | (unsigned long)p[18] << 8 | p[19];
    hl =
        (unsigned long)p[20] << 24 | (unsigned long)p[21] << 16 | (unsigned long)p[22] << 8 | p[23];
    if (wl == 0 || hl == 0 || wl > CERTPDF_PNG_SIDE || hl > CERTPDF_PNG_SIDE)
        return -1;
    *w = (int)wl;
    *h = (int)hl;
    return 0;
}

/* The PNG as a cairo surface (owned), or NULL when it does not decode. */
static cairo_surface_t *png_surface(const unsigned char *png, size_t len)
{
    png_reader r = {png, len, 0};
    cairo_surface_t *s;
    int w, h;

    if (png_header(png, len, &w, &h) != 0)
        return NULL;
    s = cairo_image_surface_create_from_png_stream(png_read, &r);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return NULL;
    }
    return s;
}

int certpdf_png_check(const unsigned char *png, size_t len, int *width, int *height)
{
    cairo_surface_t *s = png_surface(png, len);

    if (s == NULL)
        return -1;
    *width = cairo_image_surface_get_width(s);
    *height = cairo_image_surface_get_height(s);
    cairo_surface_destroy(s);
    return 0;
}

/* Draws a PNG as large as fits in the box (x, y, w, h), keeping its shape,
 * centred horizontally on cx when cx >= 0 (else at x) and resting on the
 * box's bottom. Nothing when there is none or it does not decode. */
static void draw_png(cairo_t *cr, const unsigned char *png, size_t len, double x, double y,
                     double w, double h, double cx)
{
    cairo_surface_t *s = png != NULL ? png_surface(png, len) : NULL;
    double iw, ih, k;

    if (s == NULL)
        return;
    iw = cairo_image_surface_get_width(s);
    ih = cairo_image_surface_get_height(s);
    k = w / iw < h / ih ? w / iw : h / ih;
    cairo_save(cr);
    cairo_translate(cr, cx >= 0 ? cx - iw * k / 2 : x, y + h - ih * k);
    cairo_scale(cr, k, k);
    cairo_set_source_surface(cr, s, 0, 0);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(s);
}

/* ---- the page ---- */

/* A small diamond centred on (x, y). */
static void diamond(cairo_t *cr, double x, double y, double r)
{
    cairo_move_to(cr, x, y - r);
    cairo_line_to(cr, x + r, y);
    cairo_line_to(cr, x, y + r);
    cairo_line_to(cr, x - r, y);
    cairo_close_path(cr);
    cairo_fill(cr);
}

/* A gold rule of width w centred on cx with a diamond in its middle. */
static void ornament(cairo_t *cr, double cx, double y, double w)
{
    color(cr, GOLD);
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, cx - w / 2, y);
    cairo_line_to(cr, cx - 7, y);
    cairo_move_to(cr, cx + 7, y);
    cairo_line_to(cr, cx + w / 2, y);
    cairo_stroke(cr);
    diamond(cr, cx, y, 3.5);
}

/* The border: a navy rule, a thin gold rule inside it, gold diamonds at the
 * inner corners. */
static void draw_frame(cairo_t *cr)
{
    const double outer = 22, inner = 30;

    color(cr, NAVY);
    cairo_set_line_width(cr, 3);
    cairo_rectangle(cr, outer, outer, PAGE_W - 2 * outer, PAGE_H - 2 * outer);
    cairo_stroke(cr);
    color(cr, GOLD);
    cairo_set_line_width(cr, 0.8);
    cairo_rectangle(cr, inner, inner, PAGE_W - 2 * inner, PAGE_H - 2 * inner);
    cairo_stroke(cr);
    diamond(cr, inner, inner, 5);
    diamond(cr, PAGE_W - inner, inner, 5);
    diamond(cr, inner, PAGE_H - inner, 5);
    diamond(cr, PAGE_W - inner, PAGE_H - inner, 5);
}

/* The issuer, the title, the short id (where a number goes on a paper
 * certificate) and an ornament. */
static void draw_heading(cairo_t *cr, const certpdf_fields *f, const text *t)
{
    draw_png(cr, f->logo_png, f->logo_png_len, 48, 44, 72, 72, -1);
    color(cr, NAVY);
    show_fit(cr, f->issuer_name, BOLD, 12, CENTER_X, 78, TEXT_W, CENTER);
    font(cr, BOLD, 40);
    show_tracked(cr, t->w->text[I18N_CERT_PDF_TITLE], CENTER_X, 130, 7);
    color(cr, MUTED);
    show_fit(cr, t->id, REGULAR, 10, CENTER_X, 151, TEXT_W, CENTER);
    ornament(cr, CENTER_X, 167, 180);
}

/* A caption in italics (muted, `size`, centred on b.cx at baseline y) and
 * under it value in bold, in colour c, at most max and fitted into b. */
static void captioned(cairo_t *cr, const char *caption, double size, double y, rgb c,
                      const char *value, double max, box b)
{
    color(cr, MUTED);
    font(cr, ITALIC, size);
    show(cr, caption, b.cx, y, CENTER);
    color(cr, c);
    show_block(cr, value, BOLD, max, b);
}

/* "awarded to", the name, "has completed the programme", the programme,
 * the cohort, the dates and JP. */
static void draw_body(cairo_t *cr, const certpdf_fields *f, const text *t)
{
    captioned(cr, t->w->text[I18N_CERT_PDF_AWARDED], 14, 196, INK, f->holder_name, 34,
              (box){CENTER_X, 204, TEXT_W, 52});
    color(cr, GOLD);
    hline(cr, CENTER_X - 230, CENTER_X + 230, 266);
    captioned(cr, t->w->text[I18N_CERT_PDF_COMPLETED], 13, 290, NAVY, f->programme, 22,
              (box){CENTER_X, 297, TEXT_W, 44});
    color(cr, INK);
    show_fit(cr, f->cohort, REGULAR, 14, CENTER_X, 362, TEXT_W, CENTER);
    show_fit(cr, t->dates_jp, REGULAR, 12, CENTER_X, 386, TEXT_W, CENTER);
}

/* The issue date, the signature image, a signature line, the signatory's
 * name, title and NIP, on the right. */
static void draw_signatory(cairo_t *cr, const certpdf_fields *f, const text *t)
{
    const double cx = PAGE_W - 76 - 120, w = 240;
    bool nip = f->signatory_nip != NULL && f->signatory_nip[0] != '\0';
    char line[64];

    color(cr, MUTED);
    show_fit(cr, t->issued, REGULAR, 10, cx, 444, w, CENTER);
    draw_png(cr, f->signature_png, f->signature_png_len, cx - 80, 452, 160, 46, cx);
    color(cr, INK);
    hline(cr, cx - w / 2, cx + w / 2, 500);
    show_fit(cr, f->signatory_name, BOLD, 12, cx, 514, w, CENTER);
    color(cr, MUTED);
    show_block(cr, f->signatory_title, REGULAR, 9.5, (box){cx, 518, w, nip ? 22 : 26});
    if (nip) {
        certwords_nip(line, sizeof line, t->w, f->signatory_nip);
        show_fit(cr, line, REGULAR, 9, cx, 551, w, CENTER);
    }
}

/* Writes s into buf as a cairo tag string value: quoted, with ' and \
 * escaped. buf holds 2 * strlen(s) + 3 bytes. */
static void tag_quote(char *buf, const char *s)
{
    *buf++ = '\'';
    for (; *s != '\0'; s++) {
        if (*s == '\'' || *s == '\\')
            *buf++ = '\\';
        *buf++ = *s;
    }
    *buf++ = '\'';
    *buf = '\0';
}

/* The QR code of url (error correction M, 8-bit mode) with its top left
 * module at (x, y), as filled rectangles (one per horizontal run of dark
 * modules) on a white quiet zone, whose bottom edge goes to *bottom (the
 * zone is wider the fewer modules the code has). Returns 0, or -1 when
 * libqrencode fails. */
static int draw_qr(cairo_t *cr, const char *url, double x, double y, double *bottom)
{
    return certqr_draw(cr, url, x, y, QR_SIZE, QR_QUIET, bottom);
}

/* The QR code, under it "Scan to verify" and the URL, all three a link to
 * the URL. */
static int draw_verify(cairo_t *cr, const certpdf_fields *f, const text *t)
{
    char attr[2 * CERTPDF_FIELD_MAX + 8];
    double below;

    memcpy(attr, "uri=", 4);
    tag_quote(attr + 4, f->url);
    cairo_tag_begin(cr, CAIRO_TAG_LINK, attr);
    if (draw_qr(cr, f->url, QR_X, QR_Y, &below) < 0)
        return -1;
    color(cr, INK);
    font(cr, BOLD, 8.5);
    show(cr, t->w->text[I18N_CERT_PDF_SCAN], QR_X, below + 10, LEFT);
    color(cr, MUTED);
    show_fit(cr, f->url, REGULAR, 7.5, QR_X, below + 21, 330, LEFT);
    cairo_tag_end(cr, CAIRO_TAG_LINK);
    return 0;
}

/* ---- the document ---- */

/* Title, author, creator and both dates, so no clock reaches the output. */
static void set_metadata(cairo_surface_t *s, const certpdf_fields *f, const text *t)
{
    char title[4 * CERTPDF_FIELD_MAX + 64];

    snprintf(title, sizeof(title), "%s: %s \xE2\x80\x94 %s \xE2\x80\x94 %s",
             t->w->text[I18N_CERT_PDF_DOC], f->programme, f->cohort, f->holder_name);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_AUTHOR, f->issuer_name);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "Sinau");
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, f->issued_at);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, f->issued_at);
}

/* cairo writes the PDF into a dynbuf capped at PDF_MAX. */
static cairo_status_t outbuf_write(void *closure, const unsigned char *data, unsigned int n)
{
    return dynbuf_add(closure, data, n) == 0 ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/* Draws the page on cr. Returns 0, or -1 when drawing failed. */
static int draw_page(cairo_t *cr, const certpdf_fields *f, const text *t)
{
    draw_frame(cr);
    draw_heading(cr, f, t);
    draw_body(cr, f, t);
    draw_signatory(cr, f, t);
    if (draw_verify(cr, f, t) < 0)
        return -1;
    return cairo_status(cr) == CAIRO_STATUS_SUCCESS ? 0 : -1;
}

int certpdf_render(const certpdf_fields *f, unsigned char **out, size_t *len)
{
    dynbuf b;
    cairo_surface_t *s = NULL;
    cairo_t *cr = NULL;
    text t;
    int rc = -1;

    assert(f != NULL && out != NULL && len != NULL);
    *out = NULL;
    *len = 0;
    dynbuf_init(&b, PDF_MAX);
    if (prepare(f, &t) < 0)
        goto out;
    s = cairo_pdf_surface_create_for_stream(outbuf_write, &b, PAGE_W, PAGE_H);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        goto out;
    set_metadata(s, f, &t);
    cr = cairo_create(s);
    if (draw_page(cr, f, &t) < 0)
        goto out;
    cairo_destroy(cr);
    cr = NULL;
    cairo_surface_finish(s);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        goto out;
    *out = (unsigned char *)dynbuf_take(&b, len);
    rc = *out != NULL ? 0 : -1;
out:
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    dynbuf_free(&b);
    return rc;
}

void certpdf_cleanup(void)
{
    void *fc = dlopen("libfontconfig.so.1", RTLD_LAZY | RTLD_NOLOAD);
    void (*fini)(void) = NULL;

    cairo_debug_reset_static_data();
    /* fontconfig came in with cairo but is not on our link line (only
     * cairo's own library is), so FcFini is looked up in the loaded copy. */
    if (fc == NULL)
        return;
    *(void **)&fini = dlsym(fc, "FcFini");
    if (fini != NULL)
        fini();
    dlclose(fc);
}
