#!/usr/bin/env bash
# Database-level tests (CTest label `sql`): each run gets a fresh database
# cloned from the migrated template, dropped at exit whatever happens.
#
#   tests/sql/run.sh pgtap FILE.sql
#       CREATE EXTENSION pgtap, then FILE through psql; passes only when
#       psql succeeded, the plan was printed once and every planned test ran
#       and passed (a `not ok … # TODO` counts as passed, as TAP says).
#   tests/sql/run.sh isolation SPEC.spec
#       isolationtester with the spec; passes only when its output equals
#       isolation/expected/NAME.out (the diff is printed otherwise). With
#       SINAU_SQL_ACCEPT=1 the output replaces the expected file instead:
#       read the diff before committing it.
#
# Environment (set by `make test`, or `eval "$(scripts/dev.sh env)"`):
# SINAU_TEST_ADMIN_URL (conninfo of the `postgres` database), SINAU_TEST_TEMPLATE
# (the migrated template), SINAU_TEST_PGBIN (PostgreSQL's binaries), and
# optionally SINAU_TEST_RUN_DIR (where dev.sh looks for databases to reap).
set -euo pipefail

die() { printf 'run.sh: %s\n' "$*" >&2; exit 2; }

(($# == 2)) || die "usage: run.sh pgtap FILE.sql | run.sh isolation SPEC.spec"
MODE=$1
FILE=$2
[[ -r $FILE ]] || die "cannot read $FILE"
# shellcheck disable=SC2016
[[ -n ${SINAU_TEST_ADMIN_URL:-} && -n ${SINAU_TEST_TEMPLATE:-} ]] ||
    die 'SINAU_TEST_ADMIN_URL and SINAU_TEST_TEMPLATE are not set: run `make test`, or first `eval "$(scripts/dev.sh env)"`'
[[ $SINAU_TEST_TEMPLATE =~ ^[A-Za-z0-9_]+$ ]] || die "bad SINAU_TEST_TEMPLATE: $SINAU_TEST_TEMPLATE"

PGBIN=${SINAU_TEST_PGBIN:-/usr/lib/postgresql/15/bin}
PSQL=$PGBIN/psql
[[ -x $PSQL ]] || PSQL=psql
ADMIN=$SINAU_TEST_ADMIN_URL

# The same server, another database (as scripts/dev.sh conninfo_with_db):
# URIs get their path replaced, keyword=value strings a later dbname.
conninfo_with_db() {
    local url=$1 db=$2
    if [[ $url =~ ^(postgres(ql)?://[^/?]*)(/[^?]*)?(\?.*)?$ ]]; then
        printf '%s/%s%s' "${BASH_REMATCH[1]}" "$db" "${BASH_REMATCH[4]}"
    else
        printf '%s dbname=%s' "$url" "$db"
    fi
}

admin_sql() {
    "$PSQL" -X -v ON_ERROR_STOP=1 -qAt -d "$ADMIN" -c "$1"
}

DB=t_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
NOTE=''
WORK=$(mktemp -d /tmp/sinau-sqltest-XXXXXX)

cleanup() {
    local rc=$?
    admin_sql "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1 ||
        printf 'run.sh: could not drop database %s\n' "$DB" >&2
    if [[ -n $NOTE ]]; then rm -f -- "$NOTE"; fi
    rm -rf -- "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Note the database for dev.sh's reaper first, in case we die half-way.
if [[ -n ${SINAU_TEST_RUN_DIR:-} && -d $SINAU_TEST_RUN_DIR ]]; then
    NOTE=$SINAU_TEST_RUN_DIR/$DB.db
    printf '%s' "$DB" >"$NOTE" || NOTE=''
fi

# Another session on the template (autovacuum, a concurrent clone) makes
# CREATE DATABASE fail for a moment: try again a few times.
for attempt in 1 2 3 4 5 6 7 8 9 10; do
    if err=$(admin_sql "CREATE DATABASE \"$DB\" TEMPLATE \"$SINAU_TEST_TEMPLATE\"" 2>&1); then
        break
    fi
    if [[ $err == *'being accessed by other users'* ]] && ((attempt < 10)); then
        sleep 0.3
        continue
    fi
    printf '%s\n' "$err" >&2
    die "could not create database $DB"
done
URL=$(conninfo_with_db "$ADMIN" "$DB")

run_pgtap() {
    local out=$WORK/out rc=0
    "$PSQL" -X -v ON_ERROR_STOP=1 -q -d "$URL" -c 'CREATE EXTENSION pgtap' >/dev/null
    "$PSQL" -X -v ON_ERROR_STOP=1 -q -At -P pager=off -d "$URL" -f "$FILE" >"$out" 2>&1 || rc=$?
    cat "$out"
    local verdict
    verdict=$(awk -v psql_rc="$rc" '
        /^1\.\.[0-9]+$/ { plans++; planned = substr($0, 4) + 0; next }
        /^ok [0-9]+/ { ran++; next }
        /^not ok [0-9]+/ { ran++; if ($0 !~ /# TODO/) failed++; next }
        END {
            if (psql_rc != 0) { print "psql stopped with status " psql_rc " (an error above)"; exit }
            if (plans != 1) { print "expected one plan line, found " plans + 0; exit }
            if (ran != planned) { print "planned " planned " tests but ran " ran + 0; exit }
            if (failed > 0) { print failed " of " planned " tests failed"; exit }
            print "ok"
        }' "$out")
    if [[ $verdict != ok ]]; then
        printf 'FAIL %s: %s\n' "$FILE" "$verdict" >&2
        return 1
    fi
    printf 'PASS %s\n' "$FILE"
}

run_isolation() {
    local tester
    tester=${SINAU_ISOLATIONTESTER:-}
    if [[ -z $tester ]]; then
        local libdir=''
        if [[ -x $PGBIN/pg_config ]]; then libdir=$("$PGBIN/pg_config" --pkglibdir); fi
        tester=${libdir:-$(dirname "$PGBIN")/lib}/pgxs/src/test/isolation/isolationtester
    fi
    [[ -x $tester ]] || die "isolationtester not found at $tester (package postgresql-client-15)"
    local name expected out=$WORK/out rc=0
    name=$(basename "$FILE" .spec)
    expected=$(dirname "$FILE")/expected/$name.out
    # As pg_isolation_regress runs it: the spec on stdin, both streams kept.
    "$tester" "$URL" <"$FILE" >"$out" 2>&1 || rc=$?
    if [[ ${SINAU_SQL_ACCEPT:-0} == 1 ]]; then
        mkdir -p "$(dirname "$expected")"
        cp "$out" "$expected"
        printf 'wrote %s (isolationtester status %s)\n' "$expected" "$rc"
        return 0
    fi
    [[ -r $expected ]] || { cat "$out"; die "no expected output $expected"; }
    if ! diff -u "$expected" "$out"; then
        printf 'FAIL %s: output differs from %s (diff above: - expected, + actual)\n' \
            "$FILE" "$expected" >&2
        return 1
    fi
    if ((rc != 0)); then
        cat "$out"
        printf 'FAIL %s: isolationtester exited with status %s\n' "$FILE" "$rc" >&2
        return 1
    fi
    printf 'PASS %s (%s)\n' "$FILE" "$(grep -c '^starting permutation' "$out") permutations"
}

case $MODE in
    pgtap) run_pgtap ;;
    isolation) run_isolation ;;
    *) die "unknown mode $MODE (pgtap or isolation)" ;;
esac
