/* Strict JSON values with json-c (jsonval.h), for the parsers of answers from peers that may
 * lie: the Flink REST API. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "jsonval.h"

/* Flink's answers nest about six levels (plan.nodes[].inputs[]); deeper is refused, not
 * recursed. */
#define JSON_DEPTH 32

static int is_json_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int jv_parse(const char *json, size_t len, enum json_type want, struct json_object **root)
{
	struct json_tokener *tok;
	struct json_object *obj;
	enum json_tokener_error err;
	size_t end;
	char *copy;

	*root = NULL;
	/* a raw NUL is never valid JSON, and json-c would take it for the end of input */
	if (!json || !len || len >= INT32_MAX || memchr(json, '\0', len))
		return -EBADMSG;
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, json, len);
	copy[len] = '\0';
	tok = json_tokener_new_ex(JSON_DEPTH);
	if (!tok) {
		free(copy);
		return -ENOMEM;
	}
	/* Flink's Jackson writes strict JSON; strict mode also rejects trailing garbage */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, copy, (int)len);
	err = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (err == json_tokener_success) {
		while (end < len && is_json_ws(copy[end]))
			end++;
	}
	free(copy);
	if (err != json_tokener_success || end != len || !json_object_is_type(obj, want)) {
		json_object_put(obj);
		return -EBADMSG;
	}
	*root = obj;
	return 0;
}

struct json_object *jv_member(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!obj || !json_object_is_type(obj, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

struct json_object *jv_typed(struct json_object *obj, const char *key, enum json_type t)
{
	struct json_object *v = jv_member(obj, key);

	return v && json_object_is_type(v, t) ? v : NULL;
}

/*
 * A number written as digits: an optional '-', digits, an optional fraction and exponent (the
 * JSON grammar, which is also how Java prints a long or a double). No "nan", "inf", hex or
 * spaces, which strtod would take.
 */
static int numeric_text(const char *s, size_t n)
{
	size_t i = 0, d;

	if (i < n && s[i] == '-')
		i++;
	for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		;
	if (i == d)
		return 0;
	if (i < n && s[i] == '.') {
		for (d = ++i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	return i == n;
}

/* A double as a long long, truncated toward zero; -1 when not finite or out of range. */
static long long dbl_to_ll(double d)
{
	/* 2^63 is exact as a double; LLONG_MAX is not */
	if (!isfinite(d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0)
		return -1;
	return (long long)d;
}

long long jv_ll(struct json_object *v)
{
	const char *s;
	char *end;
	long long l;
	size_t n;

	if (!v)
		return -1;
	switch (json_object_get_type(v)) {
	case json_type_int:
		l = json_object_get_int64(v);
		/* json-c keeps integers past INT64_MAX as uint64 (saturated at UINT64_MAX) */
		if (l == INT64_MAX && json_object_get_uint64(v) > (uint64_t)INT64_MAX)
			return -1;
		return l;
	case json_type_double:
		return dbl_to_ll(json_object_get_double(v));
	case json_type_string:
		s = json_object_get_string(v);
		n = (size_t)json_object_get_string_len(v);
		if (!s || !numeric_text(s, n))
			return -1;
		errno = 0;
		l = strtoll(s, &end, 10);
		if (end == s + n)
			return errno ? -1 : l;
		return dbl_to_ll(strtod(s, NULL));
	default:
		return -1;
	}
}

double jv_dbl(struct json_object *v)
{
	const char *s;
	double d;
	size_t n;

	if (!v)
		return NAN;
	switch (json_object_get_type(v)) {
	case json_type_int:
		/* past INT64_MAX json-c keeps a uint64, saturated at UINT64_MAX on overflow */
		if (json_object_get_int64(v) == INT64_MAX) {
			uint64_t u = json_object_get_uint64(v);

			return u == UINT64_MAX ? NAN : (double)u;
		}
		return (double)json_object_get_int64(v);
	case json_type_double:
		d = json_object_get_double(v);
		break;
	case json_type_string:
		s = json_object_get_string(v);
		n = (size_t)json_object_get_string_len(v);
		if (!s || !numeric_text(s, n))
			return NAN;
		d = strtod(s, NULL);
		break;
	default:
		return NAN;
	}
	return isfinite(d) ? d : NAN;
}

long long jv_get_ll(struct json_object *obj, const char *key)
{
	return jv_ll(jv_member(obj, key));
}

void jv_get_str(struct json_object *obj, const char *key, char *dst, size_t size)
{
	struct json_object *v = jv_typed(obj, key, json_type_string);
	const char *s, *nul;
	size_t n;
	int len;

	if (!size)
		return;
	dst[0] = '\0';
	if (!v)
		return;
	s = json_object_get_string(v);
	len = json_object_get_string_len(v);
	if (!s || len <= 0)
		return;
	n = (size_t)len;
	nul = memchr(s, '\0', n);
	if (nul)
		n = (size_t)(nul - s);
	if (n > size - 1) {
		n = size - 1;
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
}
