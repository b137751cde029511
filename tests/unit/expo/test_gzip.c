/* Unit tests for user/expo/gzip.c: compression round trip and Accept-Encoding negotiation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "gzip.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Inflate a gzip member with zlib and compare it with the original. */
static void check_round_trip(const char *in, size_t len)
{
	char *gz = NULL, *back;
	size_t gzlen = 0;
	z_stream zs;

	assert_int_equal(gzip_compress(in, len, &gz, &gzlen), 0);
	assert_non_null(gz);
	/* RFC 1952 magic and CM = deflate */
	assert_true(gzlen >= 18);
	assert_int_equal((unsigned char)gz[0], 0x1f);
	assert_int_equal((unsigned char)gz[1], 0x8b);
	assert_int_equal(gz[2], 8);

	back = malloc(len + 1);
	assert_non_null(back);
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
	zs.next_in = (unsigned char *)gz;
	zs.avail_in = (unsigned int)gzlen;
	zs.next_out = (unsigned char *)back;
	/* One spare byte: inflate must end the stream without using it. */
	zs.avail_out = (unsigned int)len + 1;
	assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
	assert_int_equal(zs.total_out, len);
	assert_int_equal(zs.avail_in, 0);
	assert_memory_equal(back, in, len);
	inflateEnd(&zs);
	free(back);
	free(gz);
}

static void test_round_trip(void **state)
{
	static const char page[] = "# HELP m help\n# TYPE m gauge\nm{a=\"b\"} 1\n";
	uint32_t x = 12345;
	size_t i, n = 3 << 20;
	char *big;

	(void)state;
	check_round_trip(page, strlen(page));
	check_round_trip("", 0);
	check_round_trip(NULL, 0);

	/* Incompressible and larger than deflateBound's usual slack. */
	big = malloc(n);
	assert_non_null(big);
	for (i = 0; i < n; i++) {
		x = x * 1664525u + 1013904223u;
		big[i] = (char)(x >> 24);
	}
	check_round_trip(big, n);
	/* Highly compressible. */
	for (i = 0; i < n; i++)
		big[i] = page[i % (sizeof(page) - 1)];
	check_round_trip(big, n);
	free(big);
}

static void test_compress_args(void **state)
{
	char *out = (char *)&out;
	size_t len = 7;

	(void)state;
	assert_int_equal(gzip_compress(NULL, 1, &out, &len), -EINVAL);
	assert_int_equal(gzip_compress("x", 1, NULL, &len), -EINVAL);
	assert_int_equal(gzip_compress("x", 1, &out, NULL), -EINVAL);
}

static void test_accepts_gzip(void **state)
{
	static const struct {
		const char *in;
		int want;
	} cases[] = {
		{ "gzip", 1 },
		{ "GZIP", 1 },
		{ "GzIp", 1 },
		{ "x-gzip", 1 },
		{ "X-GZIP;q=0.1", 1 },
		{ "deflate, gzip;q=1.0", 1 },
		{ "gzip;q=1", 1 },
		{ "gzip;q=1.", 1 },
		{ "gzip;q=1.000", 1 },
		{ "gzip;q=0.001", 1 },
		{ "gzip;Q=0.5", 1 },
		{ "gzip;q=0", 0 },
		{ "gzip;q=0.", 0 },
		{ "gzip;q=0.0", 0 },
		{ "gzip;q=0.00", 0 },
		{ "gzip; q=0.000", 0 },
		{ "gzip ; q=0.000 ", 0 },
		{ "*", 1 },
		{ "*;q=0", 0 },
		{ "*;q=0.5", 1 },
		{ "identity", 0 },
		{ "identity, *;q=0", 0 },
		{ "", 0 },
		{ NULL, 0 },
		{ " ,, ,", 0 },
		{ "br, gzip ;q=0.5", 1 },
		{ "br,gzip", 1 },
		{ "\tdeflate,\tgzip\t", 1 },
		{ "deflate, br", 0 },
		{ "gzipx", 0 },
		{ "gzi", 0 },
		{ "x-gzipp", 0 },
		/* An explicit gzip entry overrides "*" either way. */
		{ "gzip;q=0, *", 0 },
		{ "*, gzip;q=0", 0 },
		{ "*;q=0, gzip", 1 },
		{ "gzip;q=0, x-gzip", 1 },
		/* Malformed entries are ignored, not taken as gzip. */
		{ "gzip;q=1.5", 0 },
		{ "gzip;q=2", 0 },
		{ "gzip;q=0.0001", 0 },
		{ "gzip;q=0.5x", 0 },
		{ "gzip;q=", 0 },
		{ "gzip;q", 0 },
		{ "gzip;", 0 },
		{ "gzip;q=abc", 0 },
		{ "gzip;q=-1", 0 },
		{ "gzip q=1", 0 },
		{ "gz ip", 0 },
		{ "gzip;q=1.5, deflate", 0 },
		{ "garbage;;;==,,\"\"", 0 },
		{ "\"gzip\"", 0 },
		{ "\xff\xfe", 0 },
		{ "gzip;q=1.5, gzip", 1 },
		{ "bogus;q=x, gzip", 1 },
		{ "gzip;level=\"9, fast\"", 1 },
		{ "gzip;level=\"9", 0 },
		{ "gzip;level=9;q=0", 0 },
		{ "identity;q=1, gzip;q=0.8, *;q=0", 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (accepts_gzip(cases[i].in) != cases[i].want)
			fail_msg("accepts_gzip(\"%s\") != %d", cases[i].in ? cases[i].in : "(null)",
				 cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_compress_args),
		cmocka_unit_test(test_accepts_gzip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
