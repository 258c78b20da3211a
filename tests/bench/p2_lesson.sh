#!/usr/bin/env bash
# PERFORMANCE.md P2: a DB-backed GET, a lesson read by a signed-in
# participant (GET /api/v1/cohorts/{id}/lessons/{lesson_id}), against pgbench
# running the same SQL with as many connections as sinau's pool has,
# alternately, round after round. Prints every run, the medians and two
# ratios:
#
#   sinau ÷ pgbench "request": both statements sinau runs per request, the
#        session check (auth_session_check, server/auth/guard.c: the lesson
#        route is AUTH_OPTIONAL, so a bearer token costs this query first)
#        and then the lesson statement (learn_lesson, server/api/learning.c),
#        the second fed by the first through \gset — the honest comparison;
#   sinau ÷ pgbench "lesson": the lesson statement alone (what P2 literally
#        names; sinau does twice the database round trips of this one).
#
# The SQL pgbench runs is taken from the C sources at run time (so it cannot
# drift) and checked first: the lesson statement run by psql must give
# byte for byte the body sinau serves.
#
#   tests/bench/p2_lesson.sh
#   SMOKE=1 tests/bench/p2_lesson.sh          (2 s runs, 1 round)
#   PROFILE=perf tests/bench/p2_lesson.sh     (then perf stat + perf record -g)
#   PROFILE=callgrind tests/bench/p2_lesson.sh  (instructions per request)
#
# Settings (environment): DUR (s, 10; 2 with SMOKE=1), ROUNDS (3; 1), CONNS
# (wrk connections, 64), WRK_THREADS (2), SINAU_THREADS (2), SINAU_DB_POOL
# (4 per thread; pgbench -c = threads × pool), PGBENCH_JOBS (2), BODY_BYTES
# (~3000 bytes of lesson HTML), OTHERS (2000 other confirmed participants
# with sessions and progress, so that indexes are not one row deep),
# SINAU_BIN, SINAU_PORT (first free from 18380), DATABASE_URL (else the
# private cluster via scripts/dev.sh), PROFILE (perf or 1: perf stat and
# perf record -g on sinau during two more wrk runs of DUR s; callgrind: a
# second sinau under valgrind, instructions per request; the report goes to
# PROFILE_OUT, default /tmp/p2-profile-<time>.txt), HOLD (1: keep everything
# up at the end for a look by hand, until Ctrl-C). Everything started is
# stopped at exit.
set -euo pipefail

# shellcheck disable=SC2034 # used by lib.sh
BENCH=p2
# shellcheck source=tests/bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ${SMOKE:-0} == 1 ]]; then
    DUR=${DUR:-2}
    ROUNDS=${ROUNDS:-1}
fi
DUR=${DUR:-10}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-64}
WRK_THREADS=${WRK_THREADS:-2}
THREADS=${SINAU_THREADS:-2}
POOL=${SINAU_DB_POOL:-4}
PGBENCH_JOBS=${PGBENCH_JOBS:-2}
BODY_BYTES=${BODY_BYTES:-3000}
OTHERS=${OTHERS:-2000}
PROFILE=${PROFILE:-0}
IDLE_S=${SINAU_SESSION_IDLE_S:-28800} # what sinau passes to the session check (its default)

posint DUR ROUNDS CONNS WRK_THREADS THREADS POOL PGBENCH_JOBS BODY_BYTES OTHERS
[[ -x $SINAU_BIN ]] || die "$SINAU_BIN not found: run 'make build'"
need wrk pgbench psql curl python3
case $PROFILE in
0) ;;
1 | perf) need perf ;;
callgrind) need valgrind callgrind_control callgrind_annotate ;;
*) die "PROFILE is perf (or 1) or callgrind, not '$PROFILE'" ;;
esac
PGB_CONNS=$((THREADS * POOL))

# ------------------------------------------------ the SQL sinau runs --

SESSION_SQL=$(extract_stmt "$ROOT/server/auth/guard.c" session_stmt) || die "cannot read session_stmt"
LESSON_SQL=$(extract_stmt "$ROOT/server/api/learning.c" lesson_stmt) || die "cannot read lesson_stmt"
# shellcheck disable=SC2016 # literal $n placeholders
[[ $SESSION_SQL == *'$2'* && $LESSON_SQL == *'$4'* && $LESSON_SQL != *'$5'* ]] ||
    die "unexpected parameters in the statements: $SESSION_SQL / $LESSON_SQL"

# ----------------------------------------------------------- fixtures --

bench_cluster
bench_db_new
DB=$BENCH_DB_URL
q() { psql -X -v ON_ERROR_STOP=1 -qAt -d "$DB" "$@"; }

# The participant's token as sinau hands it out (43 chars of base64url) and
# its BLAKE2b-256 in lowercase hex, as stored in sessions.token_hash.
read -r TOKEN TOKEN_HASH < <(python3 -c '
import base64, hashlib, secrets
t = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
print(t, hashlib.blake2b(t.encode(), digest_size=32).hexdigest())')
[[ ${#TOKEN} == 43 && ${#TOKEN_HASH} == 64 ]] || die "token generation failed"

log "database $BENCH_DB_NAME: a programme of 2 modules x 5 lessons (~$BODY_BYTES B of HTML each), v1 published, a cohort, 1 + $OTHERS participants"
# lesson HTML: headings, paragraphs with emphasis and links, a list —
# what cmark makes of a typical lesson — repeated up to BODY_BYTES.
q -v token_hash="$TOKEN_HASH" -v body_bytes="$BODY_BYTES" -v others="$OTHERS" >"$TMP/fixtures.out" <<'SQL'
create temporary table ids (k text primary key, v text not null);
insert into users (email, full_name, role, password_hash)
values ('admin@bench.invalid', 'Bench Admin', 'admin', '$argon2id$v=19$m=65536,t=2,p=1$bench$bench'),
       ('peserta@bench.invalid', 'Peserta Bench', 'participant', '$argon2id$v=19$m=65536,t=2,p=1$bench$bench');
insert into ids select 'admin', id from users where email = 'admin@bench.invalid';
insert into ids select 'user', id from users where email = 'peserta@bench.invalid';
insert into sessions (token_hash, user_id, csrf_token, expires_at, ip)
select :'token_hash', v, md5(random()::text), now() + interval '7 days', '127.0.0.1'
  from ids where k = 'user';
insert into programmes (slug, title, description)
values ('literasi-digital', 'Literasi Digital untuk UMKM', 'Program pelatihan literasi digital.');
insert into ids select 'programme', id from programmes where slug = 'literasi-digital';
insert into modules (programme_id, title, position)
select (select v from ids where k = 'programme'), 'Modul ' || m, m from generate_series(1, 2) m;
insert into lessons (module_id, title, body_md, video_url, video_provider, video_embed_url,
                     duration_minutes, position)
select mo.id, format('Pelajaran %s.%s: Memulai toko daring', mo.position, l),
       repeat('Paragraf pelajaran dalam Markdown dengan **penekanan** dan [tautan](https://example.org/). ', 30),
       'https://www.youtube.com/watch?v=dQw4w9WgXcQ', 'youtube',
       'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ', 20 + l, l
  from modules mo, generate_series(1, 5) l;
-- the HTML each lesson publishes with: whole sections up to BODY_BYTES
create temporary table html as
select id, string_agg(section, '' order by i) as body
  from (select l.id, i, section,
               sum(length(section)) over (partition by l.id order by i) - length(section) as before
          from lessons l, generate_series(1, 100) i,
               lateral (select format(
                   '<h2>Bagian %1$s</h2>' ||
                   '<p>Dalam bagian %1$s kita membahas cara <strong>memasarkan produk</strong> secara daring, ' ||
                   'mulai dari foto produk yang jelas, deskripsi yang jujur, hingga harga yang bersaing. ' ||
                   'Baca juga <a href="https://example.org/panduan/%1$s">panduan lengkapnya</a>.</p>' ||
                   '<ul><li>Siapkan akun &amp; profil usaha</li><li>Unggah <em>katalog</em> produk</li>' ||
                   '<li>Tanggapi pertanyaan pembeli dalam 24 jam</li></ul>', i) as section) x) q
 where before < :body_bytes
 group by id;
do $$
declare
    r json;
begin
    r := content_publish((select v from ids where k = 'programme'),
                         (select draft_rev from programmes where slug = 'literasi-digital'),
                         (select jsonb_object_agg(id, body) from html),
                         (select v from ids where k = 'admin'));
    if r ->> 'status' <> '201' then
        raise exception 'content_publish: %', r;
    end if;
end
$$;
insert into cohorts (programme_id, name, registration_opens_at, registration_closes_at, starts_on,
                     ends_on, jp, content_version)
select v, 'Angkatan 1', now() - interval '30 days', now() - interval '1 day', current_date - 7,
       current_date + 30, 32, 1 from ids where k = 'programme';
insert into ids select 'cohort', id from cohorts;
insert into cohort_segments (cohort_id, segment, quota, confirmed)
select v, 'public', 100000, 1 + :others from ids where k = 'cohort';
insert into registrations (cohort_id, user_id, segment, status, seq)
select (select v from ids where k = 'cohort'), v, 'public', 'confirmed',
       nextval('registration_arrival_seq') from ids where k = 'user';
-- the other participants: accounts, sessions, registrations, some progress
insert into users (email, full_name, role, password_hash)
select format('peserta-%s@bench.invalid', i), format('Peserta %s', i), 'participant',
       '$argon2id$v=19$m=65536,t=2,p=1$bench$bench'
  from generate_series(1, :others) i;
insert into sessions (token_hash, user_id, csrf_token, expires_at)
select encode(sha256(convert_to(random()::text || id, 'UTF8')), 'hex'), id, md5(random()::text),
       now() + interval '7 days'
  from users where email like 'peserta-%';
insert into registrations (cohort_id, user_id, segment, status, seq)
select (select v from ids where k = 'cohort'), id, 'public', 'confirmed',
       nextval('registration_arrival_seq')
  from users where email like 'peserta-%';
-- the participant has done the first three lessons, the others 1 to 6
insert into lesson_progress (cohort_id, user_id, lesson_id)
select r.cohort_id, r.user_id, vl.lesson_id
  from registrations r join version_lessons vl
    on vl.ordinal <= case when r.user_id = (select v from ids where k = 'user') then 3
                          else 1 + abs(hashtext(r.user_id)) % 6 end;
vacuum analyze;
-- the lesson read: the third in reading order (it has a previous and a next)
select (select v from ids where k = 'cohort'),
       (select lesson_id from version_lessons where ordinal = 3),
       (select v from ids where k = 'user');
SQL
read -r COHORT LESSON USER_ID < <(tail -n 1 "$TMP/fixtures.out" | tr '|' ' ')
[[ -n ${USER_ID:-} ]] || die "fixtures: no cohort/lesson/user ids: $(cat "$TMP/fixtures.out")"

# ------------------------------------------------------------- sinau --

PORT=${SINAU_PORT:-$(free_port 18380)}
log "starting sinau on 127.0.0.1:$PORT ($THREADS threads, pool $POOL per thread)"
start_sinau sinau "$PORT" SINAU_THREADS="$THREADS" SINAU_DB_POOL="$POOL"
URL=http://127.0.0.1:$PORT/api/v1/cohorts/$COHORT/lessons/$LESSON
AUTH="Authorization: Bearer $TOKEN"

code=$(curl -s -o "$TMP/lesson.json" -w '%{http_code}' -H "$AUTH" "$URL")
[[ $code == 200 ]] || die "GET lesson answered $code: $(head -c 300 "$TMP/lesson.json")"
python3 - "$TMP/lesson.json" <<'PY' || die "the lesson body is not what was published"
import json, sys
b = json.load(open(sys.argv[1]))
assert b["previous_id"] and b["next_id"] and b["video"]["provider"] == "youtube", b
assert b["completed"] is True and len(b["body_html"]) > 1000, b
PY
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL")
[[ $code == 404 ]] || die "an anonymous lesson read answered $code, not 404"
RESPONSE_BYTES=$(curl -s -i -H "$AUTH" "$URL" | wc -c)
BODY_LEN=$(wc -c <"$TMP/lesson.json")

# ----------------------------------------------------- pgbench scripts --

# $n → pgbench variables (pgbench turns each :var back into a parameter of
# its prepared statement; a variable used twice becomes two parameters).
python3 - "$SESSION_SQL" "$LESSON_SQL" "$TMP" <<'PY'
import re, sys
session, lesson, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
def sub(sql, names):
    return re.sub(r'\$(\d+)', lambda m: ':' + names[int(m.group(1)) - 1], sql)
s = sub(session, ["token_hash", "idle_s"])
l_req = sub(lesson, ["cohort", "lesson", "s_user_id", "s_role"])
l_alone = sub(lesson, ["cohort", "lesson", "user_id", "role"])
with open(f"{tmp}/request.sql", "w") as f:
    f.write(f"-- both statements sinau runs per request\n{s} \\gset s_\n{l_req};\n")
with open(f"{tmp}/lesson.sql", "w") as f:
    f.write(f"-- the lesson statement alone\n{l_alone};\n")
PY
PGB_VARS=(-D cohort="$COHORT" -D lesson="$LESSON" -D user_id="$USER_ID" -D role=participant
    -D token_hash="$TOKEN_HASH" -D idle_s="$IDLE_S")

# The lesson statement, run by psql with the same parameters, gives the very
# bytes sinau serves (the body is PostgreSQL's JSON passed straight through).
q -v c="$COHORT" -v l="$LESSON" -v u="$USER_ID" >"$TMP/psql.json" <<SQL
prepare p2_lesson as $LESSON_SQL;
execute p2_lesson(:'c', :'l', :'u', 'participant');
SQL
# the statement answers (status, body): the body is what sinau sends
printf '%s' "$(sed '1s/^[0-9]*|//' "$TMP/psql.json")" >"$TMP/psql.trim"
cmp -s "$TMP/psql.trim" "$TMP/lesson.json" ||
    die "psql's lesson ($(wc -c <"$TMP/psql.trim") B) differs from sinau's ($BODY_LEN B)"
# and both pgbench scripts run without errors
for s in request lesson; do
    pgbench -n -M prepared -c 1 -t 3 "${PGB_VARS[@]}" -f "$TMP/$s.sql" "$DB" >"$TMP/check.out" 2>&1 ||
        {
            cat "$TMP/check.out" >&2
            die "pgbench $s.sql fails"
        }
done

# ------------------------------------------------------------------ runs --

# Where the CPU goes, per request or transaction, in µs: the processes'
# own counters (/proc/PID/stat, /usr/bin/time) and the whole machine
# (/proc/stat: every process, other people's included on a shared box). On a
# CPU-bound box, throughput ≈ cores ÷ machine CPU per operation, so these
# explain the ratio.
time_us() { # /usr/bin/time -f '%U %S' output file, OPS → µs per op
    awk -v n="$2" 'END { printf "%.1f", (n > 0) ? ($1 + $2) * 1e6 / n : 0 }' "$1"
}
backend_pids() {
    q -c "select pid from pg_stat_activity where datname = current_database()
            and application_name = 'sinau' and pid <> pg_backend_pid()"
}

# One wrk run on the lesson; sets RPS P50 P99 and CPU µs per request:
# C_SINAU (sinau), C_PG (its PostgreSQL backends), C_WRK (wrk), C_ALL (machine).
run_sinau() {
    local dur=$1 out n s0 s1 b0 b1 m0 m1 pids
    mapfile -t pids < <(backend_pids)
    s0=$(ticks "$SINAU_PID") b0=$(ticks "${pids[@]}") m0=$(machine_ticks)
    out=$(/usr/bin/time -f '%U %S' -o "$TMP/wrk.time" \
        wrk -t"$WRK_THREADS" -c"$CONNS" -d"${dur}s" --latency -H "$AUTH" "$URL")
    s1=$(ticks "$SINAU_PID") b1=$(ticks "${pids[@]}") m1=$(machine_ticks)
    # a non-2xx answer or a broken connection spoils the run; a few
    # requests slower than wrk's 2 s timeout on a busy box are only reported
    if grep -q 'Non-2xx' <<<"$out" ||
        grep -qE 'Socket errors: connect [1-9]|read [1-9]|write [1-9]' <<<"$out"; then
        die "sinau: $(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' ' | tr '\n' ';') — not a valid run"
    fi
    if grep -q 'Socket errors' <<<"$out"; then
        log "sinau: $(grep 'Socket errors' <<<"$out" | tr -s ' ')"
    fi
    read -r P50 P99 RPS <<<"$(wrk_latency <<<"$out")"
    n=$(awk '/requests in/ { print $1 }' <<<"$out")
    N_REQ=$n
    C_SINAU=$(per_op $((s1 - s0)) "$n")
    C_PG=$(per_op $((b1 - b0)) "$n")
    C_WRK=$(time_us "$TMP/wrk.time" "$n")
    C_ALL=$(per_op $((m1 - m0)) "$n")
}

# One pgbench run of SCRIPT; sets TPS, LAT (ms) and CPU µs per transaction:
# C_CLIENT (pgbench itself), C_PG (its backends, measured from 1 s after the
# start to 1 s before the end: they exit with pgbench; "-" when DUR < 4),
# C_ALL (machine).
run_pgbench() {
    local script=$1 out failed n m0 m1 pid pids=() b0 b1 t0 t1
    m0=$(machine_ticks)
    /usr/bin/time -f '%U %S' -o "$TMP/pgbench.time" \
        pgbench -n -M prepared -c "$PGB_CONNS" -j "$PGBENCH_JOBS" -T "$DUR" "${PGB_VARS[@]}" \
        -f "$TMP/$script.sql" "$DB" >"$TMP/pgbench.out" 2>&1 &
    pid=$!
    C_PG=-
    if ((DUR >= 4)); then
        sleep 1
        mapfile -t pids < <(q -c "select pid from pg_stat_activity
                                   where datname = current_database()
                                     and application_name = 'pgbench'")
        b0=$(ticks "${pids[@]}") t0=$(date +%s.%N)
        sleep $((DUR - 2))
        b1=$(ticks "${pids[@]}") t1=$(date +%s.%N)
    fi
    wait "$pid" || die "pgbench $script failed: $(tail -n 3 "$TMP/pgbench.out")"
    m1=$(machine_ticks)
    out=$(cat "$TMP/pgbench.out")
    failed=$(awk '/^number of failed transactions:/ { print $5 }' <<<"$out")
    [[ ${failed:-0} == 0 ]] || die "pgbench $script: $failed failed transactions"
    TPS=$(awk '/^tps = / { print $3; exit }' <<<"$out")
    LAT=$(awk '/^latency average/ { print $4 }' <<<"$out")
    n=$(awk '/^number of transactions actually processed:/ { print $6 }' <<<"$out")
    [[ -n $TPS && -n $n ]] || die "no tps from pgbench $script: $out"
    C_CLIENT=$(time_us "$TMP/pgbench.time" "$n")
    C_ALL=$(per_op $((m1 - m0)) "$n")
    if ((${#pids[@]} > 0)); then
        C_PG=$(awk -v d=$((b1 - b0)) -v hz="$HZ" -v tps="$TPS" -v t0="$t0" -v t1="$t1" \
            'BEGIN { n = tps * (t1 - t0); printf "%.1f", (n > 0) ? d / hz * 1e6 / n : 0 }')
    fi
}

log "warming up (1 s of wrk: every pool connection prepares its statements)"
run_sinau 1
[[ -n $(backend_pids) ]] || die "no PostgreSQL backend with application_name sinau"

printf 'P2 GET lesson (bearer token): sinau (%s threads x pool %s) vs pgbench -M prepared -c %s -j %s, PostgreSQL %s, loopback, %s cores (shared)\n' \
    "$THREADS" "$POOL" "$PGB_CONNS" "$PGBENCH_JOBS" \
    "$(q -c 'show server_version' | awk '{ print $1 }')" "$(nproc)"
printf 'wrk -t%s -c%s -d%ss; pgbench -T %s; %s round(s); lesson body %s B (%s B with headers), HTML %s B\n' \
    "$WRK_THREADS" "$CONNS" "$DUR" "$DUR" "$ROUNDS" "$BODY_LEN" "$RESPONSE_BYTES" \
    "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["body_html"].encode()))' "$TMP/lesson.json")"
printf 'pgbench "request" = auth_session_check + learn_lesson (2 statements, as sinau per request); "lesson" = learn_lesson alone\n'
printf 'CPU in us per request/transaction: sinau = sinau process + its PostgreSQL backends + wrk; pgbench = its backends + its client; all = whole machine\n'
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
printf 'load average at start: %s\n' "$LOAD_START"

S_RPS=() S_P99=() PR_TPS=() PL_TPS=() RR=() RL=()
S_CS=() S_CPG=() S_CW=() S_CA=() R_CC=() R_CA=() R_CP=() L_CC=() L_CA=() L_CP=()
for ((r = 1; r <= ROUNDS; r++)); do
    run_sinau "$DUR"
    S_RPS+=("$RPS") S_P99+=("$P99") S_CS+=("$C_SINAU") S_CPG+=("$C_PG") S_CW+=("$C_WRK")
    S_CA+=("$C_ALL")
    s_rps=$RPS
    printf 'round %s  sinau            %9.2f req/s  p50 %6.2f ms  p99 %6.2f ms  CPU: sinau %5.1f + pg %5.1f + wrk %5.1f, all %5.1f\n' \
        "$r" "$RPS" "$P50" "$P99" "$C_SINAU" "$C_PG" "$C_WRK" "$C_ALL"
    run_pgbench request
    PR_TPS+=("$TPS") R_CC+=("$C_CLIENT") R_CA+=("$C_ALL") R_CP+=("$C_PG") RR+=("$(div "$s_rps" "$TPS")")
    printf 'round %s  pgbench request  %9.2f tx/s   avg %6.3f ms                 CPU: pg %5s + client %5.1f, all %5.1f\n' \
        "$r" "$TPS" "$LAT" "$C_PG" "$C_CLIENT" "$C_ALL"
    run_pgbench lesson
    PL_TPS+=("$TPS") L_CC+=("$C_CLIENT") L_CA+=("$C_ALL") L_CP+=("$C_PG") RL+=("$(div "$s_rps" "$TPS")")
    printf 'round %s  pgbench lesson   %9.2f tx/s   avg %6.3f ms                 CPU: pg %5s + client %5.1f, all %5.1f\n' \
        "$r" "$TPS" "$LAT" "$C_PG" "$C_CLIENT" "$C_ALL"
    printf 'round %s  ratios: sinau / pgbench request %s, sinau / pgbench lesson %s\n' "$r" \
        "${RR[-1]}" "${RL[-1]}"
done

m_s=$(median <<<"${S_RPS[*]}")
m_p99=$(median <<<"${S_P99[*]}")
m_req=$(median <<<"${PR_TPS[*]}")
m_les=$(median <<<"${PL_TPS[*]}")
ratio_req=$(div "$m_s" "$m_req")
ratio_les=$(div "$m_s" "$m_les")
printf 'median: sinau %s req/s (p99 %s ms); pgbench request %s tx/s; pgbench lesson %s tx/s\n' \
    "$m_s" "$m_p99" "$m_req" "$m_les"
pgmed() { if [[ $1 == *-* ]]; then printf -- '-'; else median <<<"$1"; fi; }
m_cs=$(median <<<"${S_CS[*]}") m_cpg=$(median <<<"${S_CPG[*]}") m_cw=$(median <<<"${S_CW[*]}")
m_rp=$(pgmed "${R_CP[*]}") m_rc=$(median <<<"${R_CC[*]}")
m_lp=$(pgmed "${L_CP[*]}") m_lc=$(median <<<"${L_CC[*]}")
printf 'median CPU us/op: sinau %s + its backends %s + wrk %s (machine %s); pgbench request: backends %s + client %s (machine %s); pgbench lesson: backends %s + client %s (machine %s)\n' \
    "$m_cs" "$m_cpg" "$m_cw" "$(median <<<"${S_CA[*]}")" "$m_rp" "$m_rc" \
    "$(median <<<"${R_CA[*]}")" "$m_lp" "$m_lc" "$(median <<<"${L_CA[*]}")"
printf 'ratio sinau / pgbench request (same 2 statements): %s (target >= 0.75); median of the rounds'"'"' ratios %s\n' \
    "$ratio_req" "$(median <<<"${RR[*]}")"
printf 'ratio sinau / pgbench lesson (lesson statement alone): %s (target >= 0.75); median of the rounds'"'"' ratios %s\n' \
    "$ratio_les" "$(median <<<"${RL[*]}")"
# What the ratios would be on an otherwise idle box where CPU is the limit:
# pgbench's own CPU per transaction ÷ sinau's (server + backends + client).
if [[ $m_rp != - ]]; then
    s_own=$(awk -v a="$m_cs" -v b="$m_cpg" -v c="$m_cw" 'BEGIN { print a + b + c }')
    printf 'own CPU per op: sinau %s us, pgbench request %s us, lesson %s us; CPU ratios (pgbench / sinau): request %s, lesson %s\n' \
        "$s_own" "$(awk -v a="$m_rp" -v b="$m_rc" 'BEGIN { print a + b }')" \
        "$(awk -v a="$m_lp" -v b="$m_lc" 'BEGIN { print a + b }')" \
        "$(div "$(awk -v a="$m_rp" -v b="$m_rc" 'BEGIN { print a + b }')" "$s_own")" \
        "$(div "$(awk -v a="$m_lp" -v b="$m_lc" 'BEGIN { print a + b }')" "$s_own")"
fi
commit=${BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')}
printf '\nRESULTS.md row:\n| %s | %s | %s | %s | %s | %s | %s | %s | %s / %s / %s | wrk -t%s -c%s d%ss x%s, %s threads x pool %s, pgbench -c %s -j %s, load %s |\n' \
    "$(date -u +%Y-%m-%d)" "$commit" "$m_s" "$m_p99" "$m_req" "$ratio_req" "$m_les" "$ratio_les" \
    "$(median <<<"${S_CS[*]}")" "$(median <<<"${S_CPG[*]}")" "$(median <<<"${S_CW[*]}")" \
    "$WRK_THREADS" "$CONNS" "$DUR" "$ROUNDS" "$THREADS" "$POOL" "$PGB_CONNS" "$PGBENCH_JOBS" \
    "$(cut -d' ' -f1 <<<"$LOAD_START")"

# ------------------------------------------------------------- profile --

commit_profile() { printf '# P2 profile (%s), commit %s, %s\n' "$1" "$commit" "$(date -u +%Y-%m-%dT%H:%MZ)"; }

# perf: syscalls and context switches per request (perf stat), then where
# sinau's CPU goes (perf record -g, frame-pointer call graphs: libc and
# libevent have none, so their callers are partly lost).
profile_perf() {
    local out=$1 perf_pid n_stat
    log "profiling: perf stat (syscalls, switches) then perf record -g, each during $DUR s of wrk"
    perf stat -x, -o "$TMP/perf.stat" -p "$SINAU_PID" \
        -e raw_syscalls:sys_enter,context-switches,task-clock \
        -e 'syscalls:sys_enter_sendto,syscalls:sys_enter_recvfrom,syscalls:sys_enter_writev' \
        -e 'syscalls:sys_enter_readv,syscalls:sys_enter_ioctl,syscalls:sys_enter_epoll_wait' \
        -e 'syscalls:sys_enter_epoll_ctl' \
        -- sleep "$((DUR + 1))" 2>"$TMP/perf.err" &
    perf_pid=$!
    BENCH_PIDS+=("$perf_pid")
    sleep 0.5
    run_sinau "$DUR"
    n_stat=$N_REQ
    wait "$perf_pid" || {
        cat "$TMP/perf.err" >&2
        die "perf stat failed"
    }
    perf record -q -g -F 999 -p "$SINAU_PID" -o "$TMP/perf.data" -- sleep "$((DUR + 1))" \
        2>"$TMP/perf.err" &
    perf_pid=$!
    BENCH_PIDS+=("$perf_pid")
    sleep 0.5
    run_sinau "$DUR"
    wait "$perf_pid" || {
        cat "$TMP/perf.err" >&2
        die "perf record failed"
    }
    rep() { perf report -i "$TMP/perf.data" --stdio "$@" 2>/dev/null | grep -v '^#' | grep -v '^$'; }
    {
        commit_profile perf
        printf 'sinau %s req/s under perf record; CPU us/req: sinau %s, its backends %s, wrk %s, machine %s\n' \
            "$RPS" "$C_SINAU" "$C_PG" "$C_WRK" "$C_ALL"
        printf '\n## perf stat on sinau during the run before (%s requests, and 1 s idle): count, per request\n' "$n_stat"
        awk -F, -v n="$n_stat" '$1 ~ /^[0-9.]+$/ { printf "%-36s %14s %10.2f\n", $3, $1, $1 / n }' \
            "$TMP/perf.stat"
        printf '\n## by DSO (self)\n'
        rep --no-children --sort dso -g none | sed -n 1,12p
        printf '\n## by symbol (self), top 50\n'
        rep --no-children --sort dso,symbol -g none | sed -n 1,50p
        printf '\n## inclusive (children), top 60\n'
        rep --children --sort symbol -g none | sed -n 1,60p
    } >"$out"
    cp "$TMP/perf.data" "${out%.txt}.data"
}

# callgrind: instructions per request in sinau's user space (repeatable on a
# noisy machine), from a second sinau under valgrind on the same database,
# instrumented only while wrk runs (after a warm-up).
profile_callgrind() {
    local out=$1 port pid cg url
    port=$(free_port $((PORT + 1)))
    cg=$TMP/callgrind.out
    log "profiling: sinau under callgrind on 127.0.0.1:$port, $DUR s of wrk -t1 -c8"
    env DATABASE_URL="$BENCH_DB_URL" SINAU_LISTEN="127.0.0.1:$port" SINAU_DATA_DIR="$TMP/data" \
        SINAU_WEB_DIR="$ROOT/web" SINAU_LOG_LEVEL=warn SINAU_THREADS="$THREADS" \
        SINAU_DB_POOL="$POOL" valgrind --tool=callgrind --instr-atstart=no \
        --callgrind-out-file="$cg" "$SINAU_BIN" serve 2>"$TMP/callgrind.log" &
    pid=$!
    BENCH_PIDS+=("$pid")
    wait_http "http://127.0.0.1:$port/readyz" || die "sinau under valgrind never became ready"
    url=http://127.0.0.1:$port/api/v1/cohorts/$COHORT/lessons/$LESSON
    wrk -t1 -c8 -d2s -H "$AUTH" "$url" >/dev/null
    callgrind_control -i on "$pid" >/dev/null 2>&1
    wrk -t1 -c8 -d"${DUR}s" -H "$AUTH" "$url" >"$TMP/cg-wrk.out"
    callgrind_control -i off "$pid" >/dev/null 2>&1
    stop_pid "$pid"
    if grep -qE 'Non-2xx|Socket errors' "$TMP/cg-wrk.out"; then
        log "callgrind run: $(grep -E 'Non-2xx|Socket errors' "$TMP/cg-wrk.out" | tr '\n' ';')"
    fi
    {
        commit_profile callgrind
        python3 - "$cg" <<'PY'
import collections, re, subprocess, sys
path = sys.argv[1]
names, calls, cfn = {}, collections.Counter(), None
for line in open(path):
    m = re.match(r'(c?fn)=\((\d+)\)(?: (.*))?', line)
    if m:
        if m.group(3):
            names[m.group(2)] = m.group(3).strip()
        if m.group(1) == 'cfn':
            cfn = m.group(2)
        continue
    m = re.match(r'calls=(\d+)', line)
    if m and cfn:
        calls[names.get(cfn, cfn)] += int(m.group(1))
n = calls['on_request']
if n == 0:
    sys.exit('no request seen under callgrind')
def table(inclusive, top):
    txt = subprocess.run(['callgrind_annotate', '--auto=no', '--inclusive=' + inclusive, path],
                         capture_output=True, text=True).stdout
    rows, seen = [], set()
    for l in txt.splitlines():
        m = re.match(r'\s*([\d,]+) \(\s*([\d.]+)%\)\s+(.*)', l)
        if m:
            ir, fn = int(m.group(1).replace(',', '')), m.group(3)
            key = (ir, fn.split(':')[-1].split(' ')[0])  # the same function under two file names
            if key not in seen:
                seen.add(key)
                rows.append((ir, float(m.group(2)), fn))
    return rows[:top]
rows = table('no', 46)
total = rows[0][0]
print(f'{n} requests instrumented; {total} instructions in user space = {total / n:.0f} per request')
per = lambda name: calls.get(name, 0) / n
print('calls per request: ' + ', '.join(f'{f} {per(f):.1f}' for f in (
    'malloc', 'calloc', 'realloc', 'free', 'strdup', '__vsnprintf_chk', 'snprintf',
    'evbuffer_add_printf', 'evhttp_add_header', 'PQsendQueryPrepared', 'PQgetResult')))
print('\n## self, instructions per request (top 45)')
for ir, pct, fn in rows[1:]:
    print(f'{ir / n:9.0f} {pct:5.1f}%  {fn}')
print('\n## inclusive, instructions per request (top 70)')
for ir, pct, fn in table('yes', 71)[1:]:
    print(f'{ir / n:9.0f} {pct:5.1f}%  {fn}')
PY
    } >"$out"
}

if [[ $PROFILE != 0 ]]; then
    PROFILE_OUT=${PROFILE_OUT:-/tmp/p2-profile-$(date -u +%Y%m%dT%H%M%S).txt}
    if [[ $PROFILE == callgrind ]]; then
        profile_callgrind "$PROFILE_OUT"
    else
        profile_perf "$PROFILE_OUT"
    fi
    log "profile in $PROFILE_OUT"
fi

# Keep everything up for a look by hand (Ctrl-C stops it all).
if [[ ${HOLD:-0} == 1 ]]; then
    log "holding: sinau pid $SINAU_PID, $URL"
    log "  header: $AUTH"
    log "  pgbench -n -M prepared -c $PGB_CONNS -j $PGBENCH_JOBS -T $DUR ${PGB_VARS[*]} -f $TMP/request.sql (or lesson.sql) '$DB'"
    while true; do
        sleep 3600 &
        BENCH_PIDS+=("$!")
        wait "$!" || true
    done
fi
