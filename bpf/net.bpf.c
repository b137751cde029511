// SPDX-License-Identifier: GPL-2.0
/* Socket payload bytes per cgroup (and per JVM): what TCP and UDP sockets really sent and
 * received, from the kernel's return values. sock:sock_{send,recv}_length (Linux 6.3+) where they
 * exist; fexit or kprobes on tcp/udp sendmsg/recvmsg on older kernels. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "jvmtap/net.h"
#include "cgroup.bpf.h"
#include "shared_maps.bpf.h"
#include "maputil.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define MSG_PEEK 2

/* false (--net.max-ports-per-container=0): no per-port series, so no side lookup and no port
 * map update per TCP call, and no tcp_side program. */
const volatile bool tcp_ports = true;

/* net.ipv4.ip_local_port_range: a local port inside it marks a connection this side opened. */
const volatile __u32 ephemeral_lo = 32768;
const volatile __u32 ephemeral_hi = 60999;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, NET_MAX_KEYS);
	__type(key, struct net_key);
	__type(value, __u64);
} net_bytes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, NET_MAX_PORT_KEYS);
	__type(key, struct net_port_key);
	__type(value, __u64);
} net_port_bytes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4 * 4096);
	__type(key, struct net_jvm_key);
	__type(value, __u64);
} net_jvm_bytes SEC(".maps");

/* kprobe mode: the socket of a sendmsg/recvmsg in flight, by thread, for its kretprobe. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} inflight SEC(".maps");

/* Which side opened a TCP connection, by socket address: 1 = this side connected, 2 = it
 * accepted. Sockets older than jvmtap are not in here: the ephemeral-range rule decides. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u8);
} tcp_side SEC(".maps");

#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT 2
#define TCP_SYN_RECV 3
#define TCP_CLOSE 7

__u64 net_bytes_update_failures = 0;
__u64 net_port_bytes_update_failures = 0;
__u64 net_jvm_bytes_update_failures = 0;

static __always_inline bool add(void *map, void *key, __u64 n, __u64 *failures)
{
	__u64 zero = 0, *v = lookup_or_init(map, key, &zero, failures);

	if (v)
		*v += n; /* per-CPU value: no atomics needed */
	return v;
}

/* typed: sk is a BTF pointer the verifier trusts (tp_btf, fexit), so its fields, the task's
 * and the v1 cgroup walk are plain loads, not probe reads. One map update per call for the
 * container: a TCP call's bytes go to its service port's key only, and userspace sums a
 * container's TCP total from them; net_bytes holds UDP, and TCP when the port series are off
 * or the port map is full. */
static __always_inline void account(struct sock *sk, int ret, int flags, bool tx, bool typed)
{
	struct task_struct *task;
	struct net_port_key pk = {};
	struct net_jvm_key jk = {};
	struct net_key k = {};
	__u32 proto, lport, rport, tgid;
	__u16 family;

	if (ret <= 0 || !sk || (!tx && (flags & MSG_PEEK)))
		return;
	family = typed ? sk->__sk_common.skc_family : BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return;
	/* sk_protocol was a bitfield before v5.6 (commit bf9765145b85): both reads handle both. */
	proto = typed ? BPF_CORE_READ_BITFIELD(sk, sk_protocol)
		      : BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol);
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return;
	task = typed ? bpf_get_current_task_btf() : (struct task_struct *)bpf_get_current_task();
	k.cgroup_id = cgroup_id_of(task, typed);
	k.dir = tx ? NET_TX : NET_RX;
	k.proto = proto == IPPROTO_TCP ? NET_TCP : NET_UDP;
	if (proto == IPPROTO_TCP && tcp_ports) {
		lport = typed ? sk->__sk_common.skc_num : BPF_CORE_READ(sk, __sk_common.skc_num);
		rport = bpf_ntohs(typed ? sk->__sk_common.skc_dport
					: BPF_CORE_READ(sk, __sk_common.skc_dport));
		pk.cgroup_id = k.cgroup_id;
		pk.dir = k.dir;
		__u64 skp = (__u64)sk;
		__u8 *side = bpf_map_lookup_elem(&tcp_side, &skp);
		bool opened = side ? *side == 1 : lport >= ephemeral_lo && lport <= ephemeral_hi;

		pk.port = opened ? rport : lport;
		if (!add(&net_port_bytes, &pk, ret, &net_port_bytes_update_failures))
			add(&net_bytes, &k, ret, &net_bytes_update_failures);
	} else {
		add(&net_bytes, &k, ret, &net_bytes_update_failures);
	}
	tgid = typed ? task->tgid : bpf_get_current_pid_tgid() >> 32;
	if (jvm_followed(tgid)) {
		jk.tgid = tgid;
		jk.dir = k.dir;
		jk.proto = k.proto;
		add(&net_jvm_bytes, &jk, ret, &net_jvm_bytes_update_failures);
	}
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(net_send_tp_btf, struct sock *sk, int ret, int flags)
{
	account(sk, ret, flags, true, true);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(net_recv_tp_btf, struct sock *sk, int ret, int flags)
{
	account(sk, ret, flags, false, true);
	return 0;
}

SEC("tracepoint/sock/sock_send_length")
int net_send_tracepoint(struct trace_event_raw_sock_msg_length *ctx)
{
	account(ctx->sk, ctx->ret, ctx->flags, true, false);
	return 0;
}

SEC("tracepoint/sock/sock_recv_length")
int net_recv_tracepoint(struct trace_event_raw_sock_msg_length *ctx)
{
	account(ctx->sk, ctx->ret, ctx->flags, false, false);
	return 0;
}

static __always_inline void mark_side(const void *sk, int oldstate, int newstate)
{
	__u64 key = (__u64)sk;
	__u8 side;

	if (newstate == TCP_SYN_SENT)
		side = 1;
	else if (newstate == TCP_ESTABLISHED && oldstate == TCP_SYN_RECV)
		side = 2;
	else {
		if (newstate == TCP_CLOSE)
			bpf_map_delete_elem(&tcp_side, &key);
		return;
	}
	bpf_map_update_elem(&tcp_side, &key, &side, BPF_ANY);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(net_side_tp_btf, const struct sock *sk, const int oldstate, const int newstate)
{
	if (sk->sk_protocol == IPPROTO_TCP)
		mark_side(sk, oldstate, newstate);
	return 0;
}

SEC("tracepoint/sock/inet_sock_set_state")
int net_side_tracepoint(struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->protocol == IPPROTO_TCP)
		mark_side(ctx->skaddr, ctx->oldstate, ctx->newstate);
	return 0;
}

/* Kernels without the sock tracepoints (before 6.3): the protocol handlers' return values.
 * Signatures as of 5.19+ (tcp_recvmsg lost its nonblock argument in commit ec095263a965);
 * userspace refuses these modes on older kernels rather than read the wrong argument. */
SEC("fexit/tcp_sendmsg")
int BPF_PROG(net_tcp_send_fexit, struct sock *sk, struct msghdr *msg, size_t size, int ret)
{
	account(sk, ret, 0, true, true);
	return 0;
}

SEC("fexit/udp_sendmsg")
int BPF_PROG(net_udp_send_fexit, struct sock *sk, struct msghdr *msg, size_t len, int ret)
{
	account(sk, ret, 0, true, true);
	return 0;
}

SEC("fexit/tcp_recvmsg")
int BPF_PROG(net_tcp_recv_fexit, struct sock *sk, struct msghdr *msg, size_t len, int flags,
	     int *addr_len, int ret)
{
	account(sk, ret, flags, false, true);
	return 0;
}

SEC("fexit/udp_recvmsg")
int BPF_PROG(net_udp_recv_fexit, struct sock *sk, struct msghdr *msg, size_t len, int flags,
	     int *addr_len, int ret)
{
	account(sk, ret, flags, false, true);
	return 0;
}

/* kprobe mode: remember the socket (and PEEK) at entry, account at return. */
static __always_inline int stash(struct sock *sk, int flags)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 v = (__u64)sk | !!(flags & MSG_PEEK); /* sock pointers are aligned: bit 0 is free */

	bpf_map_update_elem(&inflight, &tid, &v, BPF_ANY);
	return 0;
}

static __always_inline int finish(int ret, bool tx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *v = bpf_map_lookup_elem(&inflight, &tid);

	if (!v)
		return 0;
	account((struct sock *)(*v & ~1ull), ret, *v & 1 ? MSG_PEEK : 0, tx, false);
	bpf_map_delete_elem(&inflight, &tid);
	return 0;
}

SEC("kprobe/tcp_sendmsg")
int BPF_KPROBE(net_tcp_send_kprobe, struct sock *sk)
{
	return stash(sk, 0);
}

SEC("kretprobe/tcp_sendmsg")
int BPF_KRETPROBE(net_tcp_send_kretprobe, int ret)
{
	return finish(ret, true);
}

SEC("kprobe/udp_sendmsg")
int BPF_KPROBE(net_udp_send_kprobe, struct sock *sk)
{
	return stash(sk, 0);
}

SEC("kretprobe/udp_sendmsg")
int BPF_KRETPROBE(net_udp_send_kretprobe, int ret)
{
	return finish(ret, true);
}

SEC("kprobe/tcp_recvmsg")
int BPF_KPROBE(net_tcp_recv_kprobe, struct sock *sk, struct msghdr *msg, size_t len, int flags)
{
	return stash(sk, flags);
}

SEC("kretprobe/tcp_recvmsg")
int BPF_KRETPROBE(net_tcp_recv_kretprobe, int ret)
{
	return finish(ret, false);
}

SEC("kprobe/udp_recvmsg")
int BPF_KPROBE(net_udp_recv_kprobe, struct sock *sk, struct msghdr *msg, size_t len, int flags)
{
	return stash(sk, flags);
}

SEC("kretprobe/udp_recvmsg")
int BPF_KRETPROBE(net_udp_recv_kretprobe, int ret)
{
	return finish(ret, false);
}
