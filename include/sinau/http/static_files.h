/* http/static_files.h — the web/ folder, loaded into memory once at start-up.
 *
 * Every regular file under the folder becomes an entry addressed by its URL
 * path ("/css/site.css"); "/" and "/dir/" resolve to "index.html". Lookups
 * only ever hit that table, so path traversal is impossible by construction;
 * paths with "..", "//", "\\", NUL or percent-encoded bytes simply miss.
 * Each entry has a content type from its extension (text types with
 * "; charset=utf-8") and a strong ETag (BLAKE2b of the bytes). Read-only after
 * load, so any thread may look up.
 *
 * The web app (web/app/README.md) adds three things at load: a build id (the
 * first 8 hex digits of a BLAKE2b over every file's path and bytes), which
 * replaces each "{{BUILD}}" in HTML files so the shell asks for its assets
 * under "/v/<build>/"; a gzip copy of every text file that compresses (zlib,
 * once); and static_store_resolve, which maps a request path to a file, a
 * versioned asset or the app shell. */
#ifndef SINAU_HTTP_STATIC_FILES_H
#define SINAU_HTTP_STATIC_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "sinau/core/common.h"

#define STATIC_MAX_FILES      2048
#define STATIC_MAX_FILE_BYTES (8u * 1024u * 1024u)

#define STATIC_BUILD_CHARS 8
#define STATIC_BUILD_TOKEN "{{BUILD}}"

typedef struct static_file {
    const char *url_path;      /* "/index.html" */
    const unsigned char *data; /* file bytes ({{BUILD}} replaced in HTML) */
    size_t len;
    const char *content_type;     /* "text/html; charset=utf-8", ... */
    const char *etag;             /* quoted strong ETag, "\"3fa1…\"" */
    const unsigned char *gz_data; /* gzip of data, or NULL (not text, or no smaller) */
    size_t gz_len;
    const char *gz_etag; /* ETag of the gzip representation ("\"3fa1…-gz\""), or NULL */
} static_file;

/* What a request path resolved to (static_store_resolve). */
typedef struct static_hit {
    const static_file *file; /* borrowed from the store */
    bool immutable;          /* asked under "/v/<current build>/": cache for a year */
    bool shell;              /* an app route answered with /index.html */
} static_hit;

typedef struct static_store static_store;

/* Loads every regular file under dir (symlinks and files over
 * STATIC_MAX_FILE_BYTES are skipped with a warning; more than
 * STATIC_MAX_FILES fails). Returns an owned store, or NULL with a one-line
 * message in err. A missing folder gives an empty store, not an error. */
static_store *static_store_load(const char *dir, char *err, size_t errlen);

/* Frees the store and its entries. NULL-safe. */
void static_store_free(static_store *s);

/* Looks up a request path (no query string). Returns a borrowed entry or NULL. */
const static_file *static_store_get(const static_store *s, const char *url_path);

/* The build id: STATIC_BUILD_CHARS lower-case hex digits, the same for the
 * same files (borrowed, lives as long as the store). */
const char *static_store_build(const static_store *s);

/* Resolves a request path (no query string) for GET or HEAD:
 *  - "/api" and anything under "/api/" never resolve (the API's 404 stays JSON);
 *  - "/v/<8 hex>/rest" is looked up as "/rest"; immutable is set only when the
 *    hex is the current build (another build's path still gets the current
 *    file, revalidated, so a page from before a deploy keeps working);
 *  - otherwise an exact table entry (static_store_get);
 *  - otherwise, for a path the app routes itself ("/" and segments of
 *    letters, digits, '-' and '_' only, so never a file name, "..", "//" or
 *    an encoded byte), the shell "/index.html" with shell set (deep links).
 * Returns true with *hit filled, false for a miss. */
bool static_store_resolve(const static_store *s, const char *url_path, static_hit *hit);

/* True when an Accept-Encoding value (may be NULL) accepts gzip: a "gzip",
 * "x-gzip" or "*" coding whose q is not 0. */
bool static_accepts_gzip(const char *accept_encoding);

/* Content type for a file name by extension; "application/octet-stream" when unknown. */
const char *static_content_type(const char *name);

/* True when the If-None-Match header value (may be NULL, may list several
 * tags or be "*") matches etag. */
bool static_etag_matches(const char *if_none_match, const char *etag);

#endif /* SINAU_HTTP_STATIC_FILES_H */
