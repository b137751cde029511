/* Unit tests for accept_format(): the Accept headers real scrapers send, q-values, specificity,
 * parameters, and malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "accept.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define OM ACCEPT_OPENMETRICS
#define TEXT ACCEPT_TEXT

struct tcase {
	const char *in;
	enum accept_format want;
};

static void check(const struct tcase *c, size_t n)
{
	size_t i, len;
	char *copy;

	for (i = 0; i < n; i++) {
		/* An exact-size heap copy, so ASan sees a read past the terminator. */
		len = c[i].in ? strlen(c[i].in) : 0;
		copy = c[i].in ? malloc(len + 1) : NULL;
		if (copy)
			memcpy(copy, c[i].in, len + 1);
		if (accept_format(copy) != c[i].want)
			fail_msg("accept_format(\"%s\") != %s", c[i].in ? c[i].in : "(null)",
				 c[i].want == OM ? "openmetrics" : "text");
		free(copy);
	}
}

/* What scrapers send, verbatim. */
static void test_real_scrapers(void **state)
{
	static const struct tcase cases[] = {
		/* Prometheus 2.42 (scrape.go's default acceptHeader) */
		{ "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
		  "text/plain;version=0.0.4;q=0.5,*/*;q=0.1", OM },
		/* Prometheus before 2.5 and most other scrapers: text only */
		{ "text/plain;version=0.0.4;q=1,*/*;q=0.1", TEXT },
		/* Prometheus 2.x with the OpenMetrics 0.0.1 draft only (older releases) */
		{ "application/openmetrics-text; version=0.0.1,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", TEXT },
		/* curl, a browser */
		{ "*/*", TEXT },
		{ "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8", TEXT },
		/* what the issue names */
		{ "application/openmetrics-text; version=1.0.0", OM },
		{ "application/openmetrics-text; version=1.0.0; charset=utf-8", OM },
		{ NULL, TEXT },
		{ "", TEXT },
	};

	(void)state;
	check(cases, NELEM(cases));
}

static void test_qvalues(void **state)
{
	static const struct tcase cases[] = {
		{ "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4", TEXT },
		{ "application/openmetrics-text;version=1.0.0;q=0.501,text/plain;version=0.0.4;q=0.5", OM },
		{ "text/plain;version=0.0.4;q=0.5,application/openmetrics-text;version=1.0.0;q=0.6", OM },
		{ "application/openmetrics-text;version=1.0.0;q=0", TEXT },
		{ "application/openmetrics-text;version=1.0.0;q=0.000", TEXT },
		{ "application/openmetrics-text;version=1.0.0;q=0.001", OM },
		{ "application/openmetrics-text;version=1.0.0;q=1.000", OM },
		{ "application/openmetrics-text;version=1.0.0;Q=1", OM },
		{ "application/openmetrics-text;version=1.0.0 ; q=0.9 , text/plain ; q=0.8", OM },
		/* text refused outright, OpenMetrics accepted at any q */
		{ "text/plain;q=0,application/openmetrics-text;version=1.0.0;q=0.01", OM },
		/* only star/star at low q: text */
		{ "*/*;q=0.1", TEXT },
		/* star/star at 0 and nothing else: nothing acceptable, text anyway */
		{ "*/*;q=0", TEXT },
		/* equal q: the more specific match, then the first listed */
		{ "application/openmetrics-text;version=1.0.0,text/plain", OM },
		{ "text/plain,application/openmetrics-text", TEXT },
		{ "application/openmetrics-text,text/plain", OM },
		{ "text/plain;version=0.0.4,application/openmetrics-text;version=1.0.0", TEXT },
		{ "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4", OM },
		/* malformed q: the element is ignored */
		{ "application/openmetrics-text;version=1.0.0;q=1.5", TEXT },
		{ "application/openmetrics-text;version=1.0.0;q=2", TEXT },
		{ "application/openmetrics-text;version=1.0.0;q=0.1234", TEXT },
		{ "application/openmetrics-text;version=1.0.0;q=.5", TEXT },
		{ "application/openmetrics-text;version=1.0.0;q=", TEXT },
		{ "application/openmetrics-text;version=1.0.0;q=0.5x", TEXT },
		{ "application/openmetrics-text;version=1.0.0;q=\"1\"", TEXT },
		{ "application/openmetrics-text;version=1.0.0;q=-1", TEXT },
		{ "application/openmetrics-text;version=1.0.0;q=1.001", TEXT },
		{ "application/openmetrics-text;version=1.0.0;q=1.", OM },
		{ "application/openmetrics-text;version=1.0.0;q=0.", TEXT },
		/* ... and the next element still counts */
		{ "application/openmetrics-text;version=1.0.0;q=9,application/openmetrics-text;version=1.0.0", OM },
	};

	(void)state;
	check(cases, NELEM(cases));
}

static void test_specificity(void **state)
{
	static const struct tcase cases[] = {
		/* the most specific range decides, whatever its q */
		{ "application/*;q=1,application/openmetrics-text;q=0", TEXT },
		{ "application/openmetrics-text;q=0,application/*", TEXT },
		{ "application/openmetrics-text;q=0,application/openmetrics-text;version=1.0.0;q=0.2", OM },
		{ "application/openmetrics-text;version=1.0.0;q=0,application/openmetrics-text", TEXT },
		{ "*/*;q=1,text/plain;q=0,application/openmetrics-text;version=1.0.0;q=0.01", OM },
		/* text named, but at a lower q than star/star gives OpenMetrics */
		{ "*/*;q=0.9,text/plain;q=0.1", OM },
		{ "application/*", OM },
		{ "application/*;q=0.5,text/*;q=0.4", OM },
		{ "text/*;q=0.5,application/*;q=0.5", TEXT },
		/* the first of two ranges equally specific */
		{ "application/openmetrics-text;q=0,application/openmetrics-text;q=0.9", TEXT },
		/* case-insensitive type, subtype and parameter names */
		{ "Application/OpenMetrics-Text;Version=1.0.0", OM },
		{ "APPLICATION/OPENMETRICS-TEXT", OM },
		/* a version other than ours does not match */
		{ "application/openmetrics-text;version=2.0.0", TEXT },
		{ "application/openmetrics-text;version=1.0", TEXT },
		{ "application/openmetrics-text;version=1.0.0.0", TEXT },
		{ "application/openmetrics-text;version=", TEXT },
		{ "text/plain;version=0.0.5,application/openmetrics-text;version=1.0.0;q=0.1", OM },
		/* quoted values */
		{ "application/openmetrics-text;version=\"1.0.0\"", OM },
		{ "application/openmetrics-text;version=\"1.0.\\0\"", OM },
		{ "application/openmetrics-text;version=\"1.0.0", TEXT },
		{ "application/openmetrics-text;foo=\"a,b\";version=1.0.0", OM },
		{ "text/plain;foo=\"a,application/openmetrics-text\"", TEXT },
		/* charset: utf-8 only */
		{ "application/openmetrics-text;version=1.0.0;charset=UTF-8", OM },
		{ "application/openmetrics-text;version=1.0.0;charset=iso-8859-1", TEXT },
		{ "application/openmetrics-text;version=1.0.0;charset=\"utf-8\"", OM },
		/* other parameters are ignored (Prometheus 3 sends escaping=...) */
		{ "application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.6,"
		  "text/plain;version=0.0.4;q=0.5", OM },
		/* a long value is not a match, and not an overflow */
		{ "application/openmetrics-text;version=1.0.0000000000000000000000000000000000", TEXT },
		{ "application/openmetrics-text;version=\"1.0.0000000000000000000000000000000\"", TEXT },
		{ "application/openmetrics-text;foo=0123456789012345678901234567890123456789;version=1.0.0", OM },
		/* other types */
		{ "application/json", TEXT },
		{ "application/openmetrics-textx", TEXT },
		{ "application/openmetrics", TEXT },
		{ "applicationx/openmetrics-text", TEXT },
		{ "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,"
		  "application/openmetrics-text;version=1.0.0;q=0.6,text/plain;version=0.0.4;q=0.5", OM },
	};

	(void)state;
	check(cases, NELEM(cases));
}

static void test_malformed(void **state)
{
	static const struct tcase cases[] = {
		{ ",", TEXT },
		{ ",,, ,\t,", TEXT },
		{ ", application/openmetrics-text;version=1.0.0 ,", OM },
		{ "application/openmetrics-text;version=1.0.0;", OM },
		{ "application/openmetrics-text;;version=1.0.0", OM },
		{ "application/openmetrics-text; ;version=1.0.0", OM },
		{ "application", TEXT },
		{ "application/", TEXT },
		{ "/openmetrics-text", TEXT },
		{ "*/openmetrics-text", TEXT },
		{ "*", TEXT },
		{ "application/openmetrics-text version=1.0.0", TEXT },
		{ "application/openmetrics-text;version", TEXT },
		{ "application/openmetrics-text;=1.0.0", TEXT },
		{ "application/openmetrics-text;version=1.0.0 x", TEXT },
		{ "application /openmetrics-text", TEXT },
		{ "application/ openmetrics-text", TEXT },
		{ "application/openmetrics-text;version=1.0.0\x01", TEXT },
		{ "\xff\xfe/openmetrics-text,application/openmetrics-text;version=1.0.0;q=0.3", OM },
		{ "application/openmetrics-text;version=\"1.0.0\\", TEXT },
		{ "application/openmetrics-text;version=\"", TEXT },
		{ "\"", TEXT },
		{ "a/b;c=\"", TEXT },
		{ "text/plain;q=0.5;q=0.9,application/openmetrics-text;q=0.8", TEXT },
	};

	(void)state;
	check(cases, NELEM(cases));
}

/* A long header of many elements: linear, and the last one still counts. */
static void test_long_header(void **state)
{
	const char *el = "text/plain;version=0.0.4;q=0.5,";
	const char *last = "application/openmetrics-text;version=1.0.0;q=0.6";
	size_t n = 2000, i, l = strlen(el);
	char *s = malloc(n * l + strlen(last) + 1);

	(void)state;
	assert_non_null(s);
	for (i = 0; i < n; i++)
		memcpy(s + i * l, el, l);
	strcpy(s + n * l, last);
	assert_int_equal(accept_format(s), OM);
	s[n * l] = '\0';
	assert_int_equal(accept_format(s), TEXT);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_scrapers),
		cmocka_unit_test(test_qvalues),
		cmocka_unit_test(test_specificity),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_long_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
