/* alloc.c — allocation that never returns NULL: out of memory is logged and
 * aborts (one policy for the whole program, STYLE.md rule 9). */
#include "sinau/core/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>
#include <sodium.h>

#include "sinau/core/common.h"

static SINAU_NORETURN void out_of_memory(size_t n)
{
    /* no log_* here: it may itself need memory */
    fprintf(stderr, "fatal: out of memory allocating %zu bytes\n", n);
    abort();
}

void xalloc_failed(const char *what)
{
    fprintf(stderr, "fatal: out of memory in %s\n", what);
    abort();
}

/* The libraries' allocator (xalloc_libraries_init): they never see NULL. */
static void *lib_xmalloc(size_t n)
{
    return xmalloc(n);
}

static void *lib_xrealloc(void *p, size_t n)
{
    return xrealloc(p, n);
}

void xalloc_libraries_init(void)
{
    json_set_alloc_funcs(lib_xmalloc, free);
    event_set_mem_functions(lib_xmalloc, lib_xrealloc, free);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        out_of_memory(n);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (p == NULL)
        out_of_memory(count * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL)
        out_of_memory(n);
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

void xfree_secret(char *s)
{
    if (s != NULL) {
        sodium_memzero(s, strlen(s));
        free(s);
    }
}
