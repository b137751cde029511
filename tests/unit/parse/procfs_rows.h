/* What the /proc parser tests share: inputs copied to buffers of their exact length (ASan sees any
 * over-read), table rows run as one cmocka test each, and the row of a parser that reads one
 * number. Header-only, for test_procfs*.c. */
#ifndef JVMTAP_TESTS_UNIT_PARSE_PROCFS_ROWS_H
#define JVMTAP_TESTS_UNIT_PARSE_PROCFS_ROWS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "procfs.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
/* where the captured JVMs' JDK was installed (Debian 12's OpenJDK 17) */
#define JDK17 "/usr/lib/jvm/java-17-openjdk-amd64"
/* a literal that may hold NULs, with its exact length (no terminating NUL counted) */
#define B(s) s, sizeof(s) - 1

/* Every input is copied into a malloc'd buffer of exactly len bytes, with no NUL after it, so
 * ASan catches a read past len. Plain malloc, not test_malloc: cmocka pads its blocks with guard
 * bytes, which would hide an over-read (it only checks them for writes, at free). */
static inline char *exact_copy(const char *s, size_t len)
{
	char *b = malloc(len ? len : 1);

	assert_non_null(b);

	memcpy(b, s, len);
	return b;
}

/* The length of a row's text: len, or up to its NUL when len is 0. */
static inline size_t row_len(const char *buf, size_t len)
{
	return len ? len : strlen(buf);
}

/* A test of fn with the row as its state, named after the row. */
static inline struct CMUnitTest row_test(CMUnitTestFunction fn, const void *row, const char *name)
{
	struct CMUnitTest t = cmocka_unit_test_prestate(fn, (void *)row);

	t.name = name;
	return t;
}

/* Appends a test of fn for each row of the array rows to tests, at index n. */
#define ADD_ROWS(tests, n, fn, rows)                                                               \
	do {                                                                                       \
		for (size_t i_ = 0; i_ < NELEM(rows); i_++)                                        \
			(tests)[(n)++] = row_test((fn), &(rows)[i_], (rows)[i_].name);             \
	} while (0)

/* A text, and what a parser of one number in it returns: ret, and the number when ret is 0. */
struct num_row {
	const char *name;
	const char *buf;
	size_t len; /* 0: strlen(buf) */
	int ret;
	unsigned long long want;
};

typedef int (*num_parser)(const char *buf, size_t len, unsigned long long *out);

/* Runs parse on an exact copy of the row's text: its return, and its number on success; on
 * failure the number is untouched. */
static inline void check_num_row(const struct num_row *r, num_parser parse)
{
	size_t len = row_len(r->buf, r->len);
	char *buf = exact_copy(r->buf, len);
	unsigned long long v = 4242;

	assert_int_equal(parse(buf, len, &v), r->ret);
	assert_int_equal(v, r->ret ? 4242 : r->want);
	free(buf);
}

#endif
