/* A Flink JVM's own TCP sockets, from /proc (its fds against its network namespace's tables),
 * and which TaskManager JVM on this node a JobManager's TaskManager list names. */
#ifndef JVMTAP_FLINK_SOCKETS_H
#define JVMTAP_FLINK_SOCKETS_H

#include <stdint.h>
#include <sys/types.h>
#include "procfs.h"

#define TCP_STATE_ESTABLISHED 0x01
#define TCP_STATE_LISTEN 0x0A

/* Socket inodes pid holds (up to max); the number, or -errno. */
int flink_socket_inodes(pid_t pid, uint64_t *out, int max);
/* The TCP sockets among inodes in that state, from /proc/PID/net/tcp and tcp6. */
int flink_tcp_sockets(pid_t pid, const uint64_t *inodes, int ninodes, unsigned state,
		      struct net_tcp_sock *out, int max);

#define FLINK_TM_LISTEN 16
#define FLINK_TM_ADDRS 8

/* Where a TaskManager JVM on this node can be reached: the sockets it listens on, the local
 * addresses of its established sockets (in a pod, its pod IP: it talks to the JobManager from
 * there) and its network namespace. */
struct flink_local_tm {
	pid_t pid;
	uint64_t cgroup_id;
	uint64_t netns; /* inode of /proc/PID/ns/net; 0 unknown */
	int nlisten, naddrs;
	struct net_tcp_sock listen[FLINK_TM_LISTEN];
	struct net_tcp_sock addrs[FLINK_TM_ADDRS]; /* family and addr only */
};

/* Fills t->netns, listen and addrs for t->pid; 0, or -errno (gone, no access). */
int flink_local_tm_read(struct flink_local_tm *t);
/* The network namespace inode of pid; 0 when unknown (errno says why). */
uint64_t flink_netns_of(pid_t pid);

/*
 * Which of the n local TaskManagers a JobManager's TaskManager RPC path names
 * ("pekko.tcp://flink@HOST:PORT/..."): one listening on PORT, and
 * - HOST an IP literal: listening on that address, or on the wildcard with HOST among its
 *   established sockets' local addresses (loopback when HOST is loopback and the JobManager,
 *   jm_netns, shares its namespace);
 * - HOST "localhost": in the JobManager's network namespace;
 * - any other name (not resolved here): the only local TaskManager listening on PORT.
 * Returns its index, -1 when none matches, -2 when several do.
 */
int flink_match_tm(const char *path, const struct flink_local_tm *tms, int n, uint64_t jm_netns);

#endif
