/* fuzz_cookie.c — libFuzzer driver for the Cookie header parser
 * (auth_cookie_get in server/auth/session.c): any header value, any output
 * size, never reads or writes out of bounds, and a value it returns is one
 * the header holds after "name=", non-empty, without ';', and fits. The
 * first byte picks the output size (1..64); the rest is the header. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "sinau/auth/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The value returned for name must follow "name=" somewhere in header. */
static void check_found(const char *header, const char *name, const char *value, size_t outlen)
{
    size_t vlen = strlen(value);
    size_t nlen = strlen(name);
    const char *p = header;

    CHECK(vlen > 0 && vlen < outlen);
    CHECK(strchr(value, ';') == NULL);
    for (p = strstr(p, name); p != NULL; p = strstr(p + 1, name)) {
        if (p[nlen] == '=' && strncmp(p + nlen + 1, value, vlen) == 0) {
            return;
        }
    }
    CHECK(!"value not in the header");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {AUTH_COOKIE, "a", "sinau_session_x"};
    size_t outlen;
    char *header;
    char *out;

    if (size < 1) {
        return 0;
    }
    outlen = 1 + data[0] % 64;
    header = malloc(size);
    out = malloc(outlen);
    CHECK(header != NULL && out != NULL);
    memcpy(header, data + 1, size - 1);
    header[size - 1] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (auth_cookie_get(header, names[i], out, outlen) == 0) {
            check_found(header, names[i], out, outlen);
        }
    }
    free(out);
    free(header);
    return 0;
}
