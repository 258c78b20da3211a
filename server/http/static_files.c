/* static_files.c — the web/ folder read once into a sorted table.
 *
 * Loading walks the folder with lstat (symlinks and dotfiles skipped, so
 * nothing outside the folder is ever read), keeps each file's bytes, content
 * type and ETag, then sorts the table by URL path, computes the build id,
 * writes it into the HTML files and gzips the text files. Lookups refuse
 * suspicious paths and bsearch the table: no file system access after
 * start-up. */
#include "sinau/http/static_files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "sinau/core/alloc.h"
#include "sinau/core/ascii.h"
#include "sinau/core/log.h"
#include "sinau/core/vec.h"

#define ETAG_HASH_BYTES  16
#define STATIC_MAX_DEPTH 32
#define STATIC_MAX_URL   1024
#define STATIC_PATH_MAX  4096
#define GZIP_WINDOW_BITS (15 + 16) /* zlib: a gzip wrapper instead of zlib's */
#define GZIP_MEM_LEVEL   9
#define ETAG_CHARS       (2 * ETAG_HASH_BYTES + 3)
#define GZ_ETAG_CHARS    (ETAG_CHARS + 3)

/* One file: the public view plus the storage it points into. */
typedef struct entry {
    static_file pub;
    char *url;           /* owned, "/css/site.css" */
    unsigned char *data; /* owned */
    size_t len;
    const char *content_type; /* static string */
    char etag[ETAG_CHARS];
    unsigned char *gz; /* owned gzip copy, or NULL */
    size_t gz_len;
    char gz_etag[GZ_ETAG_CHARS];
} entry;

struct static_store {
    entry *files; /* owned, sorted by url once loading is done */
    size_t n;
    size_t cap;
    char build[STATIC_BUILD_CHARS + 1];
};

/* The walk's state: the store being filled and a path buffer whose first
 * root_len bytes are the folder, the rest the URL path of the current entry. */
typedef struct walker {
    static_store *store;
    char path[STATIC_PATH_MAX];
    size_t root_len;
    char *err;
    size_t errlen;
} walker;

static const struct {
    const char *ext;
    const char *type;
} content_types[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json; charset=utf-8"},
    {"map", "application/json; charset=utf-8"},
    {"webmanifest", "application/manifest+json; charset=utf-8"},
    {"svg", "image/svg+xml; charset=utf-8"},
    {"txt", "text/plain; charset=utf-8"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"webp", "image/webp"},
    {"ico", "image/x-icon"},
    {"woff2", "font/woff2"},
    {"pdf", "application/pdf"},
};

const char *static_content_type(const char *name)
{
    const char *slash = name != NULL ? strrchr(name, '/') : NULL;
    const char *base = slash != NULL ? slash + 1 : name;
    const char *dot = base != NULL ? strrchr(base, '.') : NULL;

    if (dot != NULL && dot != base) {
        for (size_t i = 0; i < SINAU_ARRAY_LEN(content_types); i++) {
            if (strcasecmp(dot + 1, content_types[i].ext) == 0) {
                return content_types[i].type;
            }
        }
    }
    return "application/octet-stream";
}

void static_store_free(static_store *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < s->n; i++) {
        free(s->files[i].url);
        free(s->files[i].data);
        free(s->files[i].gz);
    }
    free(s->files);
    free(s);
}

/* Reads the whole regular file at path into *data (owned). Returns 0, 1 when
 * the file is to be skipped (replaced by a non-regular file or grown too big
 * since lstat), or -1 with a message in w->err. */
static int read_whole(walker *w, unsigned char **data, size_t *len)
{
    unsigned char *buf = NULL;
    struct stat st;
    size_t got = 0;
    int rc = -1;
    int fd;

    fd = open(w->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(w->err, w->errlen, "cannot read %s: %s", w->path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode) || (unsigned long long)st.st_size > STATIC_MAX_FILE_BYTES) {
        rc = 1;
        goto out;
    }
    buf = xmalloc((size_t)st.st_size);
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            snprintf(w->err, w->errlen, "cannot read %s: %s", w->path, strerror(errno));
            goto out;
        }
        if (r == 0) {
            break; /* shrank since fstat: keep what is there */
        }
        got += (size_t)r;
    }
    *data = buf;
    *len = got;
    buf = NULL;
    rc = 0;
out:
    free(buf);
    if (fd >= 0) {
        close(fd);
    }
    return rc;
}

/* Fills the ETags: the quoted hex of a 16-byte BLAKE2b of the bytes, and the
 * same with "-gz" for the gzip representation. */
static void make_etag(entry *e)
{
    unsigned char hash[ETAG_HASH_BYTES];
    char hex[2 * ETAG_HASH_BYTES + 1];

    crypto_generichash(hash, sizeof hash, e->data, e->len, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    snprintf(e->etag, sizeof e->etag, "\"%s\"", hex);
    snprintf(e->gz_etag, sizeof e->gz_etag, "\"%s-gz\"", hex);
}

/* True for the types worth compressing: text, JSON, SVG. */
static bool compressible(const char *type)
{
    return strncmp(type, "text/", 5) == 0 || strncmp(type, "application/json", 16) == 0 ||
           strncmp(type, "application/manifest+json", 25) == 0 ||
           strncmp(type, "image/svg+xml", 13) == 0;
}

/* Gzips a text entry's bytes into e->gz (owned), kept only when smaller. */
static void make_gzip(entry *e)
{
    z_stream zs;
    uLong cap;
    unsigned char *out;

    if (e->len == 0 || !compressible(e->content_type)) {
        return;
    }
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, GZIP_WINDOW_BITS, GZIP_MEM_LEVEL,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        log_warn("static: zlib refused to start; %s is served uncompressed", e->url);
        return;
    }
    cap = deflateBound(&zs, (uLong)e->len);
    out = xmalloc(cap);
    zs.next_in = e->data;
    zs.avail_in = (uInt)e->len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    if (deflate(&zs, Z_FINISH) == Z_STREAM_END && zs.total_out < e->len) {
        e->gz = out;
        e->gz_len = zs.total_out;
        out = NULL;
    }
    deflateEnd(&zs);
    free(out);
}

/* The build id: BLAKE2b over every (path, length, bytes) in table order,
 * before any {{BUILD}} is replaced, so it depends on the files alone. */
static void make_build(static_store *s)
{
    crypto_generichash_state st;
    unsigned char hash[ETAG_HASH_BYTES];
    char hex[2 * ETAG_HASH_BYTES + 1];

    crypto_generichash_init(&st, NULL, 0, sizeof hash);
    for (size_t i = 0; i < s->n; i++) {
        const entry *e = &s->files[i];
        unsigned char len[8];

        for (int b = 0; b < 8; b++) {
            len[b] = (unsigned char)((unsigned long long)e->len >> (8 * b));
        }
        crypto_generichash_update(&st, (const unsigned char *)e->url, strlen(e->url) + 1);
        crypto_generichash_update(&st, len, sizeof len);
        crypto_generichash_update(&st, e->data, e->len);
    }
    crypto_generichash_final(&st, hash, sizeof hash);
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    memcpy(s->build, hex, STATIC_BUILD_CHARS);
    s->build[STATIC_BUILD_CHARS] = '\0';
}

/* Replaces every STATIC_BUILD_TOKEN in an HTML entry by the build id. The id
 * is shorter than the token, so the bytes are rewritten in place. */
static void put_build(entry *e, const char *build)
{
    static const char token[] = STATIC_BUILD_TOKEN;
    size_t tlen = sizeof token - 1;
    size_t r = 0;
    size_t w = 0;

    if (strncmp(e->content_type, "text/html", 9) != 0) {
        return;
    }
    while (r < e->len) {
        if (e->len - r >= tlen && memcmp(e->data + r, token, tlen) == 0) {
            memcpy(e->data + w, build, STATIC_BUILD_CHARS);
            w += STATIC_BUILD_CHARS;
            r += tlen;
        } else {
            e->data[w++] = e->data[r++];
        }
    }
    e->len = w;
}

/* Adds the regular file at w->path. Returns 0 (added or skipped) or -1. */
static int add_file(walker *w, const struct stat *st)
{
    static_store *s = w->store;
    unsigned char *data = NULL;
    size_t len = 0;
    entry *e;
    int rc;

    if ((unsigned long long)st->st_size > STATIC_MAX_FILE_BYTES) {
        log_warn("static: skipping %s: larger than %u bytes", w->path, STATIC_MAX_FILE_BYTES);
        return 0;
    }
    if (s->n == STATIC_MAX_FILES) {
        snprintf(w->err, w->errlen, "more than %d files under the web folder", STATIC_MAX_FILES);
        return -1;
    }
    rc = read_whole(w, &data, &len);
    if (rc != 0) {
        if (rc > 0) {
            log_warn("static: skipping %s: changed while loading", w->path);
        }
        return rc < 0 ? -1 : 0;
    }
    s->files = vec_reserve(s->files, &s->cap, s->n + 1, sizeof(*s->files), 64);
    e = &s->files[s->n++];
    memset(e, 0, sizeof(*e));
    e->url = xstrdup(w->path + w->root_len);
    e->data = data;
    e->len = len;
    e->content_type = static_content_type(e->url);
    return 0;
}

static int walk_dir(walker *w, size_t len, int depth);

/* Handles one directory entry whose path is in w->path. Returns 0 or -1. */
static int visit(walker *w, size_t len, int depth)
{
    struct stat st;

    if (lstat(w->path, &st) != 0) {
        snprintf(w->err, w->errlen, "cannot stat %s: %s", w->path, strerror(errno));
        return -1;
    }
    if (S_ISLNK(st.st_mode)) {
        log_warn("static: skipping symbolic link %s", w->path);
        return 0;
    }
    if (S_ISDIR(st.st_mode)) {
        if (depth >= STATIC_MAX_DEPTH) {
            log_warn("static: skipping %s: folders nested too deeply", w->path);
            return 0;
        }
        return walk_dir(w, len, depth + 1);
    }
    if (S_ISREG(st.st_mode)) {
        return add_file(w, &st);
    }
    return 0; /* fifos, sockets, devices: never served */
}

/* Walks the folder whose path is w->path[0..len). Returns 0 or -1. */
static int walk_dir(walker *w, size_t len, int depth)
{
    DIR *d = NULL;
    struct dirent *de;
    int rc = -1;

    w->path[len] = '\0';
    d = opendir(len > 0 ? w->path : "/");
    if (d == NULL) {
        snprintf(w->err, w->errlen, "cannot open %s: %s", w->path, strerror(errno));
        goto out;
    }
    for (;;) {
        size_t name_len;

        errno = 0;
        de = readdir(d);
        if (de == NULL) {
            break;
        }
        if (de->d_name[0] == '.') {
            continue; /* ".", ".." and dotfiles (.git, .env, editor files) */
        }
        name_len = strlen(de->d_name);
        if (len + 1 + name_len >= sizeof w->path ||
            len + 1 + name_len - w->root_len > STATIC_MAX_URL) {
            log_warn("static: skipping an entry of %s: path too long", w->path);
            continue;
        }
        w->path[len] = '/';
        memcpy(w->path + len + 1, de->d_name, name_len + 1);
        if (visit(w, len + 1 + name_len, depth) != 0) {
            goto out;
        }
        w->path[len] = '\0';
    }
    if (errno != 0) {
        snprintf(w->err, w->errlen, "cannot list %s: %s", w->path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (d != NULL) {
        closedir(d);
    }
    return rc;
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->url, ((const entry *)b)->url);
}

/* Sorts the table, computes the build id, then per entry writes the build
 * into HTML, makes the ETags and the gzip copy, and points the public view
 * at its storage (only now: growing and sorting moved the entries). */
static void finish(static_store *s)
{
    if (s->n > 1) {
        qsort(s->files, s->n, sizeof(*s->files), entry_cmp);
    }
    make_build(s);
    for (size_t i = 0; i < s->n; i++) {
        entry *e = &s->files[i];
        put_build(e, s->build);
        make_etag(e);
        make_gzip(e);
        e->pub.url_path = e->url;
        e->pub.data = e->data;
        e->pub.len = e->len;
        e->pub.content_type = e->content_type;
        e->pub.etag = e->etag;
        e->pub.gz_data = e->gz;
        e->pub.gz_len = e->gz_len;
        e->pub.gz_etag = e->gz != NULL ? e->gz_etag : NULL;
    }
}

static_store *static_store_load(const char *dir, char *err, size_t errlen)
{
    static_store *s = xcalloc(1, sizeof(*s));
    walker *w = xcalloc(1, sizeof(*w));
    struct stat st;
    size_t len = strlen(dir);

    w->store = s;
    w->err = err;
    w->errlen = errlen;
    while (len > 0 && dir[len - 1] == '/') {
        len--; /* "web/" and "web" give the same URL paths */
    }
    if (len >= sizeof w->path) {
        snprintf(err, errlen, "web folder path too long");
        goto fail;
    }
    if (stat(dir, &st) != 0 && errno == ENOENT) {
        log_warn("static: web folder %s not found, serving no files", dir);
        goto done;
    }
    memcpy(w->path, dir, len);
    w->root_len = len;
    if (walk_dir(w, len, 0) != 0) {
        goto fail;
    }
done:
    finish(s);
    free(w);
    return s;
fail:
    free(w);
    static_store_free(s);
    return NULL;
}

/* True when a request path may name a table entry at all. */
static bool path_acceptable(const char *p, size_t len)
{
    return len > 0 && len <= STATIC_MAX_URL && p[0] == '/' && strstr(p, "..") == NULL &&
           strstr(p, "//") == NULL && strchr(p, '\\') == NULL && strchr(p, '%') == NULL;
}

static int key_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const entry *)elem)->url);
}

const static_file *static_store_get(const static_store *s, const char *url_path)
{
    char buf[STATIC_MAX_URL + sizeof "index.html"];
    const char *key = url_path;
    const entry *e;
    size_t len;

    if (s == NULL || s->n == 0 || url_path == NULL) {
        return NULL;
    }
    len = strnlen(url_path, STATIC_MAX_URL + 1);
    if (!path_acceptable(url_path, len)) {
        return NULL;
    }
    if (url_path[len - 1] == '/') {
        memcpy(buf, url_path, len);
        memcpy(buf + len, "index.html", sizeof "index.html");
        key = buf;
    }
    e = bsearch(key, s->files, s->n, sizeof(*s->files), key_cmp);
    return e != NULL ? &e->pub : NULL;
}

const char *static_store_build(const static_store *s)
{
    return s != NULL ? s->build : "";
}

/* True for "/api" and every path under "/api/". */
static bool api_path(const char *p)
{
    return strncmp(p, "/api", 4) == 0 && (p[4] == '\0' || p[4] == '/');
}

/* When p is "/v/<8 hex>/rest", returns "/rest" and sets *current when the hex
 * is this build's; else returns NULL. */
static const char *strip_version(const static_store *s, const char *p, bool *current)
{
    size_t i;

    if (strncmp(p, "/v/", 3) != 0) {
        return NULL;
    }
    for (i = 0; i < STATIC_BUILD_CHARS; i++) {
        char c = p[3 + i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return NULL;
        }
    }
    if (p[3 + STATIC_BUILD_CHARS] != '/') {
        return NULL;
    }
    *current = memcmp(p + 3, s->build, STATIC_BUILD_CHARS) == 0;
    return p + 3 + STATIC_BUILD_CHARS;
}

/* True for a path the app itself routes: "/" and segments of letters,
 * digits, '-' and '_' only (so no file names, no "..", "//" or encoded
 * bytes: anything odd stays a 404). */
static bool app_route(const char *p)
{
    size_t n = strnlen(p, STATIC_MAX_URL + 1);

    return p[0] == '/' && n <= STATIC_MAX_URL && strstr(p, "//") == NULL &&
           ascii_only(p + 1, n - 1, "-_/");
}

bool static_store_resolve(const static_store *s, const char *url_path, static_hit *hit)
{
    const static_file *f;
    const char *rest;
    bool current = false;

    memset(hit, 0, sizeof *hit);
    if (s == NULL || url_path == NULL || api_path(url_path)) {
        return false;
    }
    rest = strip_version(s, url_path, &current);
    if (rest != NULL) {
        hit->file = static_store_get(s, rest);
        hit->immutable = hit->file != NULL && current;
        return hit->file != NULL;
    }
    f = static_store_get(s, url_path);
    if (f == NULL && app_route(url_path)) {
        f = static_store_get(s, "/index.html");
        hit->shell = f != NULL;
    }
    hit->file = f;
    return f != NULL;
}

/* Length of a coding token at p (up to ';', ',' or blank). */
static size_t token_len(const char *p)
{
    size_t n = 0;

    while (p[n] != '\0' && p[n] != ';' && p[n] != ',' && p[n] != ' ' && p[n] != '\t') {
        n++;
    }
    return n;
}

/* True when the parameters at p (after a coding, up to ',') hold q=0 (or
 * q=0.0, q=0.000 ...). */
static bool q_is_zero(const char *p)
{
    while (*p != '\0' && *p != ',') {
        if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            const char *v = p + 2;
            if (*v != '0') {
                return false;
            }
            v++;
            if (*v == '.') {
                v++;
                while (*v == '0') {
                    v++;
                }
            }
            return *v == '\0' || *v == ',' || *v == ' ' || *v == '\t' || *v == ';';
        }
        p++;
    }
    return false;
}

bool static_accepts_gzip(const char *accept_encoding)
{
    const char *p = accept_encoding;
    int named = -1; /* gzip named: 1 accepted, 0 refused with q=0 */
    int star = -1;  /* the same for "*" */

    if (p == NULL) {
        return false;
    }
    while (*p != '\0') {
        size_t n;

        while (*p == ' ' || *p == '\t' || *p == ',') {
            p++;
        }
        n = token_len(p);
        if ((n == 4 && strncasecmp(p, "gzip", 4) == 0) ||
            (n == 6 && strncasecmp(p, "x-gzip", 6) == 0)) {
            named = !q_is_zero(p + n);
        } else if (n == 1 && *p == '*') {
            star = !q_is_zero(p + n);
        }
        p += n;
        while (*p != '\0' && *p != ',') {
            p++;
        }
    }
    return named >= 0 ? named == 1 : star == 1;
}

/* The opaque part of an entity tag: the quoted string without any "W/". */
static const char *opaque_tag(const char *tag, size_t *len)
{
    if (strncmp(tag, "W/", 2) == 0) {
        tag += 2;
    }
    *len = strlen(tag);
    return tag;
}

bool static_etag_matches(const char *if_none_match, const char *etag)
{
    const char *p = if_none_match;
    size_t want_len;
    const char *want;

    if (p == NULL || etag == NULL) {
        return false;
    }
    want = opaque_tag(etag, &want_len);
    while (*p != '\0') {
        const char *close;

        while (*p == ' ' || *p == '\t' || *p == ',') {
            p++;
        }
        if (*p == '*') {
            return true;
        }
        if (strncmp(p, "W/", 2) == 0) {
            p += 2;
        }
        /* a quoted tag may itself hold commas, so find its closing quote */
        close = *p == '"' ? strchr(p + 1, '"') : NULL;
        if (close != NULL) {
            size_t n = (size_t)(close - p) + 1;
            if (n == want_len && memcmp(p, want, n) == 0) {
                return true;
            }
            p = close + 1;
        }
        while (*p != '\0' && *p != ',') {
            p++; /* the rest of this item: garbage after a tag, or a malformed item */
        }
    }
    return false;
}
