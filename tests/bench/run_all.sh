#!/usr/bin/env bash
# run_all.sh — PERFORMANCE.md's P1–P8 (and issue 17's logout invalidation
# delay across two instances, `inv`) in one go (`make bench`): runs each
# benchmark script of this folder, each with its references run alternately
# round after round in the same run, and prints ONE table: per benchmark the
# figure, its reference, the ratio (of the medians of at least 3 rounds),
# the target and whether it is met, with what else the target names
# (P3's p99 and overbooked seats, P2's lesson-alone ratio, P5's login rate).
#
#   tests/bench/run_all.sh              short mode: every benchmark, 3 rounds
#                                       of short runs (a few minutes in all)
#   tests/bench/run_all.sh p1 p3        only those
#   FULL=1 tests/bench/run_all.sh       each script's own defaults (long)
#   SMOKE_ALL=1 tests/bench/run_all.sh p3
#                                       the smallest run that still has 3
#                                       rounds (the `bench.smoke` test)
#
# Settings (environment): FULL (0), SMOKE_ALL (0), BENCH_TIMEOUT (900 s per
# script: a script past it is stopped and its row says so), OUT_DIR (where
# each script's whole output is kept; default a temporary folder, printed),
# and whatever each script reads (SINAU_BIN, BENCH_COMMIT, …), passed on.
# The private cluster is started once for all (and stopped at the end if
# this started it). Exit status: 0 when every script ran and printed its
# row, 1 otherwise; a target missed is shown in the table, not an error (a
# loaded machine misses targets; see README.md).
set -euo pipefail

# shellcheck disable=SC2034 # read by lib.sh
BENCH=bench
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

FULL=${FULL:-0}
SMOKE_ALL=${SMOKE_ALL:-0}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-900}
OUT_DIR=${OUT_DIR:-$TMP}
posint BENCH_TIMEOUT
mkdir -p "$OUT_DIR"

ALL=(p1 p2 p3 p4 p5 p6 p7 p8 inv)
if (($#)); then WANT=("$@"); else WANT=("${ALL[@]}"); fi
for b in "${WANT[@]}"; do
    [[ " ${ALL[*]} " == *" $b "* ]] || die "unknown benchmark $b (one of: ${ALL[*]})"
done

declare -A SCRIPT=([p1]=p1_healthz.sh [p2]=p2_lesson.sh [p3]=p3_flash_crowd.sh
    [p4]=p4_connections.sh [p5]=p5_login_storm.sh [p6]=p6_verify.sh [p7]=p7_idle.sh
    [p8]=p8_uploads.sh [inv]=session_invalidation.sh)

# Short mode: at least 3 rounds each (the medians need them), short runs.
# A setting already in the environment wins.
declare -A SHORT=(
    [p1]='DUR=3 ROUNDS=3'
    [p2]='DUR=3 ROUNDS=3 OTHERS=500'
    [p3]='PARTICIPANTS=2000 REPEAT=3'
    [p4]='DUR=3 ROUNDS=3'
    [p5]='ROUNDS=3 IDLE_DUR=3 STORM_DUR=6 ALONE_DUR=3 ACCOUNTS=12 CONC=12'
    [p6]='DUR=3 ROUNDS=3 OTHERS=40'
    [p7]='N=2000 ROUNDS=3'
    [p8]='ROUNDS=3 CONC=5 IDLE_DUR=1'
    [inv]='ROUNDS=100'
)
# The smallest runs that still have 3 rounds (bench.smoke in make test).
declare -A TINY=(
    [p1]='DUR=1 ROUNDS=3 CONNS=8'
    [p2]='DUR=1 ROUNDS=3 OTHERS=50 CONNS=8'
    [p3]='PARTICIPANTS=300 REPEAT=3 CONC=100 SEATS=20'
    [p4]='DUR=1 ROUNDS=3 HIGH=256'
    [p5]='ROUNDS=3 IDLE_DUR=1 STORM_DUR=4 ALONE_DUR=1 ACCOUNTS=4 CONC=4'
    [p6]='DUR=1 ROUNDS=3 OTHERS=10 CONNS=8'
    [p7]='N=200 ROUNDS=3'
    [p8]='ROUNDS=3 CONC=2 SIZE=1048576 IDLE_DUR=1'
    [inv]='ROUNDS=20'
)

# Runs benchmark $1 with its mode's settings; its output goes to
# OUT_DIR/$1.txt. Returns the script's status (124: timed out).
run_one() {
    local b=$1 settings='' kv name args=()
    if [[ $SMOKE_ALL == 1 ]]; then
        settings=${TINY[$b]}
    elif [[ $FULL != 1 ]]; then
        settings=${SHORT[$b]}
    fi
    for kv in $settings; do
        # an explicit setting in the environment wins over the mode's
        name=${kv%%=*}
        if [[ -z ${!name:-} ]]; then args+=("$kv"); fi
    done
    log "$b: ${SCRIPT[$b]} ${args[*]:-(defaults)}"
    local rc=0
    env "${args[@]}" timeout -k 10 "$BENCH_TIMEOUT" \
        "$HERE/${SCRIPT[$b]}" >"$OUT_DIR/$b.txt" 2>&1 || rc=$?
    return $rc
}

# The RESULTS.md row a script printed last (the first line after the
# "RESULTS.md row(s):" line), split on '|' into the array ROW (ROW[1] is
# the date column). False when there is none.
read_row() {
    local line
    line=$(awk '/^RESULTS\.md rows?:/ { getline; print; exit }' "$OUT_DIR/$1.txt")
    [[ $line == '|'* ]] || return 1
    IFS='|' read -r -a ROW <<<"$line"
    local i
    for i in "${!ROW[@]}"; do
        ROW[i]=$(sed 's/^ *//; s/ *$//' <<<"${ROW[i]}")
    done
}

# The number in "0.76 (0.78)" → 0.76.
first_num() { awk '{ print $1 }' <<<"$1"; }

# met RATIO OP TARGET → "yes" / "no"
met() {
    awk -v r="$1" -v op="$2" -v t="$3" 'BEGIN {
        if (r == "" || r == "-") { print "?"; exit }
        ok = (op == ">=") ? (r + 0 >= t + 0) : (r + 0 <= t + 0)
        print ok ? "yes" : "no" }'
}

# Fills FIG, REF, RATIO, OP, TARGET, NOTE for benchmark $1 from ROW.
describe() {
    local r
    NOTE=''
    case $1 in
    p1)
        FIG="${ROW[3]} req/s"
        REF=$(awk -v a="${ROW[4]}" -v b="${ROW[5]}" 'BEGIN { print (a > b ? a : b) }')
        REF="$REF req/s nginx"
        RATIO=${ROW[6]} OP='>=' TARGET=0.90
        ;;
    p2)
        FIG="${ROW[3]} req/s"
        REF="${ROW[5]} tx/s pgbench (session check + lesson)"
        RATIO=${ROW[6]} OP='>=' TARGET=0.75
        NOTE="lesson statement alone: ${ROW[8]}x of ${ROW[7]} tx/s; p99 ${ROW[4]} ms"
        ;;
    p3)
        FIG="${ROW[4]} reg/s"
        REF="${ROW[7]} tx/s pgbench"
        RATIO=$(first_num "${ROW[8]}") OP='>=' TARGET=0.60
        NOTE="p99 ${ROW[6]} ms (target < 250), p50 ${ROW[5]} ms; overbooked / lost ${ROW[9]} in ${ROW[3]} races; ${ROW[10]}"
        ;;
    p4)
        FIG="${ROW[4]} req/s at 2000"
        REF="${ROW[3]} req/s at 64"
        RATIO=${ROW[5]} OP='>=' TARGET=0.70
        NOTE="nginx the same way: ${ROW[8]}"
        ;;
    p5)
        FIG="p99 ${ROW[4]} ms in a login storm"
        REF="p99 ${ROW[3]} ms idle"
        RATIO=${ROW[5]} OP='<=' TARGET=2.00
        r=$(first_num "${ROW[8]}")
        NOTE="login rate ${ROW[6]} /s vs libsodium alone ${ROW[7]} /s: ${r}x (target >= 0.90)"
        ;;
    p6)
        FIG="${ROW[4]} req/s verifications"
        REF="${ROW[3]} req/s lesson reads (P2's)"
        RATIO=${ROW[5]} OP='>=' TARGET=0.90
        ;;
    p7)
        FIG="${ROW[4]} B per idle connection"
        REF="${ROW[5]} B nginx"
        RATIO=${ROW[6]} OP='<=' TARGET=4.00
        NOTE="${ROW[3]} idle connections held, then served"
        ;;
    p8)
        FIG="p99 ${ROW[6]} ms during uploads"
        REF="p99 ${ROW[4]} ms idle"
        RATIO=${ROW[7]} OP='<=' TARGET=2.00
        NOTE="uploads refused ${ROW[10]}, ${ROW[9]} MiB/s"
        ;;
    inv)
        # issue 17: a logout on one instance takes effect on the other
        # within milliseconds, never later than the cache's bound
        FIG="p99 ${ROW[5]} ms logout on A to 401 on B"
        REF="bound ${ROW[9]} s (SINAU_SESSION_CACHE_S)"
        RATIO=$(awk -v a="${ROW[5]}" -v b="${ROW[9]}" 'BEGIN { printf "%.4f", (b > 0) ? a / (1000 * b) : 0 }')
        OP='<=' TARGET=1.00
        NOTE="p50 ${ROW[4]} ms, max ${ROW[6]} ms over ${ROW[3]} logouts; 200s on B after A's 204: ${ROW[7]}; B's cache hits ${ROW[8]}"
        ;;
    esac
}

bench_cluster
uptime_start=$(cut -d' ' -f1-3 /proc/loadavg)
date_start=$(date -u '+%Y-%m-%d %H:%M UTC')
commit=${BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)}
mode=short
if [[ $SMOKE_ALL == 1 ]]; then mode=smoke; elif [[ $FULL == 1 ]]; then mode=full; fi
log "mode $mode, commit $commit, outputs in $OUT_DIR, load $uptime_start"

declare -A STATUS SECS
failed=0
for b in "${WANT[@]}"; do
    t0=$SECONDS
    rc=0
    run_one "$b" || rc=$?
    SECS[$b]=$((SECONDS - t0))
    if ((rc == 124 || rc == 137)); then
        STATUS[$b]="timed out after ${BENCH_TIMEOUT} s"
    elif ((rc != 0)); then
        STATUS[$b]="failed (exit $rc)"
    else
        STATUS[$b]=ok
    fi
    if ! read_row "$b"; then
        [[ ${STATUS[$b]} != ok ]] || STATUS[$b]='no RESULTS.md row'
    fi
    if [[ ${STATUS[$b]} != ok ]]; then
        failed=1
        log "$b: ${STATUS[$b]}; the last lines of $OUT_DIR/$b.txt:"
        tail -n 5 "$OUT_DIR/$b.txt" >&2 || true
    else
        log "$b: done in ${SECS[$b]} s"
    fi
done

load_end=$(cut -d' ' -f1-3 /proc/loadavg)
printf '\nPERFORMANCE.md targets, %s mode, commit %s, started %s, load average %s at the start, %s at the end\n' \
    "$mode" "$commit" "$date_start" "$uptime_start" "$load_end"
printf '(each figure and reference: the median of the rounds, run alternately in the same run; outputs in %s)\n\n' "$OUT_DIR"
printf '| id | figure | reference | ratio | target | met | s | notes |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for b in "${WANT[@]}"; do
    id=${b^^}
    if read_row "$b" && [[ ${STATUS[$b]} == ok ]]; then
        describe "$b"
        printf '| %s | %s | %s | %s | %s %s | %s | %s | %s |\n' "$id" "$FIG" "$REF" "$RATIO" \
            "$OP" "$TARGET" "$(met "$RATIO" "$OP" "$TARGET")" "${SECS[$b]}" "$NOTE"
    else
        printf '| %s | - | - | - | - | ? | %s | %s (%s) |\n' "$id" "${SECS[$b]}" "${STATUS[$b]}" \
            "$OUT_DIR/$b.txt"
    fi
done
exit "$failed"
