/* fuzz_router.c — libFuzzer driver for router.c: any path and method must
 * match, miss or give 405 consistently, with parameters inside the path.
 * The first two bytes pick the method; the rest is the path. A second
 * router is built from the input's lines as patterns, to fuzz router_add. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "sinau/http/router.h"

#define ROW(m, p)                                                                                  \
    {                                                                                              \
        .methods = (m), .pattern = (p)                                                             \
    }

static const http_route table[] = {
    ROW(ROUTER_GET | ROUTER_POST, "/api/v1/cohorts"),
    ROW(ROUTER_GET | ROUTER_PATCH | ROUTER_DELETE, "/api/v1/cohorts/{id}"),
    ROW(ROUTER_GET, "/api/v1/cohorts/mine"),
    ROW(ROUTER_GET | ROUTER_POST, "/api/v1/cohorts/{id}/lessons"),
    ROW(ROUTER_GET | ROUTER_PUT, "/api/v1/cohorts/{id}/lessons/{lesson_id}"),
    ROW(ROUTER_POST, "/api/v1/cohorts/{id}/lessons/{lesson_id}/submit"),
    ROW(ROUTER_GET, "/api/v1/certificates/{a}/{b}/{c}/{d}"),
    ROW(ROUTER_GET, "/"),
    ROW(ROUTER_GET, "/healthz"),
    ROW(ROUTER_OPTIONS, "/x/{p}/y"),
    ROW(ROUTER_GET, "/x/lit/{q}"),
};

static router *fixed_router(void)
{
    static router *r;

    if (r == NULL) {
        r = router_new();
        if (router_add_table(r, table, sizeof table / sizeof table[0]) != 0) {
            abort();
        }
    }
    return r;
}

static void check_match(const router *r, unsigned method, const char *path)
{
    router_match m;
    char allow[128];
    enum router_result res = router_match_path(r, method, path, &m);
    size_t len = strlen(path);

    CHECK(m.nparams >= 0 && m.nparams <= ROUTER_MAX_PARAMS);
    if (res == ROUTER_FOUND) {
        CHECK(m.route != NULL && (m.allowed & method) != 0);
        for (int i = 0; i < m.nparams; i++) {
            CHECK(m.params[i].value >= path && m.params[i].value_len > 0);
            CHECK(m.params[i].value + m.params[i].value_len <= path + len);
            CHECK(memchr(m.params[i].value, '/', m.params[i].value_len) == NULL);
        }
    } else if (res == ROUTER_METHOD_NOT_ALLOWED) {
        CHECK(m.route == NULL && m.allowed != 0 && (m.allowed & method) == 0);
    } else {
        CHECK(m.route == NULL && m.allowed == 0);
    }
    (void)router_allow_header(m.allowed, allow, 1 + (len % sizeof allow));
}

/* Adds every line of text as a GET pattern to a fresh router, then matches
 * each line against it. */
static void fuzz_patterns(char *text)
{
    router *r = router_new();
    http_route rows[32];
    char *lines[32];
    size_t n = 0;
    char *p = text;

    while (n < 32 && p != NULL) {
        char *nl = strchr(p, '\n');
        if (nl != NULL) {
            *nl = '\0';
        }
        lines[n] = p;
        memset(&rows[n], 0, sizeof rows[n]);
        rows[n].methods = ROUTER_GET | (n % 2 ? ROUTER_POST : 0);
        rows[n].pattern = p;
        (void)router_add(r, &rows[n]);
        n++;
        p = nl != NULL ? nl + 1 : NULL;
    }
    for (size_t i = 0; i < n; i++) {
        check_match(r, ROUTER_GET, lines[i]);
        check_match(r, ROUTER_HEAD, lines[i]);
    }
    router_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path;
    unsigned method;

    if (size < 2) {
        return 0;
    }
    method = 1u << (data[0] % 9);
    path = malloc(size - 1);
    if (path == NULL) {
        return 0;
    }
    memcpy(path, data + 2, size - 2);
    path[size - 2] = '\0';
    if (data[1] & 1) {
        fuzz_patterns(path);
    } else {
        check_match(fixed_router(), method, path);
    }
    free(path);
    return 0;
}
