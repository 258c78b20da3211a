/* core/ascii.h — checks on ASCII text that the protocol code shares (the
 * allowed characters of a request id, of a static file's path). Pure code;
 * any thread. */
#ifndef SINAU_CORE_ASCII_H
#define SINAU_CORE_ASCII_H

#include <stdbool.h>
#include <stddef.h>

/* True when every byte of s[0..n) is an ASCII letter, an ASCII digit or
 * one of the bytes of extra (a NUL-terminated set; a NUL byte in s is never
 * allowed). True for n == 0: the caller checks lengths. */
bool ascii_only(const char *s, size_t n, const char *extra);

#endif /* SINAU_CORE_ASCII_H */
