/* cert/statuslist.h — Bitstring Status List v1.0 (CERTIFICATES.md "Revocation"):
 * a bitstring where a set bit means revoked, carried in a status list
 * credential as encodedList = "u" + base64url (no padding) of its gzip.
 *
 * Bit i is bit (7 - i % 8) of byte i / 8: bit 0 is the most significant bit
 * of byte 0. Pure code, no global state: every function is thread-safe
 * (callers share no bitstring without their own lock). Out of memory aborts
 * (alloc.h). */
#ifndef SINAU_CERT_STATUSLIST_H
#define SINAU_CERT_STATUSLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "sinau/core/common.h"

#define STATUSLIST_BITS      131072                /* the size we issue (the minimum) */
#define STATUSLIST_BYTES     (STATUSLIST_BITS / 8) /* 16 KiB */
#define STATUSLIST_MAX_BYTES (16 * 1024 * 1024)    /* decode refuses more */

/* Encodes bits[0..nbytes) as "u" + base64url(gzip(bits)). The gzip member
 * is deterministic for a given input (fixed header: no name, mtime 0, OS
 * byte 255 "unknown"; level 9), so re-encoding an unchanged list gives the
 * same string. Returns an owned string (free()), or NULL when nbytes is 0 or
 * over STATUSLIST_MAX_BYTES, or zlib fails. */
char *statuslist_encode(const unsigned char *bits, size_t nbytes);

/* Decodes an encodedList (NUL-terminated): a leading "u", strict base64url
 * (jws_b64u_decode), one complete gzip member and nothing after it, at most
 * STATUSLIST_MAX_BYTES once inflated. Returns 0 with *bits an owned buffer
 * (free()) of *nbytes bytes (>= 1), or -1 with *bits NULL and *nbytes 0.
 * Safe on hostile input (gzip bombs stop at the cap). */
SINAU_MUST_CHECK int statuslist_decode(const char *encoded, unsigned char **bits, size_t *nbytes);

/* The bit at index: 1 set (revoked), 0 clear, -1 when index is past the end
 * (index >= 8 * nbytes). */
int statuslist_get(const unsigned char *bits, size_t nbytes, size_t index);

/* Sets (value true) or clears the bit at index. Returns 0, or -1 when index
 * is past the end (nothing changed). */
SINAU_MUST_CHECK int statuslist_set(unsigned char *bits, size_t nbytes, size_t index, bool value);

#endif /* SINAU_CERT_STATUSLIST_H */
