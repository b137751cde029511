// SPDX-License-Identifier: GPL-2.0
/* Tasks (processes and threads) created per cgroup: every fork and clone, charged to the cgroup
 * the new task starts in. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "jvmtap/tasks.h"
#include "cgroup.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, TASKS_MAX_CGROUPS);
	__type(key, __u64);
	__type(value, __u64);
} tasks_created SEC(".maps");

__u64 tasks_created_update_failures = 0;

/* The child's own cgroup: with CLONE_INTO_CGROUP it is not the parent's. */
static __always_inline __u64 child_cgroup(struct task_struct *child)
{
	if (hierarchy == CPU_HIER_V2)
		return kn_id(BPF_CORE_READ(child, cgroups, dfl_cgrp, kn));
	return cgroup_id_of(child, false);
}

static __always_inline void created(struct task_struct *child)
{
	__u64 id = child_cgroup(child), one = 1, *v;

	v = bpf_map_lookup_elem(&tasks_created, &id);
	if (v) {
		*v += 1;
		return;
	}
	if (bpf_map_update_elem(&tasks_created, &id, &one, BPF_NOEXIST)) {
		v = bpf_map_lookup_elem(&tasks_created, &id);
		if (v)
			*v += 1;
		else
			__sync_fetch_and_add(&tasks_created_update_failures, 1);
	}
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(tasks_fork_tp_btf, struct task_struct *parent, struct task_struct *child)
{
	created(child);
	return 0;
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(tasks_fork_raw_tp, struct task_struct *parent, struct task_struct *child)
{
	created(child);
	return 0;
}
