/* errmsg.c — filling a caller's (err, errlen) message buffer (errmsg.h). */
#include "sinau/core/errmsg.h"

#include <stdio.h>

void errmsg_vset(char *err, size_t errlen, const char *fmt, va_list ap)
{
    if (err == NULL || errlen == 0)
        return;
    vsnprintf(err, errlen, fmt, ap);
}

void errmsg_set(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    errmsg_vset(err, errlen, fmt, ap);
    va_end(ap);
}
