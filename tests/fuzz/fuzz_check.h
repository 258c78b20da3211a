/* fuzz_check.h — CHECK for the libFuzzer drivers: always on, whatever
 * NDEBUG says; a failed check aborts, which libFuzzer reports as a finding. */
#ifndef SINAU_FUZZ_CHECK_H
#define SINAU_FUZZ_CHECK_H

#include <stdlib.h>

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
