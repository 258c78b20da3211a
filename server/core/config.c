/* config.c — defaults, then environment variables, then flags, each value
 * validated as it is read so that a bad one fails with one line naming where
 * it came from (`invalid SINAU_THREADS: "abc" is not an integer in 1..256`).
 *
 * The options are declared in one table (flag, variable, kind, field,
 * range); parsing is one small function per kind. Values that may hold
 * secrets (DATABASE_URL, SINAU_METRICS_TOKEN) are never echoed. An empty
 * variable counts as unset, so `DATABASE_URL=` keeps the default. */
#include "sinau/core/config.h"

#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sinau/core/alloc.h"

#define CONFIG_MAX_THREADS 256
#define CONFIG_MAX_STRING  4096
#define CONFIG_MAX_URL     256 /* SINAU_PUBLIC_URL: in every credential and QR code */
#define CONFIG_MAX_TOKEN   256
#define CONFIG_ECHO_MAX    64 /* longest part of a bad value quoted in a message */

enum opt_kind {
    OPT_PATH,      /* non-empty string (a folder or file) */
    OPT_SECRET,    /* non-empty string, never echoed: DATABASE_URL */
    OPT_TOKEN,     /* printable, no spaces, never echoed: the metrics token */
    OPT_LISTEN,    /* host:port into listen_host and listen_port */
    OPT_URL,       /* http(s) origin, trailing slashes removed */
    OPT_PWHASH,    /* interactive | moderate | fast */
    OPT_LOG_LEVEL, /* debug | info | warn | error */
    OPT_INT,       /* int in min..max */
    OPT_SIZE,      /* size_t in min..max, with optional k/m/g suffix */
    OPT_SWITCH,    /* bool: a flag without value means true; 0/1/true/false */
};

typedef struct option {
    const char *flag; /* without the leading "--" */
    const char *env;  /* NULL: flag only */
    enum opt_kind kind;
    size_t offset; /* of the field in sinau_config (unused for OPT_LISTEN) */
    long long min;
    long long max;
} option;

#define FIELD(f) offsetof(sinau_config, f)
#define KIB      1024LL
#define MIB      (1024LL * 1024LL)
#define GIB      (1024LL * 1024LL * 1024LL)

static const option options[] = {
    {"database-url", "DATABASE_URL", OPT_SECRET, FIELD(database_url), 0, 0},
    {"database-read-url", "SINAU_DATABASE_READ_URL", OPT_SECRET, FIELD(database_read_url), 0, 0},
    {"read-max-lag-ms", "SINAU_READ_MAX_LAG_MS", OPT_INT, FIELD(read_max_lag_ms), 100, 600000},
    {"listen", "SINAU_LISTEN", OPT_LISTEN, 0, 0, 65535},
    {"public-url", "SINAU_PUBLIC_URL", OPT_URL, FIELD(public_url), 0, 0},
    {"data-dir", "SINAU_DATA_DIR", OPT_PATH, FIELD(data_dir), 0, 0},
    {"key-file", "SINAU_KEY_FILE", OPT_PATH, FIELD(key_file), 0, 0},
    {"web-dir", "SINAU_WEB_DIR", OPT_PATH, FIELD(web_dir), 0, 0},
    {"metrics-token", "SINAU_METRICS_TOKEN", OPT_TOKEN, FIELD(metrics_token), 0, 0},
    {"issuer-name", "SINAU_ISSUER_NAME", OPT_PATH, FIELD(issuer_name), 0, 0},
    {"signatory-name", "SINAU_SIGNATORY_NAME", OPT_PATH, FIELD(signatory_name), 0, 0},
    {"signatory-title", "SINAU_SIGNATORY_TITLE", OPT_PATH, FIELD(signatory_title), 0, 0},
    {"pdf-sign-p12", "SINAU_PDF_SIGN_P12", OPT_PATH, FIELD(pdf_p12), 0, 0},
    {"pdf-sign-password-file", "SINAU_PDF_SIGN_PASSWORD_FILE", OPT_PATH, FIELD(pdf_pass_file), 0,
     0},
    {"tsa-url", "SINAU_TSA_URL", OPT_PATH, FIELD(tsa_url), 0, 0},
    {"pwhash", "SINAU_PWHASH", OPT_PWHASH, FIELD(pwhash), 0, 0},
    {"log-level", "SINAU_LOG_LEVEL", OPT_LOG_LEVEL, FIELD(log_level), 0, 0},
    {"threads", "SINAU_THREADS", OPT_INT, FIELD(threads), 1, CONFIG_MAX_THREADS},
    {"workers", "SINAU_WORKERS", OPT_INT, FIELD(worker_threads), 1, CONFIG_MAX_THREADS},
    {"worker-queue", "SINAU_WORKER_QUEUE", OPT_INT, FIELD(worker_queue_max), 1, 65536},
    {"db-pool", "SINAU_DB_POOL", OPT_INT, FIELD(db_pool_size), 1, 100},
    {"db-queue", "SINAU_DB_QUEUE", OPT_INT, FIELD(db_queue_max), 0, 65536},
    {"db-queue-timeout-ms", "SINAU_DB_QUEUE_TIMEOUT_MS", OPT_INT, FIELD(db_queue_timeout_ms), 1,
     600000},
    {"statement-timeout-ms", "SINAU_STATEMENT_TIMEOUT_MS", OPT_INT, FIELD(statement_timeout_ms), 1,
     3600000},
    {"max-body", "SINAU_MAX_BODY", OPT_SIZE, FIELD(max_body_bytes), KIB, GIB},
    {"max-headers", "SINAU_MAX_HEADERS", OPT_SIZE, FIELD(max_header_bytes), KIB, MIB},
    {"idle-timeout", "SINAU_IDLE_TIMEOUT_S", OPT_INT, FIELD(idle_timeout_s), 1, 3600},
    {"head-timeout", "SINAU_HEAD_TIMEOUT_S", OPT_INT, FIELD(head_timeout_s), 1, 3600},
    {"min-body-rate", "SINAU_MIN_BODY_RATE", OPT_SIZE, FIELD(min_body_rate), 0, GIB},
    {"max-connections", "SINAU_MAX_CONNECTIONS", OPT_INT, FIELD(max_connections), 16, 1000000},
    {"max-connections-per-address", "SINAU_MAX_CONNECTIONS_PER_ADDRESS", OPT_INT,
     FIELD(max_connections_per_address), 0, 1000000},
    {"shutdown-grace", "SINAU_SHUTDOWN_GRACE_S", OPT_INT, FIELD(shutdown_grace_s), 1, 600},
    {"session-idle", "SINAU_SESSION_IDLE_S", OPT_INT, FIELD(session_idle_s), 1, 31536000},
    {"session-absolute", "SINAU_SESSION_ABSOLUTE_S", OPT_INT, FIELD(session_absolute_s), 1,
     31536000},
    {"session-cache", "SINAU_SESSION_CACHE_S", OPT_INT, FIELD(session_cache_s), 0, 60},
    {"session-cache-size", "SINAU_SESSION_CACHE_SIZE", OPT_INT, FIELD(session_cache_size), 0,
     1000000},
    {"smtp-url", "SINAU_SMTP_URL", OPT_SECRET, FIELD(smtp_url), 0, 0},
    {"smtp-password-file", "SINAU_SMTP_PASSWORD_FILE", OPT_PATH, FIELD(smtp_password_file), 0, 0},
    {"mail-from", "SINAU_MAIL_FROM", OPT_PATH, FIELD(mail_from), 0, 0},
    {"webhook-url", "SINAU_WEBHOOK_URL", OPT_SECRET, FIELD(webhook_url), 0, 0},
    {"webhook-secret", "SINAU_WEBHOOK_SECRET", OPT_TOKEN, FIELD(webhook_secret), 0, 0},
    {"signup-per-hour", "SINAU_SIGNUP_PER_HOUR", OPT_INT, FIELD(signup_per_hour), 0, 1000000},
    {"login-per-address", "SINAU_LOGIN_PER_ADDRESS", OPT_INT, FIELD(login_per_address), 1, 1000000},
    {"outbox-max-attempts", "SINAU_OUTBOX_MAX_ATTEMPTS", OPT_INT, FIELD(outbox_max_attempts), 1,
     1000},
    {"outbox-backoff-ms", "SINAU_OUTBOX_BACKOFF_MS", OPT_INT, FIELD(outbox_backoff_ms), 10,
     86400000},
    {"outbox-backoff-max-ms", "SINAU_OUTBOX_BACKOFF_MAX_MS", OPT_INT, FIELD(outbox_backoff_max_ms),
     10, 604800000},
    {"outbox-concurrency", "SINAU_OUTBOX_CONCURRENCY", OPT_INT, FIELD(outbox_concurrency), 1, 256},
    {"mail-timeout-ms", "SINAU_MAIL_TIMEOUT_MS", OPT_INT, FIELD(mail_timeout_ms), 100, 600000},
    {"mail-connect-timeout-ms", "SINAU_MAIL_CONNECT_TIMEOUT_MS", OPT_INT,
     FIELD(mail_connect_timeout_ms), 100, 600000},
    {"verify-email", "SINAU_VERIFY_EMAIL", OPT_SWITCH, FIELD(verify_email), 0, 0},
    {"migrate", NULL, OPT_SWITCH, FIELD(migrate_on_start), 0, 0},
    {"debug-routes", "SINAU_DEBUG_ROUTES", OPT_SWITCH, FIELD(debug_routes), 0, 0},
    {"trust-proxy", "SINAU_TRUST_PROXY", OPT_SWITCH, FIELD(trust_proxy), 0, 0},
};

static const char usage_text[] =
    "Usage: sinau <command> [flags]\n"
    "\n"
    "Commands:\n"
    "  serve [--migrate]            run the HTTP server (--migrate: migrate first)\n"
    "  migrate                      apply pending database migrations, then exit\n"
    "  user create --email E --name N --role R [--if-missing]\n"
    "                               create an account; the password is read from stdin\n"
    "  audit verify FILE            check an exported fairness log's hash chain (- = stdin)\n"
    "  verify --jwks FILE [--status FILE] [--origin URL] [TOKEN|-]\n"
    "                               check a credential (VC-JWT or Data Integrity JSON)\n"
    "                               offline against a key set (from stdin when absent;\n"
    "                               origin: the key set's own)\n"
    "  keys rotate                  add a certificate signing key; it signs from now on\n"
    "  demo seed                    the demo programme of a first `make run` (once per database)\n"
    "  --help                       print this help, then exit\n"
    "  --version                    print the version, then exit\n"
    "\n"
    "Flags override environment variables. Write --flag value or --flag=value.\n"
    "An empty variable counts as unset. Sizes take a k, m or g suffix (1024-based).\n"
    "\n"
    "  --database-url URL            DATABASE_URL                 default: libpq's PG* variables\n"
    "                                (several hosts: the primary is found and followed)\n"
    "  --database-read-url URL       SINAU_DATABASE_READ_URL      default: none (reads on the\n"
    "                                primary); standbys for the reads that may be stale\n"
    "  --read-max-lag-ms MS          SINAU_READ_MAX_LAG_MS        default: 1000 (100..600000);\n"
    "                                a standby further behind is not read\n"
    "  --listen HOST:PORT            SINAU_LISTEN                 default: 127.0.0.1:8080\n"
    "                                (IPv6 as [::1]:8080; port 0 picks a free port)\n"
    "  --public-url URL              SINAU_PUBLIC_URL             default: http://localhost:8080\n"
    "  --data-dir DIR                SINAU_DATA_DIR               default: .data\n"
    "  --key-file FILE               SINAU_KEY_FILE               default: <data-dir>/master.key\n"
    "  --web-dir DIR                 SINAU_WEB_DIR                default: web\n"
    "  --metrics-token TOKEN         SINAU_METRICS_TOKEN          default: none (loopback only)\n"
    "  --issuer-name TEXT            SINAU_ISSUER_NAME            default: Pemerintah Kota Malang\n"
    "  --signatory-name TEXT         SINAU_SIGNATORY_NAME         printed on certificates\n"
    "  --signatory-title TEXT        SINAU_SIGNATORY_TITLE        printed on certificates\n"
    "  --pdf-sign-p12 FILE           SINAU_PDF_SIGN_P12           PKCS#12 that signs PDFs (PAdES)\n"
    "  --pdf-sign-password-file FILE SINAU_PDF_SIGN_PASSWORD_FILE its password\n"
    "  --tsa-url URL                 SINAU_TSA_URL                RFC 3161 timestamps (optional)\n"
    "  --pwhash COST                 SINAU_PWHASH                 default: interactive\n"
    "                                (interactive, moderate, or fast for tests)\n"
    "  --log-level LEVEL             SINAU_LOG_LEVEL              default: info\n"
    "                                (debug, info, warn, error)\n"
    "  --threads N                   SINAU_THREADS                default: number of cores "
    "(1..256)\n"
    "  --workers N                   SINAU_WORKERS                default: cores - 1, at least 1 "
    "(1..256)\n"
    "  --worker-queue N              SINAU_WORKER_QUEUE           default: 256 (1..65536)\n"
    "  --db-pool N                   SINAU_DB_POOL                default: 4 per thread (1..100)\n"
    "  --db-queue N                  SINAU_DB_QUEUE               default: 256 per thread "
    "(0..65536)\n"
    "  --db-queue-timeout-ms MS      SINAU_DB_QUEUE_TIMEOUT_MS    default: 3000 (1..600000)\n"
    "  --statement-timeout-ms MS     SINAU_STATEMENT_TIMEOUT_MS   default: 5000 (1..3600000)\n"
    "  --max-body SIZE               SINAU_MAX_BODY               default: 1m (1k..1g)\n"
    "  --max-headers SIZE            SINAU_MAX_HEADERS            default: 16k (1k..1m)\n"
    "  --idle-timeout S              SINAU_IDLE_TIMEOUT_S         default: 30 (1..3600)\n"
    "  --head-timeout S              SINAU_HEAD_TIMEOUT_S         default: 10 (1..3600); a whole\n"
    "                                request head, and a body's grace before its minimum rate\n"
    "  --min-body-rate SIZE          SINAU_MIN_BODY_RATE          default: 1k a second (0..1g;\n"
    "                                0: none)\n"
    "  --max-connections N           SINAU_MAX_CONNECTIONS        default: 10000 (16..1000000)\n"
    "  --max-connections-per-address N\n"
    "                                SINAU_MAX_CONNECTIONS_PER_ADDRESS  default: a tenth of\n"
    "                                the above (0: no share; IPv6 by /64)\n"
    "  --shutdown-grace S            SINAU_SHUTDOWN_GRACE_S       default: 10 (1..600)\n"
    "  --session-idle S              SINAU_SESSION_IDLE_S         default: 28800 (8 h)\n"
    "  --session-absolute S          SINAU_SESSION_ABSOLUTE_S     default: 604800 (7 days)\n"
    "  --session-cache S             SINAU_SESSION_CACHE_S        default: 10 (0..60; 0: off);\n"
    "                                a checked session is trusted this long at most, dropped\n"
    "                                at once on logout, disable, role or password change\n"
    "  --session-cache-size N        SINAU_SESSION_CACHE_SIZE     default: 10000 (0..1000000)\n"
    "  --trust-proxy                 SINAU_TRUST_PROXY            default: off; client address\n"
    "                                from X-Forwarded-For (only behind your own proxy)\n"
    "  --signup-per-hour N           SINAU_SIGNUP_PER_HOUR        default: 20 signups an hour per\n"
    "                                client address (0: no limit)\n"
    "  --login-per-address N         SINAU_LOGIN_PER_ADDRESS      default: 30 failed logins per\n"
    "                                client address in 15 min (1..1000000); logins being checked\n"
    "                                count until they succeed: raise it for one shared address\n"
    "  --smtp-url URL                SINAU_SMTP_URL               default: none; smtps://host:465\n"
    "                                or smtp://host:587 (STARTTLS required but on loopback)\n"
    "  --smtp-password-file FILE     SINAU_SMTP_PASSWORD_FILE     the SMTP password (else in URL)\n"
    "  --mail-from ADDRESS           SINAU_MAIL_FROM              default: noreply@<public host>\n"
    "  --webhook-url URL             SINAU_WEBHOOK_URL            WhatsApp/SMS gateway (https)\n"
    "  --webhook-secret SECRET       SINAU_WEBHOOK_SECRET         its HMAC-SHA256 key\n"
    "  --outbox-max-attempts N       SINAU_OUTBOX_MAX_ATTEMPTS    default: 8 tries, then failed\n"
    "  --outbox-backoff-ms MS        SINAU_OUTBOX_BACKOFF_MS      default: 30000 (first retry)\n"
    "  --outbox-backoff-max-ms MS    SINAU_OUTBOX_BACKOFF_MAX_MS  default: 3600000\n"
    "  --outbox-concurrency N        SINAU_OUTBOX_CONCURRENCY     default: 8 sends at once\n"
    "  --mail-timeout-ms MS          SINAU_MAIL_TIMEOUT_MS        default: 30000 per send\n"
    "  --mail-connect-timeout-ms MS  SINAU_MAIL_CONNECT_TIMEOUT_MS default: 10000\n"
    "  --verify-email                SINAU_VERIFY_EMAIL           default: 0; 1: confirm e-mail\n"
    "                                before registering for a cohort\n"
    "  --migrate                                                  apply pending migrations first\n"
    "  --debug-routes                SINAU_DEBUG_ROUTES           default: 0 (0, 1, true, false;\n"
    "                                                             tests only)\n";

const char *config_usage(void)
{
    return usage_text;
}

/* Writes a one-line message into err (when the caller gave room for one). */
SINAU_PRINTF(3, 4) static void fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || errlen == 0) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Copies value into out for quoting in a message: at most CONFIG_ECHO_MAX
 * bytes (outlen must be at least 4), anything but printable ASCII (and the
 * quote) as '?', so that the message stays one line whatever the value holds. */
static void echo_value(const char *value, char *out, size_t outlen)
{
    size_t max = outlen - 4 < CONFIG_ECHO_MAX ? outlen - 4 : CONFIG_ECHO_MAX;
    size_t n = 0;

    for (const char *p = value; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (n == max) {
            memcpy(out + n, "...", 3);
            n += 3;
            break;
        }
        out[n++] = (c >= 0x20 && c < 0x7f && c != '"') ? (char)c : '?';
    }
    out[n] = '\0';
}

/* Writes `invalid <source>: "<value>" <what>` into err; returns -1. */
static int bad_value(char *err, size_t errlen, const char *source, const char *value,
                     const char *what)
{
    char echo[CONFIG_ECHO_MAX + 4];

    echo_value(value, echo, sizeof echo);
    fail(err, errlen, "invalid %s: \"%s\" %s", source, echo, what);
    return -1;
}

/* Replaces the owned string at *slot with a copy of value. */
static void set_string(char **slot, const char *value, size_t len)
{
    free(*slot);
    *slot = xstrndup(value, len);
}

/* Parses a whole string of decimal digits (no sign, no spaces) into *out. */
static int parse_digits(const char *s, const char **end, long long *out)
{
    char *e = NULL;

    if (!isdigit((unsigned char)s[0])) {
        return -1;
    }
    errno = 0;
    *out = strtoll(s, &e, 10);
    if (errno != 0) {
        return -1;
    }
    *end = e;
    return 0;
}

static int parse_int(const char *value, long long min, long long max, int *out)
{
    const char *end = NULL;
    long long v;

    if (parse_digits(value, &end, &v) != 0 || *end != '\0' || v < min || v > max) {
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int parse_size(const char *value, long long min, long long max, size_t *out)
{
    const char *end = NULL;
    long long mult = 1;
    long long v;

    if (parse_digits(value, &end, &v) != 0) {
        return -1;
    }
    if (*end == 'k' || *end == 'K') {
        mult = KIB;
    } else if (*end == 'm' || *end == 'M') {
        mult = MIB;
    } else if (*end == 'g' || *end == 'G') {
        mult = GIB;
    }
    if (mult != 1) {
        end++;
    }
    if (*end != '\0' || v > max / mult || v * mult < min) {
        return -1;
    }
    *out = (size_t)(v * mult);
    return 0;
}

static int parse_bool(const char *value, bool *out)
{
    if (strcmp(value, "1") == 0 || strcasecmp(value, "true") == 0) {
        *out = true;
        return 0;
    }
    if (strcmp(value, "0") == 0 || strcasecmp(value, "false") == 0) {
        *out = false;
        return 0;
    }
    return -1;
}

/* True for the bytes a host name or IP literal may hold; inside brackets
 * also ':' and '%' (IPv6 and its zone). */
static bool host_ok(const char *h, size_t len, bool bracketed)
{
    if (len == 0 || len > 255) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)h[i];
        if (!isalnum(c) && c != '.' && c != '-' && c != '_' &&
            !(bracketed && (c == ':' || c == '%'))) {
            return false;
        }
    }
    return true;
}

/* Splits "host:port" or "[v6]:port"; stores the host without brackets. */
static int parse_listen(sinau_config *cfg, const char *value)
{
    const char *host = value;
    const char *colon;
    size_t host_len;
    bool bracketed = value[0] == '[';
    int port;

    if (bracketed) {
        const char *close = strchr(value, ']');
        if (close == NULL || close[1] != ':') {
            return -1;
        }
        host = value + 1;
        host_len = (size_t)(close - host);
        colon = close + 1;
    } else {
        colon = strrchr(value, ':');
        if (colon == NULL) {
            return -1;
        }
        host_len = (size_t)(colon - value);
    }
    if (!host_ok(host, host_len, bracketed) || parse_int(colon + 1, 0, 65535, &port) != 0) {
        return -1;
    }
    set_string(&cfg->listen_host, host, host_len);
    cfg->listen_port = port;
    return 0;
}

/* Checks an http(s) origin (optionally with a path, at most CONFIG_MAX_URL
 * bytes: it is written into every credential, QR code and link) and stores
 * it without trailing slashes. */
static int parse_url(char **slot, const char *value)
{
    size_t len = strlen(value);
    size_t scheme;

    if (strncmp(value, "http://", 7) == 0) {
        scheme = 7;
    } else if (strncmp(value, "https://", 8) == 0) {
        scheme = 8;
    } else {
        return -1;
    }
    if (len > CONFIG_MAX_URL) {
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)value[i];
        if (c <= 0x20 || c >= 0x7f || c == '?' || c == '#' || c == '"' || c == '\\') {
            return -1;
        }
    }
    while (len > scheme && value[len - 1] == '/') {
        len--;
    }
    if (len == scheme || value[scheme] == '/') {
        return -1; /* no host */
    }
    set_string(slot, value, len);
    return 0;
}

/* A metrics token travels in a header: printable ASCII without spaces. */
static bool token_ok(const char *value)
{
    size_t len = strlen(value);

    if (len == 0 || len > CONFIG_MAX_TOKEN) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)value[i];
        if (c <= 0x20 || c >= 0x7f) {
            return false;
        }
    }
    return true;
}

static int parse_pwhash(const char *value, enum pwhash_cost *out)
{
    static const char *const names[] = {"interactive", "moderate", "fast"};

    for (size_t i = 0; i < SINAU_ARRAY_LEN(names); i++) {
        if (strcmp(value, names[i]) == 0) {
            *out = (enum pwhash_cost)i;
            return 0;
        }
    }
    return -1;
}

/* Applies the string kinds (paths, secrets, the token). */
static int apply_string(sinau_config *cfg, const option *o, const char *value, const char *source,
                        char *err, size_t errlen)
{
    char **slot = (char **)(void *)((char *)cfg + o->offset);
    size_t len = strlen(value);

    if (o->kind == OPT_TOKEN && !token_ok(value)) {
        fail(err, errlen,
             "invalid %s: must be 1 to %d printable characters without spaces (value not shown)",
             source, CONFIG_MAX_TOKEN);
        return -1;
    }
    if (len == 0) {
        fail(err, errlen, "invalid %s: must not be empty", source);
        return -1;
    }
    if (len > CONFIG_MAX_STRING) {
        fail(err, errlen, "invalid %s: longer than %d bytes", source, CONFIG_MAX_STRING);
        return -1;
    }
    set_string(slot, value, len);
    return 0;
}

/* Formats a byte count as "1k", "16m", "1g" or plain bytes. */
static void format_size(long long n, char *buf, size_t len)
{
    if (n == 0) {
        snprintf(buf, len, "0");
    } else if (n % GIB == 0) {
        snprintf(buf, len, "%lldg", n / GIB);
    } else if (n % MIB == 0) {
        snprintf(buf, len, "%lldm", n / MIB);
    } else if (n % KIB == 0) {
        snprintf(buf, len, "%lldk", n / KIB);
    } else {
        snprintf(buf, len, "%lld", n);
    }
}

/* Applies the numeric kinds. */
static int apply_number(sinau_config *cfg, const option *o, const char *value, const char *source,
                        char *err, size_t errlen)
{
    void *field = (char *)cfg + o->offset;
    char what[128];

    if (o->kind == OPT_INT) {
        if (parse_int(value, o->min, o->max, field) == 0) {
            return 0;
        }
        snprintf(what, sizeof what, "is not an integer in %lld..%lld", o->min, o->max);
    } else {
        char lo[24];
        char hi[24];

        if (parse_size(value, o->min, o->max, field) == 0) {
            return 0;
        }
        format_size(o->min, lo, sizeof lo);
        format_size(o->max, hi, sizeof hi);
        snprintf(what, sizeof what, "is not a size in %s..%s (bytes, or with a k, m or g suffix)",
                 lo, hi);
    }
    return bad_value(err, errlen, source, value, what);
}

/* Validates value for option o and stores it in cfg. source names where the
 * value came from ("SINAU_THREADS" or "--threads") for the message. */
static int apply(sinau_config *cfg, const option *o, const char *value, const char *source,
                 char *err, size_t errlen)
{
    void *field = (char *)cfg + o->offset;

    switch (o->kind) {
    case OPT_PATH:
    case OPT_SECRET:
    case OPT_TOKEN:
        return apply_string(cfg, o, value, source, err, errlen);
    case OPT_INT:
    case OPT_SIZE:
        return apply_number(cfg, o, value, source, err, errlen);
    case OPT_LISTEN:
        if (parse_listen(cfg, value) == 0) {
            return 0;
        }
        return bad_value(err, errlen, source, value,
                         "is not host:port (127.0.0.1:8080, [::1]:8080; port 0..65535)");
    case OPT_URL:
        if (parse_url(field, value) == 0) {
            return 0;
        }
        return bad_value(err, errlen, source, value,
                         "is not an http:// or https:// URL of at most 256 bytes");
    case OPT_PWHASH:
        if (parse_pwhash(value, field) == 0) {
            return 0;
        }
        return bad_value(err, errlen, source, value, "is not interactive, moderate or fast");
    case OPT_LOG_LEVEL:
        if (log_level_parse(value, field) == 0) {
            return 0;
        }
        return bad_value(err, errlen, source, value, "is not debug, info, warn or error");
    case OPT_SWITCH:
        if (parse_bool(value, field) == 0) {
            return 0;
        }
        return bad_value(err, errlen, source, value, "is not 0, 1, true or false");
    }
    return -1;
}

/* Number of online cores, at least 1 and at most CONFIG_MAX_THREADS. */
static int online_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    if (n < 1) {
        return 1;
    }
    return n > CONFIG_MAX_THREADS ? CONFIG_MAX_THREADS : (int)n;
}

static void set_defaults(sinau_config *cfg)
{
    cfg->listen_host = xstrdup("127.0.0.1");
    cfg->listen_port = 8080;
    cfg->public_url = xstrdup("http://localhost:8080");
    cfg->database_url = NULL; /* main fills in the private cluster */
    cfg->database_read_url = NULL;
    cfg->read_max_lag_ms = 1000;
    cfg->data_dir = xstrdup(".data");
    cfg->key_file = NULL; /* derived from data_dir once everything is read */
    cfg->web_dir = xstrdup("web");
    cfg->metrics_token = NULL;
    cfg->issuer_name = xstrdup("Pemerintah Kota Malang");
    cfg->signatory_name = xstrdup("Kepala Dinas Komunikasi dan Informatika");
    cfg->signatory_title = xstrdup("Kota Malang");
    cfg->pwhash = PWHASH_INTERACTIVE;
    cfg->log_level = LOG_INFO;
    cfg->threads = online_cores();
    /* the hash pool never takes every core (PERFORMANCE.md P5) */
    cfg->worker_threads = online_cores() > 1 ? online_cores() - 1 : 1;
    cfg->worker_queue_max = 256;
    cfg->db_pool_size = 4;
    cfg->db_queue_max = 256;
    cfg->db_queue_timeout_ms = 3000;
    cfg->statement_timeout_ms = 5000;
    cfg->max_body_bytes = 1024 * 1024;
    cfg->max_header_bytes = 16 * 1024;
    cfg->idle_timeout_s = 30;
    cfg->head_timeout_s = 10;
    cfg->min_body_rate = 1024;
    cfg->max_connections = 10000;
    cfg->max_connections_per_address = -1; /* a tenth of max_connections, once it is known */
    cfg->shutdown_grace_s = 10;
    cfg->session_idle_s = 28800;
    cfg->session_absolute_s = 604800;
    cfg->session_cache_s = 10;
    cfg->session_cache_size = 10000;
    cfg->signup_per_hour = 20;
    cfg->login_per_address = 30;
    cfg->outbox_max_attempts = 8;
    cfg->outbox_backoff_ms = 30000;
    cfg->outbox_backoff_max_ms = 3600000;
    cfg->outbox_concurrency = 8;
    cfg->mail_timeout_ms = 30000;
    cfg->mail_connect_timeout_ms = 10000;
    cfg->migrate_on_start = false;
    cfg->debug_routes = false;
}

static int load_env(sinau_config *cfg, const char *(*getenv_fn)(const char *name), char *err,
                    size_t errlen)
{
    for (size_t i = 0; i < SINAU_ARRAY_LEN(options); i++) {
        const option *o = &options[i];
        const char *v = o->env != NULL ? getenv_fn(o->env) : NULL;

        if (v != NULL && v[0] != '\0' && apply(cfg, o, v, o->env, err, errlen) != 0) {
            return -1;
        }
    }
    return 0;
}

static const option *find_flag(const char *name, size_t len)
{
    for (size_t i = 0; i < SINAU_ARRAY_LEN(options); i++) {
        if (strlen(options[i].flag) == len && memcmp(options[i].flag, name, len) == 0) {
            return &options[i];
        }
    }
    return NULL;
}

/* Applies argv[*i] (and its value, advancing *i when it is the next word). */
static int load_flag(sinau_config *cfg, int argc, char **argv, int *i, char *err, size_t errlen)
{
    const char *arg = argv[*i];
    const char *eq;
    const char *value;
    const option *o;
    char source[32];
    char echo[CONFIG_ECHO_MAX + 4];
    size_t name_len;

    if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
        echo_value(arg, echo, sizeof echo);
        fail(err, errlen, "unexpected argument \"%s\" (see --help)", echo);
        return -1;
    }
    eq = strchr(arg + 2, '=');
    name_len = eq != NULL ? (size_t)(eq - arg - 2) : strlen(arg + 2);
    o = find_flag(arg + 2, name_len);
    if (o == NULL) {
        /* only the name: a mistyped --metrics-tokn=... must not print the token */
        char name[CONFIG_ECHO_MAX + 1];
        memcpy(name, arg + 2, name_len < CONFIG_ECHO_MAX ? name_len : CONFIG_ECHO_MAX);
        name[name_len < CONFIG_ECHO_MAX ? name_len : CONFIG_ECHO_MAX] = '\0';
        echo_value(name, echo, sizeof echo);
        fail(err, errlen, "unknown flag \"--%s\" (see --help)", echo);
        return -1;
    }
    snprintf(source, sizeof source, "--%s", o->flag);
    if (eq != NULL) {
        value = eq + 1;
    } else if (o->kind == OPT_SWITCH) {
        value = "true";
    } else if (*i + 1 < argc && strncmp(argv[*i + 1], "--", 2) != 0) {
        value = argv[++*i];
    } else {
        fail(err, errlen, "missing value for %s (write %s=VALUE if it starts with --)", source,
             source);
        return -1;
    }
    return apply(cfg, o, value, source, err, errlen);
}

/* Joins data_dir and "master.key" with exactly one slash. */
static char *default_key_file(const char *data_dir)
{
    size_t len = strlen(data_dir);
    bool slash = len > 0 && data_dir[len - 1] == '/';
    size_t total = len + (slash ? 0 : 1) + sizeof "master.key";
    char *p = xmalloc(total);

    snprintf(p, total, "%s%smaster.key", data_dir, slash ? "" : "/");
    return p;
}

/* The message channels: an smtp:// or smtps:// URL, an http(s) webhook
 * with its secret, and a From address when one is given. URLs may hold
 * passwords, so they are never echoed. */
static int check_channels(const sinau_config *cfg, char *err, size_t errlen)
{
    const char *u = cfg->smtp_url, *w = cfg->webhook_url, *f = cfg->mail_from;

    if (u != NULL && strncmp(u, "smtp://", 7) != 0 && strncmp(u, "smtps://", 8) != 0) {
        fail(err, errlen,
             "invalid SINAU_SMTP_URL: must start with smtp:// or smtps:// (value "
             "not shown)");
        return -1;
    }
    if (w != NULL && strncmp(w, "http://", 7) != 0 && strncmp(w, "https://", 8) != 0) {
        fail(err, errlen, "invalid SINAU_WEBHOOK_URL: must start with https:// (value not shown)");
        return -1;
    }
    if (w != NULL && cfg->webhook_secret == NULL) {
        fail(err, errlen, "SINAU_WEBHOOK_URL needs SINAU_WEBHOOK_SECRET (the HMAC key)");
        return -1;
    }
    if (f != NULL && (strchr(f, '@') == NULL || strpbrk(f, "\r\n<>\"") != NULL)) {
        return bad_value(err, errlen, "SINAU_MAIL_FROM", f, "is not an e-mail address");
    }
    if (cfg->outbox_backoff_max_ms < cfg->outbox_backoff_ms) {
        fail(err, errlen, "SINAU_OUTBOX_BACKOFF_MAX_MS is below SINAU_OUTBOX_BACKOFF_MS");
        return -1;
    }
    return 0;
}

int config_load(sinau_config *cfg, int argc, char **argv,
                const char *(*getenv_fn)(const char *name), char *err, size_t errlen)
{
    int rc = -1;

    memset(cfg, 0, sizeof(*cfg));
    fail(err, errlen, "%s", "");
    set_defaults(cfg);
    if (getenv_fn != NULL && load_env(cfg, getenv_fn, err, errlen) != 0) {
        goto out;
    }
    for (int i = 0; i < argc; i++) {
        if (load_flag(cfg, argc, argv, &i, err, errlen) != 0) {
            goto out;
        }
    }
    if (cfg->key_file == NULL) {
        cfg->key_file = default_key_file(cfg->data_dir);
    }
    if (cfg->max_connections_per_address < 0) {
        cfg->max_connections_per_address = cfg->max_connections / 10;
    }
    if (check_channels(cfg, err, errlen) != 0) {
        goto out;
    }
    rc = 0;
out:
    if (rc != 0) {
        config_free(cfg);
    }
    return rc;
}

void config_free(sinau_config *cfg)
{
    if (cfg == NULL) {
        return;
    }
    free(cfg->listen_host);
    free(cfg->public_url);
    xfree_secret(cfg->database_url);
    xfree_secret(cfg->database_read_url);
    free(cfg->data_dir);
    free(cfg->key_file);
    free(cfg->web_dir);
    xfree_secret(cfg->metrics_token);
    free(cfg->issuer_name);
    free(cfg->signatory_name);
    free(cfg->signatory_title);
    free(cfg->pdf_p12);
    free(cfg->pdf_pass_file);
    free(cfg->tsa_url);
    xfree_secret(cfg->smtp_url);
    free(cfg->smtp_password_file);
    free(cfg->mail_from);
    xfree_secret(cfg->webhook_url);
    xfree_secret(cfg->webhook_secret);
    memset(cfg, 0, sizeof(*cfg));
}
