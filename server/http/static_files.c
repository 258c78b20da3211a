/* static_files.c — the web/ folder read once into a sorted table.
 *
 * Loading walks the folder with lstat (symlinks and dotfiles skipped, so
 * nothing outside the folder is ever read), keeps each file's bytes, content
 * type and ETag, then sorts the table by URL path. Lookups refuse suspicious
 * paths and bsearch the table: no file system access after start-up. */
#include "sinau/static_files.h"

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

#include "sinau/alloc.h"
#include "sinau/log.h"

#define ETAG_HASH_BYTES  16
#define STATIC_MAX_DEPTH 32
#define STATIC_MAX_URL   1024
#define STATIC_PATH_MAX  4096

/* One file: the public view plus the storage it points into. */
typedef struct entry {
    static_file pub;
    char *url;           /* owned, "/css/site.css" */
    unsigned char *data; /* owned */
    size_t len;
    const char *content_type; /* static string */
    char etag[2 * ETAG_HASH_BYTES + 3];
} entry;

struct static_store {
    entry *files; /* owned, sorted by url once loading is done */
    size_t n;
    size_t cap;
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

/* Fills the ETag: the quoted hex of a 16-byte BLAKE2b of the bytes. */
static void make_etag(entry *e)
{
    unsigned char hash[ETAG_HASH_BYTES];
    char hex[2 * ETAG_HASH_BYTES + 1];

    crypto_generichash(hash, sizeof hash, e->data, e->len, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    snprintf(e->etag, sizeof e->etag, "\"%s\"", hex);
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
    if (s->n == s->cap) {
        s->cap = s->cap == 0 ? 64 : s->cap * 2;
        s->files = xrealloc(s->files, s->cap * sizeof(*s->files));
    }
    e = &s->files[s->n++];
    memset(e, 0, sizeof(*e));
    e->url = xstrdup(w->path + w->root_len);
    e->data = data;
    e->len = len;
    e->content_type = static_content_type(e->url);
    make_etag(e);
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

/* Sorts the table and points each public view at its storage (only now:
 * growing and sorting moved the entries). */
static void finish(static_store *s)
{
    if (s->n > 1) {
        qsort(s->files, s->n, sizeof(*s->files), entry_cmp);
    }
    for (size_t i = 0; i < s->n; i++) {
        entry *e = &s->files[i];
        e->pub.url_path = e->url;
        e->pub.data = e->data;
        e->pub.len = e->len;
        e->pub.content_type = e->content_type;
        e->pub.etag = e->etag;
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
