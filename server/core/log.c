/* log.c — one line per event, written with a single fwrite so lines from
 * different threads never interleave. */
#include "sinau/log.h"

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

void log_write(enum log_level level, const char *request_id, const char *fmt, ...)
{
    char line[2048];
    size_t n = 0;
    struct timespec ts;
    struct tm tm;
    va_list ap;
    int w;

    if (level < min_level)
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
    w = snprintf(line + n, sizeof line - n, ".%03ldZ %s ", ts.tv_nsec / 1000000L,
                 level_names[level]);
    n += (size_t)w;
    if (request_id != NULL) {
        w = snprintf(line + n, sizeof line - n, "req=%s ", request_id);
        n += (size_t)w;
    }
    va_start(ap, fmt);
    w = vsnprintf(line + n, sizeof line - n, fmt, ap);
    va_end(ap);
    if (w < 0)
        w = 0;
    n += (size_t)w;
    if (n > sizeof line - 2)
        n = sizeof line - 2; /* truncated: keep the newline */
    line[n++] = '\n';
    fwrite(line, 1, n, log_out != NULL ? log_out : stderr);
    fflush(log_out != NULL ? log_out : stderr);
}
