// SPDX-License-Identifier: GPL-2.0
/* The OOM killer's victims: oom:mark_victim names the task chosen (not current, which is the
 * task that ran out of memory), with its cgroup and whether it is a JVM jvmtap follows. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "jvmtap/oom.h"
#include "cgroup.bpf.h"
#include "maputil.bpf.h"
#include "shared_maps.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OOM_MAX_KEYS);
	__type(key, struct oom_key);
	__type(value, __u64);
} oom_victims SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024);
} oom_events SEC(".maps");

__u64 oom_victims_update_failures = 0;
__u64 oom_events_update_failures = 0;

/* The victim's own cgroup: bpf_get_current_cgroup_id() would be the allocating task's. */
static __always_inline __u64 victim_cgroup(struct task_struct *t)
{
	if (hierarchy == CPU_HIER_V2)
		return kn_id(BPF_CORE_READ(t, cgroups, dfl_cgrp, kn));
	return cgroup_id_of(t, false);
}

static __always_inline void victim(struct task_struct *t)
{
	struct oom_key k = { .cgroup_id = victim_cgroup(t) };
	__u32 tgid = BPF_CORE_READ(t, tgid);
	struct oom_event *e;
	__u64 zero = 0, *v;

	k.jvm = bpf_map_lookup_elem(&jvm_tgids, &tgid) != NULL;
	v = lookup_or_init(&oom_victims, &k, &zero, &oom_victims_update_failures);
	if (v)
		__sync_fetch_and_add(v, 1);
	e = bpf_ringbuf_reserve(&oom_events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&oom_events_update_failures, 1);
		return;
	}
	e->cgroup_id = k.cgroup_id;
	e->pid = BPF_CORE_READ(t, pid);
	e->tgid = tgid;
	e->jvm = k.jvm;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	BPF_CORE_READ_STR_INTO(&e->comm, t, comm);
	bpf_ringbuf_submit(e, 0);
}

SEC("tp_btf/mark_victim")
int BPF_PROG(oom_victim_tp_btf, struct task_struct *task)
{
	victim(task);
	return 0;
}

SEC("raw_tp/mark_victim")
int BPF_PROG(oom_victim_raw_tp, struct task_struct *task)
{
	victim(task);
	return 0;
}
