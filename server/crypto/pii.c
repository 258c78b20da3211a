/* pii.c — the master key file, per-purpose subkeys, field encryption bound
 * to its cell, and blind indexes (see pii.h for the contracts).
 *
 * The master key lives only in sodium_malloc'd memory (guard pages, mlock
 * when allowed, read-only after load); every stack copy of a key or of the
 * key file's text is wiped before returning. Nothing here logs. */
#include "sinau/crypto/pii.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sinau/core/alloc.h"
#include "sinau/core/errmsg.h"

#define KEY_HEX_LEN   (2 * PII_KEY_BYTES)
#define KDF_SUBKEY_ID 1 /* purposes differ by context; versions by master key */
#define MAX_VERSION   999999999
#define NONCE_BYTES   crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES     crypto_aead_xchacha20poly1305_ietf_ABYTES
#define B64_VARIANT   sodium_base64_VARIANT_URLSAFE_NO_PADDING
/* associated data: three length-prefixed fields and the version */
#define AAD_MAX (3 * (4 + PII_MAX_AAD_FIELD) + 4)
/* longest token: "v" + 9 digits + "." + base64 of the longest blob */
#define TOKEN_MAX                                                                                  \
    (11 + sodium_base64_ENCODED_LEN(NONCE_BYTES + PII_MAX_PLAIN + TAG_BYTES, B64_VARIANT))

struct pii_keyring {
    int version;
    unsigned char *key; /* PII_KEY_BYTES, sodium_malloc'd, read-only */
};

/* crypto_kdf contexts, indexed by enum pii_purpose; each exactly 8 chars */
static const char *const kdf_contexts[] = {
    [PII_PURPOSE_ENCRYPT] = "sinaupii",
    [PII_PURPOSE_BLIND_INDEX] = "sinaubix",
    [PII_PURPOSE_SIGNING] = "sinausig",
    [PII_PURPOSE_SESSION] = "sinausss",
};

/* ---- the key file ------------------------------------------------------ */

static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Best effort: makes the new directory entry durable. A failure here does not
 * lose the key (the file itself was fsync'ed), so it is not reported. */
static void fsync_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = NULL;
    int fd;

    if (slash == NULL) {
        dir = xstrdup(".");
    } else {
        dir = xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
    }
    fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

/* Writes a fresh random key as hex into the open temporary file fd. */
static int write_new_key(int fd)
{
    unsigned char key[PII_KEY_BYTES];
    char hex[KEY_HEX_LEN + 1];
    int rc = -1;

    randombytes_buf(key, sizeof key);
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);
    hex[KEY_HEX_LEN] = '\n'; /* replaces the NUL: the file has no NUL */
    if (fchmod(fd, 0600) != 0 || write_all(fd, hex, sizeof hex) != 0 || fsync(fd) != 0) {
        goto out;
    }
    rc = 0;
out:
    sodium_memzero(key, sizeof key);
    sodium_memzero(hex, sizeof hex);
    return rc;
}

/* Creates the key file at path unless it exists. The key is written under a
 * temporary name (mkstemp: O_CREAT|O_EXCL, mode 0600) and published with
 * link(2), which fails rather than replace an existing file: the key file is
 * never seen half-written, and when two processes race, both use the key of
 * the one whose link won. *created says whether this call made it. */
static int create_key_file(const char *path, bool *created, char *err, size_t errlen)
{
    static const char suffix[] = ".tmp.XXXXXX";
    size_t len = strlen(path);
    char *tmp = xmalloc(len + sizeof suffix);
    int fd = -1;
    int rc = -1;

    *created = false;
    memcpy(tmp, path, len);
    memcpy(tmp + len, suffix, sizeof suffix);
    fd = mkstemp(tmp);
    if (fd < 0) {
        errmsg_set(err, errlen, "cannot create key file %s: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    if (write_new_key(fd) != 0) {
        errmsg_set(err, errlen, "cannot write key file %s: %s", path, strerror(errno));
        goto out;
    }
    if (link(tmp, path) == 0) {
        *created = true;
    } else if (errno != EEXIST) {
        errmsg_set(err, errlen, "cannot create key file %s: %s", path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    close(fd);
    (void)unlink(tmp);
    if (*created) {
        fsync_parent_dir(path);
    }
    free(tmp);
    return rc;
}

/* Opens the key file for reading, creating it first when allowed. O_NONBLOCK
 * keeps a FIFO planted at path from blocking the open; fstat refuses it. */
static int open_key_file(const char *path, bool create, bool *created, char *err, size_t errlen)
{
    const int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    int fd = open(path, flags);

    if (fd < 0 && errno == ENOENT && create) {
        if (create_key_file(path, created, err, errlen) != 0) {
            return -1;
        }
        fd = open(path, flags);
    }
    if (fd < 0 && errno == ENOENT) {
        errmsg_set(err, errlen, "key file %s does not exist", path);
    } else if (fd < 0) {
        errmsg_set(err, errlen, "cannot open key file %s: %s", path, strerror(errno));
    }
    return fd;
}

/* Refuses anything but a regular file of the right size that only its owner
 * may read or write. */
static int check_key_file(int fd, const char *path, char *err, size_t errlen)
{
    struct stat st;

    if (fstat(fd, &st) != 0) {
        errmsg_set(err, errlen, "cannot stat key file %s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        errmsg_set(err, errlen, "key file %s is not a regular file", path);
        return -1;
    }
    if ((st.st_mode & 077) != 0) {
        errmsg_set(err, errlen,
                   "key file %s is accessible by group or others (mode %03o); chmod 600 it", path,
                   (unsigned)(st.st_mode & 0777));
        return -1;
    }
    if (st.st_size != KEY_HEX_LEN && st.st_size != KEY_HEX_LEN + 1) {
        errmsg_set(err, errlen, "key file %s must hold exactly 64 hex characters (32 bytes)", path);
        return -1;
    }
    return 0;
}

/* Reads up to cap bytes (stopping at end of file) into buf; *len the count. */
static int read_upto(int fd, char *buf, size_t cap, size_t *len)
{
    *len = 0;
    while (*len < cap) {
        ssize_t n = read(fd, buf + *len, cap - *len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -1;
        }
        if (n == 0) {
            break;
        }
        *len += (size_t)n;
    }
    return 0;
}

/* Decodes exactly 64 hex characters, optionally followed by one newline. */
static int parse_key(const char *text, size_t len, unsigned char key[PII_KEY_BYTES])
{
    size_t bin_len = 0;
    const char *end = NULL;

    if (len != KEY_HEX_LEN && !(len == KEY_HEX_LEN + 1 && text[KEY_HEX_LEN] == '\n')) {
        return -1;
    }
    if (sodium_hex2bin(key, PII_KEY_BYTES, text, KEY_HEX_LEN, NULL, &bin_len, &end) != 0 ||
        bin_len != PII_KEY_BYTES || end != text + KEY_HEX_LEN) {
        return -1;
    }
    /* an all-zero key is a placeholder or a broken copy, never a real key */
    return sodium_is_zero(key, PII_KEY_BYTES) ? -1 : 0;
}

int pii_keyring_from_key(const unsigned char key[PII_KEY_BYTES], int version, pii_keyring **out)
{
    pii_keyring *kr = NULL;

    *out = NULL;
    if (sodium_init() < 0 || version < 1 || version > MAX_VERSION) {
        return -1;
    }
    kr = xcalloc(1, sizeof *kr);
    kr->version = version;
    kr->key = sodium_malloc(PII_KEY_BYTES);
    if (kr->key == NULL) {
        pii_keyring_free(kr);
        return -1;
    }
    memcpy(kr->key, key, PII_KEY_BYTES);
    if (sodium_mprotect_readonly(kr->key) != 0) {
        pii_keyring_free(kr);
        return -1;
    }
    *out = kr;
    return 0;
}

int pii_keyring_load(const char *path, bool create, pii_keyring **out, bool *created, char *err,
                     size_t errlen)
{
    char text[KEY_HEX_LEN + 2]; /* one byte more than allowed, to see excess */
    unsigned char key[PII_KEY_BYTES];
    bool made = false;
    size_t len = 0;
    int fd = -1;
    int rc = -1;

    *out = NULL;
    if (sodium_init() < 0) {
        errmsg_set(err, errlen, "cannot initialise libsodium");
        goto out;
    }
    fd = open_key_file(path, create, &made, err, errlen);
    if (fd < 0 || check_key_file(fd, path, err, errlen) != 0) {
        goto out;
    }
    if (read_upto(fd, text, sizeof text, &len) != 0) {
        errmsg_set(err, errlen, "cannot read key file %s: %s", path, strerror(errno));
        goto out;
    }
    if (parse_key(text, len, key) != 0) {
        errmsg_set(err, errlen, "key file %s must hold exactly 64 hex characters (32 bytes)", path);
        goto out;
    }
    if (pii_keyring_from_key(key, 1, out) != 0) {
        errmsg_set(err, errlen, "cannot allocate guarded memory for the key");
        goto out;
    }
    rc = 0;
out:
    if (fd >= 0) {
        close(fd);
    }
    if (created != NULL) {
        *created = made;
    }
    sodium_memzero(text, sizeof text);
    sodium_memzero(key, sizeof key);
    return rc;
}

void pii_keyring_free(pii_keyring *kr)
{
    if (kr == NULL) {
        return;
    }
    sodium_free(kr->key); /* wipes; makes the pages writable first itself */
    free(kr);
}

int pii_keyring_version(const pii_keyring *kr)
{
    assert(kr != NULL);
    return kr->version;
}

int pii_subkey(const pii_keyring *kr, enum pii_purpose purpose, unsigned char out[PII_KEY_BYTES])
{
    assert(kr != NULL);
    if ((unsigned)purpose >= SINAU_ARRAY_LEN(kdf_contexts)) {
        return -1;
    }
    return crypto_kdf_derive_from_key(out, PII_KEY_BYTES, KDF_SUBKEY_ID, kdf_contexts[purpose],
                                      kr->key);
}

/* ---- field encryption -------------------------------------------------- */

static void put_u32be(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Appends len(s) as 4 bytes big-endian, then s; 0 when s is NULL, empty or
 * longer than PII_MAX_AAD_FIELD, else the new length. */
static size_t put_field(unsigned char *aad, size_t at, const char *s)
{
    size_t len = s == NULL ? 0 : strnlen(s, PII_MAX_AAD_FIELD + 1);

    if (len == 0 || len > PII_MAX_AAD_FIELD) {
        return 0;
    }
    put_u32be(aad + at, (uint32_t)len);
    memcpy(aad + at + 4, s, len);
    return at + 4 + len;
}

/* The associated data of a cell: each field length-prefixed, so that no two
 * different (table, column, row) give the same bytes, then the version.
 * Returns its length, or 0 when a field is missing or too long. */
static size_t build_aad(unsigned char aad[AAD_MAX], const char *table, const char *column,
                        const char *row_id, int version)
{
    size_t n = put_field(aad, 0, table);

    n = n == 0 ? 0 : put_field(aad, n, column);
    n = n == 0 ? 0 : put_field(aad, n, row_id);
    if (n == 0) {
        return 0;
    }
    put_u32be(aad + n, (uint32_t)version);
    return n + 4;
}

/* "v<version>." + base64url(blob), owned. */
static char *make_token(int version, const unsigned char *blob, size_t blob_len)
{
    char prefix[16];
    int plen = snprintf(prefix, sizeof prefix, "v%d.", version);
    size_t b64_len = sodium_base64_ENCODED_LEN(blob_len, B64_VARIANT);
    char *token = NULL;

    assert(plen > 0 && (size_t)plen < sizeof prefix);
    token = xmalloc((size_t)plen + b64_len);
    memcpy(token, prefix, (size_t)plen);
    sodium_bin2base64(token + plen, b64_len, blob, blob_len, B64_VARIANT);
    return token;
}

int pii_encrypt(const pii_keyring *kr, const char *table, const char *column, const char *row_id,
                const char *plain, size_t plain_len, char **out_token)
{
    unsigned char aad[AAD_MAX];
    unsigned char key[PII_KEY_BYTES];
    unsigned char *blob = NULL; /* nonce || ciphertext || tag */
    size_t aad_len = build_aad(aad, table, column, row_id, kr->version);
    int rc = -1;

    *out_token = NULL;
    if (aad_len == 0 || plain_len > PII_MAX_PLAIN || (plain == NULL && plain_len > 0)) {
        goto out;
    }
    if (pii_subkey(kr, PII_PURPOSE_ENCRYPT, key) != 0) {
        goto out;
    }
    blob = xmalloc(NONCE_BYTES + plain_len + TAG_BYTES);
    randombytes_buf(blob, NONCE_BYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(blob + NONCE_BYTES, NULL,
                                               (const unsigned char *)plain, plain_len, aad,
                                               aad_len, NULL, blob, key);
    *out_token = make_token(kr->version, blob, NONCE_BYTES + plain_len + TAG_BYTES);
    rc = 0;
out:
    sodium_memzero(key, sizeof key);
    free(blob);
    return rc;
}

/* Reads "v<version>." at the start of token: version 1..MAX_VERSION in
 * decimal without leading zeros. Returns the position after the dot, or NULL. */
static const char *parse_version(const char *token, int *version)
{
    const char *p = token + 1;
    long v = 0;

    if (token[0] != 'v' || *p < '1' || *p > '9') {
        return NULL;
    }
    for (; *p >= '0' && *p <= '9' && p - token <= 9; p++) {
        v = v * 10 + (*p - '0');
    }
    if (*p != '.' || v > MAX_VERSION) {
        return NULL;
    }
    *version = (int)v;
    return p + 1;
}

/* Decodes the base64url part into an owned blob of at least nonce + tag. */
static unsigned char *decode_blob(const char *b64, size_t *blob_len)
{
    size_t b64_len = strlen(b64);
    unsigned char *blob = xmalloc(b64_len + 1); /* decoded is always shorter */
    const char *end = NULL;
    int rc = sodium_base642bin(blob, b64_len + 1, b64, b64_len, NULL, blob_len, &end, B64_VARIANT);

    /* the whole rest of the token must be base64url, and hold nonce and tag */
    if (rc != 0 || end != b64 + b64_len || *blob_len < NONCE_BYTES + TAG_BYTES) {
        free(blob);
        return NULL;
    }
    return blob;
}

int pii_decrypt(const pii_keyring *kr, const char *table, const char *column, const char *row_id,
                const char *token, char **out_plain, size_t *out_len)
{
    unsigned char aad[AAD_MAX];
    unsigned char key[PII_KEY_BYTES];
    unsigned char *blob = NULL;
    char *plain = NULL;
    const char *b64 = NULL;
    size_t aad_len = build_aad(aad, table, column, row_id, kr->version);
    size_t blob_len = 0;
    unsigned long long plain_len = 0;
    int version = 0;
    int rc = -1;

    *out_plain = NULL;
    *out_len = 0;
    if (aad_len == 0 || token == NULL || strnlen(token, TOKEN_MAX + 1) > TOKEN_MAX) {
        goto out;
    }
    b64 = parse_version(token, &version);
    if (b64 == NULL || version != kr->version) {
        goto out;
    }
    blob = decode_blob(b64, &blob_len);
    if (blob == NULL || pii_subkey(kr, PII_PURPOSE_ENCRYPT, key) != 0) {
        goto out;
    }
    plain = xmalloc(blob_len - NONCE_BYTES - TAG_BYTES + 1);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)plain, &plain_len, NULL,
                                                   blob + NONCE_BYTES, blob_len - NONCE_BYTES, aad,
                                                   aad_len, blob, key) != 0) {
        goto out;
    }
    plain[plain_len] = '\0';
    *out_plain = plain;
    *out_len = (size_t)plain_len;
    plain = NULL;
    rc = 0;
out:
    sodium_memzero(key, sizeof key);
    free(plain); /* only on failure, when it holds no plaintext */
    free(blob);
    return rc;
}

/* ---- blind indexes ----------------------------------------------------- */

/* 1..PII_MAX_KIND bytes of [a-z0-9_]: never a ':', so "<kind>:<value>" is
 * unambiguous. */
static bool kind_ok(const char *kind)
{
    size_t n = 0;

    for (; kind[n] != '\0'; n++) {
        char c = kind[n];
        if (n == PII_MAX_KIND || !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            return false;
        }
    }
    return n > 0;
}

int pii_blind_index(const pii_keyring *kr, const char *kind, const char *value,
                    char out[PII_INDEX_HEX])
{
    crypto_generichash_state st;
    unsigned char key[PII_KEY_BYTES];
    unsigned char hash[32];
    int rc = -1;

    out[0] = '\0';
    if (kind == NULL || value == NULL || !kind_ok(kind)) {
        goto out;
    }
    if (pii_subkey(kr, PII_PURPOSE_BLIND_INDEX, key) != 0 ||
        crypto_generichash_init(&st, key, sizeof key, sizeof hash) != 0) {
        goto out;
    }
    crypto_generichash_update(&st, (const unsigned char *)kind, strlen(kind));
    crypto_generichash_update(&st, (const unsigned char *)":", 1);
    crypto_generichash_update(&st, (const unsigned char *)value, strlen(value));
    crypto_generichash_final(&st, hash, sizeof hash);
    sodium_bin2hex(out, PII_INDEX_HEX, hash, sizeof hash);
    rc = 0;
out:
    sodium_memzero(&st, sizeof st);
    sodium_memzero(key, sizeof key);
    sodium_memzero(hash, sizeof hash);
    return rc;
}
