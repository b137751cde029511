/* libFuzzer target for the /proc/PID parsers: any bytes in, a documented code and sane output out. */
// FUZZ-SOURCES: user/parse/procfs.c
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
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
	{
		uint64_t b = 42;

		ret = statm_resident(buf, len, 4096, &b);
		if (ret && ret != -EINVAL)
			abort();
		if (ret ? b != 42 : b % 4096 || !memchr(buf, ' ', len))
			abort();
	}
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

static int untouched(const void *p, size_t n, unsigned char fill)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != fill)
			return 0;
	return 1;
}

/* Whether s (n bytes, NUL-terminated) occurs in buf, letters compared without case. */
static int has_nocase(const char *buf, size_t len, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + n <= len; i++)
		if (!strncasecmp(buf + i, s, n))
			return 1;
	return 0;
}

static void fuzz_tcp(const char *buf, size_t len)
{
	static const char junk[] = " junk 1 2\n";
	struct net_tcp_sock s, again;
	char ep[48], *more;
	size_t n, k;
	uint32_t w;
	int ret;

	memset(&s, 0xa5, sizeof(s));
	ret = net_tcp_line(buf, len, &s);
	if (ret && ret != -EINVAL)
		abort();
	if (ret) {
		if (!untouched(&s, sizeof(s), 0xa5))
			abort();
		return;
	}
	if (s.family != AF_INET && s.family != AF_INET6)
		abort();
	if (s.family == AF_INET && !untouched(s.addr + 4, 12, 0))
		abort();
	if (s.port > 0xffff || s.state > 0xff)
		abort();
	/* the local endpoint printed back as the kernel prints it is in the line */
	for (n = 0, k = 0; k < (s.family == AF_INET ? 1u : 4u); k++) {
		memcpy(&w, s.addr + 4 * k, 4);
		n += snprintf(ep + n, sizeof(ep) - n, "%08X", w);
	}
	n += snprintf(ep + n, sizeof(ep) - n, ":%04X ", s.port);
	if (!has_nocase(buf, len, ep, n))
		abort();
	n = snprintf(ep, sizeof(ep), "%llu", (unsigned long long)s.inode);
	if (!memmem(buf, len, ep, n))
		abort();
	/* what follows the refcount is not read: the same answer with more after it */
	more = malloc(len + sizeof(junk) - 1);
	if (!more)
		return;
	memcpy(more, buf, len);
	memcpy(more + len, junk, sizeof(junk) - 1);
	memset(&again, 0x5a, sizeof(again));
	if (net_tcp_line(more, len + sizeof(junk) - 1, &again) || again.family != s.family ||
	    memcmp(again.addr, s.addr, 16) || again.port != s.port || again.state != s.state ||
	    again.inode != s.inode)
		abort();
	free(more);
}

static void fuzz_link(const char *buf, size_t len)
{
	uint64_t inode = 42;
	char dec[24];
	size_t n, d;
	int ret;

	ret = fd_socket_inode(buf, len, &inode);
	if (ret && ret != -EINVAL)
		abort();
	if (ret) {
		if (inode != 42)
			abort();
		return;
	}
	/* "socket:[" digits "]": the digits are the inode, perhaps after zeros */
	if (len < 10 || memcmp(buf, "socket:[", 8) || buf[len - 1] != ']')
		abort();
	d = len - 9;
	n = snprintf(dec, sizeof(dec), "%llu", (unsigned long long)inode);
	if (n > d || memcmp(buf + 8 + d - n, dec, n) || !untouched(buf + 8, d - n, '0'))
		abort();
}

static void fuzz_btime(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *eol;
	unsigned long long bt = 42;
	char digits[32];
	size_t n;
	int ret;

	ret = stat_btime(buf, len, &bt);
	if (ret && ret != -ENOENT && ret != -EINVAL)
		abort();
	if (ret) {
		if (bt != 42)
			abort();
		return;
	}
	/* the first line that starts with "btime " holds only digits after it, and they say bt */
	for (;; p = eol + 1) {
		if (p >= end)
			abort();
		eol = memchr(p, '\n', end - p);
		if (!eol)
			eol = end;
		if (eol - p >= 6 && !memcmp(p, "btime ", 6))
			break;
	}
	n = eol - p - 6;
	while (n > 1 && p[6] == '0') { /* leading zeros */
		p++;
		n--;
	}
	if (!n || n >= sizeof(digits))
		abort();
	memcpy(digits, p + 6, n);
	digits[n] = '\0';
	if (strspn(digits, "0123456789") != n || strtoull(digits, NULL, 10) != bt)
		abort();
}

/* First byte: low 3 bits pick a parser (7: all of them), the rest an out length or a name.
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
	case 4:
		fuzz_tcp(buf, len);
		break;
	case 5:
		fuzz_link(buf, len);
		break;
	case 6:
		fuzz_btime(buf, len);
		break;
	default:
		fuzz_maps(buf, len, "libjvm.so");
		fuzz_cmdline(buf, len, 64);
		fuzz_status(buf, len);
		fuzz_stat(buf, len);
		fuzz_tcp(buf, len);
		fuzz_link(buf, len);
		fuzz_btime(buf, len);
		break;
	}
	free(buf);
	return 0;
}
