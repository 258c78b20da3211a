/* alloc.h — the one out-of-memory policy: allocation failure logs and aborts.
 * Every x* function returns owned memory that the caller frees with free().
 * Thread-safe (wraps the C library).
 *
 * Libraries that allocate for us follow it too: jansson allocates through
 * xmalloc (xalloc_json_init, called first thing by main), so a json_t
 * constructor or json_dumps returns NULL only for bad input, never for want
 * of memory; a NULL from any other library's constructor (evbuffer_new,
 * PQunescapeBytea…) goes to xalloc_failed. No raw malloc, calloc, realloc
 * or strdup outside this file. */
#ifndef SINAU_ALLOC_H
#define SINAU_ALLOC_H

#include <stddef.h>

#include "sinau/common.h"

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Out of memory in a library call named what: logs and aborts. */
SINAU_NORETURN void xalloc_failed(const char *what);

/* Makes jansson allocate with xmalloc (json_set_alloc_funcs). Call once,
 * before any other thread exists and before any json_t is made. */
void xalloc_json_init(void);

/* Wipes a NUL-terminated secret (a password, a URL holding one) and frees
 * it. NULL-safe. */
void xfree_secret(char *s);

#endif /* SINAU_ALLOC_H */
