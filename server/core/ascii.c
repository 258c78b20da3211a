/* ascii.c — checks on ASCII text (ascii.h). */
#include "sinau/core/ascii.h"

#include <string.h>

bool ascii_only(const char *s, size_t n, const char *extra)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              (c != '\0' && strchr(extra, c) != NULL)))
            return false;
    }
    return true;
}
