#!/usr/bin/env python3
"""p3_fixtures.py — participants with sessions for the P3 flash crowd (run by
p3_flash_crowd.sh; Python standard library only).

    p3_fixtures.py N OUT_DIR

Writes OUT_DIR/participants.tsv for COPY into bench_participants (n, user_id,
segment, token_hash) and OUT_DIR/tokens.tsv for the client (n, segment,
token). A token is what sinau hands out at login: 32 random bytes in
base64url without padding (43 characters); the session row stores only its
BLAKE2b-256 in lowercase hex (server/auth/session.c). Segments go round
asn, umkm, public so each gets a third of the crowd.
"""
import base64
import hashlib
import os
import secrets
import sys

SEGMENTS = ("asn", "umkm", "public")


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def main() -> int:
    if len(sys.argv) != 3 or not sys.argv[1].isdigit() or int(sys.argv[1]) < 1:
        print("usage: p3_fixtures.py N OUT_DIR", file=sys.stderr)
        return 2
    n, out = int(sys.argv[1]), sys.argv[2]
    with open(os.path.join(out, "participants.tsv"), "w") as p, open(
        os.path.join(out, "tokens.tsv"), "w"
    ) as t:
        for i in range(n):
            user_id = b64url(secrets.token_bytes(16))  # like sinau_new_id()
            token = b64url(secrets.token_bytes(32))
            assert len(token) == 43
            token_hash = hashlib.blake2b(token.encode("ascii"), digest_size=32).hexdigest()
            segment = SEGMENTS[i % len(SEGMENTS)]
            p.write(f"{i}\t{user_id}\t{segment}\t{token_hash}\n")
            t.write(f"{i}\t{segment}\t{token}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
