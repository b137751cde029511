/* HTTP basic authentication against --web.config.file's basic_auth_users (bcrypt). */
#ifndef JVMTAP_AUTH_H
#define JVMTAP_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include "webconfig.h"

/* "Basic base64(user:password)" -> user, password (NUL-terminated, no NUL bytes inside).
 * 0, or -EINVAL for anything else (another scheme, bad base64, no ':', too long). */
int auth_parse_basic(const char *header, char *user, size_t ulen, char *pass, size_t plen);

/* Prepares the check for c's users: the dummy hash unknown users are checked against costs as
 * much as the costliest real one. 0 or -errno. */
int auth_init(const struct web_config *c);
void auth_exit(void);

/* true if the pair matches one of c's users. Takes as long for an unknown user as for a known
 * one; a matching pair is remembered (as a salted SHA-256, never in clear) so a scraper pays the
 * bcrypt cost once, not every scrape. Thread-safe. */
bool auth_check(const struct web_config *c, const char *user, const char *pass);

#endif
