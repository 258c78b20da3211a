#!/usr/bin/env bash
# Sinau's operational entry point: the top-level Makefile is a thin layer over
# this script. Usage: scripts/dev.sh COMMAND [ARGS...]   (scripts/dev.sh help)
#
# Without DATABASE_URL, every command that needs PostgreSQL uses a private
# PostgreSQL 15 cluster under the project folder (.data/pg), reachable only
# through a unix socket. As root, that cluster belongs to and runs as the
# `postgres` system user (initdb refuses root); otherwise as the invoking user.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"

PG_MAJOR=15
PGBIN=${SINAU_PGBIN:-/usr/lib/postgresql/$PG_MAJOR/bin}
BUILD_DIR=${SINAU_BUILD_DIR:-$ROOT/build}
# The sanitizer build of `test` (clang, ASan + UBSan, libFuzzer drivers).
ASAN_BUILD_DIR=${SINAU_ASAN_BUILD_DIR:-$ROOT/build-asan}
SINAU_BIN=$BUILD_DIR/sinau
DATA_DIR=$ROOT/.data
DB_NAME=sinau
TEMPLATE_DB=sinau_template

BASE_PACKAGES=(build-essential cmake pkg-config libevent-dev libjansson-dev
    libsodium-dev libpq-dev libcmocka-dev libcmark-gfm-dev libcmark-gfm-extensions-dev john-data clang-format nginx-light postgresql-15 postgresql-15-pgtap curl
    libcairo2-dev libqrencode-dev zlib1g-dev fonts-dejavu-core poppler-utils zbar-tools chromium
    libssl-dev openssl libcurl4-openssl-dev python3-aiosmtpd clang libclang-rt-14-dev
    postgresql-15-auto-failover pg-auto-failover-cli)
BENCH_PACKAGES=(nginx-light wrk iproute2)

# Set by db_start when this process started the private cluster.
STARTED_CLUSTER=0
# Set by use_private_cluster: paths and owner of the private cluster.
PGDATA_DIR='' SOCKET_DIR='' PG_LOG='' CLUSTER_USER=''

log() { printf 'dev.sh: %s\n' "$*" >&2; }
die() { printf 'dev.sh: error: %s\n' "$*" >&2; exit 1; }

is_root() { [[ $(id -u) -eq 0 ]]; }
me() { id -un; }

# ---------------------------------------------------------------- packages --

pkg_installed() {
    [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true) == installed ]]
}

cmd_deps() {
    local want=("${BASE_PACKAGES[@]}") missing=() p
    if [[ ${1:-} == --bench ]]; then want+=("${BENCH_PACKAGES[@]}"); fi
    # Node.js may come from elsewhere than Debian (it does on our machines):
    # install Debian's only when there is no node at all.
    if ! command -v node >/dev/null 2>&1; then want+=(nodejs npm); fi
    for p in "${want[@]}"; do
        pkg_installed "$p" || missing+=("$p")
    done
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    local sudo=()
    if ! is_root; then
        command -v sudo >/dev/null 2>&1 || die "missing packages (${missing[*]}) and no sudo to install them"
        sudo=(sudo)
    fi
    log "installing: ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# ------------------------------------------------------------------- build --

cmd_build() {
    # Always say ON or OFF: the CMake cache would keep an earlier CI's ON.
    # Likewise the sanitizer layer's tests: only `test` adds them.
    local opts=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSINAU_WERROR=OFF -DSINAU_ASAN_BUILD_DIR=)
    if [[ ${CI:-} == true ]]; then opts[1]=-DSINAU_WERROR=ON; fi
    cmake -S "$ROOT" -B "$BUILD_DIR" "${opts[@]}" "$@"
    cmake --build "$BUILD_DIR" -j"$(nproc)"
}

# The second build of `test`: clang with AddressSanitizer and UBSan, and the
# libFuzzer drivers (tests/fuzz), in $ASAN_BUILD_DIR. Its unit and API tests
# and the fuzzers run as tests of the main build (labels asan and fuzz).
build_asan() {
    command -v clang >/dev/null 2>&1 || die "clang not found: run 'make deps'"
    local werror=OFF
    if [[ ${CI:-} == true ]]; then werror=ON; fi
    cmake -S "$ROOT" -B "$ASAN_BUILD_DIR" -DCMAKE_C_COMPILER=clang \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSINAU_WERROR=$werror \
        -DSINAU_SANITIZE=ON -DSINAU_FUZZ=ON
    cmake --build "$ASAN_BUILD_DIR" -j"$(nproc)"
}

# --------------------------------------------------------------- database --

# Quote a value for a libpq keyword=value conninfo string.
conninfo_quote() {
    if [[ $1 =~ ^[A-Za-z0-9_./:@+-]+$ ]]; then
        printf '%s' "$1"
        return
    fi
    local v=${1//\\/\\\\}
    v=${v//\'/\\\'}
    printf "'%s'" "$v"
}

# conninfo_with_db CONNINFO DBNAME: the same server, another database.
# Works for URIs (postgres://…/db?…) and for keyword=value strings (libpq
# keeps the last of repeated keywords).
conninfo_with_db() {
    local url=$1 db=$2
    if [[ $url =~ ^(postgres(ql)?://[^/?]*)(/[^?]*)?(\?.*)?$ ]]; then
        printf '%s/%s%s' "${BASH_REMATCH[1]}" "$db" "${BASH_REMATCH[4]}"
    else
        printf '%s dbname=%s' "$url" "$(conninfo_quote "$db")"
    fi
}

# Run a command as the cluster's owner (from / so that the owner need not be
# able to enter the current directory).
as_owner() {
    if [[ $(me) == "$CLUSTER_USER" ]]; then
        "$@"
    elif is_root; then
        (cd / && runuser -u "$CLUSTER_USER" -- "$@")
    else
        die "the private cluster in $PGDATA_DIR belongs to '$CLUSTER_USER'; run as that user or as root"
    fi
}

project_hash() {
    printf '%s' "$ROOT" | sha256sum | cut -c1-12
}

# The socket directory: <project>/.data/run unless that makes the socket path
# longer than unix sockets allow (~107 bytes); then a directory under /tmp
# named from a hash of the project path.
socket_dir_for() {
    local dir=$DATA_DIR/run
    local sock="$dir/.s.PGSQL.5432"
    if ((${#sock} > 100)); then
        dir=/tmp/sinau-pg-$(project_hash)
    fi
    printf '%s' "$dir"
}

# Make DIR (owned by USER, mode 700), refusing a directory owned by someone
# else (a planted /tmp directory, say).
owned_dir() {
    local dir=$1 user=$2
    if [[ ! -d $dir ]]; then
        mkdir -p "$(dirname "$dir")"
        mkdir -m 700 "$dir"
        if is_root && [[ $user != root ]]; then chown "$user:" "$dir"; fi
    fi
    local owner
    owner=$(stat -c %U "$dir")
    if [[ $owner != "$user" ]]; then
        if is_root && [[ $dir == "$DATA_DIR"/* || $dir == "$ELSEWHERE"* ]]; then
            chown -R "$user:" "$dir"
        else
            die "$dir belongs to $owner, expected $user"
        fi
    fi
}

# As root, the cluster runs as `postgres`, which must be able to reach the
# project folder. When it cannot (a clone under /root, say), the cluster
# lives in postgres's home instead, in a folder named from a hash of the
# project path, with its socket under /tmp; .data/pg-elsewhere says where.
ELSEWHERE=''
use_private_cluster() {
    PGDATA_DIR=$DATA_DIR/pg
    SOCKET_DIR=$(socket_dir_for)
    PG_LOG=$DATA_DIR/pg.log
    if [[ -f $PGDATA_DIR/PG_VERSION ]]; then
        CLUSTER_USER=$(stat -c %U "$PGDATA_DIR")
    elif is_root; then
        CLUSTER_USER=postgres
        getent passwd postgres >/dev/null ||
            die "no system user 'postgres': run 'make deps' (package postgresql-common makes it)"
        if ! runuser -u postgres -- test -x "$ROOT"; then
            local home
            home=$(getent passwd postgres | cut -d: -f6)
            ELSEWHERE=$home/sinau-$(project_hash)
            PGDATA_DIR=$ELSEWHERE/pg
            PG_LOG=$ELSEWHERE/pg.log
            SOCKET_DIR=/tmp/sinau-pg-$(project_hash)
        fi
    else
        CLUSTER_USER=$(me)
    fi
    [[ -x $PGBIN/initdb ]] || die "$PGBIN/initdb not found: run 'make deps' (package postgresql-$PG_MAJOR)"
}

cluster_running() {
    [[ -f $PGDATA_DIR/PG_VERSION ]] || return 1
    as_owner "$PGBIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1
}

private_conninfo() {
    printf 'host=%s dbname=%s user=%s' "$(conninfo_quote "$SOCKET_DIR")" "$1" "$CLUSTER_USER"
}

psql_admin() {
    psql -X -v ON_ERROR_STOP=1 -qAt -d "$SINAU_ADMIN_URL" "$@"
}

cluster_init() {
    getent passwd "$CLUSTER_USER" >/dev/null || die "no system user '$CLUSTER_USER' (package postgresql-common makes 'postgres')"
    mkdir -p "$DATA_DIR"
    if [[ -n $ELSEWHERE ]]; then
        log "user postgres cannot enter $ROOT: the cluster goes to $ELSEWHERE"
        owned_dir "$ELSEWHERE" "$CLUSTER_USER"
        chmod 755 "$ELSEWHERE"
        printf '%s\n' "$PGDATA_DIR" >"$DATA_DIR/pg-elsewhere"
    fi
    if is_root && ! runuser -u "$CLUSTER_USER" -- test -x "$(dirname "$PGDATA_DIR")"; then
        die "user $CLUSTER_USER cannot enter $(dirname "$PGDATA_DIR"); move the project or set DATABASE_URL"
    fi
    owned_dir "$PGDATA_DIR" "$CLUSTER_USER"
    local locale=C
    if locale -a 2>/dev/null | grep -qix 'C\.utf-\?8'; then locale=C.UTF-8; fi
    log "initdb $PGDATA_DIR (as $CLUSTER_USER)"
    as_owner "$PGBIN/initdb" -D "$PGDATA_DIR" --auth=trust -E UTF8 --locale="$locale" \
        --no-instructions >/dev/null
    printf "\n# Settings written by scripts/dev.sh at each start\ninclude_if_exists = 'sinau.conf'\n" |
        as_owner tee -a "$PGDATA_DIR/postgresql.conf" >/dev/null
}

cluster_configure() {
    # Rewritten at each start, so that a moved project finds its socket.
    local sock_q=${SOCKET_DIR//\'/\'\'}
    as_owner tee "$PGDATA_DIR/sinau.conf" >/dev/null <<EOF
listen_addresses = ''
unix_socket_directories = '$sock_q'
unix_socket_permissions = 0700
max_connections = 200
shared_buffers = 128MB
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
EOF
}

cmd_db_start() {
    if [[ -n ${DATABASE_URL:-} ]]; then
        log "DATABASE_URL is set: using it, no private cluster"
        export SINAU_ADMIN_URL
        SINAU_ADMIN_URL=$(conninfo_with_db "$DATABASE_URL" postgres)
        return 0
    fi
    use_private_cluster
    cluster_hold
    if [[ ! -f $PGDATA_DIR/PG_VERSION ]]; then
        cluster_init
    fi
    if ! cluster_running; then
        owned_dir "$SOCKET_DIR" "$CLUSTER_USER"
        if [[ ! -e $PG_LOG ]]; then
            touch "$PG_LOG"
            if is_root; then chown "$CLUSTER_USER:" "$PG_LOG"; fi
        fi
        cluster_configure
        log "starting PostgreSQL $PG_MAJOR (socket in $SOCKET_DIR, log $PG_LOG)"
        # 8>&- 9>&-: the postmaster must not inherit (and so hold) our locks.
        if ! as_owner "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$PG_LOG" -w -t 60 -s start 8>&- 9>&-; then
            tail -n 20 "$PG_LOG" >&2 || true
            die "PostgreSQL did not start"
        fi
        STARTED_CLUSTER=1
    fi
    export DATABASE_URL SINAU_ADMIN_URL
    DATABASE_URL=$(private_conninfo "$DB_NAME")
    SINAU_ADMIN_URL=$(private_conninfo postgres)
    local tries=0
    until psql_admin -c 'SELECT 1' >/dev/null 2>&1; do
        tries=$((tries + 1))
        if ((tries > 60)); then
            tail -n 20 "$PG_LOG" >&2 || true
            die "PostgreSQL in $PGDATA_DIR does not answer on $SOCKET_DIR"
        fi
        sleep 0.5
    done
    if [[ -z $(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'") ]]; then
        psql_admin -c "CREATE DATABASE $DB_NAME"
    fi
    log "DATABASE_URL=$DATABASE_URL"
}

# Exit 0 when the private cluster runs (or DATABASE_URL is set).
cmd_db_status() {
    if [[ -n ${DATABASE_URL:-} ]]; then return 0; fi
    use_private_cluster
    cluster_running
}

# Start the database if needed and print the conninfo of database DBNAME
# (default sinau) on it: for scripts such as tests/bench/.
cmd_db_url() {
    cmd_db_start
    if [[ -n ${1:-} && -n $PGDATA_DIR ]]; then
        private_conninfo "$1"
    elif [[ -n ${1:-} ]]; then
        conninfo_with_db "$DATABASE_URL" "$1"
    else
        printf '%s' "$DATABASE_URL"
    fi
    printf '\n'
}

cmd_db_stop() {
    if [[ -n ${DATABASE_URL:-} && ${1:-} != --private ]]; then
        log "DATABASE_URL is set: nothing of ours to stop"
        return 0
    fi
    use_private_cluster
    if cluster_running; then
        log "stopping PostgreSQL ($PGDATA_DIR)"
        as_owner "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 60 -s stop
    fi
}

cmd_db_destroy() {
    cmd_db_stop --private
    use_private_cluster
    log "removing $PGDATA_DIR and $SOCKET_DIR"
    rm -rf -- "$PGDATA_DIR" "$PG_LOG" "$DATA_DIR/pg-elsewhere"
    if [[ -n $ELSEWHERE ]]; then rm -rf -- "$ELSEWHERE"; fi
    if [[ -d $SOCKET_DIR ]]; then rm -rf -- "$SOCKET_DIR"; fi
}

# Every command of this script that uses the private cluster holds a shared
# lock on .data/cluster.lock while it runs, so that the one that started the
# cluster stops it at the end only if no other (`make run` in one terminal,
# `make test` in another) still uses it.
cluster_hold() {
    mkdir -p "$DATA_DIR"
    exec 8>"$DATA_DIR/cluster.lock"
    flock -s 8
}

stop_if_started() {
    if ((STARTED_CLUSTER)); then
        STARTED_CLUSTER=0
        if flock -n -x 8; then
            cmd_db_stop --private || true
        else
            log "another command still uses the cluster: leaving it running"
        fi
    fi
}

# -------------------------------------------------------------------- run --

# Demo accounts, one per role, with passwords made once per data folder and
# kept in .data/demo-logins.txt (mode 0600), so they are the same every run.
demo_logins() {
    local file=$SINAU_DATA_DIR/demo-logins.txt
    if [[ ! -s $file ]]; then
        (
            umask 077
            for role in admin instructor participant; do
                printf '%s demo.%s@sinau.test %s\n' "$role" "$role" \
                    "$(head -c 12 /dev/urandom | base64 | tr -d '/+=')"
            done >"$file"
        )
    fi
    local role email password name
    while read -r role email password; do
        case $role in
            admin) name='Admin Diskominfo (demo)' ;;
            instructor) name='Narasumber (demo)' ;;
            *) name='Peserta (demo)' ;;
        esac
        printf '%s\n' "$password" |
            "$SINAU_BIN" user create --email "$email" --name "$name" --role "$role" \
                --if-missing >/dev/null 2>&1 8>&- 9>&- ||
            log "could not create the demo $role account"
    done <"$file"
    log "demo logins (also in $file):"
    while read -r role email password; do
        printf '  %-12s %-30s %s\n' "$role" "$email" "$password" >&2
    done <"$file"
}

# The demo programme (`sinau demo seed`): once per database — the database
# records it, so a second run, or a database whose demo was deleted, gets
# nothing. SINAU_DEMO=0 skips it.
demo_seed() {
    if [[ ${SINAU_DEMO:-1} == 0 ]]; then return 0; fi
    "$SINAU_BIN" demo seed 8>&- 9>&- || log "could not seed the demo programme"
}

# Certificates carry SINAU_PUBLIC_URL in every link and QR code: said once
# per data folder while it is the default, which is only for trying Sinau.
public_url_warning() {
    local marker=$SINAU_DATA_DIR/public-url-warned
    if [[ -n ${SINAU_PUBLIC_URL:-} && $SINAU_PUBLIC_URL != http://localhost:8080 ]]; then return 0; fi
    if [[ -e $marker ]]; then return 0; fi
    log "note: certificates carry SINAU_PUBLIC_URL (now ${SINAU_PUBLIC_URL:-http://localhost:8080}) in their links and QR codes;"
    log "      the default http://localhost:8080 is only for trying Sinau: set SINAU_PUBLIC_URL to your public address before issuing real ones"
    : >"$marker"
}

cmd_run() {
    # SINAU_PREBUILT=1: the binary is already built (the test of `make run`
    # in tests/api/make_run.test.mjs), so packages and build are left alone
    if [[ ${SINAU_PREBUILT:-0} != 1 ]]; then
        cmd_deps
        cmd_build
    fi
    cmd_db_start
    trap stop_if_started EXIT
    mkdir -p "$DATA_DIR"
    export SINAU_DATA_DIR=${SINAU_DATA_DIR:-$DATA_DIR}
    mkdir -p "$SINAU_DATA_DIR"
    "$SINAU_BIN" migrate 8>&- 9>&-
    demo_logins
    demo_seed
    public_url_warning
    local listen=${SINAU_LISTEN:-127.0.0.1:8080}
    local what='the server'
    if ((STARTED_CLUSTER)); then what='the server and the database'; fi
    log "serving on http://localhost:${listen##*:} (Ctrl-C stops $what)"

    # The server runs as a child, not exec'd, so that the cluster can be
    # stopped after it. A non-interactive bash starts background children with
    # SIGINT ignored, so Ctrl-C is forwarded as SIGTERM (graceful drain); a
    # second Ctrl-C kills.
    local pid rc=0 signals=0
    "$SINAU_BIN" serve --migrate "$@" 8>&- 9>&- &
    pid=$!
    forward() {
        signals=$((signals + 1))
        if ((signals == 1)); then
            log "stopping the server (Ctrl-C again to kill it)"
            kill -TERM "$pid" 2>/dev/null || true
        else
            kill -KILL "$pid" 2>/dev/null || true
        fi
    }
    trap forward INT TERM HUP
    while kill -0 "$pid" 2>/dev/null; do
        wait "$pid" || true
    done
    wait "$pid" || rc=$?
    exit_on_signals
    stop_if_started
    # A server stopped by Ctrl-C (SIGTERM) has done what was asked.
    if ((signals == 1 && rc == 143)); then rc=0; fi
    return "$rc"
}

# ------------------------------------------------------------------- test --

# Clean up what a crashed test file left behind: the harness notes in
# SINAU_TEST_RUN_DIR the pid of every server it starts, the data folder of
# every cluster, every temporary folder and test database, and forgets each
# once it cleaned it up itself.
reap_test_leftovers() {
    local dir=${SINAU_TEST_RUN_DIR:-} f pid
    [[ -n $dir && -d $dir ]] || return 0
    for f in "$dir"/*.pid; do
        [[ -e $f ]] || continue
        pid=$(<"$f")
        if [[ $pid =~ ^[0-9]+$ ]] && [[ -r /proc/$pid/cmdline ]] &&
            tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q sinau; then
            log "killing leftover test server $pid"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    for f in "$dir"/*.cluster; do
        [[ -e $f ]] || continue
        local pgdata owner
        pgdata=$(<"$f")
        if [[ -f $pgdata/postmaster.pid ]]; then
            owner=$(stat -c %U "$pgdata")
            log "stopping leftover test cluster $pgdata"
            if [[ $owner == "$(me)" ]]; then
                "$PGBIN/pg_ctl" -D "$pgdata" -m immediate -w -s stop || true
            elif is_root; then
                (cd / && runuser -u "$owner" -- "$PGBIN/pg_ctl" -D "$pgdata" -m immediate -w -s stop) || true
            fi
        fi
        rm -rf -- "$(dirname "$pgdata")"
    done
    for f in "$dir"/*.formation; do
        [[ -e $f ]] || continue
        local base
        base=$(<"$f")
        if [[ $base == /tmp/sinau-ha-* && -d $base ]]; then
            log "killing leftover test formation $base"
            kill_by_path "$base/"
            rm -rf -- "$base"
        fi
    done
    for f in "$dir"/*.dir; do
        [[ -e $f ]] || continue
        local d
        d=$(<"$f")
        if [[ $d == */sinau-test-* ]]; then rm -rf -- "$d"; fi
    done
    for f in "$dir"/*.db; do
        [[ -e $f ]] || continue
        local db
        db=$(<"$f")
        if [[ $db =~ ^t_[0-9a-f]{16}$ && -n ${SINAU_TEST_ADMIN_URL:-} ]]; then
            psql -X -qAt -d "$SINAU_TEST_ADMIN_URL" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
        fi
    done
    rm -rf -- "$dir"
}

# SIGKILL to each process whose command line names PATH (a test
# formation's pg_autoctl services and postmasters; their backends exit with
# their postmaster).
kill_by_path() {
    local p cmd
    for p in /proc/[0-9]*; do
        cmd=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
        if [[ $cmd == *"$1"* ]]; then kill -KILL "${p#/proc/}" 2>/dev/null || true; fi
    done
    sleep 0.5
}

# One test run at a time per project folder: a second one would drop the
# template and the test databases under the first. Held until exit.
test_lock() {
    mkdir -p "$DATA_DIR"
    exec 9>"$DATA_DIR/test.lock"
    if ! flock -n 9; then
        log "another test run holds $DATA_DIR/test.lock: waiting for it"
        flock 9
    fi
}

# Prepare the migrated template and export what tests/api/lib/harness.mjs
# reads. Needs cmd_db_start and test_lock first.
prepare_test_env() {
    # Test databases left by an interrupted run of ours (private cluster only).
    if [[ -n $PGDATA_DIR ]]; then
        local db
        while read -r db; do
            [[ -n $db ]] && psql_admin -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"
        done < <(psql_admin -c "SELECT datname FROM pg_database WHERE datname ~ '^t_[0-9a-f]{16}$'")
    fi
    log "preparing template database $TEMPLATE_DB"
    psql_admin -c "DROP DATABASE IF EXISTS $TEMPLATE_DB WITH (FORCE)" \
        -c "CREATE DATABASE $TEMPLATE_DB"
    DATABASE_URL=$(conninfo_with_db "$DATABASE_URL" "$TEMPLATE_DB") "$SINAU_BIN" migrate

    export SINAU_TEST_ADMIN_URL=$SINAU_ADMIN_URL
    export SINAU_TEST_TEMPLATE=$TEMPLATE_DB
    export SINAU_TEST_PGBIN=$PGBIN
    if is_root; then
        export SINAU_TEST_PGUSER=postgres
    else
        SINAU_TEST_PGUSER=$(me)
        export SINAU_TEST_PGUSER
    fi
}

cmd_test() {
    cmd_deps
    test_lock
    # SINAU_ASAN=0 leaves the sanitizer build and its tests out (a quick
    # run by hand); CI always has them.
    if [[ ${SINAU_ASAN:-1} == 0 && ${CI:-} != true ]]; then
        cmd_build
    else
        cmd_build -DSINAU_ASAN_BUILD_DIR="$ASAN_BUILD_DIR"
        build_asan
    fi
    # the browser tests' packages (tests/web), again whenever the lock changed
    if [[ ! -d $ROOT/tests/web/node_modules ||
        $ROOT/tests/web/package-lock.json -nt $ROOT/tests/web/node_modules/.package-lock.json ]]; then
        npm ci --prefix "$ROOT/tests/web" --no-audit --no-fund
    fi
    # the API tests' one package (jose, tests/api), likewise
    if [[ ! -d $ROOT/tests/api/node_modules ||
        $ROOT/tests/api/package-lock.json -nt $ROOT/tests/api/node_modules/.package-lock.json ]]; then
        npm ci --prefix "$ROOT/tests/api" --no-audit --no-fund
    fi
    trap 'reap_test_leftovers; stop_if_started' EXIT
    cmd_db_start
    prepare_test_env
    SINAU_TEST_RUN_DIR=$(mktemp -d /tmp/sinau-testrun-XXXXXX)
    export SINAU_TEST_RUN_DIR
    local rc=0
    # Most tests wait (on a server, PostgreSQL, a browser, a throttle's
    # window) far more than they compute: four at once keep two cores busy.
    # Tests that measure time are RUN_SERIAL and a browser counts as two
    # (tests/CMakeLists.txt). SINAU_TEST_JOBS overrides.
    ctest --test-dir "$BUILD_DIR" --output-on-failure -j"${SINAU_TEST_JOBS:-4}" "$@" 8>&- 9>&- || rc=$?
    return "$rc"
}

# Print the environment of `test` (for running one test file by hand):
#   eval "$(scripts/dev.sh env)"; node --test tests/api/healthz.test.mjs
cmd_env() {
    cmd_db_start
    test_lock
    prepare_test_env >&2
    local v
    for v in DATABASE_URL SINAU_TEST_ADMIN_URL SINAU_TEST_TEMPLATE SINAU_TEST_PGBIN SINAU_TEST_PGUSER; do
        printf 'export %s=%q\n' "$v" "${!v}"
    done
    printf 'export SINAU_BIN=%q SINAU_SOURCE_DIR=%q\n' "$SINAU_BIN" "$ROOT"
}

# ------------------------------------------------- high availability --
#
# A pg_auto_failover formation on loopback for development (issue 19): a
# monitor, node1 (primary) and node2 (synchronous standby), each a
# `pg_autoctl run` in the background, in .data/ha (as root it belongs to
# and runs as `postgres`; in ~postgres/sinau-ha-<hash> when that user cannot
# enter the project). pg_autoctl's own configuration and state live there
# too (XDG_* point into it). Ports: SINAU_HA_PORT (monitor), +1, +2; by
# default three from a hash of the project path, so worktrees do not
# collide. Timeouts tuned as tests/api/lib/formation.mjs does (README "High
# availability" says what they trade). Loopback only, trust auth: never a
# production set-up (README: "Production layout").

HA_DIR='' HA_SOCK='' HA_USER='' HA_PORT=0

use_formation() {
    HA_DIR=$DATA_DIR/ha
    if is_root; then
        HA_USER=postgres
        getent passwd postgres >/dev/null || die "no system user 'postgres': run 'make deps'"
        if ! runuser -u postgres -- test -x "$ROOT"; then
            HA_DIR=$(getent passwd postgres | cut -d: -f6)/sinau-ha-$(project_hash)
        fi
    else
        HA_USER=$(me)
    fi
    if [[ -f $HA_DIR/port ]]; then
        HA_PORT=$(<"$HA_DIR/port")
    else
        HA_PORT=${SINAU_HA_PORT:-$((20000 + 16#$(project_hash | cut -c1-4) % 9000 * 3))}
    fi
    HA_SOCK=$HA_DIR/s
    if ((${#HA_SOCK} + 20 > 100)); then HA_SOCK=/tmp/sinau-ha-$(project_hash); fi
    command -v pg_autoctl >/dev/null 2>&1 ||
        die "pg_autoctl not found: run 'make deps' (packages pg-auto-failover-cli, postgresql-15-auto-failover)"
}

# Runs a command as the formation's owner with pg_autoctl's environment.
as_ha() {
    local env=(env "PATH=$PGBIN:/usr/sbin:/usr/bin:/sbin:/bin" "XDG_CONFIG_HOME=$HA_DIR/cfg"
        "XDG_DATA_HOME=$HA_DIR/share" "XDG_RUNTIME_DIR=$HA_DIR/run" "PGHOST=$HA_SOCK")
    if [[ $(me) == "$HA_USER" ]]; then
        (cd / && "${env[@]}" "$@")
    else
        (cd / && runuser -u "$HA_USER" -- "${env[@]}" "$@")
    fi
}

ha_port() {
    case $1 in
        monitor) printf '%s' "$HA_PORT" ;;
        node1) printf '%s' $((HA_PORT + 1)) ;;
        node2) printf '%s' $((HA_PORT + 2)) ;;
    esac
}

ha_url() {
    printf 'host=127.0.0.1,127.0.0.1 port=%s,%s dbname=%s user=%s target_session_attrs=%s' \
        "$(ha_port node1)" "$(ha_port node2)" "$DB_NAME" "$HA_USER" "${1:-read-write}"
}

ha_monitor_psql() {
    psql -X -qAt -d "host=127.0.0.1 port=$HA_PORT dbname=pg_auto_failover user=$HA_USER" "$@"
}

# settings that override what pg_autoctl derives from the machine's memory
# (GBs of shared_buffers), read after its includes
ha_auto_conf() {
    local name=$1
    shift
    {
        printf '\n# scripts/dev.sh\n'
        printf "unix_socket_directories = '%s'\nunix_socket_permissions = 0700\n" "${HA_SOCK//\'/\'\'}"
        printf "shared_buffers = '128MB'\neffective_cache_size = '512MB'\nmaintenance_work_mem = '64MB'\n"
        printf "work_mem = '4MB'\nwal_keep_size = '512MB'\nmax_connections = 200\nlog_min_messages = warning\n"
        printf '%s\n' "$@"
    } | as_ha tee -a "$HA_DIR/$name/postgresql.auto.conf" >/dev/null
}

ha_running() {
    local pid
    pid=$(head -n1 "$HA_DIR/run/pg_autoctl$HA_DIR/$1/pg_autoctl.pid" 2>/dev/null) || return 1
    [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null
}

# Waits until a primary takes writes and a standby answers read-only.
ha_wait_serving() {
    local tries=0
    until psql -X -qAt -d "$(ha_url read-write) connect_timeout=2" -c 'select 1' >/dev/null 2>&1 &&
        [[ $(psql -X -qAt -d "$(ha_url prefer-standby) connect_timeout=2" -c 'select pg_is_in_recovery()' 2>/dev/null) == t ]]; do
        tries=$((tries + 1))
        ((tries < 480)) || die "the formation does not serve (see $HA_DIR/*.log)"
        sleep 0.25
    done
}

ha_run_node() {
    local name=$1
    if ha_running "$name"; then return 0; fi
    log "pg_autoctl run $name (log $HA_DIR/$name.log)"
    # 8>&- 9>&-: the services must not hold our locks
    as_ha setsid pg_autoctl run --pgdata "$HA_DIR/$name" </dev/null >>"$HA_DIR/$name.log" 2>&1 8>&- 9>&- &
}

# Waits until the monitor's node table satisfies a psql condition.
ha_wait() {
    local cond=$1 what=$2 tries=0
    until [[ $(ha_monitor_psql -c "select count(*) from pgautofailover.node where $cond" 2>/dev/null || echo 0) -gt 0 ]]; do
        tries=$((tries + 1))
        ((tries < 480)) || die "the formation did not reach: $what (see $HA_DIR/*.log)"
        sleep 0.25
    done
}

ha_create() {
    local name
    log "creating a pg_auto_failover formation in $HA_DIR (ports $HA_PORT-$((HA_PORT + 2)))"
    mkdir -p "$HA_DIR"
    if is_root; then chown "$HA_USER:" "$HA_DIR"; fi
    as_ha mkdir -p "$HA_DIR/cfg" "$HA_DIR/share" "$HA_DIR/run" "$HA_SOCK"
    as_ha chmod 700 "$HA_SOCK"
    printf '%s\n' "$HA_PORT" | as_ha tee "$HA_DIR/port" >/dev/null
    as_ha "$PGBIN/initdb" -D "$HA_DIR/monitor" --auth=trust -E UTF8 --locale=C --no-instructions >/dev/null
    ha_auto_conf monitor "pgautofailover.health_check_period = 1000" \
        "pgautofailover.health_check_timeout = 1000" "pgautofailover.health_check_max_retries = 1" \
        "pgautofailover.health_check_retry_delay = 500" \
        "pgautofailover.node_considered_unhealthy_timeout = 4000" \
        "pgautofailover.primary_demote_timeout = 5000"
    as_ha pg_autoctl create monitor --pgdata "$HA_DIR/monitor" --pgport "$HA_PORT" --hostname 127.0.0.1 \
        --listen 127.0.0.1 --auth trust --no-ssl --pgctl "$PGBIN/pg_ctl" >>"$HA_DIR/monitor.log" 2>&1 ||
        die "pg_autoctl create monitor failed (see $HA_DIR/monitor.log)"
    ha_run_node monitor
    until ha_monitor_psql -c 'select 1' >/dev/null 2>&1; do sleep 0.25; done
    as_ha "$PGBIN/initdb" -D "$HA_DIR/node1" --auth=trust -E UTF8 --locale=C --no-instructions >/dev/null
    ha_auto_conf node1
    for name in node1 node2; do
        as_ha pg_autoctl create postgres --pgdata "$HA_DIR/$name" --pgport "$(ha_port "$name")" \
            --hostname 127.0.0.1 --listen 127.0.0.1 --name "$name" --auth trust --no-ssl \
            --monitor "postgres://autoctl_node@127.0.0.1:$HA_PORT/pg_auto_failover?sslmode=disable" \
            --dbname "$DB_NAME" --pgctl "$PGBIN/pg_ctl" >>"$HA_DIR/$name.log" 2>&1 ||
            die "pg_autoctl create postgres $name failed (see $HA_DIR/$name.log)"
        as_ha pg_autoctl config set --pgdata "$HA_DIR/$name" timeout.network_partition_timeout 6 >/dev/null
        as_ha pg_autoctl config set --pgdata "$HA_DIR/$name" timeout.prepare_promotion_walreceiver 2 >/dev/null
        ha_run_node "$name"
        if [[ $name == node1 ]]; then ha_wait "nodename = 'node1' and reportedstate = 'single'" 'node1 single'; fi
    done
}

cmd_ha_start() {
    use_formation
    if [[ ! -f $HA_DIR/monitor/PG_VERSION ]]; then
        ha_create
    else
        mkdir -p "$HA_SOCK" 2>/dev/null || true
        if is_root; then chown "$HA_USER:" "$HA_SOCK"; fi
        ha_run_node monitor
        until ha_monitor_psql -c 'select 1' >/dev/null 2>&1; do sleep 0.25; done
        ha_run_node node1
        ha_run_node node2
    fi
    ha_wait_serving
    ha_wait "reportedstate = 'primary' and goalstate = 'primary'" 'a primary with its standby'
    ha_wait "reportedstate = 'secondary' and goalstate = 'secondary'" 'a synchronous standby'
    DATABASE_URL=$(ha_url) "$SINAU_BIN" migrate 8>&- 9>&- ||
        die "sinau migrate on the formation failed ('make build' first?)"
    cmd_ha_status
    cmd_ha_env >&2
}

cmd_ha_stop() {
    use_formation
    local name
    for name in node2 node1 monitor; do
        if ha_running "$name"; then
            log "stopping $name"
            as_ha pg_autoctl stop --pgdata "$HA_DIR/$name" >/dev/null 2>&1 || true
        fi
    done
    for name in node2 node1 monitor; do
        local tries=0
        while ha_running "$name" && ((tries++ < 120)); do sleep 0.25; done
    done
}

cmd_ha_status() {
    use_formation
    as_ha pg_autoctl show state --pgdata "$HA_DIR/monitor" >&2
}

# The two URLs of the formation as shell exports.
cmd_ha_env() {
    use_formation
    printf 'export DATABASE_URL=%q\n' "$(ha_url read-write)"
    printf 'export SINAU_DATABASE_READ_URL=%q\n' "$(ha_url prefer-standby)"
}

# A planned switchover: the standby becomes the primary, no write lost.
cmd_ha_switchover() {
    use_formation
    as_ha pg_autoctl perform switchover --pgdata "$HA_DIR/monitor"
}

cmd_ha_destroy() {
    cmd_ha_stop
    log "removing $HA_DIR"
    rm -rf -- "$HA_DIR"
    if [[ $HA_SOCK == /tmp/sinau-ha-* ]]; then rm -rf -- "$HA_SOCK"; fi
}

# ------------------------------------------------------------------ misc --

cmd_bench() {
    cmd_deps --bench
    cmd_build
    exec "$ROOT/tests/bench/run_all.sh" "$@"
}

cmd_clean() {
    log "removing $BUILD_DIR"
    rm -rf -- "$BUILD_DIR"
}

usage() {
    cat <<'EOF'
usage: scripts/dev.sh COMMAND [ARGS...]

  deps [--bench]  install the Debian packages that are missing
  build           configure and build (build/sinau); -Werror when CI=true
  db-start        start the private PostgreSQL cluster (.data/pg), make db 'sinau'
  db-stop         stop it (pg_ctl stop -m fast)
  db-status       exit 0 when it runs
  db-url [DB]     start it if needed; print the conninfo of database DB
  db-destroy      stop it and delete its files
  run [FLAGS]     deps, build, db-start, demo logins and (once) the demo
                  programme, then `sinau serve --migrate FLAGS`
  test [ARGS]     deps, build (and build-asan: clang, ASan/UBSan, fuzzers;
                  SINAU_ASAN=0 skips it outside CI), db-start, template db,
                  then `ctest ARGS` (fuzzers: SINAU_FUZZ_SECONDS, default 60)
  env             print the test environment as shell exports
  bench [ARGS]    deps (+ nginx, wrk), build, tests/bench/run_all.sh (P1-P8, one table)
  clean           remove the build folder
  ha-start        start (creating it the first time) a pg_auto_failover formation on
                  loopback in .data/ha: monitor, primary, synchronous standby;
                  migrates 'sinau' on it and prints DATABASE_URL and
                  SINAU_DATABASE_READ_URL
  ha-stop         stop it          ha-status   pg_autoctl show state
  ha-env          print the two URLs as shell exports (eval "$(scripts/dev.sh ha-env)")
  ha-switchover   planned switchover (the standby becomes the primary)
  ha-destroy      stop it and delete its files

With DATABASE_URL set, run and test use that PostgreSQL instead of the private
cluster (test creates databases there: the role needs CREATEDB).
EOF
}

# Fatal signals become exits, so that the EXIT traps (stop the cluster we
# started, reap test leftovers) run.
exit_on_signals() {
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
}

main() {
    exit_on_signals
    local cmd=${1:-help}
    shift || true
    case $cmd in
        deps) cmd_deps "$@" ;;
        build) cmd_build "$@" ;;
        db-start) cmd_db_start ;;
        db-stop) cmd_db_stop ;;
        db-status) cmd_db_status ;;
        db-url) cmd_db_url "$@" ;;
        db-destroy) cmd_db_destroy ;;
        run) cmd_run "$@" ;;
        test) cmd_test "$@" ;;
        env) cmd_env ;;
        bench) cmd_bench "$@" ;;
        clean) cmd_clean ;;
        ha-start) cmd_ha_start ;;
        ha-stop) cmd_ha_stop ;;
        ha-status) cmd_ha_status ;;
        ha-env) cmd_ha_env ;;
        ha-switchover) cmd_ha_switchover ;;
        ha-destroy) cmd_ha_destroy ;;
        help | -h | --help) usage ;;
        *) usage >&2; exit 2 ;;
    esac
}

main "$@"
