#!/usr/bin/env bash
# P8 (issue 6): /healthz latency while 20 participants upload a file of the
# largest allowed size (10 MiB) at once, against /healthz idle. Round after
# round: the probe alone for IDLE_DUR seconds, then the probe again while a
# burst of CONC uploads of SIZE bytes runs (each a fresh submission version,
# made before the burst starts); only the probe's requests sent between the
# first upload's start and the last one's answer count.
# Prints every round, the medians, the ratios of p99 and p50 (during ÷ idle),
# the upload throughput, the uploads refused, and a row for RESULTS.md. An
# upload may be refused cleanly (503 db_busy with Retry-After when the
# database pool's queue is full for longer than SINAU_DB_QUEUE_TIMEOUT_MS);
# the script fails on anything else: a reset, a 500, a /healthz error.
#
#   tests/bench/p8_uploads.sh
#   SMOKE=1 tests/bench/p8_uploads.sh   (1 round of 5 uploads)
#
# Settings (environment): ROUNDS (5), CONC (20 uploads at once), SIZE
# (10485760 bytes: the route's limit), IDLE_DUR (3 s), PROBE_CONNS (4
# keep-alive connections probing /healthz back to back, so both loops are
# probed), SINAU_THREADS (2), SINAU_WORKERS (2), SINAU_BIN, SINAU_PORT,
# DATABASE_URL (else the private cluster), BENCH_COMMIT. The bench
# database holds ROUNDS × CONC × SIZE bytes of files until it is dropped at
# exit with everything else started.
set -euo pipefail

# shellcheck disable=SC2034 # read by lib.sh
BENCH=p8
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ${SMOKE:-0} == 1 ]]; then
    ROUNDS=${ROUNDS:-1}
    CONC=${CONC:-5}
    IDLE_DUR=${IDLE_DUR:-1}
fi
ROUNDS=${ROUNDS:-5}
CONC=${CONC:-20}
SIZE=${SIZE:-10485760}
IDLE_DUR=${IDLE_DUR:-3}
PROBE_CONNS=${PROBE_CONNS:-4}
THREADS=${SINAU_THREADS:-2}
WORKERS=${SINAU_WORKERS:-2}
PASSWORD='Bench-Admin-Unggah-1'

posint ROUNDS CONC SIZE IDLE_DUR PROBE_CONNS THREADS WORKERS
[[ -x $SINAU_BIN ]] || die "$SINAU_BIN not found: run 'make build'"
need node psql curl
UPLOADS=$ROOT/tests/bench/uploads.mjs

# ---------------------------------------------------------- the server --

bench_cluster
bench_db_new
log "database $BENCH_DB_NAME"
printf '%s\n' "$PASSWORD" |
    DATABASE_URL=$BENCH_DB_URL SINAU_LOG_LEVEL=warn "$SINAU_BIN" user create \
        --email admin@bench.invalid --name 'Bench Admin' --role admin >"$TMP/admin.log" 2>&1 ||
    {
        cat "$TMP/admin.log" >&2
        die "user create failed"
    }

PORT=${SINAU_PORT:-$(free_port 18280)}
log "starting sinau on 127.0.0.1:$PORT ($THREADS threads, $WORKERS workers)"
start_sinau sinau "$PORT" SINAU_THREADS="$THREADS" SINAU_WORKERS="$WORKERS"
BASE=http://127.0.0.1:$PORT

log "making $CONC participants in a cohort with a file assignment"
node "$UPLOADS" setup "$BASE" admin@bench.invalid "$PASSWORD" "$CONC" >"$TMP/state.json" ||
    die "setup failed"

# ------------------------------------------------------------------ runs --

# probe_start: the /healthz probe in the background (PROBE_PID, output in
# $TMP/probe.json), counting only the requests sent within the window that
# $TMP/window.json holds when it stops, if any; probe_stop: stop it and set
# PROBE to its JSON (not in a subshell: only this shell may wait for it).
probe_start() {
    local i
    rm -f "$TMP/window.json" "$TMP/probe.ready"
    PROBE_READY=$TMP/probe.ready node "$UPLOADS" probe "$BASE" "$PROBE_CONNS" "$TMP/window.json" \
        >"$TMP/probe.json" 2>"$TMP/probe.err" &
    PROBE_PID=$!
    BENCH_PIDS+=("$PROBE_PID")
    # node's start-up is not part of the window, and a TERM before its
    # handler is in place would kill it
    for ((i = 0; i < 300; i++)); do
        [[ -e $TMP/probe.ready ]] && break
        sleep 0.1
    done
    [[ -e $TMP/probe.ready ]] || die "the probe did not start: $(cat "$TMP/probe.err")"
    sleep 0.3
}
probe_stop() {
    kill -TERM "$PROBE_PID"
    wait "$PROBE_PID" || die "the probe failed: $(cat "$TMP/probe.err")"
    PROBE=$(cat "$TMP/probe.json")
}
field() { # JSON FIELD → value
    node -e 'process.stdout.write(String(JSON.parse(process.argv[1])[process.argv[2]]))' "$1" "$2"
}

I_P50=() I_P99=() D_P50=() D_P99=() MIBS=() WALL=() REFUSED=()
printf 'P8 uploads: sinau (%s loop threads, %s workers), loopback, %s cores; %s uploads of %s bytes at once, /healthz probed on %s keep-alive connections back to back; idle %ss\n' \
    "$THREADS" "$WORKERS" "$(nproc)" "$CONC" "$SIZE" "$PROBE_CONNS" "$IDLE_DUR"
for ((r = 1; r <= ROUNDS; r++)); do
    probe_start
    sleep "$IDLE_DUR"
    probe_stop
    idle=$PROBE

    probe_start
    burst=$(node "$UPLOADS" burst "$TMP/state.json" "$SIZE") || die "the burst failed"
    printf '%s' "$burst" >"$TMP/window.json" # only the uploads' window counts
    probe_stop
    during=$PROBE

    ok=$(field "$burst" ok)
    # shellcheck disable=SC2016 # a JavaScript template, not the shell's
    others=$(node -e 'const s = JSON.parse(process.argv[1]).by_status; delete s["200"];
        process.stdout.write(Object.entries(s).map(([k, v]) => `${v}x${k}`).join(","))' "$burst")
    if [[ -n $others && ! $others =~ ^[0-9]+x503$ ]]; then
        die "round $r: uploads answered other than 200 or 503: $burst"
    fi
    REFUSED+=("$((CONC - ok))")
    if [[ $(field "$during" errors) != 0 || $(field "$idle" errors) != 0 ]]; then
        die "round $r: /healthz failed: idle $idle, during $during"
    fi
    I_P50+=("$(field "$idle" p50_ms)") I_P99+=("$(field "$idle" p99_ms)")
    D_P50+=("$(field "$during" p50_ms)") D_P99+=("$(field "$during" p99_ms)")
    MIBS+=("$(field "$burst" mib_s)") WALL+=("$(field "$burst" wall_ms)")
    printf 'round %s: healthz idle p50 %7.3f p99 %7.3f max %8.3f ms (n=%s) | during p50 %7.3f p99 %7.3f max %8.3f ms (n=%s) | %s uploads in %8.1f ms, %7.1f MiB/s%s\n' \
        "$r" "${I_P50[-1]}" "${I_P99[-1]}" "$(field "$idle" max_ms)" "$(field "$idle" n)" \
        "${D_P50[-1]}" "${D_P99[-1]}" \
        "$(field "$during" max_ms)" "$(field "$during" n)" "$ok" "${WALL[-1]}" "${MIBS[-1]}" \
        "${others:+ (refused: $others)}"
done

code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")
[[ $code == 200 ]] || die "/healthz answers $code after the runs"
stored=$(psql -X -qAt -d "$BENCH_DB_URL" -c "select count(*) || ' files, ' || pg_size_pretty(sum(size_bytes)) from submission_files")

m_i50=$(median <<<"${I_P50[*]}")
m_i99=$(median <<<"${I_P99[*]}")
m_d50=$(median <<<"${D_P50[*]}")
m_d99=$(median <<<"${D_P99[*]}")
m_mib=$(median <<<"${MIBS[*]}")
m_wall=$(median <<<"${WALL[*]}")
refused=$(IFS=+; echo "$((${REFUSED[*]}))")
r99=$(awk -v a="$m_d99" -v b="$m_i99" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
r50=$(awk -v a="$m_d50" -v b="$m_i50" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
printf 'median: healthz idle p50 %s p99 %s ms; during the uploads p50 %s p99 %s ms; a burst %s ms, %s MiB/s; refused %s of %s uploads; stored %s\n' \
    "$m_i50" "$m_i99" "$m_d50" "$m_d99" "$m_wall" "$m_mib" "$refused" "$((ROUNDS * CONC))" "$stored"
printf 'ratio healthz during / idle: p99 %s, p50 %s\n' "$r99" "$r50"
commit=${BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")}
printf '\nRESULTS.md row:\n| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s uploads x %s B, x%s, %s probe conns, %s threads, %s workers |\n' \
    "$(date -u +%Y-%m-%d)" "$commit" "$m_i50" "$m_i99" "$m_d50" "$m_d99" "$r99" "$m_wall" "$m_mib" \
    "$refused" "$((ROUNDS * CONC))" "$CONC" "$SIZE" "$ROUNDS" "$PROBE_CONNS" "$THREADS" "$WORKERS"
