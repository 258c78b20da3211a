/* verify_cmd.c — `sinau verify`: checks a credential offline against a key
 * set file, and optionally a status list file, with the same code as POST
 * /api/v1/verify (vccheck.h). Either format: a VC-JWT, or the JSON of a
 * credential with a Data Integrity proof (the status list likewise). Needs
 * no database and no configuration. */
#include "sinau/cli/verify_cmd.h"

#include <jansson.h>
#include <stdbool.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/cert/jws.h"
#include "sinau/cert/vccheck.h"
#include "sinau/core/alloc.h"

#define KEYS_PATH "/keys/"
/* read a little past the verifier's limits so that an over-long token is
 * reported by the verifier (format) rather than cut here */
#define READ_SLACK 4096

typedef struct verify_args {
    const char *jwks;
    const char *status;
    const char *origin;
    const char *token; /* NULL or "-": standard input */
} verify_args;

/* Matches "--name value" or "--name=value" at argv[*i]; advances *i past
 * what it took. Returns 1 when matched, 0 when not, -1 when the value is
 * missing. */
static int take_flag(int argc, char **argv, int *i, const char *name, const char **out)
{
    size_t n = strlen(name);

    if (strncmp(argv[*i], name, n) != 0) {
        return 0;
    }
    if (argv[*i][n] == '=') {
        *out = argv[*i] + n + 1;
        (*i)++;
        return 1;
    }
    if (argv[*i][n] != '\0') {
        return 0;
    }
    if (*i + 1 >= argc) {
        return -1;
    }
    *out = argv[*i + 1];
    *i += 2;
    return 1;
}

static int parse_args(int argc, char **argv, verify_args *a)
{
    static const char *const names[] = {"--jwks", "--status", "--origin"};
    int i = 0;

    memset(a, 0, sizeof *a);
    while (i < argc) {
        const char **slots[] = {&a->jwks, &a->status, &a->origin};
        int m = 0;
        for (size_t k = 0; k < SINAU_ARRAY_LEN(names) && m == 0; k++) {
            m = take_flag(argc, argv, &i, names[k], slots[k]);
        }
        if (m < 0) {
            fprintf(stderr, "sinau: %s needs a value\n", argv[i]);
            return 2;
        }
        if (m > 0) {
            continue;
        }
        if ((argv[i][0] == '-' && strcmp(argv[i], "-") != 0) || a->token != NULL) {
            fprintf(stderr, "sinau: usage: sinau verify --jwks FILE [--status FILE] "
                            "[--origin URL] [TOKEN|-]\n");
            return 2;
        }
        a->token = argv[i++];
    }
    if (a->jwks == NULL) {
        fprintf(stderr, "sinau: verify needs --jwks FILE (the key set, as "
                        "/.well-known/jwks.json serves it)\n");
        return 2;
    }
    return 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* An owned copy of buf[0..n) without surrounding whitespace, or NULL (with
 * a message naming what) when that is empty or holds a NUL byte. */
static char *trimmed(const char *buf, size_t n, const char *what)
{
    size_t start = 0;

    while (n > 0 && is_space(buf[n - 1])) {
        n--;
    }
    while (start < n && is_space(buf[start])) {
        start++;
    }
    if (start == n || memchr(buf + start, '\0', n - start) != NULL) {
        fprintf(stderr, "sinau: %s is %s\n", what, start == n ? "empty" : "not text");
        return NULL;
    }
    return xstrndup(buf + start, n - start);
}

/* Reads at most max bytes of path ("-": standard input) and trims them. */
static char *read_token_file(const char *path, size_t max, const char *what)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char *buf, *s = NULL;
    size_t n;

    if (f == NULL) {
        fprintf(stderr, "sinau: cannot read %s\n", path);
        return NULL;
    }
    buf = xmalloc(max);
    n = fread(buf, 1, max, f);
    if (ferror(f)) {
        fprintf(stderr, "sinau: cannot read %s\n", path);
    } else {
        s = trimmed(buf, n, what);
    }
    free(buf);
    if (f != stdin) {
        fclose(f);
    }
    return s;
}

/* The origin every kid of the key set names ("<origin>/keys/<t>"), as an
 * owned string, or NULL when there is none or they disagree. */
static char *jwks_origin(const json_t *jwks)
{
    const json_t *k;
    size_t i;
    char *origin = NULL;

    json_array_foreach (json_object_get(jwks, "keys"), i, k) {
        const char *kid = json_string_value(json_object_get(k, "kid"));
        const char *cut = kid == NULL ? NULL : strstr(kid, KEYS_PATH);
        if (cut == NULL || cut == kid) {
            continue;
        }
        if (origin == NULL) {
            origin = xstrndup(kid, (size_t)(cut - kid));
        } else if (strlen(origin) != (size_t)(cut - kid) || strncmp(origin, kid, strlen(origin))) {
            free(origin);
            return NULL;
        }
    }
    return origin;
}

static int print_result(const vccheck_result *r)
{
    const char *verdict = vccheck_verdict(r);

    for (size_t i = 0; i < r->nchecks; i++) {
        printf("%-4s %-16s %s\n", r->checks[i].ok ? "ok" : "FAIL", r->checks[i].name,
               r->checks[i].detail);
    }
    if (strcmp(verdict, "valid") == 0) {
        puts("VALID");
        return 0;
    }
    puts(strcmp(verdict, "revoked") == 0 ? "REVOKED" : "INVALID");
    return 1;
}

/* Loads the key set and the origin (given, or the key set's own). */
static int load_trust(const verify_args *a, json_t **jwks, char **origin)
{
    json_error_t jerr;

    *jwks = json_load_file(a->jwks, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(*jwks) || !json_is_array(json_object_get(*jwks, "keys"))) {
        fprintf(stderr, "sinau: %s is not a JSON key set {\"keys\":[...]}\n", a->jwks);
        return 2;
    }
    *origin = a->origin != NULL ? xstrdup(a->origin) : jwks_origin(*jwks);
    if (*origin == NULL) {
        fprintf(stderr, "sinau: the key set's kids do not name one origin: give --origin URL\n");
        return 2;
    }
    return 0;
}

/* The token: the argument itself, or standard input when it is absent or "-". */
static char *take_token(const verify_args *a)
{
    if (a->token != NULL && strcmp(a->token, "-") != 0) {
        return trimmed(a->token, strlen(a->token), "the token");
    }
    return read_token_file("-", JWS_MAX_TOKEN + READ_SLACK, "the token on standard input");
}

int cli_verify(int argc, char **argv)
{
    verify_args a;
    json_t *jwks = NULL;
    char *origin = NULL, *token = NULL, *status = NULL;
    vccheck_result *r = NULL;
    int rc = parse_args(argc, argv, &a);

    if (rc != 0) {
        return rc;
    }
    if (sodium_init() < 0) {
        return 1;
    }
    rc = load_trust(&a, &jwks, &origin);
    if (rc != 0) {
        goto out;
    }
    rc = 2;
    if (a.status != NULL) {
        status = read_token_file(a.status, VCCHECK_MAX_STATUS_TOKEN + READ_SLACK,
                                 "the status list file");
        if (status == NULL) {
            goto out;
        }
    }
    token = take_token(&a);
    if (token == NULL) {
        goto out;
    }
    r = vccheck_run(token, jwks, origin, status);
    rc = print_result(r);
out:
    vccheck_result_free(r);
    free(status);
    free(token);
    free(origin);
    json_decref(jwks);
    return rc;
}
