/* Unit tests for httpresp_parse(): real responses of Flink 1.20 and 2.x REST servers, and
 * hostile ones (framing that does not add up, huge lengths, heads past the cap). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "fixture.h"
#include "httpresp.h"

#define DATA "tests/unit/data/flink/"
#define OK200 "HTTP/1.1 200 OK\r\n"

static const char *const versions[] = {"1.20.5", "2.3.0"};
#define NVERSIONS (sizeof(versions) / sizeof(versions[0]))

static char *fixture(const char *version, const char *name, size_t *len)
{
	char path[256];

	snprintf(path, sizeof(path), DATA "%s/%s", version, name);
	return slurp(path, len);
}

/* Parses a copy of s[0..len) in an exact-size buffer; the copy is the caller's to free. */
static enum httpresp_err parse_copy(const char *s, size_t len, bool eof, struct httpresp *r,
				    char **copy)
{
	*copy = malloc(len ? len : 1);
	assert_non_null(*copy);
	memcpy(*copy, s, len);
	return httpresp_parse(*copy, len, eof, r);
}

static enum httpresp_err parse_str(const char *s, bool eof, struct httpresp *r)
{
	char *copy;
	enum httpresp_err e = parse_copy(s, strlen(s), eof, r, &copy);

	free(copy);
	return e;
}

/* Parses s (with eof) and checks the status and body. */
static void assert_body(const char *s, bool eof, int status, bool json, const char *body)
{
	struct httpresp r;
	char *copy;

	assert_int_equal(parse_copy(s, strlen(s), eof, &r, &copy), HTTPRESP_OK);
	assert_int_equal(r.status, status);
	assert_int_equal(r.json, json);
	assert_int_equal(r.body_len, strlen(body));
	assert_memory_equal(r.body, body, r.body_len);
	assert_true(r.body >= copy && r.body + r.body_len <= copy + strlen(s));
	free(copy);
}

static void assert_err(const char *s, bool eof, enum httpresp_err want)
{
	struct httpresp r;

	assert_int_equal(parse_str(s, eof, &r), want);
	if (want != HTTPRESP_OK) {
		assert_int_equal(r.status, 0);
		assert_null(r.body);
		assert_int_equal(r.body_len, 0);
	}
}

/* Every proper prefix of a Content-Length response is incomplete, whether or not the peer
 * closed; the whole is the fixture's body. */
static void check_real(const char *version, const char *http, const char *json, int status)
{
	size_t len, blen, cut;
	char *raw = fixture(version, http, &len), *body = fixture(version, json, &blen);
	struct httpresp r;
	char *copy;

	assert_int_equal(parse_copy(raw, len, false, &r, &copy), HTTPRESP_OK);
	assert_int_equal(r.status, status);
	assert_true(r.json);
	assert_int_equal(r.body_len, blen);
	assert_memory_equal(r.body, body, blen);
	free(copy);
	for (cut = 0; cut < len; cut++) {
		assert_int_equal(parse_copy(raw, cut, false, &r, &copy), HTTPRESP_INCOMPLETE);
		free(copy);
		assert_int_equal(parse_copy(raw, cut, true, &r, &copy), HTTPRESP_INCOMPLETE);
		free(copy);
	}
	free(raw);
	free(body);
}

static void test_flink_real(void **state)
{
	size_t v;

	(void)state;
	for (v = 0; v < NVERSIONS; v++) {
		check_real(versions[v], "config.http", "config.json", 200);
		check_real(versions[v], "job.http", "job.json", 200);
		check_real(versions[v], "keepalive_config.http", "config.json", 200);
		check_real(versions[v], "badpath.http", "badpath.json", 404);
	}
}

/* A real body sent again with chunked coding, in chunks of several sizes. */
static void test_flink_rechunked(void **state)
{
	static const size_t sizes[] = {1, 7, 100, 4096, 100000};
	static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
				   "Transfer-Encoding: chunked\r\n\r\n";
	size_t v, s, blen, off, n, pos;
	struct httpresp r;
	char *body, *buf;

	(void)state;
	for (v = 0; v < NVERSIONS; v++) {
		body = fixture(versions[v], "job.json", &blen);
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			buf = malloc(sizeof(head) + blen * 8 + 64);
			assert_non_null(buf);
			memcpy(buf, head, sizeof(head) - 1);
			pos = sizeof(head) - 1;
			for (off = 0; off < blen; off += n) {
				n = blen - off < sizes[s] ? blen - off : sizes[s];
				pos += (size_t)sprintf(buf + pos, "%zx\r\n", n);
				memcpy(buf + pos, body + off, n);
				pos += n;
				memcpy(buf + pos, "\r\n", 2);
				pos += 2;
			}
			memcpy(buf + pos, "0\r\n\r\n", 5);
			pos += 5;
			assert_int_equal(httpresp_parse(buf, pos, false, &r), HTTPRESP_OK);
			assert_int_equal(r.status, 200);
			assert_true(r.json);
			assert_ptr_equal(r.body, buf + sizeof(head) - 1);
			assert_int_equal(r.body_len, blen);
			assert_memory_equal(r.body, body, blen);
			free(buf);
		}
		free(body);
	}
}

static void test_case_insensitive(void **state)
{
	(void)state;
	assert_body(OK200 "CONTENT-LENGTH: 2\r\nContent-TYPE: APPLICATION/JSON\r\n\r\n{}",
		    false, 200, true, "{}");
	assert_body(OK200 "content-length: 2\r\ncontent-type: Application/Json;"
		    "charset=utf-8\r\n\r\n{}",
		    false, 200, true, "{}");
	assert_body(OK200 "TRANSFER-ENCODING: CHUNKED\r\n\r\n2\r\n{}\r\n0\r\n\r\n", false,
		    200, false, "{}");
	/* values are trimmed of spaces and tabs */
	assert_body(OK200 "Content-Length: \t 2 \t\r\nContent-Type:application/json\r\n"
		    "\r\n{}",
		    false, 200, true, "{}");
}

static void test_json_flag(void **state)
{
	(void)state;
	assert_body(OK200 "Content-Type: text/html\r\nContent-Length: 1\r\n\r\nx", false,
		    200, false, "x");
	assert_body(OK200 "Content-Type: application/jsonl\r\nContent-Length: 1\r\n\r\nx",
		    false, 200, false, "x");
	assert_body(OK200 "Content-Type: application/json\r\nContent-Length: 1\r\n\r\nx",
		    false, 200, true, "x");
	assert_body(OK200 "Content-Type: application/json ; q=1\r\nContent-Length: 1\r\n"
		    "\r\nx",
		    false, 200, true, "x");
	assert_body(OK200 "Content-Type: text/plain; x=application/json\r\n"
		    "Content-Length: 1\r\n\r\nx",
		    false, 200, false, "x");
	assert_body(OK200 "Content-Length: 1\r\n\r\nx", false, 200, false, "x");
	/* the last Content-Type counts */
	assert_body(OK200 "Content-Type: application/json\r\nContent-Type: text/html\r\n"
		    "Content-Length: 1\r\n\r\nx",
		    false, 200, false, "x");
}

static void test_until_eof(void **state)
{
	(void)state;
	assert_err("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"a\":1}", false,
		   HTTPRESP_INCOMPLETE);
	assert_body("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"a\":1}", true, 200,
		    true, "{\"a\":1}");
	assert_body("HTTP/1.0 200 OK\r\n\r\n", true, 200, false, "");
	/* an incomplete head stays incomplete at the end of the connection */
	assert_err("HTTP/1.0 200 OK\r\nContent-Type: appl", true, HTTPRESP_INCOMPLETE);
	assert_err("HTTP/1.0 200 OK\r\n", true, HTTPRESP_INCOMPLETE);
}

static void test_bare_lf(void **state)
{
	(void)state;
	assert_body("HTTP/1.1 200 OK\nContent-Length: 2\n\n{}", false, 200, false, "{}");
	assert_body(OK200 "Transfer-Encoding: chunked\n\n2\n{}\n0\n\n", false, 200,
		    false, "{}");
}

static void test_chunked(void **state)
{
	(void)state;
	assert_body(OK200 "Transfer-Encoding: chunked\r\n\r\n"
		    "4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\n",
		    false, 200, false, "Wikipedia in\r\n\r\nchunks.");
	/* extensions, leading zeros, upper and lower hex, trailers */
	assert_body(OK200 "Transfer-Encoding: chunked\r\n\r\n"
		    "0004;name=value\r\nabcd\r\n00a ; x\r\n0123456789\r\nA\r\nABCDEFGHIJ\r\n"
		    "000\r\nExpires: never\r\nX-Trailer: 1\r\n\r\n",
		    false, 200, false, "abcd0123456789ABCDEFGHIJ");
	/* only the final chunk: an empty body */
	assert_body(OK200 "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false, 200,
		    false, "");
	/* bytes after the final chunk (a next response) are not the body */
	assert_body(OK200 "Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n"
		    "HTTP/1.1 200 OK\r\n",
		    false, 200, false, "x");
	/* Transfer-Encoding wins over Content-Length */
	assert_body(OK200 "Content-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "1\r\nx\r\n0\r\n\r\n",
		    false, 200, false, "x");
	assert_body(OK200 "Transfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n"
		    "1\r\nx\r\n0\r\n\r\n",
		    false, 200, false, "x");
}

/* Cut anywhere, a chunked response is incomplete and its buffer untouched, so that it can be
 * parsed again once the rest arrives. */
static void test_chunked_cuts(void **state)
{
	static const char full[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				   "3;e=1\r\nabc\r\n10\r\n0123456789abcdef\r\n1\r\nz\r\n0\r\n"
				   "T: 1\r\n\r\n";
	size_t len = sizeof(full) - 1, cut;
	struct httpresp r;
	char *copy;

	(void)state;
	for (cut = 0; cut < len; cut++) {
		assert_int_equal(parse_copy(full, cut, true, &r, &copy), HTTPRESP_INCOMPLETE);
		assert_memory_equal(copy, full, cut);
		free(copy);
	}
	assert_int_equal(parse_copy(full, len, false, &r, &copy), HTTPRESP_OK);
	assert_int_equal(r.body_len, 20);
	assert_memory_equal(r.body, "abc0123456789abcdefz", 20);
	free(copy);
}

static void test_chunked_bad(void **state)
{
#define TE "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	(void)state;
	assert_err(TE "zz\r\nab\r\n0\r\n\r\n", false, HTTPRESP_BAD_CHUNK);
	assert_err(TE "\r\nab\r\n0\r\n\r\n", false, HTTPRESP_BAD_CHUNK);
	assert_err(TE "-1\r\nab\r\n0\r\n\r\n", false, HTTPRESP_BAD_CHUNK);
	assert_err(TE "+1\r\na\r\n0\r\n\r\n", false, HTTPRESP_BAD_CHUNK);
	assert_err(TE "0x1\r\na\r\n0\r\n\r\n", false, HTTPRESP_BAD_CHUNK);
	assert_err(TE "1 2\r\na\r\n0\r\n\r\n", false, HTTPRESP_BAD_CHUNK);
	assert_err(TE " 1\r\na\r\n0\r\n\r\n", false, HTTPRESP_BAD_CHUNK);
	/* the data longer than its size: no CRLF where it should be */
	assert_err(TE "2\r\nabc\r\n0\r\n\r\n", false, HTTPRESP_BAD_CHUNK);
	assert_err(TE "2\r\nab\rx0\r\n\r\n", false, HTTPRESP_BAD_CHUNK);
	assert_err(TE "2\r\nab0\r\n\r\n", false, HTTPRESP_BAD_CHUNK);
	/* a bare CR in a size line, a trailer that is not a field */
	assert_err(TE "2\rx\r\nab\r\n0\r\n\r\n", false, HTTPRESP_BAD_CHUNK);
	assert_err(TE "0\r\nnot a field\r\n\r\n", false, HTTPRESP_BAD_CHUNK);
	/* sizes past size_t: refused, not wrapped */
	assert_err(TE "10000000000000000\r\nab\r\n0\r\n\r\n", false, HTTPRESP_BAD_CHUNK);
	assert_err(TE "ffffffffffffffffffffffffffffffff\r\nab\r\n", true, HTTPRESP_BAD_CHUNK);
	assert_err(TE "00000000000000000000000000000001\r\na\r\n0\r\n\r\n", false, HTTPRESP_OK);
	/* sizes that fit but are larger than what came: incomplete, however large */
	assert_err(TE "ffffffffffffffff\r\nab\r\n0\r\n\r\n", true, HTTPRESP_INCOMPLETE);
	assert_err(TE "fffffffffffffff0\r\nab", true, HTTPRESP_INCOMPLETE);
	assert_err(TE "7fffffff\r\nab\r\n0\r\n\r\n", true, HTTPRESP_INCOMPLETE);
	assert_err(TE "3\r\nab", true, HTTPRESP_INCOMPLETE);
	/* no final chunk, or no empty line after it */
	assert_err(TE "2\r\nab\r\n", true, HTTPRESP_INCOMPLETE);
	assert_err(TE "2\r\nab\r\n0\r\n", true, HTTPRESP_INCOMPLETE);
	assert_err(TE "2\r\nab\r\n0\r\nX: y\r\n", true, HTTPRESP_INCOMPLETE);
	assert_err(TE, true, HTTPRESP_INCOMPLETE);
#undef TE
	/* a coding other than chunked cannot be undone here */
	assert_err(OK200 "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", false,
		   HTTPRESP_BAD_HEADER);
	assert_err(OK200 "Transfer-Encoding: gzip\r\n\r\n", true, HTTPRESP_BAD_HEADER);
	assert_err(OK200 "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", false,
		   HTTPRESP_BAD_HEADER);
	assert_err(OK200 "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"
		   "\r\n0\r\n\r\n",
		   false, HTTPRESP_BAD_HEADER);
	assert_err(OK200 "Transfer-Encoding:\r\n\r\n", true, HTTPRESP_BAD_HEADER);
	assert_err(OK200 "Transfer-Encoding: chunkedx\r\n\r\n", true,
		   HTTPRESP_BAD_HEADER);
}

static void test_content_length(void **state)
{
	char big[128];

	(void)state;
	/* more announced than came: incomplete, also when the peer closed */
	assert_err(OK200 "Content-Length: 10\r\n\r\n{}", false, HTTPRESP_INCOMPLETE);
	assert_err(OK200 "Content-Length: 10\r\n\r\n{}", true, HTTPRESP_INCOMPLETE);
	snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n{}", SIZE_MAX);
	assert_err(big, true, HTTPRESP_INCOMPLETE);
	snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n{}",
		 SIZE_MAX - 10);
	assert_err(big, true, HTTPRESP_INCOMPLETE);
	/* past size_t, signs, spaces inside, lists, nothing */
	assert_err(OK200 "Content-Length: 18446744073709551616\r\n\r\n{}", true,
		   HTTPRESP_BAD_HEADER);
	assert_err(OK200 "Content-Length: 99999999999999999999999999999\r\n\r\n{}", true,
		   HTTPRESP_BAD_HEADER);
	assert_err(OK200 "Content-Length: -1\r\n\r\n{}", true, HTTPRESP_BAD_HEADER);
	assert_err(OK200 "Content-Length: +2\r\n\r\n{}", true, HTTPRESP_BAD_HEADER);
	assert_err(OK200 "Content-Length: 1 1\r\n\r\n{}", true, HTTPRESP_BAD_HEADER);
	assert_err(OK200 "Content-Length: 2, 2\r\n\r\n{}", true, HTTPRESP_BAD_HEADER);
	assert_err(OK200 "Content-Length: 0x2\r\n\r\n{}", true, HTTPRESP_BAD_HEADER);
	assert_err(OK200 "Content-Length:\r\n\r\n{}", true, HTTPRESP_BAD_HEADER);
	/* the same length twice is fine, two different are not */
	assert_body(OK200 "Content-Length: 2\r\nContent-Length: 02\r\n\r\n{}", false,
		    200, false, "{}");
	assert_err(OK200 "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}x", false,
		   HTTPRESP_BAD_HEADER);
	/* bytes past the length are not the body; zero is an empty body */
	assert_body(OK200 "Content-Length: 2\r\n\r\n{}garbage", false, 200, false, "{}");
	assert_body(OK200 "Content-Length: 0\r\n\r\n", false, 200, false, "");
}

static void test_no_body_status(void **state)
{
	(void)state;
	assert_body("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n", false, 204, false, "");
	assert_body("HTTP/1.1 304 Not Modified\r\n\r\n", false, 304, false, "");
	assert_body("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n", false, 100, false, "");
}

static void test_status_line(void **state)
{
	static const char *const bad[] = {
		"HTTP/2 200 OK\r\n\r\n",
		"HTTP/2.0 200 OK\r\n\r\n",
		"HTTP/1.1 20 OK\r\n\r\n",
		"HTTP/1.1 2000 OK\r\n\r\n",
		"HTTP/1.1 2x0 OK\r\n\r\n",
		"HTTP/1.1  200 OK\r\n\r\n",
		"HTTP/1.1 099 Low\r\n\r\n",
		"HTTP/1.1 200\tOK\r\n\r\n",
		"HTTP/1.x 200 OK\r\n\r\n",
		"http/1.1 200 OK\r\n\r\n",
		"ICY 200 OK\r\n\r\n",
		"HTTP/1.1 200 O\rK\r\n\r\n",
		"HTTP/1.1 200 O\x01K\r\n\r\n",
		" HTTP/1.1 200 OK\r\n\r\n",
		"\r\nHTTP/1.1 200 OK\r\n\r\n",
		"<html>",
		/* the prefix alone is enough to tell */
		"GE",
		"HTTP/1.1 200x",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_err(bad[i], true, HTTPRESP_BAD_STATUS);
	/* prefixes that may still become a status line */
	assert_err("", true, HTTPRESP_INCOMPLETE);
	assert_err("H", false, HTTPRESP_INCOMPLETE);
	assert_err("HTTP/1.1 20", false, HTTPRESP_INCOMPLETE);
	assert_err("HTTP/1.1 200", false, HTTPRESP_INCOMPLETE);
	assert_err("HTTP/1.1 2", true, HTTPRESP_INCOMPLETE);
	assert_err("HTTP/1.1 200\r", true, HTTPRESP_INCOMPLETE);
	assert_body("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", false, 200, false, "");
	assert_body("HTTP/1.0 503 Service Unavailable\r\n\r\n", true, 503, false, "");
	assert_body("HTTP/1.1 999 \r\n\r\n", true, 999, false, "");
	assert_body("HTTP/1.1 200 Ok \xc3\xa9 \t fine\r\n\r\n", true, 200, false, "");
}

static void test_bad_headers(void **state)
{
	static const char *const bad[] = {
		"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
		"HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\n{}",
		"HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n",
		"HTTP/1.1 200 OK\r\nA: b\r\n\tfolded: x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nA(b): x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n",
		"HTTP/1.1 200 OK\r\nA: b\x01\r\n\r\n",
		"HTTP/1.1 200 OK\r\nA: b\r\r\n\r\n",
	};
	static const char nul[] = "HTTP/1.1 200 OK\r\nA: b\0c\r\nContent-Length: 0\r\n\r\n";
	struct httpresp r;
	char *copy;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_err(bad[i], true, HTTPRESP_BAD_HEADER);
	assert_int_equal(parse_copy(nul, sizeof(nul) - 1, true, &r, &copy), HTTPRESP_BAD_HEADER);
	free(copy);
	/* unknown headers, empty values and every tchar in a name are fine */
	assert_body(OK200 "X-Empty:\r\n!#$%&'*+-.^_`|~09az: v\r\nContent-Length: 0\r\n"
		    "\r\n",
		    false, 200, false, "");
}

static void test_head_cap(void **state)
{
	static const char start[] = "HTTP/1.1 200 OK\r\nX: ";
	static const char end[] = "\r\nContent-Length: 2\r\n\r\n";
	size_t n = HTTPRESP_MAX_HEAD + 100, fill;
	struct httpresp r;
	char *buf = malloc(n);

	(void)state;
	assert_non_null(buf);
	/* a head of exactly HTTPRESP_MAX_HEAD bytes */
	fill = HTTPRESP_MAX_HEAD - (sizeof(start) - 1) - (sizeof(end) - 1);
	memcpy(buf, start, sizeof(start) - 1);
	memset(buf + sizeof(start) - 1, 'a', fill);
	memcpy(buf + HTTPRESP_MAX_HEAD - (sizeof(end) - 1), end, sizeof(end) - 1);
	memcpy(buf + HTTPRESP_MAX_HEAD, "{}", 2);
	assert_int_equal(httpresp_parse(buf, HTTPRESP_MAX_HEAD + 2, false, &r), HTTPRESP_OK);
	assert_int_equal(r.body_len, 2);
	assert_ptr_equal(r.body, buf + HTTPRESP_MAX_HEAD);
	/* one byte more */
	memcpy(buf, start, sizeof(start) - 1);
	memset(buf + sizeof(start) - 1, 'a', fill + 1);
	memcpy(buf + HTTPRESP_MAX_HEAD + 1 - (sizeof(end) - 1), end, sizeof(end) - 1);
	memcpy(buf + HTTPRESP_MAX_HEAD + 1, "{}", 2);
	assert_int_equal(httpresp_parse(buf, HTTPRESP_MAX_HEAD + 3, false, &r),
			 HTTPRESP_TOO_LARGE);
	/* no end of head yet: incomplete below the cap, too large at it */
	memset(buf + sizeof(start) - 1, 'a', n - (sizeof(start) - 1));
	assert_int_equal(httpresp_parse(buf, HTTPRESP_MAX_HEAD - 1, false, &r),
			 HTTPRESP_INCOMPLETE);
	assert_int_equal(httpresp_parse(buf, HTTPRESP_MAX_HEAD, false, &r), HTTPRESP_TOO_LARGE);
	assert_int_equal(httpresp_parse(buf, n, true, &r), HTTPRESP_TOO_LARGE);
	/* many short header lines count the same */
	memcpy(buf, "HTTP/1.1 200 OK\r\n", 17);
	for (fill = 17; fill + 6 <= n; fill += 6)
		memcpy(buf + fill, "A: b\r\n", 6);
	assert_int_equal(httpresp_parse(buf, fill, true, &r), HTTPRESP_TOO_LARGE);
	free(buf);
}

static void test_err_names(void **state)
{
	(void)state;
	assert_string_equal(httpresp_err_name(HTTPRESP_OK), "ok");
	assert_string_equal(httpresp_err_name(HTTPRESP_INCOMPLETE), "incomplete");
	assert_string_equal(httpresp_err_name(HTTPRESP_BAD_STATUS), "bad_status");
	assert_string_equal(httpresp_err_name(HTTPRESP_BAD_HEADER), "bad_header");
	assert_string_equal(httpresp_err_name(HTTPRESP_BAD_CHUNK), "bad_chunk");
	assert_string_equal(httpresp_err_name(HTTPRESP_TOO_LARGE), "too_large");
	assert_string_equal(httpresp_err_name(HTTPRESP__N), "unknown");
	assert_string_equal(httpresp_err_name((enum httpresp_err)-1), "unknown");
}

static void test_null_args(void **state)
{
	char buf[] = "HTTP/1.1 200 OK\r\n\r\n";
	struct httpresp r;

	(void)state;
	assert_int_equal(httpresp_parse(NULL, 0, true, &r), HTTPRESP_INCOMPLETE);
	assert_int_equal(httpresp_parse(NULL, 5, true, &r), HTTPRESP_BAD_STATUS);
	assert_int_equal(httpresp_parse(buf, sizeof(buf) - 1, true, NULL), HTTPRESP_BAD_STATUS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flink_real),	 cmocka_unit_test(test_flink_rechunked),
		cmocka_unit_test(test_case_insensitive), cmocka_unit_test(test_json_flag),
		cmocka_unit_test(test_until_eof),	 cmocka_unit_test(test_bare_lf),
		cmocka_unit_test(test_chunked),		 cmocka_unit_test(test_chunked_cuts),
		cmocka_unit_test(test_chunked_bad),	 cmocka_unit_test(test_content_length),
		cmocka_unit_test(test_no_body_status),	 cmocka_unit_test(test_status_line),
		cmocka_unit_test(test_bad_headers),	 cmocka_unit_test(test_head_cap),
		cmocka_unit_test(test_err_names),	 cmocka_unit_test(test_null_args),
	};

	return cmocka_run_group_tests_name("httpresp", tests, NULL, NULL);
}
