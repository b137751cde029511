// SPDX-License-Identifier: GPL-2.0
/* Time spent in RocksJava's JNI functions, per JVM and operation: a uprobe on the entry of each
 * exported function Flink's state calls (RocksDB.get, put, merge, delete, write and
 * RocksIterator.seek; the attach cookie says which) notes the time by thread, its uretprobe adds the call to a log2 histogram.
 * The JNI functions never call each other, so one call in flight per thread is all there is. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "jvmtap/rocksdb.h"
#include "maputil.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct rocksdb_call);
} rocksdb_inflight SEC(".maps");

/* Per CPU: task threads of one TaskManager call on every core at once. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, ROCKSDB_MAX_KEYS);
	__type(key, struct rocksdb_key);
	__type(value, struct rocksdb_hist);
} rocksdb_calls SEC(".maps");

__u64 rocksdb_calls_update_failures = 0;
__u64 rocksdb_inflight_update_failures = 0;
/* What the traps add to the time between the two handlers (the end of the entry trap, the
 * start of the return trap), measured by userspace on an empty function at start and taken off
 * every observation; and that measurement's calls. */
__u64 overhead_ns = 0;
__u64 calibrate_sum_ns = 0, calibrate_count = 0;

/* On every entry; the attach cookie is the operation. */
SEC("uprobe")
int rocksdb_enter(struct pt_regs *ctx)
{
	struct rocksdb_call c = { .start_ns = bpf_ktime_get_ns(),
				  .op = (__u32)bpf_get_attach_cookie(ctx) };
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (bpf_map_update_elem(&rocksdb_inflight, &tid, &c, BPF_ANY))
		__sync_fetch_and_add(&rocksdb_inflight_update_failures, 1);
	return 0;
}

/* A return without its entry (the probes were attached mid-call) is ignored. */
SEC("uretprobe")
int rocksdb_return(struct pt_regs *ctx)
{
	__u64 id = bpf_get_current_pid_tgid(), now = bpf_ktime_get_ns(), ns;
	__u32 tid = (__u32)id;
	struct rocksdb_hist *h, zero = {};
	struct rocksdb_call *c;
	struct rocksdb_key k;

	c = bpf_map_lookup_elem(&rocksdb_inflight, &tid);
	if (!c)
		return 0;
	ns = now - c->start_ns;
	k.tgid = id >> 32;
	k.op = c->op;
	bpf_map_delete_elem(&rocksdb_inflight, &tid);
	if (k.op == ROCKSDB_OP_CALIBRATE) {
		calibrate_sum_ns += ns;
		calibrate_count++;
		return 0;
	}
	if (k.op >= ROCKSDB_OP__N)
		return 0;
	ns = ns > overhead_ns ? ns - overhead_ns : 0;
	h = lookup_or_init(&rocksdb_calls, &k, &zero, &rocksdb_calls_update_failures);
	if (!h)
		return 0;
	h->slots[log2_slot_of(ns, JVM_HIST_SLOTS)]++;
	h->sum_ns += ns;
	h->count++;
	return 0;
}
