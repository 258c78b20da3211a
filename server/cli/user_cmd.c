/* user_cmd.c — `sinau user create`: bootstraps accounts (the first admin,
 * demo logins) from the command line, with the same policy and hashing as
 * the API. */
#include "sinau/cli/user_cmd.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "sinau/api/call.h"
#include "sinau/auth/password.h"
#include "sinau/auth/session.h"
#include "sinau/db/ha.h"

static int take_value(int *argc, char **argv, int i, const char **out)
{
    if (i + 1 >= *argc) {
        fprintf(stderr, "sinau: %s needs a value\n", argv[i]);
        return 2;
    }
    *out = argv[i + 1];
    memmove(&argv[i], &argv[i + 2], (size_t)(*argc - i - 2) * sizeof *argv);
    *argc -= 2;
    return 0;
}

int cli_user_args_take(int *argc, char **argv, cli_user_args *out)
{
    int i = 0;

    memset(out, 0, sizeof *out);
    while (i < *argc) {
        const char **slot = NULL;
        if (strcmp(argv[i], "--email") == 0)
            slot = &out->email;
        else if (strcmp(argv[i], "--name") == 0)
            slot = &out->name;
        else if (strcmp(argv[i], "--role") == 0)
            slot = &out->role;
        if (slot != NULL) {
            if (take_value(argc, argv, i, slot) != 0)
                return 2;
            continue;
        }
        if (strcmp(argv[i], "--if-missing") == 0) {
            out->if_missing = 1;
            memmove(&argv[i], &argv[i + 1], (size_t)(*argc - i - 1) * sizeof *argv);
            (*argc)--;
            continue;
        }
        i++;
    }
    if (out->email == NULL || out->name == NULL || out->role == NULL) {
        fprintf(stderr, "sinau: user create needs --email, --name and --role "
                        "(the password comes on standard input)\n");
        return 2;
    }
    if (auth_role_parse(out->role) == AUTH_ROLE_NONE) {
        fprintf(stderr, "sinau: --role must be participant, instructor or admin\n");
        return 2;
    }
    return 0;
}

/* Reads the password from the first line of stdin into pw (NUL-terminated). */
static int read_password(char *pw, size_t len)
{
    size_t n;

    if (fgets(pw, (int)len, stdin) == NULL) {
        fprintf(stderr, "sinau: give the password on standard input\n");
        return -1;
    }
    n = strcspn(pw, "\r\n");
    if (pw[n] == '\0' && n == len - 1) {
        fprintf(stderr, "sinau: the password is too long\n");
        return -1;
    }
    pw[n] = '\0';
    return 0;
}

/* Says on one line of stderr why the account was not created, and returns
 * the exit status: a refusal of the SQL convention (decoded by
 * api_sql_raised) by its message, where an e-mail already taken
 * (email_taken) is no failure with --if-missing; any other error by the
 * database's message. */
static int refused(const PGresult *res, const cli_user_args *a)
{
    int status = 0;
    json_t *body = api_sql_raised(res, PQresultErrorField(res, PG_DIAG_SQLSTATE), &status);
    json_t *error = json_object_get(body, "error");
    const char *code = json_string_value(json_object_get(error, "code"));
    const char *message = json_string_value(json_object_get(error, "message"));
    bool kept = a->if_missing && code != NULL && strcmp(code, "email_taken") == 0;

    if (body != NULL)
        fprintf(stderr, "sinau: %s%s\n",
                message != NULL ? message
                : code != NULL  ? code
                                : "refused",
                kept ? " (kept as it is)" : "");
    else
        fprintf(stderr, "sinau: cannot create the user: %s\n",
                PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
    json_decref(body);
    return kept ? 0 : 1;
}

static int insert_user(const sinau_config *cfg, const cli_user_args *a, const char *hash)
{
    const char *params[4] = {a->email, a->name, hash, a->role};
    PGconn *pg = db_connect_blocking(cfg->database_url);
    PGresult *res = NULL;
    int rc = 1;

    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "sinau: cannot connect to the database: %s", PQerrorMessage(pg));
        goto out;
    }
    res = PQexecParams(pg, "select auth_create_user($1, $2, $3, $4, null, 'cli') ->> 'user'", 4,
                       NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) == PGRES_TUPLES_OK) {
        printf("created %s\n", PQgetvalue(res, 0, 0));
        rc = 0;
    } else {
        rc = refused(res, a);
    }
out:
    PQclear(res);
    PQfinish(pg);
    return rc;
}

int cli_user_create(const sinau_config *cfg, const cli_user_args *args)
{
    char pw[300];
    char hash[128];
    enum auth_pw_verdict v;
    int rc = 1;

    if (read_password(pw, sizeof pw) != 0)
        goto out;
    v = auth_password_check(pw);
    if (v != AUTH_PW_OK) {
        fprintf(stderr, "sinau: weak password (%s)\n",
                v == AUTH_PW_TOO_SHORT  ? "fewer than 10 characters"
                : v == AUTH_PW_TOO_LONG ? "more than 256 characters"
                                        : "among the most common ones");
        goto out;
    }
    if (auth_password_hash(cfg->pwhash, pw, hash) != 0) {
        fprintf(stderr, "sinau: cannot hash the password\n");
        goto out;
    }
    rc = insert_user(cfg, args, hash);
out:
    sodium_memzero(pw, sizeof pw);
    return rc;
}
