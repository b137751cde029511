/* A Flink JVM's own TCP sockets from /proc, and local TaskManagers matched by RPC address
 * (sockets.h). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "config.h"
#include "flinkrest.h"
#include "readfile.h"
#include "sockets.h"

/* Socket inodes pid holds. */
int flink_socket_inodes(pid_t pid, uint64_t *out, int max)
{
	char path[PATH_MAX], link[64];
	struct dirent *d;
	int n = 0;
	ssize_t k;
	DIR *dp;

	snprintf(path, sizeof(path), "%s/%d/fd", cfg.procfs, pid);
	if (!(dp = opendir(path)))
		return -errno;
	while (n < max && (d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%d/fd/%s", cfg.procfs, pid, d->d_name);
		k = readlink(path, link, sizeof(link));
		if (k > 0 && fd_socket_inode(link, k, &out[n]) == 0)
			n++;
	}
	closedir(dp);
	return n;
}


/* The TCP sockets among inodes in that state, from /proc/PID/net/tcp and tcp6 (pid's own
 * namespace's tables). */
int flink_tcp_sockets(pid_t pid, const uint64_t *inodes, int ninodes, unsigned state,
		       struct net_tcp_sock *out, int max)
{
	static const char *const files[2] = { "tcp", "tcp6" };
	char path[PATH_MAX], *buf;
	const char *p, *eol, *end;
	struct net_tcp_sock s;
	size_t len;
	int f, i, n = 0;

	for (f = 0; f < 2; f++) {
		snprintf(path, sizeof(path), "%s/%d/net/%s", cfg.procfs, pid, files[f]);
		if (read_file(path, &buf, &len, 16u << 20))
			continue;
		/* the header line and anything malformed are passed over */
		for (p = buf, end = buf + len; p < end && n < max; p = eol + 1) {
			eol = memchr(p, '\n', end - p);
			if (!eol)
				eol = end;
			if (net_tcp_line(p, eol - p, &s) || s.family != (f ? AF_INET6 : AF_INET) ||
			    s.state != state)
				continue;
			for (i = 0; i < ninodes && inodes[i] != s.inode; i++)
				;
			if (i < ninodes)
				out[n++] = s;
		}
		free(buf);
	}
	return n;
}

uint64_t flink_netns_of(pid_t pid)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%d/ns/net", cfg.procfs, pid);
	return stat(path, &st) ? 0 : (uint64_t)st.st_ino;
}

int flink_local_tm_read(struct flink_local_tm *t)
{
	struct net_tcp_sock est[256];
	uint64_t inodes[1024];
	int ni, ne, i, k;

	t->nlisten = t->naddrs = 0;
	t->netns = flink_netns_of(t->pid);
	ni = flink_socket_inodes(t->pid, inodes, 1024);
	if (ni < 0)
		return ni;
	t->nlisten = flink_tcp_sockets(t->pid, inodes, ni, TCP_STATE_LISTEN, t->listen,
				       FLINK_TM_LISTEN);
	ne = flink_tcp_sockets(t->pid, inodes, ni, TCP_STATE_ESTABLISHED, est, 256);
	for (i = 0; i < ne && t->naddrs < FLINK_TM_ADDRS; i++) {
		for (k = 0; k < t->naddrs; k++)
			if (t->addrs[k].family == est[i].family &&
			    !memcmp(t->addrs[k].addr, est[i].addr, 16))
				break;
		if (k == t->naddrs)
			t->addrs[t->naddrs++] = est[i];
	}
	return 0;
}

static bool is_any(const struct net_tcp_sock *s)
{
	static const uint8_t any[16];

	return !memcmp(s->addr, any, s->family == AF_INET6 ? 16 : 4);
}

/* addr (family, 16 bytes) equals s's address; an IPv4 address also matches its v4-mapped
 * IPv6 form (a JVM's dual-stack sockets are in tcp6). */
static bool same_addr(int family, const uint8_t *addr, const struct net_tcp_sock *s)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (s->family == family)
		return !memcmp(s->addr, addr, family == AF_INET6 ? 16 : 4);
	if (family == AF_INET && s->family == AF_INET6)
		return !memcmp(s->addr, mapped, 12) && !memcmp(s->addr + 12, addr, 4);
	return false;
}

static bool is_loopback(int family, const uint8_t *a)
{
	static const uint8_t lo6[16] = { [15] = 1 };

	return family == AF_INET ? a[0] == 127 : !memcmp(a, lo6, 16);
}

static bool tm_matches(const struct flink_local_tm *t, int family, const uint8_t *addr,
		       bool localhost, unsigned port, uint64_t jm_netns)
{
	bool same_ns = jm_netns && t->netns == jm_netns;
	int i, k;

	for (i = 0; i < t->nlisten; i++) {
		const struct net_tcp_sock *l = &t->listen[i];

		if (l->port != port)
			continue;
		if (localhost)
			return same_ns;
		if (!family) /* a name: the port alone */
			return true;
		if (!is_any(l)) {
			if (same_addr(family, addr, l))
				return !is_loopback(family, addr) || same_ns;
			continue;
		}
		if (is_loopback(family, addr))
			return same_ns;
		for (k = 0; k < t->naddrs; k++)
			if (same_addr(family, addr, &t->addrs[k]))
				return true;
	}
	return false;
}

int flink_match_tm(const char *path, const struct flink_local_tm *tms, int n, uint64_t jm_netns)
{
	uint8_t addr[16] = { 0 };
	char host[256];
	unsigned port;
	int family = 0, i, found = -1;
	bool localhost;

	if (flinkrest_rpc_address(path, host, sizeof(host), &port))
		return -1;
	localhost = !strcmp(host, "localhost");
	if (inet_pton(AF_INET, host, addr) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, host, addr) == 1)
		family = AF_INET6;
	for (i = 0; i < n; i++) {
		if (!tm_matches(&tms[i], family, addr, localhost, port, jm_netns))
			continue;
		if (found >= 0)
			return -2;
		found = i;
	}
	return found;
}
