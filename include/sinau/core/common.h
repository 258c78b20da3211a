/* core/common.h — compiler attributes and small macros shared by every module.
 * Uses nothing of ours; safe to include anywhere. */
#ifndef SINAU_CORE_COMMON_H
#define SINAU_CORE_COMMON_H

#include <stddef.h>

/* Fallible functions return int (0 success, negative failure): callers must look. */
#define SINAU_MUST_CHECK        __attribute__((warn_unused_result))
#define SINAU_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define SINAU_NORETURN          __attribute__((noreturn))
#define SINAU_UNUSED            __attribute__((unused))

#define SINAU_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#ifndef SINAU_VERSION
#define SINAU_VERSION "0.0.0-dev"
#endif

#endif /* SINAU_CORE_COMMON_H */
