/* core/names.h — the name of an enum value, read from a table indexed by
 * the enum (`static const char *const X_NAMES[] = {[X_A] = "a", …}`): the
 * one way the server turns a code into its text (a status, an error code,
 * a provider). A table cannot forget a case silently the way a switch
 * falls through to its default: a value without a name, or outside the
 * table, gets the caller's fallback. Pure code; any thread. */
#ifndef SINAU_CORE_NAMES_H
#define SINAU_CORE_NAMES_H

#include <stddef.h>

#include "sinau/core/common.h"

/* table[value] when 0 <= value < n and that entry is set (not NULL), else
 * fallback. Returns a borrowed pointer (the table's or the fallback). */
const char *names_lookup(const char *const *table, size_t n, long value, const char *fallback);

/* names_lookup on a table array whose length the compiler knows. */
#define NAMES_LOOKUP(table, value, fallback)                                                       \
    names_lookup((table), SINAU_ARRAY_LEN(table), (long)(value), (fallback))

#endif /* SINAU_CORE_NAMES_H */
