/* Unit tests for the family table: names and types by Prometheus rules (base units, _total on
 * counters and only there), no name twice, every family described in docs/metrics.md, and
 * fam_of() finding every family and histogram series by name. */
#include <regex.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "families.h"

#define DOC "docs/metrics.md"

static bool ends(const char *s, const char *e)
{
	size_t n = strlen(s), m = strlen(e);

	return n >= m && !strcmp(s + n - m, e);
}

static void test_names_follow_prometheus_rules(void **state)
{
	regex_t re;
	int i, j;

	(void)state;
	assert_int_equal(regcomp(&re, "^(jvmtap|process)_[a-z][a-z0-9_]*[a-z0-9]$", REG_EXTENDED | REG_NOSUB), 0);
	for (i = 0; i < FAM__N; i++) {
		const struct family *f = &families[i];

		if (regexec(&re, f->name, 0, NULL, 0))
			fail_msg("%s: not a metric name", f->name);
		if (strcmp(f->type, "counter") && strcmp(f->type, "gauge") &&
		    strcmp(f->type, "histogram"))
			fail_msg("%s: type %s", f->name, f->type);
		if ((strcmp(f->type, "counter") == 0) != ends(f->name, "_total"))
			fail_msg("%s: a counter ends in _total, nothing else does", f->name);
		/* base units */
		if (strstr(f->name, "_milliseconds") || strstr(f->name, "_microseconds") ||
		    strstr(f->name, "_kilobytes") || strstr(f->name, "_megabytes"))
			fail_msg("%s: not in base units", f->name);
		if (!f->help || strlen(f->help) < 10 || !ends(f->help, "."))
			fail_msg("%s: help must be a sentence", f->name);
		for (j = 0; j < i; j++)
			if (!strcmp(f->name, families[j].name))
				fail_msg("%s: twice in the table", f->name);
	}
	regfree(&re);
}

static void test_every_family_is_in_the_catalogue(void **state)
{
	static char doc[1 << 20];
	char want[160];
	size_t n;
	FILE *f = fopen(DOC, "r");
	int i, missing = 0;

	(void)state;
	assert_non_null(f);
	n = fread(doc, 1, sizeof(doc) - 1, f);
	fclose(f);
	doc[n] = '\0';
	for (i = 0; i < FAM__N; i++) {
		snprintf(want, sizeof(want), "`%s`", families[i].name);
		if (!strstr(doc, want)) {
			print_error("%s: not described in " DOC "\n", families[i].name);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
}

static void test_fam_of(void **state)
{
	char name[160];
	const char *sfx;
	int i;

	(void)state;
	for (i = 0; i < FAM__N; i++) {
		assert_int_equal(fam_of(families[i].name, &sfx), i);
		assert_string_equal(sfx, "");
		snprintf(name, sizeof(name), "%s_bucket", families[i].name);
		assert_int_equal(fam_of(name, &sfx),
				 strcmp(families[i].type, "histogram") ? FAM__N : i);
	}
	assert_int_equal(fam_of("jvmtap_jvm_gc_pause_seconds_count", &sfx), FAM_JVM_GC_PAUSE_SECONDS);
	assert_string_equal(sfx, "_count");
	/* a prefix of a longer name is not that name */
	assert_int_equal(fam_of("jvmtap_jvm_threads_started_total", NULL), FAM_JVM_THREADS_STARTED_TOTAL);
	assert_int_equal(fam_of("jvmtap_jvm_threads", NULL), FAM_JVM_THREADS);
	assert_int_equal(fam_of("jvmtap_jvm_threadsx", NULL), FAM__N);
	assert_int_equal(fam_of("", NULL), FAM__N);
}


/* In OpenMetrics a counter's family drops its _total and owns name_created too, a histogram's
 * owns _bucket, _sum, _count and _created: no family name may be another family's sample name
 * (a strict parser rejects the page: "Clashing name"). */
static void test_no_openmetrics_name_clash(void **state)
{
	static const char *const counter_sfx[] = { "_total", "_created", NULL };
	static const char *const hist_sfx[] = { "", "_bucket", "_sum", "_count", "_created", NULL };
	static const char *const gauge_sfx[] = { "", NULL };
	char fam[FAM__N][160], owned[160];
	int i, j, k;

	(void)state;
	for (i = 0; i < FAM__N; i++) {
		snprintf(fam[i], sizeof(fam[i]), "%s", families[i].name);
		if (!strcmp(families[i].type, "counter") && ends(fam[i], "_total"))
			fam[i][strlen(fam[i]) - strlen("_total")] = '\0';
	}
	for (i = 0; i < FAM__N; i++) {
		const char *const *sfx = !strcmp(families[i].type, "counter") ? counter_sfx :
					 !strcmp(families[i].type, "histogram") ? hist_sfx : gauge_sfx;

		for (k = 0; sfx[k]; k++) {
			snprintf(owned, sizeof(owned), "%s%s", fam[i], sfx[k]);
			for (j = 0; j < FAM__N; j++)
				if (j != i && !strcmp(owned, fam[j]))
					fail_msg("OpenMetrics: %s (of %s) is the family %s", owned,
						 families[i].name, families[j].name);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_follow_prometheus_rules),
		cmocka_unit_test(test_every_family_is_in_the_catalogue),
		cmocka_unit_test(test_fam_of),
		cmocka_unit_test(test_no_openmetrics_name_clash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
