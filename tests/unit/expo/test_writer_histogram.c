/* Unit tests for the histograms of user/expo/writer.c: explicit bounds (cumulative counts, bad
 * bounds dropped) and log2 slots (folding into buckets, an le set that depends only on the slot
 * range and unit, degenerate ranges). */
// UNIT-SOURCES: user/expo/writer.c user/expo/families.c user/expo/numfmt.c
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "writer.h"
#include "writer_fixture.h"

static void test_histogram(void **state)
{
	static const struct label a[] = { { "op", "gc" } };
	static const struct label b[] = { { "pod", "p\"1" } };
	static const double bounds[] = { 0.1, 1, 10 };
	static const uint64_t counts[] = { 1, 2, 3, 4 };
	struct writer *w = *state;

	w_family(w, "h_seconds", "histogram", "h");
	w_histogram(w, "h_seconds", a, 1, b, 1, bounds, counts, 3, 42.5);
	assert_string_equal(out(w), "# HELP h_seconds h\n"
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
	assert_string_equal(out(w), "h_bucket{le=\"1\"} 1\n"
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

/* The finite le values of page's _bucket lines, up to le="+Inf", into le[] (at most max), each
 * finite and above the one before; returns how many. */
static int finite_les(const char *page, double *le, size_t max)
{
	const char *p;
	double prev = 0;
	size_t n = 0;

	for (; (p = strstr(page, "le=\"")); page = p) {
		p += 4;
		if (!strncmp(p, "+Inf", 4))
			break;
		assert_true(n < max);
		le[n] = strtod(p, NULL);
		assert_true(isfinite(le[n]) && le[n] > prev);
		prev = le[n++];
	}
	return (int)n;
}

static void test_log2_boundaries(void **state)
{
	struct writer *w = *state;
	uint64_t slots[8] = { 0 };

	/* v = 1 is slot 0, v = 8 = 2^3 is slot 3: both sit in the bucket above the power of two. */
	slots[0] = 1;
	slots[3] = 1;
	w_log2_histogram(w, "l", NULL, 0, NULL, 0, slots, 8, 0, 4, 1, 9);
	assert_string_equal(out(w), "l_bucket{le=\"2\"} 1\n"
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
	assert_string_equal(out(w), "l_bucket{id=\"x\",le=\"0.008\"} 7\n"
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
	double le[64];
	int i, n;

	w_log2_histogram(w, "l", NULL, 0, NULL, 0, slots, 64, 10, 40, 1e-9, 0);
	le_set(out(w), ref, sizeof(ref));
	n = finite_les(out(w), le, ARRAY_SIZE(le));
	/* Each le is 2^(i+1) ns, strictly increasing and exact. */
	for (i = 0; i < n; i++)
		assert_true(le[i] == ldexp(1e-9, 11 + i));
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
	double le[1100];

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
	assert_int_equal(finite_les(out(w), le, ARRAY_SIZE(le)), 1023);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		WRITER_TEST(test_histogram),	   WRITER_TEST(test_histogram_edge),
		WRITER_TEST(test_log2_boundaries), WRITER_TEST(test_log2_fold),
		WRITER_TEST(test_log2_stable_le),  WRITER_TEST(test_log2_degenerate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
