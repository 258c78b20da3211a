/* core/alloc.h — the one out-of-memory policy: allocation failure logs and aborts.
 * Every x* function returns owned memory that the caller frees with free().
 * Thread-safe (wraps the C library).
 *
 * Libraries that allocate for us follow it too: jansson and libevent
 * allocate through xmalloc (xalloc_libraries_init, called first thing by
 * main), so a json_t constructor or json_dumps returns NULL only for bad
 * input, and event_new or evbuffer_new never for want of memory; a NULL
 * for memory from any other library (PQunescapeBytea…) goes to
 * xalloc_failed. No raw malloc, calloc, realloc
 * or strdup outside this file. */
#ifndef SINAU_CORE_ALLOC_H
#define SINAU_CORE_ALLOC_H

#include <stddef.h>

#include "sinau/core/common.h"

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Out of memory in a library call named what: logs and aborts. */
SINAU_NORETURN void xalloc_failed(const char *what);

/* Makes jansson (json_set_alloc_funcs) and libevent
 * (event_set_mem_functions) allocate through xmalloc/xrealloc. Call once,
 * first thing in main: before any other thread, json_t or libevent call. */
void xalloc_libraries_init(void);

/* Wipes a NUL-terminated secret (a password, a URL holding one) and frees
 * it. NULL-safe. */
void xfree_secret(char *s);

#endif /* SINAU_CORE_ALLOC_H */
