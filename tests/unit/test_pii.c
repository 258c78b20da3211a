/* test_pii.c — unit tests for pii.c: the master key file (created 0600,
 * reloaded, refused when exposed or malformed), field encryption bound to
 * table, column, row and key version, and blind indexes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sinau/crypto/pii.h"

#define NIK     "3573011203900001"
#define HEX_KEY "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

/* Per-test state: a fresh temporary folder and two keyrings on fixed keys
 * (version 1 and version 2 of the same key). */
typedef struct fixture {
    char dir[64];
    char path[128]; /* dir + "/master.key" */
    pii_keyring *kr;
    pii_keyring *kr_v2;
} fixture;

static const unsigned char key_a[PII_KEY_BYTES] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
static const unsigned char key_b[PII_KEY_BYTES] = {11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1};

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);

    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/sinau-pii-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/master.key", f->dir);
    assert_int_equal(pii_keyring_from_key(key_a, 1, &f->kr), 0);
    assert_int_equal(pii_keyring_from_key(key_a, 2, &f->kr_v2), 0);
    *state = f;
    return 0;
}

/* Removes every entry of the temporary folder (flat), then the folder. */
static int teardown(void **state)
{
    fixture *f = *state;
    DIR *d = opendir(f->dir);
    struct dirent *e;
    char p[512];

    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(p, sizeof p, "%s/%s", f->dir, e->d_name);
            if (unlink(p) != 0) {
                rmdir(p);
            }
        }
    }
    if (d != NULL) {
        closedir(d);
    }
    rmdir(f->dir);
    pii_keyring_free(f->kr);
    pii_keyring_free(f->kr_v2);
    free(f);
    return 0;
}

/* Writes content to path with the given mode (chmod'ed, umask aside). */
static void write_file(const char *path, const char *content, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
}

/* Loads path without creating; asserts failure with a one-line message that
 * contains want and no key material. */
static void load_fails(const char *path, const char *want)
{
    pii_keyring *kr = (pii_keyring *)1;
    bool created = true;
    char err[256] = "";

    assert_int_equal(pii_keyring_load(path, false, &kr, &created, err, sizeof err), -1);
    assert_null(kr);
    assert_false(created);
    if (strstr(err, want) == NULL) {
        fail_msg("message \"%s\" lacks \"%s\"", err, want);
    }
    assert_null(strchr(err, '\n'));
    assert_null(strstr(err, "00112233"));
}

/* Encrypts value for (t, c, r) with kr; returns the owned token. */
static char *enc(const pii_keyring *kr, const char *t, const char *c, const char *r,
                 const char *value)
{
    char *token = NULL;

    assert_int_equal(pii_encrypt(kr, t, c, r, value, strlen(value), &token), 0);
    assert_non_null(token);
    return token;
}

/* Asserts that token does not decrypt for (t, c, r) with kr. */
static void dec_refused(const pii_keyring *kr, const char *t, const char *c, const char *r,
                        const char *token)
{
    char *plain = (char *)1;
    size_t len = 99;

    assert_int_equal(pii_decrypt(kr, t, c, r, token, &plain, &len), -1);
    assert_null(plain);
    assert_int_equal(len, 0);
}

/* Asserts that token decrypts for (t, c, r) with kr to want. */
static void dec_ok(const pii_keyring *kr, const char *t, const char *c, const char *r,
                   const char *token, const char *want)
{
    char *plain = NULL;
    size_t len = 0;

    assert_int_equal(pii_decrypt(kr, t, c, r, token, &plain, &len), 0);
    assert_int_equal(len, strlen(want));
    assert_string_equal(plain, want);
    sodium_memzero(plain, len);
    free(plain);
}

/* ---- key file ---------------------------------------------------------- */

static void key_file_created_0600_then_reloaded(void **state)
{
    fixture *f = *state;
    pii_keyring *kr1 = NULL, *kr2 = NULL;
    bool created = false;
    char err[256] = "";
    char text[80] = "";
    struct stat st;
    char *token = NULL;
    FILE *fp;
    DIR *d;
    int entries = 0;

    assert_int_equal(pii_keyring_load(f->path, true, &kr1, &created, err, sizeof err), 0);
    assert_true(created);
    assert_int_equal(pii_keyring_version(kr1), 1);
    assert_int_equal(stat(f->path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 65);
    fp = fopen(f->path, "r");
    assert_non_null(fp);
    assert_non_null(fgets(text, sizeof text, fp));
    fclose(fp);
    assert_int_equal(strspn(text, "0123456789abcdef"), 64);
    assert_string_equal(text + 64, "\n");

    /* the second load reads the same key and says it created nothing */
    token = enc(kr1, "users", "nik", "42", NIK);
    assert_int_equal(pii_keyring_load(f->path, true, &kr2, &created, err, sizeof err), 0);
    assert_false(created);
    dec_ok(kr2, "users", "nik", "42", token, NIK);

    /* no temporary file left behind */
    d = opendir(f->dir);
    assert_non_null(d);
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        entries += e->d_name[0] != '.';
    }
    closedir(d);
    assert_int_equal(entries, 1);

    free(token);
    pii_keyring_free(kr1);
    pii_keyring_free(kr2);
}

static void key_file_created_flag_is_optional(void **state)
{
    fixture *f = *state;
    pii_keyring *kr = NULL;

    assert_int_equal(pii_keyring_load(f->path, true, &kr, NULL, NULL, 0), 0);
    assert_non_null(kr);
    pii_keyring_free(kr);
}

static void key_file_missing_without_create_refused(void **state)
{
    fixture *f = *state;

    load_fails(f->path, "does not exist");
    assert_int_equal(access(f->path, F_OK), -1);
}

static void key_file_missing_folder_refused(void **state)
{
    fixture *f = *state;
    char path[256];
    pii_keyring *kr = NULL;
    char err[256] = "";

    snprintf(path, sizeof path, "%s/nope/master.key", f->dir);
    assert_int_equal(pii_keyring_load(path, true, &kr, NULL, err, sizeof err), -1);
    assert_null(kr);
    assert_non_null(strstr(err, "cannot create key file"));
}

static void key_file_readable_by_group_or_others_refused(void **state)
{
    fixture *f = *state;
    const mode_t modes[] = {0640, 0604, 0620, 0602, 0610, 0601, 0644, 0660, 0666};

    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        write_file(f->path, HEX_KEY "\n", modes[i]);
        load_fails(f->path, "accessible by group or others");
    }
}

static void key_file_under_a_file_refused(void **state)
{
    fixture *f = *state;
    char path[256];

    write_file(f->path, HEX_KEY "\n", 0600);
    snprintf(path, sizeof path, "%s/x", f->path);
    load_fails(path, "cannot open key file");
}

static void key_file_owner_only_accepted(void **state)
{
    fixture *f = *state;
    const mode_t modes[] = {0600, 0400};
    const char *texts[] = {HEX_KEY, HEX_KEY "\n",
                           "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF"};

    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        for (size_t j = 0; j < sizeof texts / sizeof texts[0]; j++) {
            pii_keyring *kr = NULL;
            bool created = true;
            char err[256] = "";

            unlink(f->path);
            write_file(f->path, texts[j], modes[i]);
            if (pii_keyring_load(f->path, false, &kr, &created, err, sizeof err) != 0) {
                fail_msg("mode %o, text %zu refused: %s", (unsigned)modes[i], j, err);
            }
            assert_false(created);
            pii_keyring_free(kr);
        }
    }
}

static void key_file_malformed_refused(void **state)
{
    fixture *f = *state;
    const char *bad[] = {
        "",
        "\n",
        HEX_KEY "\n\n",
        HEX_KEY " ",
        HEX_KEY "\r\n",
        " " HEX_KEY,
        HEX_KEY "00",
        "00112233445566778899aabbccddeeff00112233445566778899aabbccddeef\n", /* 63 */
        "00112233445566778899aabbccddeeff00112233445566778899aabbccddeefg",  /* g */
        "00112233445566778899aabbccddeeff 0112233445566778899aabbccddeeff",
        "0000000000000000000000000000000000000000000000000000000000000000\n", /* zero */
        "ABEiM0RVZneImaq7zN3u/wARIjNEVWZ3iJmqu8zd7v8=",                       /* base64 */
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unlink(f->path);
        write_file(f->path, bad[i], 0600);
        load_fails(f->path, "must hold exactly 64 hex characters");
    }
}

static void key_file_not_regular_refused(void **state)
{
    fixture *f = *state;

    assert_int_equal(mkdir(f->path, 0700), 0);
    load_fails(f->path, "not a regular file");
    assert_int_equal(rmdir(f->path), 0);
    /* a FIFO must not block the open */
    assert_int_equal(mkfifo(f->path, 0600), 0);
    load_fails(f->path, "not a regular file");
}

static void key_file_through_symlink_checks_the_target(void **state)
{
    fixture *f = *state;
    char target[256];
    pii_keyring *kr = NULL;

    snprintf(target, sizeof target, "%s/real.key", f->dir);
    write_file(target, HEX_KEY "\n", 0600);
    assert_int_equal(symlink(target, f->path), 0);
    assert_int_equal(pii_keyring_load(f->path, false, &kr, NULL, NULL, 0), 0);
    pii_keyring_free(kr);
    assert_int_equal(chmod(target, 0644), 0);
    load_fails(f->path, "accessible by group or others");
}

static void keyring_from_key_refuses_bad_versions(void **state)
{
    pii_keyring *kr = (pii_keyring *)1;

    assert_int_equal(pii_keyring_from_key(key_a, 0, &kr), -1);
    assert_null(kr);
    assert_int_equal(pii_keyring_from_key(key_a, -1, &kr), -1);
    assert_int_equal(pii_keyring_from_key(key_a, 1000000000, &kr), -1);
    assert_int_equal(pii_keyring_from_key(key_a, 999999999, &kr), 0);
    pii_keyring_free(kr);
    pii_keyring_free(NULL);
}

/* ---- subkeys ----------------------------------------------------------- */

static void subkeys_differ_per_purpose_and_key(void **state)
{
    fixture *f = *state;
    unsigned char k[4][PII_KEY_BYTES];
    unsigned char other[PII_KEY_BYTES];
    pii_keyring *kb = NULL;

    for (int p = 0; p < 4; p++) {
        assert_int_equal(pii_subkey(f->kr, (enum pii_purpose)p, k[p]), 0);
        assert_memory_not_equal(k[p], key_a, PII_KEY_BYTES);
        for (int q = 0; q < p; q++) {
            assert_memory_not_equal(k[p], k[q], PII_KEY_BYTES);
        }
    }
    assert_int_equal(pii_subkey(f->kr, PII_PURPOSE_ENCRYPT, other), 0);
    assert_memory_equal(other, k[0], PII_KEY_BYTES); /* deterministic */
    assert_int_equal(pii_keyring_from_key(key_b, 1, &kb), 0);
    assert_int_equal(pii_subkey(kb, PII_PURPOSE_ENCRYPT, other), 0);
    assert_memory_not_equal(other, k[0], PII_KEY_BYTES);
    assert_int_equal(pii_subkey(f->kr, (enum pii_purpose)4, other), -1);
    assert_int_equal(pii_subkey(f->kr, (enum pii_purpose) - 1, other), -1);
    pii_keyring_free(kb);
}

/* ---- encryption -------------------------------------------------------- */

static void encrypt_round_trip(void **state)
{
    fixture *f = *state;
    char *token = enc(f->kr, "users", "nik", "42", NIK);
    char *empty = enc(f->kr, "users", "phone", "42", "");
    char *bin = NULL;
    const char value[] = {'a', '\0', 'b'};
    char *plain = NULL;
    size_t len = 0;

    assert_null(strstr(token, NIK));
    dec_ok(f->kr, "users", "nik", "42", token, NIK);
    dec_ok(f->kr, "users", "phone", "42", empty, "");
    assert_int_equal(pii_encrypt(f->kr, "t", "c", "r", value, sizeof value, &bin), 0);
    assert_int_equal(pii_decrypt(f->kr, "t", "c", "r", bin, &plain, &len), 0);
    assert_int_equal(len, sizeof value);
    assert_memory_equal(plain, value, sizeof value);
    assert_int_equal(plain[len], '\0');
    free(plain);
    free(bin);
    free(token);
    free(empty);
}

static void token_is_versioned_urlsafe_text(void **state)
{
    fixture *f = *state;
    char *token = enc(f->kr, "users", "nik", "42", NIK);
    char *token2 = enc(f->kr_v2, "users", "nik", "42", NIK);
    const char *b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    assert_int_equal(strncmp(token, "v1.", 3), 0);
    assert_int_equal(strncmp(token2, "v2.", 3), 0);
    assert_int_equal(strspn(token + 3, b64), strlen(token + 3));
    /* nonce 24 + value 16 + tag 16 = 56 bytes = 75 base64 characters */
    assert_int_equal(strlen(token), 3 + 75);
    free(token);
    free(token2);
}

static void same_value_encrypts_differently_each_time(void **state)
{
    fixture *f = *state;
    char *a = enc(f->kr, "users", "nik", "42", NIK);
    char *b = enc(f->kr, "users", "nik", "42", NIK);

    assert_string_not_equal(a, b);
    dec_ok(f->kr, "users", "nik", "42", a, NIK);
    dec_ok(f->kr, "users", "nik", "42", b, NIK);
    free(a);
    free(b);
}

/* SECURITY.md case 25: a ciphertext moved to another cell does not decrypt. */
static void decrypt_refuses_other_table_column_or_row(void **state)
{
    fixture *f = *state;
    char *token = enc(f->kr, "users", "nik", "42", NIK);

    dec_refused(f->kr, "users", "nik", "43", token);
    dec_refused(f->kr, "users", "nik", "420", token);
    dec_refused(f->kr, "users", "nip", "42", token);
    dec_refused(f->kr, "accounts", "nik", "42", token);
    dec_refused(f->kr, "users", "nik", "", token);
    dec_refused(f->kr, "", "nik", "42", token);
    dec_ok(f->kr, "users", "nik", "42", token, NIK);
    free(token);
}

/* Length prefixes: moving bytes between fields changes the associated data. */
static void associated_data_is_unambiguous(void **state)
{
    fixture *f = *state;
    char *token = enc(f->kr, "ab", "c", "1", NIK);

    dec_refused(f->kr, "a", "bc", "1", token);
    dec_refused(f->kr, "abc", "1", "", token);
    dec_refused(f->kr, "ab", "c1", "", token);
    free(token);
}

static void decrypt_refuses_other_version(void **state)
{
    fixture *f = *state;
    char *t2 = enc(f->kr_v2, "users", "nik", "42", NIK);
    char *relabelled = NULL;

    /* unknown version: the keyring has version 1 */
    dec_refused(f->kr, "users", "nik", "42", t2);
    /* same key, relabelled "v1.": the version is in the associated data */
    relabelled = strdup(t2);
    assert_non_null(relabelled);
    relabelled[1] = '1';
    dec_refused(f->kr, "users", "nik", "42", relabelled);
    dec_refused(f->kr_v2, "users", "nik", "42", relabelled);
    dec_ok(f->kr_v2, "users", "nik", "42", t2, NIK);
    free(relabelled);
    free(t2);
}

static void decrypt_refuses_another_key(void **state)
{
    fixture *f = *state;
    char *token = enc(f->kr, "users", "nik", "42", NIK);
    pii_keyring *kb = NULL;

    assert_int_equal(pii_keyring_from_key(key_b, 1, &kb), 0);
    dec_refused(kb, "users", "nik", "42", token);
    pii_keyring_free(kb);
    free(token);
}

static void decrypt_refuses_tampered_tokens(void **state)
{
    fixture *f = *state;
    char *token = enc(f->kr, "users", "nik", "42", NIK);
    size_t len = strlen(token);
    char *t = malloc(len + 2);

    assert_non_null(t);
    /* every single character changed */
    for (size_t i = 0; i < len; i++) {
        memcpy(t, token, len + 1);
        t[i] = t[i] == 'A' ? 'B' : 'A';
        dec_refused(f->kr, "users", "nik", "42", t);
    }
    /* truncated at every length */
    for (size_t i = 0; i < len; i++) {
        memcpy(t, token, i);
        t[i] = '\0';
        dec_refused(f->kr, "users", "nik", "42", t);
    }
    /* one character too many */
    memcpy(t, token, len);
    memcpy(t + len, "A", 2);
    dec_refused(f->kr, "users", "nik", "42", t);
    free(t);
    free(token);
}

static void decrypt_refuses_malformed_tokens(void **state)
{
    fixture *f = *state;
    char *token = enc(f->kr, "users", "nik", "42", NIK);
    char buf[256];
    const char *bad[] = {"",        "v",        "v1",      "v1.",      "1.AAAA",
                         "v0.AAAA", "v01.AAAA", "V1.AAAA", "v-1.AAAA", "v1234567890.AAAA",
                         NIK};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dec_refused(f->kr, "users", "nik", "42", bad[i]);
    }
    dec_refused(f->kr, "users", "nik", "42", NULL);
    /* a nonce and a tag's worth of zeros (40 bytes: 54 characters) */
    memcpy(buf, "v1.", 3);
    memset(buf + 3, 'A', 54);
    buf[57] = '\0';
    dec_refused(f->kr, "users", "nik", "42", buf);
    /* standard base64 alphabet, padding, or spaces instead of base64url */
    snprintf(buf, sizeof buf, "%s=", token);
    dec_refused(f->kr, "users", "nik", "42", buf);
    snprintf(buf, sizeof buf, "v1. %s", token + 3);
    dec_refused(f->kr, "users", "nik", "42", buf);
    snprintf(buf, sizeof buf, "v1.+%s", token + 4);
    dec_refused(f->kr, "users", "nik", "42", buf);
    free(token);
}

static void encrypt_refuses_missing_or_oversized_fields(void **state)
{
    fixture *f = *state;
    char long_id[PII_MAX_AAD_FIELD + 2];
    char *big = calloc(1, PII_MAX_PLAIN + 1);
    char *token = (char *)1;

    assert_non_null(big);
    memset(long_id, '7', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    assert_int_equal(pii_encrypt(f->kr, "", "nik", "42", NIK, 16, &token), -1);
    assert_null(token);
    assert_int_equal(pii_encrypt(f->kr, "users", "", "42", NIK, 16, &token), -1);
    assert_int_equal(pii_encrypt(f->kr, "users", "nik", NULL, NIK, 16, &token), -1);
    assert_int_equal(pii_encrypt(f->kr, "users", "nik", long_id, NIK, 16, &token), -1);
    assert_int_equal(pii_encrypt(f->kr, "users", "nik", "42", NULL, 1, &token), -1);
    assert_int_equal(pii_encrypt(f->kr, "users", "nik", "42", big, PII_MAX_PLAIN + 1, &token), -1);
    assert_null(token);
    /* the limits themselves are fine */
    long_id[PII_MAX_AAD_FIELD] = '\0';
    memset(big, 'x', PII_MAX_PLAIN);
    token = enc(f->kr, "users", "nik", long_id, NIK);
    free(token);
    token = enc(f->kr, "users", "nik", "42", big);
    dec_ok(f->kr, "users", "nik", "42", token, big);
    free(token);
    free(big);
}

/* ---- blind indexes ----------------------------------------------------- */

static void blind_index_is_deterministic_lowercase_hex(void **state)
{
    fixture *f = *state;
    char a[PII_INDEX_HEX], b[PII_INDEX_HEX];

    assert_int_equal(pii_blind_index(f->kr, "nik", NIK, a), 0);
    assert_int_equal(pii_blind_index(f->kr, "nik", NIK, b), 0);
    assert_string_equal(a, b);
    assert_int_equal(strlen(a), 64);
    assert_int_equal(strspn(a, "0123456789abcdef"), 64);
    assert_null(strstr(a, NIK));
    /* the version does not change it: same key, same index */
    assert_int_equal(pii_blind_index(f->kr_v2, "nik", NIK, b), 0);
    assert_string_equal(a, b);
    assert_int_equal(pii_blind_index(f->kr, "nik", "3573011203900002", b), 0);
    assert_string_not_equal(a, b);
}

static void blind_index_depends_on_the_key(void **state)
{
    fixture *f = *state;
    char a[PII_INDEX_HEX], b[PII_INDEX_HEX];
    pii_keyring *kb = NULL;

    assert_int_equal(pii_keyring_from_key(key_b, 1, &kb), 0);
    assert_int_equal(pii_blind_index(f->kr, "nik", NIK, a), 0);
    assert_int_equal(pii_blind_index(kb, "nik", NIK, b), 0);
    assert_string_not_equal(a, b);
    pii_keyring_free(kb);
}

static void blind_index_separates_kinds(void **state)
{
    fixture *f = *state;
    char a[PII_INDEX_HEX], b[PII_INDEX_HEX];

    assert_int_equal(pii_blind_index(f->kr, "nik", NIK, a), 0);
    assert_int_equal(pii_blind_index(f->kr, "nip", NIK, b), 0);
    assert_string_not_equal(a, b);
    /* the separator keeps "nik" + "x" apart from "nikx" + "" */
    assert_int_equal(pii_blind_index(f->kr, "nik", "x", a), 0);
    assert_int_equal(pii_blind_index(f->kr, "nikx", "", b), 0);
    assert_string_not_equal(a, b);
}

static void blind_index_refuses_bad_kinds(void **state)
{
    fixture *f = *state;
    char out[PII_INDEX_HEX] = "x";
    const char *bad[] = {"",     "NIK",  "ni:k",
                         "nik ", "ni-k", "a23456789012345678901234567890123" /* 33 */};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(pii_blind_index(f->kr, bad[i], NIK, out), -1);
        assert_string_equal(out, "");
    }
    assert_int_equal(pii_blind_index(f->kr, NULL, NIK, out), -1);
    assert_int_equal(pii_blind_index(f->kr, "nik", NULL, out), -1);
    assert_int_equal(pii_blind_index(f->kr, "a2345678901234567890123456789012", NIK, out), 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(key_file_created_0600_then_reloaded),
        T(key_file_created_flag_is_optional),
        T(key_file_missing_without_create_refused),
        T(key_file_missing_folder_refused),
        T(key_file_readable_by_group_or_others_refused),
        T(key_file_under_a_file_refused),
        T(key_file_owner_only_accepted),
        T(key_file_malformed_refused),
        T(key_file_not_regular_refused),
        T(key_file_through_symlink_checks_the_target),
        T(keyring_from_key_refuses_bad_versions),
        T(subkeys_differ_per_purpose_and_key),
        T(encrypt_round_trip),
        T(token_is_versioned_urlsafe_text),
        T(same_value_encrypts_differently_each_time),
        T(decrypt_refuses_other_table_column_or_row),
        T(associated_data_is_unambiguous),
        T(decrypt_refuses_other_version),
        T(decrypt_refuses_another_key),
        T(decrypt_refuses_tampered_tokens),
        T(decrypt_refuses_malformed_tokens),
        T(encrypt_refuses_missing_or_oversized_fields),
        T(blind_index_is_deterministic_lowercase_hex),
        T(blind_index_depends_on_the_key),
        T(blind_index_separates_kinds),
        T(blind_index_refuses_bad_kinds),
    };
#undef T

    return cmocka_run_group_tests(tests, NULL, NULL);
}
