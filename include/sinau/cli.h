/* cli.h — subcommands other than serve and migrate. Each runs on the main
 * thread with blocking libpq (nothing else runs), prints one line of
 * result and returns the process exit code (0 ok, 1 failure, 2 usage). */
#ifndef SINAU_CLI_H
#define SINAU_CLI_H

#include "sinau/config.h"

/* Splits `user create` flags (--email, --name, --role, --if-missing) from
 * argv, leaving the configuration flags in argv (argc updated). Returns 0,
 * or 2 with a message on stderr. The strings stay borrowed from argv. */
typedef struct cli_user_args {
    const char *email;
    const char *name;
    const char *role;
    int if_missing;
} cli_user_args;

int cli_user_args_take(int *argc, char **argv, cli_user_args *out);

/* `sinau user create --email E --name N --role R [--if-missing]`: the
 * password is read from the first line of standard input. */
int cli_user_create(const sinau_config *cfg, const cli_user_args *args);

/* `sinau verify --jwks FILE [--status FILE] [--origin URL] [TOKEN|-]`:
 * checks a credential offline (vccheck.h) against the key set in FILE and,
 * with --status, the status list token in that file. The token is the
 * argument, or standard input when it is absent or "-" (whitespace around it
 * trimmed). Without --origin, the origin is the one every kid of the key set
 * names ("<origin>/keys/<thumbprint>"): the key set is the trust anchor, so
 * its own origin is the expected one. Prints one line per check and VALID,
 * REVOKED or INVALID. Returns 0 when valid, 1 when invalid or revoked, 2 on
 * usage errors (bad flags, unreadable files, a key set that is not JSON).
 * Needs no database and no configuration. argv holds what follows
 * "verify". */
int cli_verify(int argc, char **argv);

/* `sinau demo seed [--admin E] [--instructor E] [--participant E]`: the
 * demo programme, cohort and content for the accounts with these e-mails
 * (defaults: the demo logins scripts/dev.sh makes, demo.<role>@sinau.test),
 * once per database: a second run (or a database that already has the
 * programme) prints that it did nothing and succeeds. Returns 0, 1 on
 * failure (nothing written), 2 on usage errors. */
typedef struct cli_demo_args {
    const char *admin, *instructor, *participant;
} cli_demo_args;

int cli_demo_seed(const sinau_config *cfg, const cli_demo_args *args);

#endif /* SINAU_CLI_H */
