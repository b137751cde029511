/* Numbers as the exposition spells them (numfmt.h). Integers, most of a page, are written digit
 * by digit; other values (histogram bounds, seconds) go through printf and a read-back, ~1 us
 * each, so their text is kept in a small per-thread cache: a page repeats the same bounds for
 * every histogram. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "numfmt.h"

/* printf's shortest round-trip form, with '.' whatever the locale. */
static size_t slow(char *out, double v)
{
	char tmp[W_NUM_MAX];
	size_t i, j;
	int prec;

	if (isnan(v)) {
		strcpy(out, "NaN");
		return 3;
	}
	if (isinf(v)) {
		strcpy(out, v > 0 ? "+Inf" : "-Inf");
		return 4;
	}
	/* -0 as "0": as an le value "-0" would be a different label value than "0". */
	if (v == 0) {
		strcpy(out, "0");
		return 1;
	}
	/*
	 * If any representation of <= 15 digits round-trips, %.15g yields it (%g drops trailing
	 * zeros); above that the correctly rounded form is the shortest if any is.
	 */
	for (prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (prec == 17 || strtod(tmp, NULL) == v)
			break;
	}
	/* snprintf/strtod follow LC_NUMERIC; the exposition format wants '.' in any locale. */
	for (i = 0, j = 0; tmp[i]; i++) {
		char c = tmp[i];

		if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == 'e')
			out[j++] = c;
		else if (!j || out[j - 1] != '.')
			out[j++] = '.';
	}
	out[j] = '\0';
	return j;
}

/* |v| < 2^53 and whole: exactly what "%.0f" prints. */
static size_t integer(char *out, double v)
{
	char tmp[24];
	long long x = (long long)v;
	unsigned long long u = x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x;
	size_t n = 0, i = 0;

	do
		tmp[n++] = (char)('0' + u % 10);
	while ((u /= 10));
	if (x < 0)
		out[i++] = '-';
	while (n)
		out[i++] = tmp[--n];
	out[i] = '\0';
	return i;
}

#define CACHE_SLOTS 256

static __thread struct {
	uint64_t bits;
	unsigned char len; /* 0: empty */
	char text[W_NUM_MAX];
} cache[CACHE_SLOTS];

size_t num_format(char *out, double v)
{
	uint64_t bits;
	size_t h, n;

	if (v != 0 && fabs(v) <= 0x1p53 && v == trunc(v))
		return integer(out, v);
	memcpy(&bits, &v, sizeof(bits));
	h = (size_t)((bits * 0x9e3779b97f4a7c15ULL) >> 56) % CACHE_SLOTS;
	if (cache[h].len && cache[h].bits == bits) {
		memcpy(out, cache[h].text, (size_t)cache[h].len + 1);
		return cache[h].len;
	}
	n = slow(out, v);
	cache[h].bits = bits;
	cache[h].len = (unsigned char)n;
	memcpy(cache[h].text, out, n + 1);
	return n;
}
