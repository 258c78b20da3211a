#!/usr/bin/env bash
# PERFORMANCE.md P9: quiz answer saves. PARTICIPANTS (140) participants of a
# cohort take a post-test of QUESTIONS (20) single-choice questions in the
# same minute, and the server's throughput of saves is set against pgbench
# running the same statement. Each round, on one `sinau serve`
# (SINAU_THREADS 2 × pool 4):
#
#   1. idle minute: every participant opens their attempt, answers each
#      question after a think time (THINK_MS on average; 5 % of saves sent
#      twice, as on a flaky connection) and hands it in, the starts spread
#      over SPREAD seconds (p9_minute.mjs) → the saves' p50/p99;
#   2. loaded minute: the same while the rest of the site is read: wrk
#      (READ_CONNS connections) reads a lesson as a signed-in participant,
#      as fast as it can, for the whole minute → the saves' p50/p99 then,
#      ÷ idle (target: p99 < 250 ms);
#   3. saves/s: wrk (SAVE_CONNS connections, p9_saves.lua) saves random
#      answers of random participants for DUR seconds;
#   4. pgbench with as many connections as sinau's pool holds, DUR seconds,
#      `-M prepared`, the SQL read from the C sources: "request" = the
#      session check then the save (what sinau runs per save, plus a lookup
#      of the participant's token hash that sinau does not need), and
#      "save" = the save statement alone (target: sinau ÷ pgbench ≥ 0.6).
#
# Attempts are fresh (quiz_start) before each step; ids are made
# predictable (participant n's attempt is ba<n>, questions bq1…, options
# o1…o4, users bu<n>) so pgbench can address them without a lookup.
#
#   tests/bench/p9_quiz.sh
#   SMOKE=1 tests/bench/p9_quiz.sh   (1 round, 10 s minutes, 3 s runs)
#
# Settings (environment): ROUNDS (3; 1 with SMOKE), PARTICIPANTS (140),
# QUESTIONS (20), SPREAD (30 s; 5), THINK_MS (1200; 200), DUR (10 s; 3),
# READ_CONNS (8), SAVE_CONNS (64), SINAU_THREADS (2), SINAU_DB_POOL (4),
# PGBENCH_JOBS (2), SINAU_BIN, SINAU_PORT (first free from 18480),
# BENCH_COMMIT. Everything started is stopped at exit.
set -euo pipefail
[[ ${P9_TRACE:-0} == 1 ]] && set -x

BENCH=p9
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ${SMOKE:-0} == 1 ]]; then
    ROUNDS=${ROUNDS:-1} SPREAD=${SPREAD:-5} THINK_MS=${THINK_MS:-200} DUR=${DUR:-3}
fi
ROUNDS=${ROUNDS:-3}
PARTICIPANTS=${PARTICIPANTS:-140}
QUESTIONS=${QUESTIONS:-20}
SPREAD=${SPREAD:-30}
THINK_MS=${THINK_MS:-1200}
DUR=${DUR:-10}
READ_CONNS=${READ_CONNS:-8}
SAVE_CONNS=${SAVE_CONNS:-64}
THREADS=${SINAU_THREADS:-2}
POOL=${SINAU_DB_POOL:-4}
PGBENCH_JOBS=${PGBENCH_JOBS:-2}
posint ROUNDS PARTICIPANTS QUESTIONS DUR READ_CONNS SAVE_CONNS THREADS POOL PGBENCH_JOBS THINK_MS
[[ $SPREAD =~ ^[0-9]+$ ]] || die "SPREAD must be a whole number of seconds"
[[ -x $SINAU_BIN ]] || die "$SINAU_BIN not found: run 'make build'"
need wrk pgbench psql curl python3 node
PGB_CONNS=$((THREADS * POOL))
IDLE_S=28800 # SINAU_SESSION_IDLE_S's default: the session check's $2

SESSION_SQL=$(extract_stmt "$ROOT/server/auth/guard.c" session_stmt) || die "cannot read session_stmt"
SAVE_SQL=$(extract_stmt "$ROOT/server/api/attempts.c" save_stmt) || die "cannot read save_stmt"
# shellcheck disable=SC2016 # literal $n placeholders
[[ $SAVE_SQL == *'$5'* && $SAVE_SQL != *'$6'* ]] || die "unexpected parameters in the save statement: $SAVE_SQL"

# ------------------------------------------------------------- fixtures --

bench_cluster
bench_db_new
DB=$BENCH_DB_URL
q() { psql -X -v ON_ERROR_STOP=1 -qAt -d "$DB" "$@"; }

log "database $BENCH_DB_NAME; $PARTICIPANTS participants, a post-test of $QUESTIONS questions"
python3 "$ROOT/tests/bench/p3_fixtures.py" "$PARTICIPANTS" "$TMP"
q -v questions="$QUESTIONS" >/dev/null <<EOF
create table bench_participants (n integer primary key, user_id text not null,
                                 segment text not null, token_hash text not null);
\copy bench_participants from '$TMP/participants.tsv'
update bench_participants set user_id = 'bu' || n, segment = 'public';
insert into users (id, email, full_name, role, password_hash)
select user_id, 'bench-' || n || '@bench.invalid', 'Peserta ' || n, 'participant',
       '\$argon2id\$v=19\$m=65536,t=2,p=1\$YmVuY2hiZW5jaGJlbmNo\$bm90IGEgcmVhbCBoYXNo'
  from bench_participants
union all
select 'bench-admin', 'admin@bench.invalid', 'Admin', 'admin',
       '\$argon2id\$v=19\$m=65536,t=2,p=1\$YmVuY2hiZW5jaGJlbmNo\$bm90IGEgcmVhbCBoYXNo';
insert into profiles (user_id, nik_enc, nik_bidx, nik_mask, nik_region)
select user_id, 'bench-placeholder', 'nik-' || n, '3573********' || lpad(n::text, 4, '0'), '357301'
  from bench_participants;
insert into sessions (token_hash, user_id, csrf_token, expires_at)
select token_hash, user_id, 'bench-csrf', now() + interval '30 days' from bench_participants;
insert into programmes (id, slug, title) values ('bench-p9', 'bench-p9', 'Bench P9');
insert into modules (id, programme_id, title) values ('bench-m1', 'bench-p9', 'Modul');
insert into lessons (id, module_id, title, body_md, position)
select 'bench-l' || i, 'bench-m1', 'Materi ' || i,
       repeat('Video pendek untuk **usaha** kecil: rencanakan, rekam, sunting. ', 50), i
  from generate_series(1, 3) i;
insert into quizzes (id, module_id, title, kind, review, grading, time_limit_s, max_attempts)
values ('bench-quiz', 'bench-m1', 'Post-test', 'posttest', 'after_attempt', 'best', 7200, null);
insert into quiz_questions (id, quiz_id, type, stem_md, options, points, position)
select 'bq' || k, 'bench-quiz', 'single', 'Pertanyaan nomor ' || k || ' tentang **video**?',
       jsonb_build_array(jsonb_build_object('id', 'o1', 'text_md', 'Pilihan satu', 'correct', true),
                         jsonb_build_object('id', 'o2', 'text_md', 'Pilihan dua', 'correct', false),
                         jsonb_build_object('id', 'o3', 'text_md', 'Pilihan tiga', 'correct', false),
                         jsonb_build_object('id', 'o4', 'text_md', 'Pilihan empat', 'correct', false)),
       1, k
  from generate_series(1, :questions) k;
select content_publish('bench-p9', (select draft_rev from programmes where id = 'bench-p9'),
                       (select jsonb_object_agg(k, '<p>' || md || '</p>')
                          from (select id as k, body_md as md from lessons
                                union all select k, md from quiz_markdown('bench-p9', null)) x),
                       'bench-admin') is not null;
insert into cohorts (id, programme_id, name, registration_opens_at, registration_closes_at,
                     starts_on, ends_on, jp, content_version)
values ('bench-c', 'bench-p9', 'Angkatan P9', now() - interval '1 hour', now() + interval '1 day',
        current_date, current_date + 30, 32, 1);
insert into cohort_segments (cohort_id, segment, quota, waitlist) values ('bench-c', 'public', 100000, false);
select count(*) from (select reg_register('bench-c', user_id, 'public') from bench_participants) r;
EOF
q -c 'vacuum analyze' >/dev/null
confirmed=$(q -c "select count(*) from registrations where cohort_id = 'bench-c' and status = 'confirmed'")
[[ $confirmed == "$PARTICIPANTS" ]] || die "only $confirmed of $PARTICIPANTS participants confirmed"

# Fresh attempts for everyone (the earlier ones and their answers gone),
# renamed ba<n> so every side can address them.
fresh_attempts() {
    q <<'EOF' >/dev/null
delete from quiz_attempts;
select quiz_start('bench-c', 'bench-quiz', p.user_id, 'participant') from bench_participants p;
update quiz_attempts a set id = 'ba' || p.n from bench_participants p where p.user_id = a.user_id;
update sessions set last_seen_at = now();
checkpoint;
EOF
}

# pgbench scripts: $n → pgbench variables.
python3 - "$SESSION_SQL" "$SAVE_SQL" "$TMP" "$PARTICIPANTS" "$QUESTIONS" <<'PY'
import re, sys
session, save, tmp, n, k = sys.argv[1:6]
def sub(sql, names):
    return re.sub(r'\$(\d+)', lambda m: names[int(m.group(1)) - 1], sql)
pick = (f"\\set n random(0, {int(n) - 1})\n\\set k random(1, {k})\n\\set c random(1, 4)\n")
body = "('{\"option_ids\":[\"o' || :c || '\"]}')"
with open(f"{tmp}/request.sql", "w") as f:
    f.write("-- the session check, then the save (sinau's two statements per save);\n"
            "-- the token hash is looked up first, which sinau does not need\n" + pick +
            "select token_hash from bench_participants where n = :n \\gset p_\n" +
            sub(session, [":p_token_hash", ":idle_s"]) + " \\gset s_\n" +
            sub(save, ["'ba' || :n", "'bq' || :k", ":s_user_id", body, "null"]) + ";\n")
with open(f"{tmp}/save.sql", "w") as f:
    f.write("-- the save statement alone\n" + pick +
            sub(save, ["'ba' || :n", "'bq' || :k", "'bu' || :n", body, "null"]) + ";\n")
PY

# ------------------------------------------------------------- the server --

PORT=${SINAU_PORT:-$(free_port 18480)}
log "starting sinau serve on 127.0.0.1:$PORT ($THREADS threads, pool $POOL each)"
start_sinau sinau "$PORT" SINAU_THREADS="$THREADS" SINAU_DB_POOL="$POOL"
BASE=http://127.0.0.1:$PORT
READER=$(awk -F '\t' 'NR == 1 { print $3 }' "$TMP/tokens.tsv")

fresh_attempts
code=$(curl -s -o "$TMP/save.json" -w '%{http_code}' -X PUT -H "Authorization: Bearer $READER" \
    -H 'Content-Type: application/json' --data '{"option_ids":["o2"]}' "$BASE/api/v1/attempts/ba0/answers/bq1")
[[ $code == 200 ]] || die "a save through sinau answered $code: $(cat "$TMP/save.json")"
for s in request save; do
    pgbench -n -M prepared -c 1 -t 5 -D idle_s="$IDLE_S" -f "$TMP/$s.sql" "$DB" >"$TMP/pgb-check.log" 2>&1 ||
        die "pgbench $s.sql failed: $(tail -n 5 "$TMP/pgb-check.log")"
done
psql_save=$(q -c "select (r->>'status') from quiz_save('ba1', 'bq1', 'bu1', '{\"option_ids\":[\"o3\"]}', null) r")
[[ $psql_save == 200 ]] || die "the save statement through psql answered $psql_save"
cat >"$TMP/lesson.lua" <<EOF
wrk.headers["Authorization"] = "Bearer $READER"
EOF

# ------------------------------------------------------------------ runs --

minute() {
    timeout $((SPREAD + QUESTIONS * THINK_MS * 3 / 2000 + 120)) node "$ROOT/tests/bench/p9_minute.mjs" \
        "$TMP/tokens.tsv" "$BASE" "$QUESTIONS" "$SPREAD" "$THINK_MS" >"$TMP/minute.json" 2>"$TMP/minute.err" ||
        {
            cat "$TMP/minute.err" >&2
            die "the minute's client failed"
        }
    node -e '
        const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        const bad = Object.entries(s.by_status).filter(([k]) => !/ 200$/.test(k));
        console.log(s.p50, s.p99, s.saves, s.saves_per_s, s.elapsed, s.close_p99, s.closed,
                    bad.length ? JSON.stringify(Object.fromEntries(bad)) : "none")' "$TMP/minute.json"
}

printf 'P9 quiz saves: %s participants x %s questions, sinau %s threads x pool %s, loopback, %s cores\n' \
    "$PARTICIPANTS" "$QUESTIONS" "$THREADS" "$POOL" "$(nproc)"
I50=() I99=() L50=() L99=() RPS=() SAVES=() PGR=() PGS=() BAD=0
for ((r = 1; r <= ROUNDS; r++)); do
    fresh_attempts
    read -r p50 p99 n rate el cp99 closed bad < <(minute)
    I50+=("$p50") I99+=("$p99")
    [[ $bad == none && $closed == "$PARTICIPANTS" ]] || BAD=$((BAD + 1))
    printf 'round %s idle minute:    saves p50 %7.2f ms  p99 %7.2f ms  (%s saves, %s/s, %s s; close p99 %s ms; %s closed; errors %s)\n' \
        "$r" "$p50" "$p99" "$n" "$rate" "$el" "$cp99" "$closed" "$bad"

    fresh_attempts
    wrk -t1 -c"$READ_CONNS" -d$((SPREAD + QUESTIONS * THINK_MS * 3 / 2000 + 30))s -s "$TMP/lesson.lua" \
        "$BASE/api/v1/cohorts/bench-c/lessons/bench-l2" >"$TMP/readers.txt" 2>&1 &
    readers=$!
    BENCH_PIDS+=("$readers")
    sleep 1
    read -r p50 p99 n rate el cp99 closed bad < <(minute)
    kill -INT "$readers" 2>/dev/null || true
    wait "$readers" 2>/dev/null || true
    reads=$(awk '/^Requests\/sec:/ { print $2 }' "$TMP/readers.txt")
    L50+=("$p50") L99+=("$p99")
    [[ $bad == none && $closed == "$PARTICIPANTS" ]] || BAD=$((BAD + 1))
    printf 'round %s loaded minute:  saves p50 %7.2f ms  p99 %7.2f ms  (%s saves, %s/s; close p99 %s ms; %s closed; errors %s) while the site was read at %s req/s\n' \
        "$r" "$p50" "$p99" "$n" "$rate" "$cp99" "$closed" "$bad" "${reads:-?}"

    fresh_attempts
    out=$(P9_TOKENS="$TMP/tokens.tsv" P9_QUESTIONS="$QUESTIONS" wrk -t2 -c"$SAVE_CONNS" -d"${DUR}s" --latency \
        -s "$ROOT/tests/bench/p9_saves.lua" "$BASE" 2>&1)
    read -r sp50 sp99 srps <<<"$(wrk_latency <<<"$out")"
    non200=$(awk '/^non200/ { print $2 }' <<<"$out")
    [[ ${non200:-1} == 0 ]] || {
        BAD=$((BAD + 1))
        log "round $r: $non200 saves were not answered 200"
    }
    SAVES+=("$srps")

    fresh_attempts
    out=$(pgbench -n -M prepared -c "$PGB_CONNS" -j "$PGBENCH_JOBS" -T "$DUR" -D idle_s="$IDLE_S" \
        -f "$TMP/request.sql" "$DB" 2>&1) || log "round $r: pgbench request: $(tail -n 3 <<<"$out")"
    rtps=$(awk '/^tps = / { print $3; exit }' <<<"$out")
    out=$(pgbench -n -M prepared -c "$PGB_CONNS" -j "$PGBENCH_JOBS" -T "$DUR" -f "$TMP/save.sql" "$DB" 2>&1) ||
        log "round $r: pgbench save: $(tail -n 3 <<<"$out")"
    stps=$(awk '/^tps = / { print $3; exit }' <<<"$out")
    PGR+=("${rtps:-0}") PGS+=("${stps:-0}")
    printf 'round %s throughput:     sinau %9.2f saves/s (p50 %s ms, p99 %s ms, %s conns)  pgbench request %9.2f tx/s  save %9.2f tx/s (-c %s)\n' \
        "$r" "$srps" "$sp50" "$sp99" "$SAVE_CONNS" "${rtps:-0}" "${stps:-0}" "$PGB_CONNS"
done

m_i50=$(median <<<"${I50[*]}") m_i99=$(median <<<"${I99[*]}")
m_l50=$(median <<<"${L50[*]}") m_l99=$(median <<<"${L99[*]}")
m_s=$(median <<<"${SAVES[*]}") m_r=$(median <<<"${PGR[*]}") m_p=$(median <<<"${PGS[*]}")
printf 'medians over %s round(s):\n' "$ROUNDS"
printf '  saves p99 idle %s ms, while the site is read %s ms (x%s; target < 250 ms); p50 %s / %s ms\n' \
    "$m_i99" "$m_l99" "$(div "$m_l99" "$m_i99")" "$m_i50" "$m_l50"
printf '  saves/s: sinau %s; pgbench request %s, save %s; ratio %s and %s (target >= 0.60)\n' \
    "$m_s" "$m_r" "$m_p" "$(div "$m_s" "$m_r")" "$(div "$m_s" "$m_p")"
commit=${BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")}
printf '\nRESULTS.md row:\n| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s x %s q, %s threads x pool %s, readers -c %s, wrk -c %s, pgbench -c %s, %s s |\n' \
    "$(date -u +%Y-%m-%d)" "$commit" "$m_i99" "$m_l99" "$(div "$m_l99" "$m_i99")" "$m_s" "$m_r" \
    "$(div "$m_s" "$m_r")" "$m_p" "$(div "$m_s" "$m_p")" "$PARTICIPANTS" "$QUESTIONS" "$THREADS" "$POOL" \
    "$READ_CONNS" "$SAVE_CONNS" "$PGB_CONNS" "$DUR"
((BAD == 0)) || {
    log "FAILED: $BAD run(s) with errors"
    exit 1
}
