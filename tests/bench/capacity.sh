#!/usr/bin/env bash
# docs/CAPACITY.md's figures (issue 19): what sinau instances and database
# cores carry for the four loads that matter at scale — registrations (the
# flash crowd of P3), lesson reads (P2's request), certificate
# verifications (P6's) and uploads (P8's, 1 MiB files) — with 1, 2 and 4
# instances on this machine. For each load and instance count: the rate,
# its p99 where one is measured, and the CPU per operation of the sinau
# processes, of the PostgreSQL server (every process of the cluster:
# backends, WAL writer, checkpointer) and of the whole machine (the load
# generator and other people's work included). Per core = 1 s of CPU ÷ CPU
# per operation: what one core of each kind carries when it is the limit.
#
#   tests/bench/capacity.sh
#   SMOKE=1 tests/bench/capacity.sh          (2 s runs, 1 round, 1,000 participants)
#
# Settings (environment): INSTANCES ("1 2 4"), ROUNDS (2; 1 with SMOKE),
# DUR (s per wrk run, 8; 2), CONNS (wrk connections in all, 64, shared out
# among the instances), PARTICIPANTS (3000; 1000), SEATS (70), CONC
# (registrations open at once, 200), UPLOADERS (20), UPLOAD_SIZE (1 MiB),
# OTHERS (certificates to verify, 200), SINAU_DB_POOL (4 per instance),
# SINAU_BIN, SINAU_PORT (first of four; first free from 18580), BENCH_COMMIT.
# Each instance runs one loop thread and one worker, so N instances use N
# loop threads: the scaling is of processes on the same two cores, as a
# deployment scales out machines. Everything started is stopped at exit.
set -euo pipefail

# shellcheck disable=SC2034 # used by lib.sh
BENCH=capacity
# shellcheck source=tests/bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ${SMOKE:-0} == 1 ]]; then
    DUR=${DUR:-2}
    ROUNDS=${ROUNDS:-1}
    PARTICIPANTS=${PARTICIPANTS:-1000}
fi
INSTANCES=${INSTANCES:-1 2 4}
ROUNDS=${ROUNDS:-2}
DUR=${DUR:-8}
CONNS=${CONNS:-64}
PARTICIPANTS=${PARTICIPANTS:-3000}
SEATS=${SEATS:-70}
CONC=${CONC:-200}
UPLOADERS=${UPLOADERS:-20}
UPLOAD_SIZE=${UPLOAD_SIZE:-1048576}
OTHERS=${OTHERS:-200}
POOL=${SINAU_DB_POOL:-4}
PASSWORD='Bench-Admin-Kapasitas-1'
posint ROUNDS DUR CONNS PARTICIPANTS SEATS CONC UPLOADERS UPLOAD_SIZE OTHERS POOL
for n in $INSTANCES; do
    [[ $n =~ ^[1-4]$ ]] || die "INSTANCES takes 1 to 4, not '$n'"
done
[[ -x $SINAU_BIN ]] || die "$SINAU_BIN not found: run 'make build'"
need wrk node python3 psql curl

# ------------------------------------------------------------ fixtures --

bench_cluster
bench_db_new
DB=$BENCH_DB_URL
log "database $BENCH_DB_NAME"
printf '%s\n' "$PASSWORD" |
    DATABASE_URL=$DB SINAU_LOG_LEVEL=warn SINAU_PWHASH=fast "$SINAU_BIN" user create \
        --email admin@bench.invalid --name 'Bench Admin' --role admin >"$TMP/admin.log" 2>&1 ||
    {
        cat "$TMP/admin.log" >&2
        die "user create failed"
    }
PORTS=()
p=${SINAU_PORT:-18580}
for i in 0 1 2 3; do
    p=$(free_port "$p")
    PORTS+=("$p")
    p=$((p + 1))
done
BASE0=http://127.0.0.1:${PORTS[0]}
# every instance signs with the same public URL and master key ($TMP/data)
COMMON=(SINAU_PUBLIC_URL="$BASE0" SINAU_DB_POOL="$POOL" SINAU_PWHASH=fast)

log "fixtures through the API: 10 lessons, $OTHERS certificates, $UPLOADERS uploaders"
start_sinau fixtures "${PORTS[0]}" "${COMMON[@]}" SINAU_THREADS=2
FIX_PID=$SINAU_PID
printf '%s\n' "$PASSWORD" | node "$ROOT/tests/bench/p6_fixtures.mjs" "$BASE0" admin@bench.invalid "$OTHERS" \
    >"$TMP/fixtures.json" || die "fixtures failed"
node "$ROOT/tests/bench/uploads.mjs" setup "$BASE0" admin@bench.invalid "$PASSWORD" "$UPLOADERS" \
    >"$TMP/uploads.json" || die "upload fixtures failed"
stop_pid "$FIX_PID"
log "fixtures in SQL: $PARTICIPANTS participants with sessions"
crowd_fixtures "$DB" "$PARTICIPANTS"
read -r TOKEN COHORT LESSON < <(node -e '
    const f = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(f.token, f.cohort, f.lesson)' "$TMP/fixtures.json")
node -e '
    const f = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`ids = {${f.certificates.map((c) => JSON.stringify(c)).join(",")}}
local i = 0
request = function()
  i = i % #ids + 1
  return wrk.format("GET", "/credentials/" .. ids[i], {["Accept"] = "application/json"})
end`)' "$TMP/fixtures.json" >"$TMP/verify.lua"

# ------------------------------------------------------------------ runs --

SINAU_PIDS=() BASES=()
start_instances() {
    local n=$1 i
    SINAU_PIDS=() BASES=()
    for ((i = 0; i < n; i++)); do
        start_sinau "sinau$i" "${PORTS[i]}" "${COMMON[@]}" SINAU_THREADS=1 SINAU_WORKERS=1
        SINAU_PIDS+=("$SINAU_PID")
        BASES+=("http://127.0.0.1:${PORTS[i]}")
    done
}
stop_instances() {
    local pid
    for pid in "${SINAU_PIDS[@]}"; do stop_pid "$pid"; done
}

# measure_start / measure_end OPS: CPU µs per operation of the sinau
# processes (C_SINAU), the PostgreSQL server (C_PG) and the machine (C_ALL).
measure_start() {
    mapfile -t PG_PIDS < <(server_pids "$DB")
    S0=$(ticks "${SINAU_PIDS[@]}") P0=$(ticks "${PG_PIDS[@]}") M0=$(machine_ticks)
}
measure_end() {
    local s1 p1 m1
    s1=$(ticks "${SINAU_PIDS[@]}") p1=$(ticks "${PG_PIDS[@]}") m1=$(machine_ticks)
    C_SINAU=$(per_op $((s1 - S0)) "$1") C_PG=$(per_op $((p1 - P0)) "$1") C_ALL=$(per_op $((m1 - M0)) "$1")
}

# wrk_all NAME ARGS... (the URL path last): one wrk per instance at the same
# time, CONNS shared out; sets RATE (the sum), P99 (the worst) and OPS.
wrk_all() {
    local name=$1 i n=${#BASES[@]} pids=() args
    shift
    args=("${@:1:$#-1}")
    local path=${!#}
    measure_start
    for ((i = 0; i < n; i++)); do
        wrk -t1 -c$((CONNS / n)) -d"${DUR}s" --latency "${args[@]}" "${BASES[i]}$path" \
            >"$TMP/wrk-$name-$i.out" 2>&1 &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i"; done
    RATE=0 P99=0 OPS=0
    for ((i = 0; i < n; i++)); do
        local out=$TMP/wrk-$name-$i.out p50 p99 rps
        if grep -qE 'Non-2xx|Socket errors: connect [1-9]|read [1-9]|write [1-9]' "$out"; then
            die "$name: $(grep -E 'Non-2xx|Socket errors' "$out" | tr -s ' ' | tr '\n' ';') — not a valid run"
        fi
        read -r p50 p99 rps <<<"$(wrk_latency <"$out")"
        RATE=$(awk -v a="$RATE" -v b="$rps" 'BEGIN { printf "%.2f", a + b }')
        P99=$(awk -v a="$P99" -v b="$p99" 'BEGIN { printf "%.2f", (b > a) ? b : a }')
        OPS=$((OPS + $(awk '/requests in/ { print $1 }' "$out")))
    done
    measure_end "$OPS"
}

run_lessons() { wrk_all lessons -H "Authorization: Bearer $TOKEN" "/api/v1/cohorts/$COHORT/lessons/$LESSON"; }
run_verify() { wrk_all verify -s "$TMP/verify.lua" /; }

run_registrations() {
    local cohort bases
    cohort=$(crowd_cohort "$DB" "capacity" "$SEATS")
    crowd_ready "$DB"
    bases=$(
        IFS=,
        printf '%s' "${BASES[*]}"
    )
    measure_start
    node "$ROOT/tests/bench/p3_crowd.mjs" "$TMP/tokens.tsv" "$cohort" "$bases" "$CONC" 300 \
        >"$TMP/crowd.json" 2>"$TMP/crowd.err" || die "the crowd failed: $(head -c 300 "$TMP/crowd.err")"
    read -r RATE P99 OPS < <(node -e '
        const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        console.log(s.rate, s.p99, s.n - s.not_sent)' "$TMP/crowd.json")
    measure_end "$OPS"
}

run_uploads() {
    local bases
    bases=$(
        IFS=,
        printf '%s' "${BASES[*]}"
    )
    measure_start
    node "$ROOT/tests/bench/uploads.mjs" burst "$TMP/uploads.json" "$UPLOAD_SIZE" "$bases" \
        >"$TMP/burst.json" || die "the uploads failed"
    read -r RATE P99 OPS MIBS < <(node -e '
        const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        if (s.ok !== Object.values(s.by_status).reduce((a, b) => a + b, 0)) process.exit(1);
        console.log((s.ok / (s.wall_ms / 1000)).toFixed(2), s.upload_max_ms, s.ok, s.mib_s)' "$TMP/burst.json") ||
        die "an upload failed: $(cat "$TMP/burst.json")"
    measure_end "$OPS"
}

LOADS=(registrations lessons verify uploads)
declare -A R_RATE R_P99 R_CS R_CP R_CA
printf 'capacity: %s participants for 3 x %s seats (%s open), lessons and verifications with %s wrk connections in all for %s s, %s uploads of %s bytes; %s round(s); %s cores; load average at start: %s\n' \
    "$PARTICIPANTS" "$SEATS" "$CONC" "$CONNS" "$DUR" "$UPLOADERS" "$UPLOAD_SIZE" "$ROUNDS" "$(nproc)" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
for n in $INSTANCES; do
    start_instances "$n"
    log "$n instance(s) of 1 loop thread; load average $(cut -d' ' -f1-3 /proc/loadavg)"
    for ((r = 1; r <= ROUNDS; r++)); do
        for load in "${LOADS[@]}"; do
            "run_$load"
            k=$load.$n
            R_RATE[$k]="${R_RATE[$k]:-} $RATE" R_P99[$k]="${R_P99[$k]:-} $P99"
            R_CS[$k]="${R_CS[$k]:-} $C_SINAU" R_CP[$k]="${R_CP[$k]:-} $C_PG" R_CA[$k]="${R_CA[$k]:-} $C_ALL"
            printf '%-13s %s instance(s) round %s: %10.2f /s  p99 %8.2f ms  CPU µs/op: sinau %7.1f  postgres %7.1f  machine %7.1f\n' \
                "$load" "$n" "$r" "$RATE" "$P99" "$C_SINAU" "$C_PG" "$C_ALL"
        done
    done
    stop_instances
done

printf '\nmedians (per core = 10^6 / CPU µs per operation: what one core of that kind carries)\n'
printf '| load | instances | rate /s | p99 ms | sinau µs/op | postgres µs/op | machine µs/op | per sinau core /s | per database core /s |\n|---|---|---|---|---|---|---|---|---|\n'
for load in "${LOADS[@]}"; do
    for n in $INSTANCES; do
        k=$load.$n
        cs=$(median <<<"${R_CS[$k]}") cp=$(median <<<"${R_CP[$k]}")
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$load" "$n" "$(median <<<"${R_RATE[$k]}")" \
            "$(median <<<"${R_P99[$k]}")" "$cs" "$cp" "$(median <<<"${R_CA[$k]}")" \
            "$(awk -v c="$cs" 'BEGIN { printf "%.0f", (c > 0) ? 1e6 / c : 0 }')" \
            "$(awk -v c="$cp" 'BEGIN { printf "%.0f", (c > 0) ? 1e6 / c : 0 }')"
    done
done
printf 'commit %s, %s, load average at the end: %s\n' "${BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')}" \
    "$(date -u +%Y-%m-%d)" "$(cut -d' ' -f1-3 /proc/loadavg)"
