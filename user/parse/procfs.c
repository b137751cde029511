/* Pure parsers for /proc/PID files (maps, cmdline, status, stat, net/tcp, fd links) and
 * /proc/stat: buffer in, struct out. They never read past len and accept no line they cannot
 * fully parse. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "procfs.h"

static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', end - p);

	return nl ? nl : end;
}

/* Parses a hex or decimal field ending at a delimiter; advances *p past it. */
static int field_u64(const char **p, const char *end, int base, char delim, uint64_t *out)
{
	uint64_t v = 0;
	const char *q = *p;
	int d, n = 0;

	while (q < end && *q != delim) {
		char c = *q;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return -EINVAL;
		v = v * base + d;
		q++;
		n++;
	}
	if (!n || q == end)
		return -EINVAL;
	*out = v;
	*p = q + 1;
	return 0;
}

static int skip_field(const char **p, const char *end)
{
	const char *q = memchr(*p, ' ', end - *p);

	if (!q || q == *p)
		return -EINVAL;
	*p = q + 1;
	return 0;
}

int maps_find_lib(const char *buf, size_t len, const char *name, struct maps_lib *out,
		  int *deleted)
{
	static const char del[] = " (deleted)";
	const char *p = buf, *end = buf + len, *eol, *path;
	size_t nlen = strlen(name), plen;
	uint64_t maj, min;

	while (p < end) {
		eol = line_end(p, end);
		/* start-end perms offset dev inode path */
		path = memchr(p, '/', eol - p);
		if (path) {
			plen = eol - path;
			*deleted = plen > sizeof(del) - 1 &&
				   !memcmp(eol - (sizeof(del) - 1), del, sizeof(del) - 1);
			if (*deleted)
				plen -= sizeof(del) - 1;
			if (plen > nlen && plen < sizeof(out->path) && path[plen - nlen - 1] == '/' &&
			    !memcmp(path + plen - nlen, name, nlen)) {
				const char *q = p;

				if (field_u64(&q, eol, 16, '-', &out->start) ||
				    field_u64(&q, eol, 16, ' ', &out->end) || skip_field(&q, eol) ||
				    skip_field(&q, eol) || field_u64(&q, eol, 16, ':', &maj) ||
				    field_u64(&q, eol, 16, ' ', &min) ||
				    field_u64(&q, eol, 10, ' ', &out->inode) || maj > 0xfff ||
				    min > 0xfffff)
					return -EINVAL;
				/* only padding between inode and path, and no NUL inside the path */
				while (q < path && *q == ' ')
					q++;
				if (q != path || memchr(path, '\0', plen))
					return -EINVAL;
				out->dev_major = maj;
				out->dev_minor = min;
				memcpy(out->path, path, plen);
				out->path[plen] = '\0';
				return 0;
			}
		}
		p = eol + 1;
	}
	return -ENOENT;
}

/* Whether argument a (alen bytes, not necessarily NUL-terminated) is exactly lit. */
static int arg_is(const char *a, size_t alen, const char *lit)
{
	return alen == strlen(lit) && !memcmp(a, lit, alen);
}

/* Options of the java launcher that take the next argument as their value. */
static int takes_value(const char *a, size_t alen)
{
	static const char *const opts[] = { "-cp", "-classpath", "--class-path", "-p",
					    "--module-path", "--add-modules", "--add-opens",
					    "--add-exports", "--add-reads", "--limit-modules",
					    "--upgrade-module-path", "--patch-module", "--source",
					    "--enable-native-access" };
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (arg_is(a, alen, opts[i]))
			return 1;
	return 0;
}

static void copy_simple(const char *s, size_t n, char *out, size_t outlen, int is_class)
{
	const char *b = s;
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '/' || (is_class && s[i] == '.'))
			b = s + i + 1;
	n -= b - s;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, b, n);
	out[n] = '\0';
}

/* simple: cut a class name to its simple name (after the last '.'). */
static int main_arg(const char *buf, size_t len, char *out, size_t outlen, int simple)
{
	const char *p = buf, *end = buf + len, *a, *nul;
	int first = 1, jar = 0;

	if (!outlen)
		return -EINVAL;
	while (p < end) {
		size_t alen;

		/* the last argument may lack its NUL: compare by length, never with strcmp */
		nul = memchr(p, '\0', end - p);
		a = p;
		alen = (nul ? nul : end) - a;
		p = nul ? nul + 1 : end;
		if (first) { /* argv[0]: the launcher */
			first = 0;
			continue;
		}
		if (jar) {
			copy_simple(a, alen, out, outlen, 0);
			return out[0] ? 0 : -ENOENT;
		}
		if (arg_is(a, alen, "-jar")) {
			jar = 1;
			continue;
		}
		if (alen > 9 && !memcmp(a, "--module=", 9)) {
			copy_simple(a + 9, alen - 9, out, outlen, simple);
			return out[0] ? 0 : -ENOENT;
		}
		if (arg_is(a, alen, "-m") || arg_is(a, alen, "--module")) {
			/* module/class: the class after the slash */
			if (p >= end)
				return -ENOENT;
			a = p;
			nul = memchr(p, '\0', end - p);
			copy_simple(a, (nul ? nul : end) - a, out, outlen, simple);
			return out[0] ? 0 : -ENOENT;
		}
		if (alen && a[0] == '-') {
			if (takes_value(a, alen) && p < end) {
				nul = memchr(p, '\0', end - p);
				p = nul ? nul + 1 : end;
			}
			continue;
		}
		if (!alen)
			continue;
		copy_simple(a, alen, out, outlen, simple);
		return out[0] ? 0 : -ENOENT;
	}
	return -ENOENT;
}

int cmdline_main_class(const char *buf, size_t len, char *out, size_t outlen)
{
	return main_arg(buf, len, out, outlen, 1);
}

int cmdline_main_class_full(const char *buf, size_t len, char *out, size_t outlen)
{
	return main_arg(buf, len, out, outlen, 0);
}

int status_nspid(const char *buf, size_t len, int *nspid)
{
	const char *p = buf, *end = buf + len, *eol, *q;
	long v = -1;
	char *e;

	while (p < end) {
		eol = line_end(p, end);
		if (eol - p > 6 && !memcmp(p, "NSpid:", 6)) {
			for (q = p + 6; q < eol;) {
				while (q < eol && (*q == ' ' || *q == '\t'))
					q++;
				if (q == eol)
					break;
				if (*q < '0' || *q > '9')
					return -EINVAL;
				v = 0;
				while (q < eol && *q >= '0' && *q <= '9') {
					v = v * 10 + (*q++ - '0');
					if (v > 0x3fffffff)
						return -EINVAL;
				}
			}
			(void)e;
			if (v <= 0)
				return -EINVAL;
			*nspid = v;
			return 0;
		}
		p = eol + 1;
	}
	return -ENOENT;
}

int statm_resident(const char *buf, size_t len, uint64_t page, uint64_t *bytes)
{
	const char *p = buf, *end = buf + len;
	uint64_t size, res;

	if (field_u64(&p, end, 10, ' ', &size) || field_u64(&p, end, 10, ' ', &res) || !page ||
	    res > UINT64_MAX / page)
		return -EINVAL;
	*bytes = res * page;
	return 0;
}

int stat_starttime(const char *buf, size_t len, unsigned long long *start)
{
	const char *p, *end = buf + len;
	uint64_t v;
	int field;

	/* comm (field 2) may hold spaces and parentheses: fields restart after the last ')'. */
	for (p = end; p > buf && p[-1] != ')'; p--)
		;
	if (p == buf)
		return -EINVAL;
	/* the space after field k starts field k + 1: 20 spaces from comm's ')' to field 22 */
	for (field = 2; field < 22; field++) {
		p = memchr(p, ' ', end - p);
		if (!p)
			return -EINVAL;
		p++;
	}
	if (field_u64(&p, end, 10, ' ', &v))
		return -EINVAL;
	*start = v;
	return 0;
}

/* The next run of bytes other than ' ' from *p: its start in *tok, its length returned (0 when
 * only spaces are left); *p moves past it. */
static size_t token(const char **p, const char *end, const char **tok)
{
	const char *q = *p;

	while (q < end && *q == ' ')
		q++;
	*tok = q;
	while (q < end && *q != ' ')
		q++;
	*p = q;
	return q - *tok;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly n (1..8) hex digits. */
static int hex_u32(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;
	size_t i;
	int d;

	if (!n || n > 8)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if ((d = hex_digit(s[i])) < 0)
			return -EINVAL;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

/* Exactly n (1..) decimal digits, no overflow. */
static int dec_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - (s[i] - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* "ADDR:PORT" as the kernel prints it: ADDR 8 or 32 hex digits (%08X of each 32-bit word as it
 * lies in memory), PORT 4 (%04X). */
static int tcp_endpoint(const char *t, size_t n, int *family, uint8_t addr[16], unsigned *port)
{
	size_t alen, k;
	uint32_t w;

	if (n < 5 || t[n - 5] != ':')
		return -EINVAL;
	alen = n - 5;
	if (alen != 8 && alen != 32)
		return -EINVAL;
	memset(addr, 0, 16);
	for (k = 0; k < alen / 8; k++) {
		if (hex_u32(t + 8 * k, 8, &w))
			return -EINVAL;
		memcpy(addr + 4 * k, &w, 4);
	}
	if (hex_u32(t + alen + 1, 4, &w))
		return -EINVAL;
	*family = alen == 8 ? AF_INET : AF_INET6;
	*port = w;
	return 0;
}

/* A field passed over (tx:rx, tr:when, retrnsmt, uid, timeout): digits, hex digits, ':', '-'. */
static int plain_field(const char *t, size_t n)
{
	size_t i;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		if (hex_digit(t[i]) < 0 && t[i] != ':' && t[i] != '-')
			return 0;
	return 1;
}

int net_tcp_line(const char *line, size_t len, struct net_tcp_sock *out)
{
	const char *p = line, *end = line + len, *t;
	struct net_tcp_sock s;
	int rfamily, i;
	uint8_t raddr[16];
	unsigned rport;
	uint32_t st;
	uint64_t sl;
	size_t n;

	/* "%4d:" */
	n = token(&p, end, &t);
	if (n < 2 || t[n - 1] != ':' || dec_u64(t, n - 1, &sl))
		return -EINVAL;
	n = token(&p, end, &t);
	if (tcp_endpoint(t, n, &s.family, s.addr, &s.port))
		return -EINVAL;
	n = token(&p, end, &t);
	if (tcp_endpoint(t, n, &rfamily, raddr, &rport) || rfamily != s.family)
		return -EINVAL;
	n = token(&p, end, &t);
	if (n != 2 || hex_u32(t, 2, &st))
		return -EINVAL;
	s.state = st;
	for (i = 0; i < 5; i++) {
		n = token(&p, end, &t);
		if (!plain_field(t, n))
			return -EINVAL;
	}
	n = token(&p, end, &t);
	if (dec_u64(t, n, &s.inode))
		return -EINVAL;
	/* the kernel always prints the refcount after it: a line cut inside the inode is refused,
	 * not read as a smaller inode */
	n = token(&p, end, &t);
	if (dec_u64(t, n, &sl))
		return -EINVAL;
	*out = s;
	return 0;
}

int fd_socket_inode(const char *link, size_t len, uint64_t *inode)
{
	static const char pre[] = "socket:[";
	size_t np = sizeof(pre) - 1;

	if (len < np + 2 || memcmp(link, pre, np) || link[len - 1] != ']')
		return -EINVAL;
	return dec_u64(link + np, len - np - 1, inode);
}

int stat_btime(const char *buf, size_t len, unsigned long long *btime)
{
	const char *p = buf, *end = buf + len, *eol;
	uint64_t v;

	while (p < end) {
		eol = line_end(p, end);
		if (eol - p >= 6 && !memcmp(p, "btime ", 6)) {
			if (dec_u64(p + 6, eol - (p + 6), &v))
				return -EINVAL;
			*btime = v;
			return 0;
		}
		p = eol + 1;
	}
	return -ENOENT;
}
