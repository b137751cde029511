/* libFuzzer target for the /proc/PID parsers: any bytes in, a documented code and sane output out. */
// FUZZ-SOURCES: user/parse/procfs.c
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "procfs.h"

static void fuzz_maps(const char *buf, size_t len, const char *name)
{
	struct maps_lib lib;
	int deleted = -1, ret;
	size_t plen, nlen = strlen(name);

	ret = maps_find_lib(buf, len, name, &lib, &deleted);
	if (ret && ret != -ENOENT && ret != -EINVAL)
		abort();
	if (ret)
		return;
	/* a found path is absolute, NUL-terminated, ends in "/name" and came from the input */
	plen = strnlen(lib.path, sizeof(lib.path));
	if (plen == sizeof(lib.path) || plen <= nlen || lib.path[0] != '/')
		abort();
	if (lib.path[plen - nlen - 1] != '/' || memcmp(lib.path + plen - nlen, name, nlen))
		abort();
	if (!memmem(buf, len, lib.path, plen))
		abort();
	if (deleted != 0 && deleted != 1)
		abort();
	if (lib.dev_major > 0xfff || lib.dev_minor > 0xfffff)
		abort();
}

static void fuzz_cmdline(const char *buf, size_t len, size_t outlen)
{
	char out[64];
	size_t n;
	int ret;

	memset(out, 'Z', sizeof(out));
	ret = cmdline_main_class(buf, len, out, outlen);
	if (ret && ret != -ENOENT && ret != -EINVAL)
		abort();
	if (ret == -EINVAL && outlen)
		abort();
	if (ret)
		return;
	/* a non-empty name, within outlen, without a separator, nothing written past it */
	n = strnlen(out, outlen);
	if (!n || n >= outlen || memchr(out, '/', n))
		abort();
	for (n = outlen; n < sizeof(out); n++)
		if (out[n] != 'Z')
			abort();
}

static void fuzz_status(const char *buf, size_t len)
{
	int nspid = -42, ret;

	ret = status_nspid(buf, len, &nspid);
	if (ret && ret != -ENOENT && ret != -EINVAL)
		abort();
	if (!ret && nspid <= 0)
		abort();
	if (ret && nspid != -42)
		abort();
}

static void fuzz_stat(const char *buf, size_t len)
{
	unsigned long long start = 42;
	int ret;

	ret = stat_starttime(buf, len, &start);
	if (ret && ret != -EINVAL)
		abort();
	if (ret && start != 42)
		abort();
	if (!ret && !memchr(buf, ')', len))
		abort();
}

/* First byte: low 3 bits pick a parser (4..7: all of them), the rest an out length or a name.
 * The remaining bytes go to an exactly-sized copy, so any read past len is an ASan report. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "libjvm.so", "libjava.so", "a", "libc.so.6" };
	unsigned sel;
	char *buf;
	size_t len;

	if (!size)
		return 0;
	sel = data[0];
	len = size - 1;
	buf = malloc(len ? len : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, len);
	switch (sel & 7) {
	case 0:
		fuzz_maps(buf, len, names[(sel >> 3) & 3]);
		break;
	case 1:
		fuzz_cmdline(buf, len, (sel >> 3) % 33); /* 0..32, 0 being invalid */
		break;
	case 2:
		fuzz_status(buf, len);
		break;
	case 3:
		fuzz_stat(buf, len);
		break;
	default:
		fuzz_maps(buf, len, "libjvm.so");
		fuzz_cmdline(buf, len, 64);
		fuzz_status(buf, len);
		fuzz_stat(buf, len);
		break;
	}
	free(buf);
	return 0;
}
