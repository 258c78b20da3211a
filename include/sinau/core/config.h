/* core/config.h — server configuration from environment variables and flags.
 *
 * Flags override variables; every value is validated here, so that a bad
 * value is one clear line and exit code 2 in main, never a crash later.
 * config_load is pure (environment passed in as a lookup function) so it can
 * be unit-tested. */
#ifndef SINAU_CORE_CONFIG_H
#define SINAU_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "sinau/core/common.h"
#include "sinau/core/log.h"

enum pwhash_cost { PWHASH_INTERACTIVE = 0, PWHASH_MODERATE, PWHASH_FAST };

typedef struct sinau_config {
    char *listen_host;        /* SINAU_LISTEN host part, e.g. "127.0.0.1" */
    int listen_port;          /* SINAU_LISTEN port (0: any free port, logged) */
    char *public_url;         /* SINAU_PUBLIC_URL, no trailing slash */
    char *database_url;       /* DATABASE_URL, libpq conninfo or URI */
    char *database_read_url;  /* SINAU_DATABASE_READ_URL: standbys for stale-tolerant reads */
    int read_max_lag_ms;      /* SINAU_READ_MAX_LAG_MS: the staleness bound of those reads */
    char *data_dir;           /* SINAU_DATA_DIR (default ".data") */
    char *key_file;           /* SINAU_KEY_FILE (default <data_dir>/master.key) */
    char *web_dir;            /* SINAU_WEB_DIR (default "web") */
    char *metrics_token;      /* SINAU_METRICS_TOKEN or NULL (loopback only) */
    char *issuer_name;        /* SINAU_ISSUER_NAME: who issues certificates */
    char *signatory_name;     /* SINAU_SIGNATORY_NAME: printed under the signature line */
    char *signatory_title;    /* SINAU_SIGNATORY_TITLE: the signatory's office */
    char *pdf_p12;            /* SINAU_PDF_SIGN_P12: the office's signing certificate, or NULL */
    char *pdf_pass_file;      /* SINAU_PDF_SIGN_PASSWORD_FILE: its password, or NULL */
    char *tsa_url;            /* SINAU_TSA_URL: an RFC 3161 timestamp authority, or NULL */
    enum pwhash_cost pwhash;  /* SINAU_PWHASH */
    enum log_level log_level; /* SINAU_LOG_LEVEL */
    int threads;              /* SINAU_THREADS loop threads (default: cores) */
    int worker_threads;       /* SINAU_WORKERS CPU worker threads (default: cores - 1, >= 1) */
    int worker_queue_max;     /* SINAU_WORKER_QUEUE bounded job queue */
    int db_pool_size;         /* SINAU_DB_POOL connections per loop thread */
    int db_queue_max;         /* SINAU_DB_QUEUE waiting queries per loop thread */
    int db_queue_timeout_ms;  /* SINAU_DB_QUEUE_TIMEOUT_MS longest wait for a connection */
    int statement_timeout_ms; /* SINAU_STATEMENT_TIMEOUT_MS */
    size_t max_body_bytes;    /* SINAU_MAX_BODY JSON body limit */
    size_t max_header_bytes;  /* SINAU_MAX_HEADERS all request headers together */
    int idle_timeout_s;       /* SINAU_IDLE_TIMEOUT_S connection idle/read timeout */
    int head_timeout_s;       /* SINAU_HEAD_TIMEOUT_S a whole request head; a body's grace */
    size_t min_body_rate;     /* SINAU_MIN_BODY_RATE bytes/s a body averages (0: none) */
    int max_connections;      /* SINAU_MAX_CONNECTIONS open at once, all loops */
    int max_connections_per_address; /* SINAU_MAX_CONNECTIONS_PER_ADDRESS (0: no share) */
    int shutdown_grace_s;            /* SINAU_SHUTDOWN_GRACE_S longest drain at SIGTERM */
    int session_idle_s;              /* SINAU_SESSION_IDLE_S: a session unused this long ends */
    int session_absolute_s; /* SINAU_SESSION_ABSOLUTE_S: and this long after login at most */
    int session_cache_s; /* SINAU_SESSION_CACHE_S: a checked session is trusted this long (0: off)
                          */
    int session_cache_size; /* SINAU_SESSION_CACHE_SIZE: sessions cached per process (0: off) */
    bool migrate_on_start;  /* --migrate: apply pending migrations before serving */
    bool trust_proxy;       /* SINAU_TRUST_PROXY: client address from X-Forwarded-For */
    bool debug_routes;      /* SINAU_DEBUG_ROUTES=1: /debug/... test routes (tests only) */

    /* messages (outbox.h): channels, retries, timeouts, e-mail verification */
    char *smtp_url;            /* SINAU_SMTP_URL smtp[s]://[user[:pass]@]host[:port] or NULL */
    char *smtp_password_file;  /* SINAU_SMTP_PASSWORD_FILE: the SMTP password, or NULL */
    char *mail_from;           /* SINAU_MAIL_FROM (default noreply@<public host>) */
    char *webhook_url;         /* SINAU_WEBHOOK_URL: WhatsApp/SMS gateway, or NULL */
    char *webhook_secret;      /* SINAU_WEBHOOK_SECRET: HMAC key of the webhook */
    int outbox_max_attempts;   /* SINAU_OUTBOX_MAX_ATTEMPTS: tries before `failed` */
    int outbox_backoff_ms;     /* SINAU_OUTBOX_BACKOFF_MS: first retry delay */
    int outbox_backoff_max_ms; /* SINAU_OUTBOX_BACKOFF_MAX_MS: longest retry delay */
    int outbox_concurrency;    /* SINAU_OUTBOX_CONCURRENCY: sends in flight per instance */
    int outbox_yield;          /* SINAU_OUTBOX_YIELD: in-flight requests at which delivery waits */
    int outbox_yield_max_ms;   /* SINAU_OUTBOX_YIELD_MAX_MS: the longest such wait */
    int mail_timeout_ms;       /* SINAU_MAIL_TIMEOUT_MS: longest send, all included */
    int mail_connect_timeout_ms;  /* SINAU_MAIL_CONNECT_TIMEOUT_MS: longest connect */
    bool verify_email;            /* SINAU_VERIFY_EMAIL=1: new accounts confirm their e-mail */
    int signup_per_hour;          /* SINAU_SIGNUP_PER_HOUR: signups per client address (0: off) */
    int login_per_address;        /* SINAU_LOGIN_PER_ADDRESS: failed logins per address a window */
    int verify_misses_per_minute; /* SINAU_VERIFY_MISSES_PER_MINUTE: certificate-lookup misses */
} sinau_config;

/* Fills *cfg with defaults, then environment (via getenv_fn), then flags
 * argv[0..argc-1] (argv holds only flags, no program or subcommand name).
 * Unknown flags, missing flag values and bad values fail.
 * Returns 0, or -1 with a one-line message in err. On success the caller owns
 * the strings in *cfg and releases them with config_free (also safe after
 * failure). */
SINAU_MUST_CHECK int config_load(sinau_config *cfg, int argc, char **argv,
                                 const char *(*getenv_fn)(const char *name), char *err,
                                 size_t errlen);

/* Releases the strings owned by cfg; cfg itself is not freed. NULL-safe. */
void config_free(sinau_config *cfg);

/* Help text listing every flag and variable, made from the option table
 * (static string; any thread). */
const char *config_usage(void);

/* The option table as the README's configuration table: one row
 * `| variable | flag | default |` per option read from the environment
 * (static string; any thread). */
const char *config_markdown(void);

#endif /* SINAU_CORE_CONFIG_H */
