#!/usr/bin/env bash
# PERFORMANCE.md P7: memory per idle keep-alive connection, sinau against
# nginx (target <= 4x), with N (10,000) idle connections held and then all
# served again. Per round, alternately: a fresh sinau, then a fresh nginx
# (`return 200` of the same bytes, as many workers as sinau has loop
# threads); p7_hold.mjs warms each up, reads its memory (the sum of Rss of
# its processes: sinau's one, nginx's master and workers), opens N
# connections that each get one answer and stay idle, reads the memory
# again after SETTLE_MS, then asks once more on every connection (all N must
# answer 200). Prints every run, the medians and sinau / nginx.
#
#   tests/bench/p7_idle.sh
#   SMOKE=1 tests/bench/p7_idle.sh   (2,000 connections, 1 round)
#
# Settings (environment): N (10000; 2000 with SMOKE=1), ROUNDS (3; 1),
# SINAU_THREADS (2), SINAU_BIN, SINAU_PORT / NGINX_PORT (first free from
# 18580 / 18590), OPEN_AT_ONCE (200 connections opening at a time),
# SETTLE_MS (2000), DATABASE_URL (else the private cluster), BENCH_COMMIT.
# Both servers get an idle timeout of 300 s and room for 2 N connections
# (sinau: SINAU_MAX_CONNECTIONS and SINAU_MAX_CONNECTIONS_PER_ADDRESS, as
# every connection comes from 127.0.0.1). Everything started is stopped at
# exit.
set -euo pipefail

# shellcheck disable=SC2034 # used by lib.sh
BENCH=p7
# shellcheck source=tests/bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ${SMOKE:-0} == 1 ]]; then
    N=${N:-2000}
    ROUNDS=${ROUNDS:-1}
fi
N=${N:-10000}
ROUNDS=${ROUNDS:-3}
THREADS=${SINAU_THREADS:-2}
HOLD=$(dirname "${BASH_SOURCE[0]}")/p7_hold.mjs

[[ -x $SINAU_BIN ]] || die "$SINAU_BIN not found: run 'make build'"
need curl psql node
posint N ROUNDS THREADS
(($(ulimit -n) > N + 64)) || ulimit -n $((N + 256)) ||
    die "the client needs more than $N open files (ulimit -n)"

bench_cluster
bench_db_new
SINAU_PORT=${SINAU_PORT:-$(free_port 18580)}
NGINX_PORT=${NGINX_PORT:-$(free_port 18590)}

# hold NAME PORT PID...: one p7_hold.mjs run; prints its JSON line.
hold() {
    local name=$1 port=$2 out
    shift 2
    if ! out=$(node "$HOLD" "$port" "$N" "$@"); then
        die "$name: not every connection was held and served: $out"
    fi
    printf '%s' "$out"
}

json_field() { node -e 'console.log(JSON.parse(process.argv[1])[process.argv[2]])' "$1" "$2"; }

BODY=''
declare -A RESULTS=()
printf 'P7 memory per idle keep-alive connection: sinau (%s threads) vs nginx (%s workers), %s connections\n' \
    "$THREADS" "$THREADS" "$N"
for ((r = 1; r <= ROUNDS; r++)); do
    line="round $r:"
    start_sinau sinau "$SINAU_PORT" SINAU_THREADS="$THREADS" SINAU_IDLE_TIMEOUT_S=300 \
        SINAU_MAX_CONNECTIONS=$((2 * N)) SINAU_MAX_CONNECTIONS_PER_ADDRESS=$((2 * N))
    [[ -n $BODY ]] || BODY=$(healthz_body "$SINAU_PORT")
    out=$(hold sinau "$SINAU_PORT" "$SINAU_PID")
    stop_pid "$SINAU_PID"
    RESULTS[sinau]="${RESULTS[sinau]:-} $(json_field "$out" per_conn_bytes)"
    line+=" sinau $out"

    NGINX_CONNS=$((2 * N)) NGINX_KEEPALIVE_S=300 start_nginx "$NGINX_PORT" "$BODY"
    mapfile -t workers < <(pgrep -P "$NGINX_PID")
    out=$(hold nginx "$NGINX_PORT" "$NGINX_PID" "${workers[@]}")
    stop_pid "$NGINX_PID"
    RESULTS[nginx]="${RESULTS[nginx]:-} $(json_field "$out" per_conn_bytes)"
    line+=" nginx $out"
    printf '%s\n' "$line"
done

s_med=$(median <<<"${RESULTS[sinau]# }")
n_med=$(median <<<"${RESULTS[nginx]# }")
ratio=$(awk -v s="$s_med" -v g="$n_med" 'BEGIN { printf "%.2f", (g > 0) ? s / g : 0 }')
printf 'bytes per idle connection, each run: sinau%s; nginx%s\n' "${RESULTS[sinau]}" "${RESULTS[nginx]}"
printf 'median bytes per idle connection: sinau %s, nginx %s; ratio %s (target <= 4.00)\n' \
    "$s_med" "$n_med" "$ratio"
commit=${BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')}
printf '\nRESULTS.md row:\n| %s | %s | %s | %s | %s | %s | %s threads, x%s |\n' \
    "$(date -u +%Y-%m-%d)" "$commit" "$N" "$s_med" "$n_med" "$ratio" "$THREADS" "$ROUNDS"
