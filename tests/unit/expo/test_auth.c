/* Unit tests for user/expo/auth.c: Authorization header parsing and bcrypt checks. */
// UNIT-SOURCES: user/expo/webconfig.c
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "auth.h"

/* bcrypt("scrape-me"), cost 4 */
#define HASH "$2b$04$NIvAM9B9P4hTIIomc6ZQieOE2wt9NaBUCt67Ufmj18vaGpCaENjoq"

static void test_parse_basic(void **state)
{
	char u[32], p[32];

	(void)state;
	assert_int_equal(auth_parse_basic("Basic cHJvbWV0aGV1czpzY3JhcGUtbWU=", u, sizeof(u), p, sizeof(p)), 0);
	assert_string_equal(u, "prometheus");
	assert_string_equal(p, "scrape-me");
	assert_int_equal(auth_parse_basic("basic   YTo=", u, sizeof(u), p, sizeof(p)), 0); /* "a:" */
	assert_string_equal(u, "a");
	assert_string_equal(p, "");
	assert_int_equal(auth_parse_basic("Basic Ojo6", u, sizeof(u), p, sizeof(p)), 0); /* ":::" */
	assert_string_equal(u, "");
	assert_string_equal(p, "::");
	static const char *const bad[] = {
		NULL, "", "Basic", "Basic ", "Bearer cHJvbWV0aGV1czpzY3JhcGUtbWU=",
		"Basic cHJvbWV0aGV1cw==",        /* no ':' */
		"Basic cHJvbWV0aGV1czpzY3JhcGUtbWU", /* not a multiple of 4 */
		"Basic cHJv=WV0",                /* padding inside */
		"Basic YTpi AAAA",               /* two tokens */
		"Basic YQBiOmM=",                /* NUL inside: "a\0b:c" */
		"Basic ****",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_not_equal(auth_parse_basic(bad[i], u, sizeof(u), p, sizeof(p)), 0);
	/* Too long for the buffers: refused, not cut. */
	assert_int_not_equal(auth_parse_basic("Basic cHJvbWV0aGV1czpzY3JhcGUtbWU=", u, 5, p, sizeof(p)), 0);
	assert_int_not_equal(auth_parse_basic("Basic cHJvbWV0aGV1czpzY3JhcGUtbWU=", u, sizeof(u), p, 4), 0);
}

static void test_check(void **state)
{
	struct web_user users[] = { { "alice", HASH }, { "prometheus", HASH } };
	struct web_config c = { .users = users, .nusers = 2 };

	(void)state;
	assert_int_equal(auth_init(&c), 0);
	assert_true(auth_check(&c, "prometheus", "scrape-me"));
	assert_true(auth_check(&c, "prometheus", "scrape-me")); /* from the cache */
	assert_true(auth_check(&c, "alice", "scrape-me"));
	assert_false(auth_check(&c, "prometheus", "scrape-m"));
	assert_false(auth_check(&c, "prometheus", "scrape-me "));
	assert_false(auth_check(&c, "Prometheus", "scrape-me"));
	assert_false(auth_check(&c, "mallory", "scrape-me"));
	assert_false(auth_check(&c, "", ""));
	/* A remembered pair is tied to its hash: another config with another hash does not match. */
	users[1].hash = "$2b$04$abcdefghijklmnopqrstuuKx6Q1yS3rcj6YRbn2m5J1a7oH7nTa4W";
	assert_false(auth_check(&c, "prometheus", "scrape-me"));
	auth_exit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_basic),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests_name("auth", tests, NULL, NULL);
}
