/* cli/verify_cmd.h — the `verify` subcommand (server/cli/verify_cmd.c). Like every
 * subcommand other than serve and migrate, it runs on the main thread
 * with blocking libpq (nothing else runs), prints one line of
 * result and returns the process exit code (0 ok, 1 failure, 2 usage). */
#ifndef SINAU_CLI_VERIFY_CMD_H
#define SINAU_CLI_VERIFY_CMD_H

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

#endif /* SINAU_CLI_VERIFY_CMD_H */
