#!/usr/bin/env bash
# PERFORMANCE.md P1: sinau's GET /healthz against nginx serving the same bytes
# (`return 200` and a static file), alternately, with the same wrk settings,
# on loopback. Prints every run, the medians and sinau ÷ the faster nginx.
#
#   tests/bench/p1_healthz.sh          (or: make bench)
#   SMOKE=1 tests/bench/p1_healthz.sh  (2 s runs, 1 round)
#
# Settings (environment): DUR (s, 10), ROUNDS (3), CONNS (64), WRK_THREADS (2),
# SINAU_THREADS (2; nginx gets as many workers), SINAU_BIN (build/sinau),
# SINAU_PORT / NGINX_PORT (first free from 18080 / 18090), DATABASE_URL (else
# the private cluster via scripts/dev.sh). Everything started is stopped at
# exit.
set -euo pipefail

BENCH=p1
# shellcheck source=tests/bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ${SMOKE:-0} == 1 ]]; then
    DUR=${DUR:-2}
    ROUNDS=${ROUNDS:-1}
fi
DUR=${DUR:-10}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-64}
WRK_THREADS=${WRK_THREADS:-2}
THREADS=${SINAU_THREADS:-2}

[[ -x $SINAU_BIN ]] || die "$SINAU_BIN not found: run 'make build'"
need wrk curl psql
posint DUR ROUNDS CONNS WRK_THREADS THREADS

# ---------------------------------------------------------------- sinau --

bench_cluster
bench_db_new
SINAU_PORT=${SINAU_PORT:-$(free_port 18080)}
log "starting sinau on 127.0.0.1:$SINAU_PORT ($THREADS threads)"
start_sinau sinau "$SINAU_PORT" SINAU_THREADS="$THREADS"

BODY=$(healthz_body "$SINAU_PORT")

# ---------------------------------------------------------------- nginx --

NGINX_PORT=${NGINX_PORT:-$(free_port 18090)}
start_nginx "$NGINX_PORT" "$BODY"

# ------------------------------------------------------------------ runs --

declare -A URLS=(
    [sinau]="http://127.0.0.1:$SINAU_PORT/healthz"
    [nginx-return]="http://127.0.0.1:$NGINX_PORT/healthz"
    [nginx-static]="http://127.0.0.1:$NGINX_PORT/healthz.json"
)
ORDER=(sinau nginx-return nginx-static)
declare -A RESULTS=()



printf 'P1 GET /healthz: sinau (%s threads) vs nginx %s (%s workers), loopback\n' \
    "$THREADS" "$("${NGINX:-/usr/sbin/nginx}" -v 2>&1 | sed 's/.*\///')" "$THREADS"
printf 'wrk -t%s -c%s -d%ss, %s round(s), %s cores, body %s\n' \
    "$WRK_THREADS" "$CONNS" "$DUR" "$ROUNDS" "$(nproc)" "$BODY"
line='response bytes (headers + body):'
for name in "${ORDER[@]}"; do
    line+=" $name $(curl -sfi "${URLS[$name]}" | wc -c)"
done
printf '%s\n' "$line"
for ((r = 1; r <= ROUNDS; r++)); do
    line="round $r:"
    for name in "${ORDER[@]}"; do
        rps=$(wrk_rps "$name" "${URLS[$name]}" "$CONNS")
        RESULTS[$name]="${RESULTS[$name]:-} $rps"
        line+=$(printf '  %s %10.2f' "$name" "$rps")
    done
    printf '%s\n' "$line"
done

declare -A MED=()
line='median: '
for name in "${ORDER[@]}"; do
    MED[$name]=$(median <<<"${RESULTS[$name]# }")
    line+=$(printf '  %s %10.2f' "$name" "${MED[$name]}")
done
printf '%s\n' "$line"
ratio=$(awk -v s="${MED[sinau]}" -v a="${MED[nginx-return]}" -v b="${MED[nginx-static]}" \
    'BEGIN { m = (a > b) ? a : b; printf "%.2f", (m > 0) ? s / m : 0 }')
printf 'ratio sinau / max(nginx-return, nginx-static): %s (target >= 0.90)\n' "$ratio"
commit=${BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')}
printf '\nRESULTS.md row:\n| %s | %s | %s | %s | %s | %s | t%s c%s d%ss x%s, %s threads |\n' \
    "$(date -u +%Y-%m-%d)" "$commit" "${MED[sinau]}" "${MED[nginx-return]}" \
    "${MED[nginx-static]}" "$ratio" "$WRK_THREADS" "$CONNS" "$DUR" "$ROUNDS" "$THREADS"
