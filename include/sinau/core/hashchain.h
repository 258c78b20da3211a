/* core/hashchain.h — the fairness log's hash chain (issue 4, SECURITY.md
 * "capacity races"): entry i's hash is SHA-256(hash(i-1) ‖ line(i)) over a
 * canonical line, starting from 64 zeros, so that a published head commits
 * to every entry before it. Pure code; any thread. */
#ifndef SINAU_CORE_HASHCHAIN_H
#define SINAU_CORE_HASHCHAIN_H

#include <stddef.h>

#include "sinau/core/common.h"

#define HASHCHAIN_HEX 65 /* 64 hex chars + NUL */

/* The hash before the first entry: 64 '0' characters. */
void hashchain_genesis(char out[HASHCHAIN_HEX]);

/* The canonical line of an entry: the fields joined by '|' in this order;
 * NULL fields are empty. Returns the length written (truncated to outlen-1). */
size_t hashchain_line(char *out, size_t outlen, const char *seq, const char *at,
                      const char *segment, const char *outcome, const char *user_ref,
                      const char *registration_id);

/* out = hex(SHA-256(bytes(prev_hex) ‖ line)). prev_hex must be 64 hex chars.
 * Returns 0, or -1 when prev_hex is malformed. */
SINAU_MUST_CHECK int hashchain_next(const char *prev_hex, const char *line, size_t line_len,
                                    char out[HASHCHAIN_HEX]);

/* Checks an exported log (NDJSON as GET .../allocation-log writes it) read
 * from a stream: every line's prev and hash. Writes the head and the count;
 * returns 0, or -1 with the failing line number and reason in err. */
SINAU_MUST_CHECK int hashchain_verify_file(const char *path, char head[HASHCHAIN_HEX],
                                           long *entries, char *err, size_t errlen);

#endif /* SINAU_CORE_HASHCHAIN_H */
