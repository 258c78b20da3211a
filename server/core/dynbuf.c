/* dynbuf.c — the one growable byte buffer (dynbuf.h). Unlike the x*
 * allocators it never aborts: the hard cap protects against input that
 * would grow it without end, and a refused allocation is reported to the
 * writer like the cap, which decides (most answer 500 or drop the job). */
#include "sinau/core/dynbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/core/alloc.h"

#define DYNBUF_FIRST 64 /* first allocation */

void dynbuf_init(dynbuf *b, size_t max)
{
    memset(b, 0, sizeof *b);
    b->max = max;
}

int dynbuf_fail(dynbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = true;
    return -1;
}

/* Makes room for need bytes plus the terminator (need <= max): doubles,
 * never past max + 1. */
static int dynbuf_grow(dynbuf *b, size_t need)
{
    size_t limit = b->max < SIZE_MAX ? b->max + 1 : SIZE_MAX;
    size_t cap = b->cap != 0 ? b->cap : DYNBUF_FIRST;
    char *p;

    if (need >= limit)
        return dynbuf_fail(b);
    while (cap < need + 1)
        cap = cap > limit / 2 ? limit : cap * 2;
    if (cap > limit)
        cap = limit;
    p = realloc(b->data, cap);
    if (p == NULL)
        return dynbuf_fail(b);
    b->data = p;
    b->cap = cap;
    return 0;
}

int dynbuf_add(dynbuf *b, const void *s, size_t n)
{
    if (b->failed)
        return -1;
    if (n > b->max - b->len)
        return dynbuf_fail(b);
    if (b->len + n + 1 > b->cap && dynbuf_grow(b, b->len + n) != 0)
        return -1;
    if (n > 0)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    if (b->data != NULL)
        b->data[b->len] = '\0';
    return 0;
}

char *dynbuf_reserve(dynbuf *b, size_t want, size_t *room)
{
    size_t n;

    *room = 0;
    if (b->failed)
        return NULL;
    if (b->len < b->max && b->len + 1 >= b->cap && dynbuf_grow(b, b->len + 1) != 0)
        return NULL;
    n = b->cap - b->len - 1;
    if (n > b->max - b->len)
        n = b->max - b->len;
    *room = n < want ? n : want;
    return b->data + b->len;
}

void dynbuf_commit(dynbuf *b, size_t n)
{
    if (n == 0)
        return;
    b->len += n;
    b->data[b->len] = '\0';
}

int dynbuf_addstr(dynbuf *b, const char *s)
{
    return dynbuf_add(b, s, strlen(s));
}

int dynbuf_printf(dynbuf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return dynbuf_fail(b);
    if ((size_t)n < sizeof small)
        return dynbuf_add(b, small, (size_t)n);
    if (b->failed || (size_t)n > b->max - b->len)
        return dynbuf_fail(b);
    if (b->len + (size_t)n + 1 > b->cap && dynbuf_grow(b, b->len + (size_t)n) != 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

bool dynbuf_failed(const dynbuf *b)
{
    return b->failed;
}

const char *dynbuf_ptr(const dynbuf *b)
{
    if (b->failed)
        return NULL;
    return b->data != NULL ? b->data : "";
}

char *dynbuf_take(dynbuf *b, size_t *len)
{
    char *p = b->data;

    if (len != NULL)
        *len = b->failed ? 0 : b->len;
    if (b->failed) {
        dynbuf_init(b, b->max);
        return NULL;
    }
    if (p == NULL)
        p = xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void dynbuf_reset(dynbuf *b)
{
    if (b->failed)
        return;
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

void dynbuf_free(dynbuf *b)
{
    if (b == NULL)
        return;
    free(b->data);
    dynbuf_init(b, b->max);
}
