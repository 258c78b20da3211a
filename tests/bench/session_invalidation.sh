#!/usr/bin/env bash
# Issue 17: the invalidation delay of the session cache across two
# instances. Two `sinau serve` on one database; a session logged out on A is
# read on B back to back until B refuses it (session_invalidation.mjs).
# Prints p50/p99/max of the delay from A's 204 to B's first 401 (what a
# client that saw the logout could still do on B), the same from sending the
# logout, how many reads B still answered 200 after A's 204, and B's cache
# hits (at least one per round: the session really was cached on B). Not a
# test: nothing here fails on a figure.
#
#   tests/bench/session_invalidation.sh
#   SMOKE=1 tests/bench/session_invalidation.sh   (50 rounds)
#
# Settings (environment): ROUNDS (500; 50 with SMOKE=1), SINAU_THREADS (2 per
# instance), SINAU_SESSION_CACHE_S (10), SINAU_BIN, SINAU_PORT (the first of
# two ports, default the first free from 18680). Everything started is
# stopped at exit.
set -euo pipefail

BENCH=invalidation
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ ${SMOKE:-0} == 1 ]] && ROUNDS=${ROUNDS:-50}
ROUNDS=${ROUNDS:-500}
THREADS=${SINAU_THREADS:-2}
CACHE_S=${SINAU_SESSION_CACHE_S:-10}
PASSWORD='bench-invalidation-1'
posint ROUNDS THREADS CACHE_S
[[ -x $SINAU_BIN ]] || die "$SINAU_BIN not found: run 'make build'"
need node psql curl

bench_cluster
bench_db_new
printf '%s\n' "$PASSWORD" |
    DATABASE_URL=$BENCH_DB_URL SINAU_PWHASH=fast SINAU_LOG_LEVEL=warn \
        "$SINAU_BIN" user create --email bench@bench.invalid --name Bench --role participant \
        >"$TMP/user.log" 2>&1 || die "user create failed: $(cat "$TMP/user.log")"

PORT_A=${SINAU_PORT:-$(free_port 18680)}
PORT_B=$(free_port $((PORT_A + 1)))
for side in A:"$PORT_A" B:"$PORT_B"; do
    start_sinau "sinau-${side%%:*}" "${side#*:}" SINAU_PWHASH=fast SINAU_THREADS="$THREADS" \
        SINAU_SESSION_CACHE_S="$CACHE_S"
done
# the listeners subscribe just after /readyz: wait for both caches to be on
for port in "$PORT_A" "$PORT_B"; do
    for ((i = 0; i < 100; i++)); do
        curl -s "http://127.0.0.1:$port/metrics" | grep -q '^sinau_session_cache_enabled 1' && break
        sleep 0.1
    done
done

log "$ROUNDS rounds: log in on A, cache on B, log out on A, read on B until 401"
out=$(node "$ROOT/tests/bench/session_invalidation.mjs" "http://127.0.0.1:$PORT_A" \
    "http://127.0.0.1:$PORT_B" bench@bench.invalid "$PASSWORD" "$ROUNDS")
printf '%s\n' "$out"
node -e '
const r = JSON.parse(process.argv[1]);
const c = process.argv[2];
console.log(`delay from A 204 to B 401: p50 ${r.from_ack_ms.p50} ms, p99 ${r.from_ack_ms.p99} ms, max ${r.from_ack_ms.max} ms`);
console.log(`delay from sending the logout: p50 ${r.from_send_ms.p50} ms, p99 ${r.from_send_ms.p99} ms`);
console.log(`stale 200s on B after the 204: ${r.stale_after_ack} in ${r.rounds} rounds; cache hits on B: ${r.cache_hits_on_b}`);
console.log(`\nRESULTS.md row:\n| ${new Date().toISOString().slice(0, 10)} | ${c} | ${r.rounds} | ${r.from_ack_ms.p50} | ${r.from_ack_ms.p99} | ${r.from_ack_ms.max} | ${r.stale_after_ack} | ${r.cache_hits_on_b} | ${process.argv[3]} |`);
' "$out" "${BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD)}" "$CACHE_S"
