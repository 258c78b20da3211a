/* core/utf8.h — checking UTF-8 text: the strict rules (no overlong forms, no
 * surrogates, nothing above U+10FFFF). Pure functions over NUL-terminated
 * strings; any thread. */
#ifndef SINAU_CORE_UTF8_H
#define SINAU_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is invalid
 * (a sequence cut short by the terminating NUL included). */
size_t utf8_seq_len(const unsigned char *s);

/* True when the whole string is valid UTF-8. */
bool utf8_valid(const char *s);

/* True when the whole string is valid UTF-8 without C0 or C1 control
 * characters (nor DEL): text that prints as it reads. */
bool utf8_printable(const char *s);

#endif /* SINAU_CORE_UTF8_H */
