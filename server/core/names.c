/* names.c — an enum value's name from a table indexed by the enum
 * (names.h). */
#include "sinau/core/names.h"

const char *names_lookup(const char *const *table, size_t n, long value, const char *fallback)
{
    if (value < 0 || (unsigned long)value >= n || table[value] == NULL)
        return fallback;
    return table[value];
}
