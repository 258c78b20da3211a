/* utf8.c — see utf8.h. */
#include "sinau/core/utf8.h"

size_t utf8_seq_len(const unsigned char *s)
{
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        n = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        n = 3;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        n = 4;
    else
        return 0;
    if (s[0] == 0xE0)
        lo = 0xA0;
    else if (s[0] == 0xED)
        hi = 0x9F;
    else if (s[0] == 0xF0)
        lo = 0x90;
    else if (s[0] == 0xF4)
        hi = 0x8F;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++) {
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0; /* also stops at the terminating NUL */
    }
    return n;
}

bool utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p != '\0') {
        size_t n = utf8_seq_len(p);
        if (n == 0)
            return false;
        p += n;
    }
    return true;
}

bool utf8_printable(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p != '\0') {
        size_t n = utf8_seq_len(p);
        if (n == 0 || *p < 0x20 || *p == 0x7F || (p[0] == 0xC2 && p[1] < 0xA0))
            return false;
        p += n;
    }
    return true;
}
