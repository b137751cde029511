/* Pure parser of an HTTP/1.x response: status line, headers, and the body's framing. */
#include <stdint.h>
#include <string.h>
#include "httpresp.h"

static const char *const err_names[HTTPRESP__N] = {
	[HTTPRESP_OK] = "ok",
	[HTTPRESP_INCOMPLETE] = "incomplete",
	[HTTPRESP_BAD_STATUS] = "bad_status",
	[HTTPRESP_BAD_HEADER] = "bad_header",
	[HTTPRESP_BAD_CHUNK] = "bad_chunk",
	[HTTPRESP_TOO_LARGE] = "too_large",
};

const char *httpresp_err_name(enum httpresp_err e)
{
	if ((unsigned)e >= HTTPRESP__N)
		return "unknown";
	return err_names[e];
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 9110 tchar: the characters of a header name. */
static int is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit((char)c))
		return 1;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* s[0..n) equals the lower-case word w, ignoring case. */
static int eq_nocase(const char *s, size_t n, const char *w)
{
	size_t i;

	if (n != strlen(w))
		return 0;
	for (i = 0; i < n; i++)
		if (lower((unsigned char)s[i]) != w[i])
			return 0;
	return 1;
}

/* s[0..n) starts with the lower-case word w, ignoring case. */
static int starts_nocase(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);

	return n >= wl && eq_nocase(s, wl, w);
}

/*
 * The line starting at pos in buf[0..end): *eol is where its text ends (before "\r\n" or a bare
 * "\n"), *next where the next line starts. 0 when found, 1 when no '\n' is in range, -1 when a CR
 * is not followed by LF.
 */
static int next_line(const char *buf, size_t pos, size_t end, size_t *eol, size_t *next)
{
	const char *nl;
	size_t e;

	if (pos >= end)
		return 1;
	nl = memchr(buf + pos, '\n', end - pos);
	if (!nl)
		return 1;
	e = (size_t)(nl - buf);
	*next = e + 1;
	if (e > pos && buf[e - 1] == '\r')
		e--;
	if (memchr(buf + pos, '\r', e - pos))
		return -1;
	*eol = e;
	return 0;
}

/* "HTTP/1.x NNN[ reason]": as much of the prefix as len shows is checked, so a peer that does
 * not speak HTTP is refused before its whole head arrives. */
static int status_prefix_ok(const char *buf, size_t len)
{
	static const char pre[] = "HTTP/1.";
	size_t i, n = len < sizeof(pre) - 1 ? len : sizeof(pre) - 1;

	if (memcmp(buf, pre, n))
		return 0;
	for (i = 7; i < len && i < 13; i++) {
		char c = buf[i];

		if (i == 7 && !is_digit(c))
			return 0;
		if (i == 8 && c != ' ')
			return 0;
		if (i >= 9 && i <= 11 && !is_digit(c))
			return 0;
		if (i == 12 && c != ' ' && c != '\r' && c != '\n')
			return 0;
	}
	return 1;
}

static enum httpresp_err parse_status(const char *s, size_t n, int *status)
{
	size_t i;

	if (n < 12 || !status_prefix_ok(s, n) || (n > 12 && s[12] != ' '))
		return HTTPRESP_BAD_STATUS;
	for (i = 13; i < n; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
			return HTTPRESP_BAD_STATUS;
	*status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	if (*status < 100)
		return HTTPRESP_BAD_STATUS;
	return HTTPRESP_OK;
}

/* A decimal Content-Length without sign, spaces or overflow. */
static int parse_length(const char *s, size_t n, size_t *out)
{
	size_t v = 0, i;

	if (!n)
		return -1;
	for (i = 0; i < n; i++) {
		size_t d;

		if (!is_digit(s[i]))
			return -1;
		d = (size_t)(s[i] - '0');
		if (v > (SIZE_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Transfer-Encoding: only "chunked" (any case) is decoded; any other coding cannot be undone
 * here, and a body still encoded would reach the JSON parser as garbage. */
static int parse_te(const char *s, size_t n)
{
	size_t i = 0, b, e, codings = 0;

	while (i < n) {
		while (i < n && (is_ows(s[i]) || s[i] == ','))
			i++;
		if (i == n)
			break;
		b = i;
		while (i < n && s[i] != ',')
			i++;
		e = i;
		while (e > b && is_ows(s[e - 1]))
			e--;
		if (!eq_nocase(s + b, e - b, "chunked") || codings++)
			return -1;
	}
	return codings ? 0 : -1;
}

/* Content-Type application/json, with or without parameters: "application/json; charset=UTF-8"
 * but not "application/jsonl". */
static int is_json_type(const char *s, size_t n)
{
	static const char t[] = "application/json";

	if (!starts_nocase(s, n, t))
		return 0;
	return n == sizeof(t) - 1 || s[sizeof(t) - 1] == ';' || is_ows(s[sizeof(t) - 1]);
}

/*
 * Walks the chunked body at buf[pos..len). With decode 0 it only checks it (buf is untouched,
 * so an incomplete body can be parsed again once more bytes arrived); with decode 1 it moves the
 * chunks' data together to buf + pos. *end: where the decoded body ends.
 */
static enum httpresp_err walk_chunks(char *buf, size_t pos, size_t len, int decode, size_t *end)
{
	size_t w = pos, eol, next, size, i;
	int r;

	for (;;) {
		r = next_line(buf, pos, len, &eol, &next);
		if (r < 0)
			return HTTPRESP_BAD_CHUNK;
		if (r > 0)
			return HTTPRESP_INCOMPLETE;
		/* chunk-size [ ";" extensions ] */
		size = 0;
		for (i = pos; i < eol; i++) {
			int c = lower((unsigned char)buf[i]), d;

			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else
				break;
			if (size > (SIZE_MAX >> 4))
				return HTTPRESP_BAD_CHUNK;
			size = (size << 4) | (size_t)d;
		}
		if (i == pos)
			return HTTPRESP_BAD_CHUNK;
		while (i < eol && is_ows(buf[i]))
			i++;
		if (i < eol && buf[i] != ';')
			return HTTPRESP_BAD_CHUNK;
		pos = next;
		if (!size)
			break;
		if (size > len - pos)
			return HTTPRESP_INCOMPLETE;
		if (decode)
			memmove(buf + w, buf + pos, size);
		w += size;
		pos += size;
		/* the CRLF after the data */
		if (pos == len || (buf[pos] == '\r' && pos + 1 == len))
			return HTTPRESP_INCOMPLETE;
		if (buf[pos] == '\r')
			pos++;
		if (buf[pos] != '\n')
			return HTTPRESP_BAD_CHUNK;
		pos++;
	}
	/* trailer fields up to an empty line; their content is not used */
	for (;;) {
		r = next_line(buf, pos, len, &eol, &next);
		if (r < 0)
			return HTTPRESP_BAD_CHUNK;
		if (r > 0)
			return HTTPRESP_INCOMPLETE;
		if (eol == pos)
			break;
		if (!memchr(buf + pos, ':', eol - pos))
			return HTTPRESP_BAD_CHUNK;
		pos = next;
	}
	*end = w;
	return HTTPRESP_OK;
}

enum httpresp_err httpresp_parse(char *buf, size_t len, bool eof, struct httpresp *out)
{
	size_t cap, pos, eol, next, head_len = 0, clen = 0, start, body_end;
	int status = 0, json = 0, have_len = 0, chunked = 0, r;
	enum httpresp_err err;

	if (!out)
		return HTTPRESP_BAD_STATUS;
	memset(out, 0, sizeof(*out));
	if (!buf)
		return len ? HTTPRESP_BAD_STATUS : HTTPRESP_INCOMPLETE;
	if (!status_prefix_ok(buf, len))
		return HTTPRESP_BAD_STATUS;
	/* the head ends at the first empty line, which must come within HTTPRESP_MAX_HEAD bytes */
	cap = len < HTTPRESP_MAX_HEAD ? len : HTTPRESP_MAX_HEAD;
	for (pos = 0;; pos = next) {
		r = next_line(buf, pos, cap, &eol, &next);
		if (r < 0)
			return pos ? HTTPRESP_BAD_HEADER : HTTPRESP_BAD_STATUS;
		if (r > 0)
			return len >= HTTPRESP_MAX_HEAD ? HTTPRESP_TOO_LARGE : HTTPRESP_INCOMPLETE;
		if (eol == pos && pos) {
			head_len = next;
			break;
		}
	}
	if (memchr(buf, '\0', head_len))
		return HTTPRESP_BAD_HEADER;

	next_line(buf, 0, head_len, &eol, &next);
	err = parse_status(buf, eol, &status);
	if (err)
		return err;
	for (pos = next; pos < head_len; pos = next) {
		const char *line = buf + pos, *colon, *v;
		size_t n, name_len, i, vn;

		next_line(buf, pos, head_len, &eol, &next);
		n = eol - pos;
		if (!n)
			break;
		colon = memchr(line, ':', n);
		if (!colon || colon == line)
			return HTTPRESP_BAD_HEADER;
		name_len = (size_t)(colon - line);
		/* no space before the colon, no obsolete line folding (RFC 9112 5.1, 5.2) */
		for (i = 0; i < name_len; i++)
			if (!is_tchar((unsigned char)line[i]))
				return HTTPRESP_BAD_HEADER;
		v = colon + 1;
		vn = n - name_len - 1;
		while (vn && is_ows(*v)) {
			v++;
			vn--;
		}
		while (vn && is_ows(v[vn - 1]))
			vn--;
		for (i = 0; i < vn; i++)
			if ((unsigned char)v[i] < 0x20 && v[i] != '\t')
				return HTTPRESP_BAD_HEADER;
		if (eq_nocase(line, name_len, "content-length")) {
			size_t l;

			if (parse_length(v, vn, &l) || (have_len && l != clen))
				return HTTPRESP_BAD_HEADER;
			clen = l;
			have_len = 1;
		} else if (eq_nocase(line, name_len, "transfer-encoding")) {
			if (chunked || parse_te(v, vn))
				return HTTPRESP_BAD_HEADER;
			chunked = 1;
		} else if (eq_nocase(line, name_len, "content-type")) {
			json = is_json_type(v, vn);
		}
	}

	start = head_len;
	if ((status >= 100 && status < 200) || status == 204 || status == 304) {
		/* no body, whatever the headers say (RFC 9112 6.3) */
		body_end = start;
	} else if (chunked) {
		/* Transfer-Encoding overrides Content-Length */
		err = walk_chunks(buf, start, len, 0, &body_end);
		if (err)
			return err;
		walk_chunks(buf, start, len, 1, &body_end);
	} else if (have_len) {
		if (clen > len - start)
			return HTTPRESP_INCOMPLETE;
		body_end = start + clen;
	} else {
		if (!eof)
			return HTTPRESP_INCOMPLETE;
		body_end = len;
	}
	out->status = status;
	out->json = json;
	out->body = buf + start;
	out->body_len = body_end - start;
	return HTTPRESP_OK;
}
