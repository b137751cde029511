/* Accept header negotiation between OpenMetrics 1.0.0 and the text format 0.0.4 (accept.h). */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "accept.h"

/* tchar of RFC 9110 5.6.2 */
static int is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* A token at *pp: its start and length (0 if none). */
static size_t token(const char **pp, const char **start)
{
	const char *p = *pp;

	*start = p;
	while (is_tchar(*p))
		p++;
	*pp = p;
	return (size_t)(p - *start);
}

static int eq(const char *s, size_t n, const char *want)
{
	return n == strlen(want) && !strncasecmp(s, want, n);
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), as thousandths; -1 if bad. */
static int qvalue(const char *s, size_t n)
{
	int q, i, scale = 100;

	if (!n || (s[0] != '0' && s[0] != '1'))
		return -1;
	q = (s[0] - '0') * 1000;
	if (n == 1)
		return q;
	if (s[1] != '.' || n > 5)
		return -1;
	for (i = 2; i < (int)n; i++, scale /= 10) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		q += (s[i] - '0') * scale;
	}
	return q > 1000 ? -1 : q;
}

/* A parameter value: token or quoted-string, unquoted into out (cut at outlen - 1, which then
 * no longer compares equal to anything we look for). 0, or -1 if malformed. */
static int param_value(const char **pp, char *out, size_t outlen)
{
	const char *p = *pp, *start;
	size_t n = 0, len;

	if (*p == '"') {
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\') {
				if (!p[1])
					return -1;
				p++;
			}
			if (n + 1 < outlen)
				out[n++] = *p;
			else
				n = outlen;	/* too long: mark as cut */
		}
		if (*p != '"')
			return -1;
		p++;
		if (n >= outlen)
			n = outlen - 1, out[0] = '\0';
	} else {
		len = token(&p, &start);
		if (!len)
			return -1;
		if (len < outlen) {
			memcpy(out, start, len);
			n = len;
		} else {
			out[0] = '\0';
			n = 0;
		}
	}
	out[n] = '\0';
	*pp = p;
	return 0;
}

struct offer {
	const char *type, *subtype, *version;
	int q;		/* thousandths; -1: no range matched yet */
	int spec;	/* specificity of the range that set q */
	int pos;	/* its index in the header */
};

/* One media range matched against an offer: its specificity (0 star/star, 1 type/star, 2
 * type/subtype, 3 with the version given), or -1 if it does not match. */
static int match(const struct offer *o, const char *t, size_t tn, const char *s, size_t sn,
		 const char *version, int has_version, int charset_ok)
{
	int spec;

	if (!charset_ok)
		return -1;
	if (eq(t, tn, "*")) {
		if (!eq(s, sn, "*"))
			return -1;
		spec = 0;
	} else if (!eq(t, tn, o->type)) {
		return -1;
	} else if (eq(s, sn, "*")) {
		spec = 1;
	} else if (!eq(s, sn, o->subtype)) {
		return -1;
	} else {
		spec = 2;
	}
	if (has_version) {
		if (strcmp(version, o->version))
			return -1;
		if (spec == 2)
			spec = 3;
	}
	return spec;
}

enum accept_format accept_format(const char *accept)
{
	struct offer offers[2] = {
		[ACCEPT_TEXT] = { "text", "plain", "0.0.4", -1, -1, 0 },
		[ACCEPT_OPENMETRICS] = { "application", "openmetrics-text", "1.0.0", -1, -1, 0 },
	};
	const char *p = accept, *t, *s, *name;
	char version[16] = "", charset[16], value[16];
	size_t tn, sn, nn, i;
	int pos = 0, valid, q, has_version, charset_ok, spec;

	if (!p)
		return ACCEPT_TEXT;
	for (;; pos++) {
		/* #rule lists may contain empty elements. */
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		tn = token(&p, &t);
		valid = tn > 0 && *p == '/';
		sn = 0;
		s = p;
		if (valid) {
			p++;
			sn = token(&p, &s);
			valid = sn > 0;
		}
		/* A star type needs a star subtype. */
		if (valid && eq(t, tn, "*") && !eq(s, sn, "*"))
			valid = 0;
		q = 1000;
		has_version = 0;
		charset_ok = 1;
		p = skip_ows(p);
		while (valid && *p == ';') {
			p = skip_ows(p + 1);
			/* An empty parameter (";;" or a trailing ";") is allowed. */
			if (*p == ';' || *p == ',' || !*p)
				continue;
			nn = token(&p, &name);
			if (!nn || *p != '=') {
				valid = 0;
				break;
			}
			p++;
			if (param_value(&p, value, sizeof(value))) {
				valid = 0;
				break;
			}
			if (eq(name, nn, "q")) {
				/* The raw text, not the unquoted value: q is a token, never quoted. */
				q = qvalue(value, strlen(value));
				if (q < 0 || p[-1] == '"')
					valid = 0;
			} else if (eq(name, nn, "version")) {
				has_version = 1;
				memcpy(version, value, sizeof(version));
			} else if (eq(name, nn, "charset")) {
				memcpy(charset, value, sizeof(charset));
				charset_ok = !strcasecmp(charset, "utf-8");
			}
			p = skip_ows(p);
		}
		if (*p && *p != ',')
			valid = 0;
		/* A malformed element is ignored; resynchronise at the next comma outside quotes. */
		while (*p && *p != ',') {
			if (*p == '"') {
				for (p++; *p && *p != '"'; p++)
					if (*p == '\\' && p[1])
						p++;
				if (!*p)
					break;
			}
			p++;
		}
		if (!valid)
			continue;
		for (i = 0; i < 2; i++) {
			spec = match(&offers[i], t, tn, s, sn, version, has_version, charset_ok);
			/* The most specific range decides; among equally specific ones, the first. */
			if (spec > offers[i].spec) {
				offers[i].spec = spec;
				offers[i].q = q;
				offers[i].pos = pos;
			}
		}
	}
	if (offers[ACCEPT_OPENMETRICS].q <= 0)
		return ACCEPT_TEXT;
	if (offers[ACCEPT_OPENMETRICS].q != offers[ACCEPT_TEXT].q)
		return offers[ACCEPT_OPENMETRICS].q > offers[ACCEPT_TEXT].q ? ACCEPT_OPENMETRICS :
									      ACCEPT_TEXT;
	if (offers[ACCEPT_OPENMETRICS].spec != offers[ACCEPT_TEXT].spec)
		return offers[ACCEPT_OPENMETRICS].spec > offers[ACCEPT_TEXT].spec ?
			       ACCEPT_OPENMETRICS : ACCEPT_TEXT;
	return offers[ACCEPT_OPENMETRICS].pos < offers[ACCEPT_TEXT].pos ? ACCEPT_OPENMETRICS :
									  ACCEPT_TEXT;
}
