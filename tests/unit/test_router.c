/* test_router.c — unit tests for router.c: matching, parameters, 405, Allow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "sinau/http/router.h"

#define ROW(m, p, h)                                                                               \
    {                                                                                              \
        .methods = (m), .pattern = (p), .handler = (h)                                             \
    }
#define NAMED_ROW(m, p, h, n)                                                                      \
    {                                                                                              \
        .methods = (m), .pattern = (p), .handler = (h), .name = (n)                                \
    }

static void h_list(struct http_ctx *ctx)
{
    (void)ctx;
}

static void h_get(struct http_ctx *ctx)
{
    (void)ctx;
}

static void h_mine(struct http_ctx *ctx)
{
    (void)ctx;
}

static const http_route table[] = {
    ROW(ROUTER_GET | ROUTER_POST, "/api/v1/cohorts", h_list),
    NAMED_ROW(ROUTER_GET | ROUTER_PATCH, "/api/v1/cohorts/{id}", h_get, "cohort"),
    ROW(ROUTER_DELETE, "/api/v1/cohorts/{cohort_id}", h_get),
    ROW(ROUTER_GET, "/api/v1/cohorts/mine", h_mine),
    ROW(ROUTER_GET, "/api/v1/cohorts/{id}/lessons/{lesson_id}", h_get),
    ROW(ROUTER_GET, "/", h_list),
    ROW(ROUTER_GET, "/a", h_list),
    ROW(ROUTER_GET, "/x/{p}/y", h_list),
    ROW(ROUTER_GET, "/x/lit/{q}", h_mine),
};

static int setup(void **state)
{
    router *r = router_new();
    if (router_add_table(r, table, SINAU_ARRAY_LEN(table)) != 0) {
        router_free(r);
        return -1;
    }
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    router_free(*state);
    return 0;
}

static void assert_param(const router_param *p, const char *name, const char *value)
{
    assert_int_equal(p->name_len, strlen(name));
    assert_memory_equal(p->name, name, p->name_len);
    assert_int_equal(p->value_len, strlen(value));
    assert_memory_equal(p->value, value, p->value_len);
}

static void router_matches_literal_route(void **state)
{
    router_match m;

    assert_int_equal(router_match_path(*state, ROUTER_GET, "/api/v1/cohorts", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route, &table[0]);
    assert_int_equal(m.nparams, 0);
    assert_int_equal(router_match_path(*state, ROUTER_POST, "/api/v1/cohorts", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route, &table[0]);
}

static void router_extracts_params(void **state)
{
    router_match m;

    assert_int_equal(router_match_path(*state, ROUTER_GET, "/api/v1/cohorts/42/lessons/a%20b", &m),
                     ROUTER_FOUND);
    assert_ptr_equal(m.route, &table[4]);
    assert_int_equal(m.nparams, 2);
    assert_param(&m.params[0], "id", "42");
    assert_param(&m.params[1], "lesson_id", "a%20b");
}

static void router_param_names_follow_the_method_row(void **state)
{
    router_match m;

    assert_int_equal(router_match_path(*state, ROUTER_DELETE, "/api/v1/cohorts/7", &m),
                     ROUTER_FOUND);
    assert_ptr_equal(m.route, &table[2]);
    assert_param(&m.params[0], "cohort_id", "7");
    assert_int_equal(router_match_path(*state, ROUTER_PATCH, "/api/v1/cohorts/7", &m),
                     ROUTER_FOUND);
    assert_ptr_equal(m.route, &table[1]);
    assert_param(&m.params[0], "id", "7");
}

static void router_literal_beats_param(void **state)
{
    router_match m;

    assert_int_equal(router_match_path(*state, ROUTER_GET, "/api/v1/cohorts/mine", &m),
                     ROUTER_FOUND);
    assert_ptr_equal(m.route, &table[3]);
    assert_int_equal(m.nparams, 0);
}

static void router_literal_path_does_not_fall_back_to_param_methods(void **state)
{
    router_match m;

    /* "/cohorts/mine" only serves GET: DELETE must not reach "/cohorts/{id}" */
    assert_int_equal(router_match_path(*state, ROUTER_DELETE, "/api/v1/cohorts/mine", &m),
                     ROUTER_METHOD_NOT_ALLOWED);
    assert_null(m.route);
    assert_int_equal(m.allowed, ROUTER_GET | ROUTER_HEAD);
}

static void router_leftmost_literal_decides(void **state)
{
    router_match m;

    /* both "/x/{p}/y" and "/x/lit/{q}" match; the literal at depth 2 wins */
    assert_int_equal(router_match_path(*state, ROUTER_GET, "/x/lit/y", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route, &table[8]);
    assert_param(&m.params[0], "q", "y");
    assert_int_equal(router_match_path(*state, ROUTER_GET, "/x/other/y", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route, &table[7]);
}

static void router_get_answers_head(void **state)
{
    router_match m;

    assert_int_equal(router_match_path(*state, ROUTER_HEAD, "/api/v1/cohorts/9", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route, &table[1]);
}

static void router_explicit_head_row_beats_get(void **state)
{
    static const http_route rows[] = {
        ROW(ROUTER_GET, "/h", h_get),
        ROW(ROUTER_HEAD, "/h", h_mine),
    };
    router *r = router_new();
    router_match m;

    assert_int_equal(router_add_table(r, rows, 2), 0);
    assert_int_equal(router_match_path(r, ROUTER_HEAD, "/h", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route, &rows[1]);
    assert_int_equal(router_match_path(r, ROUTER_GET, "/h", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route, &rows[0]);
    router_free(r);
}

static void router_reports_405_with_allowed_methods(void **state)
{
    router_match m;
    char buf[64];

    assert_int_equal(router_match_path(*state, ROUTER_PUT, "/api/v1/cohorts/3", &m),
                     ROUTER_METHOD_NOT_ALLOWED);
    assert_null(m.route);
    assert_int_equal(m.allowed, ROUTER_GET | ROUTER_HEAD | ROUTER_PATCH | ROUTER_DELETE);
    assert_string_equal(router_allow_header(m.allowed, buf, sizeof buf),
                        "GET, HEAD, DELETE, PATCH");
}

static void router_unknown_path_is_not_found(void **state)
{
    router_match m;

    assert_int_equal(router_match_path(*state, ROUTER_GET, "/api/v1/nope", &m), ROUTER_NOT_FOUND);
    assert_int_equal(m.allowed, 0);
    assert_null(m.route);
    assert_int_equal(router_match_path(*state, ROUTER_GET, "", &m), ROUTER_NOT_FOUND);
    assert_int_equal(router_match_path(*state, ROUTER_GET, "api/v1/cohorts", &m), ROUTER_NOT_FOUND);
    assert_int_equal(router_match_path(*state, ROUTER_GET, "/api/v1/cohorts/1/lessons", &m),
                     ROUTER_NOT_FOUND);
}

static void router_does_not_fold_trailing_slash(void **state)
{
    router_match m;

    assert_int_equal(router_match_path(*state, ROUTER_GET, "/a", &m), ROUTER_FOUND);
    assert_int_equal(router_match_path(*state, ROUTER_GET, "/a/", &m), ROUTER_NOT_FOUND);
    assert_int_equal(router_match_path(*state, ROUTER_GET, "/api/v1/cohorts/", &m),
                     ROUTER_NOT_FOUND);
    assert_int_equal(router_match_path(*state, ROUTER_GET, "/A", &m), ROUTER_NOT_FOUND);
}

static void router_root_matches_root_only(void **state)
{
    router_match m;

    assert_int_equal(router_match_path(*state, ROUTER_GET, "/", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route, &table[5]);
    assert_int_equal(router_match_path(*state, ROUTER_GET, "//", &m), ROUTER_NOT_FOUND);
}

static void router_empty_segment_never_matches_param(void **state)
{
    router_match m;

    assert_int_equal(router_match_path(*state, ROUTER_GET, "/api/v1/cohorts//lessons/1", &m),
                     ROUTER_NOT_FOUND);
    assert_int_equal(router_match_path(*state, ROUTER_GET, "/x//y", &m), ROUTER_NOT_FOUND);
    assert_int_equal(router_match_path(*state, ROUTER_GET, "//api/v1/cohorts", &m),
                     ROUTER_NOT_FOUND);
}

static void router_refuses_overlong_path(void **state)
{
    char path[2100];
    router_match m;
    static const http_route row = ROW(ROUTER_GET, "/{p}", h_get);
    router *r = router_new();

    assert_int_equal(router_add(r, &row), 0);
    path[0] = '/';
    memset(path + 1, 'a', 2047);
    path[2048] = '\0';
    assert_int_equal(router_match_path(r, ROUTER_GET, path, &m), ROUTER_FOUND);
    assert_int_equal(m.params[0].value_len, 2047);
    path[2048] = 'a';
    path[2049] = '\0';
    assert_int_equal(router_match_path(r, ROUTER_GET, path, &m), ROUTER_NOT_FOUND);
    router_free(r);
}

static void router_refuses_too_many_path_segments(void **state)
{
    router_match m;
    char path[128] = "";

    for (int i = 0; i < ROUTER_MAX_SEGMENTS + 1; i++) {
        size_t n = strlen(path);
        memcpy(path + n, "/a", 3);
    }
    assert_int_equal(router_match_path(*state, ROUTER_GET, path, &m), ROUTER_NOT_FOUND);
}

static void router_rejects_malformed_patterns(void **state)
{
    static const char *const bad[] = {
        "",         "api",
        "/a/{}",    "/a/{id",
        "/a/id}",   "/a/x{id}",
        "/a/{i{d}", "/a//b",
        "/a/",      "/{a}/{b}/{c}/{d}/{e}",
        "/{a}/{a}", "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17",
    };
    router *r = router_new();

    for (size_t i = 0; i < SINAU_ARRAY_LEN(bad); i++) {
        http_route row = ROW(ROUTER_GET, bad[i], h_get);
        assert_int_equal(router_add(r, &row), -1);
    }
    {
        http_route row = ROW(ROUTER_GET, NULL, h_get);
        assert_int_equal(router_add(r, &row), -1);
    }
    {
        http_route row = ROW(0, "/ok", h_get);
        assert_int_equal(router_add(r, &row), -1);
    }
    router_free(r);
}

static void router_accepts_limits_exactly(void **state)
{
    static const http_route rows[] = {
        ROW(ROUTER_GET, "/{a}/{b}/{c}/{d}", h_get),
        ROW(ROUTER_GET, "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16", h_get),
    };
    router *r = router_new();
    router_match m;

    assert_int_equal(router_add_table(r, rows, 2), 0);
    assert_int_equal(router_match_path(r, ROUTER_GET, "/w/x/y/z", &m), ROUTER_FOUND);
    assert_int_equal(m.nparams, 4);
    assert_param(&m.params[3], "d", "z");
    assert_int_equal(
        router_match_path(r, ROUTER_GET, "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16", &m),
        ROUTER_FOUND);
    router_free(r);
}

static void router_rejects_same_shape_same_method(void **state)
{
    static const http_route rows[] = {
        ROW(ROUTER_GET, "/c/{id}", h_get),
        ROW(ROUTER_GET | ROUTER_PUT, "/c/{other}", h_get),
        ROW(ROUTER_PUT, "/c/{other}", h_get),
        ROW(ROUTER_GET, "/c/lit", h_get),
    };
    router *r = router_new();

    assert_int_equal(router_add(r, &rows[0]), 0);
    assert_int_equal(router_add(r, &rows[1]), -1);
    assert_int_equal(router_add(r, &rows[2]), 0);
    assert_int_equal(router_add(r, &rows[3]), 0);
    assert_int_equal(router_add(r, &rows[0]), -1);
    router_free(r);
}

static void router_add_table_stops_at_first_bad_row(void **state)
{
    static const http_route rows[] = {
        ROW(ROUTER_GET, "/one", h_get),
        ROW(ROUTER_GET, "bad", h_get),
        ROW(ROUTER_GET, "/three", h_get),
    };
    router *r = router_new();
    size_t n;

    assert_int_equal(router_add_table(r, rows, 3), -1);
    (void)router_routes(r, &n);
    assert_int_equal(n, 1);
    router_free(r);
}

static void router_lists_routes_in_insertion_order(void **state)
{
    size_t n = 0;
    const http_route *const *rows = router_routes(*state, &n);

    assert_int_equal(n, SINAU_ARRAY_LEN(table));
    for (size_t i = 0; i < n; i++) {
        assert_ptr_equal(rows[i], &table[i]);
    }
}

static void router_allow_header_orders_methods(void **state)
{
    char buf[128];

    assert_string_equal(
        router_allow_header(ROUTER_POST | ROUTER_GET | ROUTER_HEAD, buf, sizeof buf),
        "GET, HEAD, POST");
    assert_string_equal(router_allow_header(0, buf, sizeof buf), "");
    assert_string_equal(
        router_allow_header(ROUTER_PATCH | ROUTER_OPTIONS | ROUTER_PUT | ROUTER_DELETE, buf,
                            sizeof buf),
        "PUT, DELETE, OPTIONS, PATCH");
    assert_string_equal(router_allow_header(0x1ff, buf, sizeof buf),
                        "GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH, TRACE, CONNECT");
}

static void router_allow_header_truncates_whole_names(void **state)
{
    char buf[12];

    assert_string_equal(
        router_allow_header(ROUTER_GET | ROUTER_HEAD | ROUTER_POST, buf, sizeof buf), "GET, HEAD");
    assert_string_equal(router_allow_header(ROUTER_GET, buf, 1), "");
    assert_ptr_equal(router_allow_header(ROUTER_GET, buf, 0), buf);
}

static void router_free_accepts_null(void **state)
{
    size_t n = 5;

    router_free(NULL);
    assert_null(router_routes(NULL, &n));
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(router_matches_literal_route, setup, teardown),
        cmocka_unit_test_setup_teardown(router_extracts_params, setup, teardown),
        cmocka_unit_test_setup_teardown(router_param_names_follow_the_method_row, setup, teardown),
        cmocka_unit_test_setup_teardown(router_literal_beats_param, setup, teardown),
        cmocka_unit_test_setup_teardown(router_literal_path_does_not_fall_back_to_param_methods,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(router_leftmost_literal_decides, setup, teardown),
        cmocka_unit_test_setup_teardown(router_get_answers_head, setup, teardown),
        cmocka_unit_test(router_explicit_head_row_beats_get),
        cmocka_unit_test_setup_teardown(router_reports_405_with_allowed_methods, setup, teardown),
        cmocka_unit_test_setup_teardown(router_unknown_path_is_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(router_does_not_fold_trailing_slash, setup, teardown),
        cmocka_unit_test_setup_teardown(router_root_matches_root_only, setup, teardown),
        cmocka_unit_test_setup_teardown(router_empty_segment_never_matches_param, setup, teardown),
        cmocka_unit_test(router_refuses_overlong_path),
        cmocka_unit_test_setup_teardown(router_refuses_too_many_path_segments, setup, teardown),
        cmocka_unit_test(router_rejects_malformed_patterns),
        cmocka_unit_test(router_accepts_limits_exactly),
        cmocka_unit_test(router_rejects_same_shape_same_method),
        cmocka_unit_test(router_add_table_stops_at_first_bad_row),
        cmocka_unit_test_setup_teardown(router_lists_routes_in_insertion_order, setup, teardown),
        cmocka_unit_test(router_allow_header_orders_methods),
        cmocka_unit_test(router_allow_header_truncates_whole_names),
        cmocka_unit_test(router_free_accepts_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
