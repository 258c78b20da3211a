/* test_openapi.c — every route (debug routes too) has its request and
 * response schemas in server/api/routes/, every entry names a route,
 * and the generated OpenAPI document carries them (registry.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "sinau/api/registry.h"
#include "sinau/api/schemas.h"

static void every_route_has_schemas(void **state)
{
    router *r = router_new();
    char msg[4096];
    int bad;

    (void)state;
    assert_int_equal(api_register_all(r, true), 0);
    bad = api_schemas_check(r, msg, sizeof msg);
    if (bad != 0)
        fprintf(stderr, "%d route(s) without schemas:\n%s", bad, msg);
    assert_int_equal(bad, 0);
    router_free(r);
}

/* The document has a JSON response body for every GET and uses only the
 * components it defines. */
static void document_carries_the_schemas(void **state)
{
    router *r = router_new();
    size_t len;
    char *text;
    json_t *doc, *item, *op;
    const char *path, *method;

    (void)state;
    assert_int_equal(api_register_all(r, false), 0);
    text = api_openapi_build(r, "http://localhost", &len);
    doc = json_loadb(text, len, 0, NULL);
    assert_non_null(doc);
    assert_non_null(
        json_object_get(json_object_get(json_object_get(doc, "components"), "schemas"), "Error"));
    json_object_foreach (json_object_get(doc, "paths"), path, item) {
        json_object_foreach (item, method, op) {
            json_t *responses = json_object_get(op, "responses");
            if (json_object_size(responses) < 2)
                fprintf(stderr, "%s %s: only the error response\n", method, path);
            assert_true(json_object_size(responses) >= 2);
        }
    }
    json_decref(doc);
    free(text);
    router_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_route_has_schemas),
        cmocka_unit_test(document_carries_the_schemas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
