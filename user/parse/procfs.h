/* Pure parsers for /proc/PID files (maps, cmdline, status, stat, net/tcp, fd links) and
 * /proc/stat: buffer in, struct out. */
#ifndef JVMTAP_PROCFS_H
#define JVMTAP_PROCFS_H

#include <stddef.h>
#include <stdint.h>

struct maps_lib {
	uint64_t start, end;
	unsigned dev_major, dev_minor;
	uint64_t inode;
	char path[4096];
};

/* Finds the first mapping of a file whose name is `name` (e.g. "libjvm.so") in /proc/PID/maps
 * text. A " (deleted)" suffix (file replaced on disk) is stripped and reported in *deleted.
 * Returns 0, -ENOENT when absent, -EINVAL on a malformed line. */
int maps_find_lib(const char *buf, size_t len, const char *name, struct maps_lib *out,
		  int *deleted);

/* The main class (simple name) or jar file name from a java command line (NUL-separated argv as
 * in /proc/PID/cmdline). Returns 0 or -ENOENT when none can be found. */
int cmdline_main_class(const char *buf, size_t len, char *out, size_t outlen);

/* The same with the class's package ("org.apache.flink...TaskManagerRunner"). */
int cmdline_main_class_full(const char *buf, size_t len, char *out, size_t outlen);

/* The innermost pid from the NSpid line of /proc/PID/status; 0 or -ENOENT. */
int status_nspid(const char *buf, size_t len, int *nspid);

/* The resident size of /proc/PID/statm ("size resident shared text lib data dt", in pages), in
 * bytes of page bytes each: the same sum as status's VmRSS. 0, or -EINVAL (a field missing,
 * not a number, or bytes that do not fit). */
int statm_resident(const char *buf, size_t len, uint64_t page, uint64_t *bytes);

/* Field 22 (starttime, clock ticks since boot) of /proc/PID/stat; 0 or -EINVAL. */
int stat_starttime(const char *buf, size_t len, unsigned long long *start);

/* One socket of /proc/PID/net/tcp or tcp6. */
struct net_tcp_sock {
	int family;       /* AF_INET (an address of 8 hex digits) or AF_INET6 (32) */
	uint8_t addr[16]; /* the local address in network order; IPv4 in the first 4 bytes */
	unsigned port;    /* the local port */
	unsigned state;   /* the kernel's TCP state: 0x0A is TCP_LISTEN */
	uint64_t inode;   /* 0 for time-wait and request sockets */
};

/* One line of /proc/PID/net/tcp or tcp6, len bytes without its newline: "sl: local remote st
 * tx:rx tr:when retrnsmt uid timeout inode refcount ..." (the kernel prints each 32-bit word of
 * an address in host order). Returns 0, or -EINVAL (the header line, a malformed or cut line);
 * *out is only written on success. */
int net_tcp_line(const char *line, size_t len, struct net_tcp_sock *out);

/* The inode of a /proc/PID/fd/N link target that is exactly "socket:[N]" (len bytes); 0, or
 * -EINVAL for anything else (pipe:[N], anon_inode:[eventfd], a path). */
int fd_socket_inode(const char *link, size_t len, uint64_t *inode);

/* The btime line of /proc/stat ("btime 1700000000": the Unix time the kernel booted, in
 * seconds); 0, -ENOENT when there is none, or -EINVAL. */
int stat_btime(const char *buf, size_t len, unsigned long long *btime);

#endif
