/* core/alloc.h — the one out-of-memory policy: allocation failure logs and aborts.
 * Every x* function returns owned memory that the caller frees with free().
 * Thread-safe (wraps the C library). */
#ifndef SINAU_CORE_ALLOC_H
#define SINAU_CORE_ALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Wipes a NUL-terminated secret (a password, a URL holding one) and frees
 * it. NULL-safe. */
void xfree_secret(char *s);

#endif /* SINAU_CORE_ALLOC_H */
