/* session.c — session tokens, their stored hashes, cookies and roles: the
 * pure parts of auth.h (no I/O; any thread). */
#include "sinau/auth/session.h"

#include <string.h>

#include <sodium.h>

#include "sinau/core/names.h"

void auth_token_new(char out[AUTH_TOKEN_CHARS + 1])
{
    unsigned char raw[32];

    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, AUTH_TOKEN_CHARS + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

void auth_token_hash(const char *token, char out[AUTH_HASH_HEX])
{
    unsigned char h[32];

    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, AUTH_HASH_HEX, h, sizeof h);
}

static const char *skip_spaces(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

int auth_cookie_get(const char *header, const char *name, char *out, size_t outlen)
{
    size_t nlen = strlen(name);
    const char *p = header;

    while (p != NULL && *p != '\0') {
        const char *end;
        size_t vlen;

        p = skip_spaces(p);
        end = strchr(p, ';');
        if (end == NULL)
            end = p + strlen(p);
        if ((size_t)(end - p) > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
            vlen = (size_t)(end - (p + nlen + 1));
            while (vlen > 0 && (p[nlen + vlen] == ' ' || p[nlen + vlen] == '\t'))
                vlen--; /* trailing blanks before ';' */
            if (vlen == 0 || vlen >= outlen)
                return -1;
            memcpy(out, p + nlen + 1, vlen);
            out[vlen] = '\0';
            return 0;
        }
        p = *end == ';' ? end + 1 : end;
    }
    return -1;
}

bool auth_secret_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);

    if (la != lb)
        return false; /* lengths of our tokens are public */
    return sodium_memcmp(a, b, la) == 0;
}

static const char *const role_names[] = {"", "participant", "instructor", "admin"};

enum auth_role auth_role_parse(const char *s)
{
    for (int r = AUTH_ROLE_PARTICIPANT; r <= AUTH_ROLE_ADMIN; r++)
        if (s != NULL && strcmp(s, role_names[r]) == 0)
            return (enum auth_role)r;
    return AUTH_ROLE_NONE;
}

const char *auth_role_name(enum auth_role r)
{
    return NAMES_LOOKUP(role_names, r, "");
}
