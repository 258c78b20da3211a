/* cli/demo_cmd.h — the `demo seed` subcommand (server/cli/demo_cmd.c). Like every
 * subcommand other than serve and migrate, it runs on the main thread
 * with blocking libpq (nothing else runs), prints one line of
 * result and returns the process exit code (0 ok, 1 failure, 2 usage). */
#ifndef SINAU_CLI_DEMO_CMD_H
#define SINAU_CLI_DEMO_CMD_H

#include "sinau/core/config.h"

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

#endif /* SINAU_CLI_DEMO_CMD_H */
