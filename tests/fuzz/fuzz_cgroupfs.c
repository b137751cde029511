/* libFuzzer target for the cgroup file parsers: any bytes in, a documented code out, and a
 * number only when the bytes spell it. */
// FUZZ-SOURCES: user/parse/cgroupfs.c
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cgroupfs.h"

static const char *const keys[] = { "anon", "file", "inactive_file", "total_rss", "total_cache",
				    "total_inactive_file", "nr_throttled", "throttled_usec",
				    "oom_kill", "oom", "" };

/* The decimal form of v must be what the input held (no leading zeros are rewritten: compare
 * after skipping them). */
static void same_digits(const char *p, size_t n, uint64_t v)
{
	char s[32];
	size_t k = (size_t)snprintf(s, sizeof(s), "%" PRIu64, v);

	while (n > 1 && *p == '0') {
		p++;
		n--;
	}
	if (n != k || memcmp(p, s, k))
		abort();
}

static size_t value_len(const char *buf, size_t len)
{
	return len && buf[len - 1] == '\n' ? len - 1 : len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t u, q, p;
	int64_t i;
	bool unl;
	size_t len, k;
	char *buf;
	int r;

	if (!size)
		return 0;
	len = size - 1;
	buf = malloc(len ? len : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, len);
	switch (data[0] & 3) {
	case 0:
		r = cg_u64(buf, len, &u);
		if (r && r != -EINVAL)
			abort();
		if (!r)
			same_digits(buf, value_len(buf, len), u);
		break;
	case 1:
		r = cg_i64(buf, len, &i);
		if (r && r != -EINVAL)
			abort();
		if (!r && i < 0 && buf[0] != '-') /* "-0" is 0 */
			abort();
		r = cg_u64_or_max(buf, len, &u, &unl);
		if (r && r != -EINVAL)
			abort();
		if (!r && unl && (u || value_len(buf, len) != 3))
			abort();
		break;
	case 2:
		r = cg_cpu_max(buf, len, &q, &unl, &p);
		if (r && r != -EINVAL)
			abort();
		if (!r && (!p || (unl && q)))
			abort();
		break;
	default:
		k = (data[0] >> 2) % (sizeof(keys) / sizeof(keys[0]));
		r = cg_keyed(buf, len, keys[k], &u);
		if (r && r != -EINVAL && r != -ENOENT)
			abort();
		if (!r && !keys[k][0])
			abort();
		break;
	}
	free(buf);
	return 0;
}
