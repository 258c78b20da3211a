/* core/errmsg.h — the one way a function fills a caller's (err, errlen)
 * message buffer: the convention of the loaders and parsers (config, the
 * key files, JWS) that report one line to a caller which may not want it.
 * Pure code on caller memory; any thread. */
#ifndef SINAU_CORE_ERRMSG_H
#define SINAU_CORE_ERRMSG_H

#include <stdarg.h>
#include <stddef.h>

#include "sinau/core/common.h"

/* Writes a printf-formatted one-line message into err, truncated to
 * errlen - 1 bytes and NUL-terminated; does nothing when err is NULL or
 * errlen is 0 (the caller gave no room). Returns nothing. */
SINAU_PRINTF(3, 4) void errmsg_set(char *err, size_t errlen, const char *fmt, ...);

/* errmsg_set with a va_list (ap is consumed). */
SINAU_PRINTF(3, 0) void errmsg_vset(char *err, size_t errlen, const char *fmt, va_list ap);

#endif /* SINAU_CORE_ERRMSG_H */
