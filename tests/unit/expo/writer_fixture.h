/* What the writer unit tests share (test_writer*.c): a fresh writer per test case and the page it
 * holds, which must not have failed. Header-only. */
#ifndef JVMTAP_TESTS_UNIT_EXPO_WRITER_FIXTURE_H
#define JVMTAP_TESTS_UNIT_EXPO_WRITER_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "writer.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline int writer_setup(void **state)
{
	*state = writer_new();
	return *state ? 0 : -1;
}

static inline int writer_teardown(void **state)
{
	writer_free(*state);
	return 0;
}

/* A test case that gets a new writer in *state, freed after it. */
#define WRITER_TEST(f) cmocka_unit_test_setup_teardown(f, writer_setup, writer_teardown)

/* The page so far; the writer must not have failed. */
static inline const char *out(struct writer *w)
{
	assert_int_equal(writer_failed(w), 0);
	return writer_data(w, NULL);
}

#endif
