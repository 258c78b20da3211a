/* auth/common_passwords.h — the most common passwords, by frequency,
 * embedded at build time (server/auth/common_passwords.cmake writes
 * common_passwords.c from Debian's john-data list); the password policy
 * (password.c) refuses them. Read-only; any thread. */
#ifndef SINAU_AUTH_COMMON_PASSWORDS_H
#define SINAU_AUTH_COMMON_PASSWORDS_H

#include <stddef.h>

/* Lower-case, auth_common_password_count of them. */
extern const char *const auth_common_passwords[];
extern const size_t auth_common_password_count;

#endif /* SINAU_AUTH_COMMON_PASSWORDS_H */
