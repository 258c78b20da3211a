/* core/dynbuf.h — the one growable byte buffer (curl's dynbuf is the model):
 * it grows by doubling up to a hard cap set at init, keeps its bytes
 * NUL-terminated, and fails stickily: an append over the cap, or an
 * allocation the C library refuses, frees the bytes, marks the buffer
 * failed and returns -1; every later append returns -1 too, so a writer
 * may append freely and look once at the end (dynbuf_failed). Pure code
 * on caller memory; one buffer is used by one thread at a time. */
#ifndef SINAU_CORE_DYNBUF_H
#define SINAU_CORE_DYNBUF_H

#include <stdbool.h>
#include <stddef.h>

#include "sinau/core/common.h"

typedef struct dynbuf {
    char *data; /* owned; NUL-terminated when non-NULL; NULL until the first byte */
    size_t len; /* bytes held, the terminator not counted */
    size_t cap; /* bytes allocated */
    size_t max; /* hard cap on len */
    bool failed;
} dynbuf;

/* Starts an empty buffer that holds at most max bytes (max > 0). */
void dynbuf_init(dynbuf *b, size_t max);

/* Appends s[0..n). Returns 0, or -1 (failed: over the cap, or out of
 * memory; the bytes are freed). n == 0 succeeds on a buffer not failed. */
int dynbuf_add(dynbuf *b, const void *s, size_t n);

/* dynbuf_add of a NUL-terminated string. */
int dynbuf_addstr(dynbuf *b, const char *s);

/* Appends printf-formatted text (any length). Returns 0 or -1 as
 * dynbuf_add. */
SINAU_PRINTF(2, 3) int dynbuf_printf(dynbuf *b, const char *fmt, ...);

/* Room to write into directly (a read(2) straight into the buffer): when
 * the bytes already fill the allocation it grows (doubling, never past the
 * cap), and the return is where the next bytes go, with *room set to how
 * many may be written there: at least 1 and at most want, or 0 at the cap
 * (a non-NULL return then; max > 0 as dynbuf_init asks). NULL once failed (a refused allocation
 * fails the buffer as an append does). Count what was written with dynbuf_commit before any other
 * call. */
char *dynbuf_reserve(dynbuf *b, size_t want, size_t *room);

/* Counts n bytes written at dynbuf_reserve's pointer (n <= its room) and
 * keeps the bytes NUL-terminated. */
void dynbuf_commit(dynbuf *b, size_t n);

/* Marks b failed as an append over its cap would (a part built in another
 * buffer did not fit); returns -1. */
int dynbuf_fail(dynbuf *b);

/* True once an append has failed. */
bool dynbuf_failed(const dynbuf *b);

/* The bytes, "" for an empty buffer, NULL once failed. Borrowed until the
 * next append, take or free. */
const char *dynbuf_ptr(const dynbuf *b);

/* Hands the bytes to the caller (free() them; an empty buffer gives "" in
 * fresh memory) and sets *len when len is not NULL; the buffer is empty
 * again and may be reused. NULL once failed (the buffer is reset). */
char *dynbuf_take(dynbuf *b, size_t *len);

/* Empties the buffer and keeps its memory for the next appends (a
 * scratch buffer reused in a loop). A failed buffer stays failed. */
void dynbuf_reset(dynbuf *b);

/* Frees the bytes; the buffer is empty (not failed) again with the same
 * cap. NULL-safe. */
void dynbuf_free(dynbuf *b);

#endif /* SINAU_CORE_DYNBUF_H */
