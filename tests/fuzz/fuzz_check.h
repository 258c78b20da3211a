/* fuzz_check.h — what every libFuzzer driver here shares: CHECK, an
 * invariant that stays on whatever NDEBUG says (a failed check is a
 * finding: abort, which libFuzzer reports with the input), and the entry
 * point's prototype. */
#ifndef SINAU_FUZZ_CHECK_H
#define SINAU_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* SINAU_FUZZ_CHECK_H */
