/* core/log.h — line-oriented logging to stderr (or a chosen stream).
 *
 * One line per event: `<RFC3339 time> <level> [req=<id>] <message>`.
 * Never pass secrets, tokens, NIK/NIP/phone or SQL parameters to these
 * functions. Thread-safe: each line is written with a single fwrite. */
#ifndef SINAU_CORE_LOG_H
#define SINAU_CORE_LOG_H

#include <stdio.h>

#include "sinau/core/common.h"

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the minimum level and the stream (borrowed; NULL means stderr). */
void log_init(enum log_level min_level, FILE *out);

/* Parses "debug", "info", "warn" or "error"; returns 0 and sets *out, or -1. */
SINAU_MUST_CHECK int log_level_parse(const char *s, enum log_level *out);

/* Writes one line at once (log_buffered without a buffer). request_id may
 * be NULL (no req= field). */
#define log_write(level, request_id, ...) log_buffered(NULL, level, request_id, __VA_ARGS__)

/* A buffer of whole log lines owned by one thread (the access log of a loop):
 * lines are appended and written out together, at most LOG_BUFFER_BYTES at a
 * time (atomic even on a pipe), when the buffer fills and at each log_flush.
 * Cuts one write per request to one per few dozen. */
#define LOG_BUFFER_BYTES 4096
typedef struct log_buffer {
    size_t len;
    char data[LOG_BUFFER_BYTES];
} log_buffer;

/* Appends one line to b (flushing first when it would not fit), or writes
 * it at once when b is NULL. request_id may be NULL (no req= field). */
void log_buffered(log_buffer *b, enum log_level level, const char *request_id, const char *fmt, ...)
    SINAU_PRINTF(4, 5);

/* Writes out what b holds. */
void log_flush(log_buffer *b);

#define log_debug(...) log_write(LOG_DEBUG, NULL, __VA_ARGS__)
#define log_info(...)  log_write(LOG_INFO, NULL, __VA_ARGS__)
#define log_warn(...)  log_write(LOG_WARN, NULL, __VA_ARGS__)
#define log_error(...) log_write(LOG_ERROR, NULL, __VA_ARGS__)

#endif /* SINAU_CORE_LOG_H */
