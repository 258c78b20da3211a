#!/usr/bin/env bash
# What synchronous replication costs (issue 19): the same loads on a single
# PostgreSQL (the private cluster) and on the pg_auto_failover formation of
# `scripts/dev.sh ha-start` (primary + synchronous standby: a commit returns
# once it is on both), alternately, round after round, each side with its
# own two `sinau serve` (one loop thread each). Loads: the registration
# flash crowd (PARTICIPANTS for 3 × SEATS, as P3: every registration is a
# commit that waits for the standby) and a signed-in lesson read (P2's:
# nothing to replicate, but the standby's apply and the monitor share the
# two cores). Both servers have the same settings that matter (fsync on,
# shared_buffers 128MB, synchronous_commit on) and are reached through unix
# sockets (the formation's nodes by a host list of socket folders, which
# libpq follows as it follows TCP hosts); the formation's standby,
# monitor and keepers run on the same two cores, as they would not in
# production (README "Production layout"): the ratio is an upper bound of
# the cost.
#
#   tests/bench/ha_sync.sh
#   SMOKE=1 tests/bench/ha_sync.sh       (1 round, 1,000 participants, 3 s reads)
#
# Settings: ROUNDS (3; 1), PARTICIPANTS (3000; 1000), SEATS (70), CONC (200),
# DUR (8; 3), CONNS (64), SINAU_BIN, SINAU_PORT (first of four; first free
# from 18680), BENCH_COMMIT. The formation is started (and stopped again at
# the end) if it was not running; its database bench_<random> is dropped.
set -euo pipefail

# shellcheck disable=SC2034 # used by lib.sh
BENCH=ha_sync
# shellcheck source=tests/bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ${SMOKE:-0} == 1 ]]; then
    ROUNDS=${ROUNDS:-1}
    PARTICIPANTS=${PARTICIPANTS:-1000}
    DUR=${DUR:-3}
fi
ROUNDS=${ROUNDS:-3}
PARTICIPANTS=${PARTICIPANTS:-3000}
SEATS=${SEATS:-70}
CONC=${CONC:-200}
DUR=${DUR:-8}
CONNS=${CONNS:-64}
PASSWORD='Bench-Admin-Sinkron-1'
posint ROUNDS PARTICIPANTS SEATS CONC DUR CONNS
[[ -x $SINAU_BIN ]] || die "$SINAU_BIN not found: run 'make build'"
need wrk node python3 psql curl

# ------------------------------------------------------------ the two --

bench_cluster
bench_db_new
SINGLE_DB=$BENCH_DB_URL
STARTED_HA=0
if ! "$DEV" ha-status >/dev/null 2>&1; then STARTED_HA=1; fi
"$DEV" ha-start >"$TMP/ha-start.log" 2>&1 || {
    tail -n 20 "$TMP/ha-start.log" >&2
    die "the formation did not start"
}
eval "$("$DEV" ha-env)"
# through the nodes' unix sockets, as the private cluster is reached (TCP on
# loopback costs more than the replication being measured)
sock=$(psql -X -qAt -d "$DATABASE_URL" -c 'show unix_socket_directories')
DATABASE_URL=${DATABASE_URL//127.0.0.1/$sock}
HA_ADMIN="$DATABASE_URL dbname=postgres"
HA_NAME=bench_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
psql -X -qAt -d "$HA_ADMIN" -c "CREATE DATABASE $HA_NAME" >/dev/null
HA_DB="$DATABASE_URL dbname=$HA_NAME"
ha_cleanup() {
    psql -X -qAt -d "$HA_ADMIN" -c "DROP DATABASE IF EXISTS $HA_NAME WITH (FORCE)" >/dev/null 2>&1 || true
    if ((STARTED_HA)); then "$DEV" ha-stop >/dev/null 2>&1 || true; fi
}
trap 'ha_cleanup; bench_cleanup' EXIT
unset DATABASE_URL SINAU_DATABASE_READ_URL
# a formation started a moment ago may still be settling (its standby
# catching up): try the migration a few times
for ((i = 1; ; i++)); do
    if DATABASE_URL=$HA_DB SINAU_LOG_LEVEL=warn "$SINAU_BIN" migrate >"$TMP/migrate-ha.log" 2>&1; then break; fi
    if ((i == 10)); then
        tail -n 5 "$TMP/migrate-ha.log" >&2
        die "migrating the formation's database failed"
    fi
    sleep 2
done
printf 'synchronous standby: %s\n' "$(psql -X -qAt -d "$HA_DB" -c 'show synchronous_standby_names')"

PORTS=()
p=${SINAU_PORT:-18680}
for i in 0 1 2 3; do
    p=$(free_port "$p")
    PORTS+=("$p")
    p=$((p + 1))
done

# side NAME DB PORT1 PORT2: two instances on DB, fixtures through them
# (lessons) and in SQL (the crowd); sets the side's variables.
declare -A SIDE_BASES SIDE_PIDS SIDE_DB SIDE_LESSON
side() {
    local name=$1 db=$2 a=$3 b=$4 pids=()
    printf '%s\n' "$PASSWORD" |
        DATABASE_URL=$db SINAU_LOG_LEVEL=warn SINAU_PWHASH=fast "$SINAU_BIN" user create \
            --email admin@bench.invalid --name 'Bench Admin' --role admin >/dev/null 2>&1 ||
        die "user create failed on $name"
    BENCH_DB_URL=$db start_sinau "$name-a" "$a" SINAU_THREADS=1 SINAU_PWHASH=fast
    pids+=("$SINAU_PID")
    BENCH_DB_URL=$db start_sinau "$name-b" "$b" SINAU_THREADS=1 SINAU_PWHASH=fast
    pids+=("$SINAU_PID")
    SIDE_PIDS[$name]="${pids[*]}"
    SIDE_BASES[$name]=http://127.0.0.1:$a,http://127.0.0.1:$b
    SIDE_DB[$name]=$db
    printf '%s\n' "$PASSWORD" | node "$ROOT/tests/bench/p6_fixtures.mjs" "http://127.0.0.1:$a" \
        admin@bench.invalid 20 >"$TMP/fixtures-$name.json" || die "fixtures on $name failed"
    SIDE_LESSON[$name]=$(node -e '
        const f = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        console.log(`${f.token} /api/v1/cohorts/${f.cohort}/lessons/${f.lesson}`)' "$TMP/fixtures-$name.json")
    crowd_fixtures "$db" "$PARTICIPANTS"
}
log "single server: fixtures"
side single "$SINGLE_DB" "${PORTS[0]}" "${PORTS[1]}"
log "formation: fixtures"
side sync "$HA_DB" "${PORTS[2]}" "${PORTS[3]}"

# ------------------------------------------------------------------ runs --

# race NAME: one flash crowd on a fresh cohort; sets RATE P99.
race() {
    local name=$1 db=${SIDE_DB[$1]} cohort
    cohort=$(crowd_cohort "$db" "$name" "$SEATS")
    crowd_ready "$db"
    node "$ROOT/tests/bench/p3_crowd.mjs" "$TMP/tokens.tsv" "$cohort" "${SIDE_BASES[$name]}" "$CONC" 300 \
        >"$TMP/crowd.json" 2>"$TMP/crowd.err" || die "the crowd failed: $(head -c 300 "$TMP/crowd.err")"
    read -r RATE P99 OK < <(node -e '
        const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        console.log(s.rate, s.p99, s.by_status["201"] ?? 0)' "$TMP/crowd.json")
    ((OK == PARTICIPANTS)) || die "$name: $OK of $PARTICIPANTS registered: $(cat "$TMP/crowd.json")"
    OVER=$(psql -X -qAt -d "$db" -c "select coalesce(sum(greatest(0, (select count(*) from registrations r
        where r.cohort_id = s.cohort_id and r.segment = s.segment and r.status in ('confirmed', 'offered')) - s.quota)), 0)
        from cohort_segments s where s.cohort_id = '$cohort'")
    ((OVER == 0)) || die "$name: $OVER overbooked"
}

# reads NAME: the lesson read, both instances; sets RATE P99.
reads() {
    local token path i pids=() rps p50 p99
    read -r token path <<<"${SIDE_LESSON[$1]}"
    IFS=, read -r -a bases <<<"${SIDE_BASES[$1]}"
    for i in 0 1; do
        wrk -t1 -c$((CONNS / 2)) -d"${DUR}s" --latency -H "Authorization: Bearer $token" "${bases[i]}$path" \
            >"$TMP/wrk-$i.out" 2>&1 &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i"; done
    RATE=0 P99=0
    for i in 0 1; do
        grep -qE 'Non-2xx|Socket errors' "$TMP/wrk-$i.out" && die "$1 reads: $(grep -E 'Non-2xx|Socket errors' "$TMP/wrk-$i.out")"
        read -r p50 p99 rps <<<"$(wrk_latency <"$TMP/wrk-$i.out")"
        RATE=$(awk -v a="$RATE" -v b="$rps" 'BEGIN { printf "%.2f", a + b }')
        P99=$(awk -v a="$P99" -v b="$p99" 'BEGIN { printf "%.2f", (b > a) ? b : a }')
    done
}

printf 'ha_sync: %s participants for 3 x %s seats (%s open); lesson reads %s s x %s connections; 2 instances a side; %s cores; load average at start: %s\n' \
    "$PARTICIPANTS" "$SEATS" "$CONC" "$DUR" "$CONNS" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
declare -A RACE READ RP99
PAIR_RACE=() PAIR_READ=()
for ((r = 1; r <= ROUNDS; r++)); do
    for name in single sync; do
        race "$name"
        RACE[$name]="${RACE[$name]:-} $RATE" RP99[$name]="${RP99[$name]:-} $P99"
        printf 'round %s %-6s registrations %8.2f /s  p99 %8.2f ms\n' "$r" "$name" "$RATE" "$P99"
        eval "race_$name=$RATE"
        reads "$name"
        READ[$name]="${READ[$name]:-} $RATE"
        printf 'round %s %-6s lesson reads  %8.2f /s  p99 %8.2f ms\n' "$r" "$name" "$RATE" "$P99"
        eval "read_$name=$RATE"
    done
    # shellcheck disable=SC2154 # set by eval above
    PAIR_RACE+=("$(div "$race_sync" "$race_single")") PAIR_READ+=("$(div "$read_sync" "$read_single")")
done
printf '\nmedians over %s round(s) (load average now %s):\n' "$ROUNDS" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '  registrations: single %s /s (p99 %s ms), synchronous standby %s /s (p99 %s ms); ratio %s (median of each round'"'"'s ratio %s)\n' \
    "$(median <<<"${RACE[single]}")" "$(median <<<"${RP99[single]}")" "$(median <<<"${RACE[sync]}")" \
    "$(median <<<"${RP99[sync]}")" "$(div "$(median <<<"${RACE[sync]}")" "$(median <<<"${RACE[single]}")")" \
    "$(median <<<"${PAIR_RACE[*]}")"
printf '  lesson reads:  single %s /s, synchronous standby %s /s; ratio %s (median of each round'"'"'s ratio %s)\n' \
    "$(median <<<"${READ[single]}")" "$(median <<<"${READ[sync]}")" \
    "$(div "$(median <<<"${READ[sync]}")" "$(median <<<"${READ[single]}")")" "$(median <<<"${PAIR_READ[*]}")"
printf 'commit %s, %s\n' "${BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')}" "$(date -u +%Y-%m-%d)"
