#!/usr/bin/env bash
# PERFORMANCE.md P6: certificate verification by URL (GET /credentials/{id}
# with Accept: application/json — the stored token's signature checked, the
# status bit read, every time) against P2's request (a signed-in lesson read,
# GET /api/v1/cohorts/{id}/lessons/{lesson_id} with a bearer token) on the
# same server, alternately, round after round; target verification ÷ lesson
# ≥ 0.9. Then PDFs per second (GET /credentials/{id}.pdf, drawn on the worker
# pool) with the pool idle and with the pool kept busy by concurrent
# Markdown previews (POST /api/v1/markdown/preview of ~60 KB, also worker
# pool work), and the previews' own rate alone and under the PDFs.
#
#   tests/bench/p6_verify.sh
#   SMOKE=1 tests/bench/p6_verify.sh          (2 s runs, 1 round)
#
# Since issue 18 every verification also checks the certificate's Data
# Integrity form (eddsa-rdfc-2022: both canonical forms hashed, the Ed25519
# signature checked, the two forms compared), so the ratio is P6 with Data
# Integrity verification. With PDF_SIGN=1 the server signs PDFs (PAdES, a
# test CA made here with openssl): the first fetch of each certificate
# signs and stores it (timed once over all of them, 8 at a time), the
# measured runs then serve the stored signed bytes.
#
# Fixtures through the API (p6_fixtures.mjs): 2 modules x 5 lessons of ~3 KB
# HTML, one cohort, OTHERS participants, each with a certificate; the
# verification requests cycle through all the certificates (a wrk Lua
# script), the lesson requests are one participant's, as in P2.
#
# Settings (environment): DUR (s, 10; 2 with SMOKE=1), ROUNDS (3; 1), CONNS
# (wrk connections, 64), WRK_THREADS (2), SINAU_THREADS (2), SINAU_DB_POOL
# (4), SINAU_WORKERS (2), OTHERS (participants and certificates, 200),
# PDF_CONNS (8), BUSY_CONNS (preview connections, 8), PREVIEW_BYTES (60000),
# SINAU_BIN, SINAU_PORT (first free from 18480), DATABASE_URL (else the
# private cluster via scripts/dev.sh), BENCH_COMMIT, PDF_SIGN (0). Everything
# started is stopped at exit.
set -euo pipefail

# shellcheck disable=SC2034 # used by lib.sh
BENCH=p6
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
WORKERS=${SINAU_WORKERS:-2}
OTHERS=${OTHERS:-200}
PDF_CONNS=${PDF_CONNS:-8}
BUSY_CONNS=${BUSY_CONNS:-8}
PREVIEW_BYTES=${PREVIEW_BYTES:-60000}
PASSWORD='Bench-Admin-2024!'
PDF_SIGN=${PDF_SIGN:-0}

posint DUR ROUNDS CONNS WRK_THREADS THREADS POOL WORKERS OTHERS PDF_CONNS BUSY_CONNS PREVIEW_BYTES
((PREVIEW_BYTES <= 65536)) || die "PREVIEW_BYTES must be at most 65536 (the preview's limit)"
[[ -x $SINAU_BIN ]] || die "$SINAU_BIN not found: run 'make build'"
need wrk curl node python3

# ------------------------------------------------------------ server --

bench_cluster
bench_db_new
log "database $BENCH_DB_NAME"
printf '%s\n' "$PASSWORD" |
    DATABASE_URL=$BENCH_DB_URL SINAU_LOG_LEVEL=warn SINAU_PWHASH=fast "$SINAU_BIN" user create \
        --email admin@bench.invalid --name 'Bench Admin' --role admin >"$TMP/admin.log" 2>&1 ||
    {
        cat "$TMP/admin.log" >&2
        die "user create failed"
    }

# PDF_SIGN=1: a root CA and a signer's certificate in a PKCS#12, as an
# office's TTE would come
SIGN_ENV=()
if [[ $PDF_SIGN == 1 ]]; then
    need openssl
    ca=$TMP/ca
    mkdir -p "$ca"
    {
        openssl req -x509 -newkey rsa:2048 -nodes -keyout "$ca/root.key" -out "$ca/root.crt" \
            -days 30 -subj '/CN=Bench Root CA'
        openssl req -newkey rsa:2048 -nodes -keyout "$ca/signer.key" -out "$ca/signer.csr" \
            -subj '/O=Pemerintah Kota Malang/CN=Bench Signer'
        openssl x509 -req -in "$ca/signer.csr" -CA "$ca/root.crt" -CAkey "$ca/root.key" \
            -CAcreateserial -out "$ca/signer.crt" -days 30
        openssl pkcs12 -export -inkey "$ca/signer.key" -in "$ca/signer.crt" -certfile "$ca/root.crt" \
            -out "$ca/signer.p12" -passout pass:bench
    } >"$ca/openssl.log" 2>&1 || die "openssl: $(tail -n 3 "$ca/openssl.log")"
    echo bench >"$ca/password"
    SIGN_ENV=(SINAU_PDF_SIGN_P12="$ca/signer.p12" SINAU_PDF_SIGN_PASSWORD_FILE="$ca/password")
fi

PORT=${SINAU_PORT:-$(free_port 18480)}
BASE=http://127.0.0.1:$PORT
log "starting sinau on $BASE ($THREADS threads x pool $POOL, $WORKERS workers)"
# fast password hashing: the fixtures sign up OTHERS accounts; no measured
# request hashes a password
start_sinau main "$PORT" SINAU_SIGNUP_PER_HOUR=1000000 SINAU_LOGIN_PER_ADDRESS=1000000 SINAU_VERIFY_MISSES_PER_MINUTE=1000000 SINAU_PUBLIC_URL="$BASE" SINAU_THREADS="$THREADS" SINAU_DB_POOL="$POOL" \
    SINAU_WORKERS="$WORKERS" SINAU_PWHASH=fast "${SIGN_ENV[@]}"

log "fixtures: 10 lessons, $OTHERS participants with a certificate each (through the API)"
printf '%s\n' "$PASSWORD" | node "$ROOT/tests/bench/p6_fixtures.mjs" "$BASE" admin@bench.invalid "$OTHERS" \
    >"$TMP/fixtures.json" || die "fixtures failed"
read -r TOKEN STAFF COHORT LESSON NCERTS < <(python3 -c '
import json, sys
f = json.load(open(sys.argv[1]))
print(f["token"], f["staff_token"], f["cohort"], f["lesson"], len(f["certificates"]))' "$TMP/fixtures.json")
((NCERTS == OTHERS)) || die "$NCERTS certificates for $OTHERS participants"

# wrk scripts: the certificates in turn (JSON, or the PDF), and the preview
python3 - "$TMP" "$PREVIEW_BYTES" <<'PY'
import json, sys
tmp, size = sys.argv[1], int(sys.argv[2])
ids = json.load(open(f"{tmp}/fixtures.json"))["certificates"]
table = "ids = {" + ",".join(f'"{i}"' for i in ids) + "}\n"
for name, suffix, accept in (("verify", "", "application/json"), ("pdf", ".pdf", "application/pdf")):
    with open(f"{tmp}/{name}.lua", "w") as f:
        f.write(table + f'''
local i = 0
request = function()
  i = i % #ids + 1
  return wrk.format("GET", "/credentials/" .. ids[i] .. "{suffix}", {{["Accept"] = "{accept}"}})
end
''')
md, n = [], 0
while True:
    s = (f"## Bagian {n}\n\nParagraf dengan **tebal**, *miring*, `kode` dan [tautan](https://example.org/{n}).\n\n"
         "- butir satu\n- butir dua\n\n> kutipan\n\n")
    if sum(map(len, md)) + len(s) > size:
        break
    md.append(s)
    n += 1
with open(f"{tmp}/preview.json", "w") as f:
    json.dump({"body_md": "".join(md)}, f)
with open(f"{tmp}/preview.lua", "w") as f:
    f.write(f'''
local fh = io.open("{tmp}/preview.json", "rb")
wrk.method = "POST"
wrk.body = fh:read("*a")
fh:close()
wrk.headers["Content-Type"] = "application/json"
''')
PY

CERT1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["certificates"][0])' "$TMP/fixtures.json")
LESSON_URL=$BASE/api/v1/cohorts/$COHORT/lessons/$LESSON
AUTH="Authorization: Bearer $TOKEN"
# the two requests must answer what they should before anything is timed
curl -sf -H "$AUTH" "$LESSON_URL" >"$TMP/lesson.json" || die "the lesson read failed"
curl -sf -H 'Accept: application/json' "$BASE/credentials/$CERT1" >"$TMP/verify.json" ||
    die "the verification failed"
python3 - "$TMP/verify.json" <<'PY' || die "the verification does not say valid with every check ok"
import json, sys
v = json.load(open(sys.argv[1]))
assert v["status"] == "valid" and all(c["ok"] for c in v["checks"]), v
assert any(c["name"] == "data_integrity" for c in v["checks"]), v
PY
if [[ $PDF_SIGN == 1 ]]; then
    # the first fetch of each signs it and stores it
    python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["certificates"]))' \
        "$TMP/fixtures.json" >"$TMP/ids.txt"
    t0=$(date +%s.%N)
    xargs -P 8 -I{} curl -sf -o /dev/null "$BASE/credentials/{}.pdf" <"$TMP/ids.txt" ||
        die "signing the PDFs failed"
    t1=$(date +%s.%N)
    SIGN_RATE=$(awk -v n="$NCERTS" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", n / (b - a) }')
    log "first fetches (render + sign + store): $NCERTS PDFs in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s, $SIGN_RATE /s"
fi
curl -sf -o "$TMP/one.pdf" "$BASE/credentials/$CERT1.pdf" || die "the PDF failed"
[[ $(head -c 5 "$TMP/one.pdf") == %PDF- ]] || die "the PDF is not a PDF"
if [[ $PDF_SIGN == 1 ]]; then
    pdfsig "$TMP/one.pdf" | grep -q 'Signature is Valid' || die "the PDF's signature is not valid"
    curl -sf "$BASE/credentials/$CERT1.pdf" | cmp -s - "$TMP/one.pdf" || die "not the same bytes twice"
fi
curl -sf -o /dev/null -H "Authorization: Bearer $STAFF" -H 'Content-Type: application/json' \
    --data-binary "@$TMP/preview.json" "$BASE/api/v1/markdown/preview" || die "the preview failed"

# ------------------------------------------------------------- runs --


# wrk_run NAME ARGS...: one wrk run; sets RPS P50 P99 N_REQ and C_SINAU (sinau
# CPU µs per request); a non-2xx answer or a broken connection spoils it.
wrk_run() {
    local name=$1 out s0 s1
    shift
    s0=$(ticks "$SINAU_PID")
    out=$(wrk --latency "$@")
    s1=$(ticks "$SINAU_PID")
    printf '%s\n' "$out" >"$TMP/wrk-$name.out"
    if grep -q 'Non-2xx' <<<"$out" ||
        grep -qE 'Socket errors: connect [1-9]|read [1-9]|write [1-9]' <<<"$out"; then
        die "$name: $(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' ' | tr '\n' ';') — not a valid run"
    fi
    read -r P50 P99 RPS <<<"$(wrk_latency <<<"$out")"
    N_REQ=$(awk '/requests in/ { print $1 }' <<<"$out")
    C_SINAU=$(per_op $((s1 - s0)) "$N_REQ")
}

run_lesson() { wrk_run lesson -t"$WRK_THREADS" -c"$CONNS" -d"${1}s" -H "$AUTH" "$LESSON_URL"; }
run_verify() { wrk_run verify -t"$WRK_THREADS" -c"$CONNS" -d"${1}s" -s "$TMP/verify.lua" "$BASE/"; }
run_pdf() { wrk_run pdf -t1 -c"$PDF_CONNS" -d"${1}s" -s "$TMP/pdf.lua" "$BASE/"; }
run_preview() {
    wrk_run preview -t1 -c"$BUSY_CONNS" -d"${1}s" -s "$TMP/preview.lua" \
        -H "Authorization: Bearer $STAFF" "$BASE/api/v1/markdown/preview"
}

log "warming up (1 s of each)"
run_lesson 1
run_verify 1
run_pdf 1

printf 'P6 verification by URL (GET /credentials/{id}, Accept: application/json, %s certificates in turn) vs P2 lesson read (bearer token); sinau %s threads x pool %s, %s workers, %s cores (shared)\n' \
    "$NCERTS" "$THREADS" "$POOL" "$WORKERS" "$(nproc)"
printf 'wrk -t%s -c%s -d%ss, %s round(s); verification body %s B, lesson body %s B\n' \
    "$WRK_THREADS" "$CONNS" "$DUR" "$ROUNDS" "$(wc -c <"$TMP/verify.json")" "$(wc -c <"$TMP/lesson.json")"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
printf 'load average at start: %s\n' "$LOAD_START"

L_RPS=() V_RPS=() L_P99=() V_P99=() L_CPU=() V_CPU=() RATIOS=()
for ((r = 1; r <= ROUNDS; r++)); do
    run_lesson "$DUR"
    L_RPS+=("$RPS") L_P99+=("$P99") L_CPU+=("$C_SINAU")
    l_rps=$RPS
    printf 'round %s  lesson        %9.2f req/s  p50 %6.2f ms  p99 %6.2f ms  sinau CPU %5.1f us/req\n' \
        "$r" "$RPS" "$P50" "$P99" "$C_SINAU"
    run_verify "$DUR"
    V_RPS+=("$RPS") V_P99+=("$P99") V_CPU+=("$C_SINAU")
    RATIOS+=("$(div "$RPS" "$l_rps")")
    printf 'round %s  verification  %9.2f req/s  p50 %6.2f ms  p99 %6.2f ms  sinau CPU %5.1f us/req  ratio %s\n' \
        "$r" "$RPS" "$P50" "$P99" "$C_SINAU" "${RATIOS[-1]}"
done
m_l=$(median <<<"${L_RPS[*]}")
m_v=$(median <<<"${V_RPS[*]}")
ratio=$(div "$m_v" "$m_l")
printf 'median: lesson %s req/s (p99 %s ms, sinau %s us/req); verification %s req/s (p99 %s ms, sinau %s us/req)\n' \
    "$m_l" "$(median <<<"${L_P99[*]}")" "$(median <<<"${L_CPU[*]}")" \
    "$m_v" "$(median <<<"${V_P99[*]}")" "$(median <<<"${V_CPU[*]}")"
printf 'ratio verification / lesson: %s (target >= 0.90); median of the rounds'"'"' ratios %s\n' \
    "$ratio" "$(median <<<"${RATIOS[*]}")"

# ------------------------------------------------- PDFs, pool busy --

printf '\nPDFs%s: wrk -t1 -c%s -d%ss over the %s certificates; pool kept busy by wrk -t1 -c%s of %s-byte Markdown previews\n' \
    "$([[ $PDF_SIGN == 1 ]] && echo " (signed, served from the store; first fetches $SIGN_RATE /s)")" \
    "$PDF_CONNS" "$DUR" "$NCERTS" "$BUSY_CONNS" "$(wc -c <"$TMP/preview.json")"
P_IDLE=() P_BUSY=() PV_ALONE=() PV_BUSY=() P_BUSY_P99=()
for ((r = 1; r <= ROUNDS; r++)); do
    run_pdf "$DUR"
    P_IDLE+=("$RPS")
    printf 'round %s  PDFs alone            %8.2f /s  p50 %7.2f ms  p99 %7.2f ms  sinau CPU %7.1f us/PDF\n' \
        "$r" "$RPS" "$P50" "$P99" "$C_SINAU"
    run_preview "$DUR"
    PV_ALONE+=("$RPS")
    printf 'round %s  previews alone        %8.2f /s  p50 %7.2f ms  p99 %7.2f ms\n' "$r" "$RPS" "$P50" "$P99"
    # the previews start first and end last, so the PDFs run on a busy pool
    wrk --latency -t1 -c"$BUSY_CONNS" -d"$((DUR + 2))s" -s "$TMP/preview.lua" \
        -H "Authorization: Bearer $STAFF" "$BASE/api/v1/markdown/preview" >"$TMP/busy.out" &
    busy=$!
    BENCH_PIDS+=("$busy")
    sleep 1
    run_pdf "$DUR"
    P_BUSY+=("$RPS") P_BUSY_P99+=("$P99")
    printf 'round %s  PDFs, pool busy       %8.2f /s  p50 %7.2f ms  p99 %7.2f ms\n' "$r" "$RPS" "$P50" "$P99"
    wait "$busy" || die "the busy previews failed"
    grep -qE 'Non-2xx|Socket errors: connect [1-9]|read [1-9]|write [1-9]' "$TMP/busy.out" &&
        die "busy previews: $(grep -E 'Non-2xx|Socket errors' "$TMP/busy.out" | tr '\n' ';')"
    read -r _ _ pv <<<"$(wrk_latency <"$TMP/busy.out")"
    PV_BUSY+=("$pv")
    printf 'round %s  previews during PDFs  %8.2f /s (over %ss, 1 s alone at each end)\n' "$r" "$pv" "$((DUR + 2))"
done
m_pi=$(median <<<"${P_IDLE[*]}")
m_pb=$(median <<<"${P_BUSY[*]}")
printf 'median: PDFs alone %s /s, with the pool busy %s /s (%s of alone, p99 %s ms); previews alone %s /s, during PDFs %s /s\n' \
    "$m_pi" "$m_pb" "$(div "$m_pb" "$m_pi")" "$(median <<<"${P_BUSY_P99[*]}")" \
    "$(median <<<"${PV_ALONE[*]}")" "$(median <<<"${PV_BUSY[*]}")"

commit=${BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')}
printf '\nRESULTS.md rows:\n| %s | %s | %s | %s | %s | %s | %s / %s | wrk -t%s -c%s d%ss x%s, %s threads x pool %s, %s certificates, load %s |\n' \
    "$(date -u +%Y-%m-%d)" "$commit" "$m_l" "$m_v" "$ratio" "$(median <<<"${RATIOS[*]}")" \
    "$(median <<<"${L_CPU[*]}")" "$(median <<<"${V_CPU[*]}")" \
    "$WRK_THREADS" "$CONNS" "$DUR" "$ROUNDS" "$THREADS" "$POOL" "$NCERTS" "$(cut -d' ' -f1 <<<"$LOAD_START")"
printf '| %s | %s | %s | %s | %s | %s / %s | PDF -c%s, previews -c%s of %s B, %s workers, d%ss x%s |\n' \
    "$(date -u +%Y-%m-%d)" "$commit" "$m_pi" "$m_pb" "$(div "$m_pb" "$m_pi")" \
    "$(median <<<"${PV_ALONE[*]}")" "$(median <<<"${PV_BUSY[*]}")" \
    "$PDF_CONNS" "$BUSY_CONNS" "$(wc -c <"$TMP/preview.json")" "$WORKERS" "$DUR" "$ROUNDS"
