/* video.c — YouTube and TikTok URLs to privacy-friendly embed URLs
 * (video.h). The URL is taken apart by hand, strictly: a fixed host
 * allow-list, no userinfo or port, and ids checked character by character.
 * The embed URL is rebuilt from the validated id alone, so nothing else of
 * the input ever reaches a page. */
#include "sinau/core/video.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sinau/core/names.h"

#define URL_MAX         2000
#define YOUTUBE_ID_LEN  11
#define TIKTOK_ID_MIN   15
#define TIKTOK_ID_MAX   25
#define TIKTOK_USER_MAX 64
#define YOUTUBE_EMBED   "https://www.youtube-nocookie.com/embed/"
#define TIKTOK_EMBED    "https://www.tiktok.com/embed/v2/"

enum host_kind { HOST_NONE, HOST_YOUTUBE, HOST_YOUTU_BE, HOST_NOCOOKIE, HOST_TIKTOK };

/* A piece of the input: not NUL-terminated. */
typedef struct span {
    const char *p;
    size_t n;
} span;

typedef struct parsed_url {
    span host, path, query; /* query without '?'; the fragment is ignored */
} parsed_url;

static const struct {
    const char *name;
    enum host_kind kind;
} hosts[] = {
    {"www.youtube.com", HOST_YOUTUBE},
    {"youtube.com", HOST_YOUTUBE},
    {"m.youtube.com", HOST_YOUTUBE},
    {"youtu.be", HOST_YOUTU_BE},
    {"www.youtube-nocookie.com", HOST_NOCOOKIE},
    {"youtube-nocookie.com", HOST_NOCOOKIE},
    {"www.tiktok.com", HOST_TIKTOK},
    {"tiktok.com", HOST_TIKTOK},
    {"m.tiktok.com", HOST_TIKTOK},
};

static bool span_eq(span s, const char *lit)
{
    return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

static void span_skip(span *s, size_t n)
{
    s->p += n;
    s->n -= n;
}

/* Does s start with lit (ignoring ASCII case when nocase)? If so, drops it
 * from s. */
static bool span_eat_as(span *s, const char *lit, bool nocase)
{
    size_t n = strlen(lit);

    if (s->n < n || (nocase ? strncasecmp(s->p, lit, n) : memcmp(s->p, lit, n)) != 0)
        return false;
    span_skip(s, n);
    return true;
}

static bool span_eat(span *s, const char *lit)
{
    return span_eat_as(s, lit, false);
}

static bool span_eat_nocase(span *s, const char *lit)
{
    return span_eat_as(s, lit, true);
}

/* Length of the prefix of s free of every character in stops. */
static size_t span_until(span s, const char *stops)
{
    size_t i = 0;

    while (i < s.n && strchr(stops, s.p[i]) == NULL)
        i++;
    return i;
}

/* Printable ASCII only, and no backslash (which browsers read as '/'). */
static bool url_chars_ok(const char *url, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= 0x20 || c >= 0x7f || c == '\\')
            return false;
    }
    return true;
}

static enum host_kind host_kind_of(span host)
{
    for (size_t i = 0; i < SINAU_ARRAY_LEN(hosts); i++) {
        if (host.n == strlen(hosts[i].name) && strncasecmp(host.p, hosts[i].name, host.n) == 0)
            return hosts[i].kind;
    }
    return HOST_NONE;
}

/* Splits "http(s)://host/path?query#fragment". Refuses other schemes, an
 * empty path, userinfo ('@') and ports (':') in the authority. */
static bool split_url(const char *url, size_t len, parsed_url *u)
{
    span rest = {url, len};
    size_t n;

    if (!span_eat_nocase(&rest, "https://") && !span_eat_nocase(&rest, "http://"))
        return false;
    n = span_until(rest, "/?#");
    u->host = (span){rest.p, n};
    if (span_until(u->host, "@:") != n)
        return false;
    span_skip(&rest, n);
    n = span_until(rest, "?#");
    u->path = (span){rest.p, n};
    span_skip(&rest, n);
    u->query = (span){rest.p, 0};
    if (span_eat(&rest, "?"))
        u->query = (span){rest.p, span_until(rest, "#")};
    return u->path.n > 0;
}

/* Every character an ASCII letter, a digit or one of extra? */
static bool all_alnum_or(span s, const char *extra)
{
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  (c != '\0' && strchr(extra, c) != NULL);
        if (!ok)
            return false;
    }
    return true;
}

static bool is_youtube_id(span s)
{
    return s.n == YOUTUBE_ID_LEN && all_alnum_or(s, "_-");
}

static bool is_tiktok_id(span s)
{
    if (s.n < TIKTOK_ID_MIN || s.n > TIKTOK_ID_MAX)
        return false;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
    }
    return true;
}

static bool is_tiktok_user(span s)
{
    return s.n > 0 && s.n <= TIKTOK_USER_MAX && all_alnum_or(s, "_.-");
}

/* The value of the first "v=" member of an '&'-separated query. */
static bool query_v(span q, span *v)
{
    for (;;) {
        span member = {q.p, span_until(q, "&")};

        if (span_eat(&member, "v=")) {
            *v = member;
            return true;
        }
        if (member.n == q.n)
            return false;
        span_skip(&q, member.n + 1);
    }
}

/* youtube.com: /watch?v=ID, /shorts/ID, /embed/ID. */
static bool youtube_id(const parsed_url *u, span *id)
{
    span path = u->path;

    if (span_eq(path, "/watch"))
        return query_v(u->query, id) && is_youtube_id(*id);
    if (span_eat(&path, "/shorts/") || span_eat(&path, "/embed/")) {
        *id = path;
        return is_youtube_id(*id);
    }
    return false;
}

/* tiktok.com: /@user/video/ID, /embed/v2/ID. */
static bool tiktok_id(const parsed_url *u, span *id)
{
    span path = u->path;
    span user;

    if (span_eat(&path, "/embed/v2/")) {
        *id = path;
        return is_tiktok_id(*id);
    }
    if (!span_eat(&path, "/@"))
        return false;
    user = (span){path.p, span_until(path, "/")};
    span_skip(&path, user.n);
    if (!is_tiktok_user(user) || !span_eat(&path, "/video/"))
        return false;
    *id = path;
    return is_tiktok_id(*id);
}

static enum video_provider identify(const parsed_url *u, span *id)
{
    *id = u->path;
    switch (host_kind_of(u->host)) {
    case HOST_YOUTUBE:
        return youtube_id(u, id) ? VIDEO_YOUTUBE : VIDEO_NONE;
    case HOST_YOUTU_BE:
        return span_eat(id, "/") && is_youtube_id(*id) ? VIDEO_YOUTUBE : VIDEO_NONE;
    case HOST_NOCOOKIE:
        return span_eat(id, "/embed/") && is_youtube_id(*id) ? VIDEO_YOUTUBE : VIDEO_NONE;
    case HOST_TIKTOK:
        return tiktok_id(u, id) ? VIDEO_TIKTOK : VIDEO_NONE;
    case HOST_NONE:
        break;
    }
    return VIDEO_NONE;
}

enum video_provider video_parse(const char *url, char embed[VIDEO_EMBED_MAX])
{
    parsed_url u;
    span id = {NULL, 0};
    size_t len;
    enum video_provider p = VIDEO_NONE;
    int n;

    embed[0] = '\0';
    if (url == NULL)
        goto out;
    len = strnlen(url, URL_MAX + 1);
    if (len > URL_MAX || !url_chars_ok(url, len) || !split_url(url, len, &u))
        goto out;
    p = identify(&u, &id);
    if (p == VIDEO_NONE)
        goto out;
    /* ids are at most 25 characters: the embed URL always fits */
    n = snprintf(embed, VIDEO_EMBED_MAX, "%s%.*s",
                 p == VIDEO_YOUTUBE ? YOUTUBE_EMBED : TIKTOK_EMBED, (int)id.n, id.p);
    if (n < 0 || n >= VIDEO_EMBED_MAX) {
        embed[0] = '\0';
        p = VIDEO_NONE;
    }
out:
    return p;
}

static const char *const PROVIDER_NAMES[] = {
    [VIDEO_YOUTUBE] = "youtube", [VIDEO_TIKTOK] = "tiktok"};

const char *video_provider_name(enum video_provider p)
{
    return NAMES_LOOKUP(PROVIDER_NAMES, p, "");
}
