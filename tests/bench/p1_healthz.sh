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
NGINX=${NGINX:-/usr/sbin/nginx}

[[ -x $SINAU_BIN ]] || die "$SINAU_BIN not found: run 'make build'"
need wrk curl psql
[[ -x $NGINX ]] || die "nginx not found: run 'scripts/dev.sh deps --bench'"
posint DUR ROUNDS CONNS WRK_THREADS THREADS

# ---------------------------------------------------------------- sinau --

bench_cluster
bench_db_new
SINAU_PORT=${SINAU_PORT:-$(free_port 18080)}
log "starting sinau on 127.0.0.1:$SINAU_PORT ($THREADS threads)"
start_sinau sinau "$SINAU_PORT" SINAU_THREADS="$THREADS"

# The exact bytes sinau serves, so that nginx serves the same.
BODY=$(curl -sf "http://127.0.0.1:$SINAU_PORT/healthz")
if [[ ! $BODY =~ ^[][A-Za-z0-9{}\":,._\ -]*$ ]]; then
    log "unexpected /healthz body, nginx serves {\"status\":\"ok\"} instead"
    BODY='{"status":"ok"}'
fi

# ---------------------------------------------------------------- nginx --

NGINX_PORT=${NGINX_PORT:-$(free_port 18090)}
mkdir -p "$TMP/nginx/www" "$TMP/nginx/tmp"
printf '%s' "$BODY" >"$TMP/nginx/www/healthz.json"
user_line=''
if [[ $(id -u) -eq 0 ]]; then
    # Workers would run as nobody, who cannot read our private temp folder.
    user_line='user root;'
fi
cat >"$TMP/nginx/nginx.conf" <<EOF
$user_line
worker_processes $THREADS;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    default_type application/json;
    keepalive_requests 100000000;
    client_body_temp_path $TMP/nginx/tmp/body;
    proxy_temp_path $TMP/nginx/tmp/proxy;
    fastcgi_temp_path $TMP/nginx/tmp/fastcgi;
    uwsgi_temp_path $TMP/nginx/tmp/uwsgi;
    scgi_temp_path $TMP/nginx/tmp/scgi;
    # the static headers sinau sends with every JSON answer (it also sends
    # X-Request-Id, which differs per request)
    add_header X-Content-Type-Options nosniff always;
    add_header Cache-Control no-store always;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location = /healthz { return 200 '$BODY'; }
        location = /healthz.json { root $TMP/nginx/www; }
    }
}
EOF
log "starting nginx on 127.0.0.1:$NGINX_PORT ($THREADS workers)"
"$NGINX" -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" &
NGINX_PID=$!
BENCH_PIDS+=("$NGINX_PID")
if ! wait_http "http://127.0.0.1:$NGINX_PORT/healthz.json"; then
    cat "$TMP/nginx/error.log" >&2 || true
    die "nginx did not start"
fi
for path in healthz healthz.json; do
    got=$(curl -sf "http://127.0.0.1:$NGINX_PORT/$path")
    [[ $got == "$BODY" ]] || die "nginx /$path serves '$got', not '$BODY'"
    curl -sfI "http://127.0.0.1:$NGINX_PORT/$path" | grep -qi '^Cache-Control: no-store' ||
        die "nginx /$path lacks Cache-Control: no-store"
done

# ------------------------------------------------------------------ runs --

declare -A URLS=(
    [sinau]="http://127.0.0.1:$SINAU_PORT/healthz"
    [nginx-return]="http://127.0.0.1:$NGINX_PORT/healthz"
    [nginx-static]="http://127.0.0.1:$NGINX_PORT/healthz.json"
)
ORDER=(sinau nginx-return nginx-static)
declare -A RESULTS=()

# One wrk run; prints requests/s.
run_wrk() {
    local name=$1 out rps
    out=$(wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DUR}s" "${URLS[$name]}")
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    [[ -n $rps ]] || die "no Requests/sec from wrk for $name: $out"
    if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
        log "$name: $(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' ' | tr '\n' ';')"
    fi
    printf '%s' "$rps"
}


printf 'P1 GET /healthz: sinau (%s threads) vs nginx %s (%s workers), loopback\n' \
    "$THREADS" "$("$NGINX" -v 2>&1 | sed 's/.*\///')" "$THREADS"
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
        rps=$(run_wrk "$name")
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
