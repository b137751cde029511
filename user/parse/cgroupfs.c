/* Pure parsers for cgroup interface files (cgroupfs.h). */
#include <errno.h>
#include <string.h>
#include "cgroupfs.h"

/* Digits [p, end) into *out; 0 or -EINVAL (none, a non-digit, overflow). */
static int digits(const char *p, const char *end, uint64_t *out)
{
	uint64_t v = 0;

	if (p == end)
		return -EINVAL;
	for (; p < end; p++) {
		unsigned d = (unsigned char)*p - '0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* The end of the value: len without one trailing newline. */
static const char *value_end(const char *buf, size_t len)
{
	return len && buf[len - 1] == '\n' ? buf + len - 1 : buf + len;
}

int cg_u64(const char *buf, size_t len, uint64_t *out)
{
	return digits(buf, value_end(buf, len), out);
}

int cg_i64(const char *buf, size_t len, int64_t *out)
{
	const char *end = value_end(buf, len), *p = buf;
	bool neg = p < end && *p == '-';
	uint64_t v;

	if (digits(p + neg, end, &v) || v > (uint64_t)INT64_MAX)
		return -EINVAL;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

static bool is_max(const char *p, const char *end)
{
	return end - p == 3 && !memcmp(p, "max", 3);
}

int cg_u64_or_max(const char *buf, size_t len, uint64_t *out, bool *unlimited)
{
	const char *end = value_end(buf, len);

	if (is_max(buf, end)) {
		*out = 0;
		*unlimited = true;
		return 0;
	}
	if (digits(buf, end, out))
		return -EINVAL;
	*unlimited = false;
	return 0;
}

int cg_cpu_max(const char *buf, size_t len, uint64_t *quota_us, bool *unlimited,
	       uint64_t *period_us)
{
	const char *end = value_end(buf, len), *sp = memchr(buf, ' ', end - buf);
	uint64_t q = 0, per;
	bool unl;

	if (!sp || digits(sp + 1, end, &per) || per == 0)
		return -EINVAL;
	unl = is_max(buf, sp);
	if (!unl && digits(buf, sp, &q))
		return -EINVAL;
	*quota_us = q;
	*unlimited = unl;
	*period_us = per;
	return 0;
}

int cg_keyed(const char *buf, size_t len, const char *key, uint64_t *out)
{
	const char *p = buf, *end = buf + len, *eol;
	size_t kl = strlen(key);

	if (!kl)
		return -ENOENT;
	while (p < end) {
		eol = memchr(p, '\n', end - p);
		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > kl && !memcmp(p, key, kl) && p[kl] == ' ')
			return digits(p + kl + 1, eol, out);
		if (eol == end)
			break;
		p = eol + 1;
	}
	return -ENOENT;
}

bool cg_v1_unlimited(uint64_t bytes)
{
	return bytes >= (1ull << 62);
}
