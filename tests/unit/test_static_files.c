/* test_static_files.c — unit tests for static_files.c on a temporary folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "sinau/core/log.h"
#include "sinau/http/static_files.h"

typedef struct fixture {
    char dir[64];
    char outside[64];
} fixture;

/* Writes content to dir/rel (creating nothing else). */
static void write_file(const char *dir, const char *rel, const char *content)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, rel);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(content, 1, strlen(content), f), strlen(content));
    assert_int_equal(fclose(f), 0);
}

static void make_dir(const char *dir, const char *rel)
{
    char path[512];

    snprintf(path, sizeof path, "%s/%s", dir, rel);
    assert_int_equal(mkdir(path, 0700), 0);
}

/* Removes a folder tree made by the tests (no symlinks are followed). */
static void remove_tree(const char *dir)
{
    char cmd[256];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));
    char link[512];

    log_init(LOG_ERROR, NULL); /* the skip warnings are expected here */
    snprintf(fx->dir, sizeof fx->dir, "/tmp/sinau-static-XXXXXX");
    snprintf(fx->outside, sizeof fx->outside, "/tmp/sinau-outside-XXXXXX");
    if (mkdtemp(fx->dir) == NULL || mkdtemp(fx->outside) == NULL) {
        return -1;
    }
    write_file(fx->dir, "index.html", "<!doctype html><title>home</title>");
    make_dir(fx->dir, "css");
    write_file(fx->dir, "css/site.css", "body { color: black; }");
    make_dir(fx->dir, "docs");
    write_file(fx->dir, "docs/index.html", "<p>docs</p>");
    write_file(fx->dir, "docs/guide.pdf", "%PDF-1.4");
    make_dir(fx->dir, "js");
    write_file(fx->dir, "js/app.mjs", "export {};");
    write_file(fx->dir, "empty.txt", "");
    write_file(fx->dir, ".env", "SECRET=1");
    make_dir(fx->dir, ".git");
    write_file(fx->dir, ".git/config", "[core]");
    write_file(fx->outside, "secret.txt", "do not serve");
    snprintf(link, sizeof link, "%s/leak.txt", fx->dir);
    assert_int_equal(symlink("/etc/passwd", link), 0);
    snprintf(link, sizeof link, "%s/outside", fx->dir);
    assert_int_equal(symlink(fx->outside, link), 0);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;

    remove_tree(fx->dir);
    remove_tree(fx->outside);
    free(fx);
    log_init(LOG_INFO, NULL);
    return 0;
}

static static_store *load_ok(const char *dir)
{
    char err[256] = "";
    static_store *s = static_store_load(dir, err, sizeof err);

    if (s == NULL) {
        fail_msg("load failed: %s", err);
    }
    return s;
}

static void static_loads_files_by_url_path(void **state)
{
    fixture *fx = *state;
    static_store *s = load_ok(fx->dir);
    const static_file *f = static_store_get(s, "/css/site.css");

    assert_non_null(f);
    assert_string_equal(f->url_path, "/css/site.css");
    assert_int_equal(f->len, strlen("body { color: black; }"));
    assert_memory_equal(f->data, "body { color: black; }", f->len);
    assert_string_equal(f->content_type, "text/css; charset=utf-8");
    assert_string_equal(static_store_get(s, "/js/app.mjs")->content_type,
                        "text/javascript; charset=utf-8");
    assert_string_equal(static_store_get(s, "/docs/guide.pdf")->content_type, "application/pdf");
    f = static_store_get(s, "/empty.txt");
    assert_non_null(f);
    assert_int_equal(f->len, 0);
    static_store_free(s);
}

static void static_root_and_folders_resolve_to_index(void **state)
{
    fixture *fx = *state;
    static_store *s = load_ok(fx->dir);
    const static_file *root = static_store_get(s, "/");
    const static_file *docs = static_store_get(s, "/docs/");

    assert_non_null(root);
    assert_ptr_equal(root, static_store_get(s, "/index.html"));
    assert_string_equal(root->content_type, "text/html; charset=utf-8");
    assert_non_null(docs);
    assert_string_equal(docs->url_path, "/docs/index.html");
    assert_null(static_store_get(s, "/docs")); /* exact: no redirect here */
    assert_null(static_store_get(s, "/css/"));
    static_store_free(s);
}

static void static_trailing_slash_on_folder_path_is_ignored(void **state)
{
    fixture *fx = *state;
    char dir[128];
    static_store *s;

    snprintf(dir, sizeof dir, "%s/", fx->dir);
    s = load_ok(dir);
    assert_non_null(static_store_get(s, "/css/site.css"));
    static_store_free(s);
}

static void static_skips_dotfiles(void **state)
{
    fixture *fx = *state;
    static_store *s = load_ok(fx->dir);

    assert_null(static_store_get(s, "/.env"));
    assert_null(static_store_get(s, "/.git/config"));
    static_store_free(s);
}

static void static_skips_symlinks(void **state)
{
    fixture *fx = *state;
    static_store *s = load_ok(fx->dir);

    assert_null(static_store_get(s, "/leak.txt"));
    assert_null(static_store_get(s, "/outside/secret.txt"));
    static_store_free(s);
}

static void static_traversal_attempts_miss(void **state)
{
    static const char *const bad[] = {
        "/../index.html",   "/css/../index.html",
        "/css/..",          "//index.html",
        "/css//site.css",   "/css\\site.css",
        "/css%2fsite.css",  "/%2e%2e/etc/passwd",
        "css/site.css",     "",
        "/..%2findex.html", "/../outside/secret.txt",
        "/index.html/",
    };
    fixture *fx = *state;
    static_store *s = load_ok(fx->dir);

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_null(static_store_get(s, bad[i]));
    }
    assert_null(static_store_get(s, NULL));
    assert_null(static_store_get(NULL, "/index.html"));
    static_store_free(s);
}

static void static_overlong_path_misses(void **state)
{
    fixture *fx = *state;
    static_store *s = load_ok(fx->dir);
    char path[5000];

    path[0] = '/';
    memset(path + 1, 'a', sizeof path - 3);
    path[sizeof path - 2] = '/';
    path[sizeof path - 1] = '\0';
    assert_null(static_store_get(s, path));
    static_store_free(s);
}

static void static_etag_is_stable_and_follows_content(void **state)
{
    fixture *fx = *state;
    static_store *a = load_ok(fx->dir);
    static_store *b = load_ok(fx->dir);
    static_store *c;
    const char *tag = static_store_get(a, "/css/site.css")->etag;

    assert_int_equal(strlen(tag), 34);
    assert_int_equal(tag[0], '"');
    assert_int_equal(tag[33], '"');
    assert_string_equal(tag, static_store_get(b, "/css/site.css")->etag);
    assert_string_not_equal(tag, static_store_get(a, "/index.html")->etag);
    write_file(fx->dir, "css/site.css", "body { color: red; }");
    c = load_ok(fx->dir);
    assert_string_not_equal(tag, static_store_get(c, "/css/site.css")->etag);
    static_store_free(a);
    static_store_free(b);
    static_store_free(c);
}

static void static_missing_folder_gives_empty_store(void **state)
{
    fixture *fx = *state;
    char dir[128];
    static_store *s;

    snprintf(dir, sizeof dir, "%s/does-not-exist", fx->dir);
    s = load_ok(dir);
    assert_null(static_store_get(s, "/"));
    assert_null(static_store_get(s, "/index.html"));
    static_store_free(s);
}

static void static_file_as_folder_fails_with_message(void **state)
{
    fixture *fx = *state;
    char dir[128];
    char err[256] = "";

    snprintf(dir, sizeof dir, "%s/index.html", fx->dir);
    assert_null(static_store_load(dir, err, sizeof err));
    assert_non_null(strstr(err, "index.html"));
    assert_null(strchr(err, '\n'));
}

static void static_skips_files_over_size_limit(void **state)
{
    fixture *fx = *state;
    char path[256];
    static_store *s;

    snprintf(path, sizeof path, "%s/big.bin", fx->dir);
    assert_int_equal(truncate(path, 0), -1); /* does not exist yet */
    write_file(fx->dir, "big.bin", "");
    assert_int_equal(truncate(path, (off_t)STATIC_MAX_FILE_BYTES + 1), 0);
    write_file(fx->dir, "ok.bin", "x");
    s = load_ok(fx->dir);
    assert_null(static_store_get(s, "/big.bin"));
    assert_string_equal(static_store_get(s, "/ok.bin")->content_type, "application/octet-stream");
    static_store_free(s);
}

static void static_content_types_by_extension(void **state)
{
    static const struct {
        const char *name;
        const char *type;
    } cases[] = {
        {"a.html", "text/html; charset=utf-8"},
        {"A.HTML", "text/html; charset=utf-8"},
        {"a.css", "text/css; charset=utf-8"},
        {"a.js", "text/javascript; charset=utf-8"},
        {"a.mjs", "text/javascript; charset=utf-8"},
        {"a.json", "application/json; charset=utf-8"},
        {"a.js.map", "application/json; charset=utf-8"},
        {"site.webmanifest", "application/manifest+json; charset=utf-8"},
        {"a.svg", "image/svg+xml; charset=utf-8"},
        {"a.txt", "text/plain; charset=utf-8"},
        {"a.png", "image/png"},
        {"a.jpg", "image/jpeg"},
        {"a.jpeg", "image/jpeg"},
        {"a.webp", "image/webp"},
        {"favicon.ico", "image/x-icon"},
        {"f.woff2", "font/woff2"},
        {"a.pdf", "application/pdf"},
        {"Makefile", "application/octet-stream"},
        {"a.exe", "application/octet-stream"},
        {"/dir.css/file", "application/octet-stream"},
        {"a.", "application/octet-stream"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_string_equal(static_content_type(cases[i].name), cases[i].type);
    }
}

static void static_etag_matches_lists_weak_and_star(void **state)
{
    const char *tag = "\"abc123\"";

    assert_true(static_etag_matches("\"abc123\"", tag));
    assert_true(static_etag_matches("*", tag));
    assert_true(static_etag_matches(" * ", tag));
    assert_true(static_etag_matches("W/\"abc123\"", tag));
    assert_true(static_etag_matches("\"x\", \"abc123\"", tag));
    assert_true(static_etag_matches("\"x\",W/\"abc123\" , \"y\"", tag));
    assert_true(static_etag_matches("\"a,b\", \"abc123\"", tag));
    assert_true(static_etag_matches("W/\"abc123\"", "W/\"abc123\""));
    assert_false(static_etag_matches("\"abc12\"", tag));
    assert_false(static_etag_matches("\"abc1234\"", tag));
    assert_false(static_etag_matches("abc123", tag));
    assert_false(static_etag_matches("\"a,\"abc123\"", tag)); /* quote inside a tag */
    assert_false(static_etag_matches("", tag));
    assert_false(static_etag_matches(",,, ", tag));
    assert_false(static_etag_matches("\"abc123", tag));
    assert_false(static_etag_matches(NULL, tag));
    assert_false(static_etag_matches("*", NULL));
}

/* ---- the web app: build id, {{BUILD}}, resolve, gzip ---- */

static bool is_build_id(const char *b)
{
    if (strlen(b) != STATIC_BUILD_CHARS) {
        return false;
    }
    for (size_t i = 0; i < STATIC_BUILD_CHARS; i++) {
        if (!((b[i] >= '0' && b[i] <= '9') || (b[i] >= 'a' && b[i] <= 'f'))) {
            return false;
        }
    }
    return true;
}

static void static_build_id_is_stable_and_follows_every_file(void **state)
{
    fixture *fx = *state;
    static_store *a = load_ok(fx->dir);
    static_store *b = load_ok(fx->dir);
    static_store *c;
    static_store *d;
    char build[STATIC_BUILD_CHARS + 1];

    assert_true(is_build_id(static_store_build(a)));
    assert_string_equal(static_store_build(a), static_store_build(b));
    snprintf(build, sizeof build, "%s", static_store_build(a));
    write_file(fx->dir, "js/app.mjs", "export const x = 1;");
    c = load_ok(fx->dir);
    assert_string_not_equal(build, static_store_build(c));
    write_file(fx->dir, "js/app.mjs", "export {};");
    write_file(fx->dir, "js/new.mjs", "");
    d = load_ok(fx->dir); /* a new empty file changes it too */
    assert_string_not_equal(build, static_store_build(d));
    assert_string_equal(static_store_build(NULL), "");
    static_store_free(a);
    static_store_free(b);
    static_store_free(c);
    static_store_free(d);
}

static void static_build_placeholder_replaced_in_html_only(void **state)
{
    fixture *fx = *state;
    static_store *s;
    const static_file *f;
    char want[256];

    write_file(fx->dir, "index.html",
               "<script src=\"/v/{{BUILD}}/app/main.js\"></script><link href=\"/v/{{BUILD}}/"
               "css/site.css\">{{BUILD");
    write_file(fx->dir, "css/site.css", "/* {{BUILD}} */");
    s = load_ok(fx->dir);
    f = static_store_get(s, "/index.html");
    snprintf(want, sizeof want,
             "<script src=\"/v/%s/app/main.js\"></script><link href=\"/v/%s/css/site.css\">{{BUILD",
             static_store_build(s), static_store_build(s));
    assert_int_equal(f->len, strlen(want));
    assert_memory_equal(f->data, want, f->len);
    f = static_store_get(s, "/css/site.css");
    assert_int_equal(f->len, strlen("/* {{BUILD}} */"));
    assert_memory_equal(f->data, "/* {{BUILD}} */", f->len);
    static_store_free(s);
}

static void static_resolve_versioned_paths(void **state)
{
    fixture *fx = *state;
    static_store *s = load_ok(fx->dir);
    static_hit hit;
    char path[128];

    snprintf(path, sizeof path, "/v/%s/css/site.css", static_store_build(s));
    assert_true(static_store_resolve(s, path, &hit));
    assert_ptr_equal(hit.file, static_store_get(s, "/css/site.css"));
    assert_true(hit.immutable);
    assert_false(hit.shell);
    /* another build's prefix: the current file, revalidated */
    snprintf(path, sizeof path, "/v/%s/css/site.css",
             strcmp(static_store_build(s), "00000000") == 0 ? "11111111" : "00000000");
    assert_true(static_store_resolve(s, path, &hit));
    assert_ptr_equal(hit.file, static_store_get(s, "/css/site.css"));
    assert_false(hit.immutable);
    /* a missing file under the prefix is a miss, never the shell */
    snprintf(path, sizeof path, "/v/%s/css/missing", static_store_build(s));
    assert_false(static_store_resolve(s, path, &hit));
    assert_null(hit.file);
    /* not a build id: an ordinary (app) path */
    assert_true(static_store_resolve(s, "/v/XYZ/css/site", &hit));
    assert_true(hit.shell);
    assert_true(static_store_resolve(s, "/v/0123456/css/site", &hit));
    assert_true(hit.shell);
    snprintf(path, sizeof path, "/v/%s/../index.html", static_store_build(s));
    assert_false(static_store_resolve(s, path, &hit));
    static_store_free(s);
}

static void static_resolve_app_routes_to_the_shell(void **state)
{
    static const char *const shell[] = {
        "/cohorts/abc/lessons/def",
        "/daftar",
        "/me/profile/",
        "/programmes/sinau-tiktok",
        "/x/y/z",
        "/apis",
        "/api-docs",
        "/cohorts/a_B-9",
    };
    static const char *const miss[] = {
        "/api",     "/api/",        "/api/v1/nope", "/api/v1/programmes/x",
        "/nope.js", "/a/b.c",       "/favicon.ico", "relative",
        "",         "/a%20b",       "//x",          "/a/../b",
        "/a b",     "/caf\xc3\xa9",
    };
    fixture *fx = *state;
    static_store *s = load_ok(fx->dir);
    static_hit hit;

    for (size_t i = 0; i < sizeof shell / sizeof shell[0]; i++) {
        assert_true(static_store_resolve(s, shell[i], &hit));
        assert_true(hit.shell);
        assert_false(hit.immutable);
        assert_ptr_equal(hit.file, static_store_get(s, "/index.html"));
    }
    for (size_t i = 0; i < sizeof miss / sizeof miss[0]; i++) {
        assert_false(static_store_resolve(s, miss[i], &hit));
    }
    /* real files win, and are not the shell */
    assert_true(static_store_resolve(s, "/css/site.css", &hit));
    assert_false(hit.shell);
    assert_true(static_store_resolve(s, "/", &hit));
    assert_false(hit.shell);
    assert_false(static_store_resolve(NULL, "/x", &hit));
    assert_false(static_store_resolve(s, NULL, &hit));
    static_store_free(s);
}

/* Inflates a gzip member; returns the length or -1. */
static long gunzip(const unsigned char *in, size_t len, unsigned char *out, size_t cap)
{
    z_stream zs;
    long n = -1;

    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 16) != Z_OK) {
        return -1;
    }
    zs.next_in = (unsigned char *)in;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    if (inflate(&zs, Z_FINISH) == Z_STREAM_END) {
        n = (long)zs.total_out;
    }
    inflateEnd(&zs);
    return n;
}

static void static_text_files_are_gzipped_when_smaller(void **state)
{
    fixture *fx = *state;
    char css[4096];
    unsigned char out[8192];
    static_store *s;
    const static_file *f;
    size_t n = 0;

    while (n + 40 < sizeof css) {
        n += (size_t)snprintf(css + n, sizeof css - n, ".c%zu { color: #123456; margin: 0; }\n", n);
    }
    write_file(fx->dir, "css/site.css", css);
    write_file(fx->dir, "logo.png",
               "\x89PNG not really, but compressible compressible compressible");
    s = load_ok(fx->dir);
    f = static_store_get(s, "/css/site.css");
    assert_non_null(f->gz_data);
    assert_true(f->gz_len < f->len / 2);
    assert_int_equal(gunzip(f->gz_data, f->gz_len, out, sizeof out), (long)f->len);
    assert_memory_equal(out, f->data, f->len);
    assert_non_null(f->gz_etag);
    assert_string_not_equal(f->gz_etag, f->etag);
    assert_int_equal(f->gz_etag[0], '"');
    assert_int_equal(f->gz_etag[strlen(f->gz_etag) - 1], '"');
    /* not text: never compressed; tiny or empty: not worth it */
    assert_null(static_store_get(s, "/logo.png")->gz_data);
    assert_null(static_store_get(s, "/empty.txt")->gz_data);
    assert_null(static_store_get(s, "/js/app.mjs")->gz_data);
    assert_null(static_store_get(s, "/js/app.mjs")->gz_etag);
    /* the shell's gzip is of the bytes with the build written in */
    f = static_store_get(s, "/index.html");
    if (f->gz_data != NULL) {
        assert_int_equal(gunzip(f->gz_data, f->gz_len, out, sizeof out), (long)f->len);
        assert_memory_equal(out, f->data, f->len);
    }
    static_store_free(s);
}

static void static_accepts_gzip_reads_codings_and_q(void **state)
{
    assert_true(static_accepts_gzip("gzip"));
    assert_true(static_accepts_gzip("gzip, deflate, br, zstd"));
    assert_true(static_accepts_gzip("br;q=1.0, GZIP;q=0.5"));
    assert_true(static_accepts_gzip("x-gzip"));
    assert_true(static_accepts_gzip("*"));
    assert_true(static_accepts_gzip("deflate, *;q=0.1"));
    assert_true(static_accepts_gzip(" gzip ;q=0.001"));
    assert_false(static_accepts_gzip(NULL));
    assert_false(static_accepts_gzip(""));
    assert_false(static_accepts_gzip("identity"));
    assert_false(static_accepts_gzip("br, deflate"));
    assert_false(static_accepts_gzip("gzip;q=0"));
    assert_false(static_accepts_gzip("gzip;q=0.000"));
    assert_false(static_accepts_gzip("gzip;q=0, *"));
    assert_false(static_accepts_gzip("*;q=0"));
    assert_false(static_accepts_gzip("gzipx, xgzip"));
    assert_true(static_accepts_gzip("gzip;q=0.5, *;q=0"));
}

static void static_store_free_accepts_null(void **state)
{
    static_store_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(static_loads_files_by_url_path, setup, teardown),
        cmocka_unit_test_setup_teardown(static_root_and_folders_resolve_to_index, setup, teardown),
        cmocka_unit_test_setup_teardown(static_trailing_slash_on_folder_path_is_ignored, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(static_skips_dotfiles, setup, teardown),
        cmocka_unit_test_setup_teardown(static_skips_symlinks, setup, teardown),
        cmocka_unit_test_setup_teardown(static_traversal_attempts_miss, setup, teardown),
        cmocka_unit_test_setup_teardown(static_overlong_path_misses, setup, teardown),
        cmocka_unit_test_setup_teardown(static_etag_is_stable_and_follows_content, setup, teardown),
        cmocka_unit_test_setup_teardown(static_missing_folder_gives_empty_store, setup, teardown),
        cmocka_unit_test_setup_teardown(static_file_as_folder_fails_with_message, setup, teardown),
        cmocka_unit_test_setup_teardown(static_skips_files_over_size_limit, setup, teardown),
        cmocka_unit_test(static_content_types_by_extension),
        cmocka_unit_test(static_etag_matches_lists_weak_and_star),
        cmocka_unit_test(static_store_free_accepts_null),
        cmocka_unit_test_setup_teardown(static_build_id_is_stable_and_follows_every_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(static_build_placeholder_replaced_in_html_only, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(static_resolve_versioned_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(static_resolve_app_routes_to_the_shell, setup, teardown),
        cmocka_unit_test_setup_teardown(static_text_files_are_gzipped_when_smaller, setup,
                                        teardown),
        cmocka_unit_test(static_accepts_gzip_reads_codings_and_q),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
