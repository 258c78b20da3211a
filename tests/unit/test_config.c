/* test_config.c — unit tests for config.c: defaults, environment, flags,
 * and one clear message naming the source for every bad value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>

#include "sinau/core/config.h"

/* The fake environment: NULL-terminated name/value pairs set by each test. */
static const char *const *fake_env;

static const char *fake_getenv(const char *name)
{
    for (const char *const *p = fake_env; p != NULL && p[0] != NULL; p += 2) {
        if (strcmp(p[0], name) == 0) {
            return p[1];
        }
    }
    return NULL;
}

static int reset_env(void **state)
{
    fake_env = NULL;
    return 0;
}

/* Loads with the fake environment and argv; asserts success. */
static void load_ok(sinau_config *cfg, int argc, char **argv)
{
    char err[256] = "";

    if (config_load(cfg, argc, argv, fake_getenv, err, sizeof err) != 0) {
        fail_msg("config_load failed: %s", err);
    }
    assert_string_equal(err, "");
}

/* Loads and asserts failure with a message containing want (and one line). */
static void load_fails(int argc, char **argv, const char *want)
{
    sinau_config cfg;
    char err[256] = "";

    assert_int_equal(config_load(&cfg, argc, argv, fake_getenv, err, sizeof err), -1);
    if (strstr(err, want) == NULL) {
        fail_msg("message \"%s\" lacks \"%s\"", err, want);
    }
    assert_null(strchr(err, '\n'));
    assert_null(cfg.listen_host); /* freed and zeroed on failure */
    config_free(&cfg);
}

static void config_defaults_without_env_or_flags(void **state)
{
    sinau_config cfg;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    load_ok(&cfg, 0, NULL);
    assert_string_equal(cfg.listen_host, "127.0.0.1");
    assert_int_equal(cfg.listen_port, 8080);
    assert_string_equal(cfg.public_url, "http://localhost:8080");
    assert_null(cfg.database_url);
    assert_string_equal(cfg.data_dir, ".data");
    assert_string_equal(cfg.key_file, ".data/master.key");
    assert_string_equal(cfg.web_dir, "web");
    assert_null(cfg.metrics_token);
    assert_int_equal(cfg.pwhash, PWHASH_INTERACTIVE);
    assert_int_equal(cfg.log_level, LOG_INFO);
    assert_int_equal(cfg.threads, cores < 1 ? 1 : cores);
    /* issue 17 (P5): the hash pool leaves a core to the loops */
    assert_int_equal(cfg.worker_threads, cores > 1 ? cores - 1 : 1);
    assert_int_equal(cfg.worker_queue_max, 256);
    assert_int_equal(cfg.db_pool_size, 4);
    assert_int_equal(cfg.db_queue_max, 256);
    assert_int_equal(cfg.db_queue_timeout_ms, 3000);
    assert_int_equal(cfg.statement_timeout_ms, 5000);
    assert_int_equal(cfg.max_body_bytes, 1024 * 1024);
    assert_int_equal(cfg.max_header_bytes, 16 * 1024);
    assert_int_equal(cfg.idle_timeout_s, 30);
    assert_int_equal(cfg.shutdown_grace_s, 10);
    assert_null(cfg.database_read_url);
    assert_int_equal(cfg.read_max_lag_ms, 1000);
    assert_false(cfg.migrate_on_start);
    assert_false(cfg.debug_routes);
    config_free(&cfg);
}

static void config_reads_every_variable(void **state)
{
    static const char *const env[] = {
        "DATABASE_URL",
        "postgresql:///sinau?host=/tmp",
        "SINAU_DATABASE_READ_URL",
        "host=a,b port=5432,5433 target_session_attrs=prefer-standby",
        "SINAU_READ_MAX_LAG_MS",
        "2500",
        "SINAU_LISTEN",
        "0.0.0.0:9090",
        "SINAU_PUBLIC_URL",
        "https://sinau.example.org",
        "SINAU_DATA_DIR",
        "/var/lib/sinau",
        "SINAU_KEY_FILE",
        "/etc/sinau/key",
        "SINAU_WEB_DIR",
        "/srv/web",
        "SINAU_METRICS_TOKEN",
        "t0ken-for-metrics",
        "SINAU_PWHASH",
        "fast",
        "SINAU_LOG_LEVEL",
        "debug",
        "SINAU_THREADS",
        "3",
        "SINAU_WORKERS",
        "5",
        "SINAU_WORKER_QUEUE",
        "100",
        "SINAU_DB_POOL",
        "7",
        "SINAU_DB_QUEUE",
        "0",
        "SINAU_DB_QUEUE_TIMEOUT_MS",
        "250",
        "SINAU_STATEMENT_TIMEOUT_MS",
        "1500",
        "SINAU_MAX_BODY",
        "2m",
        "SINAU_MAX_HEADERS",
        "8192",
        "SINAU_IDLE_TIMEOUT_S",
        "5",
        "SINAU_SHUTDOWN_GRACE_S",
        "2",
        "SINAU_DEBUG_ROUTES",
        "1",
        NULL,
    };
    sinau_config cfg;

    fake_env = env;
    load_ok(&cfg, 0, NULL);
    assert_string_equal(cfg.database_url, "postgresql:///sinau?host=/tmp");
    assert_string_equal(cfg.database_read_url,
                        "host=a,b port=5432,5433 target_session_attrs=prefer-standby");
    assert_int_equal(cfg.read_max_lag_ms, 2500);
    assert_string_equal(cfg.listen_host, "0.0.0.0");
    assert_int_equal(cfg.listen_port, 9090);
    assert_string_equal(cfg.public_url, "https://sinau.example.org");
    assert_string_equal(cfg.data_dir, "/var/lib/sinau");
    assert_string_equal(cfg.key_file, "/etc/sinau/key");
    assert_string_equal(cfg.web_dir, "/srv/web");
    assert_string_equal(cfg.metrics_token, "t0ken-for-metrics");
    assert_int_equal(cfg.pwhash, PWHASH_FAST);
    assert_int_equal(cfg.log_level, LOG_DEBUG);
    assert_int_equal(cfg.threads, 3);
    assert_int_equal(cfg.worker_threads, 5);
    assert_int_equal(cfg.worker_queue_max, 100);
    assert_int_equal(cfg.db_pool_size, 7);
    assert_int_equal(cfg.db_queue_max, 0);
    assert_int_equal(cfg.db_queue_timeout_ms, 250);
    assert_int_equal(cfg.statement_timeout_ms, 1500);
    assert_int_equal(cfg.max_body_bytes, 2 * 1024 * 1024);
    assert_int_equal(cfg.max_header_bytes, 8192);
    assert_int_equal(cfg.idle_timeout_s, 5);
    assert_int_equal(cfg.shutdown_grace_s, 2);
    assert_true(cfg.debug_routes);
    config_free(&cfg);
}

static void config_flag_overrides_env(void **state)
{
    static const char *const env[] = {
        "SINAU_THREADS", "3", "SINAU_LISTEN", "0.0.0.0:9090", "SINAU_PWHASH", "fast", NULL,
    };
    char *argv[] = {"--threads", "2", "--listen", "127.0.0.1:7000", "--pwhash", "moderate"};
    sinau_config cfg;

    fake_env = env;
    load_ok(&cfg, 6, argv);
    assert_int_equal(cfg.threads, 2);
    assert_string_equal(cfg.listen_host, "127.0.0.1");
    assert_int_equal(cfg.listen_port, 7000);
    assert_int_equal(cfg.pwhash, PWHASH_MODERATE);
    config_free(&cfg);
}

static void config_bad_variable_fails_even_when_a_flag_overrides_it(void **state)
{
    static const char *const env[] = {"SINAU_THREADS", "abc", NULL};
    char *argv[] = {"--threads=2"};

    /* variables are validated even when a flag would override them: a bad
     * value anywhere is a mistake worth reporting */
    fake_env = env;
    load_fails(1, argv, "invalid SINAU_THREADS: \"abc\" is not an integer in 1..256");
}

static void config_flag_equals_form(void **state)
{
    char *argv[] = {
        "--threads=4",
        "--db-pool=9",
        "--max-body=64k",
        "--log-level=warn",
        "--public-url=http://127.0.0.1:8081/",
        "--data-dir=/tmp/d/",
        "--database-url=dbname=x",
        "--metrics-token=abc=def",
    };
    sinau_config cfg;

    load_ok(&cfg, 8, argv);
    assert_int_equal(cfg.threads, 4);
    assert_int_equal(cfg.db_pool_size, 9);
    assert_int_equal(cfg.max_body_bytes, 64 * 1024);
    assert_int_equal(cfg.log_level, LOG_WARN);
    assert_string_equal(cfg.public_url, "http://127.0.0.1:8081");
    assert_string_equal(cfg.data_dir, "/tmp/d/");
    assert_string_equal(cfg.key_file, "/tmp/d/master.key");
    assert_string_equal(cfg.database_url, "dbname=x");
    assert_string_equal(cfg.metrics_token, "abc=def");
    config_free(&cfg);
}

static void config_every_flag_with_separate_value(void **state)
{
    char *argv[] = {
        "--database-url",
        "postgresql://u@h/db",
        "--listen",
        "[::1]:0",
        "--public-url",
        "https://x.example",
        "--data-dir",
        "dd",
        "--key-file",
        "kf",
        "--web-dir",
        "wd",
        "--metrics-token",
        "tok",
        "--pwhash",
        "interactive",
        "--log-level",
        "error",
        "--threads",
        "256",
        "--workers",
        "1",
        "--worker-queue",
        "65536",
        "--db-pool",
        "100",
        "--db-queue",
        "65536",
        "--db-queue-timeout-ms",
        "600000",
        "--statement-timeout-ms",
        "3600000",
        "--max-body",
        "1g",
        "--max-headers",
        "1m",
        "--idle-timeout",
        "3600",
        "--shutdown-grace",
        "600",
        "--migrate",
        "--debug-routes",
    };
    sinau_config cfg;

    load_ok(&cfg, (int)(sizeof argv / sizeof argv[0]), argv);
    assert_string_equal(cfg.database_url, "postgresql://u@h/db");
    assert_string_equal(cfg.listen_host, "::1");
    assert_int_equal(cfg.listen_port, 0);
    assert_string_equal(cfg.public_url, "https://x.example");
    assert_string_equal(cfg.key_file, "kf");
    assert_string_equal(cfg.web_dir, "wd");
    assert_string_equal(cfg.metrics_token, "tok");
    assert_int_equal(cfg.log_level, LOG_ERROR);
    assert_int_equal(cfg.threads, 256);
    assert_int_equal(cfg.worker_threads, 1);
    assert_int_equal(cfg.worker_queue_max, 65536);
    assert_int_equal(cfg.db_pool_size, 100);
    assert_int_equal(cfg.db_queue_max, 65536);
    assert_int_equal(cfg.db_queue_timeout_ms, 600000);
    assert_int_equal(cfg.statement_timeout_ms, 3600000);
    assert_int_equal(cfg.max_body_bytes, 1024 * 1024 * 1024);
    assert_int_equal(cfg.max_header_bytes, 1024 * 1024);
    assert_int_equal(cfg.idle_timeout_s, 3600);
    assert_int_equal(cfg.shutdown_grace_s, 600);
    assert_true(cfg.migrate_on_start);
    assert_true(cfg.debug_routes);
    config_free(&cfg);
}

static void config_bad_variables_name_the_variable(void **state)
{
    static const struct {
        const char *name;
        const char *value;
        const char *want;
    } cases[] = {
        {"SINAU_THREADS", "abc", "invalid SINAU_THREADS: \"abc\" is not an integer in 1..256"},
        {"SINAU_THREADS", "0", "invalid SINAU_THREADS: \"0\""},
        {"SINAU_THREADS", "257", "invalid SINAU_THREADS: \"257\""},
        {"SINAU_THREADS", "-1", "invalid SINAU_THREADS"},
        {"SINAU_THREADS", " 4", "invalid SINAU_THREADS"},
        {"SINAU_THREADS", "4 ", "invalid SINAU_THREADS"},
        {"SINAU_THREADS", "+4", "invalid SINAU_THREADS"},
        {"SINAU_THREADS", "99999999999999999999999", "invalid SINAU_THREADS"},
        {"SINAU_WORKERS", "0", "invalid SINAU_WORKERS"},
        {"SINAU_WORKER_QUEUE", "0", "invalid SINAU_WORKER_QUEUE"},
        {"SINAU_DB_POOL", "101", "invalid SINAU_DB_POOL: \"101\" is not an integer in 1..100"},
        {"SINAU_DB_QUEUE", "x", "invalid SINAU_DB_QUEUE"},
        {"SINAU_DB_QUEUE_TIMEOUT_MS", "0", "invalid SINAU_DB_QUEUE_TIMEOUT_MS"},
        {"SINAU_STATEMENT_TIMEOUT_MS", "0", "invalid SINAU_STATEMENT_TIMEOUT_MS"},
        {"SINAU_READ_MAX_LAG_MS", "99",
         "invalid SINAU_READ_MAX_LAG_MS: \"99\" is not an integer in 100..600000"},
        {"SINAU_IDLE_TIMEOUT_S", "0", "invalid SINAU_IDLE_TIMEOUT_S"},
        {"SINAU_SHUTDOWN_GRACE_S", "601", "invalid SINAU_SHUTDOWN_GRACE_S"},
        {"SINAU_MAX_BODY", "1023", "invalid SINAU_MAX_BODY: \"1023\" is not a size in 1k..1g"},
        {"SINAU_MAX_BODY", "2g", "invalid SINAU_MAX_BODY"},
        {"SINAU_MAX_BODY", "1kb", "invalid SINAU_MAX_BODY"},
        {"SINAU_MAX_BODY", "k", "invalid SINAU_MAX_BODY"},
        {"SINAU_MAX_BODY", "99999999999999999g", "invalid SINAU_MAX_BODY"},
        {"SINAU_MAX_HEADERS", "2m", "invalid SINAU_MAX_HEADERS: \"2m\" is not a size in 1k..1m"},
        {"SINAU_LISTEN", "8080", "invalid SINAU_LISTEN: \"8080\" is not host:port"},
        {"SINAU_LISTEN", ":8080", "invalid SINAU_LISTEN"},
        {"SINAU_LISTEN", "localhost:65536", "invalid SINAU_LISTEN"},
        {"SINAU_LISTEN", "localhost:", "invalid SINAU_LISTEN"},
        {"SINAU_LISTEN", "::1:8080", "invalid SINAU_LISTEN"},
        {"SINAU_LISTEN", "[::1]8080", "invalid SINAU_LISTEN"},
        {"SINAU_LISTEN", "[::1:8080", "invalid SINAU_LISTEN"},
        {"SINAU_LISTEN", "[]:8080", "invalid SINAU_LISTEN"},
        {"SINAU_LISTEN", "ho st:80", "invalid SINAU_LISTEN"},
        {"SINAU_PUBLIC_URL", "localhost:8080", "invalid SINAU_PUBLIC_URL: \"localhost:8080\""},
        {"SINAU_PUBLIC_URL", "ftp://x", "invalid SINAU_PUBLIC_URL"},
        {"SINAU_PUBLIC_URL", "http://", "invalid SINAU_PUBLIC_URL"},
        {"SINAU_PUBLIC_URL", "https:///", "invalid SINAU_PUBLIC_URL"},
        {"SINAU_PUBLIC_URL", "http://a b", "invalid SINAU_PUBLIC_URL"},
        {"SINAU_PUBLIC_URL", "http://a/?q", "invalid SINAU_PUBLIC_URL"},
        {"SINAU_PWHASH", "slow", "invalid SINAU_PWHASH: \"slow\" is not interactive, moderate"},
        {"SINAU_LOG_LEVEL", "verbose", "invalid SINAU_LOG_LEVEL: \"verbose\""},
        {"SINAU_DEBUG_ROUTES", "yes", "invalid SINAU_DEBUG_ROUTES: \"yes\" is not 0, 1"},
        {"SINAU_METRICS_TOKEN", "has space", "invalid SINAU_METRICS_TOKEN"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *env[] = {cases[i].name, cases[i].value, NULL};
        fake_env = env;
        load_fails(0, NULL, cases[i].want);
    }
}

static void config_bad_flags_name_the_flag(void **state)
{
    static const struct {
        const char *flag;
        const char *value;
        const char *want;
    } cases[] = {
        {"--threads", "abc", "invalid --threads: \"abc\" is not an integer in 1..256"},
        {"--workers", "0", "invalid --workers"},
        {"--db-pool", "0", "invalid --db-pool"},
        {"--max-body", "1t", "invalid --max-body"},
        {"--max-headers", "512", "invalid --max-headers"},
        {"--listen", "nope", "invalid --listen: \"nope\""},
        {"--public-url", "example.org", "invalid --public-url"},
        {"--pwhash", "", "invalid --pwhash: \"\""},
        {"--log-level", "INFO", "invalid --log-level"},
        {"--idle-timeout", "0", "invalid --idle-timeout"},
        {"--shutdown-grace", "0", "invalid --shutdown-grace"},
        {"--db-queue-timeout-ms", "600001", "invalid --db-queue-timeout-ms"},
        {"--statement-timeout-ms", "-5", "invalid --statement-timeout-ms"},
        {"--data-dir", "", "invalid --data-dir: must not be empty"},
        {"--web-dir", "", "invalid --web-dir: must not be empty"},
        {"--key-file", "", "invalid --key-file: must not be empty"},
        {"--database-url", "", "invalid --database-url: must not be empty"},
        {"--debug-routes", "maybe", "invalid --debug-routes"},
        {"--migrate", "2", "invalid --migrate"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char arg[128];
        char *argv[] = {arg};

        snprintf(arg, sizeof arg, "%s=%s", cases[i].flag, cases[i].value);
        load_fails(1, argv, cases[i].want);
    }
}

static void config_unknown_flag_fails(void **state)
{
    char *argv1[] = {"--thread", "4"};
    char *argv2[] = {"--metrics-tokn=s3cret"};
    char *argv3[] = {"-t"};
    char *argv4[] = {"serve"};
    char *argv5[] = {"--"};
    sinau_config cfg;
    char err[256];

    load_fails(2, argv1, "unknown flag \"--thread\"");
    load_fails(1, argv2, "unknown flag \"--metrics-tokn\"");
    assert_int_equal(config_load(&cfg, 1, argv2, fake_getenv, err, sizeof err), -1);
    assert_null(strstr(err, "s3cret"));
    load_fails(1, argv3, "unexpected argument \"-t\"");
    load_fails(1, argv4, "unexpected argument \"serve\"");
    load_fails(1, argv5, "unexpected argument \"--\"");
}

static void config_missing_flag_value_fails(void **state)
{
    char *argv1[] = {"--threads"};
    char *argv2[] = {"--data-dir", "--threads", "2"};

    load_fails(1, argv1, "missing value for --threads");
    load_fails(3, argv2, "missing value for --data-dir");
}

static void config_listen_accepts_ipv6_and_names(void **state)
{
    char *argv1[] = {"--listen", "[::]:8443"};
    char *argv2[] = {"--listen=localhost:80"};
    char *argv3[] = {"--listen=[fe80::1%eth0]:1"};
    sinau_config cfg;

    load_ok(&cfg, 2, argv1);
    assert_string_equal(cfg.listen_host, "::");
    assert_int_equal(cfg.listen_port, 8443);
    config_free(&cfg);
    load_ok(&cfg, 1, argv2);
    assert_string_equal(cfg.listen_host, "localhost");
    assert_int_equal(cfg.listen_port, 80);
    config_free(&cfg);
    load_ok(&cfg, 1, argv3);
    assert_string_equal(cfg.listen_host, "fe80::1%eth0");
    config_free(&cfg);
}

static void config_public_url_loses_trailing_slashes(void **state)
{
    static const char *const env[] = {"SINAU_PUBLIC_URL", "https://learn.example.id/sinau//", NULL};
    sinau_config cfg;

    fake_env = env;
    load_ok(&cfg, 0, NULL);
    assert_string_equal(cfg.public_url, "https://learn.example.id/sinau");
    config_free(&cfg);
}

static void config_key_file_defaults_under_data_dir(void **state)
{
    static const char *const env[] = {"SINAU_DATA_DIR", "/srv/sinau", NULL};
    char *argv[] = {"--key-file", "/keys/k"};
    sinau_config cfg;

    fake_env = env;
    load_ok(&cfg, 0, NULL);
    assert_string_equal(cfg.key_file, "/srv/sinau/master.key");
    config_free(&cfg);
    load_ok(&cfg, 2, argv);
    assert_string_equal(cfg.key_file, "/keys/k");
    config_free(&cfg);
}

static void config_sizes_accept_suffixes(void **state)
{
    static const struct {
        const char *value;
        size_t bytes;
    } cases[] = {
        {"1024", 1024},   {"1k", 1024},     {"1K", 1024},     {"3m", 3u << 20},
        {"3M", 3u << 20}, {"1g", 1u << 30}, {"1G", 1u << 30}, {"1073741824", 1u << 30},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *env[] = {"SINAU_MAX_BODY", cases[i].value, NULL};
        sinau_config cfg;

        fake_env = env;
        load_ok(&cfg, 0, NULL);
        assert_int_equal(cfg.max_body_bytes, cases[i].bytes);
        config_free(&cfg);
    }
}

static void config_switches_take_optional_boolean(void **state)
{
    static const char *const env[] = {"SINAU_DEBUG_ROUTES", "true", NULL};
    char *argv1[] = {"--debug-routes=false", "--migrate=1"};
    char *argv2[] = {"--migrate", "--threads", "1"};
    sinau_config cfg;

    fake_env = env;
    load_ok(&cfg, 2, argv1);
    assert_false(cfg.debug_routes);
    assert_true(cfg.migrate_on_start);
    config_free(&cfg);
    load_ok(&cfg, 3, argv2);
    assert_true(cfg.debug_routes);
    assert_true(cfg.migrate_on_start);
    assert_int_equal(cfg.threads, 1);
    config_free(&cfg);
}

static void config_empty_variable_counts_as_unset(void **state)
{
    static const char *const env[] = {"DATABASE_URL", "", "SINAU_THREADS", "", NULL};
    sinau_config cfg;

    fake_env = env;
    load_ok(&cfg, 0, NULL);
    assert_null(cfg.database_url);
    assert_true(cfg.threads >= 1);
    config_free(&cfg);
}

static void config_secrets_are_never_echoed(void **state)
{
    static const char *const env[] = {"SINAU_METRICS_TOKEN", "secret value", NULL};
    sinau_config cfg;
    char err[256];

    fake_env = env;
    assert_int_equal(config_load(&cfg, 0, NULL, fake_getenv, err, sizeof err), -1);
    assert_non_null(strstr(err, "SINAU_METRICS_TOKEN"));
    assert_null(strstr(err, "secret"));
    config_free(&cfg);
}

static void config_message_stays_one_line_and_short(void **state)
{
    char long_value[300];
    char *argv1[] = {"--threads", "4\nfake log line"};
    char *argv2[] = {"--listen", long_value};
    sinau_config cfg;
    char err[512];

    load_fails(2, argv1, "invalid --threads: \"4?fake log line\"");
    memset(long_value, 'a', sizeof long_value - 1);
    long_value[sizeof long_value - 1] = '\0';
    assert_int_equal(config_load(&cfg, 2, argv2, fake_getenv, err, sizeof err), -1);
    assert_true(strlen(err) < 200);
    assert_non_null(strstr(err, "...\""));
    config_free(&cfg);
}

static void config_truncates_message_to_buffer(void **state)
{
    char *argv[] = {"--threads=abc"};
    sinau_config cfg;
    char err[10];

    assert_int_equal(config_load(&cfg, 1, argv, fake_getenv, err, sizeof err), -1);
    assert_string_equal(err, "invalid -");
    assert_int_equal(config_load(&cfg, 1, argv, fake_getenv, NULL, 0), -1);
}

static void config_free_is_safe_after_failure_and_twice(void **state)
{
    static const char *const env[] = {"SINAU_DATA_DIR", "/d", "SINAU_MAX_BODY", "x", NULL};
    sinau_config cfg;
    char err[128];

    fake_env = env;
    assert_int_equal(config_load(&cfg, 0, NULL, fake_getenv, err, sizeof err), -1);
    config_free(&cfg);
    config_free(&cfg);
    config_free(NULL);
    fake_env = NULL;
    load_ok(&cfg, 0, NULL);
    config_free(&cfg);
    config_free(&cfg);
}

static void config_works_without_environment(void **state)
{
    char *argv[] = {"--threads=2"};
    sinau_config cfg;
    char err[128];

    assert_int_equal(config_load(&cfg, 1, argv, NULL, err, sizeof err), 0);
    assert_int_equal(cfg.threads, 2);
    config_free(&cfg);
}

static void config_usage_lists_every_flag_and_variable(void **state)
{
    static const char *const words[] = {
        "serve",
        "migrate",
        "--help",
        "--version",
        "--database-url",
        "DATABASE_URL",
        "--database-read-url",
        "SINAU_DATABASE_READ_URL",
        "--read-max-lag-ms",
        "SINAU_READ_MAX_LAG_MS",
        "--listen",
        "SINAU_LISTEN",
        "--public-url",
        "SINAU_PUBLIC_URL",
        "--data-dir",
        "SINAU_DATA_DIR",
        "--key-file",
        "SINAU_KEY_FILE",
        "--web-dir",
        "SINAU_WEB_DIR",
        "--metrics-token",
        "SINAU_METRICS_TOKEN",
        "--pwhash",
        "SINAU_PWHASH",
        "--log-level",
        "SINAU_LOG_LEVEL",
        "--threads",
        "SINAU_THREADS",
        "--workers",
        "SINAU_WORKERS",
        "--worker-queue",
        "SINAU_WORKER_QUEUE",
        "--db-pool",
        "SINAU_DB_POOL",
        "--db-queue",
        "SINAU_DB_QUEUE",
        "--db-queue-timeout-ms",
        "SINAU_DB_QUEUE_TIMEOUT_MS",
        "--statement-timeout-ms",
        "SINAU_STATEMENT_TIMEOUT_MS",
        "--max-body",
        "SINAU_MAX_BODY",
        "--max-headers",
        "SINAU_MAX_HEADERS",
        "--idle-timeout",
        "SINAU_IDLE_TIMEOUT_S",
        "--shutdown-grace",
        "SINAU_SHUTDOWN_GRACE_S",
        "--migrate",
        "--debug-routes",
        "SINAU_DEBUG_ROUTES",
        "127.0.0.1:8080",
        "http://localhost:8080",
        ".data",
        "master.key",
    };
    const char *u = config_usage();

    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strstr(u, words[i]) == NULL) {
            fail_msg("usage lacks %s", words[i]);
        }
    }
}

static void config_message_channels(void **state)
{
    static const char *const env[] = {"SINAU_SMTP_URL",
                                      "smtps://u:pw@mail.example:465",
                                      "SINAU_SMTP_PASSWORD_FILE",
                                      "/run/pw",
                                      "SINAU_MAIL_FROM",
                                      "sinau@kota.example",
                                      "SINAU_WEBHOOK_URL",
                                      "https://gw.example/hook",
                                      "SINAU_WEBHOOK_SECRET",
                                      "s3cret",
                                      "SINAU_OUTBOX_MAX_ATTEMPTS",
                                      "5",
                                      "SINAU_OUTBOX_BACKOFF_MS",
                                      "1000",
                                      "SINAU_OUTBOX_BACKOFF_MAX_MS",
                                      "60000",
                                      "SINAU_OUTBOX_CONCURRENCY",
                                      "16",
                                      "SINAU_MAIL_TIMEOUT_MS",
                                      "20000",
                                      "SINAU_MAIL_CONNECT_TIMEOUT_MS",
                                      "3000",
                                      "SINAU_VERIFY_EMAIL",
                                      "1",
                                      NULL};
    sinau_config cfg;

    load_ok(&cfg, 0, NULL);
    assert_null(cfg.smtp_url);
    assert_null(cfg.webhook_url);
    assert_false(cfg.verify_email);
    assert_int_equal(cfg.outbox_max_attempts, 8);
    assert_int_equal(cfg.outbox_backoff_ms, 30000);
    assert_int_equal(cfg.mail_timeout_ms, 30000);
    config_free(&cfg);
    fake_env = env;
    load_ok(&cfg, 0, NULL);
    assert_string_equal(cfg.smtp_url, "smtps://u:pw@mail.example:465");
    assert_string_equal(cfg.smtp_password_file, "/run/pw");
    assert_string_equal(cfg.mail_from, "sinau@kota.example");
    assert_string_equal(cfg.webhook_url, "https://gw.example/hook");
    assert_string_equal(cfg.webhook_secret, "s3cret");
    assert_int_equal(cfg.outbox_max_attempts, 5);
    assert_int_equal(cfg.outbox_backoff_ms, 1000);
    assert_int_equal(cfg.outbox_backoff_max_ms, 60000);
    assert_int_equal(cfg.outbox_concurrency, 16);
    assert_int_equal(cfg.mail_timeout_ms, 20000);
    assert_int_equal(cfg.mail_connect_timeout_ms, 3000);
    assert_true(cfg.verify_email);
    config_free(&cfg);
}

static void config_bad_channels_fail_without_echoing_urls(void **state)
{
    static const char *const http_smtp[] = {"SINAU_SMTP_URL", "http://u:topsecret@x", NULL};
    static const char *const ftp_hook[] = {"SINAU_WEBHOOK_URL", "ftp://u:topsecret@x",
                                           "SINAU_WEBHOOK_SECRET", "k", NULL};
    static const char *const no_secret[] = {"SINAU_WEBHOOK_URL", "https://gw.example", NULL};
    static const char *const bad_from[] = {"SINAU_MAIL_FROM", "no-at-sign", NULL};
    static const char *const backoff[] = {"SINAU_OUTBOX_BACKOFF_MS", "5000",
                                          "SINAU_OUTBOX_BACKOFF_MAX_MS", "1000", NULL};
    sinau_config cfg;
    char err[256];

    fake_env = http_smtp;
    load_fails(0, NULL, "SINAU_SMTP_URL");
    assert_int_equal(config_load(&cfg, 0, NULL, fake_getenv, err, sizeof err), -1);
    assert_null(strstr(err, "topsecret"));
    fake_env = ftp_hook;
    load_fails(0, NULL, "SINAU_WEBHOOK_URL");
    fake_env = no_secret;
    load_fails(0, NULL, "SINAU_WEBHOOK_SECRET");
    fake_env = bad_from;
    load_fails(0, NULL, "SINAU_MAIL_FROM");
    fake_env = backoff;
    load_fails(0, NULL, "SINAU_OUTBOX_BACKOFF_MAX_MS");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, reset_env)
    const struct CMUnitTest tests[] = {
        T(config_defaults_without_env_or_flags),
        T(config_reads_every_variable),
        T(config_flag_overrides_env),
        T(config_bad_variable_fails_even_when_a_flag_overrides_it),
        T(config_flag_equals_form),
        T(config_every_flag_with_separate_value),
        T(config_bad_variables_name_the_variable),
        T(config_bad_flags_name_the_flag),
        T(config_unknown_flag_fails),
        T(config_missing_flag_value_fails),
        T(config_listen_accepts_ipv6_and_names),
        T(config_public_url_loses_trailing_slashes),
        T(config_key_file_defaults_under_data_dir),
        T(config_sizes_accept_suffixes),
        T(config_switches_take_optional_boolean),
        T(config_empty_variable_counts_as_unset),
        T(config_secrets_are_never_echoed),
        T(config_message_stays_one_line_and_short),
        T(config_truncates_message_to_buffer),
        T(config_free_is_safe_after_failure_and_twice),
        T(config_works_without_environment),
        T(config_usage_lists_every_flag_and_variable),
        T(config_message_channels),
        T(config_bad_channels_fail_without_echoing_urls),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
