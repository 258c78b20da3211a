/* core/filetype.h — the type of an uploaded file, read from its first bytes
 * (never from its name or the Content-Type the client declares).
 *
 * Only the types participants may hand in are recognised: PNG, JPEG, PDF and
 * MP4 (ISO base media with an MP4 brand; QuickTime .mov is not MP4). Pure
 * code over borrowed bytes; any thread. */
#ifndef SINAU_CORE_FILETYPE_H
#define SINAU_CORE_FILETYPE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct filetype {
    const char *mime; /* "image/png", "image/jpeg", "application/pdf", "video/mp4" */
    const char *ext;  /* "png", "jpg", "pdf", "mp4": the generated name's suffix */
} filetype;

/* The allowed type whose signature data[0..len) starts with, or NULL. The
 * returned row is static. */
const filetype *filetype_sniff(const unsigned char *data, size_t len);

/* True when a client-declared Content-Type (parameters ignored) is
 * compatible with the sniffed type: the same type, or a generic
 * application/octet-stream, or absent (NULL). */
bool filetype_declared_ok(const filetype *t, const char *declared);

#endif /* SINAU_CORE_FILETYPE_H */
