/* statuslist.c — the revocation bitstring and its gzip + base64url encoding
 * (see statuslist.h for the contracts). */
#include "sinau/cert/statuslist.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "sinau/cert/jws.h"
#include "sinau/core/alloc.h"
#include "sinau/core/dynbuf.h"

#define GZIP_WINDOW     (16 + 15) /* zlib: gzip wrapper, 32 KiB window */
#define GZIP_OS_UNKNOWN 255

/* gzip of in[0..len) into an owned buffer; returns 0, or -1 on a zlib error. */
static int gzip_fixed(const unsigned char *in, size_t len, unsigned char **out, size_t *outlen)
{
    z_stream z;
    gz_header head;
    uLong cap;
    int rc = -1;

    *out = NULL;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 9, Z_DEFLATED, GZIP_WINDOW, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return -1;
    }
    /* no name or comment, mtime 0, a fixed OS byte: same input, same bytes */
    memset(&head, 0, sizeof head);
    head.os = GZIP_OS_UNKNOWN;
    if (deflateSetHeader(&z, &head) != Z_OK) {
        goto out;
    }
    cap = deflateBound(&z, (uLong)len) + 32; /* + the gzip header and trailer */
    *out = xmalloc(cap);
    z.next_in = (Bytef *)(uintptr_t)in; /* zlib's API is not const; it reads only */
    z.avail_in = (uInt)len;
    z.next_out = *out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
        goto out;
    }
    *outlen = z.total_out;
    rc = 0;
out:
    deflateEnd(&z);
    if (rc != 0) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

char *statuslist_encode(const unsigned char *bits, size_t nbytes)
{
    unsigned char *gz = NULL;
    size_t gzlen = 0;
    char *b64, *out;
    size_t n;

    if (bits == NULL || nbytes == 0 || nbytes > STATUSLIST_MAX_BYTES) {
        return NULL;
    }
    if (gzip_fixed(bits, nbytes, &gz, &gzlen) != 0) {
        return NULL;
    }
    b64 = jws_b64u_encode(gz, gzlen);
    n = strlen(b64);
    out = xmalloc(n + 2);
    out[0] = 'u';
    memcpy(out + 1, b64, n + 1);
    free(b64);
    free(gz);
    return out;
}

/* Inflates one gzip member of in[0..len) that must end exactly at len, into
 * an owned buffer of at most STATUSLIST_MAX_BYTES (a dynbuf with that cap:
 * output past it fails the buffer). Returns 0, or -1. */
static int gunzip_capped(const unsigned char *in, size_t len, unsigned char **out, size_t *outlen)
{
    z_stream z;
    unsigned char chunk[4096];
    dynbuf b;
    int zr = Z_OK;

    memset(&z, 0, sizeof z);
    if (len > UINT32_MAX || inflateInit2(&z, GZIP_WINDOW) != Z_OK) {
        return -1;
    }
    dynbuf_init(&b, STATUSLIST_MAX_BYTES);
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    while (zr == Z_OK) {
        z.next_out = chunk;
        z.avail_out = sizeof chunk;
        zr = inflate(&z, Z_NO_FLUSH);
        if (dynbuf_add(&b, chunk, sizeof chunk - z.avail_out) != 0) {
            break;
        }
    }
    inflateEnd(&z);
    /* complete, non-empty, within the cap, and no bytes after the member */
    if (zr != Z_STREAM_END || z.avail_in != 0 || b.len == 0 || dynbuf_failed(&b)) {
        dynbuf_free(&b);
        return -1;
    }
    *out = (unsigned char *)dynbuf_take(&b, outlen);
    return 0;
}

int statuslist_decode(const char *encoded, unsigned char **bits, size_t *nbytes)
{
    unsigned char *gz = NULL;
    size_t gzlen = 0;
    int rc = -1;

    *bits = NULL;
    *nbytes = 0;
    if (encoded == NULL || encoded[0] != 'u') {
        return -1;
    }
    if (jws_b64u_decode(encoded + 1, strlen(encoded + 1), &gz, &gzlen) != 0) {
        return -1;
    }
    rc = gunzip_capped(gz, gzlen, bits, nbytes);
    free(gz);
    return rc;
}

int statuslist_get(const unsigned char *bits, size_t nbytes, size_t index)
{
    if (bits == NULL || index / 8 >= nbytes) {
        return -1;
    }
    return (bits[index / 8] >> (7 - index % 8)) & 1;
}

int statuslist_set(unsigned char *bits, size_t nbytes, size_t index, bool value)
{
    unsigned char mask;

    if (bits == NULL || index / 8 >= nbytes) {
        return -1;
    }
    mask = (unsigned char)(1u << (7 - index % 8));
    if (value) {
        bits[index / 8] |= mask;
    } else {
        bits[index / 8] &= (unsigned char)~mask;
    }
    return 0;
}
