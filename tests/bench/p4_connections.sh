#!/usr/bin/env bash
# PERFORMANCE.md P4: the P1 endpoint (GET /healthz) at 2,000 connections
# against itself at 64 connections (target >= 0.70, and not lower than
# before), with nginx serving the same bytes side by side as the reference:
# per round, alternately, sinau at LOW then HIGH connections, then nginx
# (`return 200`) at LOW then HIGH. Prints every run, the medians, sinau's
# ratio HIGH / LOW and nginx's, and a row for RESULTS.md.
#
#   tests/bench/p4_connections.sh
#   SMOKE=1 tests/bench/p4_connections.sh   (2 s runs, 1 round)
#
# Settings (environment): DUR (s, 10; 2 with SMOKE=1), ROUNDS (3; 1), LOW
# (64), HIGH (2000), WRK_THREADS (2), SINAU_THREADS (2; nginx gets as many
# workers), SINAU_BIN, SINAU_PORT / NGINX_PORT (first free from 18480 /
# 18490), DATABASE_URL (else the private cluster via scripts/dev.sh),
# BENCH_COMMIT. sinau runs with SINAU_MAX_CONNECTIONS and
# SINAU_MAX_CONNECTIONS_PER_ADDRESS above HIGH (every wrk connection comes
# from 127.0.0.1). Everything started is stopped at exit.
set -euo pipefail

# shellcheck disable=SC2034 # used by lib.sh
BENCH=p4
# shellcheck source=tests/bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ${SMOKE:-0} == 1 ]]; then
    DUR=${DUR:-2}
    ROUNDS=${ROUNDS:-1}
fi
DUR=${DUR:-10}
ROUNDS=${ROUNDS:-3}
LOW=${LOW:-64}
HIGH=${HIGH:-2000}
WRK_THREADS=${WRK_THREADS:-2}
THREADS=${SINAU_THREADS:-2}

[[ -x $SINAU_BIN ]] || die "$SINAU_BIN not found: run 'make build'"
need wrk curl psql
posint DUR ROUNDS LOW HIGH WRK_THREADS THREADS
(($(ulimit -n) > HIGH + 64)) || ulimit -n $((HIGH + 256)) ||
    die "wrk needs more than $HIGH open files (ulimit -n)"

bench_cluster
bench_db_new
SINAU_PORT=${SINAU_PORT:-$(free_port 18480)}
log "starting sinau on 127.0.0.1:$SINAU_PORT ($THREADS threads)"
start_sinau sinau "$SINAU_PORT" SINAU_THREADS="$THREADS" \
    SINAU_MAX_CONNECTIONS=$((2 * HIGH)) SINAU_MAX_CONNECTIONS_PER_ADDRESS=$((2 * HIGH))
BODY=$(healthz_body "$SINAU_PORT")
NGINX_PORT=${NGINX_PORT:-$(free_port 18490)}
NGINX_CONNS=$((2 * HIGH)) start_nginx "$NGINX_PORT" "$BODY"

declare -A URLS=(
    [sinau]="http://127.0.0.1:$SINAU_PORT/healthz"
    [nginx]="http://127.0.0.1:$NGINX_PORT/healthz"
)
ORDER=("sinau $LOW" "sinau $HIGH" "nginx $LOW" "nginx $HIGH")
declare -A RESULTS=()


printf 'P4 GET /healthz at %s vs %s connections: sinau (%s threads) and nginx (%s workers)\n' \
    "$HIGH" "$LOW" "$THREADS" "$THREADS"
printf 'wrk -t%s -d%ss, %s round(s), %s cores\n' "$WRK_THREADS" "$DUR" "$ROUNDS" "$(nproc)"
for ((r = 1; r <= ROUNDS; r++)); do
    line="round $r:"
    for run in "${ORDER[@]}"; do
        read -r server conns <<<"$run"
        rps=$(wrk_rps "$server c$conns" "${URLS[$server]}" "$conns")
        RESULTS[$run]="${RESULTS[$run]:-} $rps"
        line+=$(printf '  %s c%s %10.2f' "$server" "$conns" "$rps")
    done
    printf '%s\n' "$line"
done

declare -A MED=()
line='median: '
for run in "${ORDER[@]}"; do
    MED[$run]=$(median <<<"${RESULTS[$run]# }")
    line+=$(printf '  %s %10.2f' "${run/ / c}" "${MED[$run]}")
done
printf '%s\n' "$line"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }
s_ratio=$(ratio "${MED[sinau $HIGH]}" "${MED[sinau $LOW]}")
n_ratio=$(ratio "${MED[nginx $HIGH]}" "${MED[nginx $LOW]}")
printf 'ratio sinau c%s / c%s: %s (target >= 0.70); nginx: %s\n' "$HIGH" "$LOW" "$s_ratio" "$n_ratio"
commit=${BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')}
printf '\nRESULTS.md row:\n| %s | %s | %s | %s | %s | %s | %s | %s | t%s d%ss x%s, %s threads |\n' \
    "$(date -u +%Y-%m-%d)" "$commit" "${MED[sinau $LOW]}" "${MED[sinau $HIGH]}" "$s_ratio" \
    "${MED[nginx $LOW]}" "${MED[nginx $HIGH]}" "$n_ratio" "$WRK_THREADS" "$DUR" "$ROUNDS" "$THREADS"
