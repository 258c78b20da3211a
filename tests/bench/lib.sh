# shellcheck shell=bash
# lib.sh — shared by the benchmark scripts here (sourced, not run): the
# temporary folder, bench databases on the private cluster, starting sinau,
# waiting for it, and stopping everything started at exit (also on Ctrl-C).
#
# The sourcing script sets BENCH (its short name, for messages) first.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
DEV=$ROOT/scripts/dev.sh
SINAU_BIN=${SINAU_BIN:-$ROOT/build/sinau}

log() { printf '%s: %s\n' "$BENCH" "$*" >&2; }
die() {
    printf '%s: error: %s\n' "$BENCH" "$*" >&2
    exit 1
}

TMP=$(mktemp -d "/tmp/sinau-$BENCH-XXXXXX")
BENCH_PIDS=()  # processes to stop at exit (TERM, then wait)
BENCH_DBS=()   # databases to drop at exit
ADMIN_URL=''
STARTED_CLUSTER=0

bench_cleanup() {
    set +e
    local pid db
    for pid in "${BENCH_PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null
        fi
    done
    for pid in "${BENCH_PIDS[@]}"; do
        wait "$pid" 2>/dev/null
    done
    if [[ -n $ADMIN_URL ]]; then
        for db in "${BENCH_DBS[@]}"; do
            psql -X -qAt -d "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" \
                >/dev/null 2>&1
        done
    fi
    if ((STARTED_CLUSTER)); then
        "$DEV" db-stop >/dev/null 2>&1
    fi
    rm -rf -- "$TMP"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

need() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null || die "$c not found (scripts/dev.sh deps --bench installs wrk)"
    done
}

posint() {
    local v
    for v in "$@"; do
        [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, not '${!v}'"
    done
}

# First port from $1 on that nothing listens on (loopback).
free_port() {
    local p
    for ((p = $1; p < $1 + 200; p++)); do
        if [[ -z $(ss -Hltn "sport = :$p" 2>/dev/null) ]]; then
            printf '%s' "$p"
            return 0
        fi
    done
    die "no free port from $1"
}

wait_http() {
    local url=$1 i
    for ((i = 0; i < 300; i++)); do
        if curl -sf -o /dev/null "$url"; then return 0; fi
        sleep 0.1
    done
    return 1
}

# The private cluster (started if it was not running, and then stopped at
# exit) unless DATABASE_URL is set; sets ADMIN_URL.
bench_cluster() {
    if [[ -z ${DATABASE_URL:-} ]]; then
        "$DEV" db-status >/dev/null 2>&1 || STARTED_CLUSTER=1
    fi
    ADMIN_URL=$("$DEV" db-url postgres 2>/dev/null)
    [[ -n $ADMIN_URL ]] || die "no database: scripts/dev.sh db-url failed"
}

# A fresh migrated database bench_<random>, dropped at exit; prints its
# conninfo. Never named t_…: the test harness owns those.
bench_db_new() {
    local name url
    name=bench_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
    BENCH_DBS+=("$name")
    psql -X -v ON_ERROR_STOP=1 -qAt -d "$ADMIN_URL" -c "CREATE DATABASE $name" >/dev/null
    url=$("$DEV" db-url "$name" 2>/dev/null)
    DATABASE_URL=$url SINAU_LOG_LEVEL=warn "$SINAU_BIN" migrate >"$TMP/migrate-$name.log" 2>&1 ||
        {
            cat "$TMP/migrate-$name.log" >&2
            die "migrating $name failed"
        }
    # shellcheck disable=SC2034 # for the callers
    BENCH_DB_NAME=$name
    BENCH_DB_URL=$url
}

# start_sinau NAME PORT [VAR=value...]: sinau serve on 127.0.0.1:PORT against
# $BENCH_DB_URL with the data dir $TMP/data (one master key for all), log in
# $TMP/NAME.log; waits for /healthz. Sets SINAU_PID.
start_sinau() {
    local name=$1 port=$2
    shift 2
    mkdir -p "$TMP/data"
    env DATABASE_URL="$BENCH_DB_URL" SINAU_LISTEN="127.0.0.1:$port" SINAU_DATA_DIR="$TMP/data" \
        SINAU_WEB_DIR="$ROOT/web" SINAU_LOG_LEVEL=warn "$@" \
        "$SINAU_BIN" serve 2>"$TMP/$name.log" &
    SINAU_PID=$!
    BENCH_PIDS+=("$SINAU_PID")
    if ! wait_http "http://127.0.0.1:$port/healthz"; then
        tail -n 20 "$TMP/$name.log" >&2
        die "sinau ($name) did not answer on /healthz"
    fi
    # ready = the pool has a connection (listening comes first)
    wait_http "http://127.0.0.1:$port/readyz" || die "sinau ($name) never became ready"
}

# stop_pid PID: TERM and wait (for what was started and is no longer needed).
stop_pid() {
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# Median of the numbers on stdin (one per line or space-separated).
median() {
    tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { printf "nan"; exit }
        if (NR % 2) printf "%.2f", v[(NR + 1) / 2]
        else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# wrk --latency output on stdin → "<p50 ms> <p99 ms> <req/s>".
wrk_latency() {
    awk 'function ms(v) {
            if (v ~ /us$/) return v / 1000
            if (v ~ /ms$/) return v + 0
            if (v ~ /m$/) return v * 60000
            if (v ~ /s$/) return v * 1000
            return v + 0
         }
         $1 == "50%" { p50 = ms($2) }
         $1 == "99%" { p99 = ms($2) }
         $1 == "Requests/sec:" { rps = $2 }
         END { printf "%.3f %.3f %.2f", p50, p99, rps }'
}

# extract_stmt FILE VAR: the SQL text of `static const db_stmt VAR = {...}`
# in a C source (adjacent C string literals joined), so a benchmark runs
# exactly what the server sends. A statement written with string macros
# (guard.c's SESSION_LIVE_*) is read from the file as the C preprocessor
# makes it (cc -E with the include paths of the project, its generated
# route tables in build/ and the libraries).
extract_stmt() {
    local pre rc=0
    stmt_of "$1" "$2" "$1" 2>/dev/null && return 0
    pre=$(mktemp)
    # shellcheck disable=SC2046 # the flags are words
    cc -E -P -I"$ROOT/include" -I"$ROOT/build/generated/api" $(pkg-config --cflags libpq jansson libevent libsodium 2>/dev/null) \
        -I"$(pg_config --includedir 2>/dev/null)" "$1" >"$pre" && stmt_of "$pre" "$2" "$1" || rc=1
    rm -f "$pre"
    return $rc
}

# stmt_of TEXTFILE VAR NAME: extract_stmt's reading of one text (NAME: the
# source file, for the message).
stmt_of() {
    python3 - "$@" <<'PY'
import re, sys
src = open(sys.argv[1]).read()
m = re.search(r'static const db_stmt ' + re.escape(sys.argv[2]) +
              r'\s*=\s*\{\s*"[^"]*",\s*((?:"(?:[^"\\]|\\.)*"\s*)+),\s*\d+\s*\}', src)
if not m:
    sys.exit(f"{sys.argv[2]} not found in {sys.argv[3]}")
parts = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))
sql = "".join(parts)
if "\\" in sql:
    sys.exit(f"{sys.argv[2]}: escapes in the C literal are not handled")
print(sql)
PY
}

# start_nginx PORT BODY: nginx (NGINX, default /usr/sbin/nginx) with
# $THREADS workers on 127.0.0.1:PORT serving BODY at /healthz (`return 200`)
# and at /healthz.json (a static file), with the two static headers sinau
# sends with every JSON answer, from a private configuration in $TMP/nginx;
# waits for it and checks both paths. NGINX_CONNS (worker_connections, 4096)
# and NGINX_KEEPALIVE_S (keepalive_timeout, 75) tune it. Sets NGINX_PID.
start_nginx() {
    local port=$1 body=$2 user_line='' path got
    NGINX=${NGINX:-/usr/sbin/nginx}
    [[ -x $NGINX ]] || die "nginx not found: run 'scripts/dev.sh deps --bench'"
    mkdir -p "$TMP/nginx/www" "$TMP/nginx/tmp"
    printf '%s' "$body" >"$TMP/nginx/www/healthz.json"
    if [[ $(id -u) -eq 0 ]]; then
        # Workers would run as nobody, who cannot read our private temp folder.
        user_line='user root;'
    fi
    cat >"$TMP/nginx/nginx.conf" <<EOF
$user_line
worker_processes $THREADS;
worker_rlimit_nofile $((${NGINX_CONNS:-4096} + 64));
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections ${NGINX_CONNS:-4096}; }
http {
    access_log off;
    default_type application/json;
    keepalive_requests 100000000;
    keepalive_timeout ${NGINX_KEEPALIVE_S:-75}s;
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
        listen 127.0.0.1:$port;
        location = /healthz { return 200 '$body'; }
        location = /healthz.json { root $TMP/nginx/www; }
    }
}
EOF
    log "starting nginx on 127.0.0.1:$port ($THREADS workers)"
    "$NGINX" -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" &
    NGINX_PID=$!
    BENCH_PIDS+=("$NGINX_PID")
    if ! wait_http "http://127.0.0.1:$port/healthz.json"; then
        cat "$TMP/nginx/error.log" >&2 || true
        die "nginx did not start"
    fi
    for path in healthz healthz.json; do
        got=$(curl -sf "http://127.0.0.1:$port/$path")
        [[ $got == "$body" ]] || die "nginx /$path serves '$got', not '$body'"
        curl -sfI "http://127.0.0.1:$port/$path" | grep -qi '^Cache-Control: no-store' ||
            die "nginx /$path lacks Cache-Control: no-store"
    done
}

# healthz_body PORT: the bytes sinau serves at /healthz (so that nginx
# serves the same), or {"status":"ok"} when they look unexpected.
healthz_body() {
    local body
    body=$(curl -sf "http://127.0.0.1:$1/healthz")
    if [[ ! $body =~ ^[][A-Za-z0-9{}\":,._\ -]*$ ]]; then
        log "unexpected /healthz body, nginx serves {\"status\":\"ok\"} instead"
        body='{"status":"ok"}'
    fi
    printf '%s' "$body"
}

# wrk_rps LABEL URL CONNS: one wrk run of DUR s with WRK_THREADS threads;
# prints requests/s. Socket errors and non-2xx answers are logged (at high
# connection counts, connect timeouts show there).
wrk_rps() {
    local out rps
    out=$(wrk -t"$WRK_THREADS" -c"$3" -d"${DUR}s" "$2")
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    [[ -n $rps ]] || die "no Requests/sec from wrk for $1: $out"
    if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
        log "$1: $(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' ' | tr '\n' ';')"
    fi
    printf '%s' "$rps"
}

# ---- CPU accounting: where the CPU goes, per operation ----

HZ=$(getconf CLK_TCK)
ticks() { # PID... → utime + stime, summed (0 for processes gone)
    local p t=0 v
    for p in "$@"; do
        v=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)
        t=$((t + v))
    done
    printf '%s' "$t"
}
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
per_op() { # TICKS OPS → µs per op
    awk -v t="$1" -v n="$2" -v hz="$HZ" 'BEGIN { printf "%.1f", (n > 0) ? t / hz * 1e6 / n : 0 }'
}
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }

# Every process of the PostgreSQL server behind conninfo $1 (the postmaster
# and its children: backends, WAL writer, checkpointer...), for its CPU.
server_pids() {
    local pm
    pm=$(pg_master "$1") || return 0
    [[ -n $pm ]] || return 0
    printf '%s\n' "$pm"
    server_children "$pm"
}

# The postmaster of the server behind conninfo $1.
pg_master() {
    local cp
    cp=$(psql -X -qAt -d "$1" -c "select pid from pg_stat_activity where backend_type = 'checkpointer'")
    awk '{ print $4 }' "/proc/$cp/stat" 2>/dev/null
}
# pg_ticks POSTMASTER: CPU ticks of the whole server so far: its live
# children and, through the postmaster's cutime + cstime, the ones that
# have exited (pgbench's backends), plus the postmaster itself.
pg_ticks() {
    local t v kids
    t=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat" 2>/dev/null || echo 0)
    mapfile -t kids < <(server_children "$1")
    v=$(ticks "${kids[@]}")
    printf '%s' $((t + v))
}
# server_children PID: the processes whose parent is PID, one a line (one
# /proc file at a time: processes come and go while we read).
server_children() {
    local f line rest
    for f in /proc/[0-9]*/stat; do
        read -r line 2>/dev/null <"$f" || continue
        rest=${line##*) }
        rest=${rest#* }
        if [[ ${rest%% *} == "$1" ]]; then
            f=${f#/proc/}
            printf '%s\n' "${f%/stat}"
        fi
    done
}

# ---- the registration crowd (P3, capacity, HA): fixtures and cohorts ----

# crowd_fixtures DBURL N: N participants with sessions and profiles in the
# database, straight in SQL (p3_fixtures.py makes ids, tokens and their
# hashes, once: every database gets the same crowd); writes
# $TMP/tokens.tsv for p3_crowd.mjs. Participant n goes for segment n mod 3.
crowd_fixtures() {
    local db=$1 n=$2
    [[ -s $TMP/participants.tsv ]] || "${PYTHON:-python3}" "$ROOT/tests/bench/p3_fixtures.py" "$n" "$TMP"
    psql -X -v ON_ERROR_STOP=1 -qAt -d "$db" <<EOF
create table bench_participants (n integer primary key, user_id text not null,
                                 segment text not null, token_hash text not null);
\copy bench_participants from '$TMP/participants.tsv'
-- any argon2id string will do: nobody logs in
insert into users (id, email, full_name, role, password_hash)
select user_id, 'bench-' || n || '@bench.invalid', 'Bench ' || n, 'participant',
       '\$argon2id\$v=19\$m=65536,t=2,p=1\$YmVuY2hiZW5jaGJlbmNo\$bm90IGEgcmVhbCBoYXNo'
  from bench_participants;
-- eligible for every segment: a NIK (public), a NIP (asn), a business (umkm);
-- the "encrypted" values are placeholders that registration never decrypts
insert into profiles (user_id, nik_enc, nik_bidx, nik_mask, nik_region,
                      nip_enc, nip_bidx, nip_mask, business_name)
select user_id, 'bench-placeholder', 'nik-' || n, '3171********' || lpad(n::text, 4, '0'),
       '317101', 'bench-placeholder', 'nip-' || n, '1985**********' || lpad(n::text, 4, '0'),
       'Usaha ' || n
  from bench_participants;
insert into sessions (token_hash, user_id, csrf_token, expires_at)
select token_hash, user_id, 'bench-csrf', now() + interval '30 days' from bench_participants;
insert into programmes (slug, title) values ('bench-flash-crowd', 'Bench flash crowd');
-- pgbench's participant picker: transaction k registers participant k
create sequence bench_pick_seq minvalue 0 start 0;
EOF
    psql -X -qAt -d "$db" -c 'vacuum analyze' >/dev/null
}

# crowd_cohort DBURL LABEL SEATS: a fresh cohort open for registration, 3
# segments × SEATS with waitlists; prints its id.
crowd_cohort() {
    psql -X -v ON_ERROR_STOP=1 -qAt -d "$1" -v label="$2" -v seats="$3" <<'EOF'
with c as (
    insert into cohorts (programme_id, name, registration_opens_at, registration_closes_at,
                         starts_on, ends_on, jp)
    select id, 'Flash crowd ' || :'label', now() - interval '1 minute', now() + interval '1 day',
           current_date + 30, current_date + 60, 40
      from programmes where slug = 'bench-flash-crowd'
    returning id
), s as (
    insert into cohort_segments (cohort_id, segment, quota, waitlist)
    select c.id, seg, :seats, true from c, unnest(array['asn', 'umkm', 'public']) seg
)
select id from c;
EOF
}

# Sessions fresh (people who signed in to wait for the opening, so the
# session check does not write) and a quiet start, before a race.
crowd_ready() {
    psql -X -qAt -d "$1" -c 'update sessions set last_seen_at = now()' >/dev/null
    crowd_settle "$1"
}

# A quiet start for the next race: the messages of the last one (either
# side's: sinau's delivery workers take pgbench's too) handled, at most 60 s,
# then a checkpoint, so that no race pays for the one before it.
crowd_settle() {
    local i
    for ((i = 0; i < 600; i++)); do
        [[ $(psql -X -qAt -d "$1" -c "select count(*) from outbox where state in ('queued', 'sending')") == 0 ]] &&
            break
        sleep 0.1
    done
    psql -X -qAt -d "$1" -c 'checkpoint' >/dev/null
}
