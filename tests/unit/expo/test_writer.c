/* Unit tests for user/expo/writer.c: escaping, number format, families, histograms, failure paths. */
// UNIT-SOURCES: user/expo/families.c user/expo/numfmt.c
#include <errno.h>
#include <float.h>
#include <limits.h>
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

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FFFD "\xef\xbf\xbd"

static int setup(void **state)
{
	*state = writer_new();
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	writer_free(*state);
	return 0;
}

static const char *out(struct writer *w)
{
	assert_int_equal(writer_failed(w), 0);
	return writer_data(w, NULL);
}

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
		{ "a\xc3", "a" FFFD },			/* truncated at end */
		{ "\xe2\x82x", FFFD FFFD "x" },		/* truncated before ASCII */
		{ "\xc0\xaf", FFFD FFFD },		/* overlong '/' */
		{ "\xe0\x80\xaf", FFFD FFFD FFFD },	/* overlong, 3 bytes */
		{ "\xed\xa0\x80", FFFD FFFD FFFD },	/* UTF-16 surrogate */
		{ "\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD }, /* above U+10FFFF */
		{ "\xf5\x80", FFFD FFFD },
		{ "\x80\"", FFFD "\\\"" },		/* stray continuation, then escape */
		{ "\xef\xbf\xbd", FFFD },		/* a real U+FFFD passes through */
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
		{ 9007199254740992.0, "9007199254740992" },	/* 2^53 */
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
		bits = i & 1 ? x : x >> (i % 64);	/* also small magnitudes and denormals */
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
	assert_string_equal(out(w),
			    "# HELP jvm_a_total Help with \\\\ and\\nnewline and \"quotes\" "
			    FFFD "\n"
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
	assert_string_equal(out(w),
			    "# HELP x first\n# TYPE x gauge\nx 1\n"
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
		{ "a", "1" }, { "", "skipped" }, { "b", NULL },
	};
	static const struct label b[] = {
		{ NULL, "skipped" }, { "c", "3" },
	};
	static const struct label empty[] = { { "", "x" } };
	struct writer *w = *state;

	w_sample(w, "m", a, ARRAY_SIZE(a), b, ARRAY_SIZE(b), 2);
	w_sample(w, "m", NULL, 0, b, ARRAY_SIZE(b), 2);
	w_sample(w, "m", a, 1, NULL, 0, 2);
	w_sample(w, "m", NULL, 0, NULL, 0, 2);
	w_sample(w, "m", empty, 1, NULL, 0, 2);
	assert_string_equal(out(w),
			    "m{a=\"1\",b=\"\",c=\"3\"} 2\n"
			    "m{c=\"3\"} 2\n"
			    "m{a=\"1\"} 2\n"
			    "m 2\n"
			    "m 2\n");
}

static void test_histogram(void **state)
{
	static const struct label a[] = { { "op", "gc" } };
	static const struct label b[] = { { "pod", "p\"1" } };
	static const double bounds[] = { 0.1, 1, 10 };
	static const uint64_t counts[] = { 1, 2, 3, 4 };
	struct writer *w = *state;

	w_family(w, "h_seconds", "histogram", "h");
	w_histogram(w, "h_seconds", a, 1, b, 1, bounds, counts, 3, 42.5);
	assert_string_equal(out(w),
			    "# HELP h_seconds h\n"
			    "# TYPE h_seconds histogram\n"
			    "h_seconds_bucket{op=\"gc\",pod=\"p\\\"1\",le=\"0.1\"} 1\n"
			    "h_seconds_bucket{op=\"gc\",pod=\"p\\\"1\",le=\"1\"} 3\n"
			    "h_seconds_bucket{op=\"gc\",pod=\"p\\\"1\",le=\"10\"} 6\n"
			    "h_seconds_bucket{op=\"gc\",pod=\"p\\\"1\",le=\"+Inf\"} 10\n"
			    "h_seconds_sum{op=\"gc\",pod=\"p\\\"1\"} 42.5\n"
			    "h_seconds_count{op=\"gc\",pod=\"p\\\"1\"} 10\n");
}

static void test_histogram_edge(void **state)
{
	static const double bad[] = { 1, 1, NAN, 0.5, 2, INFINITY };
	static const uint64_t counts[] = { 1, 1, 1, 1, 1, 1, 1 };
	static const uint64_t only[] = { 5 };
	struct writer *w = *state;

	/* Dropped bounds must not lose their counts nor repeat an le. */
	w_histogram(w, "h", NULL, 0, NULL, 0, bad, counts, ARRAY_SIZE(bad), 0);
	assert_string_equal(out(w),
			    "h_bucket{le=\"1\"} 1\n"
			    "h_bucket{le=\"2\"} 5\n"
			    "h_bucket{le=\"+Inf\"} 7\n"
			    "h_sum 0\n"
			    "h_count 7\n");
	writer_reset(w);
	w_histogram(w, "h", NULL, 0, NULL, 0, NULL, only, 0, 1e-3);
	assert_string_equal(out(w), "h_bucket{le=\"+Inf\"} 5\nh_sum 0.001\nh_count 5\n");
}

/* The le="..." values of the _bucket lines of out, joined by spaces. */
static void le_set(const char *s, char *buf, size_t size)
{
	const char *p, *e;
	size_t n = 0;

	buf[0] = '\0';
	while ((p = strstr(s, "le=\""))) {
		p += 4;
		e = strchr(p, '"');
		assert_non_null(e);
		assert_true(n + (size_t)(e - p) + 2 < size);
		memcpy(buf + n, p, (size_t)(e - p));
		n += (size_t)(e - p);
		buf[n++] = ' ';
		buf[n] = '\0';
		s = e;
	}
}

static void test_log2_boundaries(void **state)
{
	struct writer *w = *state;
	uint64_t slots[8] = { 0 };

	/* v = 1 is slot 0, v = 8 = 2^3 is slot 3: both sit in the bucket above the power of two. */
	slots[0] = 1;
	slots[3] = 1;
	w_log2_histogram(w, "l", NULL, 0, NULL, 0, slots, 8, 0, 4, 1, 9);
	assert_string_equal(out(w),
			    "l_bucket{le=\"2\"} 1\n"
			    "l_bucket{le=\"4\"} 1\n"
			    "l_bucket{le=\"8\"} 1\n"
			    "l_bucket{le=\"16\"} 2\n"
			    "l_bucket{le=\"32\"} 2\n"
			    "l_bucket{le=\"+Inf\"} 2\n"
			    "l_sum 9\n"
			    "l_count 2\n");
}

static void test_log2_fold(void **state)
{
	struct writer *w = *state;
	static const uint64_t slots[] = { 1, 2, 4, 8, 16, 32 };
	static const struct label b[] = { { "id", "x" } };

	/* Slots 0..1 fold into the first bucket, slots 4..5 only reach +Inf. */
	w_log2_histogram(w, "l", NULL, 0, b, 1, slots, ARRAY_SIZE(slots), 2, 3, 1e-3, 1.5);
	assert_string_equal(out(w),
			    "l_bucket{id=\"x\",le=\"0.008\"} 7\n"
			    "l_bucket{id=\"x\",le=\"0.016\"} 15\n"
			    "l_bucket{id=\"x\",le=\"+Inf\"} 63\n"
			    "l_sum{id=\"x\"} 1.5\n"
			    "l_count{id=\"x\"} 63\n");
}

/* Whatever the slots hold, the same (first_slot, max_slot, unit) gives the same le set. */
static void test_log2_stable_le(void **state)
{
	struct writer *w = *state;
	uint64_t slots[64] = { 0 };
	char ref[4096], got[4096];
	const char *s, *p;
	double prev = 0, le;
	int i, n = 0;

	w_log2_histogram(w, "l", NULL, 0, NULL, 0, slots, 64, 10, 40, 1e-9, 0);
	le_set(out(w), ref, sizeof(ref));
	for (s = ref; (p = strchr(s, ' ')); s = p + 1, n++) {
		le = strtod(s, NULL);
		if (p - s == 4 && !strncmp(s, "+Inf", 4))
			break;
		/* Each le is 2^(i+1) ns, strictly increasing and exact. */
		assert_true(le == ldexp(1e-9, 11 + n));
		assert_true(le > prev);
		prev = le;
	}
	assert_int_equal(n, 31);

	slots[12] = 7;
	slots[63] = 1;
	writer_reset(w);
	w_log2_histogram(w, "l", NULL, 0, NULL, 0, slots, 64, 10, 40, 1e-9, 0);
	le_set(out(w), got, sizeof(got));
	assert_string_equal(ref, got);

	for (i = 0; i < 64; i++)
		slots[i] = (uint64_t)i * 1000;
	writer_reset(w);
	/* Fewer slots than max_slot: the le set does not shrink either. */
	w_log2_histogram(w, "l", NULL, 0, NULL, 0, slots, 20, 10, 40, 1e-9, 0);
	le_set(out(w), got, sizeof(got));
	assert_string_equal(ref, got);
}

static void test_log2_degenerate(void **state)
{
	struct writer *w = *state;
	static const uint64_t slots[] = { 1, 1 };
	const char *s, *p;
	double prev = 0, le;
	int n = 0;

	w_log2_histogram(w, "l", NULL, 0, NULL, 0, slots, 2, 5, 4, 1, 0);
	assert_string_equal(out(w), "l_bucket{le=\"+Inf\"} 2\nl_sum 0\nl_count 2\n");
	writer_reset(w);
	w_log2_histogram(w, "l", NULL, 0, NULL, 0, slots, 2, 0, 4, 0, 0);
	assert_string_equal(out(w), "l_bucket{le=\"+Inf\"} 2\nl_sum 0\nl_count 2\n");
	writer_reset(w);
	w_log2_histogram(w, "l", NULL, 0, NULL, 0, NULL, 0, 0, 0, 1, 0);
	assert_string_equal(out(w), "l_bucket{le=\"2\"} 0\nl_bucket{le=\"+Inf\"} 0\nl_sum 0\n"
			    "l_count 0\n");
	/* A huge max_slot stops where le would overflow: no repeated or infinite finite le. */
	writer_reset(w);
	w_log2_histogram(w, "l", NULL, 0, NULL, 0, slots, 2, 0, UINT_MAX, 1, 0);
	for (s = out(w); (p = strstr(s, "le=\"")); s = p + 1, n++) {
		p += 4;
		if (!strncmp(p, "+Inf", 4))
			break;
		le = strtod(p, NULL);
		assert_true(isfinite(le) && le > prev);
		prev = le;
	}
	assert_int_equal(n, 1023);
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

/* Going over the limit takes the same sticky-failure path as a failed realloc. */
static void test_limit(void **state)
{
	static const struct label l[] = { { "k", "v" } };
	static const double bounds[] = { 1 };
	static const uint64_t counts[] = { 1, 1 };
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
	w_family(w, "n", "gauge", NULL);
	w_sample(w, "m", NULL, 0, NULL, 0, 1);
	w_histogram(w, "h", NULL, 0, NULL, 0, bounds, counts, 1, 0);
	w_log2_histogram(w, "h", NULL, 0, NULL, 0, counts, 2, 0, 3, 1, 0);
	assert_int_equal(writer_failed(w), E2BIG);
	writer_reset(w);
	assert_int_equal(writer_failed(w), 0);
	w_sample(w, "m", NULL, 0, NULL, 0, 1);
	assert_string_equal(out(w), "m 1\n");
	writer_set_limit(w, 0);
}

static void test_null_writer(void **state)
{
	static const double bounds[] = { 1 };
	static const uint64_t counts[] = { 1, 1 };
	size_t len = 5;

	(void)state;
	writer_reset(NULL);
	writer_set_limit(NULL, 1);
	w_family(NULL, "m", "gauge", "h");
	w_sample(NULL, "m", NULL, 0, NULL, 0, 1);
	w_histogram(NULL, "h", NULL, 0, NULL, 0, bounds, counts, 1, 0);
	w_log2_histogram(NULL, "h", NULL, 0, NULL, 0, counts, 2, 0, 3, 1, 0);
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


/* ---- OpenMetrics mode ---------------------------------------------------------------------- */

static void test_om_family(void **state)
{
	static const struct label a[] = { { "pod", "p\"1\n" } };
	struct writer *w = *state;

	writer_set_format(w, W_OPENMETRICS);
	assert_int_equal(writer_format(w), W_OPENMETRICS);
	w_family(w, "jvm_cpu_seconds_total", "counter", "Help with \\ and\nnewline and \"quotes\"");
	w_sample(w, "jvm_cpu_seconds_total", a, 1, NULL, 0, 1.5);
	/* started again under either name: the same family */
	w_family(w, "jvm_cpu_seconds_total", "counter", "again");
	w_family(w, "jvm_heap_bytes", "gauge", "Heap.");
	w_sample(w, "jvm_heap_bytes", NULL, 0, NULL, 0, 1024);
	w_family(w, "jvm_info", "gauge", "Info stays a gauge.");
	w_sample(w, "jvm_info", a, 1, NULL, 0, 1);
	w_family(w, "jvm_runs", "counter", "A counter not named _total.");
	w_family(w, "jvm_u", "untyped", NULL);
	w_family(w, "jvm_v", "summary", NULL);
	w_family(w, "jvm_gc_pause_seconds", "histogram", NULL);
	w_family(w, "jvm_start_time_seconds", "gauge", NULL);
	w_family(w, "jvm_exits_total", "counter", NULL);
	w_family(w, "jvm_fake_seconds_total", "untyped", NULL);
	w_family(w, "jvm_ratio", "gauge", NULL);
	w_family(w, "jvm_xbytes", "gauge", NULL);	/* the unit must be a suffix after a '_' */
	w_family(w, "bytes", "gauge", NULL);
	writer_finish(w);
	assert_string_equal(out(w),
			    "# HELP jvm_cpu_seconds Help with \\\\ and\\nnewline and \\\"quotes\\\"\n"
			    "# TYPE jvm_cpu_seconds counter\n"
			    "# UNIT jvm_cpu_seconds seconds\n"
			    "jvm_cpu_seconds_total{pod=\"p\\\"1\\n\"} 1.5\n"
			    "# HELP jvm_heap_bytes Heap.\n"
			    "# TYPE jvm_heap_bytes gauge\n"
			    "# UNIT jvm_heap_bytes bytes\n"
			    "jvm_heap_bytes 1024\n"
			    "# HELP jvm_info Info stays a gauge.\n"
			    "# TYPE jvm_info gauge\n"
			    "jvm_info{pod=\"p\\\"1\\n\"} 1\n"
			    "# HELP jvm_runs A counter not named _total.\n"
			    "# TYPE jvm_runs unknown\n"
			    "# TYPE jvm_u unknown\n"
			    "# TYPE jvm_v unknown\n"
			    "# TYPE jvm_gc_pause_seconds histogram\n"
			    "# UNIT jvm_gc_pause_seconds seconds\n"
			    "# TYPE jvm_start_time_seconds gauge\n"
			    "# UNIT jvm_start_time_seconds seconds\n"
			    "# TYPE jvm_exits counter\n"
			    "# TYPE jvm_fake_seconds_total unknown\n"
			    "# TYPE jvm_ratio gauge\n"
			    "# UNIT jvm_ratio ratio\n"
			    "# TYPE jvm_xbytes gauge\n"
			    "# TYPE bytes gauge\n"
			    "# EOF\n");
	/* The format stays across renders; text again is the text it always was. */
	writer_reset(w);
	assert_int_equal(writer_format(w), W_OPENMETRICS);
	writer_set_format(w, W_TEXT);
	w_family(w, "jvm_cpu_seconds_total", "counter", "\"q\"");
	w_sample(w, "jvm_cpu_seconds_total", NULL, 0, NULL, 0, 2);
	writer_finish(w);
	assert_string_equal(out(w), "# HELP jvm_cpu_seconds_total \"q\"\n"
				    "# TYPE jvm_cpu_seconds_total counter\n"
				    "jvm_cpu_seconds_total 2\n");
	writer_set_format(w, (enum w_format)7);
	assert_int_equal(writer_format(w), W_TEXT);
}

/* What OpenMetrics forbids is left out there, and only there. */
static void test_om_nan(void **state)
{
	static const double bounds[] = { 0.5, 1 };
	static const uint64_t counts[] = { 1, 0, 2 };
	static const uint64_t slots[] = { 1, 1 };
	struct writer *w = *state;
	int mode;

	for (mode = 0; mode < 2; mode++) {
		writer_reset(w);
		writer_set_format(w, mode ? W_OPENMETRICS : W_TEXT);
		w_family(w, "c_total", "counter", NULL);
		w_sample(w, "c_total", NULL, 0, NULL, 0, NAN);
		w_sample(w, "c_total", NULL, 0, NULL, 0, -1);
		w_sample(w, "c_total", NULL, 0, NULL, 0, -0.0);
		w_sample(w, "c_total", NULL, 0, NULL, 0, INFINITY);
		w_family(w, "g", "gauge", NULL);
		w_sample(w, "g", NULL, 0, NULL, 0, NAN);
		w_sample(w, "g", NULL, 0, NULL, 0, -1);
		w_family(w, "h", "histogram", NULL);
		w_histogram(w, "h", NULL, 0, NULL, 0, bounds, counts, 2, NAN);
		w_histogram(w, "h", NULL, 0, NULL, 0, bounds, counts, 2, -1);
		w_log2_histogram(w, "h", NULL, 0, NULL, 0, slots, 2, 0, 1, 1, NAN);
		w_histogram(w, "h", NULL, 0, NULL, 0, bounds, counts, 1, 0);
		writer_finish(w);
		if (!mode) {
			assert_string_equal(out(w),
					    "# TYPE c_total counter\nc_total NaN\nc_total -1\n"
					    "c_total 0\nc_total +Inf\n"
					    "# TYPE g gauge\ng NaN\ng -1\n"
					    "# TYPE h histogram\n"
					    "h_bucket{le=\"0.5\"} 1\nh_bucket{le=\"1\"} 1\n"
					    "h_bucket{le=\"+Inf\"} 3\nh_sum NaN\nh_count 3\n"
					    "h_bucket{le=\"0.5\"} 1\nh_bucket{le=\"1\"} 1\n"
					    "h_bucket{le=\"+Inf\"} 3\nh_sum -1\nh_count 3\n"
					    "h_bucket{le=\"2\"} 1\nh_bucket{le=\"4\"} 2\n"
					    "h_bucket{le=\"+Inf\"} 2\nh_sum NaN\nh_count 2\n"
					    "h_bucket{le=\"0.5\"} 1\nh_bucket{le=\"+Inf\"} 1\n"
					    "h_sum 0\nh_count 1\n");
		} else {
			assert_string_equal(out(w),
					    "# TYPE c counter\nc_total 0\nc_total +Inf\n"
					    "# TYPE g gauge\ng NaN\ng -1\n"
					    "# TYPE h histogram\n"
					    "h_bucket{le=\"0.5\"} 1\nh_bucket{le=\"+Inf\"} 1\n"
					    "h_sum 0\nh_count 1\n"
					    "# EOF\n");
		}
	}
}

/* The two formats hold the same samples: only # lines differ. */
static void test_om_same_samples(void **state)
{
	static const struct label a[] = { { "gc", "G1 Young" }, { "bad", "\xff\"" } };
	static const uint64_t slots[] = { 3, 0, 5, 1 };
	struct writer *w = *state;
	char *page[2], *line, *save;
	size_t len[2], i;
	int mode;

	for (mode = 0; mode < 2; mode++) {
		writer_reset(w);
		writer_set_format(w, mode ? W_OPENMETRICS : W_TEXT);
		w_fam(w, FAM_JVM_GC_PAUSE_SECONDS);
		w_log2_histogram(w, fam_name(FAM_JVM_GC_PAUSE_SECONDS), a, 2, NULL, 0, slots, 4, 1, 3,
				 1e-9, 0.25);
		w_fam(w, FAM_JVM_CPU_SECONDS_TOTAL);
		w_sample(w, fam_name(FAM_JVM_CPU_SECONDS_TOTAL), a, 2, NULL, 0, 1.0 / 3);
		w_fam(w, FAM_JVM_INFO);
		w_sample(w, fam_name(FAM_JVM_INFO), a, 1, NULL, 0, 1);
		writer_finish(w);
		page[mode] = strdup(out(w));
		assert_non_null(page[mode]);
	}
	for (mode = 0; mode < 2; mode++) {
		char *o = page[mode];

		len[mode] = 0;
		for (line = strtok_r(page[mode], "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			if (line[0] != '#') {
				size_t n = strlen(line);

				memmove(o + len[mode], line, n);
				len[mode] += n;
				o[len[mode]++] = '\n';
			}
	}
	assert_int_equal(len[0], len[1]);
	assert_memory_equal(page[0], page[1], len[0]);
	/* 4 bucket lines (le 4e-9, 8e-9, 1.6e-08, +Inf), sum, count, the counter, the info */
	for (i = 0, mode = 0; i < len[0]; i++)
		mode += page[0][i] == '\n';
	assert_int_equal(mode, 8);
	free(page[0]);
	free(page[1]);
}

static void test_om_eof_failed(void **state)
{
	struct writer *w = *state;

	writer_set_format(w, W_OPENMETRICS);
	writer_set_limit(w, 10);
	w_family(w, "a_long_name", "gauge", NULL);
	writer_finish(w);
	assert_int_equal(writer_failed(w), E2BIG);
	assert_string_equal(writer_data(w, NULL), "");
	writer_finish(NULL);
	writer_set_format(NULL, W_OPENMETRICS);
	assert_int_equal(writer_format(NULL), W_TEXT);
	/* "# EOF\n" is counted against the limit too */
	writer_reset(w);
	writer_set_limit(w, 20);
	w_family(w, "abcdef", "gauge", NULL);	/* 19 bytes */
	assert_int_equal(writer_failed(w), 0);
	writer_finish(w);
	assert_int_equal(writer_failed(w), E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_label_escaping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_value_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_value_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_family, setup, teardown),
		cmocka_unit_test_setup_teardown(test_family_duplicate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_family_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_labels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_histogram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_histogram_edge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log2_boundaries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log2_fold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log2_stable_le, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log2_degenerate, setup, teardown),
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
		cmocka_unit_test(test_null_writer),
		cmocka_unit_test_setup_teardown(test_empty_and_reuse, setup, teardown),
		cmocka_unit_test(test_enomem),
		cmocka_unit_test_setup_teardown(test_om_family, setup, teardown),
		cmocka_unit_test_setup_teardown(test_om_nan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_om_same_samples, setup, teardown),
		cmocka_unit_test_setup_teardown(test_om_eof_failed, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
