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
#include <pthread.h>
#include <errno.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sinau/core/alloc.h"
#include "sinau/core/errmsg.h"
#include "sinau/core/dynbuf.h"

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
    const char *arg;     /* the value's name in the usage text ("URL"); NULL for a switch */
    const char *def;     /* the default, applied through the kind's parser; NULL: none */
    const char *def_doc; /* when def is NULL: the default in words, Markdown (`code`) */
    const char *help;    /* what it does, for the usage text; may be NULL */
} option;

#define FIELD(f) offsetof(sinau_config, f)
#define KIB      1024LL
#define MIB      (1024LL * 1024LL)
#define GIB      (1024LL * 1024LL * 1024LL)

/* The one description of every option: config_load reads it (and applies
 * each def as if it had been given), config_usage and config_markdown
 * print it, and tests/api/config_readme.test.mjs holds the README's table
 * to it. */
static const option options[] = {
    {"database-url", "DATABASE_URL", OPT_SECRET, FIELD(database_url), 0, 0, "URL", NULL,
     "libpq's `PG*` variables", "several hosts: the primary is found and followed"},
    {"database-read-url", "SINAU_DATABASE_READ_URL", OPT_SECRET, FIELD(database_read_url), 0, 0,
     "URL", NULL, "none (reads on the primary)", "standbys for the reads that may be stale"},
    {"read-max-lag-ms", "SINAU_READ_MAX_LAG_MS", OPT_INT, FIELD(read_max_lag_ms), 100, 600000, "MS",
     "1000", NULL, "a standby further behind is not read"},
    {"listen", "SINAU_LISTEN", OPT_LISTEN, 0, 0, 65535, "HOST:PORT", "127.0.0.1:8080", NULL,
     "IPv6 as [::1]:8080; port 0 picks a free port"},
    {"public-url", "SINAU_PUBLIC_URL", OPT_URL, FIELD(public_url), 0, 0, "URL",
     "http://localhost:8080", NULL, "origin written into credentials and links"},
    {"data-dir", "SINAU_DATA_DIR", OPT_PATH, FIELD(data_dir), 0, 0, "DIR", ".data", NULL,
     "the key file and uploads"},
    {"key-file", "SINAU_KEY_FILE", OPT_PATH, FIELD(key_file), 0, 0, "FILE", NULL,
     "`<data-dir>/master.key`", "made on first run"},
    {"web-dir", "SINAU_WEB_DIR", OPT_PATH, FIELD(web_dir), 0, 0, "DIR", "web", NULL,
     "the static web pages"},
    {"metrics-token", "SINAU_METRICS_TOKEN", OPT_TOKEN, FIELD(metrics_token), 0, 0, "TOKEN", NULL,
     "none (loopback only)", "bearer token for /metrics"},
    {"issuer-name", "SINAU_ISSUER_NAME", OPT_PATH, FIELD(issuer_name), 0, 0, "TEXT",
     "Pemerintah Kota Malang", NULL, "the credentials' issuer"},
    {"signatory-name", "SINAU_SIGNATORY_NAME", OPT_PATH, FIELD(signatory_name), 0, 0, "TEXT",
     "Kepala Dinas Komunikasi dan Informatika", NULL, "printed on certificates"},
    {"signatory-title", "SINAU_SIGNATORY_TITLE", OPT_PATH, FIELD(signatory_title), 0, 0, "TEXT",
     "Kota Malang", NULL, "printed on certificates"},
    {"pdf-sign-p12", "SINAU_PDF_SIGN_P12", OPT_PATH, FIELD(pdf_p12), 0, 0, "FILE", NULL,
     "none (PDFs unsigned)", "PKCS#12 that signs PDFs (PAdES)"},
    {"pdf-sign-password-file", "SINAU_PDF_SIGN_PASSWORD_FILE", OPT_PATH, FIELD(pdf_pass_file), 0, 0,
     "FILE", NULL, "none", "its password"},
    {"tsa-url", "SINAU_TSA_URL", OPT_PATH, FIELD(tsa_url), 0, 0, "URL", NULL, "none",
     "RFC 3161 timestamps (optional)"},
    {"pwhash", "SINAU_PWHASH", OPT_PWHASH, FIELD(pwhash), 0, 0, "COST", "interactive", NULL,
     "interactive, moderate, or fast for tests"},
    {"log-level", "SINAU_LOG_LEVEL", OPT_LOG_LEVEL, FIELD(log_level), 0, 0, "LEVEL", "info", NULL,
     "debug, info, warn, error"},
    {"threads", "SINAU_THREADS", OPT_INT, FIELD(threads), 1, CONFIG_MAX_THREADS, "N", NULL,
     "number of cores", "event-loop threads"},
    {"workers", "SINAU_WORKERS", OPT_INT, FIELD(worker_threads), 1, CONFIG_MAX_THREADS, "N", NULL,
     "cores - 1, at least 1", "worker threads for CPU-heavy jobs"},
    {"worker-queue", "SINAU_WORKER_QUEUE", OPT_INT, FIELD(worker_queue_max), 1, 65536, "N", "256",
     NULL, "bounded worker job queue"},
    {"db-pool", "SINAU_DB_POOL", OPT_INT, FIELD(db_pool_size), 1, 100, "N", "4", NULL,
     "database connections per loop thread"},
    {"db-queue", "SINAU_DB_QUEUE", OPT_INT, FIELD(db_queue_max), 0, 65536, "N", "256", NULL,
     "queries waiting for a connection, per loop thread"},
    {"db-queue-timeout-ms", "SINAU_DB_QUEUE_TIMEOUT_MS", OPT_INT, FIELD(db_queue_timeout_ms), 1,
     600000, "MS", "3000", NULL, "longest wait for a connection"},
    {"statement-timeout-ms", "SINAU_STATEMENT_TIMEOUT_MS", OPT_INT, FIELD(statement_timeout_ms), 1,
     3600000, "MS", "5000", NULL, "PostgreSQL statement_timeout"},
    {"max-body", "SINAU_MAX_BODY", OPT_SIZE, FIELD(max_body_bytes), KIB, GIB, "SIZE", "1m", NULL,
     "largest JSON request body"},
    {"max-headers", "SINAU_MAX_HEADERS", OPT_SIZE, FIELD(max_header_bytes), KIB, MIB, "SIZE", "16k",
     NULL, "largest request header block"},
    {"idle-timeout", "SINAU_IDLE_TIMEOUT_S", OPT_INT, FIELD(idle_timeout_s), 1, 3600, "S", "30",
     NULL, "a keep-alive connection's wait for its next request"},
    {"head-timeout", "SINAU_HEAD_TIMEOUT_S", OPT_INT, FIELD(head_timeout_s), 1, 3600, "S", "10",
     NULL, "a whole request head, and a body's grace before its minimum rate"},
    {"min-body-rate", "SINAU_MIN_BODY_RATE", OPT_SIZE, FIELD(min_body_rate), 0, GIB, "SIZE", "1k",
     NULL, "bytes a second a body must average; 0: none"},
    {"max-connections", "SINAU_MAX_CONNECTIONS", OPT_INT, FIELD(max_connections), 16, 1000000, "N",
     "10000", NULL, "client connections open at once"},
    {"max-connections-per-address", "SINAU_MAX_CONNECTIONS_PER_ADDRESS", OPT_INT,
     FIELD(max_connections_per_address), 0, 1000000, "N", NULL,
     "a tenth of `SINAU_MAX_CONNECTIONS`", "0: no share; IPv6 by /64"},
    {"shutdown-grace", "SINAU_SHUTDOWN_GRACE_S", OPT_INT, FIELD(shutdown_grace_s), 1, 600, "S",
     "10", NULL, "longest drain of in-flight requests at SIGTERM"},
    {"session-idle", "SINAU_SESSION_IDLE_S", OPT_INT, FIELD(session_idle_s), 1, 31536000, "S",
     "28800", NULL, "a session unused this long ends (8 h)"},
    {"session-absolute", "SINAU_SESSION_ABSOLUTE_S", OPT_INT, FIELD(session_absolute_s), 1,
     31536000, "S", "604800", NULL, "a session ends this long after login (7 days)"},
    {"session-cache", "SINAU_SESSION_CACHE_S", OPT_INT, FIELD(session_cache_s), 0, 60, "S", "10",
     NULL,
     "0: off; a checked session is trusted this long at most, dropped at once on logout, "
     "disable, role or password change"},
    {"session-cache-size", "SINAU_SESSION_CACHE_SIZE", OPT_INT, FIELD(session_cache_size), 0,
     1000000, "N", "10000", NULL, "sessions cached per process"},
    {"smtp-url", "SINAU_SMTP_URL", OPT_SECRET, FIELD(smtp_url), 0, 0, "URL", NULL, "none",
     "smtps://host:465 or smtp://host:587 (STARTTLS required but on loopback)"},
    {"smtp-password-file", "SINAU_SMTP_PASSWORD_FILE", OPT_PATH, FIELD(smtp_password_file), 0, 0,
     "FILE", NULL, "none", "the SMTP password (else in the URL)"},
    {"mail-from", "SINAU_MAIL_FROM", OPT_PATH, FIELD(mail_from), 0, 0, "ADDRESS", NULL,
     "`noreply@<public host>`", "sender address"},
    {"webhook-url", "SINAU_WEBHOOK_URL", OPT_SECRET, FIELD(webhook_url), 0, 0, "URL", NULL, "none",
     "WhatsApp/SMS gateway (https)"},
    {"webhook-secret", "SINAU_WEBHOOK_SECRET", OPT_TOKEN, FIELD(webhook_secret), 0, 0, "SECRET",
     NULL, "none", "its HMAC-SHA256 key"},
    {"signup-per-hour", "SINAU_SIGNUP_PER_HOUR", OPT_INT, FIELD(signup_per_hour), 0, 1000000, "N",
     "20", NULL, "signups an hour per client address (0: no limit)"},
    {"login-per-address", "SINAU_LOGIN_PER_ADDRESS", OPT_INT, FIELD(login_per_address), 1, 1000000,
     "N", "30", NULL,
     "failed logins per client address in 15 min; logins being checked count until they "
     "succeed: raise it for one shared address"},
    {"verify-misses-per-minute", "SINAU_VERIFY_MISSES_PER_MINUTE", OPT_INT,
     FIELD(verify_misses_per_minute), 1, 1000000, "N", "20", NULL,
     "certificate lookups that miss per client address a minute; a lookup counts from before "
     "it looks until it is found: raise it for one shared address"},
    {"outbox-max-attempts", "SINAU_OUTBOX_MAX_ATTEMPTS", OPT_INT, FIELD(outbox_max_attempts), 1,
     1000, "N", "8", NULL, "tries, then failed"},
    {"outbox-backoff-ms", "SINAU_OUTBOX_BACKOFF_MS", OPT_INT, FIELD(outbox_backoff_ms), 10,
     86400000, "MS", "30000", NULL, "first retry"},
    {"outbox-backoff-max-ms", "SINAU_OUTBOX_BACKOFF_MAX_MS", OPT_INT, FIELD(outbox_backoff_max_ms),
     10, 604800000, "MS", "3600000", NULL, "longest retry delay"},
    {"outbox-concurrency", "SINAU_OUTBOX_CONCURRENCY", OPT_INT, FIELD(outbox_concurrency), 1, 256,
     "N", "8", NULL, "sends at once"},
    {"outbox-yield", "SINAU_OUTBOX_YIELD", OPT_INT, FIELD(outbox_yield), 0, 1000000, "N", "32",
     NULL, "requests in flight on this instance at which delivery waits (0: never)"},
    {"outbox-yield-max-ms", "SINAU_OUTBOX_YIELD_MAX_MS", OPT_INT, FIELD(outbox_yield_max_ms), 0,
     60000, "MS", "5000", NULL, "longest such wait"},
    {"mail-timeout-ms", "SINAU_MAIL_TIMEOUT_MS", OPT_INT, FIELD(mail_timeout_ms), 100, 600000, "MS",
     "30000", NULL, "per send"},
    {"mail-connect-timeout-ms", "SINAU_MAIL_CONNECT_TIMEOUT_MS", OPT_INT,
     FIELD(mail_connect_timeout_ms), 100, 600000, "MS", "10000", NULL, "longest connect of a send"},
    {"verify-email", "SINAU_VERIFY_EMAIL", OPT_SWITCH, FIELD(verify_email), 0, 0, NULL, "false",
     NULL, "confirm e-mail before registering for a cohort"},
    {"migrate", NULL, OPT_SWITCH, FIELD(migrate_on_start), 0, 0, NULL, "false", NULL,
     "apply pending migrations first"},
    {"debug-routes", "SINAU_DEBUG_ROUTES", OPT_SWITCH, FIELD(debug_routes), 0, 0, NULL, "false",
     NULL, "test-only routes under /debug/"},
    {"trust-proxy", "SINAU_TRUST_PROXY", OPT_SWITCH, FIELD(trust_proxy), 0, 0, NULL, "false", NULL,
     "client address from X-Forwarded-For (only behind your own proxy)"},
};

static const char usage_head[] =
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
    "  config --markdown            print the options as the README's table, then exit\n"
    "  --help                       print this help, then exit\n"
    "  --version                    print the version, then exit\n"
    "\n"
    "Flags override environment variables. Write --flag value or --flag=value.\n"
    "An empty variable counts as unset. Sizes take a k, m or g suffix (1024-based).\n"
    "\n";

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
    errmsg_set(err, errlen, "invalid %s: \"%s\" %s", source, echo, what);
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

/* The owned string an option of a string kind (a path, a URL, a secret,
 * a token) keeps in cfg. */
static char **string_at(sinau_config *cfg, const option *o)
{
    return (char **)(void *)((char *)cfg + o->offset);
}

/* Applies the string kinds (paths, secrets, the token). */
static int apply_string(sinau_config *cfg, const option *o, const char *value, const char *source,
                        char *err, size_t errlen)
{
    char **slot = string_at(cfg, o);
    size_t len = strlen(value);

    if (o->kind == OPT_TOKEN && !token_ok(value)) {
        errmsg_set(
            err, errlen,
            "invalid %s: must be 1 to %d printable characters without spaces (value not shown)",
            source, CONFIG_MAX_TOKEN);
        return -1;
    }
    if (len == 0) {
        errmsg_set(err, errlen, "invalid %s: must not be empty", source);
        return -1;
    }
    if (len > CONFIG_MAX_STRING) {
        errmsg_set(err, errlen, "invalid %s: longer than %d bytes", source, CONFIG_MAX_STRING);
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

/* Applies every option's default through its own parser, then the
 * defaults that are computed (from the machine, or once the rest is read). */
static void set_defaults(sinau_config *cfg)
{
    char err[256];

    for (size_t i = 0; i < SINAU_ARRAY_LEN(options); i++) {
        const option *o = &options[i];
        if (o->def != NULL && apply(cfg, o, o->def, "default", err, sizeof err) != 0) {
            fprintf(stderr, "fatal: the option table's %s\n", err);
            abort(); /* a bad table is a build mistake, caught by every test */
        }
    }
    cfg->threads = online_cores();
    /* the hash pool never takes every core (PERFORMANCE.md P5) */
    cfg->worker_threads = online_cores() > 1 ? online_cores() - 1 : 1;
    cfg->max_connections_per_address = -1; /* a tenth of max_connections, once it is known */
}

/* ---- the option table as text: usage and the README's table ---- */

#define USAGE_FLAG_COL 31 /* where the variable starts */
#define USAGE_TEXT_COL 60 /* where the description starts */
#define USAGE_WIDTH    100

/* "min..max" of a numeric option, in its own units. */
static void range_text(const option *o, char *buf, size_t len)
{
    char lo[24];
    char hi[24];

    if (o->kind == OPT_SIZE) {
        format_size(o->min, lo, sizeof lo);
        format_size(o->max, hi, sizeof hi);
        snprintf(buf, len, "%s..%s", lo, hi);
    } else {
        snprintf(buf, len, "%lld..%lld", o->min, o->max);
    }
}

/* The default as written in the usage text and the README. */
static const char *default_text(const option *o)
{
    if (o->kind == OPT_SWITCH)
        return o->def != NULL && strcmp(o->def, "true") == 0 ? "on" : "off";
    return o->def != NULL ? o->def : o->def_doc;
}

/* "default: D (range); help" for the usage text. */
static void describe(const option *o, dynbuf *out)
{
    char range[64];

    dynbuf_addstr(out, "default: ");
    for (const char *p = default_text(o); *p != '\0'; p++)
        if (*p != '`')
            dynbuf_add(out, p, 1); /* Markdown's code marks are for the README */
    if (o->kind == OPT_INT || o->kind == OPT_SIZE) {
        range_text(o, range, sizeof range);
        dynbuf_printf(out, " (%s)", range);
    }
    if (o->help != NULL)
        dynbuf_printf(out, "; %s", o->help);
}

/* Appends words to b from column col, wrapping at USAGE_WIDTH with the
 * continuation indented to USAGE_FLAG_COL + 1. */
static void wrap(dynbuf *b, const char *words, size_t col)
{
    bool first = true;

    for (const char *p = words; *p != '\0';) {
        size_t n = strcspn(p, " ");
        if (!first && col + 1 + n > USAGE_WIDTH) {
            dynbuf_printf(b, "\n%*s", USAGE_FLAG_COL + 1, "");
            col = USAGE_FLAG_COL + 1;
        } else if (!first) {
            dynbuf_add(b, " ", 1);
            col++;
        }
        dynbuf_add(b, p, n);
        col += n;
        first = false;
        p += n + strspn(p + n, " ");
    }
    dynbuf_add(b, "\n", 1);
}

/* One option's lines of the usage text. */
static void usage_option(dynbuf *b, const option *o)
{
    dynbuf text;
    size_t start = b->len;
    size_t col;

    dynbuf_printf(b, "  --%s%s%s", o->flag, o->arg != NULL ? " " : "",
                  o->arg != NULL ? o->arg : "");
    if (b->len - start >= USAGE_FLAG_COL)
        dynbuf_printf(b, "\n%*s", USAGE_FLAG_COL + 1, "");
    else
        dynbuf_printf(b, "%*s", (int)(USAGE_FLAG_COL + 1 - (b->len - start)), "");
    start = b->len - (USAGE_FLAG_COL + 1);
    dynbuf_printf(b, "%s ", o->env != NULL ? o->env : "");
    col = b->len - start;
    if (col < USAGE_TEXT_COL) {
        dynbuf_printf(b, "%*s", (int)(USAGE_TEXT_COL - col), "");
        col = USAGE_TEXT_COL;
    }
    dynbuf_init(&text, 4096);
    describe(o, &text);
    wrap(b, dynbuf_ptr(&text) != NULL ? dynbuf_ptr(&text) : "", col);
    dynbuf_free(&text);
}

static pthread_once_t text_once = PTHREAD_ONCE_INIT;
static dynbuf usage_buf;
static dynbuf markdown_buf;

/* Builds both texts once (the table is constant). */
static void build_texts(void)
{
    dynbuf_init(&usage_buf, 64 * 1024);
    dynbuf_init(&markdown_buf, 64 * 1024);
    dynbuf_addstr(&usage_buf, usage_head);
    dynbuf_addstr(&markdown_buf, "| variable | flag | default |\n|---|---|---|\n");
    for (size_t i = 0; i < SINAU_ARRAY_LEN(options); i++) {
        const option *o = &options[i];
        usage_option(&usage_buf, o);
        if (o->env != NULL)
            dynbuf_printf(&markdown_buf, "| `%s` | `--%s` | %s%s%s |\n", o->env, o->flag,
                          o->def != NULL ? "`" : "", default_text(o), o->def != NULL ? "`" : "");
    }
}

const char *config_usage(void)
{
    pthread_once(&text_once, build_texts);
    return dynbuf_ptr(&usage_buf);
}

const char *config_markdown(void)
{
    pthread_once(&text_once, build_texts);
    return dynbuf_ptr(&markdown_buf);
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
        errmsg_set(err, errlen, "unexpected argument \"%s\" (see --help)", echo);
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
        errmsg_set(err, errlen, "unknown flag \"--%s\" (see --help)", echo);
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
        errmsg_set(err, errlen, "missing value for %s (write %s=VALUE if it starts with --)",
                   source, source);
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
        errmsg_set(err, errlen,
                   "invalid SINAU_SMTP_URL: must start with smtp:// or smtps:// (value "
                   "not shown)");
        return -1;
    }
    if (w != NULL && strncmp(w, "http://", 7) != 0 && strncmp(w, "https://", 8) != 0) {
        errmsg_set(err, errlen,
                   "invalid SINAU_WEBHOOK_URL: must start with https:// (value not shown)");
        return -1;
    }
    if (w != NULL && cfg->webhook_secret == NULL) {
        errmsg_set(err, errlen, "SINAU_WEBHOOK_URL needs SINAU_WEBHOOK_SECRET (the HMAC key)");
        return -1;
    }
    if (f != NULL && (strchr(f, '@') == NULL || strpbrk(f, "\r\n<>\"") != NULL)) {
        return bad_value(err, errlen, "SINAU_MAIL_FROM", f, "is not an e-mail address");
    }
    if (cfg->outbox_backoff_max_ms < cfg->outbox_backoff_ms) {
        errmsg_set(err, errlen, "SINAU_OUTBOX_BACKOFF_MAX_MS is below SINAU_OUTBOX_BACKOFF_MS");
        return -1;
    }
    return 0;
}

int config_load(sinau_config *cfg, int argc, char **argv,
                const char *(*getenv_fn)(const char *name), char *err, size_t errlen)
{
    int rc = -1;

    memset(cfg, 0, sizeof(*cfg));
    errmsg_set(err, errlen, "%s", "");
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
    free(cfg->listen_host); /* OPT_LISTEN's */
    /* every string the option table describes: secrets and tokens wiped */
    for (size_t i = 0; i < SINAU_ARRAY_LEN(options); i++) {
        const option *o = &options[i];
        if (o->kind == OPT_SECRET || o->kind == OPT_TOKEN) {
            xfree_secret(*string_at(cfg, o));
        } else if (o->kind == OPT_PATH || o->kind == OPT_URL) {
            free(*string_at(cfg, o));
        }
    }
    memset(cfg, 0, sizeof(*cfg));
}
