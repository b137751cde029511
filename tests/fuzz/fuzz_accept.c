/* libFuzzer target for accept_format(): any Accept value gives one of the two formats, the same
 * one every time, and empty list elements around it change nothing. */
// FUZZ-SOURCES: user/parse/accept.c
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "accept.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exact-size heap copies, so ASan catches a read past the terminator. */
	char *s = malloc(size + 1), *t = malloc(size + 5);
	enum accept_format f;

	if (!s || !t)
		goto out;
	memcpy(s, data, size);
	s[size] = '\0';
	f = accept_format(s);
	if (f != ACCEPT_TEXT && f != ACCEPT_OPENMETRICS)
		abort();
	if (accept_format(s) != f)
		abort();
	/* ", " before and ",," after: empty elements, unless the input ends inside a quoted
	 * string or has a NUL (then the tail is not seen either way). */
	if (!memchr(data, '"', size) && strlen(s) == size) {
		memcpy(t, ", ", 2);
		memcpy(t + 2, s, size);
		memcpy(t + 2 + size, ",,", 3);
		if (accept_format(t) != f)
			abort();
	}
out:
	free(s);
	free(t);
	return 0;
}
