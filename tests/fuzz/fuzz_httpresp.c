/* libFuzzer target for httpresp_parse(): raw responses, bytes as headers and as a chunked body,
 * and a round trip of the bytes through a chunked encoding chosen by the bytes themselves. */
// FUZZ-SOURCES: user/parse/httpresp.c
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "httpresp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The invariants of one result on a buffer that held orig[0..len) before the call. */
static void check(enum httpresp_err e, const struct httpresp *r, const char *buf,
		  const char *orig, size_t len)
{
	if ((unsigned)e >= HTTPRESP__N || !httpresp_err_name(e))
		abort();
	if (e != HTTPRESP_OK) {
		/* refused or incomplete: nothing filled in, and the buffer untouched so that it
		 * can be parsed again once more bytes came */
		if (r->status || r->json || r->body || r->body_len)
			abort();
		if (len && memcmp(buf, orig, len))
			abort();
		return;
	}
	if (r->status < 100 || r->status > 999 || !r->body)
		abort();
	if (r->body < buf || r->body > buf + len || r->body_len > (size_t)(buf + len - r->body))
		abort();
}

/* Parses head + data + tail in a buffer of exactly that size, with and without eof. */
static void run(const char *head, const uint8_t *data, size_t size, const char *tail)
{
	size_t hl = strlen(head), tl = strlen(tail), len = hl + size + tl;
	struct httpresp r, r2;
	enum httpresp_err e, e2;
	char *orig, *buf;

	orig = malloc(len ? len : 1);
	buf = malloc(len ? len : 1);
	if (!orig || !buf)
		abort();
	memcpy(orig, head, hl);
	if (size)
		memcpy(orig + hl, data, size);
	memcpy(orig + hl + size, tail, tl);

	memcpy(buf, orig, len);
	e = httpresp_parse(buf, len, false, &r);
	check(e, &r, buf, orig, len);
	memcpy(buf, orig, len);
	e2 = httpresp_parse(buf, len, true, &r2);
	check(e2, &r2, buf, orig, len);
	/* what is complete before the end of the connection stays so after it, the same */
	if (e == HTTPRESP_OK &&
	    (e2 != HTTPRESP_OK || r.status != r2.status || r.json != r2.json ||
	     r.body_len != r2.body_len || r.body != r2.body))
		abort();
	/* the end of the connection only ever completes a response */
	if (e != HTTPRESP_OK && e != HTTPRESP_INCOMPLETE && e2 != e)
		abort();
	if (e == HTTPRESP_INCOMPLETE && e2 != HTTPRESP_OK && e2 != HTTPRESP_INCOMPLETE)
		abort();
	free(buf);
	free(orig);
}

/* data sent as a chunked body in chunks whose sizes come from data itself: the body must come
 * back byte for byte. */
static void round_trip(const uint8_t *data, size_t size)
{
	static const char head[] = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
				   "Transfer-Encoding: chunked\r\n\r\n";
	size_t cap = sizeof(head) + size * 40 + 64, pos = sizeof(head) - 1, off = 0, n, k = 0;
	struct httpresp r;
	char *buf;

	buf = malloc(cap);
	if (!buf)
		abort();
	memcpy(buf, head, pos);
	while (off < size) {
		n = (size_t)data[k++ % size] % 17 + 1;
		if (n > size - off)
			n = size - off;
		pos += (size_t)snprintf(buf + pos, cap - pos, "%s%zX%s\r\n", k % 3 ? "" : "00", n,
					k % 5 ? "" : ";ext=\"v\"");
		memcpy(buf + pos, data + off, n);
		pos += n;
		buf[pos++] = '\r';
		buf[pos++] = '\n';
		off += n;
	}
	memcpy(buf + pos, "0\r\nX-T: 1\r\n\r\n", 13);
	pos += 13;
	if (httpresp_parse(buf, pos, false, &r) != HTTPRESP_OK || r.status != 200 || !r.json ||
	    r.body != buf + sizeof(head) - 1 || r.body_len != size ||
	    (size && memcmp(r.body, data, size)))
		abort();
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run("", data, size, "");
	/* random bytes seldom form a status line: also put them where the parser looks */
	run("HTTP/1.1 200 OK\r\n", data, size, "");
	run("HTTP/1.1 200 OK\r\n", data, size, "\r\n\r\n{}");
	run("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", data, size, "");
	run("HTTP/1.1 200 OK\r\nContent-Length: ", data, size, "\r\n\r\n{\"a\":1}");
	if (size <= 4096)
		round_trip(data, size);
	return 0;
}
