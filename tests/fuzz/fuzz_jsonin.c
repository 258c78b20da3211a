/* fuzz_jsonin.c — libFuzzer driver for jsonin.c: any bytes must give either
 * an object or one of the errors, never a crash, leak or input echoed in the
 * detail. The first byte picks the limits so both the depth scan and
 * jansson see shallow and deep settings. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "sinau/http/jsonin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char detail[128];
    json_t *out = NULL;
    int depth;
    enum jsonin_error e;

    if (size == 0) {
        return 0;
    }
    depth = 1 + (data[0] % 40);
    e = jsonin_parse((const char *)data + 1, size - 1, 64 * 1024, depth, data[0] & 0x80, &out,
                     detail, sizeof detail);
    CHECK((e == JSONIN_OK) == (out != NULL));
    CHECK(out == NULL || json_is_object(out));
    CHECK(strlen(detail) < sizeof detail);
    CHECK(jsonin_error_code(e) != NULL);
    CHECK(jsonin_depth((const char *)data + 1, size - 1, depth) <= depth + 1);
    json_decref(out);
    return 0;
}
