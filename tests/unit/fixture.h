/* The unit tests' fixture files (tests/unit/data/), read whole. Header-only: a test includes it
 * after <cmocka.h> (the unit rule puts tests/unit on the include path). */
#ifndef JVMTAP_TESTS_UNIT_FIXTURE_H
#define JVMTAP_TESTS_UNIT_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

/* The file's bytes in a malloc()ed buffer of exactly its size, no NUL after them (ASan sees any
 * over-read), the caller's to free; a missing or empty file fails the test. */
static inline char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

#endif
