/* cli/user_cmd.h — the `user create` subcommand (server/cli/user_cmd.c). Like every
 * subcommand other than serve and migrate, it runs on the main thread
 * with blocking libpq (nothing else runs), prints one line of
 * result and returns the process exit code (0 ok, 1 failure, 2 usage). */
#ifndef SINAU_CLI_USER_CMD_H
#define SINAU_CLI_USER_CMD_H

#include "sinau/core/config.h"

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

#endif /* SINAU_CLI_USER_CMD_H */
