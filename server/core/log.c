/* log.c — one line per event, written with a single fwrite so lines from
 * different threads never interleave. */
#include "sinau/core/log.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

static enum log_level min_level = LOG_INFO;
static FILE *log_out = NULL;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_init(enum log_level level, FILE *out)
{
    min_level = level;
    log_out = out;
}

int log_level_parse(const char *s, enum log_level *out)
{
    for (size_t i = 0; i < SINAU_ARRAY_LEN(level_names); i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

/* Formats one line (with its newline) into line; returns its length. */
__attribute__((format(printf, 5, 0))) static size_t format_line(char *line, size_t size,
                                                                enum log_level level,
                                                                const char *request_id,
                                                                const char *fmt, va_list ap)
{
    struct timespec ts;
    struct tm tm;
    size_t n;
    int w;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(line, size, "%Y-%m-%dT%H:%M:%S", &tm);
    w = snprintf(line + n, size - n, ".%03ldZ %s ", ts.tv_nsec / 1000000L, level_names[level]);
    n += (size_t)w;
    if (request_id != NULL) {
        w = snprintf(line + n, size - n, "req=%s ", request_id);
        n += (size_t)w;
    }
    w = vsnprintf(line + n, size - n, fmt, ap);
    if (w < 0)
        w = 0;
    n += (size_t)w;
    if (n > size - 2)
        n = size - 2; /* truncated: keep the newline */
    line[n++] = '\n';
    return n;
}

static void emit(const char *line, size_t n)
{
    FILE *out = log_out != NULL ? log_out : stderr;

    fwrite(line, 1, n, out);
    fflush(out);
}

void log_buffered(log_buffer *b, enum log_level level, const char *request_id, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    size_t n;

    if (level < min_level)
        return;
    va_start(ap, fmt);
    n = format_line(line, sizeof line, level, request_id, fmt, ap);
    va_end(ap);
    if (b == NULL) {
        emit(line, n);
        return;
    }
    if (b->len + n > sizeof b->data)
        log_flush(b);
    memcpy(b->data + b->len, line, n);
    b->len += n;
}

void log_flush(log_buffer *b)
{
    if (b->len > 0)
        emit(b->data, b->len);
    b->len = 0;
}
