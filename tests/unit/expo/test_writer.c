/* Unit tests for user/expo/writer.c in the text format: escaping, number format, families, labels,
 * name rules, failure paths. Histograms are in test_writer_histogram.c, OpenMetrics in
 * test_writer_openmetrics.c. */
// UNIT-SOURCES: user/expo/families.c user/expo/numfmt.c
#include <errno.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "writer.h"
#include "writer_fixture.h"

#define FFFD "\xef\xbf\xbd"

static void test_label_escaping(void **state)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "plain", "plain" },
		{ "", "" },
		{ "a\\b", "a\\\\b" },
		{ "a\"b", "a\\\"b" },
		{ "a\nb", "a\\nb" },
		{ "\\\"\n\\n", "\\\\\\\"\\n\\\\n" },
		{ "tab\tcr\r", "tab\tcr\r" },
		{ "\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e", "\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e" },
		{ "\xff", FFFD },
		{ "a\xc3", "a" FFFD },			     /* truncated at end */
		{ "\xe2\x82x", FFFD FFFD "x" },		     /* truncated before ASCII */
		{ "\xc0\xaf", FFFD FFFD },		     /* overlong '/' */
		{ "\xe0\x80\xaf", FFFD FFFD FFFD },	     /* overlong, 3 bytes */
		{ "\xed\xa0\x80", FFFD FFFD FFFD },	     /* UTF-16 surrogate */
		{ "\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD }, /* above U+10FFFF */
		{ "\xf5\x80", FFFD FFFD },
		{ "\x80\"", FFFD "\\\"" }, /* stray continuation, then escape */
		{ "\xef\xbf\xbd", FFFD },  /* a real U+FFFD passes through */
	};
	struct writer *w = *state;
	struct label l;
	char want[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		writer_reset(w);
		l.name = "k";
		l.value = cases[i].in;
		w_sample(w, "m", &l, 1, NULL, 0, 1);
		snprintf(want, sizeof(want), "m{k=\"%s\"} 1\n", cases[i].want);
		assert_string_equal(out(w), want);
	}
}

static void test_value_format(void **state)
{
	static const struct {
		double v;
		const char *want;
	} cases[] = {
		{ 0, "0" },
		{ -0.0, "0" },
		{ 1, "1" },
		{ -1, "-1" },
		{ 0.1, "0.1" },
		{ -1.5, "-1.5" },
		{ 1e-9, "1e-09" },
		{ 123456789012, "123456789012" },
		{ 123456789012.5, "123456789012.5" },
		{ 9007199254740992.0, "9007199254740992" }, /* 2^53 */
		{ 9007199254740994.0, "9007199254740994" },
		{ 0x1p60, "1.152921504606847e+18" },
		{ -9007199254740992.0, "-9007199254740992" },
		{ 1e15, "1000000000000000" },
		{ 1e300, "1e+300" },
		{ 0.1 + 0.2, "0.30000000000000004" },
		{ 1.0 / 3, "0.3333333333333333" },
		{ DBL_MAX, "1.7976931348623157e+308" },
		{ DBL_MIN, "2.2250738585072014e-308" },
		{ NAN, "NaN" },
		{ INFINITY, "+Inf" },
		{ -INFINITY, "-Inf" },
	};
	struct writer *w = *state;
	char want[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		writer_reset(w);
		w_sample(w, "m", NULL, 0, NULL, 0, cases[i].v);
		snprintf(want, sizeof(want), "m %s\n", cases[i].want);
		assert_string_equal(out(w), want);
	}
}

/* Random bit patterns: every finite double must come back exactly, in at most 17 digits. */
static void test_value_round_trip(void **state)
{
	struct writer *w = *state;
	uint64_t x = 0x9e3779b97f4a7c15ULL, bits;
	const char *s, *p;
	int i, digits;
	double v;

	for (i = 0; i < 100000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		bits = i & 1 ? x : x >> (i % 64); /* also small magnitudes and denormals */
		memcpy(&v, &bits, sizeof(v));
		if (!isfinite(v))
			continue;
		writer_reset(w);
		w_sample(w, "m", NULL, 0, NULL, 0, v);
		s = out(w) + 2;
		assert_true(strtod(s, NULL) == v);
		/* Significant digits: leading zeros do not count. */
		for (digits = 0, p = s; *p && *p != 'e'; p++)
			digits += (*p >= '1' && *p <= '9') || (*p == '0' && digits);
		if (fabs(v) > 0x1p53 || v != trunc(v))
			assert_true(digits <= 17);
		else
			assert_null(strchr(s, 'e'));
	}
}

static void test_family(void **state)
{
	struct writer *w = *state;

	w_family(w, "jvm_a_total", "counter", "Help with \\ and\nnewline and \"quotes\" \xff");
	w_sample(w, "jvm_a_total", NULL, 0, NULL, 0, 3);
	w_family(w, "jvm_b", "gauge", NULL);
	w_sample(w, "jvm_b", NULL, 0, NULL, 0, 1);
	w_family(w, "jvm_c", "summary", "");
	w_family(w, "jvm_d", NULL, "d");
	assert_string_equal(
	    out(w), "# HELP jvm_a_total Help with \\\\ and\\nnewline and \"quotes\" " FFFD "\n"
		    "# TYPE jvm_a_total counter\n"
		    "jvm_a_total 3\n"
		    "# TYPE jvm_b gauge\n"
		    "jvm_b 1\n"
		    "# TYPE jvm_c untyped\n"
		    "# HELP jvm_d d\n"
		    "# TYPE jvm_d untyped\n");
}

static void test_family_duplicate(void **state)
{
	struct writer *w = *state;

	w_family(w, "x", "gauge", "first");
	w_sample(w, "x", NULL, 0, NULL, 0, 1);
	w_family(w, "xy", "gauge", "prefix of nothing");
	w_family(w, "x", "counter", "second");
	w_sample(w, "x", NULL, 0, NULL, 0, 2);
	assert_string_equal(out(w), "# HELP x first\n# TYPE x gauge\nx 1\n"
				    "# HELP xy prefix of nothing\n# TYPE xy gauge\n"
				    "x 2\n");
	/* A new render starts with no families seen. */
	writer_reset(w);
	w_family(w, "x", "gauge", NULL);
	assert_string_equal(out(w), "# TYPE x gauge\n");
}

/* Enough families to grow the name table several times; duplicates still caught afterwards. */
static void test_family_many(void **state)
{
	struct writer *w = *state;
	char name[32];
	size_t len1, len2;
	int i;

	for (i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "fam_%d", i);
		w_family(w, name, "gauge", NULL);
	}
	writer_data(w, &len1);
	for (i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "fam_%d", i);
		w_family(w, name, "counter", "again");
	}
	writer_data(w, &len2);
	assert_int_equal(writer_failed(w), 0);
	assert_int_equal(len1, len2);
	assert_non_null(strstr(out(w), "# TYPE fam_1999 gauge\n"));
}

static void test_labels(void **state)
{
	static const struct label a[] = {
		{ "a", "1" },
		{ "", "skipped" },
		{ "b", NULL },
	};
	static const struct label b[] = {
		{ NULL, "skipped" },
		{ "c", "3" },
	};
	static const struct label empty[] = { { "", "x" } };
	struct writer *w = *state;

	w_sample(w, "m", a, ARRAY_SIZE(a), b, ARRAY_SIZE(b), 2);
	w_sample(w, "m", NULL, 0, b, ARRAY_SIZE(b), 2);
	w_sample(w, "m", a, 1, NULL, 0, 2);
	w_sample(w, "m", NULL, 0, NULL, 0, 2);
	w_sample(w, "m", empty, 1, NULL, 0, 2);
	assert_string_equal(out(w), "m{a=\"1\",b=\"\",c=\"3\"} 2\n"
				    "m{c=\"3\"} 2\n"
				    "m{a=\"1\"} 2\n"
				    "m 2\n"
				    "m 2\n");
}

static void test_names(void **state)
{
	static const struct {
		const char *s;
		int metric;
		int label;
	} cases[] = {
		{ "jvm_gc_seconds_total", 1, 1 },
		{ "a", 1, 1 },
		{ "_", 1, 1 },
		{ "_x", 1, 1 },
		{ "__name__", 1, 0 },
		{ "__", 1, 0 },
		{ "ns:rule:rate5m", 1, 0 },
		{ ":x", 1, 0 },
		{ "A9_z", 1, 1 },
		{ "9a", 0, 0 },
		{ "", 0, 0 },
		{ "a-b", 0, 0 },
		{ "a b", 0, 0 },
		{ "a.b", 0, 0 },
		{ "caf\xc3\xa9", 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(w_valid_metric_name(cases[i].s), cases[i].metric);
		assert_int_equal(w_valid_label_name(cases[i].s), cases[i].label);
	}
	assert_false(w_valid_metric_name(NULL));
	assert_false(w_valid_label_name(NULL));
}

/* One call of each w_* entry point, w_family() of family with help: what a failed or NULL writer
 * must take as no-ops. */
static void write_each(struct writer *w, const char *family, const char *help)
{
	static const double bounds[] = { 1 };
	static const uint64_t counts[] = { 1, 1 };

	w_family(w, family, "gauge", help);
	w_sample(w, "m", NULL, 0, NULL, 0, 1);
	w_histogram(w, "h", NULL, 0, NULL, 0, bounds, counts, 1, 0);
	w_log2_histogram(w, "h", NULL, 0, NULL, 0, counts, 2, 0, 3, 1, 0);
}

/* Going over the limit takes the same sticky-failure path as a failed realloc. */
static void test_limit(void **state)
{
	static const struct label l[] = { { "k", "v" } };
	struct writer *w = *state;
	size_t len = 1;

	writer_set_limit(w, 64);
	w_family(w, "m", "gauge", "fits");
	w_sample(w, "m", l, 1, NULL, 0, 1);
	assert_int_equal(writer_failed(w), 0);
	w_sample(w, "m_with_a_long_name_that_does_not_fit", l, 1, NULL, 0, 1);
	assert_int_equal(writer_failed(w), E2BIG);
	assert_string_equal(writer_data(w, &len), "");
	assert_int_equal(len, 0);
	/* Everything is a no-op now. */
	write_each(w, "n", NULL);
	assert_int_equal(writer_failed(w), E2BIG);
	writer_reset(w);
	assert_int_equal(writer_failed(w), 0);
	w_sample(w, "m", NULL, 0, NULL, 0, 1);
	assert_string_equal(out(w), "m 1\n");
	writer_set_limit(w, 0);
}

static void test_null_writer(void **state)
{
	size_t len = 5;

	(void)state;
	writer_reset(NULL);
	writer_set_limit(NULL, 1);
	write_each(NULL, "m", "h");
	assert_string_equal(writer_data(NULL, &len), "");
	assert_int_equal(len, 0);
	assert_true(writer_failed(NULL));
	writer_free(NULL);
}

static void test_empty_and_reuse(void **state)
{
	struct writer *w = *state;
	size_t len = 5;
	int i;

	assert_string_equal(writer_data(w, &len), "");
	assert_int_equal(len, 0);
	/* Grow past the initial capacity, then reuse. */
	for (i = 0; i < 10000; i++)
		w_sample(w, "m", NULL, 0, NULL, 0, i);
	writer_data(w, &len);
	assert_true(len > 4096);
	assert_int_equal(strlen(out(w)), len);
	writer_reset(w);
	assert_string_equal(writer_data(w, &len), "");
	assert_int_equal(len, 0);
}

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/*
 * A real realloc failure, in a child with a small address-space limit. Skipped where the limit
 * would hit the tool rather than the writer (ASan shadow memory, valgrind).
 */
static void test_enomem(void **state)
{
	struct label l = { "k", NULL };
	const char *pre = getenv("LD_PRELOAD");
	struct writer *w;
	struct rlimit rl;
	unsigned long vm;
	int status, rc;
	size_t len;
	FILE *f;
	char *big;
	pid_t pid;

	(void)state;
#ifdef UNDER_ASAN
	skip();
#endif
	if (pre && strstr(pre, "vgpreload"))
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		w = writer_new();
		big = malloc(64 << 20);
		f = fopen("/proc/self/statm", "r");
		if (!w || !big || !f || fscanf(f, "%lu", &vm) != 1)
			_exit(10);
		fclose(f);
		memset(big, 'x', (64 << 20) - 1);
		big[(64 << 20) - 1] = '\0';
		w_sample(w, "before", NULL, 0, NULL, 0, 1);
		/* Escaping reserves 3 bytes per input byte: 192 MiB that the limit forbids. */
		rl.rlim_cur = rl.rlim_max = vm * (rlim_t)sysconf(_SC_PAGESIZE) + (32 << 20);
		if (setrlimit(RLIMIT_AS, &rl))
			_exit(11);
		l.value = big;
		w_sample(w, "m", &l, 1, NULL, 0, 1);
		rc = writer_failed(w) == ENOMEM ? 0 : 12;
		w_family(w, "after", "gauge", "x");
		if (!rc && (strcmp(writer_data(w, &len), "") || len))
			rc = 13;
		writer_reset(w);
		w_sample(w, "after", NULL, 0, NULL, 0, 1);
		if (!rc && strcmp(writer_data(w, NULL), "after 1\n"))
			rc = 14;
		writer_free(w);
		free(big);
		_exit(rc);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		WRITER_TEST(test_label_escaping),
		WRITER_TEST(test_value_format),
		WRITER_TEST(test_value_round_trip),
		WRITER_TEST(test_family),
		WRITER_TEST(test_family_duplicate),
		WRITER_TEST(test_family_many),
		WRITER_TEST(test_labels),
		cmocka_unit_test(test_names),
		WRITER_TEST(test_limit),
		cmocka_unit_test(test_null_writer),
		WRITER_TEST(test_empty_and_reuse),
		cmocka_unit_test(test_enomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
