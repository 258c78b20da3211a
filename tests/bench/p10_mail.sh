#!/usr/bin/env bash
# PERFORMANCE.md P10: the P3 registration flash crowd with notifications on
# (every registration writes its message to the outbox in its transaction,
# and the delivery worker sends them to a real SMTP server on loopback,
# Debian's python3-aiosmtpd, while the crowd is still racing) ÷ the same
# crowd with notifications off (no channel configured: the rows are still
# written, and marked undeliverable). Target ≥ 0.9. Then the outbox's drain
# rate: the race's messages queued again at once with nothing else running,
# timed until the last is sent.
#
#   tests/bench/p10_mail.sh
#   REPEAT=3 PARTICIPANTS=10000 tests/bench/p10_mail.sh
#   SMOKE=1 tests/bench/p10_mail.sh          (1,000 participants, 1 pair)
#
# Settings (environment): REPEAT (3 pairs of races, on and off alternately,
# each on a fresh cohort), PARTICIPANTS (10000), SEATS (70 per segment), CONC
# (500 requests open), SINAU_THREADS (1 per process, 2 processes as P3),
# SINAU_BIN, SINAU_PORT (first free from 18380), SIDE_TIMEOUT (300 s),
# OUTBOX_CONCURRENCY (8 sends in flight per instance). Everything started is
# stopped at exit.
set -euo pipefail

BENCH=p10
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ${SMOKE:-0} == 1 ]]; then
    PARTICIPANTS=${PARTICIPANTS:-1000}
    REPEAT=${REPEAT:-1}
fi
REPEAT=${REPEAT:-3}
PARTICIPANTS=${PARTICIPANTS:-10000}
SEATS=${SEATS:-70}
CONC=${CONC:-500}
THREADS=${SINAU_THREADS:-1}
SIDE_TIMEOUT=${SIDE_TIMEOUT:-300}
OUTBOX_CONCURRENCY=${OUTBOX_CONCURRENCY:-8}
posint REPEAT PARTICIPANTS SEATS CONC THREADS SIDE_TIMEOUT OUTBOX_CONCURRENCY
[[ -x $SINAU_BIN ]] || die "$SINAU_BIN not found: run 'make build'"
need node psql curl
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] && "$PYTHON" -c 'import aiosmtpd' 2>/dev/null ||
    die "Debian's python3-aiosmtpd is needed (scripts/dev.sh deps installs it)"

bench_cluster
bench_db_new
DB=$BENCH_DB_URL
q() { psql -X -v ON_ERROR_STOP=1 -qAt -d "$DB" "$@"; }

# ------------------------------------------------------------- fixtures --

log "database $BENCH_DB_NAME; $PARTICIPANTS participants with sessions and profiles"
crowd_fixtures "$DB" "$PARTICIPANTS"
new_cohort() { crowd_cohort "$DB" "$1" "$SEATS"; }

# -------------------------------------------------------- servers, sink --

SMTP_PORT=$(free_port 18370)
"$PYTHON" "$ROOT/tests/api/lib/smtp_sink.py" "$SMTP_PORT" 0 brief </dev/null >"$TMP/smtp.out" 2>"$TMP/smtp.err" &
BENCH_PIDS+=("$!")
for ((i = 0; i < 100; i++)); do
    if grep -q '^ready' "$TMP/smtp.out" 2>/dev/null; then break; fi
    sleep 0.1
done
grep -q '^ready' "$TMP/smtp.out" || die "the SMTP sink did not start: $(cat "$TMP/smtp.err")"
mails() { grep -c '^{' "$TMP/smtp.out" || true; }

PORT1=${SINAU_PORT:-$(free_port 18380)}
PORT2=$(free_port $((PORT1 + 1)))
BASES=http://127.0.0.1:$PORT1,http://127.0.0.1:$PORT2
PIDS=()
# servers MODE: two sinau serve, with mail (on) or without any channel (off)
servers() {
    local pid mail=()
    for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
    PIDS=()
    if [[ $1 == on ]]; then
        mail=(SINAU_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT" SINAU_MAIL_FROM=bench@bench.example)
    fi
    start_sinau "sinau1-$1" "$PORT1" SINAU_THREADS="$THREADS" SINAU_OUTBOX_CONCURRENCY="$OUTBOX_CONCURRENCY" "${mail[@]}"
    PIDS+=("$SINAU_PID")
    start_sinau "sinau2-$1" "$PORT2" SINAU_THREADS="$THREADS" SINAU_OUTBOX_CONCURRENCY="$OUTBOX_CONCURRENCY" "${mail[@]}"
    PIDS+=("$SINAU_PID")
}

# Waits until no message of cohort $1 is queued or being sent; prints the
# seconds waited.
drained() {
    local t0=$SECONDS left
    for ((i = 0; i < 6000; i++)); do
        left=$(q -c "select count(*) from outbox where cohort_id = '$1' and state in ('queued', 'sending')")
        if ((left == 0)); then
            echo $((SECONDS - t0))
            return 0
        fi
        sleep 0.1
    done
    die "the outbox of cohort $1 did not drain ($left left)"
}

race() { # race MODE LABEL → "rate p50 p99 ok cohort"
    local cohort
    cohort=$(new_cohort "$2")
    q -c 'update sessions set last_seen_at = now()' -c 'checkpoint' >/dev/null
    timeout $((SIDE_TIMEOUT + 60)) node "$ROOT/tests/bench/p3_crowd.mjs" "$TMP/tokens.tsv" \
        "$cohort" "$BASES" "$CONC" "$SIDE_TIMEOUT" >"$TMP/crowd.json" 2>"$TMP/crowd.err" ||
        die "the crowd client failed: $(head -c 400 "$TMP/crowd.err")"
    node -e '
        const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        console.log(s.rate, s.p50 ?? 0, s.p99 ?? 0, s.by_status["201"] ?? 0, process.argv[2])' \
        "$TMP/crowd.json" "$cohort"
}

printf 'P10: the P3 crowd (%s participants, 3 x %s seats, 2 sinau x %s thread(s), %s open) with mail on (aiosmtpd on loopback) and off, %s pair(s), %s cores\n' \
    "$PARTICIPANTS" "$SEATS" "$THREADS" "$CONC" "$REPEAT" "$(nproc)"
ON=() OFF=() PAIR=() P99ON=() P99OFF=() BAD=0 LAST_ON=''
for ((r = 1; r <= REPEAT; r++)); do
    for mode in on off; do
        servers "$mode"
        before=$(mails)
        read -r rate p50 p99 ok cohort < <(race "$mode" "$mode $r")
        backlog=$(q -c "select count(*) from outbox where cohort_id = '$cohort' and state in ('queued', 'sending')")
        waited=$(drained "$cohort")
        states=$(q -c "select string_agg(state || '=' || n, ',') from (select state, count(*) n from outbox
                        where cohort_id = '$cohort' group by state order by state) x")
        sent_now=$(($(mails) - before))
        ((ok == PARTICIPANTS)) || BAD=$((BAD + PARTICIPANTS - ok))
        if [[ $mode == on ]]; then
            ON+=("$rate") P99ON+=("$p99") LAST_ON=$cohort
            ((sent_now >= PARTICIPANTS)) || { log "race $r on: only $sent_now mails arrived"; BAD=$((BAD + 1)); }
        else
            OFF+=("$rate") P99OFF+=("$p99")
            PAIR+=("$(awk -v a="${ON[-1]}" -v b="$rate" 'BEGIN { printf "%.3f", (b > 0) ? a / b : 0 }')")
        fi
        printf 'race %s mail %-3s %8.2f reg/s  p50 %7.2f ms  p99 %7.2f ms  201: %s  outbox at the end of the race: %s not sent; drained %ss later; %s; mails %s\n' \
            "$r" "$mode" "$rate" "$p50" "$p99" "$ok" "$backlog" "$waited" "$states" "$sent_now"
    done
done

# ---- the drain rate: the last "on" race's messages again, nothing else running
servers on
q -c 'checkpoint' >/dev/null
before=$(mails)
t0=$(date +%s.%N)
q -c "update outbox set state = 'queued', attempts = 0, next_attempt_at = now(), sent_at = null
       where cohort_id = '$LAST_ON'" >/dev/null
drained "$LAST_ON" >/dev/null
t1=$(date +%s.%N)
n=$(($(mails) - before))
drain=$(awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", n / (b - a) }')
dsec=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
printf 'drain: %s messages sent in %s s = %s messages/s (2 instances x %s in flight, one SMTP server)\n' "$n" "$dsec" "$drain" "$OUTBOX_CONCURRENCY"

m_on=$(median <<<"${ON[*]}")
m_off=$(median <<<"${OFF[*]}")
ratio=$(awk -v a="$m_on" -v b="$m_off" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
m_pair=$(median <<<"${PAIR[*]}")
printf 'median: mail on %s reg/s (p99 %s ms), off %s reg/s (p99 %s ms); ratio on / off %s of the medians, %s median of pairs (target >= 0.90)\n' \
    "$m_on" "$(median <<<"${P99ON[*]}")" "$m_off" "$(median <<<"${P99OFF[*]}")" "$ratio" "$m_pair"
commit=${BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")}
printf '\nRESULTS.md row:\n| %s | %s | %s | %s | %s | %s (%s) | %s | %s x %s seats, 2 x %s thread(s), %s open, %s in flight |\n' \
    "$(date -u +%Y-%m-%d)" "$commit" "$REPEAT" "$m_on" "$m_off" "$ratio" "$m_pair" "$drain" \
    "$PARTICIPANTS" "$SEATS" "$THREADS" "$CONC" "$OUTBOX_CONCURRENCY"
((BAD == 0)) || die "FAILED: $BAD registrations or mails missing"
