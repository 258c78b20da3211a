/* csv.h — CSV for spreadsheets: what opens cleanly in Excel or LibreOffice
 * set to the Indonesian locale (decimal comma, so the list separator is ';').
 *
 * A document starts with a UTF-8 byte-order mark so that the spreadsheet
 * reads UTF-8; fields are separated by ';' and rows end in CRLF; a field is
 * quoted when it holds the separator, a quote, CR or LF (quotes doubled);
 * a field starting with '=', '+', '-', '@', TAB or CR is prefixed with a
 * single quote so it is never taken as a formula (formula injection). Pure
 * code on a growing buffer; any thread. */
#ifndef SINAU_CSV_H
#define SINAU_CSV_H

#include <stddef.h>

typedef struct csv_buf {
    char *data; /* owned; free() */
    size_t len, cap;
    int fields_in_row;
} csv_buf;

/* Starts a document (writes the byte-order mark). */
void csv_begin(csv_buf *b);

/* Appends one field (NULL: an empty field). */
void csv_field(csv_buf *b, const char *value);

/* Ends the current row. */
void csv_end_row(csv_buf *b);

/* Releases the buffer. NULL-safe fields. */
void csv_free(csv_buf *b);

#endif /* SINAU_CSV_H */
