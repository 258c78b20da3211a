/* static_files.h — the web/ folder, loaded into memory once at start-up.
 *
 * Every regular file under the folder becomes an entry addressed by its URL
 * path ("/css/site.css"); "/" and "/dir/" resolve to "index.html". Lookups
 * only ever hit that table, so path traversal is impossible by construction;
 * paths with "..", "//", "\\", NUL or percent-encoded bytes simply miss.
 * Each entry has a content type from its extension (text types with
 * "; charset=utf-8") and a strong ETag (BLAKE2b of the bytes). Read-only after
 * load, so any thread may look up. */
#ifndef SINAU_STATIC_FILES_H
#define SINAU_STATIC_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "sinau/common.h"

#define STATIC_MAX_FILES      2048
#define STATIC_MAX_FILE_BYTES (8u * 1024u * 1024u)

typedef struct static_file {
    const char *url_path;      /* "/index.html" */
    const unsigned char *data; /* file bytes */
    size_t len;
    const char *content_type; /* "text/html; charset=utf-8", ... */
    const char *etag;         /* quoted strong ETag, "\"3fa1…\"" */
} static_file;

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

/* Content type for a file name by extension; "application/octet-stream" when unknown. */
const char *static_content_type(const char *name);

/* True when the If-None-Match header value (may be NULL, may list several
 * tags or be "*") matches etag. */
bool static_etag_matches(const char *if_none_match, const char *etag);

#endif /* SINAU_STATIC_FILES_H */
