/* Unit tests for user/expo/webconfig.c: the exporter-toolkit keys jvmtap takes, the ones it refuses,
 * relative file names, bcrypt hash checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "webconfig.h"

#define HASH "$2b$04$NIvAM9B9P4hTIIomc6ZQieOE2wt9NaBUCt67Ufmj18vaGpCaENjoq"

static int parse(const char *text, struct web_config *c)
{
	return webconfig_parse(text, strlen(text), "/etc/jvmtap", c);
}

static void test_full(void **state)
{
	struct web_config c;

	(void)state;
	assert_int_equal(parse("tls_server_config:\n"
			       "  cert_file: tls/server.crt\n"
			       "  key_file: /abs/server.key\n"
			       "  client_auth_type: RequireAndVerifyClientCert\n"
			       "  client_ca_file: ca.crt\n"
			       "  min_version: TLS13\n"
			       "basic_auth_users:\n"
			       "  prometheus: " HASH "\n"
			       "  alice: '" HASH "'\n", &c), 0);
	assert_true(c.tls);
	assert_string_equal(c.cert_file, "/etc/jvmtap/tls/server.crt");
	assert_string_equal(c.key_file, "/abs/server.key");
	assert_string_equal(c.client_ca_file, "/etc/jvmtap/ca.crt");
	assert_int_equal(c.client_auth, CLIENT_AUTH_REQUIRE_VERIFY);
	assert_int_equal(c.min_version, 13);
	assert_int_equal(c.max_version, 13);
	assert_int_equal(c.nusers, 2);
	assert_string_equal(c.users[1].name, "alice");
	assert_string_equal(c.users[1].hash, HASH);
	webconfig_free(&c);
}

static void test_defaults_and_empty(void **state)
{
	struct web_config c;

	(void)state;
	assert_int_equal(parse("", &c), 0);
	assert_false(c.tls);
	assert_int_equal(c.nusers, 0);
	webconfig_free(&c);
	assert_int_equal(parse("tls_server_config: {cert_file: a, key_file: b}\n", &c), 0);
	assert_int_equal(c.min_version, 12);
	assert_int_equal(c.max_version, 13);
	assert_int_equal(c.client_auth, CLIENT_AUTH_NONE);
	webconfig_free(&c);
	assert_int_equal(parse("basic_auth_users: {}\n", &c), 0);
	assert_int_equal(c.nusers, 0);
	webconfig_free(&c);
}

static void test_refused(void **state)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		{ "[1, 2]\n", "mapping at the top level" },
		{ "foo: 1\n", "unknown top-level key 'foo'" },
		{ "basic_auth_users: {}\nbasic_auth_users: {}\n", "given twice" },
		{ "http_server_config: {http2: false}\n", "not supported" },
		{ "tls_server_config: 3\n", "expected a mapping" },
		{ "tls_server_config: {key_file: b}\n", "cert_file and key_file" },
		{ "tls_server_config: {cert_file: a, key_file: b, min_version: TLS10}\n", "TLS12 or TLS13" },
		{ "tls_server_config: {cert_file: a, key_file: b, min_version: TLS13, max_version: TLS12}\n", "above" },
		{ "tls_server_config: {cert_file: a, key_file: b, curve_preferences: [X25519]}\n", "not supported" },
		{ "tls_server_config: {cert_file: a, key_file: b, client_auth_type: RequestClientCert}\n", "needs client_ca_file" },
		{ "tls_server_config: {cert_file: a, key_file: b, client_ca_file: c}\n", "NoClientCert" },
		{ "tls_server_config: {cert_file: a, key_file: b, client_auth_type: [x]}\n", "client_auth_type" },
		{ "tls_server_config: {cert_file: '', key_file: b}\n", "expected a file name" },
		{ "tls_server_config: {cert_file: a, key_file: b, nope: 1}\n", "unknown key 'nope'" },
		{ "basic_auth_users: {bob: secret}\n", "not a bcrypt hash" },
		{ "basic_auth_users: {'a:b': '" HASH "'}\n", "without ':'" },
		{ "basic_auth_users: {bob: [1]}\n", "not a bcrypt hash" },
		{ "basic_auth_users: [bob]\n", "expected a mapping" },
		{ "basic_auth_users: {a: \"\n", "YAML error at line" },
	};
	struct web_config c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_not_equal(parse(cases[i].text, &c), 0);
		if (!strstr(c.err, cases[i].err))
			fail_msg("%s: got '%s', want '%s'", cases[i].text, c.err, cases[i].err);
		webconfig_free(&c);
	}
}

static void test_hashes(void **state)
{
	(void)state;
	assert_int_equal(webconfig_check_hash(HASH), 0);
	assert_int_equal(webconfig_check_hash("$2y$10$" "NIvAM9B9P4hTIIomc6ZQieOE2wt9NaBUCt67Ufmj18vaGpCaENjoq"), 0);
	assert_int_not_equal(webconfig_check_hash(NULL), 0);
	assert_int_not_equal(webconfig_check_hash(""), 0);
	assert_int_not_equal(webconfig_check_hash("$2b$03$NIvAM9B9P4hTIIomc6ZQieOE2wt9NaBUCt67Ufmj18vaGpCaENjoq"), 0);
	assert_int_not_equal(webconfig_check_hash("$2b$32$NIvAM9B9P4hTIIomc6ZQieOE2wt9NaBUCt67Ufmj18vaGpCaENjoq"), 0);
	assert_int_not_equal(webconfig_check_hash("$2x$04$NIvAM9B9P4hTIIomc6ZQieOE2wt9NaBUCt67Ufmj18vaGpCaENjoq"), 0);
	assert_int_not_equal(webconfig_check_hash("$2b$04$NIvAM9B9P4hTIIomc6ZQieOE2wt9NaBUCt67Ufmj18vaGpCaENjo"), 0);
	assert_int_not_equal(webconfig_check_hash("$2b$04$NIvAM9B9P4hTIIomc6ZQieOE2wt9NaBUCt67Ufmj18vaGpCaENj!q"), 0);
	assert_int_not_equal(webconfig_check_hash("$6$saltsalt$abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz12"), 0);
}

static void test_load_missing_file(void **state)
{
	struct web_config c;

	(void)state;
	assert_int_not_equal(webconfig_load("/nonexistent/web.yml", &c), 0);
	assert_non_null(strstr(c.err, "/nonexistent/web.yml"));
	webconfig_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults_and_empty),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_hashes),
		cmocka_unit_test(test_load_missing_file),
	};

	return cmocka_run_group_tests_name("webconfig", tests, NULL, NULL);
}
