#!/usr/bin/env bash
# PERFORMANCE.md P5: /healthz p99 during a login storm that saturates the
# password-hash pool ÷ its p99 when idle (target <= 2), and the login rate ÷
# libsodium alone verifying argon2id INTERACTIVE with as many threads as
# sinau's hash workers (target >= 0.9). Round after round, alternately:
# /healthz idle, /healthz during a storm, a storm alone (its login rate is
# the one compared: wrk would take CPU from the hashing), libsodium alone.
# Prints every round, the medians and the ratios.
#
#   tests/bench/p5_login_storm.sh
#   SMOKE=1 tests/bench/p5_login_storm.sh   (short runs, 1 round)
#
# Settings (environment): ROUNDS (3), ACCOUNTS (50), CONC (50 logins at once),
# IDLE_DUR (10 s of wrk on /healthz), STORM_DUR (15 s of logins, twice a
# round; in the first wrk runs from 1 s after its start to 2 s before its
# end, the second is the storm alone), ALONE_DUR (10 s
# of libsodium alone), WRK_CONNS (8), SINAU_THREADS (2), SINAU_WORKERS (cores - 1,
# the server's default: the hash pool = libsodium-alone threads), SINAU_BIN, SINAU_PORT, CC (cc).
# Everything started is stopped at exit.
set -euo pipefail

BENCH=p5
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ${SMOKE:-0} == 1 ]]; then
    ROUNDS=${ROUNDS:-1}
    IDLE_DUR=${IDLE_DUR:-3}
    STORM_DUR=${STORM_DUR:-6}
    ALONE_DUR=${ALONE_DUR:-3}
fi
ROUNDS=${ROUNDS:-3}
ACCOUNTS=${ACCOUNTS:-50}
CONC=${CONC:-50}
IDLE_DUR=${IDLE_DUR:-10}
STORM_DUR=${STORM_DUR:-15}
ALONE_DUR=${ALONE_DUR:-10}
WRK_CONNS=${WRK_CONNS:-8}
THREADS=${SINAU_THREADS:-2}
# the server's own default: cores - 1 (at least 1), so the storm leaves a core
# to the loops (issue 17); libsodium alone runs with as many threads
CORES=$(nproc)
WORKERS=${SINAU_WORKERS:-$((CORES > 1 ? CORES - 1 : 1))}
CC=${CC:-cc}
PASSWORD='bench-storm-password-1' # same as pwhash_alone.c: same length, same work

posint ROUNDS ACCOUNTS CONC IDLE_DUR STORM_DUR ALONE_DUR WRK_CONNS THREADS WORKERS
((STORM_DUR >= 4)) || die "STORM_DUR must be at least 4"
[[ -x $SINAU_BIN ]] || die "$SINAU_BIN not found: run 'make build'"
need wrk node psql curl "$CC"

# ------------------------------------------------------ libsodium alone --

log "compiling pwhash_alone.c"
"$CC" -std=c11 -O2 -o "$TMP/pwhash_alone" "$ROOT/tests/bench/pwhash_alone.c" -lsodium -lpthread ||
    die "cannot compile pwhash_alone.c (libsodium-dev installed?)"

# ---------------------------------------------------------- the server --

bench_cluster
bench_db_new
log "database $BENCH_DB_NAME; creating $ACCOUNTS accounts at the interactive cost"
for ((i = 0; i < ACCOUNTS; i++)); do
    printf '%s\n' "$PASSWORD" |
        DATABASE_URL=$BENCH_DB_URL SINAU_PWHASH=interactive SINAU_LOG_LEVEL=warn \
            "$SINAU_BIN" user create --email "bench-$i@bench.invalid" --name "Bench $i" \
            --role participant >>"$TMP/users.log" 2>&1 ||
        {
            tail -n 5 "$TMP/users.log" >&2
            die "user create failed"
        }
done

PORT=${SINAU_PORT:-$(free_port 18180)}
log "starting sinau on 127.0.0.1:$PORT ($THREADS threads, $WORKERS hash workers)"
start_sinau sinau "$PORT" SINAU_PWHASH=interactive SINAU_THREADS="$THREADS" \
    SINAU_WORKERS="$WORKERS"
BASE=http://127.0.0.1:$PORT
HEALTH=$BASE/healthz

code=$(curl -s -o "$TMP/login.json" -w '%{http_code}' -H 'content-type: application/json' \
    -d "{\"email\":\"bench-0@bench.invalid\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/auth/login")
[[ $code == 200 ]] || die "a test login answered $code: $(cat "$TMP/login.json")"

# ------------------------------------------------------------------ runs --

wrk_health() { # DUR → "p50 p99 rps"
    local out
    out=$(wrk -t1 -c"$WRK_CONNS" -d"${1}s" --latency "$HEALTH")
    if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
        log "healthz: $(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' ' | tr '\n' ';')"
    fi
    wrk_latency <<<"$out"
}

# storm DUR [wrk-seconds]: the login storm for DUR s, with wrk on /healthz
# from 1 s after its start when asked; sets STORM_RATE, STORM_OTHERS and
# (with wrk) STORM_WRK="p50 p99 rps".
storm() {
    local dur=$1 wrk_dur=${2:-} pid out
    node "$ROOT/tests/bench/login_storm.mjs" "$BASE" "$ACCOUNTS" "$CONC" "$dur" "$PASSWORD" \
        >"$TMP/storm.json" 2>"$TMP/storm.err" &
    pid=$!
    BENCH_PIDS+=("$pid")
    STORM_WRK=''
    if [[ -n $wrk_dur ]]; then
        sleep 1
        STORM_WRK=$(wrk_health "$wrk_dur")
    fi
    wait "$pid" || {
        cat "$TMP/storm.err" >&2
        die "the login storm failed"
    }
    if [[ -s $TMP/storm.err ]]; then log "storm: $(head -c 300 "$TMP/storm.err")"; fi
    out=$(cat "$TMP/storm.json")
    STORM_RATE=$(node -e 'process.stdout.write(String(JSON.parse(process.argv[1]).rate))' "$out")
    STORM_OTHERS=$(node -e 'const s = JSON.parse(process.argv[1]); delete s.by_status["200"];
        process.stdout.write(JSON.stringify(s.by_status))' "$out")
    if [[ $STORM_OTHERS != '{}' ]]; then log "storm: answers other than 200: $STORM_OTHERS"; fi
}

# An experiment, not the benchmark: WORKER_SCHED=idle (or batch) moves
# sinau's hash worker threads to that scheduling class from outside (chrt),
# to see what the server would gain by doing so itself. The workers are the
# WORKERS threads that used the most CPU in a short warm-up storm.
if [[ -n ${WORKER_SCHED:-} ]]; then
    need chrt
    [[ $WORKER_SCHED =~ ^(idle|batch)$ ]] || die "WORKER_SCHED is idle or batch"
    storm 3
    tids=$(for t in /proc/"$SINAU_PID"/task/*; do
        awk '{ print $14 + $15, FILENAME }' "$t/stat" | sed 's,/proc/[0-9]*/task/,,; s,/stat,,'
    done | sort -rn | head -n "$WORKERS" | awk '{ print $2 }')
    for t in $tids; do chrt --"$WORKER_SCHED" -p 0 "$t"; done
    log "hash workers (threads ${tids//$'\n'/ }) moved to SCHED_${WORKER_SCHED^^}"
fi

IDLE_P99=() STORM_P99=() IDLE_RPS=() STORM_RPS=() LOGIN_RATE=() LOGIN_WRK_RATE=() ALONE_RATE=()
printf 'P5 login storm: sinau (%s loop threads, %s hash workers%s, SINAU_PWHASH=interactive), loopback, %s cores\n' \
    "$THREADS" "$WORKERS" "${WORKER_SCHED:+ at SCHED_${WORKER_SCHED^^} (experiment)}" "$(nproc)"
printf '/healthz: wrk -t1 -c%s --latency, idle %ss and during the storm %ss; storm: %s logins at once over %s accounts, %ss with wrk then %ss alone; libsodium alone: %s threads %ss\n' \
    "$WRK_CONNS" "$IDLE_DUR" "$((STORM_DUR - 3))" "$CONC" "$ACCOUNTS" "$STORM_DUR" "$STORM_DUR" \
    "$WORKERS" "$ALONE_DUR"
for ((r = 1; r <= ROUNDS; r++)); do
    read -r _ idle_p99 idle_rps <<<"$(wrk_health "$IDLE_DUR")"
    storm "$STORM_DUR" "$((STORM_DUR - 3))"
    read -r _ storm_p99 storm_rps <<<"$STORM_WRK"
    login_wrk_rate=$STORM_RATE
    storm "$STORM_DUR"
    login_rate=$STORM_RATE
    alone=$("$TMP/pwhash_alone" "$WORKERS" "$ALONE_DUR")
    alone_rate=$(awk '{ print $8 }' <<<"$alone")

    IDLE_P99+=("$idle_p99") STORM_P99+=("$storm_p99") IDLE_RPS+=("$idle_rps")
    STORM_RPS+=("$storm_rps") LOGIN_RATE+=("$login_rate") LOGIN_WRK_RATE+=("$login_wrk_rate")
    ALONE_RATE+=("$alone_rate")
    printf 'round %s: healthz p99 idle %7.3f ms (%9.2f req/s), storm %7.3f ms (%9.2f req/s, logins %6.2f/s)  storm alone: logins %6.2f/s  libsodium alone %6.2f/s\n' \
        "$r" "$idle_p99" "$idle_rps" "$storm_p99" "$storm_rps" "$login_wrk_rate" "$login_rate" \
        "$alone_rate"
done

m_idle=$(median <<<"${IDLE_P99[*]}")
m_storm=$(median <<<"${STORM_P99[*]}")
m_login=$(median <<<"${LOGIN_RATE[*]}")
m_login_wrk=$(median <<<"${LOGIN_WRK_RATE[*]}")
m_alone=$(median <<<"${ALONE_RATE[*]}")
m_idle_rps=$(median <<<"${IDLE_RPS[*]}")
m_storm_rps=$(median <<<"${STORM_RPS[*]}")
printf 'median: healthz p99 idle %s ms (%s req/s), storm %s ms (%s req/s, logins %s/s); storm alone: logins %s/s; libsodium alone %s/s\n' \
    "$m_idle" "$m_idle_rps" "$m_storm" "$m_storm_rps" "$m_login_wrk" "$m_login" "$m_alone"
r_lat=$(awk -v a="$m_storm" -v b="$m_idle" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
r_rate=$(awk -v a="$m_login" -v b="$m_alone" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
r_rate_wrk=$(awk -v a="$m_login_wrk" -v b="$m_alone" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
printf 'ratio healthz p99 storm / idle: %s (target <= 2.00)\n' "$r_lat"
printf 'ratio logins (storm alone) / libsodium alone: %s (target >= 0.90); with wrk on /healthz meanwhile: %s\n' \
    "$r_rate" "$r_rate_wrk"
commit=${BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")}
printf '\nRESULTS.md row:\n| %s | %s | %s | %s | %s | %s (%s with wrk) | %s | %s (%s) | wrk -t1 -c%s, %s logins at once, x%s, %s threads, %s workers |\n' \
    "$(date -u +%Y-%m-%d)" "$commit" "$m_idle" "$m_storm" "$r_lat" "$m_login" "$m_login_wrk" \
    "$m_alone" "$r_rate" "$r_rate_wrk" "$WRK_CONNS" "$CONC" "$ROUNDS" "$THREADS" "$WORKERS"
