/* Strict JSON values with json-c: one whole value from bytes that may lie, and members read
 * without trusting their types. */
#ifndef JVMTAP_JSONVAL_H
#define JVMTAP_JSONVAL_H

#include <stddef.h>
#include <json-c/json.h>

/* Parses json[0..len) as exactly one JSON value of type want (strict JSON, nothing after it but
 * whitespace, at most 32 levels deep); *root is the caller's to put. The text is copied into a
 * NUL-terminated buffer first, so that json-c never reads past len. 0, -EBADMSG or -ENOMEM. */
int jv_parse(const char *json, size_t len, enum json_type want, struct json_object **root);
/* obj's member key, NULL when obj is not an object or has no such key. */
struct json_object *jv_member(struct json_object *obj, const char *key);
/* obj's member key if it is of type t, else NULL. */
struct json_object *jv_typed(struct json_object *obj, const char *key, enum json_type t);
/* v as an integer: a JSON int, a double (truncated) or a string holding a number ("12",
 * "12.0"). -1 when v is absent, of another type, not a number or does not fit a long long. */
long long jv_ll(struct json_object *v);
/* v as a double (same inputs as jv_ll); NAN when absent, not a number or not finite: metrics may
 * be negative (a watermark), -1 among them. */
double jv_dbl(struct json_object *v);
/* jv_ll of obj's member key. */
long long jv_get_ll(struct json_object *obj, const char *key);
/* obj's string member key into dst[size], cut at size - 1 bytes without splitting a UTF-8
 * character (and at a "\u0000"); "" when absent or not a string. */
void jv_get_str(struct json_object *obj, const char *key, char *dst, size_t size);

#endif
