/* core/csv.h — CSV for spreadsheets: what opens cleanly in Excel or LibreOffice
 * set to the Indonesian locale (decimal comma, so the list separator is ';'),
 * and reading back what such a spreadsheet saved.
 *
 * A document starts with a UTF-8 byte-order mark so that the spreadsheet
 * reads UTF-8; fields are separated by ';' and rows end in CRLF; a field is
 * quoted when it holds the separator, a comma, a TAB, a quote, CR or LF
 * (quotes doubled);
 * a field starting with '=', '+', '-', '@', TAB or CR is prefixed with a
 * single quote so it is never taken as a formula (formula injection). Pure
 * code on a growing buffer; any thread. */
#ifndef SINAU_CORE_CSV_H
#define SINAU_CORE_CSV_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "sinau/core/dynbuf.h"

/* The document is a dynbuf capped at CSV_OUT_MAX; data and len read its
 * bytes (data: owned, free(); NULL once csv_failed). */
#define CSV_OUT_MAX ((size_t)64 << 20)
typedef struct csv_buf {
    union {
        dynbuf buf;
        struct {
            char *data;
            size_t len;
        };
    };
    int fields_in_row;
} csv_buf;

/* Starts a document (writes the byte-order mark). */
void csv_begin(csv_buf *b);

/* Appends one field (NULL: an empty field). */
void csv_field(csv_buf *b, const char *value);

/* Ends the current row. */
void csv_end_row(csv_buf *b);

/* Appends a number we formatted ourselves (digits, at most one leading
 * '-', a decimal comma): written as it is, so a negative number stays a
 * number in the spreadsheet instead of being defused as a formula. Anything
 * else goes through csv_field. */
void csv_number(csv_buf *b, const char *value);

/* True once the document went over CSV_OUT_MAX (or memory was refused):
 * its bytes are gone and the export must fail. */
bool csv_failed(const csv_buf *b);

/* Releases the buffer. NULL-safe fields. */
void csv_free(csv_buf *b);

/* ---- reading what a spreadsheet saved ---- */

#define CSV_MAX_ROWS   2000
#define CSV_MAX_FIELDS 64
#define CSV_MAX_FIELD  65536

enum csv_read_error {
    CSV_OK = 0,
    CSV_EMPTY,         /* nothing but blank rows */
    CSV_BINARY,        /* a NUL byte: not a text file */
    CSV_QUOTE,         /* a quoted field never closed, or text after a closing quote */
    CSV_TOO_MANY_ROWS, /* more than CSV_MAX_ROWS rows */
    CSV_TOO_WIDE,      /* a row of more than CSV_MAX_FIELDS fields */
    CSV_FIELD_TOO_LONG /* a field of more than CSV_MAX_FIELD bytes */
};

/* Reads a CSV document as saved by Excel or LibreOffice in the Indonesian
 * locale, or any other: a UTF-8 byte-order mark is skipped; text that is not
 * valid UTF-8 is read as Windows-1252 (Excel's "CSV" on Windows); the
 * separator is whichever of ';', ',' or TAB the first row holds most of
 * (';' on a tie); quoted fields (quotes doubled inside) may hold separators
 * and line breaks; rows end in CRLF, LF or CR. Rows whose fields are all
 * empty are kept as empty arrays (so row numbers match the sheet's).
 * Returns CSV_OK with *rows a new array of arrays of strings (json_decref),
 * or an error with *rows NULL and *line the 1-based row where it was found.
 * Pure code; any thread. */
enum csv_read_error csv_parse(const char *data, size_t len, json_t **rows, size_t *line);

/* A short English description of an error (no input bytes). */
const char *csv_read_error_text(enum csv_read_error e);

#endif /* SINAU_CORE_CSV_H */
