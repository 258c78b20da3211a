/* test_auth.c — the pure parts of auth.h: session tokens and their hashes,
 * the cookie parser, constant-time comparison, roles, the password policy
 * and the rehash-on-login rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sodium.h>
#include <string.h>

#include "sinau/auth/password.h"
#include "sinau/auth/session.h"

static void token_is_43_base64url_chars_and_fresh_each_time(void **state)
{
    char a[AUTH_TOKEN_CHARS + 1], b[AUTH_TOKEN_CHARS + 1];

    auth_token_new(a);
    auth_token_new(b);
    assert_int_equal(strlen(a), 43);
    assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                     43);
    assert_string_not_equal(a, b);
}

static void token_hash_is_64_hex_and_deterministic(void **state)
{
    char h1[AUTH_HASH_HEX], h2[AUTH_HASH_HEX], h3[AUTH_HASH_HEX];

    auth_token_hash("abc", h1);
    auth_token_hash("abc", h2);
    auth_token_hash("abd", h3);
    assert_int_equal(strlen(h1), 64);
    assert_int_equal(strspn(h1, "0123456789abcdef"), 64);
    assert_string_equal(h1, h2);
    assert_string_not_equal(h1, h3);
}

static void cookie_found_among_others_with_spaces(void **state)
{
    char v[64];

    assert_int_equal(auth_cookie_get("a=1; sinau_session=tok; b=2", "sinau_session", v, sizeof v),
                     0);
    assert_string_equal(v, "tok");
    assert_int_equal(auth_cookie_get("sinau_session=x", "sinau_session", v, sizeof v), 0);
    assert_string_equal(v, "x");
    assert_int_equal(auth_cookie_get("  sinau_session=y ;z=1", "sinau_session", v, sizeof v), 0);
    assert_string_equal(v, "y");
}

static void cookie_missing_empty_prefixed_or_too_long_is_refused(void **state)
{
    char v[8];

    assert_int_equal(auth_cookie_get("a=1; b=2", "sinau_session", v, sizeof v), -1);
    assert_int_equal(auth_cookie_get("sinau_session=", "sinau_session", v, sizeof v), -1);
    assert_int_equal(auth_cookie_get("xsinau_session=1", "sinau_session", v, sizeof v), -1);
    assert_int_equal(auth_cookie_get("sinau_session_old=1", "sinau_session", v, sizeof v), -1);
    assert_int_equal(auth_cookie_get("sinau_session=123456789", "sinau_session", v, sizeof v), -1);
    assert_int_equal(auth_cookie_get("", "sinau_session", v, sizeof v), -1);
}

static void secrets_compare_equal_only_when_identical(void **state)
{
    assert_true(auth_secret_equal("abc", "abc"));
    assert_false(auth_secret_equal("abc", "abd"));
    assert_false(auth_secret_equal("abc", "abcd"));
    assert_false(auth_secret_equal("", "a"));
}

static void roles_parse_and_name(void **state)
{
    assert_int_equal(auth_role_parse("admin"), AUTH_ROLE_ADMIN);
    assert_int_equal(auth_role_parse("instructor"), AUTH_ROLE_INSTRUCTOR);
    assert_int_equal(auth_role_parse("participant"), AUTH_ROLE_PARTICIPANT);
    assert_int_equal(auth_role_parse("Admin"), AUTH_ROLE_NONE);
    assert_int_equal(auth_role_parse(NULL), AUTH_ROLE_NONE);
    assert_string_equal(auth_role_name(AUTH_ROLE_INSTRUCTOR), "instructor");
}

static void password_policy_length_and_common_list(void **state)
{
    char long_pw[300];

    assert_int_equal(auth_password_check("short"), AUTH_PW_TOO_SHORT);
    assert_int_equal(auth_password_check("123456789"), AUTH_PW_TOO_SHORT);
    assert_int_equal(auth_password_check("1234567890"), AUTH_PW_COMMON);
    assert_int_equal(auth_password_check("Password123"), AUTH_PW_COMMON); /* any case */
    assert_int_equal(auth_password_check("merdeka1945"), AUTH_PW_COMMON);
    assert_int_equal(auth_password_check("kopi tubruk di alun-alun"), AUTH_PW_OK);
    memset(long_pw, 'x', sizeof long_pw - 1);
    long_pw[sizeof long_pw - 1] = '\0';
    assert_int_equal(auth_password_check(long_pw), AUTH_PW_TOO_LONG);
}

static void hashes_are_argon2id_and_verify(void **state)
{
    char hash[128];
    bool rehash = true;

    assert_int_equal(auth_password_hash(PWHASH_FAST, "kopi tubruk di alun-alun", hash), 0);
    assert_memory_equal(hash, "$argon2id$", 10);
    assert_true(auth_password_verify(PWHASH_FAST, hash, "kopi tubruk di alun-alun", &rehash));
    assert_false(rehash);
    assert_false(auth_password_verify(PWHASH_FAST, hash, "kopi tubruk di alun-alun!", &rehash));
}

static void rehash_only_when_the_cost_rose(void **state)
{
    char weak[128], strong[128];
    bool rehash = false;

    assert_int_equal(auth_password_hash(PWHASH_FAST, "nasi pecel madiun 77", weak), 0);
    assert_true(auth_password_verify(PWHASH_INTERACTIVE, weak, "nasi pecel madiun 77", &rehash));
    assert_true(rehash);
    assert_int_equal(auth_password_hash(PWHASH_INTERACTIVE, "nasi pecel madiun 77", strong), 0);
    assert_true(auth_password_verify(PWHASH_FAST, strong, "nasi pecel madiun 77", &rehash));
    assert_false(rehash); /* a lower configured cost never downgrades a hash */
}

static int setup(void **state)
{
    return sodium_init() < 0 ? -1 : 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(token_is_43_base64url_chars_and_fresh_each_time),
        cmocka_unit_test(token_hash_is_64_hex_and_deterministic),
        cmocka_unit_test(cookie_found_among_others_with_spaces),
        cmocka_unit_test(cookie_missing_empty_prefixed_or_too_long_is_refused),
        cmocka_unit_test(secrets_compare_equal_only_when_identical),
        cmocka_unit_test(roles_parse_and_name),
        cmocka_unit_test(password_policy_length_and_common_list),
        cmocka_unit_test(hashes_are_argon2id_and_verify),
        cmocka_unit_test(rehash_only_when_the_cost_rose),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
