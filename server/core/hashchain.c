/* hashchain.c — the fairness log's hash chain (hashchain.h). */
#include "sinau/core/hashchain.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

void hashchain_genesis(char out[HASHCHAIN_HEX])
{
    memset(out, '0', HASHCHAIN_HEX - 1);
    out[HASHCHAIN_HEX - 1] = '\0';
}

size_t hashchain_line(char *out, size_t outlen, const char *seq, const char *at,
                      const char *segment, const char *outcome, const char *user_ref,
                      const char *registration_id)
{
    int n = snprintf(out, outlen, "%s|%s|%s|%s|%s|%s", seq ? seq : "", at ? at : "",
                     segment ? segment : "", outcome ? outcome : "", user_ref ? user_ref : "",
                     registration_id ? registration_id : "");

    if (n < 0)
        return 0;
    return (size_t)n < outlen ? (size_t)n : outlen - 1;
}

int hashchain_next(const char *prev_hex, const char *line, size_t line_len, char out[HASHCHAIN_HEX])
{
    unsigned char prev[32], h[32];
    size_t bin_len = 0;
    crypto_hash_sha256_state st;

    if (strlen(prev_hex) != 64 ||
        sodium_hex2bin(prev, sizeof prev, prev_hex, 64, NULL, &bin_len, NULL) != 0 || bin_len != 32)
        return -1;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, prev, sizeof prev);
    crypto_hash_sha256_update(&st, (const unsigned char *)line, line_len);
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(out, HASHCHAIN_HEX, h, sizeof h);
    return 0;
}

static const char *member(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    static char num[32];

    if (json_is_integer(v)) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        return num;
    }
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Checks one parsed entry against the running hash; advances it. */
static int verify_entry(json_t *e, char prev[HASHCHAIN_HEX], const char **why)
{
    char seq[32], line[1024], want[HASHCHAIN_HEX];
    const char *got_prev = member(e, "prev"), *got_hash = member(e, "hash");
    size_t n;

    snprintf(seq, sizeof seq, "%s", member(e, "seq") ? member(e, "seq") : "");
    n = hashchain_line(line, sizeof line, seq, member(e, "at"), member(e, "segment"),
                       member(e, "outcome"), member(e, "user"), member(e, "registration"));
    if (got_prev == NULL || strcmp(got_prev, prev) != 0) {
        *why = "prev does not match the previous entry's hash";
        return -1;
    }
    if (hashchain_next(prev, line, n, want) != 0 || got_hash == NULL ||
        strcmp(got_hash, want) != 0) {
        *why = "hash does not match the entry";
        return -1;
    }
    memcpy(prev, want, HASHCHAIN_HEX);
    return 0;
}

int hashchain_verify_file(const char *path, char head[HASHCHAIN_HEX], long *entries, char *err,
                          size_t errlen)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    char buf[4096];
    long lineno = 0;
    int rc = -1;

    hashchain_genesis(head);
    *entries = 0;
    if (f == NULL) {
        snprintf(err, errlen, "cannot open %s", path);
        return -1;
    }
    while (fgets(buf, sizeof buf, f) != NULL) {
        json_error_t jerr;
        json_t *e;
        const char *why = NULL;
        lineno++;
        if (buf[0] == '\n' || buf[0] == '\0')
            continue;
        e = json_loads(buf, JSON_REJECT_DUPLICATES, &jerr);
        if (!json_is_object(e)) {
            json_decref(e);
            snprintf(err, errlen, "line %ld: not a JSON object", lineno);
            goto out;
        }
        if (verify_entry(e, head, &why) != 0) {
            json_decref(e);
            snprintf(err, errlen, "line %ld: %s", lineno, why);
            goto out;
        }
        json_decref(e);
        (*entries)++;
    }
    rc = 0;
out:
    if (f != stdin)
        fclose(f);
    return rc;
}
