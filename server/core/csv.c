/* csv.c — spreadsheet-safe CSV (csv.h): writing, and reading back what a
 * spreadsheet saved. */
#include "sinau/core/csv.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/core/alloc.h"
#include "sinau/core/names.h"
#include "sinau/core/utf8.h"

/* Appends to the document; a failure sticks to the buffer (csv_failed).
 * A zeroed csv_buf is a document without the byte-order mark: its dynbuf
 * gets its cap at the first byte. */
static void put(csv_buf *b, const char *s, size_t n)
{
    if (b->buf.max == 0)
        dynbuf_init(&b->buf, CSV_OUT_MAX);
    (void)dynbuf_add(&b->buf, s, n);
}

void csv_begin(csv_buf *b)
{
    memset(b, 0, sizeof *b);
    put(b, "\xEF\xBB\xBF", 3);
}

/* A TAB is quoted too, so a reader that guesses the separator (ours,
 * csv_parse) never takes text for one. */
static bool needs_quotes(const char *v)
{
    return strpbrk(v, ";\"\r\n,\t") != NULL;
}

static bool looks_like_formula(const char *v)
{
    return v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r';
}

void csv_field(csv_buf *b, const char *v)
{
    bool quote;

    if (b->fields_in_row++ > 0)
        put(b, ";", 1);
    if (v == NULL || *v == '\0')
        return;
    quote = needs_quotes(v);
    if (quote)
        put(b, "\"", 1);
    if (looks_like_formula(v))
        put(b, "'", 1);
    for (const char *p = v; *p != '\0'; p++) {
        if (*p == '"')
            put(b, "\"\"", 2);
        else
            put(b, p, 1);
    }
    if (quote)
        put(b, "\"", 1);
}

void csv_end_row(csv_buf *b)
{
    put(b, "\r\n", 2);
    b->fields_in_row = 0;
}

bool csv_failed(const csv_buf *b)
{
    return dynbuf_failed(&b->buf);
}

void csv_free(csv_buf *b)
{
    dynbuf_free(&b->buf);
}

void csv_number(csv_buf *b, const char *v)
{
    const char *p = v;

    if (v == NULL) {
        csv_field(b, NULL);
        return;
    }
    if (*p == '-')
        p++;
    if (*p == '\0' || strspn(p, "0123456789,") != strlen(p)) {
        csv_field(b, v);
        return;
    }
    if (b->fields_in_row++ > 0)
        put(b, ";", 1);
    if (strchr(v, ',') != NULL) {
        put(b, "\"", 1);
        put(b, v, strlen(v));
        put(b, "\"", 1);
    } else {
        put(b, v, strlen(v));
    }
}

/* ---- reading ---- */

/* Windows-1252's 0x80..0x9F (0: undefined there, read as U+FFFD). */
static const unsigned short cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

static bool utf8_valid_n(const unsigned char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        unsigned char tmp[5] = {0};
        size_t n, k;

        if (s[i] < 0x80) {
            i++;
            continue;
        }
        for (k = 0; k < 4 && i + k < len; k++)
            tmp[k] = s[i + k];
        n = utf8_seq_len(tmp);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

/* data as UTF-8 (a new buffer when converted from Windows-1252; else NULL
 * and the input is used as it is). */
static char *from_cp1252(const unsigned char *s, size_t len, size_t *out_len)
{
    char *out = xmalloc(len * 3 + 1);
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned cp = s[i];
        if (cp >= 0x80 && cp < 0xA0)
            cp = cp1252_high[cp - 0x80] ? cp1252_high[cp - 0x80] : 0xFFFD;
        if (cp < 0x80) {
            out[o++] = (char)cp;
        } else if (cp < 0x800) {
            out[o++] = (char)(0xC0 | (cp >> 6));
            out[o++] = (char)(0x80 | (cp & 0x3F));
        } else {
            out[o++] = (char)(0xE0 | (cp >> 12));
            out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (cp & 0x3F));
        }
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

/* The separator the first row uses most, outside quotes. */
static char detect_separator(const char *s, size_t len)
{
    size_t semi = 0, comma = 0, tab = 0;
    bool quoted = false;

    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            quoted = !quoted;
        else if (!quoted && (s[i] == '\n' || s[i] == '\r'))
            break;
        else if (!quoted && s[i] == ';')
            semi++;
        else if (!quoted && s[i] == ',')
            comma++;
        else if (!quoted && s[i] == '\t')
            tab++;
    }
    if (comma > semi && comma >= tab)
        return ',';
    if (tab > semi && tab > comma)
        return '\t';
    return ';';
}

typedef struct csv_reader {
    const char *s;
    size_t len, i, line;
    char sep;
    dynbuf field; /* capped at CSV_MAX_FIELD */
    json_t *row, *rows;
    bool row_has_text;
} csv_reader;

static enum csv_read_error end_field(csv_reader *r)
{
    if (json_array_size(r->row) >= CSV_MAX_FIELDS)
        return CSV_TOO_WIDE;
    if (r->field.len > 0)
        r->row_has_text = true;
    json_array_append_new(r->row, json_stringn(dynbuf_ptr(&r->field), r->field.len));
    dynbuf_reset(&r->field);
    return CSV_OK;
}

static enum csv_read_error end_row(csv_reader *r)
{
    enum csv_read_error e = end_field(r);

    if (e != CSV_OK)
        return e;
    if (json_array_size(r->rows) >= CSV_MAX_ROWS)
        return CSV_TOO_MANY_ROWS;
    if (!r->row_has_text)
        json_array_clear(r->row);
    json_array_append_new(r->rows, r->row);
    r->row = json_array();
    r->row_has_text = false;
    r->line++;
    return CSV_OK;
}

/* One quoted field from after its opening quote; r->i ends after it. */
static enum csv_read_error quoted_field(csv_reader *r)
{
    for (;;) {
        if (r->i >= r->len)
            return CSV_QUOTE;
        if (r->s[r->i] == '"') {
            if (r->i + 1 < r->len && r->s[r->i + 1] == '"') {
                (void)dynbuf_add(&r->field, "\"", 1);
                r->i += 2;
                continue;
            }
            r->i++;
            if (r->i < r->len && r->s[r->i] != r->sep && r->s[r->i] != '\n' && r->s[r->i] != '\r')
                return CSV_QUOTE;
            return CSV_OK;
        }
        if (r->field.len >= CSV_MAX_FIELD)
            return CSV_FIELD_TOO_LONG;
        (void)dynbuf_add(&r->field, r->s + r->i, 1);
        r->i++;
    }
}

static enum csv_read_error read_all(csv_reader *r)
{
    enum csv_read_error e = CSV_OK;
    bool at_field_start = true;

    while (r->i < r->len && e == CSV_OK) {
        char c = r->s[r->i];
        if (at_field_start && c == '"') {
            r->i++;
            e = quoted_field(r);
            at_field_start = false;
        } else if (c == r->sep) {
            r->i++;
            e = end_field(r);
            at_field_start = true;
        } else if (c == '\n' || c == '\r') {
            r->i += (c == '\r' && r->i + 1 < r->len && r->s[r->i + 1] == '\n') ? 2 : 1;
            e = end_row(r);
            at_field_start = true;
        } else {
            if (r->field.len >= CSV_MAX_FIELD)
                return CSV_FIELD_TOO_LONG;
            (void)dynbuf_add(&r->field, &c, 1);
            r->i++;
            at_field_start = false;
        }
    }
    if (e == CSV_OK && (json_array_size(r->row) > 0 || r->field.len > 0 || !at_field_start))
        e = end_row(r);
    return e;
}

enum csv_read_error csv_parse(const char *data, size_t len, json_t **rows, size_t *line)
{
    csv_reader r = {0};
    char *converted = NULL;
    enum csv_read_error e;
    size_t n = len;

    *rows = NULL;
    *line = 1;
    if (memchr(data, '\0', len) != NULL)
        return CSV_BINARY;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        n -= 3;
    }
    if (!utf8_valid_n((const unsigned char *)data, n)) {
        converted = from_cp1252((const unsigned char *)data, n, &n);
        data = converted;
    }
    r.s = data;
    r.len = n;
    r.line = 1;
    r.sep = detect_separator(data, n);
    dynbuf_init(&r.field, CSV_MAX_FIELD);
    r.row = json_array();
    r.rows = json_array();
    e = read_all(&r);
    json_decref(r.row);
    dynbuf_free(&r.field);
    free(converted);
    if (e == CSV_OK) {
        size_t i;
        json_t *row;
        bool any = false;
        json_array_foreach (r.rows, i, row)
            any = any || json_array_size(row) > 0;
        if (!any)
            e = CSV_EMPTY;
    }
    if (e != CSV_OK) {
        *line = e == CSV_EMPTY ? 1 : r.line;
        json_decref(r.rows);
        return e;
    }
    *rows = r.rows;
    return CSV_OK;
}

static const char *const READ_ERROR_TEXTS[] = {
    [CSV_OK] = "ok",
    [CSV_EMPTY] = "the file holds no rows",
    [CSV_BINARY] = "this is not a text file (CSV)",
    [CSV_QUOTE] = "a quoted field is not closed properly",
    [CSV_TOO_MANY_ROWS] = "more than 2,000 rows",
    [CSV_TOO_WIDE] = "a row has more than 64 columns",
    [CSV_FIELD_TOO_LONG] = "a cell holds more than 65,536 bytes",
};

const char *csv_read_error_text(enum csv_read_error e)
{
    return NAMES_LOOKUP(READ_ERROR_TEXTS, e, "unreadable CSV");
}
