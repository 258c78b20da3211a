/* main.c — the `sinau` command line: argv → subcommand → configuration →
 * run. Exit codes: 0 success, 1 runtime failure, 2 usage or configuration
 * error (one line on stderr). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/cert/keys.h"
#include "sinau/cert/pdf.h"
#include "sinau/cli/demo_cmd.h"
#include "sinau/cli/user_cmd.h"
#include "sinau/cli/verify_cmd.h"
#include "sinau/core/alloc.h"
#include "sinau/core/config.h"
#include "sinau/core/hashchain.h"
#include "sinau/core/log.h"
#include "sinau/crypto/pii.h"
#include "sinau/db/migrate.h"
#include "sinau/server.h"

static const char *env_lookup(const char *name)
{
    return getenv(name);
}

static int load_config(sinau_config *cfg, int argc, char **argv)
{
    char err[256];

    if (config_load(cfg, argc, argv, env_lookup, err, sizeof err) != 0) {
        fprintf(stderr, "sinau: %s\n", err);
        return -1;
    }
    log_init(cfg->log_level, NULL);
    if (cfg->database_url == NULL) {
        /* libpq's own defaults (PGHOST, PGDATABASE, …); `make run` always
         * sets DATABASE_URL to the private cluster */
        cfg->database_url = xstrdup("");
    }
    return 0;
}

static int cmd_migrate(const sinau_config *cfg)
{
    char err[512];
    int applied = 0, functions = 0, version = 0;

    if (migrate_run(cfg->database_url, &applied, &functions, err, sizeof err) != 0) {
        log_error("migrate: %s", err);
        return 1;
    }
    if (migrate_current_version(cfg->database_url, &version, err, sizeof err) != 0) {
        log_error("migrate: %s", err);
        return 1;
    }
    log_info("migrate: %d applied, %d function files applied, schema at version %d", applied,
             functions, version);
    return 0;
}

/* Before serving: migrate when asked, and never serve a newer schema. */
static int check_schema(const sinau_config *cfg)
{
    char err[512];
    int version = 0;

    if (cfg->migrate_on_start)
        return cmd_migrate(cfg);
    if (migrate_current_version(cfg->database_url, &version, err, sizeof err) != 0) {
        /* the database may come up later: serve, /readyz tells the truth */
        log_warn("cannot check the schema version now: %s", err);
        return 0;
    }
    if (version > migrate_latest_version()) {
        log_error("the database is at schema version %d but this binary knows only up to %d",
                  version, migrate_latest_version());
        return 1;
    }
    if (version < migrate_latest_version())
        log_warn("schema at version %d, this binary expects %d: run `sinau migrate` or "
                 "`sinau serve --migrate`",
                 version, migrate_latest_version());
    return 0;
}

static int cmd_serve(const sinau_config *cfg)
{
    int rc;

    if (cfg->pwhash == PWHASH_FAST)
        log_warn("SINAU_PWHASH=fast: password hashing is weak, for tests only");
    if (cfg->debug_routes)
        log_warn("SINAU_DEBUG_ROUTES is on: /debug/* test routes are mounted");
    if (check_schema(cfg) != 0)
        return 1;
    rc = server_run(cfg) == 0 ? 0 : 1;
    certpdf_cleanup(); /* the font caches, for leak checkers; workers have stopped */
    return rc;
}

/* sinau user create --email E --name N --role R [--if-missing] [config flags] */
static int cmd_user(int argc, char **argv)
{
    sinau_config cfg;
    cli_user_args args;
    int rc;

    memset(&cfg, 0, sizeof cfg);
    if (argc < 1 || strcmp(argv[0], "create") != 0) {
        fprintf(stderr, "sinau: usage: sinau user create --email E --name N --role R\n");
        return 2;
    }
    argc--;
    argv++;
    rc = cli_user_args_take(&argc, argv, &args);
    if (rc != 0)
        return rc;
    if (load_config(&cfg, argc, argv) != 0)
        return 2;
    rc = sodium_init() < 0 ? 1 : cli_user_create(&cfg, &args);
    config_free(&cfg);
    return rc;
}

/* sinau audit verify FILE|-: checks an exported fairness log offline. */
static int cmd_audit(int argc, char **argv)
{
    char head[HASHCHAIN_HEX], err[256];
    long entries = 0;

    if (argc != 2 || strcmp(argv[0], "verify") != 0) {
        fprintf(stderr, "sinau: usage: sinau audit verify FILE (or - for stdin)\n");
        return 2;
    }
    if (sodium_init() < 0)
        return 1;
    if (hashchain_verify_file(argv[1], head, &entries, err, sizeof err) != 0) {
        printf("FAILED: %s\n", err);
        return 1;
    }
    printf("ok: %ld entries, chain head %s\n", entries, head);
    return 0;
}

/* sinau keys rotate [config flags]: a new signing key becomes the signer;
 * old keys stay published and keep verifying what they signed. */
static int cmd_keys(int argc, char **argv)
{
    sinau_config cfg;
    pii_keyring *kr = NULL;
    char err[512], kid[600];
    int rc = 2;

    memset(&cfg, 0, sizeof cfg);
    if (argc < 1 || strcmp(argv[0], "rotate") != 0) {
        fprintf(stderr, "sinau: usage: sinau keys rotate\n");
        return 2;
    }
    if (load_config(&cfg, argc - 1, argv + 1) != 0)
        goto out;
    rc = 1;
    if (sodium_init() < 0 ||
        pii_keyring_load(cfg.key_file, false, &kr, NULL, err, sizeof err) != 0) {
        log_error("keys rotate: %s", sodium_init() < 0 ? "libsodium failed" : err);
        goto out;
    }
    if (certkeys_rotate(&cfg, kr, kid, sizeof kid, err, sizeof err) != 0) {
        log_error("keys rotate: %s", err);
        goto out;
    }
    printf("new signing key: %s\n", kid);
    rc = 0;
out:
    pii_keyring_free(kr);
    config_free(&cfg);
    return rc;
}

/* sinau demo seed [--admin E] [--instructor E] [--participant E] [config
 * flags]: the demo data of a first `make run`, once per database. */
static int cmd_demo(int argc, char **argv)
{
    cli_demo_args args = {"demo.admin@sinau.test", "demo.instructor@sinau.test",
                          "demo.participant@sinau.test"};
    sinau_config cfg;
    int rc, i = 1;

    memset(&cfg, 0, sizeof cfg);
    if (argc < 1 || strcmp(argv[0], "seed") != 0) {
        fprintf(stderr, "sinau: usage: sinau demo seed [--admin E] [--instructor E] "
                        "[--participant E]\n");
        return 2;
    }
    while (i + 1 < argc) {
        const char **slot = strcmp(argv[i], "--admin") == 0         ? &args.admin
                            : strcmp(argv[i], "--instructor") == 0  ? &args.instructor
                            : strcmp(argv[i], "--participant") == 0 ? &args.participant
                                                                    : NULL;
        if (slot == NULL)
            break;
        *slot = argv[i + 1];
        i += 2;
    }
    if (load_config(&cfg, argc - i, argv + i) != 0)
        return 2;
    rc = cli_demo_seed(&cfg, &args);
    config_free(&cfg);
    return rc;
}

int main(int argc, char **argv)
{
    sinau_config cfg;
    const char *cmd = argc > 1 ? argv[1] : NULL;
    int rc = 2;

    xalloc_libraries_init(); /* before any thread, json_t or libevent call (alloc.h) */
    memset(&cfg, 0, sizeof cfg);
    if (cmd == NULL || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
        strcmp(cmd, "help") == 0) {
        fputs(config_usage(), cmd == NULL ? stderr : stdout);
        return cmd == NULL ? 2 : 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("sinau %s\n", SINAU_VERSION);
        return 0;
    }
    if (strcmp(cmd, "config") == 0 && argc == 3 && strcmp(argv[2], "--markdown") == 0) {
        fputs(config_markdown(), stdout);
        return 0;
    }
    if (strcmp(cmd, "user") == 0)
        return cmd_user(argc - 2, argv + 2);
    if (strcmp(cmd, "audit") == 0)
        return cmd_audit(argc - 2, argv + 2);
    if (strcmp(cmd, "verify") == 0)
        return cli_verify(argc - 2, argv + 2);
    if (strcmp(cmd, "keys") == 0)
        return cmd_keys(argc - 2, argv + 2);
    if (strcmp(cmd, "demo") == 0)
        return cmd_demo(argc - 2, argv + 2);
    if (strcmp(cmd, "serve") != 0 && strcmp(cmd, "migrate") != 0) {
        fprintf(stderr, "sinau: unknown command \"%s\" (see sinau --help)\n", cmd);
        return 2;
    }
    if (load_config(&cfg, argc - 2, argv + 2) != 0)
        goto out;
    if (sodium_init() < 0) {
        log_error("libsodium failed to initialise");
        rc = 1;
        goto out;
    }
    rc = strcmp(cmd, "serve") == 0 ? cmd_serve(&cfg) : cmd_migrate(&cfg);
out:
    config_free(&cfg);
    return rc;
}
