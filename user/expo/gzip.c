/* gzip compression of metric pages and Accept-Encoding negotiation for the HTTP endpoint. */
#define ZLIB_CONST
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "gzip.h"

int gzip_compress(const char *in, size_t len, char **out, size_t *outlen)
{
	const unsigned char *ip = (const unsigned char *)in;
	size_t left = len, cap, done = 0, chunk;
	unsigned int avail;
	char *buf, *p;
	z_stream zs;
	int ret;

	if (!out || !outlen || (!in && len))
		return -EINVAL;
	*out = NULL;
	*outlen = 0;
	memset(&zs, 0, sizeof(zs));
	/* windowBits 15 + 16 asks zlib for a gzip header and trailer instead of a zlib one. */
	ret = deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
	if (ret != Z_OK)
		return ret == Z_MEM_ERROR ? -ENOMEM : -EINVAL;
	/* Usually one pass: the bound covers incompressible input; the loop still grows if not. */
	cap = deflateBound(&zs, len);
	if (cap < 64)
		cap = 64;
	buf = malloc(cap);
	if (!buf) {
		deflateEnd(&zs);
		return -ENOMEM;
	}
	do {
		/* zlib counts in unsigned int, so feed and drain in pieces for huge pages. */
		if (!zs.avail_in && left) {
			chunk = left > UINT_MAX ? UINT_MAX : left;
			zs.next_in = ip;
			zs.avail_in = (unsigned int)chunk;
			ip += chunk;
			left -= chunk;
		}
		if (done == cap) {
			if (cap > SIZE_MAX / 2 || !(p = realloc(buf, cap * 2))) {
				ret = Z_MEM_ERROR;
				break;
			}
			buf = p;
			cap *= 2;
		}
		avail = cap - done > UINT_MAX ? UINT_MAX : (unsigned int)(cap - done);
		zs.next_out = (unsigned char *)buf + done;
		zs.avail_out = avail;
		ret = deflate(&zs, left ? Z_NO_FLUSH : Z_FINISH);
		done += avail - zs.avail_out;
		/* Z_BUF_ERROR only means no progress was possible: the buffer grows above. */
	} while (ret == Z_OK || ret == Z_BUF_ERROR);
	deflateEnd(&zs);
	if (ret != Z_STREAM_END) {
		free(buf);
		return ret == Z_MEM_ERROR ? -ENOMEM : -EIO;
	}
	*out = buf;
	*outlen = done;
	return 0;
}

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 9110 5.6.2 token characters */
static int is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_ows(const char *p)
{
	while (is_ows(*p))
		p++;
	return p;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ): 1 if > 0, 0 if 0, -1 if bad. */
static int parse_qvalue(const char **pp)
{
	const char *p = *pp;
	int one = *p == '1', nonzero = one, digits;

	if (*p != '0' && *p != '1')
		return -1;
	p++;
	if (*p == '.') {
		p++;
		for (digits = 0; digits < 3 && *p >= '0' && *p <= '9'; digits++, p++) {
			if (*p != '0') {
				if (one)
					return -1;
				nonzero = 1;
			}
		}
	}
	*pp = p;
	return nonzero;
}

/* A parameter value we do not interpret: token or quoted-string. 0, or -1 if malformed. */
static int skip_value(const char **pp)
{
	const char *p = *pp;

	if (*p == '"') {
		for (p++; *p && *p != '"'; p++)
			if (*p == '\\' && p[1])
				p++;
		if (*p != '"')
			return -1;
		p++;
	} else {
		while (is_tchar(*p))
			p++;
	}
	*pp = p;
	return 0;
}

static int token_is(const char *tok, size_t n, const char *want)
{
	return n == strlen(want) && !strncasecmp(tok, want, n);
}

int accepts_gzip(const char *accept_encoding)
{
	const char *p = accept_encoding, *tok, *pname;
	int gzip_q = -1, star_q = -1, q, valid, r;
	size_t ntok;

	if (!p)
		return 0;
	for (;;) {
		/* #rule lists may contain empty elements: skip them along with the separators. */
		while (is_ows(*p) || *p == ',')
			p++;
		if (!*p)
			break;
		tok = p;
		while (is_tchar(*p))
			p++;
		ntok = (size_t)(p - tok);
		valid = ntok > 0;
		q = 1;
		p = skip_ows(p);
		while (valid && *p == ';') {
			p = skip_ows(p + 1);
			pname = p;
			while (is_tchar(*p))
				p++;
			if (p == pname || *p != '=') {
				valid = 0;
				break;
			}
			p++;
			if (p - pname == 2 && (*pname == 'q' || *pname == 'Q')) {
				r = parse_qvalue(&p);
				if (r < 0)
					valid = 0;
				else
					q = r;
			} else if (skip_value(&p)) {
				valid = 0;
			}
			p = skip_ows(p);
		}
		if (*p && *p != ',')
			valid = 0;
		/* A malformed element is ignored; resynchronise at the next comma. */
		while (*p && *p != ',')
			p++;
		if (!valid)
			continue;
		if (token_is(tok, ntok, "gzip") || token_is(tok, ntok, "x-gzip")) {
			if (q > gzip_q)
				gzip_q = q;
		} else if (token_is(tok, ntok, "*")) {
			if (q > star_q)
				star_q = q;
		}
	}
	/* "*" only speaks for codings not listed explicitly. */
	if (gzip_q >= 0)
		return gzip_q;
	return star_q > 0;
}
