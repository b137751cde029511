/* libFuzzer harness for auth_parse_basic(): any Authorization header value parses or is refused,
 * and what it returns fits the buffers, NUL-terminated. */
// FUZZ-SOURCES: user/expo/auth.c
// FUZZ-LIBS: -lcrypt -lgnutls
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), user[64], pass[64];

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (auth_parse_basic(s, user, sizeof(user), pass, sizeof(pass)) == 0 &&
	    (strlen(user) >= sizeof(user) || strlen(pass) >= sizeof(pass) || strchr(user, ':')))
		abort();
	free(s);
	return 0;
}
