/* csv.c — spreadsheet-safe CSV (csv.h). */
#include "sinau/csv.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/alloc.h"

static void put(csv_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2 + 256;
        b->data = xrealloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void csv_begin(csv_buf *b)
{
    memset(b, 0, sizeof *b);
    put(b, "\xEF\xBB\xBF", 3);
}

static bool needs_quotes(const char *v)
{
    return strpbrk(v, ";\"\r\n,") != NULL;
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

void csv_free(csv_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
