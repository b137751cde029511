/* Unit tests for the OpenMetrics mode of user/expo/writer.c: family names, types and units, what
 * OpenMetrics forbids left out, the same samples as the text format, and the # EOF line under the
 * size limit. */
// UNIT-SOURCES: user/expo/writer.c user/expo/families.c user/expo/numfmt.c
#include <errno.h>
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
	w_family(w, "jvm_xbytes", "gauge", NULL); /* the unit must be a suffix after a '_' */
	w_family(w, "bytes", "gauge", NULL);
	writer_finish(w);
	assert_string_equal(
	    out(w), "# HELP jvm_cpu_seconds Help with \\\\ and\\nnewline and \\\"quotes\\\"\n"
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
		w_log2_histogram(w, fam_name(FAM_JVM_GC_PAUSE_SECONDS), a, 2, NULL, 0, slots, 4, 1,
				 3, 1e-9, 0.25);
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
		for (line = strtok_r(page[mode], "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
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
	w_family(w, "abcdef", "gauge", NULL); /* 19 bytes */
	assert_int_equal(writer_failed(w), 0);
	writer_finish(w);
	assert_int_equal(writer_failed(w), E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		WRITER_TEST(test_om_family),
		WRITER_TEST(test_om_nan),
		WRITER_TEST(test_om_same_samples),
		WRITER_TEST(test_om_eof_failed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
