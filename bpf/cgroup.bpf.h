/* The cgroup a task's work is charged to, shared by every BPF object that keys by cgroup:
 * the v2 cgroup id, or the id of the task's v1 `cpu` cgroup. Userspace sets `hierarchy`. */
#ifndef JVMTAP_CGROUP_BPF_H
#define JVMTAP_CGROUP_BPF_H

#include "jvmtap/cpu.h"

const volatile __u32 hierarchy = CPU_HIER_V2;

/* kernfs_node::id was a union of {ino, generation} before v5.5 (commit 67c0496e87d1). */
struct kernfs_node___old {
	union {
		__u64 id;
		struct {
			__u32 ino;
			__u32 generation;
		};
	} id;
} __attribute__((preserve_access_index));

static __always_inline __u64 kn_id(struct kernfs_node *kn)
{
	struct kernfs_node___old *old = (void *)kn;

	if (bpf_core_field_exists(old->id.ino))
		return BPF_CORE_READ(old, id.ino);
	return BPF_CORE_READ(kn, id);
}

/* v1: the cgroup of the `cpu` controller; cpu_cgrp_id's value depends on the kernel config.
 * With a BTF-typed task (tp_btf) the walk is plain loads; otherwise each step is a probe read. */
static __always_inline __u64 cgroup_id_of(struct task_struct *task, bool btf_typed)
{
	int cpu_id = bpf_core_enum_value(enum cgroup_subsys_id, cpu_cgrp_id);
	struct cgroup_subsys_state *css;

	/* With a typed task, the helper's own walk without its call. */
	if (hierarchy == CPU_HIER_V2)
		return btf_typed ? task->cgroups->dfl_cgrp->kn->id : bpf_get_current_cgroup_id();
	if (btf_typed) {
		css = task->cgroups->subsys[cpu_id];
		return css ? css->cgroup->kn->id : 0;
	}
	css = BPF_CORE_READ(task, cgroups, subsys[cpu_id]);
	if (!css)
		return 0;
	return kn_id(BPF_CORE_READ(css, cgroup, kn));
}

#endif
