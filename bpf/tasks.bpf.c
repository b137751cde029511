// SPDX-License-Identifier: GPL-2.0
/* Tasks (processes and threads) created per cgroup: every fork and clone, charged to the cgroup
 * the new task starts in. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "jvmtap/tasks.h"
#include "cgroup.bpf.h"
#include "maputil.bpf.h"

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
	__u64 id = child_cgroup(child), zero = 0, *v;

	v = lookup_or_init(&tasks_created, &id, &zero, &tasks_created_update_failures);
	if (v)
		*v += 1; /* per-CPU value */
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
