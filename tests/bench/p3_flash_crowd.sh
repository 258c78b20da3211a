#!/usr/bin/env bash
# PERFORMANCE.md P3: a registration flash crowd. PARTICIPANTS participants
# (10,000) with sessions already made race for one cohort with 3 segments
# (asn, umkm, public) × SEATS seats (70), all released at once across 2
# `sinau serve` processes on one database; then pgbench runs the same seat
# function (reg_register) for a fresh cohort with as many connections as the
# two servers used. Both sides alternate, REPEAT times, each race on a fresh
# cohort. After each sinau race the database is checked: seats held per
# segment = quota (0 overbooked), exactly one registration per participant
# (0 lost), the seat counter = the rows holding a seat.
#
#   tests/bench/p3_flash_crowd.sh
#   REPEAT=20 tests/bench/p3_flash_crowd.sh   (or: --repeat 20)
#   SMOKE=1 tests/bench/p3_flash_crowd.sh     (1,000 participants, 1 race)
#
# Settings (environment): REPEAT (1), PARTICIPANTS (10000), SEATS (70 per
# segment), CONC (500 requests open at once), SINAU_THREADS (1 per process),
# SINAU_BIN, SINAU_PORT (first of two; first free from 18280), PGBENCH_JOBS
# (1 pgbench thread), SIDE_TIMEOUT (300 s: after that a race sends no more
# requests, and what was not sent counts as lost; a pgbench run is stopped and
# counts 0 tx/s), PGBENCH (1; 0: the races only, no pgbench runs: for the
# exactness count, when the machine is too busy for the timing to mean
# anything), P3_TRACE_DIR (a folder: each race's per-request trace,
# race<N>.tsv, summarised by tests/bench/p3_trace.py), P3_PRECONNECT (1: the
# client opens its connections before the release, as waiting browsers
# hold theirs; 0, the default: each connection is opened by its first
# request, inside that request's latency). Everything started is stopped at
# exit.
#
# Sessions are fresh at each race (last_seen_at = now(), as for people who
# signed in to wait for the opening), so the session check does not write.
# Each run, of either side, starts quiet: the messages of the run before
# handled (sinau's delivery workers mark them undeliverable: no channel is
# configured here; P10 measures delivery) and a checkpoint taken.
set -euo pipefail

BENCH=p3
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

while (($#)); do
    case $1 in
    --repeat)
        REPEAT=${2:-}
        shift 2 || die "--repeat needs a number"
        ;;
    --repeat=*)
        REPEAT=${1#--repeat=}
        shift
        ;;
    *) die "unknown argument $1 (only --repeat N)" ;;
    esac
done
if [[ ${SMOKE:-0} == 1 ]]; then
    PARTICIPANTS=${PARTICIPANTS:-1000}
fi
REPEAT=${REPEAT:-1}
PARTICIPANTS=${PARTICIPANTS:-10000}
SEATS=${SEATS:-70}
CONC=${CONC:-500}
THREADS=${SINAU_THREADS:-1}
PGBENCH_JOBS=${PGBENCH_JOBS:-1}
SIDE_TIMEOUT=${SIDE_TIMEOUT:-300}
posint REPEAT PARTICIPANTS SEATS CONC THREADS PGBENCH_JOBS SIDE_TIMEOUT
[[ -x $SINAU_BIN ]] || die "$SINAU_BIN not found: run 'make build'"
need node python3 psql pgbench curl

bench_cluster
bench_db_new
DB=$BENCH_DB_URL
q() { psql -X -v ON_ERROR_STOP=1 -qAt -d "$DB" "$@"; }

# ------------------------------------------------------------- fixtures --

log "database $BENCH_DB_NAME; $PARTICIPANTS participants with sessions and profiles"
crowd_fixtures "$DB" "$PARTICIPANTS"

# A fresh cohort, open for registration, 3 segments × SEATS; prints its id.
new_cohort() { crowd_cohort "$DB" "$1" "$SEATS"; }

# The checks of a finished race on cohort $1 ($2 = 1: every participant
# must have exactly one row): prints
# "overbooked lost counter_off not_full seq_inversions confirmed waitlisted seats".
check_cohort() {
    q -F ' ' -v c="$1" -v all="$2" <<'EOF'
with seg as (
    select s.segment, s.quota, s.confirmed,
           (select count(*) from registrations r
             where r.cohort_id = s.cohort_id and r.segment = s.segment
               and r.status in ('confirmed', 'offered')) as held
      from cohort_segments s where s.cohort_id = :'c'
), ranked as (
    select r.status, r.segment,
           row_number() over (partition by r.segment order by r.seq) as rk
      from registrations r where r.cohort_id = :'c'
)
select (select coalesce(sum(greatest(held - quota, 0)), 0) from seg),
       case when :all = 1 then
           (select count(*) from bench_participants p
             where (select count(*) from registrations r
                     where r.cohort_id = :'c' and r.user_id = p.user_id) <> 1)
       else 0 end,
       (select count(*) from seg where confirmed <> held),
       (select count(*) from seg where held <> quota),
       -- confirmed registrations that were not among the first SEATS
       -- arrivals of their segment (arrival = the seq drawn at the start)
       (select count(*) from ranked k join seg using (segment)
         where k.status = 'confirmed' and k.rk > seg.quota),
       (select count(*) from registrations where cohort_id = :'c' and status = 'confirmed'),
       (select count(*) from registrations where cohort_id = :'c' and status = 'waitlisted'),
       (select string_agg(segment || '=' || held || '/' || quota, ',' order by segment) from seg);
EOF
}

# ------------------------------------------------------------- servers --

PORT1=${SINAU_PORT:-$(free_port 18280)}
PORT2=$(free_port $((PORT1 + 1)))
log "starting 2 sinau serve on 127.0.0.1:$PORT1 and :$PORT2 ($THREADS thread(s) each)"
start_sinau sinau1 "$PORT1" SINAU_THREADS="$THREADS"
SINAU_PIDS=("$SINAU_PID")
start_sinau sinau2 "$PORT2" SINAU_THREADS="$THREADS"
SINAU_PIDS+=("$SINAU_PID")
BASES=http://127.0.0.1:$PORT1,http://127.0.0.1:$PORT2

# the fixtures' tokens work on both (and sessions are checked in the database)
for port in "$PORT1" "$PORT2"; do
    token=$(awk -F '\t' 'NR == 1 { print $3 }' "$TMP/tokens.tsv")
    code=$(curl -s -o "$TMP/me.json" -w '%{http_code}' -H "Authorization: Bearer $token" \
        "http://127.0.0.1:$port/api/v1/me")
    [[ $code == 200 ]] || die "GET /api/v1/me with a fixture token answered $code: $(cat "$TMP/me.json")"
done

cat >"$TMP/seat.sql" <<'EOF'
select reg_register(:cohort, p.user_id, p.segment)
  from bench_participants p where p.n = (select nextval('bench_pick_seq'));
EOF

# ------------------------------------------------------------------ runs --

PRECONNECTED=''
if [[ ${P3_PRECONNECT:-0} == 1 ]]; then PRECONNECTED=' (connections opened before the release)'; fi
export P3_PRECONNECT=${P3_PRECONNECT:-0}
printf 'P3 flash crowd: %s participants, 3 segments x %s seats, 2 sinau processes x %s thread(s), %s requests open, loopback, %s cores\n' \
    "$PARTICIPANTS" "$SEATS" "$THREADS" "$CONC" "$(nproc)"
C_SINAU=() C_PG=() C_CLIENT=() C_PGB=() RATE=() P50=() P99=() PGB=() PAIR=() TOTAL_PGB_FAILED=0 TOTAL_OVER=0 TOTAL_LOST=0 TOTAL_BAD=0 TOTAL_INV=0 PGB_CONNS=''
for ((r = 1; r <= REPEAT; r++)); do
    # ---- sinau
    cohort=$(new_cohort "sinau $r")
    crowd_ready "$DB"
    PM=$(pg_master "$DB")
    s0=$(ticks "${SINAU_PIDS[@]}") p0=$(pg_ticks "$PM") m0=$(machine_ticks)
    trace=${P3_TRACE_DIR:+$P3_TRACE_DIR/race$r.tsv}
    P3_TRACE=$trace /usr/bin/time -f '%U %S' -o "$TMP/crowd.time" timeout $((SIDE_TIMEOUT + 60)) node \
        "${P3_CLIENT:-$ROOT/tests/bench/p3_crowd.mjs}" "$TMP/tokens.tsv" \
        "$cohort" "$BASES" "$CONC" "$SIDE_TIMEOUT" >"$TMP/crowd.json" 2>"$TMP/crowd.err" || {
        cat "$TMP/crowd.err" >&2
        die "the crowd client failed"
    }
    s1=$(ticks "${SINAU_PIDS[@]}") p1=$(pg_ticks "$PM") m1=$(machine_ticks)
    c_client=$(awk -v n="$PARTICIPANTS" '{ printf "%.1f", ($1 + $2) * 1e6 / n }' "$TMP/crowd.time")
    CPU_LINE="CPU µs/registration: sinau $(per_op $((s1 - s0)) "$PARTICIPANTS") postgres $(per_op $((p1 - p0)) "$PARTICIPANTS") client $c_client machine $(per_op $((m1 - m0)) "$PARTICIPANTS") (load $(cut -d' ' -f1 /proc/loadavg))"
    C_SINAU+=("$(per_op $((s1 - s0)) "$PARTICIPANTS")") C_PG+=("$(per_op $((p1 - p0)) "$PARTICIPANTS")") C_CLIENT+=("$c_client")
    if [[ -s $TMP/crowd.err ]]; then log "race $r: $(head -c 400 "$TMP/crowd.err")"; fi
    conns=$(q -c "select count(*) from pg_stat_activity
                   where datname = current_database() and application_name = 'sinau'")
    PGB_CONNS=${PGB_CONNS:-$conns}
    read -r rate p50 p99 statuses retries not_sent < <(node -e '
        const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        console.log(s.rate, s.p50 ?? 0, s.p99 ?? 0, JSON.stringify(s.by_status), s.retries,
                    s.not_sent)' "$TMP/crowd.json")
    read -r over lost off notfull inv confirmed waitlisted seats <<<"$(check_cohort "$cohort" 1)"
    ok=$(node -e 'const s = JSON.parse(process.argv[1]); process.stdout.write(String(s["201"] ?? 0))' \
        "$statuses")
    bad=$((PARTICIPANTS - ok))
    TOTAL_OVER=$((TOTAL_OVER + over)) TOTAL_LOST=$((TOTAL_LOST + lost))
    TOTAL_BAD=$((TOTAL_BAD + bad + off + notfull)) TOTAL_INV=$((TOTAL_INV + inv))
    RATE+=("$rate") P50+=("$p50") P99+=("$p99")
    printf 'race %s sinau:   %8.2f reg/s  p50 %7.2f ms  p99 %7.2f ms  answers %s (503 retried %s, not sent %s)  seats %s  confirmed %s waitlisted %s  overbooked %s lost %s counter-off %s seq-inversions %s\n' \
        "$r" "$rate" "$p50" "$p99" "$statuses" "$retries" "$not_sent" "$seats" "$confirmed" "$waitlisted" \
        "$over" "$lost" "$off" "$inv"
    printf 'race %s sinau:   %s\n' "$r" "$CPU_LINE"

    # ---- pgbench: the same function, as many connections as sinau had
    # (PGBENCH=0: races only, for the exactness count on a busy machine)
    [[ ${PGBENCH:-1} == 1 ]] || continue
    cohort=$(new_cohort "pgbench $r")
    per_client=$((PARTICIPANTS / PGB_CONNS))
    q -c "select setval('bench_pick_seq', 0, false)" >/dev/null
    crowd_settle "$DB"
    p0=$(pg_ticks "$PM") m0=$(machine_ticks)
    if ! out=$(timeout "$SIDE_TIMEOUT" pgbench -n -M prepared -c "$PGB_CONNS" -j "$PGBENCH_JOBS" \
        -t "$per_client" -D cohort="$cohort" -f "$TMP/seat.sql" "$DB" 2>&1); then
        log "race $r: pgbench failed or was stopped after ${SIDE_TIMEOUT}s: $(tail -n 3 <<<"$out")"
    fi
    tps=$(awk '/^tps = .*without initial connection time/ { print $3 }' <<<"$out")
    tps=${tps:-0}
    p1=$(pg_ticks "$PM") m1=$(machine_ticks)
    C_PGB+=("$(per_op $((p1 - p0)) "$PARTICIPANTS")")
    lat=$(awk '/^latency average/ { print $4 }' <<<"$out")
    failed=$(awk '/^number of failed transactions:/ { print $5 }' <<<"$out")
    failed=${failed:-0}
    if ((failed > 0)); then log "race $r: pgbench: $failed failed transaction(s)"; fi
    TOTAL_PGB_FAILED=$((TOTAL_PGB_FAILED + failed))
    read -r pover _ poff _ pinv pconfirmed pwaitlisted pseats <<<"$(check_cohort "$cohort" 0)"
    TOTAL_OVER=$((TOTAL_OVER + pover))
    PGB+=("$tps")
    PAIR+=("$(awk -v a="$rate" -v b="$tps" 'BEGIN { printf "%.3f", (b > 0) ? a / b : 0 }')")
    printf 'race %s pgbench: %8.2f tx/s   latency avg %s ms  failed %s  (-c %s -t %s -M prepared)  seats %s  confirmed %s waitlisted %s  overbooked %s counter-off %s seq-inversions %s\n' \
        "$r" "$tps" "$lat" "$failed" "$PGB_CONNS" "$per_client" "$pseats" "$pconfirmed" "$pwaitlisted" \
        "$pover" "$poff" "$pinv"
    printf 'race %s pgbench: CPU µs/registration: postgres %s machine %s\n' "$r" "${C_PGB[-1]}" \
        "$(per_op $((m1 - m0)) "$PARTICIPANTS")"
done

m_rate=$(median <<<"${RATE[*]}")
m_p50=$(median <<<"${P50[*]}")
m_p99=$(median <<<"${P99[*]}")
m_pgb=$(median <<<"${PGB[*]:-0}")
ratio=$(awk -v a="$m_rate" -v b="$m_pgb" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
m_pair=$(median <<<"${PAIR[*]:-0}")
printf 'median over %s race(s): sinau %s reg/s, p50 %s ms, p99 %s ms; pgbench %s tx/s (%s connections)\n' \
    "$REPEAT" "$m_rate" "$m_p50" "$m_p99" "$m_pgb" "$PGB_CONNS"
printf 'ratio sinau / pgbench: %s of the medians, %s median of each race with its pgbench run (target >= 0.60)\n' \
    "$ratio" "$m_pair"
printf 'p99 %s ms (target < 250); with %s requests open, latency is at least %s / rate = %s ms\n' \
    "$m_p99" "$CONC" "$CONC" "$(awk -v c="$CONC" -v r="$m_rate" 'BEGIN { printf "%.0f", (r > 0) ? 1000 * c / r : 0 }')"
printf 'CPU µs per registration (medians): sinau %s + its postgres %s + client %s; pgbench'"'"'s postgres %s\n' \
    "$(median <<<"${C_SINAU[*]}")" "$(median <<<"${C_PG[*]}")" "$(median <<<"${C_CLIENT[*]}")" \
    "$(median <<<"${C_PGB[*]:-0}")"
printf 'across %s race(s): overbooked %s, lost %s (target 0 and 0); other failures %s; seq inversions %s; pgbench failed transactions %s\n' \
    "$REPEAT" "$TOTAL_OVER" "$TOTAL_LOST" "$TOTAL_BAD" "$TOTAL_INV" "$TOTAL_PGB_FAILED"
commit=${BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")}
printf '\nRESULTS.md row:\n| %s | %s | %s | %s | %s | %s | %s | %s (%s) | %s / %s | %s x %s seats, 2 x %s thread(s), %s open%s, pgbench -c %s |\n' \
    "$(date -u +%Y-%m-%d)" "$commit" "$REPEAT" "$m_rate" "$m_p50" "$m_p99" "$m_pgb" "$ratio" "$m_pair" \
    "$TOTAL_OVER" "$TOTAL_LOST" "$PARTICIPANTS" "$SEATS" "$THREADS" "$CONC" "$PRECONNECTED" "$PGB_CONNS"
((TOTAL_OVER == 0 && TOTAL_LOST == 0 && TOTAL_BAD == 0)) || {
    log "FAILED: overbooked $TOTAL_OVER, lost $TOTAL_LOST, other failures $TOTAL_BAD"
    exit 1
}
