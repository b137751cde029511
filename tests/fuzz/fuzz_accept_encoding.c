/* libFuzzer harness for accepts_gzip(): any header value must parse without crashing. */
// FUZZ-SOURCES: user/expo/gzip.c
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gzip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size heap copy, so ASan catches a read past the terminator. */
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	accepts_gzip(s);
	free(s);
	return 0;
}
