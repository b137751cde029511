/* Shared between bpf/net.bpf.c and user/net.c: socket payload bytes per cgroup and per JVM. */
#ifndef JVMTAP_NET_H
#define JVMTAP_NET_H

enum net_dir { NET_TX = 0, NET_RX = 1 };
enum net_proto { NET_TCP = 0, NET_UDP = 1 };

struct net_key {
	__u64 cgroup_id;
	__u32 dir;
	__u32 proto;
};

/* TCP bytes by service port: the remote port of connections the cgroup opened (its local port
 * is ephemeral), the local port of connections it accepted. */
struct net_port_key {
	__u64 cgroup_id;
	__u32 dir;
	__u32 port;
};

struct net_jvm_key {
	__u32 tgid;
	__u16 dir;
	__u16 proto;
};

#define NET_MAX_KEYS 16384
#define NET_MAX_PORT_KEYS 16384

#endif
